/**
 * Normalization of hostile text. Anyone can text the wall, so every contributed string goes through here
 * before it is stored: what remains is well-formed, visible, bounded text that reads the same to every
 * reader and to the moderation rules.
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Bidi embeddings, overrides, isolates and marks: they reorder text to disguise it (CVE-2021-42574). */
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/**
 * Invisible format characters that split words for readers but not for filters: zero-width space and
 * non-joiner, word joiner, BOM, soft hyphen, Mongolian vowel separator, invisible operators, tags.
 */
const INVISIBLE = /[\u00AD\u180E\u200B\u200C\u2060-\u2064\uFEFF]|[\u{E0000}-\u{E007F}]/gu;
/** C0 and C1 controls, except the newline (tab and CR are handled before). */
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const PICTOGRAPHIC = /\p{Extended_Pictographic}|\p{Emoji_Presentation}|\uFE0F|\p{Emoji_Modifier}/u;

export interface NormalizeOptions {
  maxGraphemes?: number;
}

/** Drops every zero-width joiner except those joining two emoji (👩‍💻 stays one picture). */
function keepEmojiJoiners(text: string): string {
  if (!text.includes('\u200D')) return text;
  const chars = Array.from(text);
  return chars
    .filter((char, i) => char !== '\u200D' || (i > 0 && i < chars.length - 1 && PICTOGRAPHIC.test(chars[i - 1]!) && PICTOGRAPHIC.test(chars[i + 1]!)))
    .join('');
}

/** Keeps at most two combining marks on each base character: "Zalgo" floods stay readable and small. */
function capCombiningMarks(text: string): string {
  return text.replace(/(\p{M}{2})\p{M}+/gu, '$1');
}

/**
 * No text Toile shows needs more than this many UTF-16 units before cleaning; longer input (a huge email)
 * is cut first so that a megabyte of padding costs nothing. A pair split by the cut is dropped as lone.
 */
const MAX_INPUT_UNITS = 100_000;

function clean(input: string): string {
  return keepEmojiJoiners(
    input
      .slice(0, MAX_INPUT_UNITS)
      .replace(LONE_SURROGATE, '')
      .replace(/\r\n?/g, '\n')
      .replace(/\t/g, ' ')
      .replace(CONTROL, '')
      .replace(BIDI, '')
      .replace(INVISIBLE, ''),
  );
}

/** Cuts to `max` grapheme clusters (what a reader counts as characters), ending with "…" when cut. */
export function capGraphemes(text: string, max: number): string {
  if (text.length <= max) return text;
  const graphemes: string[] = [];
  for (const { segment } of segmenter.segment(text)) {
    graphemes.push(segment);
    if (graphemes.length > max) break;
  }
  if (graphemes.length <= max) return text;
  return `${graphemes.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}

/**
 * A message body: NFC (full-width and other compatibility forms are kept, they can be meaningful),
 * cleaned of invisible, control and bidi characters, spaces and blank lines collapsed, capped.
 */
export function normalizeText(input: string, options: NormalizeOptions = {}): string {
  const max = options.maxGraphemes ?? 500;
  const text = capCombiningMarks(clean(input).normalize('NFC'))
    .split('\n')
    .map((line) => line.replace(/ {2,}/g, ' ').trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (!/[^\s\p{M}]/u.test(text)) return '';
  return capGraphemes(text, max);
}

/** An author name: like a body but NFKC, on one line, capped at 64 graphemes by default. */
export function normalizeLabel(input: string, options: NormalizeOptions = {}): string {
  const max = options.maxGraphemes ?? 64;
  const text = capCombiningMarks(clean(input).normalize('NFKC'))
    .replace(/\s+/g, ' ')
    .trim();
  if (!/[^\s\p{M}]/u.test(text)) return '';
  return capGraphemes(text, max);
}

const HASHTAG = /^[\p{L}\p{M}\p{N}_]{1,100}$/u;

/** A hashtag as Toile compares them: NFKC, without "#", lower case; '' when it is not a hashtag. */
export function normalizeHashtag(tag: string): string {
  const folded = clean(tag).normalize('NFKC').replace(/^#+/, '').toLowerCase();
  return HASHTAG.test(folded) ? folded : '';
}

/** The hashtags a text names, normalized, without repeats, in order of appearance. */
export function extractHashtags(text: string): string[] {
  const folded = clean(text).normalize('NFKC');
  const tags = new Set<string>();
  for (const match of folded.matchAll(/(?<![\p{L}\p{M}\p{N}_&])#([\p{L}\p{M}\p{N}_]{1,100})/gu)) {
    const tag = normalizeHashtag(match[1]!);
    if (tag !== '') tags.add(tag);
  }
  return [...tags];
}
