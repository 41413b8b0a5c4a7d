import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisKeys, ensureRedis, REDIS_URL, redisAvailable, skipRedisTests } from '../helpers/cluster.js';
import type { FastifyInstance } from 'fastify';
import { parseConfig } from '../../server/config.js';
import { buildEdgeApp } from '../../server/edge.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/wait.js';
import { openSocket, type Frame } from '../helpers/ws.js';

/**
 * The primary's side of cluster mode, read straight from Redis: what an edge will find there. The edges
 * themselves run as separate processes in cluster.test.ts and cluster-faults.test.ts.
 */
const available = await redisAvailable();

interface StreamEntry {
  id: string;
  seq: number;
  epoch: string;
  json: string;
}

describe.skipIf(skipRedisTests(available))('the primary in cluster mode (REDIS_URL)', () => {
  let redis: Redis;
  const servers: TestServer[] = [];
  const proxies: TcpProxy[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    await ensureRedis();
    redis = new Redis(REDIS_URL);
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close({ removeData: true });
    for (const proxy of proxies.splice(0)) await proxy.close();
  });
  afterAll(async () => {
    for (const prefix of prefixes) await deleteRedisKeys(prefix);
    redis?.disconnect();
  });

  function newPrefix(): string {
    const prefix = `toile-test-${randomBytes(6).toString('hex')}`;
    prefixes.push(prefix);
    return prefix;
  }

  async function primary(prefix: string, options: { dataDir?: string; redisUrl?: string } = {}): Promise<TestServer> {
    const server = await startServer({ dataDir: options.dataDir, env: { REDIS_URL: options.redisUrl ?? REDIS_URL, TOILE_REDIS_PREFIX: prefix } });
    servers.push(server);
    return server;
  }

  async function stream(prefix: string, slug = 'capcomnet'): Promise<StreamEntry[]> {
    const entries = await redis.xrange(`${prefix}:wall:${slug}:events`, '-', '+');
    return entries.map(([id, list]) => {
      const fields = Object.fromEntries(list.flatMap((value, index) => (index % 2 === 0 ? [[value, list[index + 1]!]] : [])));
      return { id, seq: Number(fields.seq), epoch: fields.epoch!, json: fields.json! };
    });
  }

  async function control(prefix: string): Promise<Record<string, string>[]> {
    const entries = await redis.xrange(`${prefix}:control`, '-', '+');
    return entries.map(([, list]) => Object.fromEntries(list.flatMap((value, index) => (index % 2 === 0 ? [[value, list[index + 1]!]] : []))));
  }

  async function approveSome(server: TestServer, count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) await server.approve(await server.ingest(`Bravo pour la table ronde ${i}`, { name: `Guest ${i}` }));
  }

  /** What a viewer of the primary is sent: the snapshot, then every event in order. */
  async function viewerFrames(server: TestServer, events: number): Promise<Frame[]> {
    const socket = await openSocket(`${server.wsUrl}/ws/walls/capcomnet?since=0`);
    const frames = await socket.waitForCount(events);
    socket.close();
    return frames;
  }

  it('appends every wall event, as viewers receive it, under the ID <seq>-0, with a snapshot at the last seq', async () => {
    const prefix = newPrefix();
    const server = await primary(prefix);
    await approveSome(server, 5);
    await server.request('POST', `/api/messages/${await server.ingest('Pinned', { name: 'Org' })}/approve`, {}, { authorization: `Bearer ${await server.adminToken()}` });

    await until(async () => (await stream(prefix)).length === 6, 'six entries in the stream', 5000);
    const entries = await stream(prefix);
    const sent = await viewerFrames(server, 6);
    expect(entries.map((entry) => entry.id)).toEqual(['1-0', '2-0', '3-0', '4-0', '5-0', '6-0']);
    expect(entries.map((entry) => JSON.parse(entry.json))).toEqual(sent);
    expect(new Set(entries.map((entry) => entry.epoch))).toEqual(new Set([server.app.toile.epoch]));

    // The snapshot follows within a second, off the events' path.
    const fresh = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    const { type, ...expected } = await fresh.next();
    fresh.close();
    expect(type).toBe('snapshot');
    const snapshot = await until(async () => {
      const stored = JSON.parse((await redis.get(`${prefix}:wall:capcomnet:snapshot`)) ?? 'null');
      return stored?.seq === 6 ? stored : undefined;
    }, 'the snapshot at seq 6', 3000);
    expect(snapshot).toEqual(expected);
    expect(await redis.smembers(`${prefix}:walls`)).toEqual(['capcomnet']);
  });

  it('continues the same stream after a restart, without starting it over', async () => {
    const prefix = newPrefix();
    const first = await primary(prefix);
    await approveSome(first, 3);
    await until(async () => (await stream(prefix)).length === 3, 'three entries', 5000);
    const resetsBefore = (await control(prefix)).filter((notice) => notice.type === 'reset').length;
    const dataDir = first.dataDir;
    await first.close();
    servers.splice(servers.indexOf(first), 1);

    const second = await primary(prefix, { dataDir });
    await approveSome(second, 2);
    await until(async () => (await stream(prefix)).length === 5, 'five entries', 5000);
    expect((await stream(prefix)).map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await control(prefix)).filter((notice) => notice.type === 'reset')).toHaveLength(resetsBefore);
  });

  it('starts the stream over, and tells the edges, for another database (a new epoch)', async () => {
    const prefix = newPrefix();
    const first = await primary(prefix);
    await approveSome(first, 3);
    await until(async () => (await stream(prefix)).length === 3, 'three entries', 5000);
    await first.close({ removeData: true });
    servers.splice(servers.indexOf(first), 1);

    const replaced = await primary(prefix);
    await approveSome(replaced, 1);
    await until(async () => (await stream(prefix)).length === 1, 'the new epoch\'s one entry', 5000);
    const [entry] = await stream(prefix);
    expect(entry).toMatchObject({ id: '1-0', seq: 1, epoch: replaced.app.toile.epoch });
    await until(async () => JSON.parse((await redis.get(`${prefix}:wall:capcomnet:snapshot`)) ?? 'null')?.seq === 1, 'the new epoch\'s snapshot', 3000);
    expect(JSON.parse((await redis.get(`${prefix}:wall:capcomnet:snapshot`))!)).toMatchObject({ epoch: replaced.app.toile.epoch, seq: 1 });
    expect((await control(prefix)).filter((notice) => notice.type === 'reset' && notice.slug === 'capcomnet').length).toBeGreaterThanOrEqual(2);
  });

  it('writes the streams again when Redis lost them (restarted without persistence, or flushed)', async () => {
    const prefix = newPrefix();
    const server = await primary(prefix);
    await approveSome(server, 4);
    await until(async () => (await stream(prefix)).length === 4, 'four entries', 5000);

    await deleteRedisKeys(prefix);

    await until(async () => (await stream(prefix)).length === 4, 'the stream written again', 5000);
    expect((await stream(prefix)).map((entry) => entry.seq)).toEqual([1, 2, 3, 4]);
    await until(async () => JSON.parse((await redis.get(`${prefix}:wall:capcomnet:snapshot`)) ?? 'null')?.seq === 4, 'the snapshot at seq 4', 3000);
    expect(await redis.smembers(`${prefix}:walls`)).toEqual(['capcomnet']);
  });

  it('keeps ingesting and moderating while Redis is unreachable, then publishes what it missed, in order, once', async () => {
    const prefix = newPrefix();
    const proxy = await startTcpProxy();
    proxies.push(proxy);
    const server = await primary(prefix, { redisUrl: proxy.url });
    await approveSome(server, 2);
    await until(async () => (await stream(prefix)).length === 2, 'two entries', 5000);

    proxy.cut();
    // Every answer is the usual one: SQLite is the truth, Redis only a copy.
    await approveSome(server, 3);
    expect((await server.request('GET', '/healthz')).status).toBe(200);
    expect((await stream(prefix)).length).toBe(2);

    proxy.restore();
    await until(async () => (await stream(prefix)).length === 5, 'the three events published after Redis came back', 10_000);
    const entries = await stream(prefix);
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries.map((entry) => JSON.parse(entry.json))).toEqual(await viewerFrames(server, 5));
  });

  it('starts, and serves its own viewers, while Redis is unreachable', async () => {
    const prefix = newPrefix();
    const proxy = await startTcpProxy();
    proxies.push(proxy);
    proxy.cut();
    const server = await primary(prefix, { redisUrl: proxy.url });
    const viewer = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    await approveSome(server, 1);
    const [snapshot, approved] = await viewer.waitForCount(2);
    viewer.close();
    expect(snapshot.type).toBe('snapshot');
    expect(approved).toMatchObject({ type: 'approved', seq: 1 });

    proxy.restore();
    await until(async () => (await stream(prefix)).length === 1, 'the event published once Redis answered', 10_000);
  });
  it('has an edge answer the HTTP fallback with a snapshot when the events asked for are older than it keeps', async () => {
    const prefix = newPrefix();
    const server = await primary(prefix);
    await approveSome(server, 5);
    const config = parseConfig({ TOILE_ROLE: 'edge', REDIS_URL, TOILE_REDIS_PREFIX: prefix, PORT: '0' });
    // An edge that keeps only the last 3 events (1,000 by default).
    const edge: FastifyInstance = await buildEdgeApp({ config, logger: false, fanOut: { ringSize: 3 } });
    try {
      await edge.listen({ port: 0, host: '127.0.0.1' });
      await until(async () => (await edge.inject('/healthz')).statusCode === 200, 'the edge ready', 5000);
      await until(async () => (await edge.inject('/api/walls/capcomnet/events?since=4')).json().latestSeq === 5, 'the edge at seq 5', 5000);

      const recent = (await edge.inject('/api/walls/capcomnet/events?since=2')).json();
      const fromPrimary = (await server.request('GET', '/api/walls/capcomnet/events?since=2')).body;
      expect(recent).toEqual(fromPrimary);
      expect(recent.snapshot).toBeUndefined();

      const old = (await edge.inject('/api/walls/capcomnet/events?since=1')).json();
      expect(old).toMatchObject({ epoch: server.app.toile.epoch, seq: 1, latestSeq: 5, events: [] });
      const viewer = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
      expect(old.snapshot).toEqual(await viewer.next());
      viewer.close();
    } finally {
      await edge.close();
    }
  });
});
