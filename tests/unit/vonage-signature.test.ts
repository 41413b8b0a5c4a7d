import { describe, expect, it } from 'vitest';
import { VONAGE_SIGNATURE_METHODS, verifyVonageSignature } from '../../server/providers/vonage-signature.js';
import { SDK_ALGORITHM, vonageSdk, vonageSign } from '../helpers/vonage.js';

const SECRET = 'sig-secret-4f9a';



/** An inbound SMS as Vonage posts it, with the characters that the signing scheme treats specially. */
function inbound(): Record<string, string> {
  return {
    'api-key': 'abcd1234',
    msisdn: '447700900001',
    to: '447700900000',
    messageId: '0A0000000123ABCD1',
    text: 'Café & croissants = bonheur 🥐',
    type: 'unicode',
    keyword: 'CAFÉ',
    'message-timestamp': '2026-05-04 10:00:00',
    timestamp: '1777888800',
    nonce: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
  };
}


describe.each(VONAGE_SIGNATURE_METHODS)('a Vonage signature made with %s', (method) => {
  it('is accepted by the official SDK and by our verifier', () => {
    const params = inbound();
    const sig = vonageSign(params, SECRET, method);
    expect(vonageSdk.verifySignature(sig, params, SECRET, SDK_ALGORITHM[method])).toBe(true);
    expect(verifyVonageSignature({ ...params, sig }, SECRET, method)).toBe(true);
  });

  it('is refused once a parameter is tampered with, or with another secret or method', () => {
    const params = inbound();
    const sig = vonageSign(params, SECRET, method);
    const tampered = { ...params, text: 'Café & croissants = malheur 🥐', sig };
    expect(vonageSdk.verifySignature(sig, tampered, SECRET, SDK_ALGORITHM[method])).toBe(false);
    expect(verifyVonageSignature(tampered, SECRET, method)).toBe(false);
    expect(verifyVonageSignature({ ...params, extra: 'x', sig }, SECRET, method)).toBe(false);
    expect(verifyVonageSignature({ ...params, sig }, 'another-secret', method)).toBe(false);
    const other = method === 'sha256' ? 'sha512' : 'sha256';
    expect(verifyVonageSignature({ ...params, sig }, SECRET, other)).toBe(false);
  });

  it('is compared without regard to the case of its hex digits', () => {
    const params = inbound();
    const sig = vonageSign(params, SECRET, method);
    expect(verifyVonageSignature({ ...params, sig: sig.toLowerCase() }, SECRET, method)).toBe(true);
    expect(verifyVonageSignature({ ...params, sig: sig.toUpperCase() }, SECRET, method)).toBe(true);
  });
});

describe('verifying a Vonage signature', () => {
  it('refuses a request without a signature', () => {
    expect(verifyVonageSignature(inbound(), SECRET, 'md5hash')).toBe(false);
    expect(verifyVonageSignature({ ...inbound(), sig: '' }, SECRET, 'md5hash')).toBe(false);
  });

  it('refuses a signature of the wrong length without throwing', () => {
    const sig = vonageSign(inbound(), SECRET, 'sha256');
    expect(verifyVonageSignature({ ...inbound(), sig: sig.slice(0, -2) }, SECRET, 'sha256')).toBe(false);
    expect(verifyVonageSignature({ ...inbound(), sig: `${sig}00` }, SECRET, 'sha256')).toBe(false);
    expect(verifyVonageSignature({ ...inbound(), sig: 'é'.repeat(32) }, SECRET, 'md5hash')).toBe(false);
  });

  it('signs a value with & and = as the SDK does, so that one cannot forge a parameter boundary', () => {
    // "a=1&b" as one value and "a" plus "b" as two parameters must not sign alike.
    const joined = { msisdn: '447700900001', text: 'x&b=2', sig: '' };
    joined.sig = vonageSign(joined, SECRET, 'md5hash');
    expect(vonageSdk.verifySignature(joined.sig, joined, SECRET, SDK_ALGORITHM.md5hash)).toBe(true);
    expect(verifyVonageSignature(joined, SECRET, 'md5hash')).toBe(true);
    expect(verifyVonageSignature({ msisdn: '447700900001', text: 'x', b: '2', sig: joined.sig }, SECRET, 'md5hash')).toBe(false);
  });
});
