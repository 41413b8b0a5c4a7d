import { describe, expect, it } from 'vitest';
import {
  metricValue,
  range,
  redisAvailable,
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

const bytes = (frames: Frame[]) => frames.map((frame) => JSON.stringify(frame));
const isStatus = (stale: boolean) => (frame: Frame) => frame.type === 'status' && frame.stale === stale;
const CUT_MS = 10_000;
/** A frame in a word or two, for asserting on the order of what a viewer received. */
const label = (frame: Frame) => (frame.type === 'status' ? `status stale:${frame.stale}` : `${frame.type} ${frame.seq}`);

describe.skipIf(skipRedisTests(redisUp))('cluster mode when Redis or an edge fails', () => {
  const cluster = useCluster({ per: 'test' });

  async function snapshotOf(node: ToileProcess): Promise<{ socket: TestSocket; snapshot: Frame }> {
    const socket = await cluster().viewer(node);
    const snapshot = await socket.next();
    expect(snapshot.type).toBe('snapshot');
    return { socket, snapshot };
  }

  /** What a viewer new to `node` is given, compared with what a viewer new to the primary is given. */
  async function expectSameSnapshot(primary: PrimaryProcess, node: ToileProcess): Promise<void> {
    const { snapshot: expected } = await snapshotOf(primary);
    const { snapshot } = await snapshotOf(node);
    expect({ node: node.name, snapshot }).toEqual({ node: node.name, snapshot: expected });
  }

  it(
    'keeps viewers connected through a 10 s Redis cut, tells them the wall is stale, then brings them every event once',
    async () => {
      const proxy = await cluster().proxy();
      const primary = await cluster().startPrimary({ redisUrl: proxy.url });
      const [edge1, edge2] = await Promise.all([cluster().startEdge({ redisUrl: proxy.url }), cluster().startEdge({ redisUrl: proxy.url })]);
      const reference = await snapshotOf(primary);
      const viewers = await Promise.all([snapshotOf(edge1), snapshotOf(edge1), snapshotOf(edge2)]);
      const start = reference.snapshot.seq as number;
      for (const { snapshot } of viewers) expect(snapshot).toEqual(reference.snapshot);

      await primary.approveMany(3, 'Before the cut');
      for (const { socket } of viewers) await waitForSeq(socket, start + 3, 10_000);

      // The primary and both edges reach Redis through the proxy only.
      expect(proxy.open).toBeGreaterThanOrEqual(3);
      proxy.cut();
      const cutAt = Date.now();
      for (const { socket } of viewers) expect(await socket.next(isStatus(true), 8000)).toEqual({ type: 'status', stale: true });
      for (const edge of [edge1, edge2]) {
        await until(async () => (await edge.request('GET', '/healthz')).body.redis === 'down', `${edge.name} to report Redis down`, 5000, 100);
        const health = await edge.request('GET', '/healthz');
        expect(health.status).toBe(200);
        expect(health.body).toEqual({ status: 'ok', role: 'edge', redis: 'down', primary: 'silent', stale: true });
        expect(metricValue(await edge.metrics(), 'toile_edge_redis_up')).toBe(0);
      }

      // SQLite is the truth: moderators keep approving, and the primary's own viewers see it live.
      const during = await primary.approveMany(5, 'During the cut');
      await waitForSeq(reference.socket, start + 8);
      // A viewer arriving at an edge while it is stale gets what the edge has, then the stale status.
      const late = await cluster().viewer(edge2);
      const [lateSnapshot, lateStatus] = await late.waitForCount(2);
      expect(lateSnapshot).toMatchObject({ type: 'snapshot', seq: start + 3 });
      expect(lateStatus).toEqual({ type: 'status', stale: true });

      await new Promise((resolve) => setTimeout(resolve, Math.max(0, CUT_MS - (Date.now() - cutAt))));
      // The edges kept every viewer through the cut.
      for (const { socket } of viewers) expect(socket.socket.readyState).toBe(socket.socket.OPEN);
      // They kept trying to reach Redis, and were dropped every time.
      expect(proxy.refused).toBeGreaterThan(0);
      await primary.approveMany(2, 'At the end of the cut');
      proxy.restore();

      const last = start + 10;
      expect((await primary.wallState()).seq).toBe(last);
      const expected = await waitForSeq(reference.socket, last);
      for (const socket of [...viewers.map((v) => v.socket), late]) {
        const received = await waitForSeq(socket, last, 20_000);
        await socket.next(isStatus(false), 10_000);
        // No gap, no duplicate, the primary's very events.
        const first = socket === late ? start + 4 : start + 1;
        expect(seqs(received)).toEqual(range(first, last));
        expect(bytes(received)).toEqual(bytes(expected.slice(first - start - 1)));
        // From the stale status on: what was approved during the cut, and only then is the wall fresh again.
        const since = socket.frames.findIndex(isStatus(true));
        expect(socket.frames.slice(since).map(label)).toEqual([
          'status stale:true',
          ...range(start + 4, last).map((seq) => `approved ${seq}`),
          'status stale:false',
        ]);
      }
      expect(during).toHaveLength(5);

      // Live again, through Redis.
      const [after] = await primary.approveMany(1, 'After the cut');
      for (const { socket } of viewers) {
        const frames = await waitForSeq(socket, last + 1, 10_000);
        expect(frames.at(-1)).toMatchObject({ seq: last + 1, message: { id: after } });
        expect(seqs(frames)).toEqual(range(start + 1, last + 1));
      }
      for (const edge of [edge1, edge2]) {
        await expectSameSnapshot(primary, edge);
        expect((await edge.request('GET', '/healthz')).body.redis).toBe('up');
        await until(async () => metricValue(await edge.metrics(), 'toile_edge_lag_seq', { wall: 'capcomnet' }) === 0, `${edge.name} lag 0`);
      }
    },
    60_000,
  );

  it(
    'rebuilds an edge killed with SIGKILL and restarted on the same port, for new and resuming viewers',
    async () => {
      const primary = await cluster().startPrimary();
      const edge = await cluster().startEdge();
      const reference = await snapshotOf(primary);
      const { socket: watcher, snapshot } = await snapshotOf(edge);
      const start = snapshot.seq as number;

      await primary.approveMany(3, 'Before the crash');
      await waitForSeq(watcher, start + 3, 10_000);

      // Approvals go on while the edge dies and while it is down.
      const ids = [];
      for (let i = 0; i < 6; i += 1) ids.push(await primary.ingest(`Around the crash ${i + 1}`));
      const approving = (async () => {
        for (const id of ids) {
          await primary.approve(id);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await edge.kill();
      expect((await watcher.closed).code).toBe(1006);
      await approving;
      await primary.approveMany(2, 'While the edge is down');
      const last = start + 11;
      expect((await primary.wallState()).seq).toBe(last);

      await edge.start();
      expect(edge.starts).toBe(2);
      await expectSameSnapshot(primary, edge);

      const back = await cluster().viewer(edge, { since: start + 3, epoch: snapshot.epoch });
      const replay = await waitForSeq(back, last, 10_000);
      const expected = await waitForSeq(reference.socket, last);
      expect(seqs(replay)).toEqual(range(start + 4, last));
      expect(bytes(replay)).toEqual(bytes(expected.slice(3)));

      const [live] = await primary.approveMany(1, 'After the restart');
      const frames = await waitForSeq(back, last + 1, 10_000);
      expect(frames.at(-1)).toMatchObject({ type: 'approved', seq: last + 1, message: { id: live } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(back.frames.filter((frame) => frame.type === 'snapshot')).toEqual([]);
      expect(seqs(back.frames)).toEqual(range(start + 4, last + 1));
    },
    60_000,
  );

  it(
    'gives the viewers of an edge that fell further behind than the stream keeps a fresh snapshot, then every event',
    async () => {
      const primary = await cluster().startPrimary();
      const edge = await cluster().startEdge();
      // Post-moderated: each contribution is an approval, so a thousand events take a few seconds.
      const patched = await primary.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, await primary.auth());
      expect(patched.status, patched.text).toBe(200);
      const { socket: viewer, snapshot } = await snapshotOf(edge);
      const { seq: patchedSeq } = await primary.wallState();
      if (snapshot.seq < patchedSeq) await waitForSeq(viewer, patchedSeq);

      // The edge is frozen (a stalled VM, a process stuck in a long GC pause) while 1,100 events pass.
      process.kill(edge.pid!, 'SIGSTOP');
      try {
        const texts = Array.from({ length: 1100 }, (_, i) => `Flood ${i + 1}`);
        for (let i = 0; i < texts.length; i += 20) await Promise.all(texts.slice(i, i + 20).map((text) => primary.ingest(text)));
      } finally {
        process.kill(edge.pid!, 'SIGCONT');
      }
      const last = (await primary.wallState()).seq;
      expect(last).toBe(patchedSeq + 1100);

      // The stream no longer reaches back to where the edge was: its viewers start over from a snapshot.
      const fresh = await viewer.next((frame) => frame.type === 'snapshot', 20_000);
      expect(fresh).toMatchObject({ type: 'snapshot', epoch: snapshot.epoch });
      expect(fresh.seq).toBeGreaterThan(patchedSeq + 1);
      if (fresh.seq < last) await waitForSeq(viewer, last, 20_000);
      // Then every event after it, once, in order: nothing of what the edge had before is sent again.
      expect(seqs(viewer.frames.slice(viewer.frames.indexOf(fresh) + 1))).toEqual(range(fresh.seq + 1, last));
      expect(viewer.frames.filter((frame) => frame.type === 'snapshot')).toHaveLength(2);
      await expectSameSnapshot(primary, edge);
    },
    90_000,
  );
});
