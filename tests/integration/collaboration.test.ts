import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSocket, type TestSocket } from '../helpers/ws.js';
import { until } from '../helpers/wait.js';

let server: TestServer;
let admin: Record<string, string>;
const sockets: TestSocket[] = [];

beforeEach(async () => {
  server = await startServer();
  admin = { authorization: `Bearer ${await server.adminToken()}` };
  for (const username of ['marie', 'alex']) {
    await server.request('POST', '/api/users', { username, password: 'moderation!', role: 'moderator' }, admin);
  }
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server.close({ removeData: true });
});

const login = (username: string, password = 'moderation!') => server.logIn(username, password);

async function moderatorSocket(cookie: string, slug = 'capcomnet'): Promise<TestSocket> {
  const socket = await openSocket(`${server.wsUrl}/ws/moderate/${slug}`, { cookie, origin: server.url });
  sockets.push(socket);
  return socket;
}

async function post(text: string, externalId = text): Promise<number> {
  const response = await server.request('POST', '/api/walls/capcomnet/messages', { externalId, author: { name: 'Kim' }, text }, admin);
  expect(response.status).toBe(201);
  return response.body.id as number;
}

/** The latest presence frame a console has received. */
const presenceOf = (socket: TestSocket) => socket.frames.filter((f) => f.type === 'presence').at(-1)?.moderators;

describe('moderator presence and claims', () => {
  it('sends a console the snapshot first, then who is moderating the wall', async () => {
    const marie = await login('marie');
    const socket = await moderatorSocket(marie.cookie);
    const [first, second] = await socket.waitForCount(2);
    expect(first.type).toBe('snapshot');
    expect(second).toEqual({ type: 'presence', moderators: [{ username: 'marie', claimed: null }] });
  });

  it('shows two moderators each other, their claims and releases, and removes one who disconnects', async () => {
    const id = await post('Bonjour la salle');
    const marie = await moderatorSocket((await login('marie')).cookie);
    await marie.next((f) => f.type === 'presence');
    const alex = await moderatorSocket((await login('alex')).cookie);
    const both = [
      { username: 'alex', claimed: null },
      { username: 'marie', claimed: null },
    ];
    await until(() => JSON.stringify(presenceOf(marie)) === JSON.stringify(both), 'marie to see alex arrive');
    expect(presenceOf(alex)).toEqual(both);

    alex.socket.send(JSON.stringify({ type: 'claim', id }));
    await until(() => presenceOf(marie)?.some((m: { username: string; claimed: number | null }) => m.username === 'alex' && m.claimed === id), 'marie to see the claim');

    alex.socket.send(JSON.stringify({ type: 'release' }));
    await until(() => JSON.stringify(presenceOf(marie)) === JSON.stringify(both), 'marie to see the release');

    alex.socket.send(JSON.stringify({ type: 'claim', id }));
    await until(() => presenceOf(marie)?.some((m: { claimed: number | null }) => m.claimed === id), 'the claim again');
    alex.close();
    await until(() => JSON.stringify(presenceOf(marie)) === JSON.stringify([{ username: 'marie', claimed: null }]), 'alex to leave with the claim');
  });

  it('ignores frames it does not understand, and claims of messages from another wall, without closing the socket', async () => {
    const other = await server.request('POST', '/api/walls', { slug: 'atelier', title: 'Atelier' }, admin);
    expect(other.status).toBe(201);
    const elsewhere = await server.request('POST', '/api/walls/atelier/messages', { externalId: 'a', author: { name: 'Kim' }, text: 'ailleurs' }, admin);
    const id = await post('ici');
    const marie = await moderatorSocket((await login('marie')).cookie);
    const alex = await moderatorSocket((await login('alex')).cookie);
    await until(() => presenceOf(marie)?.length === 2, 'both moderators');
    for (const junk of ['not json', 'null', '[]', '{"type":"claim","id":"7"}', '{"type":"claim","id":-1}', '{"type":"claim"}', '{"type":"shout"}']) {
      alex.socket.send(junk);
    }
    alex.socket.send(Buffer.from([0xff, 0x00]), { binary: true });
    alex.socket.send(JSON.stringify({ type: 'claim', id: elsewhere.body.id }));
    alex.socket.send(JSON.stringify({ type: 'claim', id: 999_999 }));
    alex.socket.send(JSON.stringify({ type: 'claim', id }));
    await until(() => presenceOf(marie)?.some((m: { claimed: number | null }) => m.claimed !== null), 'a claim');
    // The only claim that ever showed is the valid one, and the socket is still open.
    const claims = marie.frames.filter((f) => f.type === 'presence').flatMap((f) => f.moderators.map((m: { claimed: number | null }) => m.claimed));
    expect(claims.filter((claimed) => claimed !== null)).toEqual([id]);
    expect(alex.socket.readyState).toBe(alex.socket.OPEN);
  });

  it('shows every moderator a decision made by another at once', async () => {
    const id = await post('Première question');
    const marie = await login('marie');
    const alexSocket = await moderatorSocket((await login('alex')).cookie);
    await alexSocket.next((f) => f.type === 'snapshot');
    const approved = await server.request('POST', `/api/messages/${id}/approve`, { expectedVersion: 1 }, marie.headers);
    expect(approved.status).toBe(200);
    const frame = await alexSocket.next((f) => f.type === 'message' && f.message.id === id);
    expect(frame.message).toMatchObject({ status: 'approved', decidedBy: 'marie', version: 2 });
    const late = await server.request('POST', `/api/messages/${id}/reject`, { expectedVersion: 1 }, (await login('alex')).headers);
    expect(late.status).toBe(409);
    expect(late.body.message).toContain('marie');
  });
});

describe('the moderator socket checks who opens it, before the upgrade', () => {
  it('refuses a foreign Origin even with a valid session', async () => {
    const marie = await login('marie');
    await expect(openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, { cookie: marie.cookie, origin: 'https://evil.example' })).rejects.toThrow(/403/);
  });

  it('refuses a request without a session, with an unknown one, and with one that has ended', async () => {
    await expect(openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, { origin: server.url })).rejects.toThrow(/401/);
    await expect(openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, { cookie: 'toile_session=forged', origin: server.url })).rejects.toThrow(/401/);
    const marie = await login('marie');
    expect((await server.request('POST', '/api/auth/logout', {}, marie.headers)).status).toBe(200);
    await expect(openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, { cookie: marie.cookie, origin: server.url })).rejects.toThrow(/401/);
  });

  it('closes an open console within seconds when its session ends in another process (the CLI)', async () => {
    const marie = await login('marie');
    const socket = await moderatorSocket(marie.cookie);
    await socket.next((f) => f.type === 'presence');
    // What `npm run toile -- user passwd marie` does to the database, without this server being told.
    server.app.toile.repos.sessions.removeForUser('marie');
    expect((await socket.closed).code).toBe(4401);
  });
});

describe('undo: requeue', () => {
  async function wallSocket(): Promise<TestSocket> {
    const socket = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    sockets.push(socket);
    await socket.next((f) => f.type === 'snapshot');
    return socket;
  }

  it('sends an approved message back to the queue and off every wall', async () => {
    const id = await post('Trop tôt');
    const marie = await login('marie');
    const wall = await wallSocket();
    await server.request('POST', `/api/messages/${id}/approve`, {}, marie.headers);
    await server.request('POST', `/api/messages/${id}/pin`, {}, marie.headers);
    await wall.next((f) => f.type === 'pinned');
    const requeued = await server.request('POST', `/api/messages/${id}/requeue`, { expectedVersion: 3 }, marie.headers);
    expect(requeued.status).toBe(200);
    expect(requeued.body).toMatchObject({ id, status: 'pending', pinned: false, version: 4, decidedAt: null });
    expect(await wall.next((f) => f.type === 'removed')).toMatchObject({ type: 'removed', id });
    const pending = await server.request('GET', '/api/walls/capcomnet/messages?status=pending', undefined, marie.headers);
    expect(pending.body.items.map((m: { id: number }) => m.id)).toEqual([id]);
  });

  it('sends a rejected or hidden message back to the queue without telling the wall anything', async () => {
    const rejected = await post('Refusé trop vite');
    const hidden = await post('Caché trop vite');
    const marie = await login('marie');
    await server.request('POST', `/api/messages/${rejected}/reject`, {}, marie.headers);
    await server.request('POST', `/api/messages/${hidden}/approve`, {}, marie.headers);
    await server.request('POST', `/api/messages/${hidden}/hide`, {}, marie.headers);
    const before = (await server.request('GET', '/api/walls/capcomnet/events?since=0')).body.seq;
    const moderator = await moderatorSocket(marie.cookie);
    await moderator.next((f) => f.type === 'snapshot');
    for (const id of [rejected, hidden]) {
      const response = await server.request('POST', `/api/messages/${id}/requeue`, {}, marie.headers);
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('pending');
      expect((await moderator.next((f) => f.type === 'message' && f.message.id === id)).message.status).toBe('pending');
    }
    expect((await server.request('GET', '/api/walls/capcomnet/events?since=0')).body.seq).toBe(before);
  });

  it('refuses to requeue a pending message, a message changed since the console saw it, and one its author deleted (409)', async () => {
    const id = await post('En attente');
    const marie = await login('marie');
    const already = await server.request('POST', `/api/messages/${id}/requeue`, {}, marie.headers);
    expect(already.status).toBe(409);
    expect(already.body).toMatchObject({ code: 'invalid_transition', message: 'The message is already pending.' });

    await server.request('POST', `/api/messages/${id}/approve`, {}, (await login('alex')).headers);
    const stale = await server.request('POST', `/api/messages/${id}/requeue`, { expectedVersion: 1 }, marie.headers);
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('version_conflict');
    expect(stale.body.message).toContain('alex');

    expect((await server.request('DELETE', '/api/walls/capcomnet/messages/En attente', undefined, admin)).status).toBe(200);
    const deleted = await server.request('POST', `/api/messages/${id}/requeue`, {}, marie.headers);
    expect(deleted.status).toBe(409);
    expect(deleted.body.code).toBe('deleted_by_author');
  });
});

describe('the panic switch', () => {
  it('lets a moderator blank, freeze and restore every screen of a wall, each press audited once', async () => {
    const marie = await login('marie');
    const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    sockets.push(wall);
    await wall.next((f) => f.type === 'snapshot');
    for (const display of ['blank', 'freeze', 'live'] as const) {
      const response = await server.request('POST', '/api/walls/capcomnet/display', { display }, marie.headers);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ slug: 'capcomnet', display });
      expect(response.body).not.toHaveProperty('blockedTerms');
      expect((await wall.next((f) => f.type === 'wall')).wall.display).toBe(display);
    }
    const audit = await server.request('GET', '/api/audit?wall=capcomnet', undefined, admin);
    const presses = audit.body.items.filter((row: { action: string }) => row.action === 'display').reverse();
    expect(presses.map((row: { actor: string; detail: unknown }) => [row.actor, row.detail])).toEqual([
      ['marie', { from: 'live', to: 'blank' }],
      ['marie', { from: 'blank', to: 'freeze' }],
      ['marie', { from: 'freeze', to: 'live' }],
    ]);
  });

  it('refuses an unknown mode, an unknown wall, a caller without the moderator role, and a caller not logged in', async () => {
    const marie = await login('marie');
    const bad = await server.request('POST', '/api/walls/capcomnet/display', { display: 'off' }, marie.headers);
    expect(bad.status).toBe(400);
    expect((await server.request('POST', '/api/walls/nowhere/display', { display: 'blank' }, marie.headers)).status).toBe(404);
    const ingest = await server.request('POST', '/api/tokens', { name: 'bridge', role: 'ingest' }, admin);
    const asIngest = await server.request('POST', '/api/walls/capcomnet/display', { display: 'blank' }, { authorization: `Bearer ${ingest.body.token}` });
    expect(asIngest.status).toBe(403);
    expect((await server.request('POST', '/api/walls/capcomnet/display', { display: 'blank' })).status).toBe(401);
    expect((await server.request('GET', '/api/walls/capcomnet')).body.display).toBe('live');
  });
});

describe('undo on the publish-delay lane', () => {
  it('keeps a requeued message for a human instead of publishing it again when its delay is over', async () => {
    let clock = Date.parse('2026-11-29T10:00:00Z');
    await server.close({ removeData: true });
    server = await startServer({ now: () => new Date(clock) });
    admin = { authorization: `Bearer ${await server.adminToken()}` };
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post', publishDelaySeconds: 30 }, admin);
    const id = await post('Publié par le délai');
    clock += 31_000;
    expect(server.app.toile.publishDue()).toBe(1);
    expect((await server.request('POST', `/api/messages/${id}/requeue`, {}, admin)).body.status).toBe('pending');
    clock += 60_000;
    expect(server.app.toile.publishDue()).toBe(0);
    const pending = await server.request('GET', '/api/walls/capcomnet/messages?status=pending', undefined, admin);
    expect(pending.body.items.map((m: { id: number }) => m.id)).toEqual([id]);
  });
});
