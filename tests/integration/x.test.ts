import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFakeX, xPost, type FakeX } from '../helpers/fake-x.js';
import { capturedLogger, startServer, type TestServer } from '../helpers/server.js';

/**
 * The X source through the real server: an organiser creates it with a bearer token, the posts X's
 * recent search returns wait in the moderation queue, the token never comes back out, and a restart
 * resumes from the stored `since_id`. X is the local double speaking recent search (`tests/helpers/fake-x.ts`).
 */

const TIMING = { pollMs: 50, backoffMs: 50, maxBackoffMs: 400, timeoutMs: 2000, cursorFlushMs: 100 };

interface QueueItem {
  id: number;
  channel: string;
  source: string;
  author: { name: string; handle?: string; avatarUrl?: string };
  text: string;
  media: { kind: string; url: string; alt?: string }[];
  contentWarning?: string;
}

let server: TestServer;
let auth: Record<string, string>;
let fake: FakeX;
let log: ReturnType<typeof capturedLogger>;

beforeEach(async () => {
  log = capturedLogger();
  server = await startServer({ sourceTiming: TIMING, logger: log.logger });
  auth = { authorization: `Bearer ${await server.adminToken()}` };
  fake = await startFakeX();
});

afterEach(async () => {
  await server.close({ removeData: true });
  await fake.close();
});

async function queue(): Promise<QueueItem[]> {
  const response = await server.request('GET', '/api/walls/capcomnet/messages?status=pending&limit=500', undefined, auth);
  return response.body.items;
}

async function createSource(bearerToken = fake.token) {
  return server.request('POST', '/api/walls/capcomnet/sources', { kind: 'x', query: '#capcomnet', bearerToken, apiBase: fake.url }, auth);
}

describe('an X source on a wall', () => {
  it('puts the posts X finds in the moderation queue and never shows its bearer token', async () => {
    fake.load(JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/x/recent-search-page.json'), 'utf8')));
    const created = await createSource();
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'x', settings: { query: '#capcomnet', apiBase: fake.url, hasBearerToken: true } });
    expect(created.text).not.toContain(fake.token);

    // Seven posts: the eighth is a retweet.
    const items = await vi.waitFor(async () => {
      const pending = await queue();
      expect(pending).toHaveLength(7);
      return pending;
    }, { timeout: 5000, interval: 50 });
    expect(fake.searches()[0]!.authorization).toBe(`Bearer ${fake.token}`);
    expect(items.every((item) => item.channel === 'social' && item.source === 'x')).toBe(true);
    const byText = (start: string) => items.find((item) => item.text.startsWith(start))!;
    expect(byText('Ouverture de #capcomnet')).toMatchObject({
      author: { name: 'Claire Dupont', handle: '@claire_dupont', avatarUrl: 'https://pbs.twimg.com/profile_images/1455000000000000001/aBcD_normal.jpg' },
      media: [],
    });
    expect(byText('Les intervenants').media).toEqual([{ kind: 'image', url: 'https://pbs.twimg.com/media/GxPhOtO0001.jpg', alt: 'Cinq intervenants assis devant l’écran de l’amphithéâtre' }]);
    expect(byText('Le replay').contentWarning).toBe('Sensitive content');
    // What its author typed as `&lt;script&gt;` is shown as those characters, and `<b>` as text, never markup.
    expect(byText('Attention').text).toBe('Attention : &lt;script&gt; n’est pas du HTML, <b>ceci non plus</b> & tout va bien #capcomnet');
    expect(items.some((item) => item.text.startsWith('RT @'))).toBe(false);

    const listed = await vi.waitFor(async () => {
      const { body } = await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth);
      expect(body.items[0]).toMatchObject({ cursor: '2064635554821079163', itemsIngested: 7, state: 'running' });
      return body;
    });
    expect(listed.items[0].settings).toEqual({ query: '#capcomnet', apiBase: fake.url, hasBearerToken: true });
    expect(JSON.stringify(listed)).not.toContain(fake.token);
    expect(log.lines.join('\n')).not.toContain(fake.token);
  });

  it('resumes from its since_id after a restart, without storing a post twice', async () => {
    const before = [xPost('avant 1 #capcomnet', { at: new Date(Date.now() - 120_000) }), xPost('avant 2 #capcomnet', { at: new Date(Date.now() - 60_000) })];
    fake.add(...before);
    await createSource();
    await vi.waitFor(async () => expect(await queue()).toHaveLength(2), { timeout: 5000, interval: 50 });
    await server.close();

    const after = [xPost('pendant la coupure #capcomnet', { at: new Date(Date.now() - 1000) }), xPost('après #capcomnet')];
    fake.add(...after);
    const requestsBeforeRestart = fake.searches().length;
    server = await startServer({ dataDir: server.dataDir, sourceTiming: TIMING, logger: log.logger });
    auth = { authorization: `Bearer ${await server.adminToken()}` };

    const items = await vi.waitFor(async () => {
      const pending = await queue();
      expect(pending).toHaveLength(4);
      return pending;
    }, { timeout: 5000, interval: 50 });
    expect(fake.searches()[requestsBeforeRestart]!.url.searchParams.get('since_id')).toBe(before[1]!.tweet.id);
    expect(items.map((item) => item.text).sort()).toEqual(['après #capcomnet', 'avant 1 #capcomnet', 'avant 2 #capcomnet', 'pendant la coupure #capcomnet']);
    // Later polls find nothing new.
    const polls = fake.searches().length;
    await vi.waitFor(() => expect(fake.searches().length).toBeGreaterThan(polls + 2), { timeout: 5000 });
    expect(await queue()).toHaveLength(4);
    const { body } = await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth);
    expect(body.items[0]).toMatchObject({ cursor: after[1]!.tweet.id, itemsIngested: 4 });
  });

  it('shows a refused bearer token as the source’s last error, in plain words and without the token', async () => {
    const wrong = 'AAAAAAAAAAAAAAAAAAAAAExpiredTokenThatMustNotLeak';
    const created = await createSource(wrong);
    expect(created.status).toBe(201);

    const source = await vi.waitFor(async () => {
      const { body } = await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth);
      expect(body.items[0].lastError).toEqual(expect.any(String));
      return body.items[0];
    }, { timeout: 5000, interval: 50 });
    expect(source.state).toBe('failing');
    expect(source.lastError).toMatch(/X refused the bearer token \(401 Unauthorized\)/);
    expect(JSON.stringify(source)).not.toContain(wrong);
    expect(log.lines.join('\n')).not.toContain(wrong);
    expect(await queue()).toEqual([]);
  });
});
