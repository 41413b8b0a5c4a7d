/**
 * A Mastodon status's `content` as plain text for a wall. Mastodon sends statuses as sanitized HTML
 * (`<p>`, `<br>`, `<span>`, `<a>`, and from other servers a few more formatting tags; see "Formatting" in
 * https://docs.joinmastodon.org/api/guidelines/), but a status comes from any server of the federation,
 * so the HTML is treated as hostile: it is parsed by a real HTML tokenizer (htmlparser2), only its text is
 * kept, and nothing of its markup (tags, attributes, `javascript:` links, event handlers) survives.
 *
 * The text is not normalized here: Toile's ingest pipeline does that for every channel alike.
 */
import { Parser } from 'htmlparser2';

/**
 * How much of a status's HTML is read. A Mastodon post is at most 500 characters of text by default, which
 * is a few KiB of HTML with its links; 64 KiB leaves room for servers that allow long posts, while a hostile
 * 1 MiB status costs no more than that to convert.
 */
export const MAX_STATUS_HTML_CHARS = 64 * 1024;

/** Elements whose content is never text to show: code, styles, and what a page hides (its title, templates, frames). */
const HIDDEN = new Set(['script', 'style', 'template', 'title', 'textarea', 'iframe', 'noscript', 'noembed', 'noframes', 'object']);

/** Elements set apart from what surrounds them by a blank line, as paragraphs are. */
const PARAGRAPH = new Set(['p', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'hr']);

/** Elements that stand on a line of their own. */
const LINE = new Set(['div', 'li', 'tr', 'dt', 'dd', 'figcaption', 'section', 'article', 'header', 'footer']);

/** Whitespace as HTML collapses it (a no-break space is not among it). */
const COLLAPSIBLE = /[ \t\n\r\f]+/g;

/** The HTML that is read: at most `MAX_STATUS_HTML_CHARS`, never ending inside a surrogate pair. */
function bounded(html: string): string {
  if (html.length <= MAX_STATUS_HTML_CHARS) return html;
  let end = MAX_STATUS_HTML_CHARS;
  const last = html.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return html.slice(0, end);
}

/**
 * Converts a status's HTML to plain text:
 * - `<p>` (and other blocks) become paragraphs separated by a blank line, `<br>` a line break, list items
 *   lines starting with "• ";
 * - character references are decoded exactly once, so `&amp;lt;` reads "&lt;": text, never markup;
 * - a link becomes its text. Mastodon shortens long links for display by wrapping their start and end in
 *   `<span class="invisible">`; those spans are kept, so the wall shows the whole URL. A wall cannot be
 *   clicked: the shortened middle alone (without even the "…" Mastodon leaves to clients) would be an
 *   address nobody can type, and a moderator must see where a link really goes;
 * - hashtags and mentions are links too, and read as written: `#capcomnet`, `@alice`;
 * - the content of `<script>`, `<style>` and the like is dropped; comments and CDATA sections vanish
 *   (HTML reads CDATA outside SVG and MathML as a comment); any other element contributes only its text.
 *
 * htmlparser2 is used as a tokenizer with callbacks, without building a tree, so that deeply nested or
 * unclosed tags cost linear time and no recursion.
 */
export function statusHtmlToText(html: string): string {
  const out: string[] = [];
  let hiddenDepth = 0;
  let preDepth = 0;
  // Block boundaries do not add up, as in a browser: "</p><p>" is one blank line, not two.
  let pendingBreaks = 0;
  let pendingSpace = false;
  let atLineStart = true;

  const breakLine = (count: 1 | 2): void => {
    if (hiddenDepth > 0) return;
    if (out.length > 0) pendingBreaks = Math.max(pendingBreaks, count);
    pendingSpace = false;
    atLineStart = true;
  };

  const write = (value: string): void => {
    if (pendingBreaks > 0) out.push('\n'.repeat(pendingBreaks));
    else if (pendingSpace) out.push(' ');
    pendingBreaks = 0;
    pendingSpace = false;
    out.push(value);
    atLineStart = value.endsWith('\n');
  };

  const text = (raw: string): void => {
    if (hiddenDepth > 0 || raw === '') return;
    if (preDepth > 0) {
      write(raw.replace(/\r\n?/g, '\n'));
      return;
    }
    let value = raw.replace(COLLAPSIBLE, ' ');
    if (value.startsWith(' ')) {
      if (!atLineStart) pendingSpace = true;
      value = value.slice(1);
    }
    if (value === '') return;
    const trailingSpace = value.endsWith(' ');
    if (trailingSpace) value = value.slice(0, -1);
    write(value);
    pendingSpace = trailingSpace;
  };

  const parser = new Parser(
    {
      onopentag(name) {
        if (HIDDEN.has(name)) {
          hiddenDepth += 1;
          return;
        }
        if (name === 'br') {
          if (hiddenDepth > 0) return;
          write('\n');
          return;
        }
        if (name === 'pre') preDepth += 1;
        if (PARAGRAPH.has(name)) breakLine(2);
        else if (LINE.has(name)) breakLine(1);
        if (name === 'li') text('• ');
      },
      onclosetag(name) {
        // htmlparser2 also reports closing tags it implied (an element left open, a tag cut off at the end
        // of the input) without always having reported the opening: depths never go below zero.
        if (HIDDEN.has(name)) {
          hiddenDepth = Math.max(0, hiddenDepth - 1);
          return;
        }
        if (name === 'pre') preDepth = Math.max(0, preDepth - 1);
        if (PARAGRAPH.has(name)) breakLine(2);
        else if (LINE.has(name)) breakLine(1);
      },
      ontext: text,
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeCDATA: false },
  );
  parser.write(bounded(html));
  parser.end();
  return tidy(out.join(''));
}

/** Trims the spaces at either end of every line, keeps at most one blank line in a row, and trims the whole. */
function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/^[ \t]+|[ \t]+$/g, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
