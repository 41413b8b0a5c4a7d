import type { Readable } from 'node:stream';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, badRequest, forbidden } from '../errors.js';
import { hasBasicAuthPassword } from '../providers/sendgrid-auth.js';
import { decodeField, envelopeOf, parsedModeEmail, type SendgridFields } from '../providers/sendgrid-parsed.js';
import { MAX_IMAGES, parseEmail, type EmailImage, type ParsedEmail } from '../services/email.js';

/**
 * SendGrid accepts mail up to 30 MB, attachments included, and posts it whole; a little more is allowed
 * for the form's own framing. https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/inbound-email
 */
const MAX_POST_BYTES = 32 * 1024 * 1024;
/** A text field (`text`, `html`, `headers`…): far more than a wall shows, far less than the whole post. */
export const MAX_FIELD_BYTES = 2 * 1024 * 1024;
/** About twenty fields, plus one part per attachment. */
const MAX_PARTS = 200;
/** SpamAssassin's own threshold, which SendGrid's `spam_report` quotes ("5.0 required"). */
const SPAM_SCORE_HOLD = 5;
/** The fields kept, privately, with the message: what SendGrid's checks said of it. */
const CHECK_FIELDS = ['spam_score', 'SPF', 'dkim'] as const;
const IMAGE_EXTENSION: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp' };

const tooLarge = () =>
  new AppError(413, 'body_too_large', `The post is over the limit (${MAX_FIELD_BYTES / 1024 / 1024} MiB per text field, ${MAX_POST_BYTES / 1024 / 1024} MiB in all).`);

interface SendgridForm {
  fields: Map<string, Buffer>;
  images: EmailImage[];
  /** False when the form broke off or could not be read to its closing boundary: what came is kept. */
  complete: boolean;
}

/** The multipart boundary named by the Content-Type, quoted or not. */
function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match?.[1] ?? match?.[2];
}

/** The image type of an attachment, from its part's Content-Type or else its file name; null for anything else. */
function imageType(mimetype: string | undefined, filename: string | undefined): string | null {
  const declared = (mimetype ?? '').toLowerCase().split(';')[0]!.trim();
  if (declared.startsWith('image/')) return declared;
  const extension = /\.([A-Za-z]{3,4})$/.exec(filename ?? '')?.[1]?.toLowerCase();
  return extension === undefined ? null : (IMAGE_EXTENSION[extension] ?? null);
}

/**
 * Reads the whole form. Every part is read as bytes (busboy would otherwise decode fields as UTF-8 before
 * we know their charset). Text fields and images are kept, up to their limits; other attachments are
 * read and dropped. A form that breaks off (no closing boundary, a part cut short, a bad part header)
 * keeps the parts read so far and is marked incomplete; a form over a limit is a 413.
 */
async function readForm(request: FastifyRequest): Promise<SendgridForm> {
  const boundary = boundaryOf(request.headers['content-type']);
  const closing = boundary === undefined ? undefined : Buffer.from(`--${boundary}--`);
  const fields = new Map<string, Buffer>();
  const images: EmailImage[] = [];
  let total = 0;
  let tail = Buffer.alloc(0);
  let malformed = false;

  /** Reads one part; `partial` receives what was read of a part that was cut short. */
  const read = async (stream: Readable, limit: number, keep: boolean, partial?: (bytes: Buffer) => void): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        total += chunk.length;
        if (size > limit || total > MAX_POST_BYTES) throw tooLarge();
        if (keep) chunks.push(chunk);
      }
    } catch (error) {
      if (!(error instanceof AppError)) partial?.(Buffer.concat(chunks));
      throw error;
    }
    return Buffer.concat(chunks);
  };

  const parts = request.parts({
    isPartAFile: () => true,
    limits: { fileSize: MAX_POST_BYTES, files: MAX_PARTS, parts: MAX_PARTS, headerPairs: 20, fieldNameSize: 100 },
  });
  // The parser takes a form that simply stops (no closing "--boundary--") for a finished one; the last
  // bytes received tell a whole form from a cut one. The listener is added in the same tick as the
  // parser's own pipe (the loop's first step sets it up), so both see every chunk.
  const tailLength = (closing?.length ?? 0) + 256;
  const keepTail = (chunk: Buffer) => {
    tail = Buffer.concat([tail, chunk.subarray(-tailLength)]).subarray(-tailLength);
  };
  try {
    request.raw.on('data', keepTail);
    for await (const part of parts) {
      if (part.type !== 'file') continue;
      const name = part.fieldname;
      const isAttachment = /^attachment\d+$/.test(name) || (part.filename !== undefined && part.filename !== '');
      if (!isAttachment) {
        const keepPartial = (bytes: Buffer) => void fields.set(name, bytes);
        fields.set(name, await read(part.file, name === 'email' ? MAX_POST_BYTES : MAX_FIELD_BYTES, true, keepPartial));
        continue;
      }
      const type = imageType(part.mimetype, part.filename);
      const keep = type !== null && images.length < MAX_IMAGES;
      const content = await read(part.file, MAX_POST_BYTES, keep);
      if (keep && content.length > 0) images.push({ contentType: type, content, ...(part.filename ? { filename: part.filename } : {}) });
    }
  } catch (error) {
    if (error instanceof AppError || (error as { statusCode?: number }).statusCode === 413) throw error;
    // The client went away mid-post: nobody will read an answer, and SendGrid posts the mail again.
    if (request.raw.readableAborted) throw badRequest('incomplete_body', 'The post was interrupted.');
    malformed = true;
  } finally {
    request.raw.off('data', keepTail);
  }
  const complete = !malformed && closing !== undefined && tail.includes(closing);
  return { fields, images, complete };
}

/** SendGrid's spam score, when its spam check is on. */
function spamScore(fields: SendgridFields): number | undefined {
  const value = fields.get('spam_score');
  const score = value === undefined ? Number.NaN : Number.parseFloat(value.toString('latin1'));
  return Number.isFinite(score) ? score : undefined;
}

/**
 * `POST /ingest/sendgrid`: SendGrid Inbound Parse, in its default mode (the mail split into form fields,
 * each in its own charset) or with "POST the raw, full MIME message" ticked (the whole message in the
 * `email` field). Enabled when SENDGRID_INBOUND_PASSWORD is set; the URL configured at SendGrid carries it
 * as basic auth. SendGrid retries a 5xx for three days, so a fault of ours answers 503 and nothing else
 * does: a mail that cannot be used is stored rejected and answered 200.
 */
export async function sendgridRoutes(app: FastifyInstance): Promise<void> {
  const password = app.toile.config.secrets.sendgridInboundPassword;
  if (password === undefined) return;

  // In this plugin only: multipart bodies, read as a stream by the route.
  await app.register(fastifyMultipart, { throwFileSizeLimit: true });

  app.post('/ingest/sendgrid', {
    // Checked before the body is read: a forged post costs us nothing and stores nothing.
    onRequest: async (request) => {
      if (!hasBasicAuthPassword(request.headers.authorization, password)) {
        throw forbidden('forbidden', 'Basic auth is missing or its password is wrong (check the URL at SendGrid and SENDGRID_INBOUND_PASSWORD).');
      }
    },
  }, async (request, reply) => {
    if (!request.isMultipart()) throw badRequest('invalid_body', 'The body must be multipart/form-data, as SendGrid Inbound Parse posts it.');
    if (Number(request.headers['content-length'] ?? 0) > MAX_POST_BYTES) throw tooLarge();

    const form = await readForm(request);
    const { fields, images } = form;
    const envelope = envelopeOf(fields);
    const hold = [...(form.complete ? [] : ['malformed-mime']), ...((spamScore(fields) ?? 0) >= SPAM_SCORE_HOLD ? ['spam-score'] : [])];

    let parsed: ParsedEmail;
    const raw = fields.get('email');
    if (raw !== undefined) {
      parsed = await parseEmail(raw, { envelopeFrom: envelope.from });
      parsed.hold.push(...hold.filter((reason) => !parsed.hold.includes(reason)));
    } else if (['headers', 'from', 'text', 'html', 'subject'].some((name) => fields.has(name))) {
      parsed = await parsedModeEmail(fields, { envelopeFrom: envelope.from, images, hold });
    } else {
      throw badRequest('invalid_body', 'The form has none of the fields SendGrid Inbound Parse posts (email, or headers, from, text, html).');
    }

    const checks: Record<string, string> = {};
    for (const name of CHECK_FIELDS) {
      const value = fields.get(name);
      if (value !== undefined) checks[name] = decodeField(value, 'utf-8').trim().slice(0, 200);
    }
    const outcome = await app.toile.email({
      source: 'sendgrid',
      parsed,
      envelopeFrom: envelope.from,
      envelopeTo: envelope.to,
      raw: checks,
    });
    return reply.code(200).send({ ok: true, id: outcome.message.id, status: outcome.kind });
  });
}
