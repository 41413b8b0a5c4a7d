import { createHash } from 'node:crypto';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { autoMailReason } from '../domain/email-loop.js';
import { htmlToText, stripQuotedReply, stripSignature } from '../domain/email-text.js';
import { AppError, badRequest, forbidden } from '../errors.js';
import { MAILGUN_MAX_AGE_SECONDS, MAILGUN_MAX_SKEW_SECONDS, verifyMailgunSignature, type MailgunCheck } from '../providers/mailgun-signature.js';
import { MAX_IMAGES, parseEmail, type EmailImage, type ParsedEmail } from '../services/email.js';

/**
 * The largest request taken, in bytes. Mailgun accepts messages up to 25 MB; a raw MIME message posted
 * form-encoded grows by a few percent, a parsed one carries its text twice (plain and HTML).
 */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/**
 * The largest picture kept in memory. Larger ones are dropped and the message is held for a moderator
 * (`media-too-large`), as the media store would refuse them anyway.
 */
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** How much of a body is read for text: a wall shows 500 graphemes of what the person wrote first. */
const MAX_BODY_CHARS = 100_000;
/** A header value copied into the synthetic header block read by mailparser (RFC 5322 caps lines at 998). */
const MAX_HEADER_CHARS = 4096;
/** Message-IDs longer than this are keyed by their hash, as services/email.ts does. */
const MAX_MESSAGE_ID = 255;

/** Fields that make a POST an inbound message: without any of them, it is something else Mailgun signed. */
const MESSAGE_FIELDS = ['body-mime', 'from', 'sender', 'recipient', 'subject', 'body-plain', 'stripped-text', 'body-html', 'message-headers'];

const PROBLEMS = {
  missing: 'timestamp, token and signature are required (configure this URL as a Mailgun route action: forward("…/ingest/mailgun")).',
  mismatch: 'signature does not match timestamp and token (check MAILGUN_WEBHOOK_SIGNING_KEY).',
  stale: 'timestamp is too far from our clock (more than 9 hours old, or in the future): check the server’s clock.',
} as const;

/** What Mailgun posted, whichever encoding it used: every field (repeated ones kept), the raw MIME, the images. */
interface MailgunForm {
  fields: Map<string, string[]>;
  /** `body-mime`, as bytes: a raw message need not be UTF-8. */
  bodyMime?: Buffer;
  images: EmailImage[];
  /** Why attachments were dropped (`media-too-large`), for a moderator. */
  problems: Set<string>;
}

/** The result of the form-encoded parser, told apart from a JSON body by its class. */
class FormEntries {
  constructor(readonly entries: Array<[string, Buffer]>) {}
}

/** A form-encoded name or value as bytes: "+" is a space, "%XX" a byte, anything else itself. */
function percentDecode(text: string): Buffer {
  const bytes = Buffer.from(text.replace(/\+/g, ' '), 'utf8');
  const out = Buffer.alloc(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const hex = byte === 0x25 && i + 2 < bytes.length ? bytes.toString('latin1', i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[length++] = Number.parseInt(hex, 16);
      i += 2;
    } else {
      out[length++] = byte;
    }
  }
  return out.subarray(0, length);
}

/**
 * `application/x-www-form-urlencoded` split into names and values as bytes: `body-mime` may hold a message
 * in any charset, which decoding it as UTF-8 here would turn into replacement characters.
 */
function parseFormBytes(body: string): FormEntries {
  const entries: Array<[string, Buffer]> = [];
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    entries.push([percentDecode(rawName).toString('utf8'), percentDecode(rawValue)]);
  }
  return new FormEntries(entries);
}

function emptyForm(): MailgunForm {
  return { fields: new Map(), images: [], problems: new Set() };
}

function addField(form: MailgunForm, name: string, value: string): void {
  const list = form.fields.get(name);
  if (list) list.push(value);
  else form.fields.set(name, [value]);
}

function fromEntries(body: FormEntries): MailgunForm {
  const form = emptyForm();
  for (const [name, value] of body.entries) {
    if (name === 'body-mime') form.bodyMime = value;
    else addField(form, name, value.toString('utf8'));
  }
  return form;
}

function tooLarge(): AppError {
  return new AppError(413, 'body_too_large', `The request is larger than ${MAX_BODY_BYTES} bytes.`);
}

/**
 * The bytes of a stream up to `limit`, or null when it is longer (the rest is read and dropped, so that
 * the parts after it can be read).
 */
async function readLimited(stream: AsyncIterable<Buffer>, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size <= limit ? Buffer.concat(chunks) : null;
}

/**
 * Reads a multipart post: fields into strings, `body-mime` into bytes, image attachments into buffers (at
 * most MAX_IMAGES, each at most MAX_ATTACHMENT_BYTES); other attachments are read past without keeping them.
 */
async function fromMultipart(request: FastifyRequest): Promise<MailgunForm> {
  const form = emptyForm();
  let kept = 0;
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      const value = typeof part.value === 'string' ? part.value : String(part.value);
      kept += value.length;
      if (kept > MAX_BODY_BYTES || part.valueTruncated) throw tooLarge();
      addField(form, part.fieldname, value);
      continue;
    }
    const isMime = part.fieldname === 'body-mime';
    const isImage = !isMime && part.mimetype.toLowerCase().startsWith('image/') && form.images.length < MAX_IMAGES;
    const content = await readLimited(part.file, isMime || isImage ? (isMime ? MAX_BODY_BYTES : MAX_ATTACHMENT_BYTES) : 0);
    if (part.file.truncated || (isMime && content === null)) throw tooLarge();
    if (!isMime && !isImage) continue;
    if (content === null) {
      form.problems.add('media-too-large');
      continue;
    }
    kept += content.length;
    if (kept > MAX_BODY_BYTES) throw tooLarge();
    if (isMime) form.bodyMime = content;
    else if (content.length > 0) {
      form.images.push({ contentType: part.mimetype.toLowerCase(), content, ...(part.filename ? { filename: part.filename } : {}) });
    }
  }
  return form;
}

function first(form: MailgunForm, name: string): string | undefined {
  return form.fields.get(name)?.[0];
}

/** `message-headers`: a JSON array of [name, value] pairs. Anything else counts as no headers. */
function headerPairs(form: MailgunForm): Array<[string, string]> {
  const json = first(form, 'message-headers');
  if (json === undefined) return [];
  try {
    const value: unknown = JSON.parse(json);
    if (!Array.isArray(value)) return [];
    return value.filter(
      (pair): pair is [string, string] => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string',
    );
  } catch {
    return [];
  }
}

function headerValue(pairs: Array<[string, string]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return pairs.find(([key]) => key.toLowerCase() === lower)?.[1];
}

/** Mailgun's spam filter said yes (`X-Mailgun-Sflag: Yes`, when spam filtering is on for the domain). */
function flaggedAsSpam(form: MailgunForm, pairs: Array<[string, string]>): boolean {
  const flag = headerValue(pairs, 'X-Mailgun-Sflag') ?? first(form, 'X-Mailgun-Sflag');
  return flag?.trim().toLowerCase() === 'yes';
}

/**
 * What the person wrote, from Mailgun's parsed fields: `stripped-text` (Mailgun's own removal of the quoted
 * reply and signature, which still leaves "Sent from my iPhone"), else `body-plain`, else `body-html`, each
 * through the same cleaning as a raw message.
 */
function readableText(form: MailgunForm): string {
  const stripped = first(form, 'stripped-text')?.slice(0, MAX_BODY_CHARS) ?? '';
  if (stripped.trim() !== '') return stripSignature(stripped);
  const plain = first(form, 'body-plain')?.slice(0, MAX_BODY_CHARS) ?? '';
  if (plain.trim() !== '') return stripSignature(stripQuotedReply(plain));
  const html = first(form, 'body-html')?.slice(0, MAX_BODY_CHARS) ?? '';
  return stripSignature(stripQuotedReply(htmlToText(html), { quotedLines: false }));
}

/** A header value safe to write on one line of a synthetic header block. */
function oneLine(value: string): string {
  return value.replace(/[\r\n\0]+/g, ' ').trim().slice(0, MAX_HEADER_CHARS);
}

/**
 * A message from Mailgun's parsed fields. The addresses, Message-ID and date are read by mailparser (through
 * `parseEmail`) from a header block written from those fields, so that display names, groups, quoting and
 * encoded words are read exactly as in a raw message; the text and subject come from the fields.
 */
async function fromParsedFields(form: MailgunForm, envelopeFrom: string | undefined): Promise<ParsedEmail> {
  const pairs = headerPairs(form);
  const fromField = first(form, 'from') ?? headerValue(pairs, 'From');
  const lines: string[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value.trim() !== '') lines.push(`${name}: ${oneLine(value)}`);
  };
  add('From', fromField);
  add('To', headerValue(pairs, 'To') ?? first(form, 'To'));
  add('Cc', headerValue(pairs, 'Cc') ?? first(form, 'Cc'));
  add('Message-ID', headerValue(pairs, 'Message-Id') ?? first(form, 'Message-Id'));
  add('Date', headerValue(pairs, 'Date') ?? first(form, 'Date'));
  const headers = await parseEmail(Buffer.from(`${lines.join('\r\n')}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n`, 'utf8'));
  // The From field counts for `mailer-daemon` even when message-headers is missing.
  const loopHeaders: Array<[string, string]> = headerValue(pairs, 'From') === undefined && fromField ? [...pairs, ['From', fromField]] : pairs;
  const stable = ['recipient', 'sender', 'from', 'subject', 'body-plain', 'body-html'].map((name) => first(form, name) ?? null);
  return {
    ...(headers.messageId ? { messageId: headers.messageId } : {}),
    ...(headers.from ? { from: headers.from } : {}),
    to: headers.to,
    subject: (first(form, 'subject') ?? headerValue(pairs, 'Subject') ?? '').replace(/\s+/g, ' ').trim(),
    text: readableText(form),
    images: form.images,
    autoReason: autoMailReason(loopHeaders, envelopeFrom),
    ...(headers.date ? { date: headers.date } : {}),
    // No raw message here: the hash of what a retry posts again identifies a mail without a Message-ID.
    rawSha256: createHash('sha256').update(JSON.stringify(stable)).digest('hex'),
    hold: [],
  };
}

/** The id the message is stored under: its Message-ID, else the hash (as `toEmailContribution` would). */
function messageKey(parsed: ParsedEmail): string {
  const id = parsed.messageId;
  if (id === undefined) return `sha256:${parsed.rawSha256}`;
  return id.length <= MAX_MESSAGE_ID ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

function notAcceptable(message: string): AppError {
  return new AppError(406, 'not_acceptable', message);
}

/** A JSON body: what Mailgun's event webhooks (delivered, failed…) post, `{signature: {…}, "event-data": {…}}`. */
function jsonSignature(body: unknown): { timestamp?: string; token?: string; signature?: string } {
  const signature = body !== null && typeof body === 'object' ? (body as { signature?: unknown }).signature : undefined;
  if (signature === null || typeof signature !== 'object') return {};
  const { timestamp, token, signature: value } = signature as Record<string, unknown>;
  return {
    ...(typeof timestamp === 'string' || typeof timestamp === 'number' ? { timestamp: String(timestamp) } : {}),
    ...(typeof token === 'string' ? { token } : {}),
    ...(typeof value === 'string' ? { signature: value } : {}),
  };
}

/**
 * `POST /ingest/mailgun` and `POST /ingest/mailgun/mime`: the target of a Mailgun inbound route
 * (`forward("https://…/ingest/mailgun")`), parsed (form-encoded, or multipart when the mail has
 * attachments), or raw (`body-mime`, which Mailgun sends to a URL ending with "mime"). Enabled when
 * MAILGUN_WEBHOOK_SIGNING_KEY is set.
 *
 * Status codes follow Mailgun's retries (it retries anything but 200 and 406 for 8 hours):
 * - 403: no signature, a wrong one, a timestamp outside the window, or a token already used for another
 *   message. None of these come from Mailgun's own retries, so a 403 loses nothing.
 * - 406: signed, but not an inbound message (an event webhook pointed here, a post with no message in it):
 *   no retry will ever make it one, so Mailgun is told to stop.
 * - 503: our database is busy; the token is not remembered, so Mailgun's retry (same token) is accepted.
 * - 200: stored (pending, or rejected with its reason when it is an auto-reply or a bounce), or a retry of
 *   a message already stored.
 */
export async function mailgunRoutes(app: FastifyInstance): Promise<void> {
  const signingKey = app.toile.config.secrets.mailgunWebhookSigningKey;
  if (signingKey === undefined) return;
  const { repos } = app.toile;
  /** Tokens being handled right now: a copy sent at the same time is a replay too. */
  const inFlight = new Set<string>();

  // The form parsers are registered in this plugin only.
  await app.register(fastifyFormbody, { bodyLimit: MAX_BODY_BYTES, parser: (body) => parseFormBytes(body) as unknown as Record<string, unknown> });
  await app.register(fastifyMultipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_BODY_BYTES, fieldSize: MAX_BODY_BYTES, fields: 1000, files: 100, parts: 1100 },
    // body-mime arrives as bytes, like an attachment: a raw message need not be UTF-8.
    isPartAFile: (fieldName, contentType, fileName) => fileName !== undefined || fieldName === 'body-mime' || contentType === 'application/octet-stream',
  });

  const check = (fields: { timestamp?: string; token?: string; signature?: string }): Extract<MailgunCheck, { ok: true }> => {
    const result = verifyMailgunSignature(signingKey, fields, app.toile.now());
    if (!result.ok) throw forbidden('forbidden', PROBLEMS[result.problem]);
    return result;
  };

  function remember(token: string): void {
    const now = app.toile.now();
    repos.mailgunTokens.remember(token, now.toISOString());
    repos.mailgunTokens.forgetSeenBefore(new Date(now.getTime() - (MAILGUN_MAX_AGE_SECONDS + MAILGUN_MAX_SKEW_SECONDS) * 1000).toISOString());
  }

  // Mailgun posts the raw message (`body-mime`) only to a forward() URL that ends with "mime"
  // (receive-http in its documentation): both URLs take both modes.
  app.post('/ingest/mailgun/mime', (request, reply) => receive(request, reply));
  app.post('/ingest/mailgun', (request, reply) => receive(request, reply));

  async function receive(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const length = Number(request.headers['content-length'] ?? '0');
    if (length > MAX_BODY_BYTES) throw tooLarge();

    let form: MailgunForm;
    if (request.isMultipart()) {
      try {
        form = await fromMultipart(request);
      } catch (error) {
        // The multipart plugin's own errors carry their status (413 over a limit…); the parser's (no
        // boundary, a body cut short) do not, and are the client's.
        if (error instanceof AppError || typeof (error as { statusCode?: unknown }).statusCode === 'number') throw error;
        throw badRequest('invalid_body', 'The multipart body could not be read.');
      }
    } else if (request.body instanceof FormEntries) {
      form = fromEntries(request.body);
    } else {
      // An event webhook (JSON) pointed at this URL: signed by Mailgun, never a message.
      const signed = check(jsonSignature(request.body));
      remember(signed.token);
      throw notAcceptable('This URL takes inbound routes (forward()), not event webhooks.');
    }

    const { token } = check({ timestamp: first(form, 'timestamp'), token: first(form, 'token'), signature: first(form, 'signature') });
    if (form.bodyMime === undefined && !MESSAGE_FIELDS.some((name) => form.fields.has(name))) {
      remember(token);
      throw notAcceptable('This signed request carries no message (no body-mime, from, sender or body).');
    }

    // `sender` is the envelope's MAIL FROM: empty for a bounce. Unknown when absent.
    const envelopeFrom = first(form, 'sender');
    const pairs = headerPairs(form);
    const parsed = form.bodyMime !== undefined ? await parseEmail(form.bodyMime, { envelopeFrom }) : await fromParsedFields(form, envelopeFrom);
    if (flaggedAsSpam(form, pairs)) parsed.hold.push('spam-score');
    parsed.hold.push(...form.problems);
    const providerMessageId = messageKey(parsed);

    if (inFlight.has(token) || repos.mailgunTokens.seen(token)) {
      // Mailgun's retry of a message we stored (our answer was lost) carries the same token: answer it as a
      // retry. The same token with another message is a replay of a captured signature.
      const existing = app.toile.ingest.alreadyStored({ channel: 'email', source: 'mailgun', providerMessageId });
      if (existing) return reply.code(200).send({ ok: true, id: existing.id, status: 'duplicate' });
      throw forbidden('replayed_token', 'This token was already used for another message.');
    }

    inFlight.add(token);
    try {
      const recipients = (first(form, 'recipient') ?? '').split(',').map((address) => address.trim()).filter((address) => address !== '');
      const outcome = await app.toile.email({
        source: 'mailgun',
        parsed,
        providerMessageId,
        ...(envelopeFrom !== undefined ? { envelopeFrom } : {}),
        envelopeTo: recipients,
        // For the record, privately: who it was for and what Mailgun said of it, never the body or the signature.
        raw: {
          recipient: first(form, 'recipient'),
          sender: envelopeFrom,
          messageId: parsed.messageId,
          spamFlag: headerValue(pairs, 'X-Mailgun-Sflag') ?? first(form, 'X-Mailgun-Sflag'),
          spf: headerValue(pairs, 'X-Mailgun-Spf') ?? first(form, 'X-Mailgun-Spf'),
          mode: form.bodyMime !== undefined ? 'mime' : 'parsed',
        },
      });
      // Only once the message is committed: after a 503, Mailgun's retry with this token must be accepted.
      remember(token);
      return reply.code(200).send({ ok: true, id: outcome.message.id, status: outcome.kind });
    } finally {
      inFlight.delete(token);
    }
  }
}
