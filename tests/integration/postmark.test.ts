import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturedLogger, startServer, type StartOptions, type TestServer } from '../helpers/server.js';
import { openSocket } from '../helpers/ws.js';

const PASSWORD = 'postmark-inbound-password-for-tests';
const SENDER = 'james@opennorth.ca';
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4d10000000049454e44ae426082',
  'hex',
);

/** The body of a raw HTTP capture (header lines, an empty line, then the body as Postmark sent it). */
function capture(name: string): Buffer {
  const bytes = readFileSync(join(import.meta.dirname, '../fixtures/email-webhooks', name));
  return bytes.subarray(bytes.indexOf('\n\n') + 2);
}

function captured(name: string) {
  return JSON.parse(capture(name).toString('utf8')) as Record<string, unknown> & { Headers: { Name: string; Value: string }[] };
}

let server: TestServer;
let auth: Record<string, string>;
const servers: TestServer[] = [];

async function start(options: StartOptions = {}): Promise<TestServer> {
  const started = await startServer({ env: { POSTMARK_INBOUND_PASSWORD: PASSWORD }, ...options });
  servers.push(started);
  auth = { authorization: `Bearer ${await started.adminToken()}` };
  return started;
}

beforeEach(async () => {
  server = await start();
});

afterEach(async () => {
  for (const started of servers.splice(0)) await started.close({ removeData: true });
});

/** As Postmark sends it when the webhook URL carries credentials: `https://user:password@host/…`. */
function basic(password = PASSWORD, user = 'postmark'): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

async function post(body: Buffer | object, headers: Record<string, string> = basic()) {
  const response = await fetch(`${server.url}/ingest/postmark`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) };
}

function count(table: 'messages' | 'contributors'): number {
  return (server.app.toile.repos.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

async function messages(wall = 'capcomnet', status = 'pending') {
  const response = await server.request('GET', `/api/walls/${wall}/messages?status=${status}`, undefined, auth);
  return response.body.items as { id: number; text: string; author: { name: string }; source: string; reasons: string[]; media: { url: string }[]; sender: { address: string } }[];
}

describe('POST /ingest/postmark: the real captures', () => {
  it('accepts the valid capture with basic auth, queues it once under the sender’s name, and stores a retry as nothing new', async () => {
    const response = await post(capture('postmark-valid.txt'));
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('stored');
    const items = await messages();
    expect(items).toHaveLength(1);
    // The quoted lines and the signature are gone; "Test" is a generic subject; the .txt files are not pictures.
    expect(items[0]).toMatchObject({
      text: 'bold text\n\nsome more bold text\n\nsome italic text',
      author: { name: 'James McKinney' },
      source: 'postmark',
      media: [],
      sender: { address: SENDER },
    });
    const retry = await post(capture('postmark-valid.txt'));
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe('duplicate');
    expect(count('messages')).toBe(1);
  });

  it('holds the spam capture (X-Spam-Status: Yes) for a moderator', async () => {
    expect((await post(capture('postmark-spam.txt'))).status).toBe(200);
    const [item] = await messages();
    expect(item).toMatchObject({ author: { name: 'James McKinney' }, reasons: ['spam-score'] });
    expect(item!.text).toBe('XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X');
  });

  it('refuses both captures without credentials or with a wrong password (403, which stops Postmark’s retries), storing nothing at all', async () => {
    for (const name of ['postmark-valid.txt', 'postmark-spam.txt']) {
      for (const headers of [{}, basic('wrong'), basic(`${PASSWORD}x`), { authorization: `Bearer ${PASSWORD}` }, { authorization: 'Basic !!!' }]) {
        expect((await post(capture(name), headers)).status).toBe(403);
      }
    }
    expect(count('messages')).toBe(0);
    expect(count('contributors')).toBe(0);
    // Any user name will do; only the password is checked.
    expect((await post(capture('postmark-valid.txt'), basic(PASSWORD, 'anyone'))).status).toBe(200);
  });

  it('answers 400 to a body that is not Postmark’s, and 404 when no password is configured', async () => {
    expect((await post({ Subject: 'no id' })).status).toBe(400);
    expect((await post(Buffer.from('[1,2]'))).status).toBe(400);
    expect(count('messages')).toBe(0);
    const bare = await startServer();
    servers.push(bare);
    const response = await fetch(`${bare.url}/ingest/postmark`, { method: 'POST', headers: { 'content-type': 'application/json', ...basic() }, body: new Uint8Array(capture('postmark-valid.txt')) });
    expect(response.status).toBe(404);
  });

  it('answers 503 while the database is locked, storing nothing, then stores Postmark’s retry', async () => {
    const other = new Database(join(server.dataDir, 'toile.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      expect((await post(capture('postmark-valid.txt'))).status).toBe(503);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(count('messages')).toBe(0);
    expect(count('contributors')).toBe(0);
    expect((await post(capture('postmark-valid.txt'))).status).toBe(200);
    expect(count('messages')).toBe(1);
  }, 15_000);
});

describe('POST /ingest/postmark: routing, automatic mail and pictures', () => {
  it('routes by OriginalRecipient with plus-addressing, and prefers StrippedTextReply', async () => {
    await server.request('PATCH', '/api/walls/capcomnet', { emailAddresses: ['mur@event.example'] }, auth);
    await server.request('POST', '/api/walls', { slug: 'atelier', title: 'Atelier', hashtags: ['atelier'] }, auth);
    const body = { ...captured('postmark-valid.txt'), MessageID: 'pm-route', OriginalRecipient: 'mur+atelier@event.example', StrippedTextReply: 'Réponse courte' };
    expect((await post(body)).status).toBe(200);
    expect((await messages('atelier')).map((m) => m.text)).toEqual(['Réponse courte']);
  });

  it('stores an auto-reply (Auto-Submitted in Headers) as rejected, never queued', async () => {
    const fixture = captured('postmark-valid.txt');
    const body = { ...fixture, MessageID: 'pm-auto', Headers: [...fixture.Headers, { Name: 'Auto-Submitted', Value: 'auto-replied' }] };
    expect((await post(body)).status).toBe(200);
    expect(await messages()).toEqual([]);
    expect((await messages('capcomnet', 'rejected')).map((m) => m.reasons)).toEqual([['auto-submitted']]);
  });

  it('stores an image attachment as /media/, shown to the public only once approved', async () => {
    const body = {
      ...captured('postmark-valid.txt'),
      MessageID: 'pm-image',
      Attachments: [
        { Name: 'salle.png', Content: PNG.toString('base64'), ContentType: 'image/png', ContentLength: PNG.length },
        { Name: 'foo.txt', Content: Buffer.from('text').toString('base64'), ContentType: 'text/plain', ContentLength: 4 },
      ],
    };
    expect((await post(body)).status).toBe(200);
    const [item] = await messages();
    expect(item!.media).toHaveLength(1);
    expect(item!.media[0]!.url).toMatch(/^\/media\/[a-f0-9]{64}\.png$/);
    expect((await server.request('GET', item!.media[0]!.url)).status).toBe(404);
    expect((await server.request('POST', `/api/messages/${item!.id}/approve`, {}, auth)).status).toBe(200);
    const approved = await fetch(server.url + item!.media[0]!.url);
    expect(approved.status).toBe(200);
    expect(Buffer.from(await approved.arrayBuffer())).toEqual(PNG);
  });
});

describe('privacy', () => {
  it('never lets a sender’s address reach a wall frame, a log line or an error body', async () => {
    const { logger, lines } = capturedLogger();
    server = await start({ logger });
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, auth);
    const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    await wall.next((f) => f.type === 'snapshot');

    const jeanne = 'jeanne.dupont@example.org';
    const bodies: string[] = [];
    bodies.push((await post(capture('postmark-valid.txt'))).text);
    const anonymous = { ...captured('postmark-valid.txt'), MessageID: 'pm-j', From: jeanne, FromFull: { Email: jeanne, Name: '' }, TextBody: `Écrivez-moi à ${jeanne}` };
    bodies.push((await post(anonymous)).text);
    bodies.push((await post({ ...anonymous, MessageID: 'pm-forged' }, basic('wrong'))).text);
    bodies.push((await post({ From: jeanne })).text);
    const frames = [await wall.next((f) => f.type === 'approved'), await wall.next((f) => f.type === 'approved')];
    wall.close();
    expect(frames.map((f) => f.message.author.name).sort()).toEqual(['James McKinney', 'j•••']);
    expect(frames.find((f) => f.message.author.name === 'j•••').message.text).toBe('Écrivez-moi à j•••');

    const everything = [...lines, ...bodies, ...wall.frames.map((f) => JSON.stringify(f))].join('\n');
    expect(lines.length).toBeGreaterThan(5);
    for (const address of [SENDER, jeanne, 'jeanne.dupont']) expect(everything).not.toContain(address);
    // Nor the webhook's password, in clear or as the Basic credentials.
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(basic().authorization!.slice('Basic '.length));
  });
});
