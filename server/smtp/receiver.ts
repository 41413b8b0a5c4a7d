import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerError, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { ConfigError, type SmtpConfig } from '../config.js';
import { parseEmail } from '../services/email.js';
import { wallForAddress } from '../services/routing.js';
import { IpLimiter, type SmtpLimits } from './ip-limits.js';

export type { SmtpLimits } from './ip-limits.js';

/**
 * Toile's own SMTP receiver: the MX of the event's domain, for a venue with no email provider at all.
 *
 * It is off unless `TOILE_SMTP_PORT` is set, and then it listens from the moment the app is ready (Fastify's
 * `onReady`, which `app.listen` runs first) until `app.close()` (`preClose`). `onReady` rather than
 * `onListen`: an error in an `onListen` hook is only logged, so a port already taken would leave the
 * organiser believing that mail is received; from `onReady` it fails the start with one line that names
 * `TOILE_SMTP_PORT`.
 *
 * What it answers, following RFC 5321 (https://www.rfc-editor.org/rfc/rfc5321) with the enhanced status
 * codes of RFC 3463:
 * - no AUTH, ever: it is an MX that delivers to walls, not a submission server, and has no accounts;
 *   STARTTLS is offered only when a key and certificate are configured;
 * - RCPT TO an address outside `TOILE_SMTP_DOMAINS`, or one that reaches no wall (a wall's
 *   `emailAddresses`, or plus-addressing of one): `550 5.1.1`. Nothing is stored: there is no catch-all,
 *   so that spam to guessed addresses never reaches a moderator;
 * - a message over `TOILE_SMTP_MAX_BYTES` (advertised with SIZE): `552`;
 * - more than `connectionsPerIp` connections from one IP: `421`; more than `messagesPerIpPerMinute`
 *   transactions from one IP in a minute: `451 4.3.0` at MAIL FROM (the sending server retries later);
 * - a fault of ours while storing (a busy or full database, anything unexpected): `451 4.3.0`, nothing
 *   stored, and the sending server retries;
 * - otherwise `250` once the message is committed: a contribution, a repeat of a Message-ID already
 *   stored, or automatic mail (bounces, auto-replies), which is stored rejected and never shown.
 *
 * Neither the log nor any reply carries an address, a subject or a client IP: counts and codes only.
 */

/** What a running receiver exposes to the rest of the process (and to tests). */
interface RunningReceiver {
  server: SMTPServer;
  address: AddressInfo;
}

/** Per app: the limits (mutable, read at every check) and, once listening, the server. */
interface ReceiverState {
  limits: SmtpLimits;
  running?: RunningReceiver;
}

/**
 * Keyed by the app so that several apps in one process (the tests) each have their own receiver, and
 * garbage-collected with it: this is how the module exposes the bound port without a change to `Toile`.
 */
const states = new WeakMap<FastifyInstance, ReceiverState>();

/**
 * The address the SMTP receiver listens on, once the app is ready; undefined when it is off
 * (no `TOILE_SMTP_PORT`) or stopped. With `TOILE_SMTP_PORT=0` this is how the random port is found.
 */
export function smtpAddress(app: FastifyInstance): AddressInfo | undefined {
  return states.get(app)?.running?.address;
}

/**
 * The per-IP limits of the app's SMTP receiver (TOILE_SMTP_CONNECTIONS_PER_IP and TOILE_SMTP_MESSAGES_PER_MINUTE at start), undefined when it is
 * off. The object is live: a change applies to the next connection or transaction.
 */
export function smtpLimits(app: FastifyInstance): SmtpLimits | undefined {
  return states.get(app)?.limits;
}

/** How long shutdown lets messages being received finish before the remaining connections are cut. */
const CLOSE_GRACE_MS = 2000;
/** Recipients per transaction: a person writes to one wall, perhaps two; hundreds is a spammer. */
const MAX_RECIPIENTS = 20;
/** How often the per-IP counters forget the IPs that went quiet. */
const PRUNE_EVERY_MS = 60_000;

/** SQLite faults that are ours and pass: the sending server should retry, as an HTTP provider would on 503. */
const TRANSIENT_SQLITE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR)/;

/** An SMTP reply for smtp-server: the code, and a text that never quotes what the client sent. */
function smtpError(responseCode: number, message: string): SMTPServerError {
  return Object.assign(new Error(message), { responseCode });
}

const TRY_LATER = 'Temporary local problem, please try again later';

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * An error as it may be logged: its name, its code and its stack frames, without its message, which may
 * quote the mail being handled (an address in a parser error, a subject in a constraint error).
 */
function errorFacts(error: unknown): Record<string, string> {
  if (!(error instanceof Error)) return { name: typeof error };
  const code = errorCode(error);
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');
  return { name: error.name, ...(code !== undefined ? { code } : {}), ...(frames !== '' ? { frames } : {}) };
}

/** The domain of an address, lower case; '' when there is none (`RCPT TO:<postmaster>`). */
function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at === -1 ? '' : address.slice(at + 1).toLowerCase();
}

/** The key and certificate for STARTTLS, read once at start; a file that cannot be read stops the start. */
function readTls(config: SmtpConfig): { key: Buffer; cert: Buffer } | undefined {
  if (config.tlsKeyFile === undefined || config.tlsCertFile === undefined) return undefined;
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(variable, `cannot read "${path}" (${errorCode(error) ?? 'error'})`);
    }
  };
  return { key: read('TOILE_SMTP_TLS_KEY', config.tlsKeyFile), cert: read('TOILE_SMTP_TLS_CERT', config.tlsCertFile) };
}

/** Reads the whole message, keeping at most `maxBytes` of it (the rest is counted and dropped). */
async function readMessage(stream: SMTPServerDataStream, maxBytes: number): Promise<{ bytes: Buffer; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks), size };
}

/**
 * Registers the receiver's start and stop on the app; it does nothing when `TOILE_SMTP_PORT` is unset.
 * Called by `buildApp` on the root instance.
 */
export function registerSmtpReceiver(app: FastifyInstance): void {
  const config = app.toile.config.smtp;
  if (config.port === undefined) return;
  const port = config.port;
  const state: ReceiverState = {
    limits: { connectionsPerIp: config.connectionsPerIp, messagesPerIpPerMinute: config.messagesPerIpPerMinute },
  };
  states.set(app, state);
  const log = app.log.child({ component: 'smtp' });
  const limiter = new IpLimiter(state.limits, () => app.toile.now().getTime());
  /** The sessions whose connection `limiter` counted, so that only those are uncounted at close. */
  const counted = new Set<string>();
  /** Messages being received or stored: shutdown waits for them. */
  const inFlight = new Set<Promise<unknown>>();
  let closing = false;
  let pruneTimer: NodeJS.Timeout | undefined;

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession, sessionLog: FastifyBaseLogger): Promise<string> {
    const { bytes, size } = await readMessage(stream, config.maxBytes);
    if (stream.sizeExceeded || size > config.maxBytes) {
      // smtp-server answers 552 itself (`rejectOversized`); this only makes sure nothing is stored.
      sessionLog.info({ size, code: 552 }, 'refused an oversized mail');
      throw smtpError(552, 'Message too big for this server');
    }
    const mailFrom = session.envelope.mailFrom;
    const envelopeFrom = mailFrom === false ? '' : mailFrom.address;
    const envelopeTo = session.envelope.rcptTo.map((recipient) => recipient.address);
    try {
      const parsed = await parseEmail(bytes, { envelopeFrom });
      // No IP and no body in `raw`: only what helps a moderator understand an odd message later.
      const outcome = await app.toile.email({ source: 'smtp', parsed, envelopeFrom, envelopeTo, raw: { size } });
      sessionLog.info({ kind: outcome.kind, size, recipients: envelopeTo.length, images: parsed.images.length, code: 250 }, 'received a mail');
      return `Ok: queued as ${outcome.message.id}`;
    } catch (error) {
      const code = errorCode(error);
      if (code !== undefined && TRANSIENT_SQLITE.test(code)) {
        sessionLog.warn({ code, reply: 451 }, 'database unavailable; the sending server will retry');
      } else {
        sessionLog.error({ error: errorFacts(error), reply: 451 }, 'storing a mail failed; the sending server will retry');
      }
      throw smtpError(451, TRY_LATER);
    }
  }

  const options: SMTPServerOptions = {
    banner: 'Toile',
    // Not smtp-server's "Nice to meet you, [client IP]": a reply never repeats what identifies the client.
    heloResponse: '%s Toile at your service',
    secure: false,
    // AUTH is never offered: an MX takes mail for its own domains from anyone and has no accounts.
    disabledCommands: config.tlsKeyFile === undefined ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    size: config.maxBytes,
    rejectOversized: true,
    hideENHANCEDSTATUSCODES: false,
    // A reverse lookup would slow every connection (and hang without DNS at a venue) for nothing we use.
    disableReverseLookup: true,
    maxRecipients: MAX_RECIPIENTS,
    closeTimeout: CLOSE_GRACE_MS + 1000,
    // smtp-server's protocol log would write addresses; the receiver logs counts and codes itself.
    logger: false,

    onConnect(session, callback) {
      if (closing) return callback(smtpError(421, 'Toile is shutting down, try again later'));
      if (!limiter.openConnection(session.remoteAddress)) {
        log.info({ code: 421 }, 'refused a connection: too many from one client');
        return callback(smtpError(421, 'Too many connections from your address, try again later'));
      }
      counted.add(session.id);
      callback();
    },

    onClose(session) {
      if (counted.delete(session.id)) limiter.closeConnection(session.remoteAddress);
    },

    onMailFrom(_address, session, callback) {
      if (closing) return callback(smtpError(421, 'Toile is shutting down, try again later'));
      if (!limiter.startTransaction(session.remoteAddress)) {
        log.info({ code: 451 }, 'deferred a mail: too many from one client this minute');
        return callback(smtpError(451, 'Too many messages from your address, try again later'));
      }
      callback();
    },

    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (!config.domains.includes(domainOf(address.address))) {
        log.debug({ code: 550 }, 'refused a recipient outside the configured domains');
        return callback(smtpError(550, 'This server accepts mail for its own domains only'));
      }
      try {
        if (wallForAddress(app.toile.repos.walls.routable(), address.address) === undefined) {
          log.debug({ code: 550 }, 'refused a recipient that reaches no wall');
          return callback(smtpError(550, 'No such mailbox here'));
        }
      } catch (error) {
        log.error({ error: errorFacts(error), reply: 451 }, 'reading the walls failed');
        return callback(smtpError(451, TRY_LATER));
      }
      callback();
    },

    onData(stream, session, callback) {
      const task = receive(stream, session, log.child({ session: session.id })).then(
        (reply) => callback(null, reply),
        (error: unknown) => callback(error instanceof Error && 'responseCode' in error ? error : smtpError(451, TRY_LATER)),
      );
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    },
  };

  app.addHook('onReady', async () => {
    const tls = readTls(config);
    let server: SMTPServer;
    try {
      server = new SMTPServer({ ...options, ...tls });
    } catch (error) {
      // The files were read: what fails here is the pair itself (not PEM, or a key that is not the cert's).
      throw new ConfigError('TOILE_SMTP_TLS_CERT', `cannot be used with TOILE_SMTP_TLS_KEY (${errorCode(error) ?? 'invalid key or certificate'})`);
    }
    // Socket errors of single connections (a client resetting) end up here; they are the client's business.
    server.on('error', (error) => log.debug({ code: errorCode(error) }, 'SMTP connection error'));
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => {
        const code = errorCode(error);
        if (code === 'EADDRINUSE') reject(new ConfigError('TOILE_SMTP_PORT', `${port} is already in use; set TOILE_SMTP_PORT to a free port`));
        else if (code === 'EACCES') reject(new ConfigError('TOILE_SMTP_PORT', `${port} needs privileges (root or CAP_NET_BIND_SERVICE); use a port above 1023 behind a port forward`));
        else reject(error);
      };
      server.server.once('error', failed);
      server.listen(port, config.host, () => {
        server.server.off('error', failed);
        resolve();
      });
    });
    const address = server.server.address() as AddressInfo;
    state.running = { server, address };
    pruneTimer = setInterval(() => limiter.prune(), PRUNE_EVERY_MS);
    pruneTimer.unref();
    log.info({ port: address.port, domains: config.domains.length, starttls: tls !== undefined }, 'SMTP receiver listening');
  });

  // preClose, so that messages still being stored finish before the database is closed in onClose.
  app.addHook('preClose', async () => {
    const running = state.running;
    if (running === undefined) return;
    closing = true;
    clearInterval(pruneTimer);
    const { server } = running;
    // No new connections from here on; smtp-server answers 421 to the commands of idle ones.
    const closed = new Promise<void>((resolve) => server.close(resolve));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
    clearTimeout(timer);
    // What is left is idle or still sending: its sender gets no 250 and will retry, so nothing is lost.
    for (const connection of server.connections) connection.send(421, 'Toile is shutting down, try again later');
    await closed;
    state.running = undefined;
    log.info('SMTP receiver stopped');
  });
}
