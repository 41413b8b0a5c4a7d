import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturedLogger, startServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

/**
 * Source management through the API: what an organiser sets up, sees and controls. The adapters' own
 * behaviour is tested against each network's local double in mastodon/bluesky/x tests; here a minimal
 * Mastodon instance only counts the polls it receives, to show when a source runs and when it does not.
 */

const TIMING = { pollMs: 30, backoffMs: 30, maxBackoffMs: 200, timeoutMs: 2000, cursorFlushMs: 100 };

interface CountingInstance {
  url: string;
  polls: IncomingMessage[];
  close(): Promise<void>;
}

/** Answers the tag timeline with an empty page, as an instance where nobody used the hashtag yet. */
async function countingInstance(): Promise<CountingInstance> {
  const polls: IncomingMessage[] = [];
  const server: Server = createServer((request, response) => {
    if (request.url?.startsWith('/api/v1/timelines/tag/')) polls.push(request);
    response.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    polls,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections from the sources' fetches would otherwise hold the close for seconds.
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}


let server: TestServer;
let auth: Record<string, string>;
let instance: CountingInstance;
let log: ReturnType<typeof capturedLogger>;

beforeEach(async () => {
  log = capturedLogger();
  server = await startServer({ sourceTiming: TIMING, logger: log.logger });
  auth = { authorization: `Bearer ${await server.adminToken()}` };
  instance = await countingInstance();
});

afterEach(async () => {
  await server.close({ removeData: true });
  await instance.close();
});

describe('social sources through the API', () => {
  it('creates a source that starts at once, and lists it with its state and without its token', async () => {
    const created = await server.request('POST', '/api/walls/capcomnet/sources', { kind: 'mastodon', instance: instance.url, hashtag: '#CapComNet', accessToken: 'tok-secret-123' }, auth);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      wall: 'capcomnet',
      kind: 'mastodon',
      settings: { instance: instance.url, hashtag: 'capcomnet', hasAccessToken: true },
      paused: false,
      itemsIngested: 0,
      cursor: null,
    });
    expect(created.text).not.toContain('tok-secret-123');

    await until(() => (instance.polls.length > 0 ? true : undefined), 'the first poll');
    expect(instance.polls[0]!.headers.authorization).toBe('Bearer tok-secret-123');
    const listed = await until(async () => {
      const { body } = await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth);
      return body.items[0]?.lastPollAt ? body : undefined;
    }, 'a recorded poll');
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ id: created.body.id, state: 'running', lastError: null });
    expect(JSON.stringify(listed)).not.toContain('tok-secret-123');
    expect(log.lines.join('\n')).not.toContain('tok-secret-123');
  });

  it('stops polling while paused and starts again when resumed', async () => {
    const { body: source } = await server.request('POST', '/api/walls/capcomnet/sources', { kind: 'mastodon', instance: instance.url, hashtag: 'capcomnet' }, auth);
    await until(() => (instance.polls.length > 0 ? true : undefined), 'the first poll');

    const paused = await server.request('POST', `/api/walls/capcomnet/sources/${source.id}/pause`, undefined, auth);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, state: 'paused' });
    const pollsWhenPaused = instance.polls.length;
    await new Promise((resolve) => setTimeout(resolve, TIMING.pollMs * 8));
    expect(instance.polls.length).toBe(pollsWhenPaused);

    const resumed = await server.request('POST', `/api/walls/capcomnet/sources/${source.id}/resume`, undefined, auth);
    expect(resumed.body).toMatchObject({ paused: false, state: 'running' });
    await until(() => (instance.polls.length > pollsWhenPaused ? true : undefined), 'a poll after resuming');
  });

  it('stays paused across a restart, and a running source starts again on boot', async () => {
    const { body: running } = await server.request('POST', '/api/walls/capcomnet/sources', { kind: 'mastodon', instance: instance.url, hashtag: 'running' }, auth);
    const { body: paused } = await server.request('POST', '/api/walls/capcomnet/sources', { kind: 'mastodon', instance: instance.url, hashtag: 'paused' }, auth);
    await server.request('POST', `/api/walls/capcomnet/sources/${paused.id}/pause`, undefined, auth);
    await server.close();
    instance.polls.length = 0;

    server = await startServer({ dataDir: server.dataDir, sourceTiming: TIMING });
    auth = { authorization: `Bearer ${await server.adminToken()}` };
    await until(() => (instance.polls.some((r) => r.url?.includes('/running')) ? true : undefined), 'the running source to poll again');
    expect(instance.polls.some((r) => r.url?.includes('/paused'))).toBe(false);
    const { body } = await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth);
    expect(body.items.map((s: { id: number; state: string }) => [s.id, s.state])).toEqual([
      [running.id, 'running'],
      [paused.id, 'paused'],
    ]);
  });

  it('deletes a source: it stops, leaves the list, and the deletion is audited', async () => {
    const { body: source } = await server.request('POST', '/api/walls/capcomnet/sources', { kind: 'mastodon', instance: instance.url, hashtag: 'capcomnet' }, auth);
    await until(() => (instance.polls.length > 0 ? true : undefined), 'the first poll');
    const deleted = await server.request('DELETE', `/api/walls/capcomnet/sources/${source.id}`, undefined, auth);
    expect(deleted.status).toBe(204);
    const pollsWhenDeleted = instance.polls.length;
    await new Promise((resolve) => setTimeout(resolve, TIMING.pollMs * 8));
    expect(instance.polls.length).toBe(pollsWhenDeleted);
    expect((await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth)).body.items).toEqual([]);
    expect((await server.request('DELETE', `/api/walls/capcomnet/sources/${source.id}`, undefined, auth)).status).toBe(404);

    const audit = await server.request('GET', '/api/audit?wall=capcomnet', undefined, auth);
    const actions = audit.body.items.filter((row: { targetType: string }) => row.targetType === 'source').map((row: { action: string }) => row.action);
    expect(actions).toEqual(expect.arrayContaining(['source-create', 'source-delete']));
  });

  it('shows an unreachable instance as failing with its error, while another source of the wall keeps running', async () => {
    const dead = await closedPort();
    const { body: broken } = await server.request('POST', '/api/walls/capcomnet/sources', { kind: 'mastodon', instance: dead, hashtag: 'capcomnet', accessToken: 'tok-dead-456' }, auth);
    const { body: healthy } = await server.request('POST', '/api/walls/capcomnet/sources', { kind: 'mastodon', instance: instance.url, hashtag: 'capcomnet' }, auth);
    const failing = await until(async () => {
      const { body } = await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth);
      return body.items.find((s: { id: number; state: string }) => s.id === broken.id && s.state === 'failing');
    }, 'the broken source to be failing');
    expect(failing.lastError).toEqual(expect.any(String));
    expect(failing.lastError.length).toBeGreaterThan(0);
    expect(failing.lastErrorAt).toEqual(expect.any(String));
    expect(failing.lastError).not.toContain('tok-dead-456');

    const polls = instance.polls.length;
    await until(() => (instance.polls.length > polls + 2 ? true : undefined), 'the healthy source to keep polling');
    const { body } = await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth);
    expect(body.items.find((s: { id: number }) => s.id === healthy.id)).toMatchObject({ state: 'running', lastError: null });
    expect(log.lines.join('\n')).not.toContain('tok-dead-456');
  });

  it('answers 400 naming the field to fix', async () => {
    const cases: [unknown, RegExp][] = [
      [{ kind: 'mastodon', instance: 'mastodon.social', hashtag: 'a' }, /^instance:/],
      [{ kind: 'mastodon', instance: 'http://mastodon.social', hashtag: 'a' }, /^instance: must start with https/],
      [{ kind: 'bluesky', hashtag: 'two words' }, /^hashtag:/],
      [{ kind: 'x', query: '#a' }, /^bearerToken: required/],
      [{ kind: 'myspace', hashtag: 'a' }, /kind/],
      [{ kind: 'bluesky', hashtag: 'a', password: 'x' }, /password|additional/i],
    ];
    for (const [body, message] of cases) {
      const response = await server.request('POST', '/api/walls/capcomnet/sources', body, auth);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.message).toMatch(message);
    }
    expect((await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth)).body.items).toEqual([]);
  });

  it('is for admins only, and a source belongs to its wall', async () => {
    await server.request('POST', '/api/users', { username: 'mod', password: 'a moderator password', role: 'moderator' }, auth);
    const moderator = server.app.toile.auth.createToken('mod-token', 'moderator', 'tests').token;
    const asModerator = { authorization: `Bearer ${moderator}` };
    expect((await server.request('GET', '/api/walls/capcomnet/sources', undefined, asModerator)).status).toBe(403);
    expect((await server.request('POST', '/api/walls/capcomnet/sources', { kind: 'bluesky', hashtag: 'a' }, asModerator)).status).toBe(403);
    expect((await server.request('GET', '/api/walls/capcomnet/sources')).status).toBe(401);

    await server.request('POST', '/api/walls', { slug: 'atelier', title: 'Atelier' }, auth);
    const { body: source } = await server.request('POST', '/api/walls/capcomnet/sources', { kind: 'mastodon', instance: instance.url, hashtag: 'a' }, auth);
    expect((await server.request('POST', `/api/walls/atelier/sources/${source.id}/pause`, undefined, auth)).status).toBe(404);
    expect((await server.request('DELETE', `/api/walls/atelier/sources/${source.id}`, undefined, auth)).status).toBe(404);
    expect((await server.request('GET', '/api/walls/nowhere/sources', undefined, auth)).status).toBe(404);
  });
});
