/**
 * What a person wrote in an email, apart from what their mail program added: the quoted history of a
 * reply, the signature, the markup of an HTML-only message, the "Re:" of a subject. Pure functions, no
 * I/O; every provider adapter and the SMTP receiver reach them through `server/services/email.ts`.
 *
 * Mail programs write these things in many languages and shapes, so every rule here is a recognizer of one
 * known shape, kept narrow enough that ordinary writing is left alone: when in doubt, text is kept and a
 * moderator sees it.
 */

/** A reply header or a footer is one short line; longer lines are never tested against the patterns. */
const MAX_MARKER_LINE = 300;

/** CRLF and lone CR become LF, so that line rules see one kind of line. */
function lines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split('\n');
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** The lines kept, without blank lines at either end, and at most one blank line where lines were removed. */
function joinTrimmed(kept: string[]): string {
  return kept.join('\n').replace(/\n(?:[ \t]*\n){2,}/g, '\n\n').replace(/^\s*\n/, '').trimEnd();
}

// ---------------------------------------------------------------------------------------------------
// Quoted replies
// ---------------------------------------------------------------------------------------------------

/**
 * The attribution line a mail program puts above the quoted message, by language: "On <date>, <name>
 * wrote:", "Le <date>, <name> a écrit :", "Am <date> schrieb <name>:", "El <date>, <name> escribió:".
 * French puts a (narrow) no-break space before the colon, which `\s` matches. Each pattern is anchored at
 * both ends of the (at most two) lines it is tried on.
 */
const ATTRIBUTION = [
  /^On\s.+\swrote\s?:$/i,
  /^Le\s.+\sa\s+écrit\s?:$/i,
  /^Am\s.+\sschrieb\s.+:$/i,
  /^El\s.+\sescribió\s?:$/i,
];

/**
 * An attribution always names a date, so it has a digit; "On Monday my boss wrote:" in someone's own text
 * has none and is kept.
 */
const HAS_DIGIT = /\d/;

/** Outlook's and Thunderbird's separators: "-----Original Message-----", "----- Message d'origine -----"… */
const ORIGINAL_MESSAGE =
  /^-{2,}\s*(?:original message|message d'origine|ursprüngliche nachricht|mensaje original|messaggio originale|oorspronkelijk bericht)\s*-{2,}$/i;

/**
 * The first line of Outlook's header block above a quoted message: "From: …", "De : …", "Von: …", "De: …",
 * possibly bold ("*From:*") once converted from HTML by another program.
 */
const HEADER_BLOCK_FROM = /^\*?(?:from|de|von)\s?:\*?\s+\S/i;
/** A line of that block that names when it was sent; it must follow "From:" within a few lines. */
const HEADER_BLOCK_SENT = /^\*?(?:sent|date|envoyé|gesendet|datum|enviado(?: el)?|fecha)\s?:\*?\s+\S/i;
/** How far below "From:" the "Sent:" line may be (Outlook puts it next; some clients put "To:" between). */
const HEADER_BLOCK_REACH = 3;
/** Outlook's rule above the header block: a line of underscores (32 of them, in practice). */
const UNDERSCORE_RULE = /^_{8,}$/;

function isAttribution(candidate: string): boolean {
  const line = candidate.trim();
  return line.length <= MAX_MARKER_LINE && HAS_DIGIT.test(line) && ATTRIBUTION.some((pattern) => pattern.test(line));
}

/**
 * How many lines the attribution starting at `index` takes: 1, 2 when Gmail wrapped it (it wraps long
 * attributions, typically inside the address: "…Jeanne Dupont <\njeanne@example.org> wrote:"), or 0.
 */
function attributionAt(all: string[], index: number): number {
  const line = all[index]!;
  if (line.length > MAX_MARKER_LINE) return 0;
  if (isAttribution(line)) return 1;
  const next = all[index + 1];
  // A line followed by a whole attribution is not its first half.
  if (next === undefined || isBlank(next) || next.length > MAX_MARKER_LINE || isAttribution(next)) return 0;
  // Gmail breaks the line at a space or right after "<", so the halves are joined with a space only when
  // the break was not inside the address.
  const joiner = line.trimEnd().endsWith('<') ? '' : ' ';
  return isAttribution(`${line.trimEnd()}${joiner}${next.trimStart()}`) ? 2 : 0;
}

function isOutlookHeaderBlock(all: string[], index: number): boolean {
  const line = all[index]!.trim();
  if (line.length > MAX_MARKER_LINE || !HEADER_BLOCK_FROM.test(line)) return false;
  for (let k = index + 1; k <= index + HEADER_BLOCK_REACH && k < all.length; k++) {
    const candidate = all[k]!.trim();
    if (candidate.length <= MAX_MARKER_LINE && HEADER_BLOCK_SENT.test(candidate)) return true;
  }
  return false;
}

/** The index of the underscore rule just above `index` (blank lines between allowed), or `index` itself. */
function withRuleAbove(all: string[], index: number): number {
  let k = index - 1;
  while (k >= 0 && isBlank(all[k]!)) k -= 1;
  return k >= 0 && UNDERSCORE_RULE.test(all[k]!.trim()) ? k : index;
}

function isQuoted(line: string): boolean {
  return line.trimStart().startsWith('>');
}

export interface StripQuotedReplyOptions {
  /**
   * Whether lines starting with ">" are quotes (true, the default, for a text part). Text converted from
   * HTML passes false: its quotes were blockquotes, already dropped, and a ">" there is what the person
   * wrote (">>> VIDEO <<<").
   */
  quotedLines?: boolean;
}

/**
 * Removes the quoted history of a reply, keeping what the person wrote:
 * - every line that starts with ">" (the classic quote, and the quote lines between inline answers);
 * - everything from a reply header onward, when the person wrote something above it (top-posting, what
 *   nearly every mail program does): an attribution ("On … wrote:", "Le … a écrit :", "Am … schrieb …:",
 *   "El … escribió:", also wrapped over two lines), Outlook's "-----Original Message-----", or Outlook's
 *   "From: … Sent: …" / "De : … Envoyé : …" block with the "________" rule above it.
 * When nothing but blank lines stands above an attribution, the person answered below or between the
 * quotes (bottom-posting, inline answers): only the attribution and the ">" lines go. Outlook's history is
 * not quoted with ">", so an Outlook header with nothing above it leaves nothing: it was all history.
 */
export function stripQuotedReply(text: string, options: StripQuotedReplyOptions = {}): string {
  const quotedLines = options.quotedLines ?? true;
  const all = lines(text);
  const kept: string[] = [];
  let written = false;
  for (let index = 0; index < all.length; index++) {
    const line = all[index]!;
    const attribution = attributionAt(all, index);
    if (attribution > 0) {
      if (written) break;
      index += attribution - 1;
      continue;
    }
    const trimmed = line.trim();
    if ((trimmed.length <= MAX_MARKER_LINE && ORIGINAL_MESSAGE.test(trimmed)) || isOutlookHeaderBlock(all, index)) {
      // The underscore rule, if any, was kept as a line of its own: it goes with the history.
      const cut = withRuleAbove(all, index);
      kept.length = Math.max(0, kept.length - (index - cut));
      break;
    }
    if (quotedLines && isQuoted(line)) continue;
    if (!isBlank(line)) written = true;
    kept.push(line);
  }
  return joinTrimmed(kept);
}

// ---------------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------------

/** RFC 3676 §4.3's signature separator "-- ", and the "--" that programs which trim lines leave of it. */
const SIGNATURE_SEPARATOR = /^-- ?$/;

/**
 * The footers phone and desktop mail programs append, in English, French, German and Spanish. Each is
 * a whole line; only lines at the very end of the text are removed.
 */
const FOOTERS = [
  /^sent from my \S.*$/i,
  /^sent from (?:mail|outlook|yahoo mail|proton ?mail|gmail|aol|samsung mail)\b.*$/i,
  /^sent (?:via|with|using) .*$/i,
  /^get outlook for (?:ios|android|windows|mac)\b.*$/i,
  /^envoyé (?:de|depuis) .*$/i,
  /^obtenir outlook pour (?:ios|android)\b.*$/i,
  /^(?:von meinem .+ gesendet|gesendet von meinem .+|gesendet mit .+)$/i,
  /^enviado (?:desde|con) .*$/i,
  /^obtener outlook para (?:ios|android)\b.*$/i,
];
/** Short enough to be a footer: "Sent from my Samsung Galaxy smartphone." and the like, not a paragraph. */
const MAX_FOOTER_LINE = 120;

function isFooter(line: string): boolean {
  const trimmed = line.trim();
  return trimmed.length <= MAX_FOOTER_LINE && FOOTERS.some((pattern) => pattern.test(trimmed));
}

/**
 * Removes the signature: everything from a line that is exactly "-- " or "--" (RFC 3676's separator),
 * then the mobile and desktop footers ("Sent from my iPhone", "Envoyé de mon iPhone", "Get Outlook for
 * iOS", "Sent from Mail for Windows"…) standing on the last lines.
 */
export function stripSignature(text: string): string {
  const all = lines(text);
  const separator = all.findIndex((line) => SIGNATURE_SEPARATOR.test(line));
  const kept = separator === -1 ? all : all.slice(0, separator);
  let end = kept.length;
  for (;;) {
    while (end > 0 && isBlank(kept[end - 1]!)) end -= 1;
    if (end > 0 && isFooter(kept[end - 1]!)) end -= 1;
    else break;
  }
  return joinTrimmed(kept.slice(0, end));
}

// ---------------------------------------------------------------------------------------------------
// HTML to text
// ---------------------------------------------------------------------------------------------------

/**
 * HTML 4's named character references, which are what mail programs write (HTML5 only added rarer ones):
 * the Latin-1 block from U+00A0 in order, then the rest by code point. An unknown name is left as it is,
 * as a browser would.
 */
const LATIN1_NAMES =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'.split(' ');
const GREEK_UPPER = 'Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho'.split(' ');
const GREEK_UPPER_2 = 'Sigma Tau Upsilon Phi Chi Psi Omega'.split(' ');
const GREEK_LOWER = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigmaf sigma tau upsilon phi chi psi omega'.split(' ');
const OTHER_ENTITIES: Record<string, number> = {
  quot: 34, amp: 38, apos: 39, lt: 60, gt: 62, OElig: 338, oelig: 339, Scaron: 352, scaron: 353, Yuml: 376, fnof: 402,
  circ: 710, tilde: 732, thetasym: 977, upsih: 978, piv: 982, ensp: 8194, emsp: 8195, thinsp: 8201, zwnj: 8204,
  zwj: 8205, lrm: 8206, rlm: 8207, ndash: 8211, mdash: 8212, lsquo: 8216, rsquo: 8217, sbquo: 8218, ldquo: 8220,
  rdquo: 8221, bdquo: 8222, dagger: 8224, Dagger: 8225, bull: 8226, hellip: 8230, permil: 8240, prime: 8242,
  Prime: 8243, lsaquo: 8249, rsaquo: 8250, oline: 8254, frasl: 8260, euro: 8364, image: 8465, weierp: 8472,
  real: 8476, trade: 8482, alefsym: 8501, larr: 8592, uarr: 8593, rarr: 8594, darr: 8595, harr: 8596, crarr: 8629,
  lArr: 8656, uArr: 8657, rArr: 8658, dArr: 8659, hArr: 8660, forall: 8704, part: 8706, exist: 8707, empty: 8709,
  nabla: 8711, isin: 8712, notin: 8713, ni: 8715, prod: 8719, sum: 8721, minus: 8722, lowast: 8727, radic: 8730,
  prop: 8733, infin: 8734, ang: 8736, and: 8743, or: 8744, cap: 8745, cup: 8746, int: 8747, there4: 8756, sim: 8764,
  cong: 8773, asymp: 8776, ne: 8800, equiv: 8801, le: 8804, ge: 8805, sub: 8834, sup: 8835, nsub: 8836, sube: 8838,
  supe: 8839, oplus: 8853, otimes: 8855, perp: 8869, sdot: 8901, lceil: 8968, rceil: 8969, lfloor: 8970,
  rfloor: 8971, lang: 10216, rang: 10217, loz: 9674, spades: 9824, clubs: 9827, hearts: 9829, diams: 9830,
};

function buildEntityTable(): ReadonlyMap<string, string> {
  const table = new Map<string, string>();
  LATIN1_NAMES.forEach((name, index) => table.set(name, String.fromCodePoint(0xa0 + index)));
  GREEK_UPPER.forEach((name, index) => table.set(name, String.fromCodePoint(913 + index)));
  GREEK_UPPER_2.forEach((name, index) => table.set(name, String.fromCodePoint(931 + index)));
  GREEK_LOWER.forEach((name, index) => table.set(name, String.fromCodePoint(945 + index)));
  for (const [name, code] of Object.entries(OTHER_ENTITIES)) table.set(name, String.fromCodePoint(code));
  return table;
}

/** Built once: a constant table, not state. */
const ENTITIES = buildEntityTable();

/**
 * What windows-1252 puts at bytes 0x80–0x9F, where Latin-1 has C1 controls (WHATWG Encoding Standard,
 * index-windows-1252; the five bytes it leaves unassigned stay controls). HTML reads numeric references
 * to the C1 controls the same way ("numeric character reference end state"): "&#150;" is an en dash.
 */
export const WINDOWS_1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

function fromCodePoint(code: number): string {
  if (code >= 0x80 && code <= 0x9f) return WINDOWS_1252_C1[code - 0x80]!;
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(code);
}

const CHARACTER_REFERENCE = /&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([A-Za-z][A-Za-z0-9]{1,31}));?/g;

/**
 * Decodes character references: numeric ones with or without their ";", named ones only with it (so that
 * "AT&T" and "&copy2025" in text stay as written).
 */
export function decodeEntities(text: string): string {
  return text.replace(CHARACTER_REFERENCE, (whole, decimal?: string, hex?: string, name?: string) => {
    if (decimal !== undefined) return fromCodePoint(Number.parseInt(decimal, 10));
    if (hex !== undefined) return fromCodePoint(Number.parseInt(hex, 16));
    if (!whole.endsWith(';')) return whole;
    return ENTITIES.get(name!) ?? whole;
  });
}

/**
 * Elements whose content is never text to show: scripts, styles, the title of the page (all that the
 * `<head>` holds besides void elements), templates, frames' fallback. HTML reads their content raw, up to
 * the matching end tag, so a "<" inside them starts no tag.
 */
const HIDDEN_RAW = new Set(['script', 'style', 'title', 'template', 'iframe', 'noembed', 'noframes']);
/** Quoted history in HTML mail (Gmail, Apple Mail, Thunderbird quote the message they answer in one). */
const QUOTE = 'blockquote';
/** Elements that stand on lines of their own. */
const BLOCK = new Set([
  'address', 'article', 'aside', 'body', 'center', 'dd', 'details', 'dialog', 'div', 'dl', 'dt', 'fieldset',
  'figcaption', 'figure', 'footer', 'form', 'header', 'hgroup', 'html', 'legend', 'main', 'menu', 'nav', 'ol',
  'section', 'summary', 'table', 'tbody', 'tfoot', 'thead', 'tr', 'ul', 'caption',
]);
/** Elements separated from what follows by a blank line. */
const PARAGRAPH = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'hr']);
const CELL = new Set(['td', 'th']);
/** Where whitespace is kept as written. */
const PRE = new Set(['pre', 'listing', 'plaintext']);

/** The alt text of an image is shown only when it is an emoji or a symbol (how Gmail and Outlook send emoji), never "logo". */
const SYMBOL_ONLY = /^[^\p{L}\p{N}]{1,16}$/u;
const ALT_ATTRIBUTE = /\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

/** The index just after the ">" that ends the tag opened at `start`, skipping quoted attribute values. */
function endOfTag(html: string, start: number): number {
  let quote = '';
  for (let i = start; i < html.length; i++) {
    const c = html[i]!;
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '>') {
      return i + 1;
    } else if ((c === '"' || c === "'") && /=\s*$/.test(html.slice(Math.max(start, i - 8), i))) {
      quote = c;
    }
  }
  return html.length;
}

/**
 * The index of `</name` in any case from `from`, or the end of the text. Searched in the text itself: a
 * lower-cased copy can be longer ("İ" becomes two code units), and its indices would drift.
 */
function findEndTag(html: string, name: string, from: number): number {
  const pattern = new RegExp(`</${name}`, 'gi');
  pattern.lastIndex = from;
  return pattern.exec(html)?.index ?? html.length;
}

/**
 * Converts an HTML body to plain text for a wall: block elements and `<br>` become line breaks, paragraphs
 * a blank line, list items "• " lines, table cells are separated by spaces; character references are
 * decoded; the content of `<script>`, `<style>`, `<title>` (the page's `<head>`) and the like is dropped,
 * and so is every `<blockquote>`, which in mail is the quoted history of a reply. An image shows its alt
 * text only when that is an emoji. Comments and processing instructions vanish. The result contains no
 * markup of the input: a "<" in it was written as "&lt;" (it is text, and a wall renders it as text).
 *
 * A hand-written scanner rather than a library: it runs in time linear in the input whatever its nesting
 * (a converter walking a DOM recursively can be made to overflow with deep nesting), and the wall needs
 * none of the layout a library offers.
 */
export function htmlToText(html: string): string {
  const tagName = /[A-Za-z][^\s/>]*/y;
  const out: string[] = [];
  let quoteDepth = 0;
  let preDepth = 0;
  // Block boundaries do not add up, as in a browser: "</li><li>" is one line break, "</p><p>" one blank
  // line. A boundary only asks for the text so far to end with that many line breaks before more text comes.
  let pendingBreaks = 0;
  let trailingBreaks = 0;
  let lastChar = '\n';
  let i = 0;

  const emit = (value: string): void => {
    out.push(value);
    lastChar = value[value.length - 1] ?? lastChar;
    let trailing = 0;
    while (trailing < value.length && value[value.length - 1 - trailing] === '\n') trailing += 1;
    trailingBreaks = trailing === value.length ? trailingBreaks + trailing : trailing;
  };
  const flushBreaks = (): void => {
    if (pendingBreaks > trailingBreaks && out.length > 0) emit('\n'.repeat(pendingBreaks - trailingBreaks));
    pendingBreaks = 0;
  };
  const text = (raw: string): void => {
    if (quoteDepth > 0 || raw === '') return;
    let value = preDepth > 0 ? raw : raw.replace(/[ \t\n\r\f]+/g, ' ');
    // Whitespace collapses across tags too, and vanishes at the start of a line.
    if (preDepth === 0 && value.startsWith(' ') && (pendingBreaks > 0 || lastChar === ' ' || lastChar === '\n')) {
      value = value.slice(1);
    }
    if (value === '') return;
    flushBreaks();
    emit(value);
  };
  const lineBreak = (count: 1 | 2): void => {
    if (quoteDepth === 0) pendingBreaks = Math.max(pendingBreaks, count);
  };

  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      text(decodeEntities(html.slice(i)));
      break;
    }
    text(decodeEntities(html.slice(i, lt)));
    const next = html[lt + 1] ?? '';
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    if (next === '!' || next === '?') {
      i = endOfTag(html, lt + 2);
      continue;
    }
    const closing = next === '/';
    tagName.lastIndex = lt + (closing ? 2 : 1);
    const match = tagName.exec(html);
    if (match === null) {
      // "<" that starts no tag ("a < b", "<3") is text.
      text('<');
      i = lt + 1;
      continue;
    }
    const name = match[0].toLowerCase();
    const end = endOfTag(html, tagName.lastIndex);
    i = end;
    if (!closing && HIDDEN_RAW.has(name)) {
      const close = findEndTag(html, name, end);
      i = close === html.length ? close : endOfTag(html, close + 2);
      continue;
    }
    if (name === QUOTE) {
      quoteDepth = closing ? Math.max(0, quoteDepth - 1) : quoteDepth + 1;
      lineBreak(1);
      continue;
    }
    if (PRE.has(name)) preDepth = closing ? Math.max(0, preDepth - 1) : preDepth + 1;
    if (name === 'br') {
      // A <br> is a line break of its own, on top of any block boundary before it.
      if (quoteDepth === 0) {
        flushBreaks();
        emit('\n');
      }
    } else if (PARAGRAPH.has(name) || PRE.has(name)) lineBreak(2);
    else if (BLOCK.has(name)) lineBreak(1);
    else if (name === 'li') {
      lineBreak(1);
      if (!closing) text('• ');
    } else if (CELL.has(name) && !closing) text(' ');
    else if (name === 'img' && !closing) {
      const alt = ALT_ATTRIBUTE.exec(html.slice(lt, end));
      const value = decodeEntities(alt?.[1] ?? alt?.[2] ?? alt?.[3] ?? '').trim();
      if (SYMBOL_ONLY.test(value)) text(value);
    }
  }
  return tidy(out.join(''));
}

/** Trims every line, and keeps at most one blank line between paragraphs. */
function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---------------------------------------------------------------------------------------------------
// Subject and body
// ---------------------------------------------------------------------------------------------------

/**
 * Reply and forward prefixes, repeated or not: "Re:", "RE :", "Fwd:", "Fw:", "TR:" (French Outlook's
 * "transféré"), "AW:" and "WG:" (German), "RV:" (Spanish "reenviado"), "Réf :", with an optional counter
 * ("Re[2]:"). Scandinavian "SV:"/"VS:" are left out: "VS: …" can be a subject of its own.
 */
const REPLY_PREFIX = /^(?:\s*(?:re|fwd?|tr|aw|wg|rv|réf)\s*(?:\[\d{1,3}\])?\s*:)+\s*/i;

/**
 * Subjects that say nothing: the placeholders mail programs write when there is none, and the words people
 * put in the subject of a mail to a wall. A subject that is only a hashtag is not among them: it may be what
 * routes the message to its wall, and on a wall a hashtag reads as it does in a post.
 */
const GENERIC_SUBJECTS = new Set([
  'no subject', 'sans objet', 'kein betreff', 'sin asunto', 'untitled', 'message', 'mail', 'email', 'e-mail',
  'mur', 'wall', 'toile', 'le mur', 'the wall', 'contribution', 'hello', 'bonjour', 'salut', 'test',
]);

/** Case, accents, punctuation and spacing ignored: how two wordings of the same line are compared. */
function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}#]+/gu, ' ')
    .trim();
}

/** The subject as it reads without reply prefixes, on one line. */
export function cleanSubject(subject: string): string {
  return subject.replace(/\s+/g, ' ').trim().replace(REPLY_PREFIX, '').trim();
}

/**
 * The one text a wall shows for an email. The rule:
 * 1. the subject loses its reply and forward prefixes ("Re:", "Fwd:", "TR:", "AW:"…);
 * 2. a subject that is empty or generic ("(no subject)", "Message", "mur"…) is dropped: the body alone;
 * 3. so is a subject the body already starts with (mail programs that fill the subject with the first
 *    words, "…" included): the body alone;
 * 4. an empty body gives the subject alone (people who write the whole message in the subject);
 * 5. otherwise the subject on its own line, then the body: "Subject\nBody". A line of its own rather than
 *    "Subject — Body" because walls keep line breaks, and it reads as a title in every language.
 */
export function combineSubjectAndBody(subject: string, body: string): string {
  const title = cleanSubject(subject);
  const text = body.trim();
  const folded = fold(title.replace(/(?:\.{3}|…)$/, ''));
  if (folded === '' || GENERIC_SUBJECTS.has(folded)) return text;
  if (text === '') return title;
  const start = fold(text.slice(0, title.length * 2 + 16));
  if (start === folded || start.startsWith(`${folded} `)) return text;
  return `${title}\n${text}`;
}
