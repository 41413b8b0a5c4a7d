/**
 * Normalization of hostile text. Anyone can text the wall, so every contributed string goes through here
 * before it is stored: what remains is well-formed, visible, bounded text that reads the same to every
 * reader and to the moderation rules.
 */

export interface NormalizeOptions {
  /** The most grapheme clusters (what a reader counts as characters) to keep, "…" included. */
  maxGraphemes?: number;
}

const DEFAULT_TEXT_GRAPHEMES = 500;
const DEFAULT_LABEL_GRAPHEMES = 64;
const MAX_HASHTAG_LENGTH = 100;
const ELLIPSIS = '…';

/**
 * Input longer than this many UTF-16 units per grapheme kept is cut before any work: what lies beyond could
 * only survive if nearly all of what comes before were invisible padding, and the cut bounds the work a
 * hostile megabyte can cause.
 */
const RAW_UNITS_PER_GRAPHEME = 64;

/**
 * Zalgo text piles combining marks on a letter. Generic diacritics (Unicode's "Inherited" script, which
 * Zalgo uses) are capped at two per base character; marks that belong to a script are allowed up to
 * four in all, because ordinary Burmese, Tibetan or cantillated Hebrew stacks three or four.
 */
const MAX_GENERIC_MARKS = 2;
const MAX_MARKS = 4;
/**
 * Before normalization runs are cut to the Unicode stream-safe limit: ICU reorders a long run of marks in
 * quadratic time, and a 200 kB run would take seconds.
 */
const MAX_MARKS_BEFORE_NORMALIZATION = 30;

/**
 * No real grapheme cluster is longer than this (the longest emoji sequences take 15 to 20 units), but
 * emoji joined by the thousand, Thai vowel signs or conjoining jamo make clusters of any length, and a
 * grapheme cap alone would let one "character" fill the screen. Such a cluster is cut to its first code point.
 */
const MAX_CLUSTER_UNITS = 32;

/** V8's segment iterator costs time in proportion to the whole string at every step, so text is segmented in windows. */
const SEGMENT_WINDOW = 256;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Text in which each UTF-16 unit is a grapheme cluster of its own: a line break and the printable
 * characters of ASCII, Latin-1 and Latin Extended up to the spacing modifiers (U+02FF; combining marks
 * start at U+0300). Most messages are such text, and segmenting them is the costliest step of ingestion.
 */
const ONE_UNIT_CLUSTERS = /^[\n\u0020-\u007E\u00A0-\u02FF]*$/;

/** A surrogate that is not half of a pair: not text at all, and it breaks JSON, databases and renderers. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** CRLF, CR, and the other line breaks (vertical tab, form feed, NEL, line and paragraph separators) become "\n". */
const LINE_BREAK = /\r\n?|[\u000B\u000C\u0085\u2028\u2029]/g;
/** A tab, and the braille blank that impostors use as an invisible "letter", become a plain space. */
const SPACE_LIKE = /[\t\u2800]/g;
/** C0 and C1 controls; the line breaks and the tab among them were converted just before. */
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;
/**
 * Everything that hides or disguises text, in one pass:
 * - bidi marks, embeddings, overrides and isolates, which reorder what a reader sees (Trojan Source);
 * - default-ignorable code points, which render as nothing and split words for filters but not for readers:
 *   zero-width space and non-joiner, word joiner, invisible operators, BOM, soft hyphen, Mongolian vowel
 *   separator, combining grapheme joiner, Hangul fillers, tag characters. The zero-width joiner and the
 *   variation selectors are spared here: emoji need them, and they are handled below;
 * - interlinear annotation controls, and noncharacters, which are never meant for interchange.
 * The first alternative captures the black flag followed by a well-formed subdivision tag (the flags of
 * England, Scotland, Wales), the one use of tag characters that a reader sees; it is kept whole.
 */
const HIDDEN =
  /(\u{1F3F4}[\u{E0061}-\u{E007A}]{2}[\u{E0030}-\u{E0039}\u{E0061}-\u{E007A}]{1,3}\u{E007F})|[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|(?![\u200D\uFE00-\uFE0F\u{E0100}-\u{E01EF}])[\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}\uFFF9-\uFFFB]/gu;
/**
 * A zero-width joiner is kept only inside an emoji sequence (👩‍💻, 🏳️‍🌈): after an emoji, possibly with its
 * skin tone or presentation selector, and before another emoji. Anywhere else it only hides a word from filters.
 */
const STRAY_JOINER =
  /(?<!\p{Extended_Pictographic}[\p{Emoji_Modifier}\uFE0F]{0,2})\u200D|\u200D(?!\p{Extended_Pictographic})/gu;
/**
 * Characters that extend the cluster before them without limit: combining marks, skin tones, Thai and Lao
 * AM, half-width sound marks. Runs shorter than three never need capping.
 */
const EXTENDER_RUN = /[\p{M}\p{Emoji_Modifier}\u0E33\u0EB3\uFF9E\uFF9F]{3,}/gu;
const GENERIC_MARK = /\p{Script=Inherited}/u;
const SPACE_RUN = /\p{Zs}{2,}/gu;
const TRAILING_SPACE = /\p{Zs}+$/gmu;
const BLANK_LINES = /\n{3,}/g;
const WHITESPACE_RUN = /\s+/gu;
/** Text means something when it has a character that is neither whitespace nor a lone mark. */
const MEANINGFUL = /[^\s\p{M}]/u;
const HASH_PREFIX = /^#+/;
/** A hashtag in plain ASCII, which needs no Unicode work at all. */
const ASCII_HASHTAG = /^#*[A-Za-z0-9_]{1,100}$/;
const HASHTAG = /^[\p{L}\p{M}\p{N}_]{1,100}$/u;
/**
 * "#word" at the start or after a character that cannot be part of a word. "&#39;" is an HTML entity and
 * "/#top" part of a link, so "&" and "/" do not start a hashtag either. The word is taken whole, so that a
 * tag too long to be valid is refused rather than cut.
 */
const HASHTAG_IN_TEXT = /(?<![\p{L}\p{M}\p{N}_&/])#([\p{L}\p{M}\p{N}_]+)/gu;

/** Bodies keep compatibility characters (NFC); labels and hashtags fold them (NFKC). */
type NormalForm = 'NFC' | 'NFKC';

/**
 * Normalizes to `form`, except that NFKC keeps "…": it would become "...", and the ellipsis that marks a cut
 * label would then grow by two characters each time the label is normalized again. "…" neither composes nor
 * reorders with its neighbours, so the pieces between can be normalized apart.
 */
function normalizeTo(text: string, form: NormalForm): string {
  if (form === 'NFC' || !text.includes(ELLIPSIS)) return text.normalize(form);
  return text
    .split(ELLIPSIS)
    .map((piece) => piece.normalize(form))
    .join(ELLIPSIS);
}

function graphemeLimit(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`maxGraphemes must be a positive integer, not ${String(value)}`);
  }
  return value;
}

/** Keeps at most `maxGeneric` generic marks and `maxTotal` extenders in every run after a base character. */
function capExtenders(text: string, maxTotal: number, maxGeneric: number): string {
  return text.replace(EXTENDER_RUN, (run) => {
    let kept = '';
    let total = 0;
    let generic = 0;
    for (const mark of run) {
      if (total === maxTotal) break;
      if (GENERIC_MARK.test(mark)) {
        if (generic === maxGeneric) continue;
        generic += 1;
      }
      kept += mark;
      total += 1;
    }
    return kept;
  });
}

/**
 * The cleaning shared by bodies, labels and hashtags: well-formed, without controls or hidden characters,
 * with bounded mark stacks, in the given normalization form. Whitespace is left to the caller.
 */
function clean(input: string, form: NormalForm): string {
  const visible = input
    .replace(LONE_SURROGATE, '')
    .replace(LINE_BREAK, '\n')
    .replace(SPACE_LIKE, ' ')
    .replace(CONTROL, '')
    // Only a subdivision flag is captured, so everything else hidden is replaced by nothing.
    .replace(HIDDEN, '$1');
  // Marks are counted once composed, so that a precomposed letter ("ᾯ", "ệ") counts as one base character.
  const composed = normalizeTo(capExtenders(visible, MAX_MARKS_BEFORE_NORMALIZATION, MAX_MARKS_BEFORE_NORMALIZATION), form);
  // Stray joiners go before marks are counted, since dropping one can join two runs of marks. Normalization
  // runs again: dropping marks or a joiner can bring a base and a mark together.
  return normalizeTo(capExtenders(composed.replace(STRAY_JOINER, ''), MAX_MARKS, MAX_GENERIC_MARKS), form);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The grapheme clusters of `text`, in order, in time linear in its length. A window starts on a cluster
 * boundary; its last cluster, which the window may cut, is segmented again at the start of the next window.
 * Grapheme break rules look only backwards and one code point ahead, so every other boundary is exact.
 * A cluster longer than a window makes the window grow until the cluster's end is in sight.
 */
function* graphemeClusters(text: string): Generator<string> {
  let start = 0;
  let size = SEGMENT_WINDOW;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    // A window never ends between the two halves of a surrogate pair, which would look like a boundary.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    const last = end === text.length;
    const widened = size > SEGMENT_WINDOW;
    let pending: string | undefined;
    let advanced = false;
    for (const { segment } of segmenter.segment(text.slice(start, end))) {
      if (pending !== undefined) {
        yield pending;
        start += pending.length;
        advanced = true;
        // A widened window only serves to find where one long cluster ends.
        if (widened) break;
      }
      pending = segment;
    }
    if (advanced && (widened || !last)) {
      size = SEGMENT_WINDOW;
      continue;
    }
    if (last) {
      if (pending !== undefined) yield pending;
      return;
    }
    size *= 2;
  }
}

/**
 * Keeps at most `max` grapheme clusters, ending with "…" (counted) when text was cut here or before
 * (`cut`). A cluster too long to be real is reduced to its first code point. Never splits a cluster.
 */
function capClusters(text: string, max: number, cut: boolean): string {
  if (ONE_UNIT_CLUSTERS.test(text)) {
    // Every UTF-16 unit is a cluster of its own: counting needs no segmentation.
    if (text.length <= max && !cut) return text;
    return `${text.slice(0, Math.min(text.length, max - 1)).trimEnd()}${ELLIPSIS}`;
  }
  const kept: string[] = [];
  let changed = false;
  let overflow = cut;
  for (const cluster of graphemeClusters(text)) {
    if (kept.length === max) {
      overflow = true;
      break;
    }
    if (cluster.length > MAX_CLUSTER_UNITS) {
      kept.push(String.fromCodePoint(cluster.codePointAt(0) ?? 0x20));
      changed = true;
    } else {
      kept.push(cluster);
    }
  }
  if (overflow) return `${kept.slice(0, max - 1).join('').trimEnd()}${ELLIPSIS}`;
  return changed ? kept.join('') : text;
}

/** The part of the input worth looking at, and whether anything was left out. */
function bounded(input: string, maxGraphemes: number): { raw: string; cut: boolean } {
  const limit = maxGraphemes * RAW_UNITS_PER_GRAPHEME;
  return input.length > limit ? { raw: input.slice(0, limit), cut: true } : { raw: input, cut: false };
}

function finish(text: string, maxGraphemes: number, cut: boolean): string {
  return MEANINGFUL.test(text) ? capClusters(text, maxGraphemes, cut) : '';
}

/**
 * A message body: NFC (full-width and other compatibility forms are kept, they can be meaningful), cleaned of
 * controls and hidden characters, runs of spaces and of blank lines collapsed, capped at 500 graphemes by
 * default. Returns '' when nothing visible remains.
 */
export function normalizeText(input: string, options: NormalizeOptions = {}): string {
  const max = graphemeLimit(options.maxGraphemes, DEFAULT_TEXT_GRAPHEMES);
  const { raw, cut } = bounded(input, max);
  const text = clean(raw, 'NFC')
    .replace(SPACE_RUN, ' ')
    .replace(TRAILING_SPACE, '')
    .replace(BLANK_LINES, '\n\n')
    .trim();
  return finish(text, max, cut);
}

/**
 * An author name or handle: cleaned like a body but NFKC (so "𝐉𝐞𝐚𝐧𝐧𝐞" and "Ｊｅａｎｎｅ" read "Jeanne"), on one
 * line, capped at 64 graphemes by default. Returns '' when nothing visible remains.
 */
export function normalizeLabel(input: string, options: NormalizeOptions = {}): string {
  const max = graphemeLimit(options.maxGraphemes, DEFAULT_LABEL_GRAPHEMES);
  const { raw, cut } = bounded(input, max);
  const text = clean(raw, 'NFKC').replace(WHITESPACE_RUN, ' ').trim();
  return finish(text, max, cut);
}

/**
 * A hashtag as Toile compares them: NFKC, without its leading "#" (or "＃"), lower case, hidden characters
 * removed. Returns '' when what remains is not 1 to 100 letters, marks, digits or underscores.
 */
export function normalizeHashtag(tag: string): string {
  // Plain ASCII letters, digits and underscores are already NFKC, visible and unaccented: lower case is all.
  if (ASCII_HASHTAG.test(tag)) return tag.replace(HASH_PREFIX, '').toLowerCase();
  if (tag.length > MAX_HASHTAG_LENGTH * RAW_UNITS_PER_GRAPHEME) return '';
  // Lower-casing can produce decomposed letters ("İ" becomes "i̇"), so the result is cleaned once more.
  const folded = clean(clean(tag, 'NFKC').trim().replace(HASH_PREFIX, '').toLowerCase(), 'NFKC');
  return HASHTAG.test(folded) ? folded : '';
}

/** Latin letters that carry their accent in their shape, and Greek's final sigma: folded as a reader would type them. */
const FOLDED_LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i', ς: 'σ' };
const FOLDABLE_LETTER = /[ßæœøđðłþıς]/gu;
/** Accents on Latin letters. Marks in other scripts are letters' vowels or tones, and folding them would merge words. */
const LATIN_ACCENTS = /(?<=\p{Script=Latin})\p{M}+/gu;

/**
 * What two hashtags are compared by: the normalized hashtag with Latin accents folded, so that "#CapComNét",
 * "#capcomnet" and "#ＣａｐＣｏｍＮｅｔ" are one tag, as Mastodon's own tag search treats them. Returns '' for
 * what is not a hashtag. Walls keep the tags as written (`normalizeHashtag`); every match goes through here.
 */
export function hashtagKey(tag: string): string {
  const normalized = normalizeHashtag(tag);
  if (normalized === '' || ASCII_HASHTAG.test(normalized)) return normalized;
  return normalized
    .normalize('NFD')
    .replace(LATIN_ACCENTS, '')
    .replace(FOLDABLE_LETTER, (letter) => FOLDED_LETTERS[letter] ?? letter)
    .normalize('NFC');
}

/** Text that cleaning and NFKC leave as it is. */
const PRINTABLE_ASCII = /^[\n\x20-\x7E]*$/;
/** "#" and the characters NFKC folds to it (full-width and small number signs). */
const MAY_HOLD_HASHTAG = /[#\uFF03\uFE5F]/;

/** The hashtags a text names, normalized, without repeats, in order of first appearance. */
export function extractHashtags(text: string): string[] {
  // Most messages name no hashtag: the signs that NFKC turns into "#" are looked for before any work.
  if (!MAY_HOLD_HASHTAG.test(text)) return [];
  const tags = new Set<string>();
  // Printable ASCII is already clean and NFKC.
  for (const match of (PRINTABLE_ASCII.test(text) ? text : clean(text, 'NFKC')).matchAll(HASHTAG_IN_TEXT)) {
    const tag = normalizeHashtag(match[1] ?? '');
    if (tag !== '') tags.add(tag);
  }
  return [...tags];
}
