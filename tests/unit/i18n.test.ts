import { describe, expect, it } from 'vitest';
import { defineStrings, pickLanguage } from '../../client/src/shared/i18n.js';
import { t as wallStrings } from '../../client/src/wall/strings-wall.js';

describe('choosing the language of a page', () => {
  it('follows the wall’s setting over the browser', () => {
    expect(pickLanguage('fr', ['en-US', 'en'])).toBe('fr');
    expect(pickLanguage('en', ['fr-FR'])).toBe('en');
  });

  it('with auto or no setting, takes the first browser language Toile speaks', () => {
    expect(pickLanguage('auto', ['de-DE', 'fr-CA', 'en'])).toBe('fr');
    expect(pickLanguage(undefined, ['EN-gb'])).toBe('en');
    expect(pickLanguage(null, ['fr'])).toBe('fr');
  });

  it('falls back to English when the browser speaks neither', () => {
    expect(pickLanguage('auto', ['de', 'it-IT'])).toBe('en');
    expect(pickLanguage('auto', [])).toBe('en');
  });

  it('ignores a setting it does not know', () => {
    expect(pickLanguage('es', ['fr-FR'])).toBe('fr');
  });
});

describe('string tables', () => {
  it('gives each language its words, with parameters', () => {
    const t = defineStrings({
      en: { hello: ({ name }) => `Hello ${name}`, bye: 'Bye' },
      fr: { hello: ({ name }) => `Bonjour ${name}`, bye: 'Au revoir' },
    });
    expect(t('fr', 'hello', { name: 'Zoé' })).toBe('Bonjour Zoé');
    expect(t('en', 'bye')).toBe('Bye');
  });

  it('writes the wall’s French with French typography', () => {
    expect(wallStrings('fr', 'joinIn')).toBe('Participez');
    // Guillemets hold their words with no-break spaces; a colon takes one before it.
    expect(wallStrings('fr', 'noWallBody', { slug: 'capcomnet' })).toContain('«\u00a0capcomnet\u00a0»');
    expect(wallStrings('fr', 'announce', { author: 'Zoé', text: 'Bravo' })).toBe('Zoé\u00a0: Bravo');
    expect(wallStrings('en', 'announce', { author: 'Zoé', text: 'Bravo' })).toBe('Zoé: Bravo');
  });
});
