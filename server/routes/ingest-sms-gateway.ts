import type { FastifyInstance } from 'fastify';
import { badRequest, forbidden } from '../errors.js';
import { verifyHmacTimestamp } from '../providers/hmac-timestamp.js';

interface GatewayEnvelope {
  deviceId?: unknown;
  event?: unknown;
  id?: unknown;
  payload?: { messageId?: unknown; message?: unknown; phoneNumber?: unknown; simNumber?: unknown; receivedAt?: unknown };
  webhookId?: unknown;
}

const PROBLEMS = {
  missing: 'X-Signature and X-Timestamp headers are required.',
  stale: 'X-Timestamp is more than 5 minutes away from our clock (check the time on the phone and the server).',
  mismatch: 'X-Signature does not match this body (check SMS_GATEWAY_SIGNING_KEY and the signing key in the app).',
} as const;

function text(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}

/**
 * `POST /ingest/sms-gateway`: SMS Gateway for Android, an app that turns a phone with a SIM card at the
 * venue into the event number, with no cloud account; also what scripts/gammu-to-toile.mjs posts for a
 * GSM modem. Enabled when SMS_GATEWAY_SIGNING_KEY is set. The signature covers the raw bytes, so the body
 * is verified before it is parsed. Only `sms:received` is taken; other events are acknowledged.
 */
export async function smsGatewayRoutes(app: FastifyInstance): Promise<void> {
  const key = app.toile.config.secrets.smsGatewaySigningKey;
  if (key === undefined) return;

  // In this plugin only, JSON arrives as the raw bytes that were signed.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post<{ Body: Buffer }>('/ingest/sms-gateway', async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) throw badRequest('invalid_body', 'The body must be JSON (Content-Type: application/json).');
    const signature = request.headers['x-signature'];
    const timestamp = request.headers['x-timestamp'];
    const check = verifyHmacTimestamp(
      key,
      request.body,
      typeof signature === 'string' ? signature : undefined,
      typeof timestamp === 'string' ? timestamp : undefined,
      app.toile.now(),
    );
    if (!check.ok) throw forbidden('forbidden', PROBLEMS[check.problem]);

    let envelope: GatewayEnvelope;
    try {
      envelope = JSON.parse(request.body.toString('utf8')) as GatewayEnvelope;
    } catch {
      throw badRequest('invalid_json', 'The body is not valid JSON.');
    }
    if (envelope === null || typeof envelope !== 'object') throw badRequest('invalid_body', 'The body must be a JSON object.');
    // sms:sent, sms:delivered, system:ping…: acknowledged, so that the phone does not retry them.
    if (envelope.event !== 'sms:received') return reply.code(200).send({ ok: true, ignored: true });

    const id = text(envelope.id, 200);
    const payload = envelope.payload ?? {};
    const from = text(payload.phoneNumber, 64);
    const message = typeof payload.message === 'string' ? payload.message : undefined;
    if (id === undefined) throw badRequest('invalid_body', 'id (the webhook delivery id) is missing.');
    if (from === undefined) throw badRequest('invalid_body', 'payload.phoneNumber is missing.');
    if (message === undefined) throw badRequest('invalid_body', 'payload.message is missing.');
    const receivedAt = typeof payload.receivedAt === 'string' ? new Date(payload.receivedAt) : undefined;

    const outcome = await app.toile.sms({
      source: 'sms-gateway',
      // The envelope id is unique per delivery; payload.messageId is derived from the content and repeats.
      providerMessageId: id,
      from,
      text: message,
      createdAt: receivedAt && !Number.isNaN(receivedAt.getTime()) ? receivedAt : undefined,
      raw: envelope,
    });
    return reply.code(200).send({ ok: true, id: outcome.message.id, status: outcome.kind });
  });
}
