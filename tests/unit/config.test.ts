import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../server/config.js';

const CWD = '/srv/toile';

/** Parses `env` and returns the error it fails with; fails the test when it parses. */
function configErrorFor(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env, CWD);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(Object.keys(env))} to be refused`);
}

describe('configuration defaults', () => {
  it('listens on 0.0.0.0:3000, keeps data in ./data under the working folder and serves http://localhost:3000', () => {
    const config = parseConfig({}, CWD);
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      dataDir: '/srv/toile/data',
      publicUrl: 'http://localhost:3000',
      adminPassword: undefined,
      logLevel: 'info',
      trustProxy: false,
      redisUrl: undefined,
      role: 'primary',
      redisPrefix: 'toile',
      primaryUrl: undefined,
    });
    expect(config.secrets).toEqual({
      twilioAuthToken: undefined,
      vonageSignatureSecret: undefined,
      vonageSignatureMethod: undefined,
      smsGatewaySigningKey: undefined,
      mailgunWebhookSigningKey: undefined,
      sendgridInboundPassword: undefined,
      postmarkInboundPassword: undefined,
    });
  });

  it('throttles SMS at 5 per sender per minute and awaits the parts of a long SMS for 2 minutes', () => {
    expect(parseConfig({}, CWD)).toMatchObject({ smsPerMinute: 5, smsPartsTimeoutSeconds: 120 });
    expect(parseConfig({ TOILE_SMS_PER_MINUTE: '30', TOILE_SMS_PARTS_TIMEOUT_SECONDS: '1' }, CWD)).toMatchObject({
      smsPerMinute: 30,
      smsPartsTimeoutSeconds: 1,
    });
  });

  it('refuses an SMS limit that is not a whole number from 1 up', () => {
    for (const value of ['0', '-1', '2.5', 'many', '10001']) {
      expect(configErrorFor({ TOILE_SMS_PER_MINUTE: value }).message).toMatch(/^TOILE_SMS_PER_MINUTE: must be a whole number from 1 to 10000/);
    }
  });

  it('leaves the SMTP receiver off, and reads its settings when a port is set', () => {
    expect(parseConfig({}, CWD).smtp.port).toBeUndefined();
    const smtp = parseConfig(
      { TOILE_SMTP_PORT: '2525', TOILE_SMTP_DOMAINS: 'Event.example, mur.event.example', TOILE_SMTP_CONNECTIONS_PER_IP: '3' },
      CWD,
    ).smtp;
    expect(smtp).toMatchObject({ port: 2525, domains: ['event.example', 'mur.event.example'], maxBytes: 10 * 1024 * 1024, connectionsPerIp: 3, messagesPerIpPerMinute: 30 });
    expect(configErrorFor({ TOILE_SMTP_PORT: '2525' }).variable).toBe('TOILE_SMTP_DOMAINS');
    expect(configErrorFor({ TOILE_SMTP_PORT: '2525', TOILE_SMTP_DOMAINS: 'not a domain' }).variable).toBe('TOILE_SMTP_DOMAINS');
    expect(configErrorFor({ TOILE_SMTP_TLS_KEY: '/etc/key.pem' }).variable).toBe('TOILE_SMTP_TLS_CERT');
  });

  it('derives the default public URL from PORT', () => {
    expect(parseConfig({ PORT: '8080' }, CWD).publicUrl).toBe('http://localhost:8080');
  });

  it('treats empty and blank variables as unset', () => {
    const config = parseConfig({ PORT: '', HOST: '  ', TOILE_LOG_LEVEL: '', TOILE_ADMIN_PASSWORD: '', TWILIO_AUTH_TOKEN: ' ' }, CWD);
    expect(config.port).toBe(3000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.logLevel).toBe('info');
    expect(config.adminPassword).toBeUndefined();
    expect(config.secrets.twilioAuthToken).toBeUndefined();
  });
});

describe('configuration values', () => {
  it('resolves a relative TOILE_DATA_DIR against the working folder and keeps an absolute one', () => {
    expect(parseConfig({ TOILE_DATA_DIR: 'var/db' }, CWD).dataDir).toBe('/srv/toile/var/db');
    expect(parseConfig({ TOILE_DATA_DIR: '/var/lib/toile' }, CWD).dataDir).toBe('/var/lib/toile');
  });

  it('trims the trailing slashes from TOILE_PUBLIC_URL', () => {
    expect(parseConfig({ TOILE_PUBLIC_URL: 'https://wall.example.org/' }, CWD).publicUrl).toBe('https://wall.example.org');
    expect(parseConfig({ TOILE_PUBLIC_URL: 'https://example.org/toile//' }, CWD).publicUrl).toBe('https://example.org/toile');
  });

  it('reads the usual spellings of true and false for TOILE_TRUST_PROXY', () => {
    for (const yes of ['1', 'true', 'TRUE', 'yes', 'on']) expect(parseConfig({ TOILE_TRUST_PROXY: yes }, CWD).trustProxy).toBe(true);
    for (const no of ['0', 'false', 'No', 'off']) expect(parseConfig({ TOILE_TRUST_PROXY: no }, CWD).trustProxy).toBe(false);
  });

  it('accepts the boundary ports 0 and 65535', () => {
    expect(parseConfig({ PORT: '0' }, CWD).port).toBe(0);
    expect(parseConfig({ PORT: '65535' }, CWD).port).toBe(65535);
  });

  it('passes provider secrets, the log level and a Redis URL through', () => {
    const config = parseConfig(
      {
        TOILE_LOG_LEVEL: 'debug',
        REDIS_URL: 'rediss://cache.internal:6380',
        TWILIO_AUTH_TOKEN: 'twilio-token',
        VONAGE_SIGNATURE_SECRET: 'vonage-secret',
        VONAGE_SIGNATURE_METHOD: 'sha256',
        MAILGUN_WEBHOOK_SIGNING_KEY: 'mailgun-key',
        TOILE_ADMIN_PASSWORD: 'long enough secret',
      },
      CWD,
    );
    expect(config.logLevel).toBe('debug');
    expect(config.redisUrl).toBe('rediss://cache.internal:6380');
    expect(config.adminPassword).toBe('long enough secret');
    expect(config.secrets).toMatchObject({
      twilioAuthToken: 'twilio-token',
      vonageSignatureSecret: 'vonage-secret',
      vonageSignatureMethod: 'sha256',
      mailgunWebhookSigningKey: 'mailgun-key',
    });
  });
});

describe('cluster mode', () => {
  it('makes an edge of TOILE_ROLE=edge, with its Redis, its key prefix and the primary it names', () => {
    const config = parseConfig(
      { TOILE_ROLE: 'edge', REDIS_URL: 'redis://cache:6379', TOILE_REDIS_PREFIX: 'capcom-2026', TOILE_PRIMARY_URL: 'https://wall.example.org/' },
      CWD,
    );
    expect(config).toMatchObject({ role: 'edge', redisUrl: 'redis://cache:6379', redisPrefix: 'capcom-2026', primaryUrl: 'https://wall.example.org' });
  });

  it('refuses an edge without REDIS_URL, naming the variable', () => {
    const error = configErrorFor({ TOILE_ROLE: 'edge' });
    expect(error.variable).toBe('REDIS_URL');
    expect(error.message).toMatch(/^REDIS_URL: must be set on an edge/);
  });

  it('refuses an unknown role and a prefix that would not make a key', () => {
    expect(configErrorFor({ TOILE_ROLE: 'replica' }).message).toBe('TOILE_ROLE: must be one of primary, edge, got "replica"');
    expect(configErrorFor({ TOILE_REDIS_PREFIX: 'two words' }).variable).toBe('TOILE_REDIS_PREFIX');
    expect(configErrorFor({ TOILE_REDIS_PREFIX: 'x'.repeat(65) }).variable).toBe('TOILE_REDIS_PREFIX');
  });
});

describe('a bad configuration', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '3000.5'],
    ['TOILE_PUBLIC_URL', 'not-a-url'],
    ['TOILE_PUBLIC_URL', 'ftp://x'],
    ['TOILE_TRUST_PROXY', 'maybe'],
    ['TOILE_LOG_LEVEL', 'loud'],
    ['VONAGE_SIGNATURE_METHOD', 'rot13'],
    ['REDIS_URL', 'http://x'],
    ['TOILE_ADMIN_PASSWORD', 'short'],
    ['TOILE_METRICS_TOKEN', 'fifteen-chars-x'],
    ['TOILE_METRICS_TOKEN', 'a long token with spaces'],
  ])('fails on %s=%s with one line that starts with the variable name', (variable, value) => {
    const error = configErrorFor({ [variable]: value });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('ConfigError');
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it('says what is expected of the variable', () => {
    expect(configErrorFor({ PORT: '70000' }).message).toBe('PORT: must be a port number from 0 to 65535, got "70000"');
    expect(configErrorFor({ TOILE_PUBLIC_URL: 'ftp://x' }).message).toBe('TOILE_PUBLIC_URL: must start with http:// or https://');
    expect(configErrorFor({ REDIS_URL: 'http://x' }).message).toBe('REDIS_URL: must start with redis:// or rediss://');
    expect(configErrorFor({ TOILE_LOG_LEVEL: 'loud' }).message).toMatch(/^TOILE_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/);
    expect(configErrorFor({ TOILE_ADMIN_PASSWORD: 'short' }).message).toBe('TOILE_ADMIN_PASSWORD: must be at least 8 characters long');
  });

  it('reads a metrics token of 16 characters or more, and never repeats a short one', () => {
    expect(parseConfig({}, CWD).metricsToken).toBeUndefined();
    expect(parseConfig({ TOILE_METRICS_TOKEN: 'sixteen-chars-ok' }, CWD).metricsToken).toBe('sixteen-chars-ok');
    const error = configErrorFor({ TOILE_METRICS_TOKEN: 'scrape-me-now' });
    expect(error.message).toBe('TOILE_METRICS_TOKEN: must be at least 16 characters long, without spaces');
    expect(String(error.stack)).not.toContain('scrape-me-now');
  });

  it('never repeats a too-short TOILE_ADMIN_PASSWORD in its message', () => {
    const error = configErrorFor({ TOILE_ADMIN_PASSWORD: 'hunter2' });
    expect(error.message).not.toContain('hunter2');
    expect(String(error.stack)).not.toContain('hunter2');
  });

  it('never repeats a provider secret when another variable is bad', () => {
    const secrets = {
      TOILE_ADMIN_PASSWORD: 'admin-secret-value',
      TWILIO_AUTH_TOKEN: 'twilio-secret-value',
      VONAGE_SIGNATURE_SECRET: 'vonage-secret-value',
      SENDGRID_INBOUND_PASSWORD: 'sendgrid-secret-value',
    };
    const badOnes: Record<string, string>[] = [{ PORT: 'abc' }, { VONAGE_SIGNATURE_METHOD: 'rot13' }, { REDIS_URL: 'http://x' }];
    for (const bad of badOnes) {
      const message = configErrorFor({ ...secrets, ...bad }).message;
      for (const secret of Object.values(secrets)) expect(message).not.toContain(secret);
    }
  });

  // A Redis URL carries the Redis password (redis://:password@host), so it is a secret like the others:
  // a typo in it must not print the password into the start-up log.
  it('never repeats the password of a malformed REDIS_URL in its message', () => {
    const error = configErrorFor({ REDIS_URL: 'redis//:s3cret-redis-pass@cache:6379' });
    expect(error.variable).toBe('REDIS_URL');
    expect(error.message).not.toContain('s3cret-redis-pass');
  });
});
