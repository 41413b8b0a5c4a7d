import { describe, expect, it } from 'vitest';
import { foldForMatching, matchBlockedTerm } from '../../server/domain/rules.js';

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
