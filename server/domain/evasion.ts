/**
 * How a filter reads text the way a person does. Contributors who want a word past a filter disguise it:
 * letters from other scripts that look Latin (Cyrillic "с", Greek "ο"), full-width or mathematical letters,
 * digits and symbols for letters ("c0nn4rd", "$hit"), letters spaced or dotted apart ("c o n n a r d",
 * "f.u.c.k"), stretched letters ("fuuuuck"), and a right-to-left override that makes "kcuf" display as the
 * word. Hidden characters (zero-width spaces and joiners, soft hyphens, bidi controls) are already gone after
 * `normalizeText`. What is left is turned here into words, each with the spellings a reader could see in it,
 * so that a matcher compares whole words and never finds a word inside another one (Scunthorpe).
 */
import { hashtagKey, normalizeText } from './normalize.js';

/** One word of a text, with every spelling a reader could take it for. */
export interface WordForms {
  /** The word as written, folded (lower case, no accents, look-alikes read as Latin), and its decoded leetspeak. */
  spellings: readonly string[];
  /**
   * Set only for a stretched word (a letter three times or more in a row, "fuuuuck"): its spellings with every
   * run of one letter reduced to one, to compare with a listed word reduced the same way.
   */
  squeezed: readonly string[] | null;
}

/**
 * Letters of other scripts, and Latin small capitals, that readers take for Latin letters. Only shapes that
 * are nearly identical in common fonts: the point is to read a disguised word, not to transliterate.
 */
const LOOK_ALIKES: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', з: '3', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  ѕ: 's', і: 'i', ї: 'i', ј: 'j', ԁ: 'd', һ: 'h', ԛ: 'q', ԝ: 'w', ӏ: 'l', ү: 'y', ь: 'b', п: 'n', г: 'r', ɡ: 'g',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w', μ: 'u', ϲ: 'c', ϳ: 'j',
  // Latin small capitals and IPA letters
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ꜰ: 'f', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k', ʟ: 'l', ᴍ: 'm', ɴ: 'n',
  ᴏ: 'o', ᴘ: 'p', ʀ: 'r', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ʏ: 'y', ᴢ: 'z', ɑ: 'a', ɩ: 'i', ɒ: 'a',
};
const LOOK_ALIKE = new RegExp(`[${Object.keys(LOOK_ALIKES).join('')}]`, 'gu');

/**
 * Digits and symbols written for letters. "1" and "|" read as "i" or "l", so both are tried. A symbol counts
 * only inside a word that has a letter: "2026", "5 $" and "C'est 100 % vrai" stay what they are.
 */
const LEET: Record<string, readonly string[]> = {
  '4': ['a'], '@': ['a'], '3': ['e'], '1': ['i', 'l'], '|': ['l', 'i'], '!': ['i'], '0': ['o'], '5': ['s'], $: ['s'],
  '7': ['t'], '+': ['t'],
};
const LEET_CHAR = /[4@31|!05$7+]/u;
/** The leetspeak characters that are not digits: kept out of the letter runs that `hashtagKey` folds. */
const LEET_SYMBOL = /^[@|!$+]$/u;
/** A word of ASCII letters, digits and leetspeak symbols: folding it is lower-casing it. */
const ASCII_WORD = /^[\x21-\x7e]*$/;
/** At most this many spellings are tried per word: each ambiguous "1" doubles them. */
const MAX_SPELLINGS = 16;

/** A word: letters with their marks, digits, and the symbols leetspeak writes for letters. */
const WORD = /[\p{L}\p{M}\p{N}@$!+|]+/gu;
/** What may stand between the single letters of a spaced-out word on one line: a few spaces or punctuation marks. */
const SPACED_GAP = /^[^\p{L}\p{M}\p{N}\n]{1,3}$/u;
/** A spaced-out word has at least this many letters: fewer is ordinary text ("y a", "à l'a…"). */
const MIN_SPACED_LETTERS = 3;
const LETTER = /\p{L}/u;
const ALPHANUMERIC = /[\p{L}\p{N}]/u;
const ASCII = /^[\x20-\x7e]*$/;
const MARKS = /\p{M}+/gu;
const STRETCHED = /(.)\1\1/u;
const RUN = /(.)\1+/gu;
/** Symbols that only end a word ("fuck!", "fuck|") are punctuation, not letters. */
const EDGE_SYMBOLS = /^[!|]+|[!|]+$/gu;

/** The right-to-left override (U+202E) and what ends it: pop directional formatting, or the end of a line. */
const RLO = '\u202E';
const RLO_SPAN = /\u202E([^\u202C\n]*)/gu;

/**
 * Lower case, accents and compatibility forms folded as hashtags are compared (`hashtagKey`), then letters
 * from other scripts that look Latin read as Latin, with any accent they carried dropped.
 */
function foldLetters(run: string): string {
  if (ASCII.test(run)) return run.toLowerCase();
  const key = hashtagKey(run) || run.normalize('NFKC').toLowerCase();
  return key.normalize('NFD').replace(LOOK_ALIKE, (letter) => LOOK_ALIKES[letter] ?? letter).replace(MARKS, '').normalize('NFC');
}

/**
 * Words recur from message to message ("merci", "bravo", the event's hashtag), and folding one costs far more
 * than looking it up, so folded words and their spellings are remembered. A pure cache of a pure function,
 * bounded: it is emptied when full.
 */
const MEMO_SIZE = 20_000;
const foldedMemo = new Map<string, string>();
const formsMemo = new Map<string, WordForms>();

function remember<T>(memo: Map<string, T>, key: string, value: T): T {
  if (memo.size >= MEMO_SIZE) memo.clear();
  memo.set(key, value);
  return value;
}

/** Folds a word, keeping the leetspeak symbols between its letters as they are. */
export function foldWord(word: string): string {
  return foldedMemo.get(word) ?? remember(foldedMemo, word, foldWordOnce(word));
}

function foldWordOnce(word: string): string {
  if (ASCII_WORD.test(word)) return word.toLowerCase();
  let folded = '';
  let run = '';
  for (const char of word) {
    if (LEET_SYMBOL.test(char)) {
      folded += foldLetters(run) + char;
      run = '';
    } else {
      run += char;
    }
  }
  return folded + foldLetters(run);
}

/** Every reading of a folded word's digits and symbols as letters, when it has a letter and one of them. */
function leetReadings(word: string): string[] {
  if (!LEET_CHAR.test(word) || !LETTER.test(word)) return [];
  let readings = [''];
  for (const char of word) {
    const letters = LEET[char] ?? [char];
    const next: string[] = [];
    for (const reading of readings) for (const letter of letters) if (next.length < MAX_SPELLINGS) next.push(reading + letter);
    readings = next;
  }
  return readings;
}

/** The spellings a reader could see in one folded word. */
export function formsOf(folded: string): WordForms {
  return formsMemo.get(folded) ?? remember(formsMemo, folded, formsOnce(folded));
}

function formsOnce(folded: string): WordForms {
  const trimmed = trimmedWord(folded);
  const spellings = new Set<string>([folded]);
  if (trimmed !== '') spellings.add(trimmed);
  for (const reading of leetReadings(trimmed)) spellings.add(reading);
  const all = [...spellings];
  const stretched = all.some((spelling) => STRETCHED.test(spelling));
  return { spellings: all, squeezed: stretched ? [...new Set(all.map(squeeze))] : null };
}

/** A folded word without the symbols that only end it ("putain!" is "putain"). */
export function trimmedWord(folded: string): string {
  return folded.replace(EDGE_SYMBOLS, '');
}

/** Every run of one character reduced to one: "fuuuckk" and "fuck" both become "fuck". */
export function squeeze(word: string): string {
  return word.replace(RUN, '$1');
}

/** Whether a folded word is a single character (letter, digit or leetspeak symbol), as in a spaced-out word. */
function isSingle(word: string): boolean {
  return [...word].length === 1;
}

/**
 * The words of a text in reading order, folded. A run of three or more single characters separated by a few
 * spaces or punctuation marks on one line ("c o n n a r d", "f.u.c.k", "c-0-n") is read as one word, whole.
 */
export function foldedWords(text: string): string[] {
  const found: { word: string; start: number; end: number }[] = [];
  for (const match of text.matchAll(WORD)) {
    // Symbols alone ("!", "@", "+") are punctuation, not a word.
    if (!ALPHANUMERIC.test(match[0])) continue;
    found.push({ word: foldWord(match[0]), start: match.index, end: match.index + match[0].length });
  }
  const words: string[] = [];
  let i = 0;
  while (i < found.length) {
    let j = i;
    while (
      isSingle(found[j]!.word) &&
      j + 1 < found.length &&
      isSingle(found[j + 1]!.word) &&
      SPACED_GAP.test(text.slice(found[j]!.end, found[j + 1]!.start))
    ) {
      j += 1;
    }
    if (j - i + 1 >= MIN_SPACED_LETTERS) {
      words.push(found.slice(i, j + 1).map((item) => item.word).join(''));
      i = j + 1;
    } else {
      words.push(found[i]!.word);
      i += 1;
    }
  }
  return words;
}

/**
 * What a reader sees of a text that uses the right-to-left override: each overridden span displayed in
 * reverse. Null when the raw text has no override (the usual case), since the stored text is then what is seen.
 */
export function displayedOrder(raw: string): string | null {
  if (!raw.includes(RLO)) return null;
  return raw.replace(RLO_SPAN, (_span, inner: string) => [...inner].reverse().join(''));
}

/**
 * The texts a filter must read: the text itself and, when the raw text reordered it with a bidi override, the
 * text as displayed. Each is normalized (hidden characters removed) and split into folded words;
 * `normalized` says the text already went through `normalizeText`.
 */
export function readings(text: string, raw?: string, normalized = false): string[][] {
  // Text the ingest pipeline already normalized is read as it is: normalizing is idempotent, and costly.
  const result = [foldedWords(normalized ? text : normalizeText(text, { maxGraphemes: MAX_READ_GRAPHEMES }))];
  const displayed = raw === undefined ? null : displayedOrder(raw);
  if (displayed !== null) result.push(foldedWords(normalizeText(displayed, { maxGraphemes: MAX_READ_GRAPHEMES })));
  return result;
}

/** Longer than any stored text (500 graphemes): a filter reads all of what could be shown. */
const MAX_READ_GRAPHEMES = 20_000;
