/**
 * Whether a text carries a link. A link on a projected wall sends a room full of phones somewhere nobody
 * checked (phishing, a shock site, an advert), so a wall holds them for a moderator by default.
 */

/** Top-level domains common enough that "word.tld" in a message is a web address rather than a typo. */
const COMMON_TLDS = [
  'com', 'net', 'org', 'info', 'biz', 'edu', 'gov', 'io', 'co', 'me', 'tv', 'ly', 'gl', 'gg', 'xyz', 'app', 'dev', 'site',
  'online', 'shop', 'store', 'link', 'click', 'top', 'live', 'tech', 'ai', 'cc', 'ws', 'fr', 'be', 'ch', 'ca', 'de', 'eu',
  'uk', 'us', 'es', 'it', 'nl', 'pt', 'ru', 'cn', 'jp', 'lu', 'mc', 're', 'qc', 'paris', 'bzh', 'page', 'blog', 'news',
];

/** A scheme (also "hxxp", the usual disguise) or "www." starts a link wherever it is. */
const SCHEME_OR_WWW = /(?:\b(?:h[tx]{2}ps?|ftp):\/\/|\bwww\d{0,3}\.)\S/iu;
/**
 * A bare domain: labels of letters, digits and hyphens, a dot, a common TLD, then the end of the word or a
 * path. Not after "@" or a letter: "jeanne@example.org" is an address and "@alice@mastodon.social" a mention,
 * which the wall shows as text, not as places to go.
 */
const BARE_DOMAIN = new RegExp(
  `(?<![\\p{L}\\p{N}@._-])(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?\\.)+(?:${COMMON_TLDS.join('|')})(?![\\p{L}\\p{N}-])`,
  'iu',
);
/** The dot written so that a filter misses it: "example[.]com", "example (dot) com", "example{.}com", "example[point]fr". */
const DISGUISED_DOT = /\s*[[({<]\s*(?:\.|dot|point)\s*[\])}>]\s*/giu;
/** Dots that NFKC does not turn into ".": ideographic and half-width full stops, the one-dot leader. */
const OTHER_DOTS = /[。｡․]/gu;

/** Whether the text holds a web address: with a scheme, starting with "www.", or a bare domain with a common TLD. */
export function containsLink(text: string): boolean {
  const plain = text.normalize('NFKC').replace(OTHER_DOTS, '.').replace(DISGUISED_DOT, '.');
  return SCHEME_OR_WWW.test(plain) || BARE_DOMAIN.test(plain);
}
