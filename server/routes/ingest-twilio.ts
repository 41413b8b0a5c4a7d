import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MediaItem } from '../domain/message.js';
import { badRequest, forbidden } from '../errors.js';
import { signatureAlgorithm, verifyTwilioSignature, type TwilioParams } from '../providers/twilio-signature.js';

/** Twilio posts at most 10 media per message. */
const MAX_MEDIA = 10;

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** TwiML: an empty `<Response/>`, or one SMS back to the sender. */
function twiml(reply: FastifyReply, message: string | null): FastifyReply {
  const body = message === null ? '<Response/>' : `<Response><Message>${xmlText(message)}</Message></Response>`;
  return reply.type('text/xml').send(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
}

function single(params: TwilioParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `POST /ingest/twilio`: Twilio's incoming-message webhook (SMS and MMS). Enabled when TWILIO_AUTH_TOKEN
 * (or TWILIO_SHARED_KEY_SECRET) is set. The signature is checked over the public URL and every received
 * parameter before anything else; the message is stored once per MessageSid; the answer is TwiML.
 */
export async function twilioRoutes(app: FastifyInstance): Promise<void> {
  const { config, media } = app.toile;
  const { twilioAuthToken: authToken, twilioSharedKeySecret: sharedKey } = config.secrets;
  if (authToken === undefined && sharedKey === undefined) return;

  // Twilio posts application/x-www-form-urlencoded; the parser is registered here only.
  await app.register(fastifyFormbody);

  app.post<{ Body: TwilioParams }>('/ingest/twilio', async (request, reply) => {
    const signature = request.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature === '') {
      throw badRequest('missing_signature', 'X-Twilio-Signature header is missing.');
    }
    const settings = request.headers['x-twilio-webhooks-signature-settings'];
    const algorithm = signatureAlgorithm(typeof settings === 'string' ? settings : undefined);
    if (algorithm === null) throw forbidden('forbidden', 'X-Twilio-Webhooks-Signature-Settings names an unsupported algorithm.');
    // No settings header: the auth token signed it. With one: the SharedKey of a Webhook Setting did.
    const secret = settings === undefined ? authToken : sharedKey;
    if (secret === undefined) {
      throw forbidden('forbidden', settings === undefined
        ? 'This request is signed with the auth token, and TWILIO_AUTH_TOKEN is not set.'
        : 'This request is signed with a SharedKey, and TWILIO_SHARED_KEY_SECRET is not set.');
    }
    const params = request.body !== null && typeof request.body === 'object' ? request.body : {};
    if (!verifyTwilioSignature(secret, signature, config.publicUrl + request.url, params, algorithm)) {
      throw forbidden('forbidden', 'X-Twilio-Signature does not match this request (check TWILIO_AUTH_TOKEN and TOILE_PUBLIC_URL).');
    }

    const sid = single(params, 'MessageSid') ?? single(params, 'SmsSid');
    const from = single(params, 'From');
    if (!sid || sid.length > 64) throw badRequest('invalid_body', 'MessageSid is missing.');
    if (!from) throw badRequest('invalid_body', 'From is missing.');
    const numMedia = Math.min(Number.parseInt(single(params, 'NumMedia') ?? '0', 10) || 0, MAX_MEDIA);
    const accountSid = single(params, 'AccountSid');
    // Media URLs answer only to the account's credentials (when "HTTP Basic Authentication for media"
    // is on, as it should be: pictures sent to a wall are private until a moderator approves them).
    const headers: Record<string, string> =
      authToken !== undefined && accountSid
        ? { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` }
        : {};

    const outcome = await app.toile.sms(
      {
        source: 'twilio',
        providerMessageId: sid,
        from,
        to: single(params, 'To'),
        text: single(params, 'Body') ?? '',
        raw: params,
      },
      {
        loadMedia:
          numMedia === 0
            ? undefined
            : async () => {
                const items: MediaItem[] = [];
                const problems: string[] = [];
                for (let i = 0; i < numMedia; i++) {
                  const url = single(params, `MediaUrl${i}`);
                  if (!url) continue;
                  const fetched = await media.fetchImage(url, { headers });
                  if (fetched.ok) items.push(fetched.item);
                  else problems.push(fetched.problem);
                }
                return { media: items, problems: [...new Set(problems)] };
              },
      },
    );
    return twiml(reply, outcome.reply);
  });
}
