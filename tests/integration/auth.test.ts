import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSocket } from '../helpers/ws.js';

let server: TestServer;

beforeEach(async () => {
  server = await startServer();
});

afterEach(async () => {
  await server.close({ removeData: true });
});

async function login(username = 'admin', password = server.adminPassword) {
  const response = await server.request('POST', '/api/auth/login', { username, password });
  const cookie = response.headers.get('set-cookie') ?? '';
  return { response, cookie: cookie.split(';')[0]!, setCookie: cookie, csrfToken: response.body.csrfToken as string };
}

describe('sessions', () => {
  it('logs in with an HttpOnly, SameSite=Strict session cookie and a CSRF token', async () => {
    const { response, setCookie, csrfToken } = await login();
    expect(response.status).toBe(200);
    expect(response.body.user).toEqual({ username: 'admin', role: 'admin' });
    expect(csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(setCookie).toMatch(/toile_session=[A-Za-z0-9_-]{40,}/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
  });

  it('gives a new session id at every login', async () => {
    const a = await login();
    const b = await login();
    expect(a.cookie).not.toBe(b.cookie);
  });

  it('refuses an unsafe request made with the cookie but without the CSRF token (403)', async () => {
    const { cookie, csrfToken } = await login();
    const without = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: 'x', author: { name: 'a' }, text: 'hi' }, { cookie });
    expect(without.status).toBe(403);
    expect(without.body.code).toBe('csrf');
    const wrong = await server.request('PATCH', '/api/walls/capcomnet', { title: 'x' }, { cookie, 'x-csrf-token': 'guess' });
    expect(wrong.status).toBe(403);
    const right = await server.request('PATCH', '/api/walls/capcomnet', { title: 'Cap’Com 2026' }, { cookie, 'x-csrf-token': csrfToken });
    expect(right.status).toBe(200);
    expect(right.body.title).toBe('Cap’Com 2026');
  });

  it('tells the console who is logged in, and nothing after logout', async () => {
    const { cookie, csrfToken } = await login();
    const me = await server.request('GET', '/api/auth/me', undefined, { cookie });
    expect(me.body).toEqual({ user: { username: 'admin', role: 'admin' }, csrfToken });
    const out = await server.request('POST', '/api/auth/logout', {}, { cookie, 'x-csrf-token': csrfToken });
    expect(out.status).toBe(200);
    expect((await server.request('GET', '/api/auth/me', undefined, { cookie })).status).toBe(401);
  });

  it('ends the sessions of a deleted user at once', async () => {
    const admin = await login();
    const headers = { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken };
    expect((await server.request('POST', '/api/users', { username: 'marie', password: 'moderation!', role: 'moderator' }, headers)).status).toBe(201);
    const marie = await login('marie', 'moderation!');
    expect((await server.request('GET', '/api/walls', undefined, { cookie: marie.cookie })).status).toBe(200);
    expect((await server.request('DELETE', '/api/users/marie', undefined, headers)).status).toBe(200);
    expect((await server.request('GET', '/api/walls', undefined, { cookie: marie.cookie })).status).toBe(401);
  });

  it('stores password hashes made with argon2id, never the password', async () => {
    const rows = server.app.toile.repos.db.prepare('SELECT password_hash FROM users').all() as { password_hash: string }[];
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
    expect(rows[0]!.password_hash).not.toContain(server.adminPassword);
  });
});

describe('roles and tokens', () => {
  it('lets an ingest token post messages but not moderate or administer', async () => {
    const admin = `Bearer ${await server.adminToken()}`;
    const created = await server.request('POST', '/api/tokens', { name: 'bridge', role: 'ingest' }, { authorization: admin });
    expect(created.status).toBe(201);
    const ingest = { authorization: `Bearer ${created.body.token}` };
    const posted = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: '1', author: { name: 'a' }, text: 'hi' }, ingest);
    expect(posted.status).toBe(201);
    expect((await server.request('POST', `/api/messages/${posted.body.id}/approve`, {}, ingest)).status).toBe(403);
    expect((await server.request('GET', '/api/walls/capcomnet/messages', undefined, ingest)).status).toBe(403);
    expect((await server.request('POST', '/api/walls', { slug: 'x', title: 'x' }, ingest)).status).toBe(403);
  });

  it('stores API tokens hashed', async () => {
    const token = await server.adminToken();
    const rows = server.app.toile.repos.db.prepare('SELECT token_hash FROM api_tokens').all() as { token_hash: string }[];
    expect(rows.map((r) => r.token_hash)).not.toContain(token);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers 401 without credentials on every moderator and admin route', async () => {
    for (const [method, path] of [
      ['GET', '/api/walls'],
      ['GET', '/api/walls/capcomnet/messages'],
      ['POST', '/api/messages/1/approve'],
      ['POST', '/api/walls'],
      ['PATCH', '/api/walls/capcomnet'],
      ['GET', '/api/users'],
      ['POST', '/api/tokens'],
      ['GET', '/api/audit'],
    ] as const) {
      const response = await server.request(method, path, method === 'GET' ? undefined : { title: 'x' });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });
});

describe('the moderator socket', () => {
  it('refuses an upgrade without a session or token, before the socket opens', async () => {
    await expect(openSocket(`${server.wsUrl}/ws/moderate/capcomnet`)).rejects.toThrow(/401/);
  });

  it('refuses a session cookie sent from a foreign origin', async () => {
    const { cookie } = await login();
    await expect(openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, { cookie, origin: 'https://evil.example' })).rejects.toThrow(/403/);
    const ok = await openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, { cookie, origin: server.url });
    expect((await ok.next()).type).toBe('snapshot');
    ok.close();
  });

  it('shows moderators the private sender details that the wall never gets', async () => {
    const token = await server.adminToken();
    const moderator = await openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, { authorization: `Bearer ${token}` });
    await moderator.next();
    server.app.toile.ingest({
      channel: 'sms',
      source: 'twilio',
      providerMessageId: 'SM123',
      author: { address: '+33612345678', addressKind: 'phone' },
      text: 'Allô la salle',
    });
    const frame = await moderator.next((f) => f.type === 'message');
    expect(frame.message.sender).toEqual({ kind: 'phone', address: '+33612345678' });
    expect(frame.message.author.name).not.toContain('345678');
    const approved = await server.request('POST', `/api/messages/${frame.message.id}/approve`, {}, { authorization: `Bearer ${token}` });
    expect(approved.status).toBe(200);
    const events = await server.request('GET', '/api/walls/capcomnet/events?since=0');
    expect(events.text).not.toContain('612345678');
    expect(events.body.events[0].message.author.name).toMatch(/78$/);
    moderator.close();
  });
});

describe('ending a session ends its sockets', () => {
  it('closes the moderator socket of a session that logs out, and of a user who is deleted', async () => {
    const admin = await login();
    const adminHeaders = { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken };
    await server.request('POST', '/api/users', { username: 'marie', password: 'moderation!', role: 'moderator' }, adminHeaders);
    const marie = await login('marie', 'moderation!');
    const marieSocket = await openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, { cookie: marie.cookie, origin: server.url });
    const adminSocket = await openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, { cookie: admin.cookie, origin: server.url });
    await marieSocket.next();
    await adminSocket.next();

    await server.request('DELETE', '/api/users/marie', undefined, adminHeaders);
    expect((await marieSocket.closed).code).toBe(4401);
    expect(adminSocket.socket.readyState).toBe(adminSocket.socket.OPEN);

    await server.request('POST', '/api/auth/logout', {}, adminHeaders);
    expect((await adminSocket.closed).code).toBe(4401);
  });
});
