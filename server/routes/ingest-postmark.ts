import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { autoMailReason } from '../domain/email-loop.js';
import { htmlToText, stripQuotedReply, stripSignature } from '../domain/email-text.js';
import { badRequest, forbidden } from '../errors.js';
import { MAX_IMAGES, type EmailImage, type ParsedEmail } from '../services/email.js';

/**
 * The largest body taken, in bytes: Postmark accepts inbound messages up to 35 MB, attachments included,
 * and posts them base64-encoded (a third larger).
 */
const MAX_BODY_BYTES = 50 * 1024 * 1024;
/**
 * The largest picture decoded. Larger ones are dropped and the message held for a moderator
 * (`media-too-large`), as the media store would refuse them anyway.
 */
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** How much of a body is read for text: a wall shows 500 graphemes of what the person wrote first. */
const MAX_BODY_CHARS = 100_000;
const MAX_MESSAGE_ID = 255;

/** Postmark's inbound webhook JSON, as far as Toile reads it (https://postmarkapp.com/developer/webhooks/inbound-webhook). */
interface PostmarkInbound {
  From?: unknown;
  FromFull?: { Email?: unknown; Name?: unknown };
  To?: unknown;
  ToFull?: unknown;
  CcFull?: unknown;
  OriginalRecipient?: unknown;
  Subject?: unknown;
  MessageID?: unknown;
  Date?: unknown;
  TextBody?: unknown;
  HtmlBody?: unknown;
  StrippedTextReply?: unknown;
  Headers?: unknown;
  Attachments?: unknown;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** `[{Email, Name}]` → the addresses. */
function emails(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    const email = entry !== null && typeof entry === 'object' ? (entry as { Email?: unknown }).Email : undefined;
    return typeof email === 'string' && email.includes('@') ? [email.trim()] : [];
  });
}

/** `Headers: [{Name, Value}]` → [name, value] pairs. */
function headerPairs(value: unknown): Array<[string, string]> {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown): Array<[string, string]> => {
    if (entry === null || typeof entry !== 'object') return [];
    const { Name, Value } = entry as { Name?: unknown; Value?: unknown };
    return typeof Name === 'string' && typeof Value === 'string' ? [[Name, Value]] : [];
  });
}

function headerValue(pairs: Array<[string, string]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return pairs.find(([key]) => key.toLowerCase() === lower)?.[1];
}

/**
 * What the person wrote: Postmark's `StrippedTextReply` (its own removal of the quoted history, present on
 * replies), else `TextBody`, else `HtmlBody` converted, each through the same cleaning as a raw message.
 */
function readableText(body: PostmarkInbound): string {
  const stripped = text(body.StrippedTextReply).slice(0, MAX_BODY_CHARS);
  if (stripped.trim() !== '') return stripSignature(stripped);
  const plain = text(body.TextBody).slice(0, MAX_BODY_CHARS);
  if (plain.trim() !== '') return stripSignature(stripQuotedReply(plain));
  return stripSignature(stripQuotedReply(htmlToText(text(body.HtmlBody).slice(0, MAX_BODY_CHARS)), { quotedLines: false }));
}

/** Image attachments decoded (at most MAX_IMAGES), and why any was dropped. */
function images(value: unknown): { images: EmailImage[]; problems: string[] } {
  const found: EmailImage[] = [];
  const problems = new Set<string>();
  if (!Array.isArray(value)) return { images: found, problems: [] };
  for (const entry of value as unknown[]) {
    if (entry === null || typeof entry !== 'object' || found.length >= MAX_IMAGES) continue;
    const { Name, Content, ContentType } = entry as { Name?: unknown; Content?: unknown; ContentType?: unknown };
    const type = text(ContentType).toLowerCase();
    if (!type.startsWith('image/') || typeof Content !== 'string' || Content === '') continue;
    // Base64 is 4 characters for 3 bytes: the size is known before decoding.
    if ((Content.length * 3) / 4 > MAX_ATTACHMENT_BYTES + 3) {
      problems.add('media-too-large');
      continue;
    }
    found.push({ contentType: type, content: Buffer.from(Content, 'base64'), ...(typeof Name === 'string' && Name !== '' ? { filename: Name } : {}) });
  }
  return { images: found, problems: [...problems] };
}

function validDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The Basic credentials' password (any user name), or undefined. */
function basicPassword(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/** Compared as hashes, so that neither the length nor the content of the secret leaks through timing. */
function samePassword(given: string, secret: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

/**
 * `POST /ingest/postmark`: Postmark's inbound webhook, set to `https://postmark:<secret>@<host>/ingest/postmark`.
 * Enabled when POSTMARK_INBOUND_PASSWORD is set; the password of HTTP basic auth must be it (the user name
 * is not checked). The credentials are checked before the body is read.
 *
 * Status codes follow Postmark's retries (it retries anything but 200 ten times over about 10 hours, and
 * stops at once on 403): 403 for missing or wrong credentials; 400 for a body that is not Postmark's; 503
 * when our database is busy (Postmark retries); 200 once stored (pending, or rejected with its reason when it
 * is an auto-reply or a bounce), and for a retry of a message already stored (same MessageID).
 */
export async function postmarkRoutes(app: FastifyInstance): Promise<void> {
  const secret = app.toile.config.secrets.postmarkInboundPassword;
  if (secret === undefined) return;

  app.addHook('onRequest', async (request) => {
    const password = basicPassword(request.headers.authorization);
    if (password === undefined || !samePassword(password, secret)) {
      throw forbidden('forbidden', 'HTTP basic auth is required, with POSTMARK_INBOUND_PASSWORD as the password (set the webhook URL to https://postmark:<password>@…/ingest/postmark).');
    }
  });

  app.post<{ Body: PostmarkInbound | undefined }>('/ingest/postmark', { bodyLimit: MAX_BODY_BYTES }, async (request, reply) => {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('invalid_body', 'The body must be Postmark’s inbound JSON object.');
    const messageId = text(body.MessageID).trim();
    if (messageId === '' || messageId.length > MAX_MESSAGE_ID) throw badRequest('invalid_body', 'MessageID is missing.');

    const pairs = headerPairs(body.Headers);
    const fromEmail = text(body.FromFull?.Email).trim() || text(body.From).trim();
    const fromName = text(body.FromFull?.Name).replace(/\s+/g, ' ').trim();
    const header = headerValue(pairs, 'Message-ID')?.trim();
    const date = validDate(body.Date);
    const attached = images(body.Attachments);
    const spam = headerValue(pairs, 'X-Spam-Status')?.trim().toLowerCase().startsWith('yes') ?? false;
    // Postmark gives no envelope sender: From and the headers (Return-Path, Auto-Submitted…) decide.
    const loopHeaders: Array<[string, string]> = headerValue(pairs, 'From') === undefined && fromEmail ? [...pairs, ['From', fromEmail]] : pairs;
    const parsed: ParsedEmail = {
      ...(header ? { messageId: header } : {}),
      ...(fromEmail || fromName ? { from: { ...(fromName ? { name: fromName } : {}), ...(fromEmail ? { address: fromEmail } : {}) } } : {}),
      to: [...emails(body.ToFull), ...emails(body.CcFull)],
      subject: text(body.Subject).replace(/\s+/g, ' ').trim(),
      text: readableText(body),
      images: attached.images,
      autoReason: autoMailReason(loopHeaders),
      ...(date ? { date } : {}),
      rawSha256: createHash('sha256').update(messageId).digest('hex'),
      hold: [...(spam ? ['spam-score'] : []), ...attached.problems],
    };
    const original = text(body.OriginalRecipient).trim();

    const outcome = await app.toile.email({
      source: 'postmark',
      parsed,
      providerMessageId: messageId,
      // The address the mail was delivered to (the inbound address, or a forwarding domain's).
      ...(original ? { envelopeTo: [original] } : {}),
      // For the record, privately: never the body or the attachments.
      raw: { MessageID: messageId, OriginalRecipient: original || undefined, To: text(body.To), spamStatus: headerValue(pairs, 'X-Spam-Status') },
    });
    return reply.code(200).send({ ok: true, id: outcome.message.id, status: outcome.kind });
  });
}
