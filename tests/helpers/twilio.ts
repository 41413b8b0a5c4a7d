import twilio from 'twilio';
import type { TestResponse, TestServer } from './server.js';

export const TWILIO_TOKEN = 'twilio-test-auth-token-0123456789ab';
export const ACCOUNT_SID = 'AC58f1e8f2b1c6b88ca90a012a4be0c279';

/** A Twilio inbound SMS as Twilio posts it, with the fields that matter overridable. */
export function twilioParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ToCountry: 'FR',
    SmsMessageSid: overrides.MessageSid ?? 'SM00000000000000000000000000000001',
    NumMedia: '0',
    SmsSid: overrides.MessageSid ?? 'SM00000000000000000000000000000001',
    SmsStatus: 'received',
    Body: 'Bravo pour la plénière #capcomnet',
    To: '+33700000001',
    NumSegments: '1',
    MessageSid: 'SM00000000000000000000000000000001',
    AccountSid: ACCOUNT_SID,
    From: '+33612345678',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
}

export interface PostOptions {
  /** The secret to sign with; the auth token by default. */
  secret?: string;
  /** The URL to sign; the server's public URL for the path by default. */
  signedUrl?: string;
  path?: string;
  headers?: Record<string, string>;
  algorithm?: 'HMAC_SHA1' | 'HMAC_SHA256';
}

/** Posts a form body signed by the official `twilio` package, as Twilio would. */
export function postTwilio(server: TestServer, params: Record<string, string>, options: PostOptions = {}): Promise<TestResponse> {
  const path = options.path ?? '/ingest/twilio';
  const url = options.signedUrl ?? server.app.toile.config.publicUrl + path;
  const signature = twilio.getExpectedTwilioSignature(options.secret ?? TWILIO_TOKEN, url, params, options.algorithm);
  return server.request('POST', path, new URLSearchParams(params).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    'x-twilio-signature': signature,
    ...options.headers,
  });
}
