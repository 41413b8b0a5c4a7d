import { describe, expect, it } from 'vitest';
import { authorLabel, maskEmail, maskPhone } from '../../server/domain/mask.js';

describe('masking contributors', () => {
  it('shows at most the last two digits of a phone number', () => {
    expect(maskPhone('+33612345678')).toBe('SMS ••78');
    expect(maskPhone('+1 (555) 010-9999')).toBe('SMS ••99');
    expect(maskPhone('7')).toBe('SMS');
  });

  it('shows only the first letter of an email address', () => {
    expect(maskEmail('jeanne.dupont@example.org')).toBe('j•••');
    expect(maskEmail('Émile@example.org')).toBe('é•••');
    expect(maskEmail('@example.org')).toBe('Email');
  });

  it('uses the name a contributor gave', () => {
    expect(authorLabel({ name: 'Léa Martin', address: 'lea@example.org', addressKind: 'email' })).toBe('Léa Martin');
  });

  it('masks the address when there is no name, or only an invisible one', () => {
    expect(authorLabel({ address: '+33612345678', addressKind: 'phone' })).toBe('SMS ••78');
    expect(authorLabel({ name: '\u200B', address: 'jeanne@example.org', addressKind: 'email' })).toBe('j•••');
    expect(authorLabel({ addressKind: 'client', address: 'f00d' })).toBe('Anonymous');
    expect(authorLabel({})).toBe('Anonymous');
  });

  it('never shows the address a contributor typed as their name', () => {
    expect(authorLabel({ name: 'jeanne@example.org', address: 'jeanne@example.org', addressKind: 'email' })).toBe('j•••');
    expect(authorLabel({ name: 'Jeanne <jeanne@example.org>', address: 'jeanne@example.org', addressKind: 'email' })).not.toContain('example.org');
    expect(authorLabel({ name: '+33 6 12 34 56 78', address: '+33612345678', addressKind: 'phone' })).not.toMatch(/3456/);
  });

  it('masks contact data hidden in a name, whoever it belongs to', () => {
    expect(authorLabel({ name: 'Call me 06.12.34.56.78' })).toBe('Call me ••78');
    expect(authorLabel({ name: 'Paul (paul@corp.example)' })).toBe('Paul (p•••)');
  });

  it('shows a social account handle as it is public', () => {
    expect(authorLabel({ address: '@ada@mastodon.social', addressKind: 'account' })).toBe('@ada@mastodon.social');
  });
});
