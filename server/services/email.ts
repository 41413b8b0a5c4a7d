import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { simpleParser, type AddressObject, type EmailAddress, type ParsedMail, type SimpleParserOptions } from 'mailparser';
import { autoMailReason, type AutoMailReason, type MailHeaderPairs } from '../domain/email-loop.js';
import {
  cleanSubject,
  combineSubjectAndBody,
  htmlToText,
  stripQuotedReply,
  stripSignature,
  WINDOWS_1252_C1,
} from '../domain/email-text.js';
import type { Contribution, Source } from '../domain/message.js';
import { normalizeText } from '../domain/normalize.js';
import { MAX_TEXT_GRAPHEMES } from './ingest.js';

/**
 * One email, read from its raw MIME, whichever way it arrived: the SMTP receiver, SendGrid's raw mode,
 * Mailgun's `body-mime`. Every provider endpoint then maps it with `toEmailContribution` and hands it to
 * the ingest pipeline, like the SMS adapters do with theirs.
 */

export interface EmailImage {
  contentType: string;
  content: Buffer;
  filename?: string;
}

export interface ParsedEmail {
  /** The Message-ID header, angle brackets included, when there is one. */
  messageId?: string;
  from?: { name?: string; address?: string };
  /**
   * Every recipient address the headers name, without repeats: first those the receiving side wrote
   * (X-Original-To, then Delivered-To, the most recent first), which name the mailbox that got the mail,
   * then To and Cc.
   */
  to: string[];
  /** The subject as written, decoded, on one line; '' when there is none. */
  subject: string;
  /** The readable body: the text part, else the HTML converted; quoted history and signature removed. */
  text: string;
  /** Images attached or embedded (image/* parts only), at most `MAX_IMAGES`; other attachments are dropped. */
  images: EmailImage[];
  /** Why the mail is automatic (a bounce, an auto-reply, a list), or null: see `autoMailReason`. */
  autoReason: AutoMailReason | null;
  /** The Date header, when it is a valid date. It is the sender's clock, not ours. */
  date?: Date;
  /** The SHA-256 of the raw message, hex: the id of last resort for a mail without a Message-ID. */
  rawSha256: string;
  /**
   * Reasons to hold the message for a moderator whatever the wall's mode: `malformed-mime` when the MIME
   * could not be parsed and the text was recovered from the raw bytes.
   */
  hold: string[];
}

export interface ParseEmailOptions {
  /**
   * The envelope sender (SMTP MAIL FROM), when the intake knows it: '' or '<>' for a bounce. It counts
   * for `autoReason` only; leave it undefined when unknown.
   */
  envelopeFrom?: string;
}

/** Enough pictures for any real contribution; a mail with hundreds of tiny images is not one. */
export const MAX_IMAGES = 10;
/**
 * How much of a body is read for text, in UTF-16 units. A wall shows 500 graphemes; what a person wrote
 * comes first, so cutting far below that bound loses nothing and keeps hostile megabytes cheap.
 */
const MAX_BODY_CHARS = 100_000;
/** Message-IDs longer than this are stored as their hash: a sender controls them, the database should not. */
const MAX_MESSAGE_ID = 255;
/** How much of one header line the recovery path keeps (RFC 5322 §2.1.1 caps a line at 998 characters). */
const MAX_RECOVERED_HEADER = 4096;

// ---------------------------------------------------------------------------------------------------
// Character sets
// ---------------------------------------------------------------------------------------------------

/**
 * windows-1252, decoded by hand: Node 20's TextDecoder decodes it, and every Latin-1 label, as Latin-1
 * since v20.18.3, turning "’", "€" and "œ" into C1 controls (nodejs/node#60888, #56542).
 */
function decodeWindows1252(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[\u0080-\u009F]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]!);
}

/**
 * Bytes of unknown or unreliable encoding as text: every well-formed UTF-8 sequence as UTF-8, every other
 * byte as windows-1252 (the superset of Latin-1 that mail programs actually write). A mail that mixes both,
 * as mail relayed through old systems does, comes out readable.
 */
export function decodeLenient(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let out = '';
  let run = 0;
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    const length = byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 1;
    if (byte < 0x80 || (length > 1 && i + length <= bytes.length && isUtf8(bytes.subarray(i, i + length)))) {
      i += byte < 0x80 ? 1 : length;
      continue;
    }
    out += bytes.toString('utf8', run, i) + decodeWindows1252(bytes.subarray(i, i + 1));
    i += 1;
    run = i;
  }
  return out + bytes.toString('utf8', run);
}

/** The WHATWG encoding a label names (what browsers decode), or null for a label nobody knows ("x-unknown"). */
function knownEncoding(label: string): string | null {
  try {
    const encoding = new TextDecoder(label).encoding;
    // The WHATWG "replacement" encoding (ISO-2022-KR and the like) turns everything into one U+FFFD.
    return encoding === 'replacement' ? null : encoding;
  } catch {
    return null;
  }
}

/**
 * Bytes as text, in the charset declared for them (a MIME part's, or a SendGrid field's). Labels resolve as
 * browsers resolve them, so "iso-8859-1" and "us-ascii" read as windows-1252, as the WHATWG Encoding
 * Standard has it (mail programs write "’" and "€" under those labels). Bytes that are well-formed UTF-8
 * under a Latin-1 label, or not well-formed under a UTF-8 one, are taken as they are rather than as
 * labelled (mislabelled UTF-8 is common; Latin-1 text that happens to be valid UTF-8 is not), and an
 * unknown or missing label gets `decodeLenient`: the text stays readable whatever the label says.
 */
export function decodeCharset(bytes: Buffer, label: string | undefined): string {
  const encoding = label === undefined ? null : knownEncoding(label.trim());
  if (encoding === null) return decodeLenient(bytes);
  if (encoding === 'utf-8') return isUtf8(bytes) ? bytes.toString('utf8') : decodeLenient(bytes);
  if (encoding === 'windows-1252') return isUtf8(bytes) ? bytes.toString('utf8') : decodeWindows1252(bytes);
  return new TextDecoder(encoding).decode(bytes);
}

/**
 * mailparser's hook for decoding text bodies (its `Iconv` option, the shape of node-iconv's class): it
 * is called for every charset but UTF-8 and US-ASCII, with the decoded transfer encoding as input, and must
 * output UTF-8. Through it an unknown charset yields readable text instead of replacement characters.
 */
class BodyDecoder extends Transform {
  private readonly chunks: Buffer[] = [];
  private readonly charset: string;

  constructor(charset: string, _to: string) {
    super();
    this.charset = charset;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(chunk);
    done();
  }

  override _flush(done: TransformCallback): void {
    this.push(Buffer.from(decodeCharset(Buffer.concat(this.chunks), this.charset), 'utf8'));
    done();
  }
}

/** An RFC 2047 encoded word: =?charset(*language)?Q|B?text?= */
const ENCODED_WORD = /=\?([^?\s*]+)(\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=/g;

function decodeEncodedWordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
  return Buffer.from(
    text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  );
}

/** The end of the top-level header block: the first empty line, or the end of the message. */
function headerEnd(raw: Buffer): { end: number; bodyStart: number } {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { end: crlf, bodyStart: crlf + 4 };
  if (lf !== -1) return { end: lf, bodyStart: lf + 2 };
  return { end: raw.length, bodyStart: raw.length };
}

/**
 * The message with its top-level header block made readable for the parser, which otherwise reads header
 * bytes as UTF-8 and encoded words in charsets it does not know as UTF-8, both with replacement characters:
 * - 8-bit bytes that are not UTF-8 (RFC 6532 allows UTF-8 in headers, old programs write Latin-1) are
 *   re-encoded as UTF-8 with `decodeLenient`;
 * - encoded words in an unknown charset are decoded with `decodeLenient` and written again as UTF-8 words.
 * Headers that need neither are left byte for byte as they were.
 */
function repairHeaders(raw: Buffer): Buffer {
  const { end } = headerEnd(raw);
  const head = raw.subarray(0, end);
  const eightBit = !isUtf8(head);
  const hasWords = head.includes('=?');
  if (!eightBit && !hasWords) return raw;
  const text = eightBit ? decodeLenient(head) : head.toString('utf8');
  const repaired = text.replace(ENCODED_WORD, (word, charset: string, _language: string | undefined, encoding: string, content: string) => {
    if (knownEncoding(charset) !== null) return word;
    const decoded = decodeLenient(decodeEncodedWordBytes(encoding, content));
    return `=?UTF-8?B?${Buffer.from(decoded, 'utf8').toString('base64')}?=`;
  });
  if (!eightBit && repaired === text) return raw;
  return Buffer.concat([Buffer.from(repaired, 'utf8'), raw.subarray(end)]);
}

// ---------------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------------

/**
 * Splits a raw header block ("Name: value" lines, folded lines continuing with a space or a tab) into
 * [name, value] pairs, values unfolded. Lines that are not headers are skipped. SendGrid's parsed mode
 * posts its `headers` field in this form.
 */
export function parseHeaderBlock(block: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const line of block.replace(/\r\n?/g, '\n').split('\n')) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && pairs.length > 0) {
      const last = pairs[pairs.length - 1]!;
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    pairs.push([name, line.slice(colon + 1).trim()]);
  }
  return pairs;
}

function addressObjects(value: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((object) => object.value);
}

/** The mailboxes of parsed address entries, groups flattened. */
function mailboxes(entries: EmailAddress[]): EmailAddress[] {
  return entries.flatMap((entry) => (entry.group ? mailboxes(entry.group) : [entry]));
}

function addressesOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((item: unknown) => {
    if (typeof item === 'string') return item.split(',').map((part) => part.replace(/^.*</, '').replace(/>.*$/, '').trim());
    if (typeof item === 'object' && item !== null && 'value' in item) {
      return mailboxes((item as AddressObject).value).map((mailbox) => mailbox.address ?? '');
    }
    return [];
  });
}

function recipients(mail: ParsedMail): string[] {
  const all = [
    ...addressesOf(mail.headers.get('x-original-to')),
    ...addressesOf(mail.headers.get('delivered-to')),
    ...addressesOf(mail.to),
    ...addressesOf(mail.cc),
  ];
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const address of all) {
    const key = address.toLowerCase();
    if (address === '' || !address.includes('@') || seen.has(key)) continue;
    seen.add(key);
    unique.push(address);
  }
  return unique;
}

function sender(mail: ParsedMail): ParsedEmail['from'] {
  const first = mailboxes(addressObjects(mail.from))[0];
  if (!first) return undefined;
  const name = first.name.trim();
  const address = first.address?.trim();
  if (name === '' && !address) return undefined;
  return { ...(name !== '' ? { name } : {}), ...(address ? { address } : {}) };
}

// ---------------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------------

/** The text part when it has something to read, else the HTML part converted; then what the person wrote. */
function readableText(mail: ParsedMail): string {
  const plain = (mail.text ?? '').slice(0, MAX_BODY_CHARS);
  const html = typeof mail.html === 'string' ? mail.html.slice(0, MAX_BODY_CHARS) : '';
  if (plain.trim() !== '') return stripSignature(stripQuotedReply(plain));
  return stripSignature(stripQuotedReply(htmlToText(html), { quotedLines: false }));
}

function imagesOf(mail: ParsedMail): EmailImage[] {
  return mail.attachments
    .filter((attachment) => attachment.contentType.toLowerCase().startsWith('image/') && attachment.content.length > 0)
    .slice(0, MAX_IMAGES)
    .map((attachment) => ({
      contentType: attachment.contentType.toLowerCase(),
      content: attachment.content,
      ...(attachment.filename ? { filename: attachment.filename } : {}),
    }));
}

const PARSER_OPTIONS: SimpleParserOptions = {
  // The HTML is converted here (quotes dropped, linear time), not by the parser.
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  keepCidLinks: true,
  checksumAlgo: false,
  Iconv: BodyDecoder,
};

/** Headers worth keeping when a message has to be re-read from its raw bytes. */
const RECOVERED_HEADERS = new Set(['from', 'to', 'cc', 'subject', 'message-id', 'date', 'delivered-to', 'x-original-to']);
const MIME_BOUNDARY_LINE = /^--\S+\s*$/;
const MIME_PART_HEADER = /^(?:content-[a-z-]+|mime-version)\s*:/i;
const BASE64_LINE = /^[A-Za-z0-9+/]{40,}={0,2}$/;
const LOOKS_LIKE_HTML = /<(?:html|body|div|p|br|table|span)\b/i;

/**
 * What can be read of a body the parser gave up on: the bytes decoded leniently, MIME boundaries, part
 * headers and base64 lines dropped, HTML converted.
 */
function recoverBodyText(body: Buffer): string {
  const kept: string[] = [];
  let inPartHeaders = false;
  for (const line of decodeLenient(body.subarray(0, MAX_BODY_CHARS * 2)).replace(/\r\n?/g, '\n').split('\n')) {
    if (MIME_BOUNDARY_LINE.test(line)) {
      inPartHeaders = true;
      continue;
    }
    if (inPartHeaders) {
      inPartHeaders = false;
      // The blank line that ends a part's headers belongs to the MIME structure, not to the text.
      if (line.trim() === '') continue;
      if (MIME_PART_HEADER.test(line) || /^[ \t]/.test(line)) {
        inPartHeaders = true;
        continue;
      }
    }
    if (BASE64_LINE.test(line.trim())) continue;
    kept.push(line);
  }
  const text = kept.join('\n');
  return LOOKS_LIKE_HTML.test(text) ? htmlToText(text) : text;
}

/**
 * A parse of the readable remains of a message the parser refused (a header block over its size limit,
 * more parts than it allows): its main headers, each cut to a sane length, over the recovered text as a
 * plain UTF-8 body, parsed again so that addresses and encoded words are decoded the usual way.
 */
async function recover(raw: Buffer, pairs: MailHeaderPairs): Promise<ParsedMail | null> {
  const lines: string[] = [];
  for (const [name, value] of pairs) {
    if (RECOVERED_HEADERS.has(name.toLowerCase()) && value.length <= MAX_RECOVERED_HEADER) lines.push(`${name}: ${value}`);
  }
  const text = recoverBodyText(raw.subarray(headerEnd(raw).bodyStart));
  const synthetic = `${lines.join('\r\n')}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${text}`;
  try {
    return await simpleParser(Buffer.from(synthetic, 'utf8'), PARSER_OPTIONS);
  } catch {
    return null;
  }
}

/**
 * Parses one raw email into what Toile needs of it. Never throws for what the sender got wrong: truncated
 * MIME, a boundary that never closes, unknown charsets, 8-bit bytes in headers all yield whatever text can
 * be read, and a message the parser refuses outright is re-read from its raw bytes and marked
 * `malformed-mime` for a moderator. A string is taken as the message's UTF-8 encoding; give the Buffer
 * when the bytes are at hand.
 */
export async function parseEmail(raw: Buffer | string, options: ParseEmailOptions = {}): Promise<ParsedEmail> {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const rawSha256 = createHash('sha256').update(bytes).digest('hex');
  const prepared = repairHeaders(bytes);
  const headerPairs = parseHeaderBlock(prepared.subarray(0, headerEnd(prepared).end).toString('utf8'));
  const autoReason = autoMailReason(headerPairs, options.envelopeFrom);
  const hold: string[] = [];

  let mail: ParsedMail | null;
  try {
    mail = await simpleParser(prepared, PARSER_OPTIONS);
  } catch {
    hold.push('malformed-mime');
    mail = await recover(prepared, headerPairs);
  }
  if (mail === null) {
    return { to: [], subject: '', text: '', images: [], autoReason, rawSha256, hold };
  }

  const messageId = mail.messageId?.trim();
  const from = sender(mail);
  const date = mail.date && !Number.isNaN(mail.date.getTime()) && mail.headers.has('date') ? mail.date : undefined;
  return {
    ...(messageId ? { messageId } : {}),
    ...(from ? { from } : {}),
    to: recipients(mail),
    subject: (mail.subject ?? '').replace(/\s+/g, ' ').trim(),
    text: readableText(mail),
    images: imagesOf(mail),
    autoReason,
    ...(date ? { date } : {}),
    rawSha256,
    hold,
  };
}

// ---------------------------------------------------------------------------------------------------
// Contribution
// ---------------------------------------------------------------------------------------------------

export type EmailSource = Extract<Source, 'mailgun' | 'sendgrid' | 'postmark' | 'smtp'>;

export interface EmailContributionOptions {
  source: EmailSource;
  /** The provider's own id for the message, when it has one; else the Message-ID, else the raw hash. */
  providerMessageId?: string;
  /** The envelope sender: the author's address when the mail has no usable From. */
  envelopeFrom?: string;
  /** The envelope recipient: the address the mail was delivered to, which routes it to a wall. */
  envelopeTo?: string;
}

function sameAddress(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** The id a retry of the same mail will have again: the provider's, the Message-ID, or the content hash. */
function messageKey(parsed: ParsedEmail, providerMessageId: string | undefined): string {
  if (providerMessageId !== undefined && providerMessageId.trim() !== '') return providerMessageId.trim();
  const id = parsed.messageId;
  if (id === undefined) return `sha256:${parsed.rawSha256}`;
  return id.length <= MAX_MESSAGE_ID ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

/**
 * The contribution an email makes, for the ingest pipeline: the author is the From display name and
 * address (the envelope sender when there is no From address), the address it was sent to is the envelope
 * recipient or else the first recipient that is not the sender, and the text is the subject and body
 * combined by `combineSubjectAndBody`. Images are left to the caller, which stores them first. An automatic
 * mail (`parsed.autoReason`) still makes a contribution: the caller stores it rejected with that reason.
 */
export function toEmailContribution(parsed: ParsedEmail, options: EmailContributionOptions): Contribution {
  const address = parsed.from?.address ?? (options.envelopeFrom?.replace(/[<>]/g, '').trim() || undefined);
  const to = options.envelopeTo?.trim() || parsed.to.find((recipient) => !sameAddress(recipient, address));
  const subject = cleanSubject(normalizeText(parsed.subject).replace(/\n/g, ' '));
  const body = normalizeText(parsed.text, { maxGraphemes: MAX_TEXT_GRAPHEMES });
  return {
    channel: 'email',
    source: options.source,
    providerMessageId: messageKey(parsed, options.providerMessageId),
    ...(to ? { to } : {}),
    author: {
      ...(parsed.from?.name ? { name: parsed.from.name } : {}),
      ...(address ? { address } : {}),
      addressKind: 'email',
    },
    text: combineSubjectAndBody(subject, body),
    ...(parsed.date ? { createdAt: parsed.date } : {}),
  };
}
