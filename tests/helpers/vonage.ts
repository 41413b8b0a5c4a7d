import { createHash, createHmac } from 'node:crypto';
// The SDK's enum lives in @vonage/auth, which @vonage/sms depends on and re-exports nowhere.
import { AlgorithmTypes } from '@vonage/auth';
import { SMS } from '@vonage/sms';
import type { VonageSignatureMethod } from '../../server/providers/vonage-signature.js';

/** Vonage's dashboard names for the methods, and the SDK's. */
export const SDK_ALGORITHM: Record<VonageSignatureMethod, AlgorithmTypes> = {
  md5hash: AlgorithmTypes.md5hash,
  md5: AlgorithmTypes.md5hmac,
  sha1: AlgorithmTypes.sha1hmac,
  sha256: AlgorithmTypes.sha256hmac,
  sha512: AlgorithmTypes.sha512hmac,
};

/** The official SDK, the oracle every test signature is checked against. */
export const vonageSdk = new SMS({ apiKey: 'k', apiSecret: 's' });

/**
 * Signs as Vonage documents it (https://developer.vonage.com/en/getting-started/concepts/signing-messages),
 * written here from the documentation and not from the code under test; the tests check it against the
 * SDK's `verifySignature`. Vonage sends HMACs in upper case.
 */
export function vonageSign(params: Record<string, string>, secret: string, method: VonageSignatureMethod): string {
  const query = Object.keys(params)
    .filter((name) => name !== 'sig')
    .sort()
    .map((name) => `&${name}=${params[name]!.replace(/[&=]/g, '_')}`)
    .join('');
  if (method === 'md5hash') return createHash('md5').update(query + secret).digest('hex');
  return createHmac(method, secret).update(query).digest('hex').toUpperCase();
}
