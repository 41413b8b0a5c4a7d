import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyVonageSignature, type VonageSignatureMethod } from '../../server/providers/vonage-signature.js';
import { sweepVonageParts } from '../../server/routes/ingest-vonage.js';
import { capturedLogger, startServer, type TestResponse, type TestServer } from '../helpers/server.js';
import { SDK_ALGORITHM, vonageSdk, vonageSign } from '../helpers/vonage.js';

const SECRET = 'vonage-signature-secret-7c1e';
const SENDER = '447700900123';
const OUR_NUMBER = '447700900000';



let server: TestServer;
let clock: number;
const servers: TestServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close({ removeData: true });
});

async function start(env: Record<string, string> = {}, dataDir?: string): Promise<TestServer> {
  server = await startServer({
    now: () => new Date(clock),
    dataDir,
    env: { VONAGE_SIGNATURE_SECRET: SECRET, ...env },
  });
  servers.push(server);
  return server;
}

/** An inbound SMS as Vonage sends it, sent now by our clock. */
function inbound(messageId: string, text: string, extra: Record<string, string> = {}): Record<string, string> {
  const sent = new Date(clock);
  return {
    'api-key': 'abcd1234',
    msisdn: SENDER,
    to: OUR_NUMBER,
    messageId,
    text,
    type: 'text',
    keyword: text.split(' ')[0]!.toUpperCase(),
    'message-timestamp': sent.toISOString().slice(0, 19).replace('T', ' '),
    timestamp: String(Math.floor(sent.getTime() / 1000)),
    nonce: randomUUID(),
    ...extra,
  };
}

/** One part of a long SMS: Vonage sends each with its own messageId. */
function part(ref: string, n: number, total: number, text: string): Record<string, string> {
  return inbound(`part-${ref}-${n}`, text, { concat: 'true', 'concat-ref': ref, 'concat-total': String(total), 'concat-part': String(n) });
}

function signed(params: Record<string, string>, method: VonageSignatureMethod = 'md5hash'): Record<string, string> {
  return { ...params, sig: vonageSign(params, SECRET, method) };
}

/** Vonage's default: a form POST. */
async function postForm(params: Record<string, string>): Promise<TestResponse> {
  return server.request('POST', '/ingest/vonage', new URLSearchParams(params).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
  });
}

function storedVonage(): { provider_message_id: string; status: string; text: string; control: number }[] {
  return server.app.toile.repos.db
    .prepare("SELECT provider_message_id, status, text, control FROM messages WHERE source = 'vonage' ORDER BY id")
    .all() as { provider_message_id: string; status: string; text: string; control: number }[];
}

function storedParts(): number {
  return (server.app.toile.repos.db.prepare('SELECT COUNT(*) AS n FROM sms_parts').get() as { n: number }).n;
}

/** The moderation queue as a moderator's console reads it. */
async function pending(): Promise<{ text: string; reasons: string[]; author: { name: string } }[]> {
  const token = await server.adminToken();
  const response = await server.request('GET', '/api/walls/capcomnet/messages?status=pending', undefined, { authorization: `Bearer ${token}` });
  expect(response.status).toBe(200);
  return response.body.items;
}

function expectNoSecrets(response: TestResponse): void {
  expect(response.text).not.toContain(SENDER);
  expect(response.text).not.toContain(SECRET);
}

describe('the Vonage endpoint', () => {
  it('does not exist while no signature secret is configured', async () => {
    clock = Date.now();
    server = await startServer();
    servers.push(server);
    const response = await postForm(signed(inbound('m-404', 'hello')));
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('not_found');
  });
});

describe.each(['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const)('a message signed with %s', (method) => {
  it('is accepted by the official SDK, by our verifier and by the server, which stores it', async () => {
    clock = Date.now();
    await start({ VONAGE_SIGNATURE_METHOD: method });
    const params = inbound(`m-${method}`, `Signed with ${method} & checked = twice`);
    const sig = vonageSign(params, SECRET, method);
    expect(vonageSdk.verifySignature(sig, params, SECRET, SDK_ALGORITHM[method])).toBe(true);
    expect(verifyVonageSignature({ ...params, sig }, SECRET, method)).toBe(true);
    expect(verifyVonageSignature({ ...params, text: 'tampered', sig }, SECRET, method)).toBe(false);

    const response = await postForm({ ...params, sig });
    expect(response.status).toBe(200);
    expect(storedVonage()).toMatchObject([{ provider_message_id: `m-${method}`, text: `Signed with ${method} & checked = twice` }]);
    const tampered = await postForm({ ...params, messageId: `m-${method}-2`, sig });
    expect(tampered.status).toBe(403);
    expect(storedVonage()).toHaveLength(1);
  });
});

describe('receiving a Vonage SMS', () => {
  it('verifies with MD5 hash when a secret is configured without a method', async () => {
    clock = Date.now();
    await start();
    expect((await postForm(signed(inbound('m-default', 'hello'), 'sha256'))).status).toBe(403);
    expect((await postForm(signed(inbound('m-default', 'hello'), 'md5hash'))).status).toBe(200);
  });

  it('stores a message once, queues it for moderation without its sender’s number, and stores nothing on a retry', async () => {
    clock = Date.now();
    await start();
    const params = signed(inbound('0A0000000123ABCD1', 'Bravo pour la plénière !'));
    const first = await postForm(params);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({});
    const queue = await pending();
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatchObject({ text: 'Bravo pour la plénière !', status: 'pending' });
    expect(queue[0]!.author.name).not.toContain(SENDER);

    const retry = await postForm(params);
    expect(retry.status).toBe(200);
    expect(storedVonage()).toHaveLength(1);
    expect(await pending()).toHaveLength(1);
  });

  it('accepts the message as a form, as JSON and as a GET query string', async () => {
    clock = Date.now();
    await start({ VONAGE_SIGNATURE_METHOD: 'sha256' });
    expect((await postForm(signed(inbound('m-form', 'by form'), 'sha256'))).status).toBe(200);
    expect((await server.request('POST', '/ingest/vonage', signed(inbound('m-json', 'by JSON'), 'sha256'))).status).toBe(200);
    const query = new URLSearchParams(signed(inbound('m-get', 'by GET'), 'sha256')).toString();
    expect((await server.request('GET', `/ingest/vonage?${query}`)).status).toBe(200);
    expect(storedVonage().map((m) => m.text)).toEqual(['by form', 'by JSON', 'by GET']);
  });

  it('refuses a request without a signature or with a wrong one, says nothing private, and stores nothing', async () => {
    clock = Date.now();
    await start();
    const unsigned = await postForm(inbound('m-forged', 'forged'));
    expect(unsigned.status).toBe(403);
    expect(unsigned.body.code).toBe('forbidden');
    expectNoSecrets(unsigned);

    const wrongSecret = { ...inbound('m-forged', 'forged') };
    const forged = await postForm({ ...wrongSecret, sig: vonageSign(wrongSecret, 'guessed-secret', 'md5hash') });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('forbidden');
    expectNoSecrets(forged);

    const query = new URLSearchParams({ ...inbound('m-forged', 'forged'), sig: '0'.repeat(32) }).toString();
    expect((await server.request('GET', `/ingest/vonage?${query}`)).status).toBe(403);
    expect(storedVonage()).toEqual([]);
    expect(storedParts()).toBe(0);
  });

  it('takes a retry whose timestamp is hours old (Vonage keeps the first push time), but not one older than its 24 hours of retries', async () => {
    clock = Date.now();
    await start();
    const retried = inbound('m-retried', 'sent during an outage');
    const stale = inbound('m-stale', 'replayed');
    clock += 6 * 60 * 60_000;
    expect((await postForm(signed(retried))).status).toBe(200);
    clock += 18 * 60 * 60_000 + 6 * 60_000;
    const refused = await postForm(signed(stale));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/stale/);
    expectNoSecrets(refused);

    const early = await postForm(signed(inbound('m-future', 'from the future', { timestamp: String(Math.floor(clock / 1000) + 301) })));
    expect(early.status).toBe(403);
    expect(early.body.message).toMatch(/ahead of this server’s clock/);
    expect(storedVonage().map((m) => m.text)).toEqual(['sent during an outage']);
  });

  it('answers 400 to a signed request without a sender, an id or a text, without echoing the number', async () => {
    clock = Date.now();
    await start();
    for (const missing of ['msisdn', 'messageId', 'text']) {
      const params = inbound('m-malformed', 'hello');
      delete params[missing];
      const response = await postForm(signed(params));
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(missing);
      expectNoSecrets(response);
    }
    const badPart = await postForm(signed({ ...part('7', 4, 3, 'x') }));
    expect(badPart.status).toBe(400);
    expect(storedVonage()).toEqual([]);
    expect(storedParts()).toBe(0);
  });

  it('shows a long SMS once, whole and in order, whatever order its parts and their retries arrive in', async () => {
    clock = Date.now();
    await start();
    // An SMS splits a long text wherever the limit falls, mid-word included.
    const [one, two, three] = [part('42', 1, 3, 'Merci à toute l’équipe pour cette journée: les atel'), part('42', 2, 3, 'iers étaient passionnants et la plénière '), part('42', 3, 3, 'aussi !')];
    expect((await postForm(signed(three!))).status).toBe(200);
    expect((await postForm(signed(one!))).status).toBe(200);
    expect(storedVonage()).toEqual([]);
    expect((await postForm(signed(three!))).status).toBe(200);
    const [last, retried] = await Promise.all([postForm(signed(two!)), postForm(signed(two!))]);
    expect([last.status, retried.status]).toEqual([200, 200]);

    const queue = await pending();
    expect(queue).toHaveLength(1);
    expect(queue[0]!.text).toBe('Merci à toute l’équipe pour cette journée: les ateliers étaient passionnants et la plénière aussi !');
    expect(queue[0]!.reasons).not.toContain('incomplete');
    expect(storedVonage()).toMatchObject([{ provider_message_id: 'part-42-1' }]);
    expect((await postForm(signed(one!))).status).toBe(200);
    expect(storedVonage()).toHaveLength(1);
  });

  it('shows a complete long SMS at once on a post-moderated wall, without its sender’s number', async () => {
    clock = Date.now();
    await start();
    const token = await server.adminToken();
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, { authorization: `Bearer ${token}` });
    expect((await postForm(signed(part('8', 2, 2, 'la salle !')))).status).toBe(200);
    expect((await postForm(signed(part('8', 1, 2, 'Bonjour ')))).status).toBe(200);
    const events = await server.request('GET', '/api/walls/capcomnet/events?since=0');
    expect(events.status).toBe(200);
    const approved = events.body.events.filter((event: { type: string }) => event.type === 'approved');
    expect(approved).toMatchObject([{ message: { text: 'Bonjour la salle !', source: 'vonage' } }]);
    expect(events.text).not.toContain(SENDER);
  });

  it('holds an incomplete long SMS for a moderator after the timeout, even on a post-moderated wall, and after a restart', async () => {
    clock = Date.now();
    await start({ TOILE_SMS_PARTS_TIMEOUT_SECONDS: '1' });
    const token = await server.adminToken();
    const patched = await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, { authorization: `Bearer ${token}` });
    expect(patched.status).toBe(200);
    expect((await postForm(signed(part('9', 1, 3, 'Le début, ')))).status).toBe(200);
    expect((await postForm(signed(part('9', 3, 3, ' et la fin.')))).status).toBe(200);

    // Restarted before the timeout: the waiting parts are in SQLite, and the new process hands them over.
    const { dataDir } = server;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    await start({ TOILE_SMS_PARTS_TIMEOUT_SECONDS: '1' }, dataDir);
    expect(storedVonage()).toEqual([]);
    clock += 1_000;
    await sweepVonageParts(server.app);

    const queue = await pending();
    expect(queue).toHaveLength(1);
    expect(queue[0]!.text).toBe('Le début, […] et la fin.');
    expect(queue[0]!.reasons).toContain('incomplete');
    expect(storedVonage()).toMatchObject([{ provider_message_id: 'part-9-1', status: 'pending' }]);
    await sweepVonageParts(server.app);
    expect(storedVonage()).toHaveLength(1);
  });

  it('hands over timed-out parts on its own, every second', async () => {
    clock = Date.now();
    await start({ TOILE_SMS_PARTS_TIMEOUT_SECONDS: '1' });
    expect((await postForm(signed(part('11', 2, 2, 'only the end')))).status).toBe(200);
    clock += 1_000;
    // The plugin's timer is real (a second); nothing here calls the sweep.
    await vi.waitFor(() => expect(storedVonage()).toMatchObject([{ provider_message_id: 'part-11-2', text: '[…]only the end' }]), {
      timeout: 3_000,
      interval: 50,
    });
  });

  it('answers 503 while the database is locked, stores nothing, and stores the retry', async () => {
    clock = Date.now();
    await start();
    // The lock is found in 50 ms rather than the production 5 s; the path to the 503 is the same.
    server.app.toile.repos.db.pragma('busy_timeout = 50');
    const single = signed(inbound('m-busy', 'wait for it'));
    const piece = signed(part('5', 1, 2, 'first half'));
    const other = new Database(join(server.dataDir, 'toile.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      for (const params of [single, piece]) {
        const locked = await postForm(params);
        expect(locked.status).toBe(503);
        expect(locked.headers.get('retry-after')).toBe('5');
        expect(locked.body.code).toBe('unavailable');
      }
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(storedVonage()).toEqual([]);
    expect(storedParts()).toBe(0);
    expect((await postForm(single)).status).toBe(200);
    expect((await postForm(piece)).status).toBe(200);
    expect(storedVonage()).toHaveLength(1);
    expect(storedParts()).toBe(1);
  });

  it('delivers a long SMS whose hand-over failed after its parts were marked, without waiting for Vonage', async () => {
    clock = Date.now();
    await start();
    expect((await postForm(signed(part('3', 1, 2, 'Hello ')))).status).toBe(200);
    // The last part is stored and its group marked, then storing the message fails.
    server.app.toile.repos.db.exec("CREATE TRIGGER fail_messages BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'disk trouble'); END");
    const failed = await postForm(signed(part('3', 2, 2, 'world')));
    expect(failed.status).toBe(500);
    server.app.toile.repos.db.exec('DROP TRIGGER fail_messages');
    // Vonage's retry finds the part already stored; the sweep delivers the message.
    expect((await postForm(signed(part('3', 2, 2, 'world')))).status).toBe(200);
    clock += 10_000;
    await sweepVonageParts(server.app);
    expect(storedVonage()).toMatchObject([{ provider_message_id: 'part-3-1', text: 'Hello world', status: 'pending' }]);
  });

  it('never shows a STOP sent through Vonage, not even to moderators', async () => {
    clock = Date.now();
    await start();
    expect((await postForm(signed(inbound('m-stop', 'STOP')))).status).toBe(200);
    expect(await pending()).toEqual([]);
    expect(storedVonage()).toMatchObject([{ provider_message_id: 'm-stop', status: 'rejected', control: 1 }]);
    // Opted out: what the sender texts next is kept from the queue too.
    expect((await postForm(signed(inbound('m-after', 'still there?')))).status).toBe(200);
    expect(await pending()).toEqual([]);
  });

  it('never writes the sender’s number or the secret to the log', async () => {
    clock = Date.now();
    const { logger, lines } = capturedLogger();
    server = await startServer({ now: () => new Date(clock), env: { VONAGE_SIGNATURE_SECRET: SECRET }, logger });
    servers.push(server);
    await postForm(signed(inbound('m-log', 'hello')));
    await postForm(inbound('m-log-2', 'unsigned'));
    await server.request('GET', `/ingest/vonage?${new URLSearchParams(signed(inbound('m-log-3', 'by GET'))).toString()}`);
    await postForm(signed({ ...inbound('m-log-4', 'x'), msisdn: '' }));
    expect(lines.length).toBeGreaterThan(4);
    const log = lines.join('');
    expect(log).not.toContain(SENDER);
    expect(log).not.toContain(SECRET);
  });
});
