import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let auth: Record<string, string>;

beforeEach(async () => {
  server = await startServer();
  auth = { authorization: `Bearer ${await server.adminToken()}` };
  const created = await server.request('POST', '/api/walls', { slug: 'paris20', title: 'Paris 2.0', hashtags: ['#Paris20'] }, auth);
  expect(created.status).toBe(201);
  await server.request('PATCH', '/api/walls/paris20', { smsNumbers: ['+33700000020'], emailAddresses: ['mur@paris20.example'] }, auth);
});

afterEach(async () => {
  await server.close({ removeData: true });
});

function sms(id: string, text: string, to = '+33700000001') {
  return server.app.toile.ingest({
    channel: 'sms',
    source: 'twilio',
    providerMessageId: id,
    to,
    author: { address: '+33612345678', addressKind: 'phone' },
    text,
  });
}

describe('routing a contribution to its wall', () => {
  it('sends a message to the wall that owns the number it was texted to', () => {
    expect(sms('SM1', 'hello', '+33 7 00 00 00 20').message.wallSlug).toBe('paris20');
  });

  it('sends a message to the wall whose hashtag it names, whatever its case or width', () => {
    expect(sms('SM2', 'Vu à la plénière #PARIS20').message.wallSlug).toBe('paris20');
    expect(sms('SM3', 'Vu à la plénière ＃ｐａｒｉｓ２０').message.wallSlug).toBe('paris20');
  });

  it('matches a hashtag whatever its accents, as the social sources do', async () => {
    await server.request('POST', '/api/walls', { slug: 'fete', title: 'Fête', hashtags: ['#Fête'] }, auth);
    expect(sms('SM6', 'Quelle soirée #FETE').message.wallSlug).toBe('fete');
    expect(sms('SM7', 'Et encore #fête').message.wallSlug).toBe('fete');
  });

  it('sends anything else to the default wall', () => {
    expect(sms('SM4', 'no tag here').message.wallSlug).toBe('capcomnet');
  });

  it('routes email by the address it was sent to, case-insensitively', () => {
    const { message } = server.app.toile.ingest({
      channel: 'email',
      source: 'mailgun',
      providerMessageId: '<a@b>',
      to: 'MUR@Paris20.example',
      author: { name: 'Jeanne', address: 'jeanne@example.org', addressKind: 'email' },
      text: 'Bonjour',
    });
    expect(message.wallSlug).toBe('paris20');
    expect(message.authorName).toBe('Jeanne');
  });

  it('stores a signed but empty provider message as rejected with a reason, and never shows it', () => {
    const { message, created } = sms('SM5', '\u200b\u2066\u0000');
    expect(created).toBe(true);
    expect(message.status).toBe('rejected');
    expect(message.reasons).toEqual(['empty']);
    expect(sms('SM5', '\u200b\u2066\u0000').created).toBe(false);
  });
});

describe('a transient fault of ours', () => {
  it('answers 503 with Retry-After while the database is locked, stores nothing, and accepts the retry', async () => {
    const other = new Database(join(server.dataDir, 'toile.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      const locked = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: 'busy', author: { name: 'a' }, text: 'wait' }, auth);
      expect(locked.status).toBe(503);
      expect(locked.headers.get('retry-after')).toBe('5');
      expect(locked.body.code).toBe('unavailable');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const retried = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: 'busy', author: { name: 'a' }, text: 'wait' }, auth);
    expect(retried.status).toBe(201);
  }, 20_000);
});
