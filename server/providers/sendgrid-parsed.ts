import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type EmailAddress } from 'mailparser';
import { autoMailReason } from '../domain/email-loop.js';
import { htmlToText, stripQuotedReply, stripSignature } from '../domain/email-text.js';
import { decodeCharset, decodeLenient, parseHeaderBlock, type EmailImage, type ParsedEmail } from '../services/email.js';

/**
 * SendGrid Inbound Parse in its default ("parsed") mode: the mail arrives already split into form fields,
 * each in the character set of the part it came from, named in the `charsets` field. This module turns
 * those fields, read as bytes, into the `ParsedEmail` that `parseEmail` makes of a raw message, so that the
 * email receiver treats both modes alike.
 * https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/setting-up-the-inbound-parse-webhook
 */

/** The fields of one Inbound Parse post, as the bytes that were sent (never decoded as UTF-8 on the way). */
export type SendgridFields = ReadonlyMap<string, Buffer>;

/** How much of a body is read for text, as in `parseEmail`: a wall shows 500 graphemes. */
const MAX_BODY_CHARS = 100_000;
/** Address headers longer than this are cut before they are parsed; a real To line is far shorter. */
const MAX_ADDRESS_HEADER = 16 * 1024;

// ---------------------------------------------------------------------------------------------------
// Character sets
// ---------------------------------------------------------------------------------------------------

/** One field's bytes as text, in the charset SendGrid declared for it (see `decodeCharset`). */
export function decodeField(bytes: Buffer, label: string | undefined): string {
  return decodeCharset(bytes, label);
}

/** A JSON object field (`charsets`, `envelope`, `attachment-info`), or an empty object when it is not one. */
export function jsonField(bytes: Buffer | undefined): Record<string, unknown> {
  if (bytes === undefined) return {};
  try {
    const value: unknown = JSON.parse(decodeLenient(bytes));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The `envelope` field: the SMTP sender ('' for a bounce) and recipients, when SendGrid sent them. */
export function envelopeOf(fields: SendgridFields): { from?: string; to?: string[] } {
  const envelope = jsonField(fields.get('envelope'));
  const to = Array.isArray(envelope.to) ? envelope.to.filter((item): item is string => typeof item === 'string') : undefined;
  return {
    ...(typeof envelope.from === 'string' ? { from: envelope.from } : {}),
    ...(to !== undefined ? { to } : {}),
  };
}

/** Every field decoded from its declared charset; fields not posted are undefined. */
function fieldReader(fields: SendgridFields): (name: string) => string | undefined {
  const charsets = jsonField(fields.get('charsets'));
  return (name) => {
    const bytes = fields.get(name);
    if (bytes === undefined) return undefined;
    const label = charsets[name];
    return decodeField(bytes, typeof label === 'string' ? label : undefined);
  };
}

// ---------------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------------

function mailboxes(entries: EmailAddress[]): EmailAddress[] {
  return entries.flatMap((entry) => (entry.group ? mailboxes(entry.group) : [entry]));
}

function addressList(value: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  if (value === undefined) return [];
  return mailboxes((Array.isArray(value) ? value : [value]).flatMap((object) => object.value));
}

/** One header line, on one line: a field must not be able to add a header of its own. */
function headerLine(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  const flat = value.replace(/[\r\n]+/g, ' ').trim().slice(0, MAX_ADDRESS_HEADER);
  return flat === '' ? '' : `${name}: ${flat}\r\n`;
}

interface HeaderFacts {
  from?: { name?: string; address?: string };
  to: string[];
  messageId?: string;
  date?: Date;
  subject?: string;
}

/**
 * Addresses, Message-ID, Date and (when no `subject` field came) Subject, read the way `parseEmail` reads
 * them: a small header block built from the decoded fields goes through mailparser, which knows quoted
 * display names, groups and encoded words. The recipients come as in `parseEmail`: X-Original-To and
 * Delivered-To first (the mailbox that got the mail), then To and Cc, without repeats.
 */
async function headerFacts(field: (name: string) => string | undefined, pairs: Array<[string, string]>): Promise<HeaderFacts> {
  const header = (name: string) => pairs.filter(([key]) => key.toLowerCase() === name).map(([, value]) => value);
  const block =
    header('x-original-to').map((value) => headerLine('X-Original-To', value)).join('') +
    header('delivered-to').map((value) => headerLine('Delivered-To', value)).join('') +
    headerLine('From', field('from') ?? header('from')[0]) +
    headerLine('To', field('to') ?? header('to')[0]) +
    headerLine('Cc', field('cc') ?? header('cc')[0]) +
    headerLine('Message-ID', header('message-id')[0]) +
    headerLine('Date', header('date')[0]) +
    (field('subject') === undefined ? headerLine('Subject', header('subject')[0]) : '');
  let mail;
  try {
    mail = await simpleParser(Buffer.from(`${block}\r\n`, 'utf8'), { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
  } catch {
    return { to: [] };
  }
  const first = addressList(mail.from)[0];
  const name = first?.name.trim() ?? '';
  const address = first?.address?.trim() ?? '';
  const seen = new Set<string>();
  const to: string[] = [];
  // mailparser gives Delivered-To as addresses and X-Original-To as a plain string.
  const extra = (key: string): EmailAddress[] => {
    const value = mail.headers.get(key);
    const list: unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return list.flatMap((item) => {
      if (typeof item === 'string') return item.split(',').map((part) => ({ name: '', address: part.replace(/^.*</, '').replace(/>.*$/, '').trim() }));
      return item !== null && typeof item === 'object' && 'value' in item ? addressList(item as AddressObject) : [];
    });
  };
  for (const mailbox of [...extra('x-original-to'), ...extra('delivered-to'), ...addressList(mail.to), ...addressList(mail.cc)]) {
    const recipient = mailbox.address?.trim() ?? '';
    if (!recipient.includes('@') || seen.has(recipient.toLowerCase())) continue;
    seen.add(recipient.toLowerCase());
    to.push(recipient);
  }
  const messageId = mail.messageId?.trim();
  const date = mail.date && mail.headers.has('date') && !Number.isNaN(mail.date.getTime()) ? mail.date : undefined;
  return {
    ...(name !== '' || address !== '' ? { from: { ...(name !== '' ? { name } : {}), ...(address !== '' ? { address } : {}) } } : {}),
    to,
    ...(messageId ? { messageId } : {}),
    ...(date ? { date } : {}),
    ...(mail.subject !== undefined ? { subject: mail.subject } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// The email
// ---------------------------------------------------------------------------------------------------

/** The fields that make the message what it is: a retry posts them again byte for byte. */
const CONTENT_FIELDS = ['headers', 'from', 'to', 'cc', 'subject', 'text', 'html'];

/**
 * The id of last resort for a mail without a Message-ID: a hash of its content fields (not of the whole
 * post, whose spam report could differ on a retry).
 */
function contentHash(fields: SendgridFields): string {
  const hash = createHash('sha256');
  for (const name of CONTENT_FIELDS) {
    const bytes = fields.get(name) ?? Buffer.alloc(0);
    hash.update(`${name}:${bytes.length}:`).update(bytes);
  }
  return hash.digest('hex');
}

export interface ParsedModeOptions {
  /** The envelope sender from the `envelope` field, when it came: '' marks a bounce. */
  envelopeFrom?: string;
  /** The image attachments, already read from the post. */
  images?: EmailImage[];
  /** Reasons to hold the message whatever the wall's mode. */
  hold?: string[];
}

/**
 * The `ParsedEmail` of a parsed-mode post: the text field when it has something to read, else the HTML
 * field converted, each without quoted history and signature; automatic mail recognized from the raw
 * `headers` field and the envelope sender, as DESIGN.md's "Email loops" rule has it.
 */
export async function parsedModeEmail(fields: SendgridFields, options: ParsedModeOptions = {}): Promise<ParsedEmail> {
  const field = fieldReader(fields);
  const pairs = parseHeaderBlock(field('headers') ?? '');
  const facts = await headerFacts(field, pairs);
  const plain = (field('text') ?? '').slice(0, MAX_BODY_CHARS);
  const text =
    plain.trim() !== ''
      ? stripSignature(stripQuotedReply(plain))
      : stripSignature(stripQuotedReply(htmlToText((field('html') ?? '').slice(0, MAX_BODY_CHARS)), { quotedLines: false }));
  return {
    ...(facts.messageId ? { messageId: facts.messageId } : {}),
    ...(facts.from ? { from: facts.from } : {}),
    to: facts.to,
    subject: (field('subject') ?? facts.subject ?? '').replace(/\s+/g, ' ').trim(),
    text,
    images: options.images ?? [],
    autoReason: autoMailReason(pairs, options.envelopeFrom),
    ...(facts.date ? { date: facts.date } : {}),
    rawSha256: contentHash(fields),
    hold: options.hold ?? [],
  };
}
