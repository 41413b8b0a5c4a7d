import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of SMS Gateway for Android (and of Toile's own GSM modem bridge, which reuses it): hex
 * HMAC-SHA256, keyed with the signing key, of the raw body bytes followed by the `X-Timestamp` header
 * (Unix seconds). The timestamp must be within a window of the server's clock, so that a captured request
 * cannot be replayed later.
 */

export const TIMESTAMP_WINDOW_SECONDS = 5 * 60;

export function hmacTimestampSignature(key: string, body: Buffer, timestamp: string): string {
  return createHmac('sha256', key).update(body).update(timestamp, 'utf8').digest('hex');
}

export type HmacCheck = { ok: true } | { ok: false; problem: 'missing' | 'stale' | 'mismatch' };

export function verifyHmacTimestamp(
  key: string,
  body: Buffer,
  signature: string | undefined,
  timestamp: string | undefined,
  now: Date,
): HmacCheck {
  if (!signature || !timestamp) return { ok: false, problem: 'missing' };
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now.getTime() / 1000 - Number(timestamp)) > TIMESTAMP_WINDOW_SECONDS) {
    return { ok: false, problem: 'stale' };
  }
  const expected = Buffer.from(hmacTimestampSignature(key, body, timestamp));
  const given = Buffer.from(signature.trim().toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given) ? { ok: true } : { ok: false, problem: 'mismatch' };
}
