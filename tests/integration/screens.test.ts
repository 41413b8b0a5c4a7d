import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type StartOptions, type TestServer } from '../helpers/server.js';
import { openSocket, type TestSocket } from '../helpers/ws.js';
import { until } from '../helpers/wait.js';

let server: TestServer;
let auth: Record<string, string>;
const sockets: TestSocket[] = [];

async function start(options: StartOptions = {}) {
  server = await startServer(options);
  auth = { authorization: `Bearer ${await server.adminToken()}` };
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server.close({ removeData: true });
});

async function screen(): Promise<TestSocket> {
  const socket = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
  sockets.push(socket);
  await socket.next((f) => f.type === 'snapshot');
  return socket;
}

function heartbeat(id: string, overrides: Record<string, unknown> = {}) {
  return { type: 'heartbeat', screen: id, layout: 'grid', width: 1920, height: 1080, seq: 3, heapMb: 41.5, cards: 12, mode: 'wall', language: 'fr', ...overrides };
}

const send = (socket: TestSocket, frame: unknown) => socket.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
const list = async (headers = auth) => server.request('GET', '/api/walls/capcomnet/screens', undefined, headers);
const screens = async () => (await list()).body.screens as Record<string, unknown>[];
const reload = (body?: unknown, headers = auth) => server.request('POST', '/api/walls/capcomnet/reload', body, headers);

describe('screens reporting on the wall socket', () => {
  it('lists a screen with what its heartbeat said, when it connected and when it was last heard', async () => {
    await start();
    const projector = await screen();
    send(projector, heartbeat('room-b-projector'));
    await until(async () => (await screens()).length === 1, 'the screens list');
    const [row] = await screens();
    expect(row).toEqual({
      screen: 'room-b-projector',
      layout: 'grid',
      width: 1920,
      height: 1080,
      seq: 3,
      heapMb: 41.5,
      cards: 12,
      mode: 'wall',
      language: 'fr',
      connectedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastSeenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      connected: true,
    });
  });

  it('ignores frames that are not a valid heartbeat, and keeps serving the screen that sent them', async () => {
    await start({ screenLimits: { minIntervalMs: 0 } });
    const projector = await screen();
    const bad: unknown[] = [
      'not json',
      '[]',
      'null',
      { type: 'claim', id: 1 },
      heartbeat('x', { type: 'Heartbeat' }),
      heartbeat('has space'),
      heartbeat(''),
      heartbeat('a'.repeat(65)),
      heartbeat('x', { layout: 'carousel' }),
      heartbeat('x', { width: -1 }),
      heartbeat('x', { height: 1.5 }),
      heartbeat('x', { seq: '3' }),
      heartbeat('x', { heapMb: 'lots' }),
      heartbeat('x', { heapMb: -1 }),
      heartbeat('x', { cards: undefined }),
      heartbeat('x', { mode: 'kiosk' }),
      heartbeat('x', { language: 'de' }),
      { ...heartbeat('x'), padding: 'p'.repeat(2100) },
    ];
    for (const frame of bad) send(projector, frame);
    projector.socket.send(Buffer.from(JSON.stringify(heartbeat('binary'))), { binary: true });
    // A valid one afterwards is taken: the socket is still open and heard.
    send(projector, heartbeat('good', { heapMb: null }));
    await until(async () => (await screens()).length > 0, 'the screens list');
    expect((await screens()).map((row) => [row.screen, row.heapMb])).toEqual([['good', null]]);
    await server.request('PATCH', '/api/walls/capcomnet', { title: 'Still live' }, auth);
    expect((await projector.next((f) => f.type === 'wall')).wall.title).toBe('Still live');
  });

  it('counts at most one heartbeat per socket every 2 seconds', async () => {
    await start();
    const projector = await screen();
    send(projector, heartbeat('p1', { seq: 1 }));
    send(projector, heartbeat('p1', { seq: 2 }));
    send(projector, heartbeat('p1', { seq: 3 }));
    await until(async () => (await screens()).length === 1, 'the screens list');
    // The frames were sent in order on one socket: once the wall has answered a later request, all were read.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await screens())[0]!.seq).toBe(1);
  });

  it('takes the next heartbeat once the interval has passed', async () => {
    await start({ screenLimits: { minIntervalMs: 100 } });
    const projector = await screen();
    send(projector, heartbeat('p1', { seq: 1 }));
    await until(async () => (await screens()).length === 1, 'the screens list');
    await new Promise((resolve) => setTimeout(resolve, 150));
    send(projector, heartbeat('p1', { seq: 9, cards: 30 }));
    await until(async () => (await screens())[0]!.seq === 9, 'the screens list');
    expect((await screens())[0]!.cards).toBe(30);
  });

  it('marks a screen disconnected when its socket closes, keeps it for a while, then drops it', async () => {
    await start({ screenLimits: { keepDisconnectedMs: 400 } });
    const projector = await screen();
    send(projector, heartbeat('p1'));
    await until(async () => (await screens()).length === 1, 'the screens list');
    projector.close();
    await until(async () => (await screens())[0]?.connected === false, 'the screens list');
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await screens()).toEqual([]);
  });

  it('keeps one row for a page that reconnects, connected on its new socket', async () => {
    await start();
    const first = await screen();
    send(first, heartbeat('p1', { seq: 4 }));
    await until(async () => (await screens()).length === 1, 'the screens list');
    const second = await screen();
    send(second, heartbeat('p1', { seq: 5 }));
    await until(async () => (await screens())[0]!.seq === 5, 'the screens list');
    // The old socket's close comes after the new one reported: the screen stays connected.
    first.close();
    await first.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await screens()).toMatchObject([{ screen: 'p1', seq: 5, connected: true }]);
  });

  it('lists screens only for moderators, and 404 for a wall that does not exist', async () => {
    await start();
    expect((await list({})).status).toBe(401);
    const ingest = server.app.toile.auth.createToken('bridge', 'ingest', 'tests').token;
    expect((await list({ authorization: `Bearer ${ingest}` })).status).toBe(403);
    const moderator = server.app.toile.auth.createToken('mod', 'moderator', 'tests').token;
    expect((await list({ authorization: `Bearer ${moderator}` })).body).toEqual({ screens: [] });
    expect((await server.request('GET', '/api/walls/nope/screens', undefined, auth)).status).toBe(404);
  });
});

describe('POST /api/walls/:slug/reload', () => {
  it('sends every screen of the wall {"type":"reload"}, reporting or not, and audits it', async () => {
    await start();
    const reporting = await screen();
    const silent = await screen();
    send(reporting, heartbeat('p1'));
    await until(async () => (await screens()).length === 1, 'the screens list');
    const raw: string[] = [];
    silent.socket.on('message', (data: Buffer) => raw.push(data.toString()));

    const answer = await reload();
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ reloaded: 2 });
    expect(await reporting.next((f) => f.type === 'reload')).toEqual({ type: 'reload' });
    expect(await silent.next((f) => f.type === 'reload')).toEqual({ type: 'reload' });
    expect(raw).toEqual(['{"type":"reload"}']);

    const items = (await server.request('GET', '/api/audit?wall=capcomnet&limit=10', undefined, auth)).body.items;
    expect(items[0]).toMatchObject({ action: 'wall.reload', actor: 'token:tests', wall: 'capcomnet', detail: { reloaded: 2 } });
  });

  it('reloads one screen when named, and none for a screen that is not connected', async () => {
    await start();
    const a = await screen();
    const b = await screen();
    send(a, heartbeat('screen-a'));
    send(b, heartbeat('screen-b'));
    await until(async () => (await screens()).length === 2, 'the screens list');
    expect((await reload({ screen: 'screen-b' })).body).toEqual({ reloaded: 1 });
    await b.next((f) => f.type === 'reload');
    expect((await reload({ screen: 'gone' })).body).toEqual({ reloaded: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(a.frames.some((f) => f.type === 'reload')).toBe(false);
    expect(b.frames.filter((f) => f.type === 'reload')).toHaveLength(1);
  });

  it('does not send reload to another wall’s screens', async () => {
    await start();
    await server.request('POST', '/api/walls', { slug: 'paris20', title: 'Paris' }, auth);
    const other = await openSocket(`${server.wsUrl}/ws/walls/paris20`);
    sockets.push(other);
    await other.next((f) => f.type === 'snapshot');
    expect((await reload()).body).toEqual({ reloaded: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(other.frames.some((f) => f.type === 'reload')).toBe(false);
  });

  it('needs a moderator, the CSRF header with a cookie, a known wall and a well-formed body', async () => {
    await start();
    expect((await reload(undefined, {})).status).toBe(401);
    await server.app.toile.auth.createUser('mona', 'a long enough password', 'moderator', 'tests');
    const session = await server.logIn('mona', 'a long enough password');
    expect((await reload({}, { cookie: session.cookie })).status).toBe(403);
    expect((await reload({}, session.headers)).status).toBe(202);
    expect((await server.request('POST', '/api/walls/nope/reload', {}, auth)).status).toBe(404);
    expect((await reload({ screen: 5 })).status).toBe(400);
    expect((await reload({ screen: '' })).status).toBe(400);
    expect((await reload('[1]')).status).toBe(400);
  });
});

describe('who may open which socket', () => {
  it('lets a page on another origin open the public wall socket, but not a moderator socket', async () => {
    await start();
    const embedded = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`, { origin: 'https://event.example.org' });
    sockets.push(embedded);
    expect((await embedded.next()).type).toBe('snapshot');
    const refused = new WebSocket(`${server.wsUrl}/ws/moderate/capcomnet`, { headers: { origin: 'https://event.example.org', ...auth } });
    const status = await new Promise<number>((resolve) => {
      refused.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      refused.once('open', () => resolve(101));
    });
    // Closing a socket whose upgrade was refused reports an error of its own: it is expected here.
    refused.on('error', () => undefined);
    refused.terminate();
    expect(status).toBe(403);
  });
});
