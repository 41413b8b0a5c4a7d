import Database from 'better-sqlite3';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturedLogger, startServer, type StartOptions, type TestServer } from '../helpers/server.js';
import { openSocket } from '../helpers/ws.js';

/** The captures' signing key and timestamp (multi_mail's fixtures: tests/fixtures/email-webhooks/README.md). */
const KEY = 'foo';
const CAPTURED_AT = 1366071615;
const SENDER = 'james@opennorth.ca';
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4d10000000049454e44ae426082',
  'hex',
);

interface Capture {
  contentType: string;
  body: Buffer;
}

/** A raw HTTP capture: its header lines, an empty line, then the body bytes as they were sent. */
function capture(name: string): Capture {
  const bytes = readFileSync(join(import.meta.dirname, '../fixtures/email-webhooks', name));
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  const [end, skip] = crlf !== -1 && (lf === -1 || crlf < lf) ? [crlf, 4] : [lf, 2];
  const contentType = /^content-type:\s*(.+?)\r?$/im.exec(bytes.subarray(0, end).toString('latin1'))![1]!;
  return { contentType, body: bytes.subarray(end + skip) };
}

/** Mailgun's scheme as its documentation states it, written here independently of the server's verifier. */
function sign(timestamp: string, token: string, key = KEY): string {
  return createHmac('sha256', key).update(timestamp + token).digest('hex');
}

function freshToken(): string {
  return randomBytes(25).toString('hex');
}

/** A form-encoded inbound post as Mailgun makes it, freshly signed (timestamp = the test clock). */
function formPost(fields: Record<string, string>, options: { timestamp?: number; token?: string; key?: string } = {}): Capture {
  const timestamp = String(options.timestamp ?? Math.floor(clock.getTime() / 1000));
  const token = options.token ?? freshToken();
  const params = new URLSearchParams({ ...fields, timestamp, token, signature: sign(timestamp, token, options.key) });
  return { contentType: 'application/x-www-form-urlencoded', body: Buffer.from(params.toString()) };
}

/** The spam capture re-signed with our key: as captured, it was signed with the capturer's own key. */
function resigned(original: Capture): Capture {
  const params = new URLSearchParams(original.body.toString('latin1'));
  const timestamp = String(Math.floor(clock.getTime() / 1000));
  const token = freshToken();
  params.set('timestamp', timestamp);
  params.set('token', token);
  params.set('signature', sign(timestamp, token));
  return { contentType: original.contentType, body: Buffer.from(params.toString()) };
}

let clock = new Date((CAPTURED_AT + 60) * 1000);
let server: TestServer;
let auth: Record<string, string>;
const servers: TestServer[] = [];

async function start(options: StartOptions = {}): Promise<TestServer> {
  const started = await startServer({ now: () => clock, env: { MAILGUN_WEBHOOK_SIGNING_KEY: KEY }, ...options });
  servers.push(started);
  auth = { authorization: `Bearer ${await started.adminToken()}` };
  return started;
}

beforeEach(async () => {
  clock = new Date((CAPTURED_AT + 60) * 1000);
  server = await start();
  // The captures were sent to foo+bar@multimail.mailgun.org: plus-addressing names the wall `bar`.
  await server.request('PATCH', '/api/walls/capcomnet', { emailAddresses: ['foo@multimail.mailgun.org'] }, auth);
  await server.request('POST', '/api/walls', { slug: 'bar', title: 'Bar', hashtags: ['bar'] }, auth);
});

afterEach(async () => {
  for (const started of servers.splice(0)) await started.close({ removeData: true }).catch(() => undefined);
});

async function post(target: TestServer, request: Capture, path = '/ingest/mailgun') {
  const response = await fetch(target.url + path, {
    method: 'POST',
    headers: { 'content-type': request.contentType },
    body: new Uint8Array(request.body),
  });
  const text = await response.text();
  return { status: response.status, text, body: text === '' ? undefined : JSON.parse(text) };
}

function count(target: TestServer, table: 'messages' | 'contributors' | 'mailgun_tokens'): number {
  return (target.app.toile.repos.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

interface Item {
  id: number;
  text: string;
  author: { name: string };
  source: string;
  reasons: string[];
  media: { url: string }[];
  sender: { address: string };
}

async function messages(target: TestServer, wall: string, status = 'pending'): Promise<Item[]> {
  const response = await target.request('GET', `/api/walls/${wall}/messages?status=${status}`, undefined, auth);
  return response.body.items as Item[];
}

describe('POST /ingest/mailgun: the real captures', () => {
  it('accepts the parsed capture (multipart, signed with key foo), queues it once on the wall its recipient names, and stores a retry as nothing new', async () => {
    const response = await post(server, capture('mailgun-parsed-valid.txt'));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ok: true, status: 'stored' });
    const items = await messages(server, 'bar');
    expect(items).toHaveLength(1);
    // stripped-text is preferred; "Test" is a generic subject; the two .txt attachments are not pictures.
    expect(items[0]).toMatchObject({
      text: 'bold text\n\nsome more bold text\n\nsome italic text',
      author: { name: 'James McKinney' },
      source: 'mailgun',
      media: [],
      sender: { address: SENDER },
    });
    const retry = await post(server, capture('mailgun-parsed-valid.txt'));
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ status: 'duplicate' });
    expect(count(server, 'messages')).toBe(1);
  });

  it('accepts the raw-MIME capture (body-mime) on its own, at the URL ending with "mime" that raw mode needs', async () => {
    const response = await post(server, capture('mailgun-raw-valid.txt'), '/ingest/mailgun/mime');
    expect(response.status).toBe(200);
    const [item] = await messages(server, 'bar');
    expect(item).toMatchObject({ author: { name: 'James McKinney' }, sender: { address: SENDER } });
    expect(item!.text).toContain('bold text');
    expect(item!.text).not.toContain('multiline');
    expect(item!.text).not.toContain('Signature block');
  });

  it('holds the spam capture (X-Mailgun-Sflag: Yes) once signed with our key, and refuses it as captured', async () => {
    const spam = capture('mailgun-parsed-spam.txt');
    // Captured with another account's key: for us it is forged.
    expect((await post(server, spam)).status).toBe(403);
    expect(count(server, 'messages')).toBe(0);
    expect((await post(server, resigned(spam))).status).toBe(200);
    const [item] = await messages(server, 'bar');
    expect(item).toMatchObject({ author: { name: 'James McKinney' }, reasons: ['spam-score'] });
    expect(item!.text).toContain('GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL');
  });
});

describe('POST /ingest/mailgun: signatures, tokens and retries', () => {
  it('refuses a wrong signature, a wrong key, a missing signature, a stale or future timestamp (403) and a broken body (400), storing nothing at all', async () => {
    const fields = { recipient: 'foo@multimail.mailgun.org', sender: SENDER, from: `James <${SENDER}>`, 'body-plain': 'Bonjour' };
    const forged = new URLSearchParams(formPost(fields).body.toString());
    forged.set('signature', forged.get('signature')!.replace(/^./, (c) => (c === '0' ? '1' : '0')));
    const responses = [
      await post(server, { contentType: 'application/x-www-form-urlencoded', body: Buffer.from(forged.toString()) }),
      await post(server, formPost(fields, { key: 'another-key' })),
      await post(server, { contentType: 'application/x-www-form-urlencoded', body: Buffer.from(new URLSearchParams(fields).toString()) }),
      // Mailgun retries for 8 hours with the first attempt's timestamp: 10 hours is beyond any retry.
      await post(server, formPost(fields, { timestamp: Math.floor(clock.getTime() / 1000) - 10 * 3600 })),
      await post(server, formPost(fields, { timestamp: Math.floor(clock.getTime() / 1000) + 10 * 60 })),
    ];
    expect(responses.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect(responses[3]!.body.message).toMatch(/timestamp/);
    // A body that is not one at all is the client's fault, whoever it is.
    const cut = await post(server, { contentType: 'multipart/form-data; boundary=x', body: Buffer.from('--x\r\nContent-Disposition: form-data; name="a"; filename="a.png"\r\n\r\nab') });
    expect(cut.status).toBe(400);
    expect(count(server, 'messages')).toBe(0);
    expect(count(server, 'contributors')).toBe(0);
    expect(count(server, 'mailgun_tokens')).toBe(0);
  });

  it('refuses a token used for another message (the raw capture reuses the parsed capture’s token), also after a restart', async () => {
    expect((await post(server, capture('mailgun-parsed-valid.txt'))).status).toBe(200);
    const replay = await post(server, capture('mailgun-raw-valid.txt'));
    expect(replay.status).toBe(403);
    expect(replay.body.code).toBe('replayed_token');
    const { dataDir } = server;
    await server.close();
    const restarted = await start({ dataDir });
    expect((await post(restarted, capture('mailgun-raw-valid.txt'))).status).toBe(403);
    // The same message with its token is still Mailgun retrying a delivery whose answer it lost.
    expect((await post(restarted, capture('mailgun-parsed-valid.txt'))).status).toBe(200);
    expect(count(restarted, 'messages')).toBe(1);
    expect(count(restarted, 'mailgun_tokens')).toBe(1);
  });

  it('forgets tokens once their timestamp is out of the window', async () => {
    expect((await post(server, capture('mailgun-parsed-valid.txt'))).status).toBe(200);
    clock = new Date(clock.getTime() + 10 * 3600 * 1000);
    expect((await post(server, formPost({ sender: SENDER, from: SENDER, 'body-plain': 'Plus tard' }))).status).toBe(200);
    expect(count(server, 'mailgun_tokens')).toBe(1);
  });

  it('answers 503 while the database is locked, remembering nothing, and accepts Mailgun’s retry with the same token hours later', async () => {
    const other = new Database(join(server.dataDir, 'toile.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      expect((await post(server, capture('mailgun-parsed-valid.txt'))).status).toBe(503);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(count(server, 'messages')).toBe(0);
    expect(count(server, 'mailgun_tokens')).toBe(0);
    clock = new Date(clock.getTime() + 4 * 3600 * 1000);
    const retry = await post(server, capture('mailgun-parsed-valid.txt'));
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe('stored');
    expect(count(server, 'messages')).toBe(1);
  }, 15_000);
});

describe('POST /ingest/mailgun: what is kept off the wall', () => {
  it('stores an auto-reply and a bounce as rejected with their reason, never queued', async () => {
    const autoReply = formPost({
      recipient: 'foo@multimail.mailgun.org',
      sender: 'bob@example.org',
      from: 'Bob <bob@example.org>',
      subject: 'Absent',
      'body-plain': 'Je suis absent.',
      'message-headers': JSON.stringify([['From', 'Bob <bob@example.org>'], ['Auto-Submitted', 'auto-replied'], ['Message-Id', '<auto1@example.org>']]),
    });
    const bounce = formPost({ recipient: 'foo@multimail.mailgun.org', sender: '', from: 'Mail Delivery <mailer@example.org>', 'body-plain': 'Undeliverable' });
    expect((await post(server, autoReply)).status).toBe(200);
    expect((await post(server, bounce)).status).toBe(200);
    expect(await messages(server, 'capcomnet')).toEqual([]);
    const rejected = await messages(server, 'capcomnet', 'rejected');
    expect(rejected.map((m) => m.reasons).sort()).toEqual([['auto-submitted'], ['empty-envelope-sender']]);
  });

  it('stores an image attachment as /media/, shown to the public only once approved', async () => {
    const timestamp = String(Math.floor(clock.getTime() / 1000));
    const token = freshToken();
    const form = new FormData();
    for (const [name, value] of Object.entries({ recipient: 'foo@multimail.mailgun.org', sender: 'ana@example.org', from: 'Ana <ana@example.org>', subject: 'La salle', 'body-plain': 'Regardez', 'attachment-count': '2', timestamp, token, signature: sign(timestamp, token) })) {
      form.append(name, value);
    }
    form.append('attachment-1', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'salle.png');
    form.append('attachment-2', new Blob(['%PDF-1.4 not a picture'], { type: 'application/pdf' }), 'programme.pdf');
    const response = await fetch(`${server.url}/ingest/mailgun`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    const [item] = await messages(server, 'capcomnet');
    expect(item!.media).toHaveLength(1);
    expect(item!.media[0]!.url).toMatch(/^\/media\/[a-f0-9]{64}\.png$/);
    expect((await server.request('GET', item!.media[0]!.url)).status).toBe(404);
    expect((await server.request('POST', `/api/messages/${item!.id}/approve`, {}, auth)).status).toBe(200);
    const approved = await fetch(server.url + item!.media[0]!.url);
    expect(approved.status).toBe(200);
    expect(Buffer.from(await approved.arrayBuffer())).toEqual(PNG);
  });

  it('answers 406 to what Mailgun signed but is no message (an event webhook, an empty post), and 404 with no key set', async () => {
    const timestamp = String(Math.floor(clock.getTime() / 1000));
    const token = freshToken();
    const event = await server.request('POST', '/ingest/mailgun', { signature: { timestamp, token, signature: sign(timestamp, token) }, 'event-data': { event: 'delivered' } });
    expect(event.status).toBe(406);
    const unsignedEvent = await server.request('POST', '/ingest/mailgun', { signature: { timestamp, token: freshToken(), signature: 'f'.repeat(64) }, 'event-data': {} });
    expect(unsignedEvent.status).toBe(403);
    expect((await post(server, formPost({}))).status).toBe(406);
    expect(count(server, 'messages')).toBe(0);
    const bare = await startServer();
    servers.push(bare);
    expect((await post(bare, capture('mailgun-parsed-valid.txt'))).status).toBe(404);
  });
});

describe('privacy', () => {
  it('never lets a sender’s address reach a wall frame, a log line or an error body', async () => {
    const { logger, lines } = capturedLogger();
    server = await start({ logger });
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, auth);
    const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    await wall.next((f) => f.type === 'snapshot');

    const bodies: string[] = [];
    const jeanne = 'jeanne.dupont@example.org';
    bodies.push((await post(server, capture('mailgun-parsed-valid.txt'))).text);
    bodies.push((await post(server, capture('mailgun-raw-valid.txt'))).text);
    bodies.push((await post(server, formPost({ sender: jeanne, from: jeanne, 'body-plain': `Écrivez-moi à ${jeanne}` }))).text);
    bodies.push((await post(server, formPost({ sender: jeanne, from: jeanne, 'body-plain': 'forged' }, { key: 'nope' }))).text);
    bodies.push((await post(server, formPost({ sender: jeanne, from: jeanne }, { timestamp: 1 }))).text);
    const frames = [await wall.next((f) => f.type === 'approved'), await wall.next((f) => f.type === 'approved')];
    wall.close();
    expect(frames.map((f) => f.message.author.name).sort()).toEqual(['James McKinney', 'j•••']);
    expect(frames.find((f) => f.message.author.name === 'j•••').message.text).toBe('Écrivez-moi à j•••');

    const everything = [...lines, ...bodies, ...wall.frames.map((f) => JSON.stringify(f))].join('\n');
    expect(lines.length).toBeGreaterThan(5);
    for (const address of [SENDER, jeanne, 'jeanne.dupont']) expect(everything).not.toContain(address);
  });
});
