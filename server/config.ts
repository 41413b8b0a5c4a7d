import { isAbsolute, resolve } from 'node:path';
import { VONAGE_SIGNATURE_METHODS } from './providers/vonage-signature.js';

/**
 * Toile's configuration, parsed once from the environment at start-up. No other module reads
 * `process.env`: the typed object is passed in, so tests build apps with any configuration they need.
 */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string;
  /**
   * TOILE_PUBLIC_URL when the organiser set it, undefined when `publicUrl` is only the default: phones are
   * sent to a configured address, and otherwise to the one the wall was opened at (see routes/contribute-url.ts).
   */
  configuredPublicUrl: string | undefined;
  adminPassword: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Trust X-Forwarded-For from a reverse proxy, so that per-client rate limits see the real client. */
  trustProxy: boolean;
  /**
   * `primary` (the default): SQLite, ingest, moderation, and walls; with `redisUrl` it also appends every
   * wall event to Redis. `edge`: no database, only walls, fed from Redis (`npm run start:edge`).
   */
  role: 'primary' | 'edge';
  /** Cluster mode: the primary publishes wall events here, and edges read them. */
  redisUrl: string | undefined;
  /** What every Redis key of this Toile starts with (`<prefix>:`), so that several can share one Redis. */
  redisPrefix: string;
  /** An edge names it in its 404s: where everything but the walls is served. */
  primaryUrl: string | undefined;
  /** A bearer token that may read `/metrics` and nothing else, for a Prometheus scraper; admins always may. */
  metricsToken: string | undefined;
  /** SMS per sender per minute before the rest are stored as throttled (not shown, visible to moderators). */
  smsPerMinute: number;
  /** How long the parts of a long SMS are awaited before what arrived is held for a moderator. */
  smsPartsTimeoutSeconds: number;
  secrets: ProviderSecrets;
  smtp: SmtpConfig;
}

/** Toile's own SMTP receiver, for email with no provider at all; off unless a port is set. */
export interface SmtpConfig {
  port: number | undefined;
  host: string;
  /** The domains mail is accepted for (lower case); a recipient elsewhere is refused with 550. */
  domains: string[];
  /** The largest message accepted, in bytes; a larger one is refused with 552. */
  maxBytes: number;
  /** PEM files that turn STARTTLS on. */
  tlsKeyFile: string | undefined;
  tlsCertFile: string | undefined;
  /** Simultaneous connections per client IP; more are refused with 421. */
  connectionsPerIp: number;
  /** Mails per client IP per minute; more are deferred with 451. */
  messagesPerIpPerMinute: number;
}

/** Each provider endpoint is enabled only when its secret is set. */
export interface ProviderSecrets {
  twilioAuthToken?: string;
  /** The secret of a Twilio SharedKey, for webhooks Twilio signs with it (HMAC-SHA256) instead of the token. */
  twilioSharedKeySecret?: string;
  vonageSignatureSecret?: string;
  vonageSignatureMethod?: string;
  smsGatewaySigningKey?: string;
  mailgunWebhookSigningKey?: string;
  sendgridInboundPassword?: string;
  postmarkInboundPassword?: string;
}

/** A bad environment variable: the message is one line that names it. */
export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

const ROLES = ['primary', 'edge'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

type Env = Record<string, string | undefined>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function port(env: Env, name: string, fallback: number): number {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new ConfigError(name, `must be a port number from 0 to 65535, got "${value}"`);
  }
  return Number(value);
}

function positiveInteger(env: Env, name: string, fallback: number, max: number): number {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new ConfigError(name, `must be a whole number from 1 to ${max}, got "${value}"`);
  }
  return Number(value);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const value = optional(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(name, `must be true or false, got "${value}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T | undefined): T | undefined {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

/** A shared secret: long enough not to be guessed, and never repeated in the error. */
function secret(env: Env, name: string, minLength: number): string | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  if (value.length < minLength || /\s/.test(value)) {
    throw new ConfigError(name, `must be at least ${minLength} characters long, without spaces`);
  }
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    // The value is not repeated: a URL may carry a password (redis://:secret@host).
    throw new ConfigError(name, 'must be an absolute URL such as https://toile.example.org');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return value;
}

function smtpConfig(env: Env, host: string): SmtpConfig {
  const smtpPort = optional(env, 'TOILE_SMTP_PORT') === undefined ? undefined : port(env, 'TOILE_SMTP_PORT', 2525);
  const domains = (optional(env, 'TOILE_SMTP_DOMAINS') ?? '')
    .split(',')
    .map((domain) => domain.trim().toLowerCase())
    .filter((domain) => domain !== '');
  for (const domain of domains) {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(domain)) {
      throw new ConfigError('TOILE_SMTP_DOMAINS', `must be a comma-separated list of domain names, got "${domain}"`);
    }
  }
  if (smtpPort !== undefined && domains.length === 0) {
    throw new ConfigError('TOILE_SMTP_DOMAINS', 'must name the domains to accept mail for when TOILE_SMTP_PORT is set');
  }
  const tlsKeyFile = optional(env, 'TOILE_SMTP_TLS_KEY');
  const tlsCertFile = optional(env, 'TOILE_SMTP_TLS_CERT');
  if ((tlsKeyFile === undefined) !== (tlsCertFile === undefined)) {
    throw new ConfigError(tlsKeyFile === undefined ? 'TOILE_SMTP_TLS_KEY' : 'TOILE_SMTP_TLS_CERT', 'must be set together with its pair to turn STARTTLS on');
  }
  return {
    port: smtpPort,
    host,
    domains,
    maxBytes: positiveInteger(env, 'TOILE_SMTP_MAX_BYTES', 10 * 1024 * 1024, 100 * 1024 * 1024),
    tlsKeyFile,
    tlsCertFile,
    connectionsPerIp: positiveInteger(env, 'TOILE_SMTP_CONNECTIONS_PER_IP', 10, 10_000),
    messagesPerIpPerMinute: positiveInteger(env, 'TOILE_SMTP_MESSAGES_PER_MINUTE', 30, 100_000),
  };
}

/** Parses the environment; throws a `ConfigError` for the first bad variable. */
export function parseConfig(env: Env, cwd: string = process.cwd()): Config {
  const listenPort = port(env, 'PORT', 3000);
  const host = optional(env, 'HOST') ?? '0.0.0.0';
  const dataDirValue = optional(env, 'TOILE_DATA_DIR') ?? './data';
  const dataDir = isAbsolute(dataDirValue) ? dataDirValue : resolve(cwd, dataDirValue);
  const configuredPublicUrl = url(env, 'TOILE_PUBLIC_URL', ['http:', 'https:'])?.replace(/\/+$/, '');
  const publicUrl = configuredPublicUrl ?? `http://localhost:${listenPort}`;
  const adminPassword = env.TOILE_ADMIN_PASSWORD === undefined || env.TOILE_ADMIN_PASSWORD === '' ? undefined : env.TOILE_ADMIN_PASSWORD;
  if (adminPassword !== undefined && adminPassword.length < 8) {
    throw new ConfigError('TOILE_ADMIN_PASSWORD', 'must be at least 8 characters long');
  }
  const role = oneOf(env, 'TOILE_ROLE', ROLES, 'primary') ?? 'primary';
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  if (role === 'edge' && redisUrl === undefined) throw new ConfigError('REDIS_URL', 'must be set on an edge (TOILE_ROLE=edge): edges read the walls from Redis');
  const redisPrefix = optional(env, 'TOILE_REDIS_PREFIX') ?? 'toile';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(redisPrefix)) {
    throw new ConfigError('TOILE_REDIS_PREFIX', `must be 1 to 64 letters, digits, '_', '.', ':' or '-', got "${redisPrefix}"`);
  }
  return {
    port: listenPort,
    host,
    dataDir,
    publicUrl,
    configuredPublicUrl,
    adminPassword,
    logLevel: oneOf(env, 'TOILE_LOG_LEVEL', LOG_LEVELS, 'info') ?? 'info',
    trustProxy: boolean(env, 'TOILE_TRUST_PROXY', false),
    role,
    redisUrl,
    redisPrefix,
    primaryUrl: url(env, 'TOILE_PRIMARY_URL', ['http:', 'https:'])?.replace(/\/+$/, ''),
    metricsToken: secret(env, 'TOILE_METRICS_TOKEN', 16),
    smsPerMinute: positiveInteger(env, 'TOILE_SMS_PER_MINUTE', 5, 10_000),
    smsPartsTimeoutSeconds: positiveInteger(env, 'TOILE_SMS_PARTS_TIMEOUT_SECONDS', 120, 86_400),
    smtp: smtpConfig(env, host),
    secrets: {
      twilioAuthToken: optional(env, 'TWILIO_AUTH_TOKEN'),
      twilioSharedKeySecret: optional(env, 'TWILIO_SHARED_KEY_SECRET'),
      vonageSignatureSecret: optional(env, 'VONAGE_SIGNATURE_SECRET'),
      vonageSignatureMethod: oneOf(env, 'VONAGE_SIGNATURE_METHOD', VONAGE_SIGNATURE_METHODS, undefined),
      smsGatewaySigningKey: optional(env, 'SMS_GATEWAY_SIGNING_KEY'),
      mailgunWebhookSigningKey: optional(env, 'MAILGUN_WEBHOOK_SIGNING_KEY'),
      sendgridInboundPassword: optional(env, 'SENDGRID_INBOUND_PASSWORD'),
      postmarkInboundPassword: optional(env, 'POSTMARK_INBOUND_PASSWORD'),
    },
  };
}
