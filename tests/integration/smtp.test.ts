import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { parseConfig } from '../../server/config.js';
import { smtpAddress, smtpLimits } from '../../server/smtp/receiver.js';
import { capturedLogger, startServer, type StartOptions, type TestServer } from '../helpers/server.js';

/** A real 1×1 PNG: the media store checks the bytes, not the declared type. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4d10000000049454e44ae426082',
  'hex',
);
const BOUNCE = readFileSync(join(import.meta.dirname, '../fixtures/eml/delivery-status.eml'));
const SENDER = 'jeanne.dupont@example.org';
const FROM = `Jeanne Dupont <${SENDER}>`;
const WALL_ADDRESS = 'mur@event.example';

let server: TestServer | undefined;
let auth: Record<string, string>;
/** Every line the SMTP clients of a test received from the server. */
let serverLines: string[] = [];

afterEach(async () => {
  await server?.close({ removeData: true });
  server = undefined;
  serverLines = [];
});

/** The real app with the SMTP receiver on a random port, `mur@event.example` on capcomnet, and a wall `atelier`. */
async function start(env: Record<string, string> = {}, options: StartOptions = {}): Promise<{ server: TestServer; port: number }> {
  server = await startServer({ ...options, env: { TOILE_SMTP_PORT: '0', TOILE_SMTP_DOMAINS: 'event.example', ...env } });
  auth = { authorization: `Bearer ${await server.adminToken()}` };
  expect((await server.request('PATCH', '/api/walls/capcomnet', { emailAddresses: [WALL_ADDRESS] }, auth)).status).toBe(200);
  expect((await server.request('POST', '/api/walls', { slug: 'atelier', title: 'Atelier', hashtags: ['atelier'] }, auth)).status).toBe(201);
  const address = smtpAddress(server.app);
  if (address === undefined) throw new Error('the SMTP receiver is not listening');
  return { server, port: address.port };
}

/** nodemailer as a sending MTA would use it, logging the server's replies into `serverLines`. */
function transport(port: number, options: Record<string, unknown> = {}) {
  const capture = (data: unknown, message: unknown, ...args: unknown[]) => {
    if (typeof data === 'object' && data !== null && (data as { tnx?: string }).tnx === 'server') serverLines.push(format(message, ...args));
  };
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    tls: { rejectUnauthorized: false },
    transactionLog: true,
    logger: { trace: capture, debug: capture, info: capture, warn: capture, error: capture, fatal: capture, level: () => undefined },
    ...options,
  } as Parameters<typeof nodemailer.createTransport>[0]);
}

/** Sends one mail; resolves with the final reply code and text, whether the server took it or not. */
async function send(port: number, mail: Mail.Options, options: Record<string, unknown> = {}): Promise<{ code: number; response: string }> {
  const client = transport(port, options);
  try {
    const info = await client.sendMail(mail);
    return { code: Number(info.response.slice(0, 3)), response: info.response };
  } catch (error) {
    const failure = error as { responseCode?: number; response?: string; code?: string };
    return { code: failure.responseCode ?? 0, response: failure.response ?? String(failure.code) };
  } finally {
    client.close();
  }
}

function mail(overrides: Mail.Options = {}): Mail.Options {
  return { from: FROM, to: WALL_ADDRESS, subject: 'La plénière', text: 'Bravo pour la table ronde', ...overrides };
}

function counts() {
  const db = server!.app.toile.repos.db;
  const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return { messages: n('SELECT COUNT(*) AS n FROM messages'), contributors: n('SELECT COUNT(*) AS n FROM contributors') };
}

type Item = { id: number; text: string; author: { name: string }; reasons: string[]; media: { url: string }[]; sender?: { address: string }; source: string };

async function messages(wall = 'capcomnet', status = 'pending'): Promise<Item[]> {
  const response = await server!.request('GET', `/api/walls/${wall}/messages?status=${status}`, undefined, auth);
  expect(response.status).toBe(200);
  return response.body.items as Item[];
}

/** A raw SMTP conversation, for what nodemailer hides: the greeting, EHLO's extensions, a refused connection. */
function dialogue(port: number) {
  const socket = connect(port, '127.0.0.1');
  let buffer = '';
  let wake: (() => void) | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    wake?.();
  });
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  /** The next complete reply (all its lines), or '' once the server closed the connection without one. */
  async function reply(): Promise<string> {
    for (;;) {
      const end = /^\d{3} .*\r\n/m.exec(buffer);
      if (end) {
        const text = buffer.slice(0, end.index + end[0].length);
        buffer = buffer.slice(text.length);
        serverLines.push(text);
        return text.trimEnd();
      }
      if (socket.destroyed) return '';
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), ended]);
    }
  }
  return {
    reply,
    async command(line: string): Promise<string> {
      socket.write(`${line}\r\n`);
      return reply();
    },
    close: () => socket.destroy(),
    ended,
  };
}

describe('the SMTP receiver', () => {
  it('is off without TOILE_SMTP_PORT, and greets as Toile with SIZE, enhanced codes, and neither AUTH nor STARTTLS', async () => {
    const bare = await startServer();
    try {
      expect(smtpAddress(bare.app)).toBeUndefined();
      expect(smtpLimits(bare.app)).toBeUndefined();
    } finally {
      await bare.close({ removeData: true });
    }
    const { port } = await start({ TOILE_SMTP_MAX_BYTES: '123456' });
    const client = dialogue(port);
    expect(await client.reply()).toMatch(/^220 \S+ ESMTP Toile$/);
    const ehlo = await client.command('EHLO client.example');
    expect(ehlo).toMatch(/^250-/);
    expect(ehlo).toContain('SIZE 123456');
    expect(ehlo).toContain('ENHANCEDSTATUSCODES');
    expect(ehlo).not.toMatch(/AUTH|STARTTLS/);
    expect(await client.command('AUTH PLAIN AGZvbwBiYXI=')).toMatch(/^50\d /);
    expect(await client.command('QUIT')).toMatch(/^221 /);
    client.close();
  });

  it('queues a plain mail, a photo (its PDF dropped) and a reply without its quoted history', async () => {
    const { port } = await start();
    expect((await send(port, mail({ messageId: '<plain@example.org>' }))).code).toBe(250);
    const photo = await send(
      port,
      mail({
        messageId: '<photo@example.org>',
        subject: 'La salle',
        text: 'Vue du fond',
        attachments: [
          { filename: 'salle.png', content: PNG, contentType: 'image/png' },
          { filename: 'programme.pdf', content: Buffer.from('%PDF-1.4 not a picture'), contentType: 'application/pdf' },
        ],
      }),
    );
    expect(photo.code).toBe(250);
    expect(photo.response).toMatch(/^250 2\.6\.0 Ok: queued as \d+$/);
    const reply = await send(
      port,
      mail({
        messageId: '<reply@example.org>',
        subject: 'Re: La plénière',
        text: 'Tout à fait d’accord.\n\nOn Sat, Nov 28, 2026 at 10:00 AM Toile <mur@event.example> wrote:\n> Merci pour votre message\n> à bientôt\n',
        inReplyTo: '<plain@example.org>',
      }),
    );
    expect(reply.code).toBe(250);

    const items = await messages();
    expect(items.map((m) => m.text).sort()).toEqual(['La plénière\nBravo pour la table ronde', 'La plénière\nTout à fait d’accord.', 'La salle\nVue du fond'].sort());
    for (const item of items) expect(item).toMatchObject({ source: 'smtp', author: { name: 'Jeanne Dupont' }, sender: { address: SENDER } });
    const withPhoto = items.find((m) => m.text.startsWith('La salle'))!;
    expect(withPhoto.media).toHaveLength(1);
    expect(withPhoto.media[0]!.url).toMatch(/^\/media\/[a-f0-9]{64}\.png$/);
    // Not approved yet: the public does not see the picture.
    expect((await fetch(server!.url + withPhoto.media[0]!.url)).status).toBe(404);
  });

  it('accepts an auto-reply and a bounce with 250 but stores them rejected, never queued', async () => {
    const { port } = await start();
    const autoReply = await send(port, mail({ messageId: '<away@example.org>', subject: 'Absent', text: 'Je suis absente.', headers: { 'Auto-Submitted': 'auto-replied' } }));
    expect(autoReply.code).toBe(250);
    // The bounce as a mail server sends it: the null sender, the captured message byte for byte.
    const bounce = await send(port, { envelope: { from: '', to: [WALL_ADDRESS] }, raw: BOUNCE });
    expect(bounce.code).toBe(250);
    expect(await messages()).toEqual([]);
    const rejected = await messages('capcomnet', 'rejected');
    expect(rejected.map((m) => m.reasons).sort()).toEqual([['auto-submitted'], ['bounce-report']]);
  });

  it('refuses unknown recipients with 550 and stores nothing, not even the sender', async () => {
    const { port } = await start();
    for (const to of ['other@event.example', 'someone@elsewhere.example', 'mur@event.example.evil.example']) {
      const refused = await send(port, mail({ to }));
      expect(refused.code).toBe(550);
      expect(refused.response).toMatch(/^550 5\.1\.1 /);
    }
    // One good recipient among bad ones: the mail is taken for the wall only.
    expect((await send(port, mail({ to: ['other@event.example', WALL_ADDRESS], messageId: '<mixed@example.org>' }))).code).toBe(250);
    expect(counts()).toEqual({ messages: 1, contributors: 1 });
  });

  it('refuses a message over TOILE_SMTP_MAX_BYTES with 552, announced or not, and stores nothing', async () => {
    const { port } = await start({ TOILE_SMTP_MAX_BYTES: '4000' });
    // nodemailer announces the size of a raw message in MAIL FROM: refused before any data is sent.
    const big = Buffer.from(`From: ${FROM}\r\nTo: ${WALL_ADDRESS}\r\nSubject: Long\r\nMessage-ID: <big@example.org>\r\n\r\n${'Très long. '.repeat(800)}\r\n`);
    const announced = await send(port, { envelope: { from: SENDER, to: [WALL_ADDRESS] }, raw: big });
    expect(announced.code).toBe(552);
    // Unannounced, the message is read and then refused.
    const client = dialogue(port);
    await client.reply();
    await client.command('EHLO client.example');
    expect(await client.command(`MAIL FROM:<${SENDER}>`)).toMatch(/^250 /);
    expect(await client.command(`RCPT TO:<${WALL_ADDRESS}>`)).toMatch(/^250 /);
    expect(await client.command('DATA')).toMatch(/^354 /);
    expect(await client.command(`${big.toString()}.`)).toMatch(/^552 /);
    // The connection stays usable, and a small message still goes through.
    expect(await client.command(`MAIL FROM:<${SENDER}>`)).toMatch(/^250 /);
    client.close();
    expect((await send(port, mail({ messageId: '<small@example.org>' }))).code).toBe(250);
    expect(counts().messages).toBe(1);
  });

  it('answers 451 while the database is locked, storing nothing, then stores the retry', async () => {
    const { server: running, port } = await start();
    const other = new Database(join(running.dataDir, 'toile.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      const deferred = await send(port, mail({ messageId: '<locked@example.org>' }));
      expect(deferred.code).toBe(451);
      expect(deferred.response).toMatch(/^451 4\.3\.0 /);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(counts()).toEqual({ messages: 0, contributors: 0 });
    expect((await send(port, mail({ messageId: '<locked@example.org>' }))).code).toBe(250);
    expect(counts().messages).toBe(1);
  }, 20_000);

  it('stores a mail sent twice with the same Message-ID once, answering 250 both times', async () => {
    const { port } = await start();
    const first = await send(port, mail({ messageId: '<twice@example.org>' }));
    const second = await send(port, mail({ messageId: '<twice@example.org>' }));
    expect([first.code, second.code]).toEqual([250, 250]);
    // The same queue id: the sending server (or a person resending) sees the same message taken.
    expect(second.response).toBe(first.response);
    expect(counts().messages).toBe(1);
  });

  it('routes plus-addressing to the wall it names', async () => {
    const { port } = await start();
    expect((await send(port, mail({ to: 'mur+atelier@event.example', subject: 'Atelier', text: 'Très utile' }))).code).toBe(250);
    expect((await messages('atelier')).map((m) => m.text)).toEqual(['Atelier\nTrès utile']);
    expect(await messages('capcomnet')).toEqual([]);
    // Plus-addressing of an address no wall has is still unknown.
    expect((await send(port, mail({ to: 'other+atelier@event.example' }))).code).toBe(550);
  });

  it('offers STARTTLS only with a key and certificate, and stores mail sent over it', async (context) => {
    const dir = mkdtempSync(join(tmpdir(), 'toile-smtp-tls-'));
    try {
      const key = join(dir, 'key.pem');
      const cert = join(dir, 'cert.pem');
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
      } catch {
        context.skip('openssl is not available to make a certificate');
      }
      const { port } = await start({ TOILE_SMTP_TLS_KEY: key, TOILE_SMTP_TLS_CERT: cert });
      const sent = await send(port, mail({ messageId: '<tls@example.org>' }), { ignoreTLS: false, requireTLS: true });
      expect(sent.code).toBe(250);
      expect(counts().messages).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await server!.close({ removeData: true });
    // Without a certificate, a client that insists on TLS cannot have it.
    const { port } = await start();
    const plain = await send(port, mail({ messageId: '<notls@example.org>' }), { ignoreTLS: false, requireTLS: true });
    expect(plain.code).not.toBe(250);
    expect(counts().messages).toBe(0);
  });

  it('refuses to start when the TLS files cannot be read, naming the variable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'toile-smtp-'));
    const env = { TOILE_DATA_DIR: dataDir, TOILE_SMTP_PORT: '0', TOILE_SMTP_DOMAINS: 'event.example', TOILE_SMTP_TLS_KEY: join(dataDir, 'none.key'), TOILE_SMTP_TLS_CERT: join(dataDir, 'none.pem') };
    const app = await buildApp({ config: parseConfig(env), logger: false });
    try {
      await expect(app.ready()).rejects.toThrow(/^TOILE_SMTP_TLS_KEY: cannot read ".*none\.key" \(ENOENT\)$/);
    } finally {
      await app.close().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start when its port is taken, naming TOILE_SMTP_PORT', async () => {
    const { port } = await start();
    const dataDir = mkdtempSync(join(tmpdir(), 'toile-smtp-'));
    const app = await buildApp({ config: parseConfig({ TOILE_DATA_DIR: dataDir, TOILE_SMTP_PORT: String(port), TOILE_SMTP_DOMAINS: 'event.example' }), logger: false });
    try {
      await expect(app.ready()).rejects.toThrow(`TOILE_SMTP_PORT: ${port} is already in use`);
    } finally {
      await app.close().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a client over its concurrent connections with 421, and takes it again once one closes', async () => {
    const { server: running, port } = await start();
    smtpLimits(running.app)!.connectionsPerIp = 2;
    const first = dialogue(port);
    const second = dialogue(port);
    expect(await first.reply()).toMatch(/^220 /);
    expect(await second.reply()).toMatch(/^220 /);
    const third = dialogue(port);
    expect(await third.reply()).toMatch(/^421 Too many connections/);
    await third.ended;
    first.close();
    await first.ended;
    const fourth = dialogue(port);
    expect(await fourth.reply()).toMatch(/^220 /);
    second.close();
    fourth.close();
  });

  it('defers a client over its messages per minute with 451, storing nothing, and takes it again a minute later', async () => {
    let clock = Date.parse('2026-11-28T09:00:00Z');
    const { server: running, port } = await start({}, { now: () => new Date(clock) });
    smtpLimits(running.app)!.messagesPerIpPerMinute = 2;
    expect((await send(port, mail({ messageId: '<m1@example.org>' }))).code).toBe(250);
    expect((await send(port, mail({ messageId: '<m2@example.org>' }))).code).toBe(250);
    const deferred = await send(port, mail({ messageId: '<m3@example.org>' }));
    expect(deferred.code).toBe(451);
    expect(deferred.response).toMatch(/^451 4\.3\.0 Too many messages/);
    expect(counts().messages).toBe(2);
    clock += 61_000;
    expect((await send(port, mail({ messageId: '<m3@example.org>' }))).code).toBe(250);
    expect(counts().messages).toBe(3);
  });

  it('lets a message being stored finish when the app closes, and answers 250 only once it is committed', async () => {
    const { server: running, port } = await start();
    const toile = running.app.toile;
    const receive = toile.email;
    let entered!: () => void;
    const storing = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    toile.email = async (email) => {
      entered();
      await gate;
      return receive(email);
    };
    const sending = send(port, mail({ messageId: '<closing@example.org>' }));
    await storing;
    const closing = running.close();
    setTimeout(release, 200);
    await closing;
    server = undefined;
    expect((await sending).code).toBe(250);
    const db = new Database(join(running.dataDir, 'toile.db'), { readonly: true });
    try {
      expect((db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n).toBe(1);
    } finally {
      db.close();
      rmSync(running.dataDir, { recursive: true, force: true });
    }
  });

  it('stops listening on app.close()', async () => {
    const { server: running, port } = await start();
    const started = performance.now();
    await running.close({ removeData: true });
    server = undefined;
    // With nothing in flight there is nothing to wait for: no grace period is spent.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(smtpAddress(running.app)).toBeUndefined();
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => resolve('connected'));
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('never lets an address or a subject reach a log line or an SMTP reply', async () => {
    const { logger, lines } = capturedLogger();
    const { port } = await start({}, { logger });
    const subject = 'Sujet très confidentiel';
    await send(port, mail({ subject, messageId: '<p1@example.org>' }));
    await send(port, mail({ subject, to: 'other@event.example' }));
    await send(port, mail({ subject, messageId: '<p2@example.org>', headers: { 'Auto-Submitted': 'auto-replied' } }));
    await send(port, { envelope: { from: '', to: [WALL_ADDRESS] }, raw: BOUNCE });
    const other = new Database(join(server!.dataDir, 'toile.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      expect((await send(port, mail({ subject, messageId: '<p3@example.org>' }))).code).toBe(451);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(lines.some((line) => line.includes('"component":"smtp"'))).toBe(true);
    expect(serverLines.length).toBeGreaterThan(10);
    const everything = [...lines, ...serverLines].join('\n');
    for (const secret of [SENDER, 'jeanne.dupont', subject, WALL_ADDRESS, 'other@event.example']) {
      expect(everything).not.toContain(secret);
    }
    // The client's IP neither: not in the receiver's log lines, not in its replies.
    expect([...lines.filter((line) => line.includes('"component":"smtp"')), ...serverLines].join('\n')).not.toContain('127.0.0.1');
  }, 20_000);
});
