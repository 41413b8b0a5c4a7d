import { describe, expect, it } from 'vitest';
import { containsLink } from '../../server/domain/links.js';
import { normalizeText } from '../../server/domain/normalize.js';
import { decide, type RuleFindings } from '../../server/domain/rule-decision.js';
import { foldForMatching, matchBlockedTerm, matchProfanity, textKey } from '../../server/domain/rules.js';

describe('blocked terms', () => {
  it('matches a blocked word whatever its case and accents', () => {
    expect(matchBlockedTerm('Quelle ARNAQUE', ['arnaque'])).toBe('arnaque');
    expect(matchBlockedTerm('c’est nul, ârnâqué !', ['arnaque'])).toBe('arnaque');
  });

  it('matches a blocked phrase', () => {
    expect(matchBlockedTerm('un vrai Fake News de plus', ['fake news'])).toBe('fake news');
  });

  it('does not hold an innocent word that contains a blocked one', () => {
    expect(matchBlockedTerm('Scunthorpe United', ['cunt'])).toBeNull();
    expect(matchBlockedTerm('assessment of the class', ['ass'])).toBeNull();
  });

  it('treats regular-expression characters in a term literally', () => {
    expect(matchBlockedTerm('a+b c', ['a+b'])).toBe('a+b');
    expect(matchBlockedTerm('aab', ['a+b'])).toBeNull();
  });

  it('matches nothing when the wall has no terms or only blank ones', () => {
    expect(matchBlockedTerm('anything', [])).toBeNull();
    expect(matchBlockedTerm('anything', ['  '])).toBeNull();
  });

  it('folds compatibility forms so full-width letters match', () => {
    expect(foldForMatching('ＡＲＮＡＱＵＥ')).toBe('arnaque');
  });
});

describe('blocked terms read disguised spellings', () => {
  it('matches a term written with leetspeak, look-alike letters, spacing or stretched letters', () => {
    expect(matchBlockedTerm('quelle 4rn4qu3', ['arnaque'])).toBe('arnaque');
    expect(matchBlockedTerm('quelle аrnаquе', ['arnaque'])).toBe('arnaque');
    expect(matchBlockedTerm('quelle a r n a q u e', ['arnaque'])).toBe('arnaque');
    expect(matchBlockedTerm('quelle arnaaaaque', ['arnaque'])).toBe('arnaque');
  });

  it('reads a term reversed by a right-to-left override as it is displayed', () => {
    const raw = 'quelle \u202Eeuqanra';
    expect(matchBlockedTerm(normalizeText(raw), ['arnaque'], raw)).toBe('arnaque');
  });
});

describe('profanity', () => {
  it('names the listed word, never the text, for English and French profanity', () => {
    expect(matchProfanity('what the fuck is this')).toBe('fuck');
    expect(matchProfanity('Quel connard, ce speaker')).toBe('connard');
    expect(matchProfanity('un vrai fils de pute')).toBe('fils de pute');
  });

  it('holds French words that are English words only in the phrases that make them insults', () => {
    expect(matchProfanity('pauvre con')).toBe('pauvre con');
    expect(matchProfanity('pros and cons of a cul-de-sac, and a bite to eat')).toBeNull();
  });

  it('does not take a list entry spelled out letter by letter for a phrase of ordinary words', () => {
    expect(matchProfanity("let's hit the road, s.o.b. is not a word here")).toBeNull();
  });

  it('leaves out the ordinary words and names that the libraries list', () => {
    expect(matchProfanity('Wang and Cox play a pawn, magna cum laude, en retard, avec Fanny et des carottes râpées')).toBeNull();
  });
});

describe('links', () => {
  it('finds links with a scheme, with www, bare with a common TLD, and with a disguised dot', () => {
    for (const text of ['voir https://example.org', 'voir http://x.y/z', 'www.example', 'example.com/x', 'Va sur toile.fr', 'example[.]com', 'example (dot) com', 'ｅｘａｍｐｌｅ．ｃｏｍ', 'hxxp://evil']) {
      expect(containsLink(text), text).toBe(true);
    }
  });

  it('does not take file names, abbreviations, email addresses or fediverse mentions for links', () => {
    for (const text of ['Node.js et index.html', 'e.g. ceci, etc.', 'écrire à jeanne@example.org', 'bravo @alice@mastodon.social', 'Il est 10.30']) {
      expect(containsLink(text), text).toBe(false);
    }
  });
});

describe('the text key of the duplicate rule', () => {
  it('is the same for texts that differ only by case, accents, spacing, punctuation or hidden characters', () => {
    const key = textKey('Bravo à tous !');
    expect(key).not.toBeNull();
    for (const text of ['bravo a tous', 'BRAVO   À TOUS!!', 'Bravo\u200B à tous.', 'ｂｒａｖｏ à tous']) expect(textKey(text), text).toBe(key);
    expect(textKey('Bravo à vous')).not.toBe(key);
  });

  it('is null for a text without a word', () => {
    expect(textKey('')).toBeNull();
    expect(textKey('!!!')).toBeNull();
  });
});

describe('how the rules decide', () => {
  const base: RuleFindings = { moderation: 'post', unusable: false, hold: [], content: [], duplicate: false, senderRate: false, sender: null };

  it('approves on a post-moderated wall only when no rule holds', () => {
    expect(decide(base)).toEqual({ status: 'approved', reasons: [], trusted: false });
    expect(decide({ ...base, content: ['link'], duplicate: true, senderRate: true })).toEqual({
      status: 'pending',
      reasons: ['link', 'duplicate', 'sender-rate'],
      trusted: false,
    });
  });

  it('keeps a pre-moderated wall’s messages pending, with the reasons a rule found', () => {
    expect(decide({ ...base, moderation: 'pre' })).toMatchObject({ status: 'pending', reasons: [] });
    expect(decide({ ...base, moderation: 'pre', duplicate: true })).toMatchObject({ status: 'pending', reasons: ['duplicate'] });
  });

  it('approves a trusted sender at once on any wall, unless a word rule or the caller holds it', () => {
    expect(decide({ ...base, moderation: 'pre', sender: 'trusted', content: ['link'], duplicate: true, senderRate: true })).toEqual({
      status: 'approved',
      reasons: [],
      trusted: true,
    });
    expect(decide({ ...base, sender: 'trusted', content: ['profanity:fuck', 'link'] })).toMatchObject({ status: 'pending', reasons: ['profanity:fuck'] });
    expect(decide({ ...base, sender: 'trusted', hold: ['incomplete'] })).toMatchObject({ status: 'pending', reasons: ['incomplete'] });
  });

  it('stores a blocked sender’s message rejected, and lets the caller’s own rejection stand', () => {
    expect(decide({ ...base, sender: 'blocked' })).toEqual({ status: 'rejected', reasons: ['blocked-sender'], trusted: false });
    expect(decide({ ...base, sender: 'blocked', reject: ['throttled'] })).toMatchObject({ status: 'rejected', reasons: ['throttled'] });
  });
});
