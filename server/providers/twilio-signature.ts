import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio's webhook signature: base64 HMAC of the full URL Twilio requested, followed by every POST
 * parameter sorted by name as name+value. The key is the account's auth token and the hash SHA-1, unless a
 * Webhook Setting signs with a SharedKey, which Twilio announces in `X-Twilio-Webhooks-Signature-Settings`
 * (`key=…,algorithm=HMAC_SHA256`). The official `twilio` package is the reference; the tests check this
 * against it and against the vector published in Twilio's documentation.
 */

export type TwilioParams = Record<string, string | string[] | undefined>;
export type TwilioAlgorithm = 'HMAC_SHA1' | 'HMAC_SHA256';

/** The algorithm a settings header names; HMAC_SHA1 when there is none; null when it names another. */
export function signatureAlgorithm(settingsHeader: string | undefined): TwilioAlgorithm | null {
  for (const part of (settingsHeader ?? '').split(',')) {
    const [name, value] = part.split('=', 2).map((s) => s.trim());
    if (name === 'algorithm' && value) {
      const upper = value.toUpperCase();
      return upper === 'HMAC_SHA1' || upper === 'HMAC_SHA256' ? upper : null;
    }
  }
  return 'HMAC_SHA1';
}

/** The string Twilio signs: the URL, then name+value for each parameter by name (repeated values sorted). */
function signedData(url: string, params: TwilioParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const v of values) data += name + v;
  }
  return data;
}

export function twilioSignature(secret: string, url: string, params: TwilioParams, algorithm: TwilioAlgorithm = 'HMAC_SHA1'): string {
  return createHmac(algorithm === 'HMAC_SHA256' ? 'sha256' : 'sha1', secret)
    .update(signedData(url, params), 'utf8')
    .digest('base64');
}

/**
 * The URL as Twilio may have signed it: as configured, without its port, and with the scheme's default
 * port added, since Twilio signs the URL as it was entered in its console (`https://host/…` or
 * `https://host:443/…`) while a proxy may present either.
 */
export function urlVariants(url: string): string[] {
  const match = /^(https?:\/\/)([^/?#]*)(.*)$/i.exec(url);
  if (!match) return [url];
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const portStart = authority.indexOf(':', authority.lastIndexOf(']') + 1);
  const host = portStart === -1 ? authority : authority.slice(0, portStart);
  const defaultPort = scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return [...new Set([url, scheme + host + rest, scheme + host + defaultPort + rest])];
}

/**
 * Checks a received signature against each URL variant in turn, each comparison in constant time. The
 * URL as configured is tried first, and matches nearly always; timing can tell at most which variant
 * matched, which is no secret.
 */
export function verifyTwilioSignature(
  secret: string,
  received: string,
  url: string,
  params: TwilioParams,
  algorithm: TwilioAlgorithm = 'HMAC_SHA1',
): boolean {
  const given = Buffer.from(received);
  return urlVariants(url).some((candidate) => {
    const expected = Buffer.from(twilioSignature(secret, candidate, params, algorithm));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
