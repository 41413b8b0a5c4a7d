import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { signatureAlgorithm, twilioSignature, urlVariants, verifyTwilioSignature } from '../../server/providers/twilio-signature.js';

// The vector published in Twilio's documentation ("Validating signatures from Twilio").
const DOC = {
  token: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' },
  signature: '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
};

describe('Twilio webhook signatures', () => {
  it('computes the signature published in Twilio’s documentation', () => {
    expect(twilioSignature(DOC.token, DOC.url, DOC.params)).toBe(DOC.signature);
    expect(verifyTwilioSignature(DOC.token, DOC.signature, DOC.url, DOC.params)).toBe(true);
  });

  it('agrees with the official twilio package for SHA-1 and SHA-256, with repeated and unicode parameters', () => {
    const params = { Body: 'Émoji 🎉 & "quotes" + plus', MediaUrl0: 'https://api.twilio.com/x?y=1', Tag: ['b', 'a', 'b'] };
    for (const algorithm of ['HMAC_SHA1', 'HMAC_SHA256'] as const) {
      const expected = twilio.getExpectedTwilioSignature('secret', 'https://toile.example.org/ingest/twilio', params, algorithm);
      expect(twilioSignature('secret', 'https://toile.example.org/ingest/twilio', params, algorithm)).toBe(expected);
      expect(verifyTwilioSignature('secret', expected, 'https://toile.example.org/ingest/twilio', params, algorithm)).toBe(true);
    }
  });

  it('refuses a changed parameter, a changed URL, the wrong token, the wrong algorithm, or an empty signature', () => {
    expect(verifyTwilioSignature(DOC.token, DOC.signature, DOC.url, { ...DOC.params, Digits: '1235' })).toBe(false);
    expect(verifyTwilioSignature(DOC.token, DOC.signature, 'https://mycompany.com/myapp.php?foo=1&bar=3', DOC.params)).toBe(false);
    expect(verifyTwilioSignature('12346', DOC.signature, DOC.url, DOC.params)).toBe(false);
    expect(verifyTwilioSignature(DOC.token, DOC.signature, DOC.url, DOC.params, 'HMAC_SHA256')).toBe(false);
    expect(verifyTwilioSignature(DOC.token, '', DOC.url, DOC.params)).toBe(false);
  });

  it('accepts the port variants the official validator accepts, and no others', () => {
    const withPort = twilio.getExpectedTwilioSignature(DOC.token, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', DOC.params);
    expect(twilio.validateRequest(DOC.token, withPort, DOC.url, DOC.params)).toBe(true);
    expect(verifyTwilioSignature(DOC.token, withPort, DOC.url, DOC.params)).toBe(true);
    // Configured with the port, signed without it.
    expect(verifyTwilioSignature(DOC.token, DOC.signature, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', DOC.params)).toBe(true);
    const otherPort = twilio.getExpectedTwilioSignature(DOC.token, 'https://mycompany.com:8443/myapp.php?foo=1&bar=2', DOC.params);
    expect(twilio.validateRequest(DOC.token, otherPort, DOC.url, DOC.params)).toBe(false);
    expect(verifyTwilioSignature(DOC.token, otherPort, DOC.url, DOC.params)).toBe(false);
    expect(urlVariants('http://[::1]:8080/x')).toEqual(['http://[::1]:8080/x', 'http://[::1]/x', 'http://[::1]:80/x']);
  });

  it('reads the algorithm from the signature settings header as the official package does', () => {
    for (const header of [undefined, '', 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256', 'algorithm=HMAC_SHA1', 'key=k']) {
      const ours = signatureAlgorithm(header);
      expect(ours).toBe(twilio.getSignatureAlgorithm(header));
    }
    expect(signatureAlgorithm('algorithm=HMAC_MD5')).toBeNull();
  });
});
