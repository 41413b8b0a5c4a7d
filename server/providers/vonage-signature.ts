import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verifies the `sig` parameter Vonage's SMS API adds to a signed inbound webhook.
 * https://developer.vonage.com/en/getting-started/concepts/signing-messages (the reference implementation
 * is `SMS.verifySignature` in `@vonage/sms`, which the tests use as the oracle).
 */

/** The names Vonage's dashboard gives its methods: an MD5 hash of the query and the secret, or an HMAC. */
export const VONAGE_SIGNATURE_METHODS = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
export type VonageSignatureMethod = (typeof VONAGE_SIGNATURE_METHODS)[number];

/** Vonage's dashboard default, used when a secret is configured without a method. */
export const DEFAULT_VONAGE_SIGNATURE_METHOD: VonageSignatureMethod = 'md5hash';

/**
 * The string Vonage signs: every parameter but `sig`, sorted by name as JavaScript sorts strings (as the
 * SDK does), each as `&name=value`, with `&` and `=` in values replaced by `_` so that a value cannot
 * forge a boundary between parameters.
 */
export function vonageSignedQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((name) => name !== 'sig')
    .sort()
    .map((name) => `&${name}=${params[name]!.replace(/[&=]/g, '_')}`)
    .join('');
}

function expectedSignature(params: Readonly<Record<string, string>>, secret: string, method: VonageSignatureMethod): string {
  const query = vonageSignedQuery(params);
  if (method === 'md5hash') return createHash('md5').update(query + secret).digest('hex');
  return createHmac(method, secret).update(query).digest('hex');
}

/**
 * Whether `params.sig` is Vonage's signature of the other parameters. Vonage sends MD5 hashes in lower
 * case and HMACs in upper case, so hex is compared case-insensitively; the comparison takes the same time
 * wherever the first difference is, so that a forger cannot find the signature byte by byte.
 */
export function verifyVonageSignature(
  params: Readonly<Record<string, string>>,
  secret: string,
  method: VonageSignatureMethod,
): boolean {
  const received = params.sig;
  if (received === undefined || received === '') return false;
  const expected = Buffer.from(expectedSignature(params, secret, method), 'utf8');
  const given = Buffer.from(received.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
