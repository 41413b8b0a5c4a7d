import { request as httpRequest, type IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';
import { openSocket, type Frame, type TestSocket } from '../helpers/ws.js';

let server: TestServer | undefined;
const sockets: TestSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server?.close({ removeData: true });
  server = undefined;
});

async function viewer(since?: { seq: number; epoch: string }): Promise<TestSocket> {
  const query = since ? `?since=${since.seq}&epoch=${since.epoch}` : '';
  const socket = await openSocket(`${server!.wsUrl}/ws/walls/capcomnet${query}`);
  sockets.push(socket);
  return socket;
}

const seqs = (frames: Frame[]) => frames.filter((frame) => frame.type !== 'snapshot').map((frame) => frame.seq);

describe('a wall with more viewers than one slice of a broadcast', () => {
  it('brings every viewer every approval once, in order, when approvals come in a burst', async () => {
    // Slices of 3 viewers: a broadcast to 10 takes four turns of the event loop, and approvals arriving
    // meanwhile are queued and written together.
    server = await startServer({ fanOut: { sliceSize: 3 } });
    const viewers = await Promise.all(Array.from({ length: 10 }, () => viewer()));
    await Promise.all(viewers.map((v) => v.next((frame) => frame.type === 'snapshot')));
    const ids = [];
    for (let i = 0; i < 6; i += 1) ids.push(await server.ingest(`Question ${i} from the room`, { name: `Guest ${i}` }));

    await Promise.all(ids.map((id) => server!.approve(id)));

    for (const v of viewers) {
      const frames = await v.waitForCount(1 + ids.length);
      expect(seqs(frames)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(frames.slice(1).map((frame) => frame.message.id).sort()).toEqual([...ids].sort());
    }
  });

  it('sends a viewer who resumes during a burst only what it lacks, never an event twice', async () => {
    server = await startServer({ fanOut: { sliceSize: 2 } });
    const watchers = await Promise.all(Array.from({ length: 6 }, () => viewer()));
    const [first] = await Promise.all(watchers.map((v) => v.next((frame) => frame.type === 'snapshot')));
    const ids = [];
    for (let i = 0; i < 8; i += 1) ids.push(await server.ingest(`Remark ${i}`, { name: `Guest ${i}` }));

    const approvals = ids.slice(0, 4).map((id) => server!.approve(id));
    const late = await viewer({ seq: 0, epoch: first.epoch });
    await Promise.all([...approvals, ...ids.slice(4).map((id) => server!.approve(id))]);

    for (const v of [...watchers, late]) {
      const frames = await v.waitForCount(v === late ? 8 : 9);
      expect(seqs(frames)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
    // Nothing more arrives afterwards.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seqs(late.frames)).toHaveLength(8);
  });

  it('forgets a viewer that disconnects, in the feed and among the sockets', async () => {
    server = await startServer();
    const viewers = await Promise.all(Array.from({ length: 3 }, () => viewer()));
    await until(() => server!.app.toile.feeds.viewerCount() === 3, 'three viewers');
    expect(server.app.toile.sockets.size).toBe(3);

    viewers[0]!.close();
    await viewers[0]!.closed;

    await until(() => server!.app.toile.feeds.viewerCount() === 2 && server!.app.toile.sockets.size === 2, 'the viewer to be forgotten');
  });
});

describe('what a connected viewer costs the server', () => {
  it('lets go of the upgrade request once the viewer is connected', async () => {
    // Through Fastify's router, @fastify/websocket's error listener and Node's placeholder response tied to
    // the TCP socket held the request: about 4 KB per viewer for as long as it watches, 40 MB at 10,000.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    server = await startServer();
    let released = 0;
    const registry = new FinalizationRegistry<string>(() => {
      released += 1;
    });
    server.app.server.on('upgrade', (request: IncomingMessage) => registry.register(request, request.url ?? ''));

    const viewers = await Promise.all(Array.from({ length: 5 }, () => viewer()));
    await Promise.all(viewers.map((v) => v.next((frame) => frame.type === 'snapshot')));
    for (let attempt = 0; attempt < 50 && released < viewers.length; attempt += 1) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    expect(released).toBe(viewers.length);
    // The viewers are still connected and served.
    expect(server.app.toile.feeds.viewerCount()).toBe(5);
    const id = await server.ingest('Still here');
    await server.approve(id);
    for (const v of viewers) expect(await v.next((frame) => frame.type === 'approved')).toMatchObject({ message: { id } });
  });
});

/** Asks for a WebSocket upgrade and returns the HTTP answer when it is refused. */
function refusedUpgrade(path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${server!.url}${path}`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' },
    });
    outgoing.on('upgrade', () => reject(new Error(`${path} was upgraded`)));
    outgoing.on('response', (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('what the wall socket answers a request it refuses', () => {
  it('says which wall does not exist, and what is wrong with a resume point, as the API does', async () => {
    server = await startServer();
    expect(await refusedUpgrade('/ws/walls/nowhere')).toEqual({ status: 404, body: { code: 'not_found', message: 'Wall "nowhere" not found.' } });
    for (const query of ['since=abc', 'since=-1', 'since=1.5', `epoch=${'e'.repeat(65)}`]) {
      expect(await refusedUpgrade(`/ws/walls/capcomnet?${query}`)).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    }
    expect(await refusedUpgrade('/ws/walls/Not_A_Slug')).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    // Without an upgrade, the path is no page.
    expect((await server.request('GET', '/ws/walls/capcomnet')).status).toBe(404);
  });

  it('resumes a viewer whose since is from the future or another epoch with a fresh snapshot', async () => {
    server = await startServer();
    for (const query of ['since=99', 'since=0&epoch=another-database']) {
      const fresh = await openSocket(`${server.wsUrl}/ws/walls/capcomnet?${query}`);
      sockets.push(fresh);
      expect(await fresh.next()).toMatchObject({ type: 'snapshot', seq: 0 });
    }
  });
});
