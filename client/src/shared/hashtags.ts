/**
 * Which of a wall's followed hashtags a message carries, computed on the screen from the text (the wall
 * socket does not send them). Two hashtags are the same when they differ only by case, accents or
 * compatibility forms: "#CapComNét", "#capcomnet" and "#ＣａｐＣｏｍＮｅｔ" are one tag, as the server's routing
 * treats them, so a card is coloured by the event it was routed to.
 */

/**
 * "#word" at the start or after a character that cannot be part of a word ("&#39;" is an HTML entity and
 * "/#top" part of a link). Full-width and small number signs count as "#" (they fold to it).
 */
const HASHTAG_IN_TEXT = /(?<![\p{L}\p{M}\p{N}_&/])[#\uFF03\uFE5F]([\p{L}\p{M}\p{N}_]+)/gu;
/** Signs that may start a hashtag: most texts have none, and skip all the Unicode work. */
const MAY_HOLD_HASHTAG = /[#\uFF03\uFE5F]/;
/** Zero-width and other invisible format characters, which a hashtag may hide inside itself. */
const FORMAT_CHARACTERS = /\p{Cf}/gu;
const COMBINING_MARKS = /\p{M}/gu;
/** Letters whose accent is part of their shape: folded as a reader would type them. */
const FOLDED_LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i' };
const FOLDABLE_LETTER = /[ßæœøđðłþı]/gu;
const ASCII_WORD = /^[A-Za-z0-9_]+$/;

/**
 * What hashtags are compared by: without "#", NFKD (compatibility forms folded, accents split off), accents
 * and invisible characters dropped, lower case. `hashtagKey('#CapComNét')` is `'capcomnet'`.
 */
export function hashtagKey(tag: string): string {
  const bare = tag.replace(/^[#\uFF03\uFE5F]+/, '');
  if (ASCII_WORD.test(bare)) return bare.toLowerCase();
  return bare
    .normalize('NFKD')
    .replace(FORMAT_CHARACTERS, '')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(FOLDABLE_LETTER, (letter) => FOLDED_LETTERS[letter] ?? letter)
    .normalize('NFC');
}

/** The keys of the hashtags a text names, without repeats. */
export function hashtagKeysIn(text: string): Set<string> {
  const keys = new Set<string>();
  if (!MAY_HOLD_HASHTAG.test(text)) return keys;
  // NFKC first, so that a hashtag written in full-width letters or with a zero-width space inside it is one word.
  const folded = text.normalize('NFKC').replace(FORMAT_CHARACTERS, '');
  for (const match of folded.matchAll(HASHTAG_IN_TEXT)) {
    const key = hashtagKey(match[1] ?? '');
    if (key !== '') keys.add(key);
  }
  return keys;
}

/**
 * The wall's hashtags (as the wall writes them) that `text` carries, in the wall's order. A wall following
 * #capcomnet and #paris20 shows, on each card, which of the two events it belongs to.
 */
export function matchWallHashtags(text: string, wallHashtags: readonly string[]): string[] {
  if (wallHashtags.length === 0) return [];
  const inText = hashtagKeysIn(text);
  if (inText.size === 0) return [];
  const seen = new Set<string>();
  const matched: string[] = [];
  for (const tag of wallHashtags) {
    const key = hashtagKey(tag);
    if (key === '' || seen.has(key) || !inText.has(key)) continue;
    seen.add(key);
    matched.push(tag.replace(/^#+/, ''));
  }
  return matched;
}
