import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Mailgun's webhook signature (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks):
 * every POST carries `timestamp` (Unix seconds), `token` (a random string, 50 characters in practice) and
 * `signature`, the hex HMAC-SHA256 of timestamp followed by token, keyed with the domain's "HTTP webhook
 * signing key". The signature covers nothing of the message itself, so a captured request could carry any
 * content: a token is good for one message only (the route remembers the tokens it accepted), and the
 * timestamp bounds how long a token has to be remembered.
 */

/**
 * How old a timestamp may be. Mailgun retries a delivery that failed (anything but 200 or 406) for 8 hours
 * (webhook-retries in its documentation), and a retry resends the first attempt's timestamp, token and
 * signature: a window of minutes would refuse the retries of a message we answered 503 and lose it. Tokens
 * already seen are refused whatever their age, so the window only bounds how long they are kept.
 */
export const MAILGUN_MAX_AGE_SECONDS = 9 * 60 * 60;
/** How far ahead of our clock a timestamp may be: clocks drift, but a message is never from the future. */
export const MAILGUN_MAX_SKEW_SECONDS = 5 * 60;
/** Mailgun's tokens are 50 characters; anything much longer is not one, and is not worth storing. */
const MAX_TOKEN_LENGTH = 256;

export interface MailgunSignatureFields {
  timestamp?: string;
  token?: string;
  signature?: string;
}

export type MailgunCheck =
  | { ok: true; timestamp: number; token: string }
  | { ok: false; problem: 'missing' | 'mismatch' | 'stale' };

export function mailgunSignature(key: string, timestamp: string, token: string): string {
  return createHmac('sha256', key).update(timestamp + token, 'utf8').digest('hex');
}

/**
 * Checks the signature (in constant time), then that the timestamp lies within
 * [now − MAILGUN_MAX_AGE_SECONDS, now + MAILGUN_MAX_SKEW_SECONDS]. Whether the token was already used is
 * the caller's to check: it needs the database.
 */
export function verifyMailgunSignature(key: string, fields: MailgunSignatureFields, now: Date): MailgunCheck {
  const { timestamp, token, signature } = fields;
  if (!timestamp || !token || !signature) return { ok: false, problem: 'missing' };
  if (!/^\d{1,12}$/.test(timestamp) || token.length > MAX_TOKEN_LENGTH) return { ok: false, problem: 'mismatch' };
  const expected = Buffer.from(mailgunSignature(key, timestamp, token));
  const given = Buffer.from(signature.trim().toLowerCase());
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, problem: 'mismatch' };
  const age = now.getTime() / 1000 - Number(timestamp);
  if (age > MAILGUN_MAX_AGE_SECONDS || age < -MAILGUN_MAX_SKEW_SECONDS) return { ok: false, problem: 'stale' };
  return { ok: true, timestamp: Number(timestamp), token };
}
