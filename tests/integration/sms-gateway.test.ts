import Database from 'better-sqlite3';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'sms-gateway-signing-key-for-tests';
const FIXTURE = readFileSync(join(import.meta.dirname, '../fixtures/sms/sms-gateway-received.json'));

let server: TestServer;
let auth: Record<string, string>;

beforeEach(async () => {
  server = await startServer({ env: { SMS_GATEWAY_SIGNING_KEY: KEY } });
  auth = { authorization: `Bearer ${await server.adminToken()}` };
});

afterEach(async () => {
  await server.close({ removeData: true });
});

/**
 * Signs as the app does (per its documentation): hex HMAC-SHA256 of the raw body followed by the
 * X-Timestamp value. Written here from the documentation, independently of the server's verifier.
 */
function sign(body: Buffer, timestamp: string, key = KEY): string {
  return createHmac('sha256', key).update(Buffer.concat([body, Buffer.from(timestamp)])).digest('hex');
}

function post(body: Buffer, options: { key?: string; timestamp?: number; signature?: string; headers?: Record<string, string> } = {}) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return fetch(`${server.url}/ingest/sms-gateway`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-timestamp': timestamp,
      'x-signature': options.signature ?? sign(body, timestamp, options.key),
      ...options.headers,
    },
    body: new Uint8Array(body),
  });
}

function envelope(overrides: { id?: string; event?: string; message?: string; phoneNumber?: string } = {}): Buffer {
  const fixture = JSON.parse(FIXTURE.toString()) as { id: string; event: string; payload: Record<string, unknown> };
  return Buffer.from(
    JSON.stringify({
      ...fixture,
      id: overrides.id ?? fixture.id,
      event: overrides.event ?? fixture.event,
      payload: { ...fixture.payload, ...(overrides.message ? { message: overrides.message } : {}), ...(overrides.phoneNumber ? { phoneNumber: overrides.phoneNumber } : {}) },
    }),
  );
}

function storedCount(): number {
  return (server.app.toile.repos.db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
}

async function queue() {
  const response = await server.request('GET', '/api/walls/capcomnet/messages?status=pending', undefined, auth);
  return response.body.items as { text: string; author: { name: string }; source: string; sender: { address: string } }[];
}

describe('POST /ingest/sms-gateway (SMS Gateway for Android)', () => {
  it('accepts the fixture byte for byte with a correct signature and queues it under a masked number', async () => {
    const response = await post(FIXTURE);
    expect(response.status).toBe(200);
    const items = await queue();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ text: 'Bravo pour la table ronde #capcomnet', author: { name: 'SMS ••78' }, source: 'sms-gateway', sender: { address: '+33612345678' } });
  });

  it('refuses a tampered body, a wrong key, a stale or future timestamp, and a missing signature, storing nothing', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const tampered = Buffer.from(FIXTURE.toString().replace('Bravo', 'Hacked'));
    expect((await post(tampered, { signature: sign(FIXTURE, timestamp), timestamp: Number(timestamp) })).status).toBe(403);
    expect((await post(FIXTURE, { key: 'wrong-key' })).status).toBe(403);
    const stale = await post(FIXTURE, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(403);
    expect(((await stale.json()) as { message: string }).message).toMatch(/X-Timestamp/);
    expect((await post(FIXTURE, { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 })).status).toBe(403);
    // A signature over the body alone, without the timestamp, is not the scheme.
    const bodyOnly = createHmac('sha256', KEY).update(FIXTURE).digest('hex');
    expect((await post(FIXTURE, { signature: bodyOnly })).status).toBe(403);
    const unsigned = await fetch(`${server.url}/ingest/sms-gateway`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array(FIXTURE) });
    expect(unsigned.status).toBe(403);
    expect(storedCount()).toBe(0);
    expect((server.app.toile.repos.db.prepare('SELECT COUNT(*) AS n FROM contributors').get() as { n: number }).n).toBe(0);
  });

  it('accepts a timestamp within five minutes either way', async () => {
    expect((await post(envelope({ id: 'early' }), { timestamp: Math.floor(Date.now() / 1000) - 4 * 60 })).status).toBe(200);
    expect((await post(envelope({ id: 'late' }), { timestamp: Math.floor(Date.now() / 1000) + 4 * 60 })).status).toBe(200);
  });

  it('dedupes on the envelope id, not on payload.messageId (which repeats for equal texts)', async () => {
    expect((await post(envelope({ id: 'a' }))).status).toBe(200);
    expect((await post(envelope({ id: 'a' }))).status).toBe(200);
    expect(storedCount()).toBe(1);
    // Same content, same messageId, another delivery: a second message.
    expect((await post(envelope({ id: 'b' }))).status).toBe(200);
    expect(storedCount()).toBe(2);
  });

  it('acknowledges other events without storing them, and refuses signed garbage with 400', async () => {
    for (const event of ['sms:sent', 'sms:delivered', 'system:ping']) {
      const response = await post(envelope({ id: event, event }));
      expect(response.status).toBe(200);
    }
    expect(storedCount()).toBe(0);
    expect((await post(Buffer.from('{not json'))).status).toBe(400);
    expect((await post(Buffer.from(JSON.stringify({ event: 'sms:received', id: 'x', payload: {} })))).status).toBe(400);
    expect(storedCount()).toBe(0);
  });

  it('answers 503 while the database is locked, storing nothing, then stores the retry', async () => {
    const other = new Database(join(server.dataDir, 'toile.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      expect((await post(FIXTURE)).status).toBe(503);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(storedCount()).toBe(0);
    expect((await post(FIXTURE)).status).toBe(200);
    expect(storedCount()).toBe(1);
  }, 20_000);

  it('never shows STOP, and is a 404 when no signing key is configured', async () => {
    expect((await post(envelope({ id: 's1', message: 'ARRÊT' }))).status).toBe(200);
    expect((await post(envelope({ id: 's2', message: 'encore' }))).status).toBe(200);
    expect(await queue()).toEqual([]);
    const bare = await startServer();
    try {
      const response = await fetch(`${bare.url}/ingest/sms-gateway`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array(FIXTURE) });
      expect(response.status).toBe(404);
    } finally {
      await bare.close({ removeData: true });
    }
  });
});
