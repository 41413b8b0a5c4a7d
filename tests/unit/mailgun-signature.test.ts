import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mailgunSignature, verifyMailgunSignature } from '../../server/providers/mailgun-signature.js';

// Mailgun's own signed values, from the real capture tests/fixtures/email-webhooks/mailgun-parsed-valid.txt
// (signing key "foo", see the README there).
const CAPTURE = {
  timestamp: '1366071615',
  token: '5o56tmpwd3dnwthehwclemd-i-7u2gv9vb3u745ywj67d0mc87',
  signature: 'bc2ab6c1080d52f2a06928b93f21e86c2d28c548e2ef64354f8ba1a95bb53cd6',
};
const AT_CAPTURE = new Date(1366071615 * 1000);
const minutes = (n: number) => new Date(AT_CAPTURE.getTime() + n * 60_000);

describe('Mailgun webhook signatures', () => {
  it('verifies the signature Mailgun put on the real capture, with the key it was made with', () => {
    expect(mailgunSignature('foo', CAPTURE.timestamp, CAPTURE.token)).toBe(CAPTURE.signature);
    expect(verifyMailgunSignature('foo', CAPTURE, minutes(1))).toEqual({ ok: true, timestamp: 1366071615, token: CAPTURE.token });
    // Hex in capitals is the same signature.
    expect(verifyMailgunSignature('foo', { ...CAPTURE, signature: CAPTURE.signature.toUpperCase() }, minutes(1)).ok).toBe(true);
  });

  it('refuses another key, another token or timestamp, a truncated signature, and missing fields', () => {
    expect(verifyMailgunSignature('bar', CAPTURE, minutes(1))).toEqual({ ok: false, problem: 'mismatch' });
    expect(verifyMailgunSignature('foo', { ...CAPTURE, token: `${CAPTURE.token}x` }, minutes(1))).toEqual({ ok: false, problem: 'mismatch' });
    expect(verifyMailgunSignature('foo', { ...CAPTURE, timestamp: '1366071616' }, minutes(1))).toEqual({ ok: false, problem: 'mismatch' });
    expect(verifyMailgunSignature('foo', { ...CAPTURE, signature: CAPTURE.signature.slice(0, 63) }, minutes(1))).toEqual({ ok: false, problem: 'mismatch' });
    expect(verifyMailgunSignature('foo', { ...CAPTURE, timestamp: '1366071615.5' }, minutes(1))).toEqual({ ok: false, problem: 'mismatch' });
    expect(verifyMailgunSignature('foo', { timestamp: CAPTURE.timestamp, token: CAPTURE.token }, minutes(1))).toEqual({ ok: false, problem: 'missing' });
    expect(verifyMailgunSignature('foo', {}, minutes(1))).toEqual({ ok: false, problem: 'missing' });
  });

  it('refuses a token far longer than Mailgun’s, even correctly signed', () => {
    const token = 'a'.repeat(300);
    const signature = createHmac('sha256', 'foo').update(CAPTURE.timestamp + token).digest('hex');
    expect(verifyMailgunSignature('foo', { timestamp: CAPTURE.timestamp, token, signature }, minutes(1)).ok).toBe(false);
  });

  it('accepts a timestamp up to 9 hours old (Mailgun retries for 8 with the first timestamp) and up to 5 minutes ahead', () => {
    expect(verifyMailgunSignature('foo', CAPTURE, minutes(8 * 60 + 30)).ok).toBe(true);
    expect(verifyMailgunSignature('foo', CAPTURE, minutes(9 * 60 + 1))).toEqual({ ok: false, problem: 'stale' });
    expect(verifyMailgunSignature('foo', CAPTURE, minutes(-4)).ok).toBe(true);
    expect(verifyMailgunSignature('foo', CAPTURE, minutes(-6))).toEqual({ ok: false, problem: 'stale' });
  });
});
