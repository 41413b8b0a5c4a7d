import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSocket, type TestSocket } from '../helpers/ws.js';

let server: TestServer;
let admin: Record<string, string>;
const sockets: TestSocket[] = [];

beforeEach(async () => {
  server = await startServer();
  admin = { authorization: `Bearer ${await server.adminToken()}` };
  await server.request('POST', '/api/users', { username: 'marie', password: 'moderation!', role: 'moderator' }, admin);
  await server.request('POST', '/api/users', { username: 'alex', password: 'moderation!', role: 'moderator' }, admin);
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server.close({ removeData: true });
});

const login = (username: string, password = 'moderation!') => server.logIn(username, password);

async function moderatorSocket(cookie: string): Promise<TestSocket> {
  const socket = await openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, { cookie, origin: server.url });
  sockets.push(socket);
  await socket.next((f) => f.type === 'snapshot');
  return socket;
}

const whoAmI = async (cookie: string) => (await server.request('GET', '/api/auth/me', undefined, { cookie })).status;

describe('changing one’s password', () => {
  it('takes the current password, keeps this session, and ends the other sessions and their sockets', async () => {
    const laptop = await login('marie');
    const tablet = await login('marie');
    const tabletSocket = await moderatorSocket(tablet.cookie);
    const laptopSocket = await moderatorSocket(laptop.cookie);

    const changed = await server.request('POST', '/api/auth/password', { currentPassword: 'moderation!', newPassword: 'a longer one!' }, laptop.headers);
    expect(changed.status).toBe(204);
    expect(changed.text).toBe('');
    expect((await tabletSocket.closed).code).toBe(4401);
    expect(await whoAmI(tablet.cookie)).toBe(401);
    expect(await whoAmI(laptop.cookie)).toBe(200);
    expect(laptopSocket.socket.readyState).toBe(laptopSocket.socket.OPEN);

    expect((await server.request('POST', '/api/auth/login', { username: 'marie', password: 'moderation!' })).status).toBe(401);
    await login('marie', 'a longer one!');
  });

  it('refuses a wrong current password and a short new one, changing nothing', async () => {
    const marie = await login('marie');
    const other = await login('marie');
    const wrong = await server.request('POST', '/api/auth/password', { currentPassword: 'guess', newPassword: 'a longer one!' }, marie.headers);
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatchObject({ code: 'wrong_password', message: expect.stringContaining('currentPassword') });
    const short = await server.request('POST', '/api/auth/password', { currentPassword: 'moderation!', newPassword: 'short' }, marie.headers);
    expect(short.status).toBe(400);
    expect(short.body.message).toContain('newPassword');
    expect(await whoAmI(other.cookie)).toBe(200);
    await login('marie', 'moderation!');
  });

  it('refuses an API token, which has no password of its own', async () => {
    const response = await server.request('POST', '/api/auth/password', { currentPassword: 'x', newPassword: 'a longer one!' }, admin);
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('not_a_user');
  });

  it('is audited once, with no password in the log', async () => {
    const marie = await login('marie');
    await server.request('POST', '/api/auth/password', { currentPassword: 'moderation!', newPassword: 'a longer one!' }, marie.headers);
    const audit = await server.request('GET', '/api/audit', undefined, admin);
    expect(audit.body.items.filter((row: { action: string }) => row.action === 'user.password')).toEqual([
      expect.objectContaining({ actor: 'marie', targetType: 'user', targetId: 'marie' }),
    ]);
    expect(audit.text).not.toContain('moderation!');
    expect(audit.text).not.toContain('a longer one!');
  });
});

describe('sessions', () => {
  it('lists one’s own sessions, marking the current one, with an id that is not the cookie', async () => {
    const first = await login('marie');
    const second = await login('marie');
    await login('alex');
    const list = await server.request('GET', '/api/sessions', undefined, { cookie: second.cookie });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items.map((s: { username: string }) => s.username)).toEqual(['marie', 'marie']);
    expect(list.body.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    for (const session of list.body.items) {
      expect(Object.keys(session).sort()).toEqual(['createdAt', 'current', 'id', 'lastSeenAt', 'username']);
      expect(Number.isInteger(session.id)).toBe(true);
      expect(Date.parse(session.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(session.createdAt));
    }
    for (const { cookie } of [first, second]) {
      const value = cookie.split('=')[1]!;
      expect(list.text).not.toContain(value);
    }
  });

  it('shows an admin everyone’s sessions', async () => {
    await login('marie');
    await login('alex');
    const adminSession = await login('admin', server.adminPassword);
    const list = await server.request('GET', '/api/sessions', undefined, { cookie: adminSession.cookie });
    expect(list.body.items.map((s: { username: string }) => s.username).sort()).toEqual(['admin', 'alex', 'marie']);
  });

  it('revokes one of one’s own sessions and closes its sockets, leaving the others', async () => {
    const laptop = await login('marie');
    const forgotten = await login('marie');
    const socket = await moderatorSocket(forgotten.cookie);
    const list = await server.request('GET', '/api/sessions', undefined, { cookie: laptop.cookie });
    const target = list.body.items.find((s: { current: boolean }) => !s.current);
    const revoked = await server.request('DELETE', `/api/sessions/${target.id}`, undefined, laptop.headers);
    expect(revoked.status).toBe(204);
    expect((await socket.closed).code).toBe(4401);
    expect(await whoAmI(forgotten.cookie)).toBe(401);
    expect(await whoAmI(laptop.cookie)).toBe(200);
  });

  it('lets a moderator revoke only their own sessions, and an admin anyone’s', async () => {
    const marie = await login('marie');
    const alex = await login('alex');
    const alexSessions = await server.request('GET', '/api/sessions', undefined, { cookie: alex.cookie });
    const alexId = alexSessions.body.items[0].id;
    const refused = await server.request('DELETE', `/api/sessions/${alexId}`, undefined, marie.headers);
    expect(refused.status).toBe(404);
    expect(await whoAmI(alex.cookie)).toBe(200);
    const byAdmin = await server.request('DELETE', `/api/sessions/${alexId}`, undefined, admin);
    expect(byAdmin.status).toBe(204);
    expect(await whoAmI(alex.cookie)).toBe(401);
    expect((await server.request('DELETE', `/api/sessions/${alexId}`, undefined, admin)).status).toBe(404);
    const audit = await server.request('GET', '/api/audit', undefined, admin);
    expect(audit.body.items.filter((row: { action: string }) => row.action === 'session.revoke')).toEqual([
      expect.objectContaining({ actor: 'token:tests', targetId: 'alex', detail: { session: alexId } }),
    ]);
  });

  it('needs the CSRF token to revoke with a cookie', async () => {
    const marie = await login('marie');
    const list = await server.request('GET', '/api/sessions', undefined, { cookie: marie.cookie });
    const response = await server.request('DELETE', `/api/sessions/${list.body.items[0].id}`, undefined, { cookie: marie.cookie });
    expect(response.status).toBe(403);
    expect(await whoAmI(marie.cookie)).toBe(200);
  });
});

describe('API tokens', () => {
  it('revokes a token at once: its requests are refused, its moderator socket closes, and the revocation is audited', async () => {
    const created = await server.request('POST', '/api/tokens', { name: 'bridge', role: 'moderator' }, admin);
    expect(created.status).toBe(201);
    const bearer = { authorization: `Bearer ${created.body.token}` };
    expect((await server.request('GET', '/api/walls', undefined, bearer)).status).toBe(200);
    const socket = await openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, bearer);
    sockets.push(socket);
    await socket.next((f) => f.type === 'snapshot');

    expect((await server.request('DELETE', `/api/tokens/${created.body.id}`, undefined, admin)).status).toBe(204);
    expect((await server.request('GET', '/api/walls', undefined, bearer)).status).toBe(401);
    expect((await socket.closed).code).toBe(4401);
    const left = (await server.request('GET', '/api/tokens', undefined, admin)).body.items;
    expect(left.map((t: { name: string }) => t.name)).toEqual(['tests']);
    expect((await server.request('DELETE', `/api/tokens/${created.body.id}`, undefined, admin)).status).toBe(404);

    const audit = await server.request('GET', '/api/audit', undefined, admin);
    const revocations = audit.body.items.filter((row: { action: string }) => row.action === 'token.revoke');
    expect(revocations).toHaveLength(1);
    expect(JSON.stringify(revocations)).not.toContain(created.body.token);
  });
});
