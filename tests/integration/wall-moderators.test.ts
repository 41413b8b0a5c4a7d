import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type Session, type TestServer } from '../helpers/server.js';
import { openSocket, type TestSocket } from '../helpers/ws.js';

/**
 * Per-wall moderators: `marie` is limited to the wall `capcomnet` (A), `alex` has no limit. The wall
 * `bravo` (B) must look to marie exactly like a wall that does not exist.
 */
let server: TestServer;
let admin: Record<string, string>;
const sockets: TestSocket[] = [];
const PASSWORD = 'moderation!';
const CLIENT = 'a'.repeat(32);

beforeEach(async () => {
  server = await startServer();
  admin = { authorization: `Bearer ${await server.adminToken()}` };
  expect((await server.request('POST', '/api/walls', { slug: 'bravo', title: 'Bravo' }, admin)).status).toBe(201);
  const marie = await server.request('POST', '/api/users', { username: 'marie', password: PASSWORD, role: 'moderator', walls: ['capcomnet'] }, admin);
  expect(marie.status).toBe(201);
  expect(marie.body).toMatchObject({ username: 'marie', role: 'moderator', walls: ['capcomnet'] });
  expect((await server.request('POST', '/api/users', { username: 'alex', password: PASSWORD, role: 'moderator' }, admin)).status).toBe(201);
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server.close({ removeData: true });
});

async function moderatorSocket(slug: string, session: Session): Promise<TestSocket> {
  const socket = await openSocket(`${server.wsUrl}/ws/moderate/${slug}`, { cookie: session.cookie, origin: server.url });
  sockets.push(socket);
  await socket.next((f) => f.type === 'snapshot');
  return socket;
}

/** Every moderator route on a wall, with a message of that wall and a listed sender of it. */
async function wallRoutes(slug: string, session: Session) {
  const messageId = await server.ingest(`on ${slug}`, { wall: slug });
  const other = await server.ingest(`also on ${slug}`, { wall: slug });
  const listed = await server.request('POST', `/api/walls/${slug}/senders`, { kind: 'client', address: CLIENT, rule: 'trusted' }, admin);
  expect(listed.status).toBe(201);
  const h = session.headers;
  return [
    ['list', () => server.request('GET', `/api/walls/${slug}/messages`, undefined, h)],
    ['approve by message id', () => server.request('POST', `/api/messages/${messageId}/approve`, {}, h)],
    ['reject by message id', () => server.request('POST', `/api/messages/${other}/reject`, {}, h)],
    // Past the wall check, this message has no content warning to reveal: 409, not 404.
    ['reveal by message id', () => server.request('POST', `/api/messages/${other}/reveal`, { revealed: true }, h)],
    ['senders list', () => server.request('GET', `/api/walls/${slug}/senders`, undefined, h)],
    ['senders add', () => server.request('POST', `/api/walls/${slug}/senders`, { kind: 'client', address: 'b'.repeat(32), rule: 'blocked' }, h)],
    ['senders badge', () => server.request('PATCH', `/api/walls/${slug}/senders/${listed.body.id}`, { badge: 'speaker' }, h)],
    ['senders remove', () => server.request('DELETE', `/api/walls/${slug}/senders/${listed.body.id}`, undefined, h)],
    ['stats', () => server.request('GET', `/api/walls/${slug}/stats`, undefined, h)],
    ['export', () => server.request('GET', `/api/walls/${slug}/export?format=csv`, undefined, h)],
    ['display', () => server.request('POST', `/api/walls/${slug}/display`, { display: 'live' }, h)],
    ['screens', () => server.request('GET', `/api/walls/${slug}/screens`, undefined, h)],
    ['reload', () => server.request('POST', `/api/walls/${slug}/reload`, {}, h)],
  ] as const;
}

/** What each route answers a moderator of the wall. */
const allowed = (name: string) =>
  ({ 'reveal by message id': 409, 'senders add': 201, 'senders remove': 204, reload: 202 })[name] ?? 200;

describe('a moderator limited to some walls', () => {
  it('gets 404 on every moderator route of another wall, the same 404 as for a wall that does not exist', async () => {
    const marie = await server.logIn('marie', PASSWORD);
    const missing = await server.request('GET', '/api/walls/nowhere/stats', undefined, marie.headers);
    expect(missing.status).toBe(404);
    for (const [name, call] of await wallRoutes('bravo', marie)) {
      const response = await call();
      expect({ name, status: response.status }).toEqual({ name, status: 404 });
      if (!name.includes('message id')) expect({ name, body: response.body }).toEqual({ name, body: { ...missing.body, message: missing.body.message.replace('nowhere', 'bravo') } });
    }
    await expect(openSocket(`${server.wsUrl}/ws/moderate/bravo`, { cookie: marie.cookie, origin: server.url })).rejects.toThrow(/404/);

    // Nothing was changed on B.
    const list = await server.request('GET', '/api/walls/bravo/messages', undefined, admin);
    expect(list.body.items.map((m: { status: string }) => m.status)).toEqual(['pending', 'pending']);
    const senders = await server.request('GET', '/api/walls/bravo/senders', undefined, admin);
    expect(senders.body.items).toEqual([expect.objectContaining({ rule: 'trusted', badge: null })]);
  });

  it('answers a decision on a message of another wall like one on a message that does not exist', async () => {
    const marie = await server.logIn('marie', PASSWORD);
    const id = await server.ingest('on bravo', { wall: 'bravo' });
    const other = await server.request('POST', `/api/messages/${id}/approve`, {}, marie.headers);
    const missing = await server.request('POST', `/api/messages/999999/approve`, {}, marie.headers);
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ ...missing.body, message: missing.body.message.replace('999999', String(id)) });
  });

  it('works on their own wall: every route and the socket', async () => {
    const marie = await server.logIn('marie', PASSWORD);
    for (const [name, call] of await wallRoutes('capcomnet', marie)) {
      const response = await call();
      expect({ name, status: response.status }).toEqual({ name, status: allowed(name) });
    }
    const socket = await moderatorSocket('capcomnet', marie);
    expect(socket.socket.readyState).toBe(socket.socket.OPEN);
  });

  it('sees only their walls in the wall list', async () => {
    const marie = await server.logIn('marie', PASSWORD);
    const alex = await server.logIn('alex', PASSWORD);
    const slugs = async (headers: Record<string, string>) =>
      ((await server.request('GET', '/api/walls', undefined, headers)).body.items as { slug: string }[]).map((w) => w.slug).sort();
    expect(await slugs(marie.headers)).toEqual(['capcomnet']);
    expect(await slugs(alex.headers)).toEqual(['bravo', 'capcomnet']);
    expect(await slugs(admin)).toEqual(['bravo', 'capcomnet']);
  });

  it('follows a change of their walls at their next request, and their open sockets close', async () => {
    const marie = await server.logIn('marie', PASSWORD);
    const socket = await moderatorSocket('capcomnet', marie);
    const changed = await server.request('PATCH', '/api/users/marie', { walls: ['bravo'] }, admin);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ username: 'marie', walls: ['bravo'] });
    await socket.closed;
    expect((await server.request('GET', '/api/walls/capcomnet/stats', undefined, marie.headers)).status).toBe(404);
    expect((await server.request('GET', '/api/walls/bravo/stats', undefined, marie.headers)).status).toBe(200);

    // An empty list lifts the limit.
    expect((await server.request('PATCH', '/api/users/marie', { walls: [] }, admin)).body.walls).toEqual([]);
    expect((await server.request('GET', '/api/walls/capcomnet/stats', undefined, marie.headers)).status).toBe(200);
    expect((await server.request('GET', '/api/walls/bravo/stats', undefined, marie.headers)).status).toBe(200);
  });
});

describe('an unrestricted moderator', () => {
  it('still works on every wall', async () => {
    const alex = await server.logIn('alex', PASSWORD);
    for (const slug of ['capcomnet', 'bravo']) {
      for (const [name, call] of await wallRoutes(slug, alex)) {
        const response = await call();
        expect({ slug, name, status: response.status }).toEqual({ slug, name, status: allowed(name) });
      }
      await moderatorSocket(slug, alex);
    }
  });
});

describe('the users API', () => {
  it('shows the walls of each user', async () => {
    const users = await server.request('GET', '/api/users', undefined, admin);
    expect(users.status).toBe(200);
    const byName = Object.fromEntries((users.body.items as { username: string; walls: string[] }[]).map((u) => [u.username, u.walls]));
    expect(byName).toMatchObject({ marie: ['capcomnet'], alex: [], admin: [] });
  });

  it('refuses unknown walls, bad slugs, walls for a non-moderator, and creates nothing then', async () => {
    const unknown = await server.request('POST', '/api/users', { username: 'zoe', password: PASSWORD, role: 'moderator', walls: ['capcomnet', 'nope'] }, admin);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'unknown_wall', message: expect.stringContaining('nope') });
    const badSlug = await server.request('POST', '/api/users', { username: 'zoe', password: PASSWORD, role: 'moderator', walls: ['Not A Slug'] }, admin);
    expect(badSlug.status).toBe(400);
    const notList = await server.request('POST', '/api/users', { username: 'zoe', password: PASSWORD, role: 'moderator', walls: 'capcomnet' }, admin);
    expect(notList.status).toBe(400);
    const forAdmin = await server.request('POST', '/api/users', { username: 'zoe', password: PASSWORD, role: 'admin', walls: ['capcomnet'] }, admin);
    expect(forAdmin.status).toBe(400);
    expect(forAdmin.body.code).toBe('walls_for_moderators');
    const users = (await server.request('GET', '/api/users', undefined, admin)).body.items as { username: string }[];
    expect(users.map((u) => u.username)).not.toContain('zoe');

    expect((await server.request('PATCH', '/api/users/marie', { walls: ['nope'] }, admin)).status).toBe(400);
    expect((await server.request('PATCH', '/api/users/marie', {}, admin)).status).toBe(400);
    expect((await server.request('PATCH', '/api/users/nobody', { walls: ['bravo'] }, admin)).status).toBe(404);
    expect((await server.request('PATCH', '/api/users/admin', { walls: ['bravo'] }, admin)).status).toBe(400);
    // The failed changes left marie as she was.
    const after = (await server.request('GET', '/api/users', undefined, admin)).body.items as { username: string; walls: string[] }[];
    expect(after.find((u) => u.username === 'marie')?.walls).toEqual(['capcomnet']);
  });

  it('lets only admins set walls', async () => {
    const alex = await server.logIn('alex', PASSWORD);
    expect((await server.request('PATCH', '/api/users/alex', { walls: [] }, alex.headers)).status).toBe(403);
    expect((await server.request('PATCH', '/api/users/marie', { walls: [] }, alex.headers)).status).toBe(403);
  });

  it('audits the creation with its walls and every change of walls', async () => {
    await server.request('PATCH', '/api/users/marie', { walls: ['bravo', 'capcomnet'] }, admin);
    const audit = await server.request('GET', '/api/audit', undefined, admin);
    const rows = audit.body.items as { action: string; targetId: string; actor: string; detail: unknown }[];
    expect(rows.find((r) => r.action === 'user.create' && r.targetId === 'marie')?.detail).toEqual({ role: 'moderator', walls: ['capcomnet'] });
    expect(rows.find((r) => r.action === 'user.create' && r.targetId === 'alex')?.detail).toEqual({ role: 'moderator' });
    const change = rows.find((r) => r.action === 'user.walls');
    expect(change).toMatchObject({ actor: 'token:tests', targetId: 'marie', detail: { from: ['capcomnet'], to: ['bravo', 'capcomnet'] } });
  });
});

describe('API tokens', () => {
  it('belong to no user: a moderator token moderates every wall', async () => {
    const { token } = server.app.toile.auth.createToken('bot', 'moderator', 'tests');
    const headers = { authorization: `Bearer ${token}` };
    expect((await server.request('GET', '/api/walls/bravo/messages', undefined, headers)).status).toBe(200);
    expect((await server.request('GET', '/api/walls/capcomnet/messages', undefined, headers)).status).toBe(200);
  });
});
