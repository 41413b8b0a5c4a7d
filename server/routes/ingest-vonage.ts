import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Toile } from '../app.js';
import { badRequest, forbidden } from '../errors.js';
import {
  DEFAULT_VONAGE_SIGNATURE_METHOD,
  verifyVonageSignature,
  type VonageSignatureMethod,
} from '../providers/vonage-signature.js';
import { createSmsParts, type SmsParts } from '../services/sms-parts.js';
import { errorBody } from './schemas.js';

/**
 * Vonage SMS API inbound webhook: `POST|GET /ingest/vonage`, enabled by `VONAGE_SIGNATURE_SECRET`.
 * https://developer.vonage.com/en/messaging/sms/guides/inbound-sms
 *
 * Vonage sends the message as a form, as JSON or as a query string, signed with the account's signature
 * secret. It retries anything but a 200 or 204 for a day, so: a forged or stale request gets 403, a signed
 * request we cannot use gets 400, a fault of ours 503 (thrown on to the error handler), and 200 only once
 * the message (or the part of a long message) is committed.
 */

/** What Vonage sends, every value a string. `api-key` and any parameter added later are signed too. */
type VonageParams = Record<string, string>;

/** How far ahead of our clock a request's `timestamp` may be: clocks drift a little. */
const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
/**
 * How old a request's `timestamp` may be. Vonage's `timestamp` is when it *started* pushing the message,
 * and a retry keeps it: Vonage retries for 24 hours, so a stricter window would turn every retry after
 * an outage of a few minutes into a lost message. A replay inside the window is harmless, as each
 * `messageId` is stored once; anything older than Vonage's own retries is refused as stale.
 */
const MAX_AGE_SECONDS = 24 * 60 * 60 + MAX_CLOCK_SKEW_SECONDS;
/** How often waiting parts are checked for a timeout. */
const SWEEP_INTERVAL_MS = 1000;
/** A long SMS has at most 255 parts: the part counters of the concatenation header are one byte. */
const MAX_PARTS = 255;

/** A JSON body's values: Vonage sends strings, but a number or a boolean is not worth a day of retries. */
const scalar = { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } as const;
const received = { type: 'object', additionalProperties: false } as const;
const refusals = { 400: errorBody, 403: errorBody, 503: errorBody } as const;

/** The parts service for Vonage, built from the app's state; holds nothing itself, SQLite does. */
function vonageParts(toile: Toile): SmsParts {
  return createSmsParts({
    repos: toile.repos,
    now: toile.now,
    receive: toile.sms,
    source: 'vonage',
    timeoutSeconds: toile.config.smsPartsTimeoutSeconds,
  });
}

/**
 * Hands over the long SMS whose parts waited too long (and any whose hand-over failed). The plugin runs it
 * every second; tests call it directly.
 */
export function sweepVonageParts(app: FastifyInstance): Promise<number> {
  return vonageParts(app.toile).sweep();
}

/** The request's parameters as Vonage signed them: the query string of a GET, the body of a POST. */
function paramsOf(request: FastifyRequest): VonageParams {
  const values = (request.method === 'POST' ? request.body : request.query) as Record<string, unknown> | undefined | null;
  return Object.fromEntries(Object.entries(values ?? {}).map(([name, value]) => [name, String(value)]));
}

function authenticate(params: VonageParams, secret: string, method: VonageSignatureMethod): void {
  if (params.sig === undefined || params.sig === '') {
    throw forbidden('forbidden', 'The request is not signed: Vonage adds a sig parameter once signed webhooks are enabled.');
  }
  if (!verifyVonageSignature(params, secret, method)) {
    throw forbidden('forbidden', 'The signature does not match: check VONAGE_SIGNATURE_SECRET and VONAGE_SIGNATURE_METHOD.');
  }
}

/** A signed request is good for as long as Vonage retries it, and not from the future. */
function checkFresh(params: VonageParams, now: Date): void {
  const timestamp = params.timestamp;
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) {
    throw forbidden('forbidden', 'The request has no valid timestamp; Vonage adds one to every signed request.');
  }
  const age = now.getTime() / 1000 - Number(timestamp);
  if (age > MAX_AGE_SECONDS) {
    throw forbidden('forbidden', 'The request timestamp is stale (older than Vonage’s 24 hours of retries): a replay.');
  }
  if (age < -MAX_CLOCK_SKEW_SECONDS) {
    throw forbidden('forbidden', 'The request timestamp is more than 5 minutes ahead of this server’s clock: set the clock right.');
  }
}

/** A parameter that must be sent; `nonEmpty` when an empty value is as good as none. */
function required(params: VonageParams, name: string, { nonEmpty = true } = {}): string {
  const value = params[name];
  if (value === undefined || (nonEmpty && value.trim() === '')) throw badRequest('invalid_request', `${name} is required.`);
  return value;
}

function partNumber(params: VonageParams, name: string, max: number): number {
  const value = params[name];
  if (value === undefined || !/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw badRequest('invalid_request', `${name} must be a whole number from 1 to ${max}.`);
  }
  return Number(value);
}

/** `message-timestamp` is UTC as `YYYY-MM-DD HH:MM:SS` (sometimes followed by ` +0000`). */
function sentAt(params: VonageParams): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/.exec(params['message-timestamp'] ?? '');
  const date = match ? new Date(`${match[1]}T${match[2]}Z`) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

interface VonageSms {
  messageId: string;
  from: string;
  to?: string;
  /** A binary SMS carries `data` and `udh` instead: nothing a wall can show, so its text is empty. */
  text: string;
  createdAt?: Date;
  /** Set for one part of a long SMS. */
  concat?: { ref: string; total: number; part: number };
  /** The payload without its signature, kept private with the message. */
  raw: VonageParams;
}

/** The SMS in a signed request; a 400 names what is missing (never its value: it may be a number). */
function parseSms(params: VonageParams): VonageSms {
  const { sig: _sig, ...raw } = params;
  const sms: VonageSms = {
    messageId: required(params, 'messageId'),
    from: required(params, 'msisdn'),
    to: params.to === undefined || params.to === '' ? undefined : params.to,
    // An empty text is a message after all: stored rejected as empty, so that Vonage stops sending it.
    text: params.type === 'binary' ? '' : required(params, 'text', { nonEmpty: false }),
    createdAt: sentAt(params),
    raw,
  };
  if (params.concat === 'true') {
    const total = partNumber(params, 'concat-total', MAX_PARTS);
    sms.concat = { ref: required(params, 'concat-ref'), total, part: partNumber(params, 'concat-part', total) };
  }
  return sms;
}

export async function vonageRoutes(app: FastifyInstance): Promise<void> {
  const secret = app.toile.config.secrets.vonageSignatureSecret;
  // Not configured: the endpoint does not exist, and answers 404 like any unknown path.
  if (secret === undefined) return;
  // config.ts accepts only the method names Vonage's dashboard offers.
  const method = (app.toile.config.secrets.vonageSignatureMethod ?? DEFAULT_VONAGE_SIGNATURE_METHOD) as VonageSignatureMethod;
  const toile = app.toile;
  const parts = vonageParts(toile);

  // Registered here, the form parser serves this endpoint only.
  await app.register(fastifyFormbody);

  const receive = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = paramsOf(request);
    try {
      authenticate(params, secret, method);
      checkFresh(params, toile.now());
    } catch (error) {
      // Says which check failed, to help set the endpoint up; the parameters themselves stay out of logs.
      request.log.warn({ reason: (error as Error).message }, 'refused a Vonage webhook');
      throw error;
    }
    const sms = parseSms(params);
    if (sms.concat) {
      await parts.accept({
        source: 'vonage',
        providerMessageId: sms.messageId,
        from: sms.from,
        to: sms.to,
        ...sms.concat,
        text: sms.text,
        raw: sms.raw,
      });
    } else {
      await toile.sms({
        source: 'vonage',
        providerMessageId: sms.messageId,
        from: sms.from,
        to: sms.to,
        text: sms.text,
        createdAt: sms.createdAt,
        raw: sms.raw,
      });
    }
    return reply.code(200).send({});
  };

  app.get('/ingest/vonage', {
    schema: { querystring: { type: 'object', additionalProperties: { type: 'string' } }, response: { 200: received, ...refusals } },
  }, receive);
  app.post('/ingest/vonage', {
    schema: { body: { type: 'object', additionalProperties: scalar }, response: { 200: received, ...refusals } },
  }, receive);

  let sweeping = false;
  const timer = setInterval(() => {
    // A slow sweep is not run twice at once; the next tick picks up where it stopped.
    if (sweeping) return;
    sweeping = true;
    parts
      .sweep()
      .catch((error: unknown) => app.log.error({ err: error }, 'assembling timed-out SMS parts failed; retrying in a second'))
      .finally(() => {
        sweeping = false;
      });
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
