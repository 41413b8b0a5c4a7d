import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  metricValue,
  range,
  redisAvailable,
  refusedUpgrade,
  seqs,
  skipRedisTests,
  useCluster,
  waitForSeq,
  type PrimaryProcess,
  type ToileProcess,
} from '../helpers/cluster.js';
import { until } from '../helpers/wait.js';
import type { Frame, TestSocket } from '../helpers/ws.js';

const redisUp = await redisAvailable();

/** Frames as bytes: the JSON each viewer received, in the order received. */
const bytes = (frames: Frame[]) => frames.map((frame) => JSON.stringify(frame));

describe.skipIf(skipRedisTests(redisUp))('cluster mode: a primary and two edges sharing Redis', () => {
  // One cluster for the file: each test starts from the wall's current seq, whatever earlier tests did.
  const cluster = useCluster({ per: 'file' });
  let primary: PrimaryProcess;
  let edge1: ToileProcess;
  let edge2: ToileProcess;

  beforeAll(async () => {
    primary = await cluster().startPrimary();
    [edge1, edge2] = await Promise.all([cluster().startEdge(), cluster().startEdge()]);
  }, 60_000);

  async function snapshotOf(node: ToileProcess, slug = 'capcomnet'): Promise<{ socket: TestSocket; snapshot: Frame }> {
    const socket = await cluster().viewer(node, { slug });
    const snapshot = await socket.next();
    expect(snapshot.type).toBe('snapshot');
    return { socket, snapshot };
  }

  /** Waits until both edges serve the primary's latest seq (over HTTP, as a polling client sees it). */
  async function settled(slug = 'capcomnet'): Promise<number> {
    const { seq } = await primary.wallState(slug);
    for (const edge of [edge1, edge2]) {
      await until(async () => {
        const answer = await edge.request('GET', `/api/walls/${slug}/events?since=${seq}`);
        return answer.status === 200 && answer.body.seq === seq;
      }, `${edge.name} to reach seq ${seq} of ${slug}`);
    }
    return seq;
  }

  it('brings every approval to viewers on both edges and on the primary, in order, byte for byte the same', async () => {
    const start = await settled();
    const onPrimary = await snapshotOf(primary);
    const onEdges = await Promise.all([snapshotOf(edge1), snapshotOf(edge1), snapshotOf(edge2)]);
    for (const { snapshot } of [onPrimary, ...onEdges]) expect(snapshot.seq).toBe(start);

    const ids = [];
    for (let i = 0; i < 30; i += 1) ids.push(await primary.ingest(`Question ${i + 1} from the room`, { name: `Guest ${i + 1}` }));
    // Approved as fast as moderators can: all at once.
    await Promise.all(ids.map((id) => primary.approve(id)));

    const reference = await waitForSeq(onPrimary.socket, start + 30);
    expect(seqs(reference)).toEqual(range(start + 1, start + 30));
    expect(reference.map((frame) => frame.message.id).sort()).toEqual([...ids].sort());
    for (const { socket } of onEdges) {
      const received = await waitForSeq(socket, start + 30, 10_000);
      expect(seqs(received)).toEqual(range(start + 1, start + 30));
      expect(bytes(received)).toEqual(bytes(reference));
    }
    // Nothing more comes afterwards: no event twice, and no stale status while Redis is up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const { socket } of [onPrimary, ...onEdges]) {
      expect(socket.frames).toHaveLength(31);
      expect(socket.frames.filter((frame) => frame.type === 'status')).toEqual([]);
    }
  });

  it('sends a viewer that moves from edge 1 to edge 2 exactly the events it missed, then live ones', async () => {
    const start = await settled();
    const reference = await snapshotOf(primary);
    const { socket: before, snapshot } = await snapshotOf(edge1);
    await primary.approveMany(2, 'Before the move');
    const seen = await waitForSeq(before, start + 2, 10_000);
    expect(seqs(seen)).toEqual([start + 1, start + 2]);
    before.close();
    await before.closed;

    const missed = await primary.approveMany(5, 'While moving');
    const after = await cluster().viewer(edge2, { since: start + 2, epoch: snapshot.epoch });
    const replay = await waitForSeq(after, start + 7, 10_000);
    expect(seqs(replay)).toEqual(range(start + 3, start + 7));
    expect(replay.map((frame) => frame.message.id)).toEqual(missed);

    const [live] = await primary.approveMany(1, 'Live again');
    const next = await waitForSeq(after, start + 8, 10_000);
    expect(next.at(-1)).toMatchObject({ type: 'approved', seq: start + 8, message: { id: live } });
    const expected = await waitForSeq(reference.socket, start + 8);
    expect(bytes(next)).toEqual(bytes(expected.slice(2)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(after.frames.filter((frame) => frame.type === 'snapshot')).toEqual([]);
    expect(seqs(after.frames)).toEqual(range(start + 3, start + 8));
  });

  it("gives a viewer new to an edge the primary's snapshot: same epoch, seq, wall and items", async () => {
    const ids = await primary.approveMany(3, 'For the snapshot');
    expect((await primary.request('POST', `/api/messages/${ids[0]}/pin`, {}, await primary.auth())).status).toBe(200);
    expect((await primary.request('POST', `/api/messages/${ids[1]}/hide`, {}, await primary.auth())).status).toBe(200);
    const seq = await settled();

    const { snapshot: expected } = await snapshotOf(primary);
    expect(expected.seq).toBe(seq);
    expect(expected.items.map((item: { id: number }) => item.id)).toContain(ids[0]);
    expect(expected.items.map((item: { id: number }) => item.id)).not.toContain(ids[1]);
    for (const edge of [edge1, edge2]) {
      const { snapshot } = await snapshotOf(edge);
      expect(snapshot).toEqual(expected);
    }
  });

  it("answers GET /api/walls/:slug/events on an edge as the primary does, for any since", async () => {
    await primary.approveMany(3, 'Polled');
    const seq = await settled();
    const { epoch } = await primary.wallState();
    for (const query of [`since=${seq - 3}`, `since=${seq - 1}&epoch=${epoch}`, `since=${seq}`, 'since=0']) {
      const expected = await primary.request('GET', `/api/walls/capcomnet/events?${query}`);
      expect(expected.status).toBe(200);
      for (const edge of [edge1, edge2]) {
        const answer = await edge.request('GET', `/api/walls/capcomnet/events?${query}`);
        expect({ query, status: answer.status, body: answer.body }).toEqual({ query, status: 200, body: expected.body });
        // Embeds on other sites poll it: any origin may read it, from an edge as from the primary.
        expect(answer.headers.get('access-control-allow-origin')).toBe(expected.headers.get('access-control-allow-origin'));
      }
    }
    const recent = await edge1.request('GET', `/api/walls/capcomnet/events?since=${seq - 3}`);
    expect(recent.body.events.map((event: { seq: number }) => event.seq)).toEqual([seq - 2, seq - 1, seq]);
  });

  it('sends everything but the wall to the primary, saying where it is, and refuses an unknown wall', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const auth = await primary.auth();
    const elsewhere: [string, string, unknown?, Record<string, string>?][] = [
      ['GET', '/api/walls/capcomnet/messages', undefined, auth],
      ['POST', '/api/walls/capcomnet/messages', { externalId: 'edge-1', author: { name: 'Ada' }, text: 'Hello' }, auth],
      ['POST', '/api/walls/capcomnet/contribute', { name: 'Léa', text: 'Bonjour' }],
      ['GET', '/moderate'],
      ['GET', '/c/capcomnet'],
      ['POST', '/api/auth/login', { username: 'admin', password: 'whatever it is' }],
      ['POST', '/ingest/twilio', 'From=%2B33600000000&Body=Hello', form],
      ['GET', '/api/walls', undefined, auth],
    ];
    for (const [method, path, body, headers] of elsewhere) {
      const answer = await edge1.request(method, path, body, headers);
      expect({ method, path, status: answer.status, code: answer.body?.code }).toEqual({ method, path, status: 404, code: 'not_found' });
      expect(answer.body.message).toContain(primary.url);
    }
    // Nothing reached the primary.
    const pending = await primary.request('GET', '/api/walls/capcomnet/messages?status=pending', undefined, auth);
    expect(pending.body.items.map((item: { text: string }) => item.text)).not.toContain('Hello');

    expect(await refusedUpgrade(edge1, '/ws/walls/nowhere')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await refusedUpgrade(edge2, '/ws/walls/nowhere')).toMatchObject({ status: 404, body: { code: 'not_found' } });

    // The wall's page is served by the edge as by the primary (503 on both when the client is not built).
    const page = await primary.request('GET', '/w/capcomnet');
    const fromEdge = await edge1.request('GET', '/w/capcomnet');
    expect(fromEdge.status).toBe(page.status);
    if (page.status === 200) {
      expect(fromEdge.headers.get('content-type')).toMatch(/^text\/html/);
      expect(fromEdge.text).toBe(page.text);
    }

    // What the wall page asks before it connects: the wall's public settings, as the primary gives them.
    const settings = await edge1.request('GET', '/api/walls/capcomnet');
    expect(settings.status).toBe(200);
    expect(settings.body).toEqual((await primary.request('GET', '/api/walls/capcomnet')).body);
    expect((await edge1.request('GET', '/api/walls/nowhere')).status).toBe(404);

    // An edge keeps no database: its working directory stays empty.
    for (const edge of [edge1, edge2]) expect(readdirSync(edge.workDir)).toEqual([]);
  });

  it('reports its role, Redis and its viewers on /healthz and /metrics', async () => {
    for (const edge of [edge1, edge2]) {
      const health = await edge.request('GET', '/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok', role: 'edge', redis: 'up', primary: 'up', stale: false });
    }
    await snapshotOf(edge1);
    await snapshotOf(edge1);
    await snapshotOf(edge2);
    await primary.approveMany(1, 'Measured');
    const seq = await settled();

    const viewers = await until(async () => {
      const text = await edge1.metrics();
      return metricValue(text, 'toile_wall_viewers', { wall: 'capcomnet' }) === 2 && text;
    }, 'edge 1 to count its 2 viewers');
    expect(metricValue(viewers, 'toile_edge_redis_up')).toBe(1);
    await until(async () => metricValue(await edge1.metrics(), 'toile_edge_lag_seq', { wall: 'capcomnet' }) === 0, 'edge 1 lag 0');
    const metrics2 = await until(async () => {
      const text = await edge2.metrics();
      return metricValue(text, 'toile_wall_viewers', { wall: 'capcomnet' }) === 1 && metricValue(text, 'toile_edge_lag_seq', { wall: 'capcomnet' }) === 0 && text;
    }, 'edge 2 to count its viewer, lag 0');
    expect(metricValue(metrics2, 'toile_edge_lag_seconds', { wall: 'capcomnet' })).toBeGreaterThanOrEqual(0);
    expect(seq).toBeGreaterThan(0);

    // Without the token, no metrics.
    expect((await edge1.request('GET', '/metrics')).status).not.toBe(200);
    expect((await edge1.request('GET', '/metrics', undefined, { authorization: 'Bearer not-the-metrics-token' })).status).not.toBe(200);
  });

  it('serves a wall created on the primary from every edge within a couple of seconds', async () => {
    const slug = `keynote-${randomBytes(3).toString('hex')}`;
    const created = await primary.request(
      'POST',
      '/api/walls',
      { slug, title: 'Keynote', hashtags: ['keynote'], moderation: 'post' },
      await primary.auth(),
    );
    expect(created.status).toBe(201);

    const sockets = [];
    for (const edge of [edge1, edge2]) {
      const socket = await until(
        async () => {
          try {
            return await cluster().viewer(edge, { slug });
          } catch {
            return undefined;
          }
        },
        `${edge.name} to serve ${slug}`,
        3000,
        100,
      );
      expect(await socket.next()).toMatchObject({ type: 'snapshot', seq: 0, items: [] });
      sockets.push(socket);
    }

    // Post-moderated: the message is on the wall at once, on every edge.
    const id = await primary.ingest('Welcome to the keynote', { wall: slug });
    for (const socket of sockets) {
      const [event] = await waitForSeq(socket, 1, 10_000);
      expect(event).toMatchObject({ type: 'approved', seq: 1, message: { id, text: 'Welcome to the keynote' } });
    }
    await settled(slug);
    const { snapshot: expected } = await snapshotOf(primary, slug);
    for (const edge of [edge1, edge2]) expect((await snapshotOf(edge, slug)).snapshot).toEqual(expected);
    expect(expected.items.map((item: { id: number }) => item.id)).toEqual([id]);
  });

  it("lists the screens watching through the edges in the primary's console, and reloads one of them from there", async () => {
    const projector = (await snapshotOf(edge1)).socket;
    const phone = (await snapshotOf(edge2)).socket;
    const heartbeat = { type: 'heartbeat', layout: 'grid', width: 1920, height: 1080, seq: 0, heapMb: 40, cards: 0, mode: 'wall', language: 'en' };
    const projectorId = `room-b-${randomBytes(4).toString('hex')}`;
    const phoneId = `phone-${randomBytes(4).toString('hex')}`;
    projector.socket.send(JSON.stringify({ ...heartbeat, screen: projectorId }));
    phone.socket.send(JSON.stringify({ ...heartbeat, screen: phoneId, width: 390, height: 844 }));

    const listed = await until(
      async () => {
        const answer = await primary.request('GET', '/api/walls/capcomnet/screens', undefined, await primary.auth());
        const screens = answer.body.screens as { screen: string; width: number; connected: boolean }[];
        const mine = screens.filter((screen) => screen.screen === projectorId || screen.screen === phoneId);
        return mine.length === 2 ? mine : undefined;
      },
      'both screens listed by the primary',
      15_000,
      250,
    );
    expect(listed.find((screen) => screen.screen === projectorId)).toMatchObject({ width: 1920, connected: true });
    expect(listed.find((screen) => screen.screen === phoneId)).toMatchObject({ width: 390, connected: true });

    const reload = await primary.request('POST', '/api/walls/capcomnet/reload', { screen: projectorId }, await primary.auth());
    expect(reload.status).toBe(202);
    expect(await projector.next((frame) => frame.type === 'reload', 5000)).toEqual({ type: 'reload' });
    // Only the screen named: the phone on the other edge is left alone.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(phone.frames.some((frame) => frame.type === 'reload')).toBe(false);
  }, 30_000);

  it('takes an erased message off the edges, and out of everything they keep for resuming viewers', async () => {
    const start = await settled();
    const watchers = await Promise.all([snapshotOf(edge1), snapshotOf(edge2)]);
    const secret = `Mon numéro perso est le 06 12 34 ${randomBytes(2).toString('hex')}`;
    const [id] = await primary.approveMany(1, secret);
    for (const { socket } of watchers) await waitForSeq(socket, start + 1, 10_000);

    const erased = await primary.request('DELETE', `/api/messages/${id}`, undefined, await primary.auth());
    expect(erased.status, erased.text).toBe(200);
    const begun = Date.now();
    for (const { socket } of watchers) {
      const [removal] = (await waitForSeq(socket, start + 2, 5000)).slice(-1);
      expect(removal).toMatchObject({ type: 'removed', id });
    }
    expect(Date.now() - begun).toBeLessThan(1000);
    const text = secret.slice(0, 20);
    for (const edge of [edge1, edge2]) {
      // Neither the events an edge replays nor a fresh snapshot hold the text any more.
      await until(async () => !(await edge.request('GET', `/api/walls/capcomnet/events?since=${start}`)).text.includes(text), `${edge.name}'s history scrubbed`, 5000, 100);
      const resumed = await cluster().viewer(edge, { since: start, epoch: watchers[0]!.snapshot.epoch });
      await waitForSeq(resumed, start + 2, 5000);
      expect(JSON.stringify(resumed.frames)).not.toContain(text);
      const { snapshot } = await snapshotOf(edge);
      expect(JSON.stringify(snapshot)).not.toContain(text);
    }
  }, 30_000);
});
