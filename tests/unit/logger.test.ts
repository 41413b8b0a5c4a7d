import Fastify from 'fastify';
import pino, { type LoggerOptions } from 'pino';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../server/logger.js';

/** A destination that keeps every line pino writes, parsed, so that tests read what an operator would. */
class LogLines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  private text = '';

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    let newline = this.text.indexOf('\n');
    while (newline !== -1) {
      this.lines.push(JSON.parse(this.text.slice(0, newline)) as Record<string, unknown>);
      this.text = this.text.slice(newline + 1);
      newline = this.text.indexOf('\n');
    }
    done();
  }

  get raw(): string {
    return this.lines.map((line) => JSON.stringify(line)).join('\n');
  }
}

/** Toile's logger options as pino sees them (the Fastify type also allows `true`/`false`). */
function toileOptions(): LoggerOptions {
  const options = loggerOptions('info');
  if (typeof options !== 'object' || options === null) throw new Error('loggerOptions did not return pino options');
  return options as LoggerOptions;
}

/** A real pino logger with Toile's redaction, writing into memory. */
function logger() {
  const out = new LogLines();
  const { redact, level } = toileOptions();
  return { log: pino({ level, redact }, out), out };
}

const SECRETS = {
  authorization: 'Bearer tok_live_abcdef',
  cookie: 'toile_session=sess_123456',
  csrf: 'csrf_abcdef',
  twilioSignature: 'twilio-sig-xyz=',
  genericSignature: 'sms-gateway-sig',
  setCookie: 'toile_session=sess_new; HttpOnly',
};

describe('the log redaction', () => {
  it('blanks credentials and signatures in request headers while keeping the harmless ones', () => {
    const { log, out } = logger();
    log.info(
      {
        req: {
          method: 'POST',
          headers: {
            authorization: SECRETS.authorization,
            cookie: SECRETS.cookie,
            'x-csrf-token': SECRETS.csrf,
            'x-twilio-signature': SECRETS.twilioSignature,
            'x-signature': SECRETS.genericSignature,
            'user-agent': 'TwilioProxy/1.1',
          },
        },
      },
      'incoming webhook',
    );
    const headers = (out.lines[0]?.req as { headers: Record<string, string> }).headers;
    expect(headers).toEqual({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-csrf-token': '[redacted]',
      'x-twilio-signature': '[redacted]',
      'x-signature': '[redacted]',
      'user-agent': 'TwilioProxy/1.1',
    });
    for (const secret of Object.values(SECRETS)) expect(out.raw).not.toContain(secret);
  });

  it('blanks the session cookie a response sets', () => {
    const { log, out } = logger();
    log.info({ res: { statusCode: 200, headers: { 'set-cookie': SECRETS.setCookie, 'content-type': 'application/json' } } }, 'login');
    expect(out.lines[0]?.res).toEqual({ statusCode: 200, headers: { 'set-cookie': '[redacted]', 'content-type': 'application/json' } });
  });

  it.each(['password', 'token', 'csrfToken', 'phone', 'email', 'address', 'from', 'to', 'sender', 'raw'])(
    'blanks a "%s" field at the top of a log object and one level down',
    (field) => {
      const { log, out } = logger();
      const secret = `secret-${field}-33612345678`;
      log.info({ [field]: secret, detail: { [field]: secret, kept: 'visible' } }, 'something happened');
      const line = out.lines[0]!;
      expect(line[field]).toBe('[redacted]');
      expect(line.detail).toEqual({ [field]: '[redacted]', kept: 'visible' });
      expect(out.raw).not.toContain(secret);
    },
  );

  it('blanks a whole raw provider payload, not just its text', () => {
    const { log, out } = logger();
    log.info({ raw: { msisdn: '33612345678', text: 'hi' } }, 'stored');
    expect(out.lines[0]?.raw).toBe('[redacted]');
    expect(out.raw).not.toContain('33612345678');
  });

  it('keeps the message and the fields that are not sensitive', () => {
    const { log, out } = logger();
    log.info({ wall: 'main', seq: 7 }, 'event published');
    expect(out.lines[0]).toMatchObject({ wall: 'main', seq: 7, msg: 'event published' });
  });

  // The Contribution type keeps the contributor's phone number or email in author.address; the module
  // promises that addresses never reach a log "whatever object a route happens to log".
  it("blanks the contributor's address inside a logged contribution", () => {
    const { log, out } = logger();
    log.info({ contribution: { channel: 'sms', author: { name: 'Ada', address: '+33612345678' }, text: 'hi' } }, 'ingested');
    expect(out.raw).not.toContain('+33612345678');
  });
});

describe('the request serializer', () => {
  function serializeReq(req: { method: string; url: string; ip: string; headers: Record<string, string> }): unknown {
    const serializer = toileOptions().serializers?.req;
    if (!serializer) throw new Error('loggerOptions has no req serializer');
    return serializer(req);
  }

  it("logs the method and the path, and neither the headers nor the client's IP", () => {
    const serialized = serializeReq({ method: 'GET', url: '/walls/main', ip: '203.0.113.9', headers: { cookie: SECRETS.cookie } });
    expect(serialized).toEqual({ method: 'GET', url: '/walls/main' });
  });

  it('drops the query string, which may carry a phone number', () => {
    const serialized = serializeReq({ method: 'GET', url: '/ingest/vonage?msisdn=33612345678&text=hi', ip: '198.51.100.7', headers: {} });
    expect(serialized).toEqual({ method: 'GET', url: '/ingest/vonage?…' });
  });

  describe('in a Fastify app', () => {
    const apps: { close(): Promise<unknown> }[] = [];
    afterEach(async () => {
      for (const app of apps.splice(0)) await app.close();
    });

    it('keeps the number of a Vonage callback out of every line Fastify logs for the request', async () => {
      const out = new LogLines();
      const app = Fastify({ logger: { ...toileOptions(), stream: out } });
      apps.push(app);
      app.get('/ingest/vonage', async (request) => {
        request.log.info({ from: (request.query as { msisdn: string }).msisdn }, 'vonage callback');
        return { ok: true };
      });

      const response = await app.inject({ method: 'GET', url: '/ingest/vonage?msisdn=33612345678&text=hi', headers: { cookie: SECRETS.cookie } });

      expect(response.statusCode).toBe(200);
      expect(out.lines.length).toBeGreaterThanOrEqual(3);
      const incoming = out.lines.find((line) => line.msg === 'incoming request');
      expect(incoming?.req).toEqual({ method: 'GET', url: '/ingest/vonage?…' });
      expect(out.lines.find((line) => line.msg === 'vonage callback')?.from).toBe('[redacted]');
      expect(out.raw).not.toContain('33612345678');
      expect(out.raw).not.toContain(SECRETS.cookie);
      expect(out.raw).not.toContain('127.0.0.1');
    });
  });
});
