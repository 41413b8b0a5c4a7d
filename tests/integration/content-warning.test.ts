import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildStatus, startFakeMastodon } from '../helpers/fake-mastodon.js';
import { startServer, type Session, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';
import { openSocket, type TestSocket } from '../helpers/ws.js';

/**
 * A post behind its author's content warning stays hidden behind it until a moderator chooses otherwise:
 * `POST /api/messages/:id/reveal` shows it on the wall (the warning becomes a label above it), or hides it
 * again. The wall and the moderators' queues hear of it at once; the choice is audited; an author's edit
 * puts the post back behind its warning, and a post its author deleted is never shown.
 */

let server: TestServer;
let ingest: Record<string, string>;
let admin: Record<string, string>;
const sockets: TestSocket[] = [];

beforeEach(async () => {
  server = await startServer({ sourceTiming: { pollMs: 50, backoffMs: 50, maxBackoffMs: 400, timeoutMs: 2000, cursorFlushMs: 100 } });
  ingest = { authorization: `Bearer ${server.app.toile.auth.createToken('bridge', 'ingest', 'tests').token}` };
  admin = { authorization: `Bearer ${await server.adminToken()}` };
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server.close({ removeData: true });
});

async function post(externalId: string, extra: Record<string, unknown> = {}): Promise<number> {
  const created = await server.request(
    'POST',
    '/api/walls/capcomnet/messages',
    { externalId, author: { name: 'Claire' }, text: 'Le gagnant est Bob', contentWarning: 'résultats du jeu', ...extra },
    ingest,
  );
  expect(created.status).toBe(201);
  return created.body.id as number;
}

async function approvedPost(externalId = 'cw:1', extra: Record<string, unknown> = {}): Promise<number> {
  const id = await post(externalId, extra);
  expect((await server.request('POST', `/api/messages/${id}/approve`, {}, admin)).status).toBe(200);
  return id;
}

async function wallSocket(): Promise<TestSocket> {
  const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
  sockets.push(wall);
  await wall.next((f) => f.type === 'snapshot');
  return wall;
}

async function moderator(): Promise<Session> {
  await server.request('POST', '/api/users', { username: 'marie', password: 'moderation!', role: 'moderator' }, admin);
  return server.logIn('marie', 'moderation!');
}

describe('showing a post behind its content warning', () => {
  it('keeps it behind the warning until a moderator shows it, then announces it again with the same id', async () => {
    const id = await approvedPost();
    const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    sockets.push(wall);
    const snapshot = await wall.next((f) => f.type === 'snapshot');
    expect(snapshot.items).toHaveLength(1);
    expect(snapshot.items[0]).toMatchObject({ id, contentWarning: 'résultats du jeu' });
    expect(snapshot.items[0].contentRevealed).toBeUndefined();

    const revealed = await server.request('POST', `/api/messages/${id}/reveal`, { revealed: true }, admin);
    expect(revealed.status).toBe(200);
    expect(revealed.body).toMatchObject({ id, status: 'approved', contentWarning: 'résultats du jeu', contentRevealed: true });
    const event = await wall.next((f) => f.type === 'approved');
    expect(event.message).toMatchObject({ id, text: 'Le gagnant est Bob', contentWarning: 'résultats du jeu', contentRevealed: true });

    // A wall opened now gets it shown, from its snapshot.
    const later = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    sockets.push(later);
    expect((await later.next((f) => f.type === 'snapshot')).items[0]).toMatchObject({ id, contentRevealed: true });
  });

  it('hides it behind the warning again', async () => {
    const id = await approvedPost();
    await server.request('POST', `/api/messages/${id}/reveal`, { revealed: true }, admin);
    const wall = await wallSocket();

    const hidden = await server.request('POST', `/api/messages/${id}/reveal`, { revealed: false }, admin);
    expect(hidden.status).toBe(200);
    expect(hidden.body.contentRevealed).toBeUndefined();
    const event = await wall.next((f) => f.type === 'approved');
    expect(event.message).toMatchObject({ id, contentWarning: 'résultats du jeu' });
    expect(event.message.contentRevealed).toBeUndefined();
  });

  it('refuses a post without a warning (409), an unknown id (404), a stale version (409) and a missing choice (400)', async () => {
    const plain = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: 'plain', author: { name: 'A' }, text: 'Bonjour' }, ingest);
    const refused = await server.request('POST', `/api/messages/${plain.body.id}/reveal`, { revealed: true }, admin);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('no_content_warning');

    expect((await server.request('POST', '/api/messages/9999/reveal', { revealed: true }, admin)).status).toBe(404);

    const id = await post('cw:2');
    const stale = await server.request('POST', `/api/messages/${id}/reveal`, { revealed: true, expectedVersion: 7 }, admin);
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('version_conflict');

    expect((await server.request('POST', `/api/messages/${id}/reveal`, {}, admin)).status).toBe(400);
  });

  it('never shows a post its author deleted', async () => {
    const id = await approvedPost();
    await server.request('POST', `/api/messages/${id}/reveal`, { revealed: true }, admin);
    expect((await server.request('DELETE', '/api/walls/capcomnet/messages/cw:1', undefined, ingest)).status).toBe(200);
    const refused = await server.request('POST', `/api/messages/${id}/reveal`, { revealed: true }, admin);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('deleted_by_author');
    const { body } = await server.request('GET', '/api/walls/capcomnet/messages?status=hidden', undefined, admin);
    expect(body.items[0]).toMatchObject({ id, text: '', media: [] });
    expect(body.items[0].contentRevealed).toBeUndefined();
  });

  it('takes the role moderator and, with a session cookie, its CSRF token; and is audited', async () => {
    const id = await approvedPost();
    const session = await moderator();
    const withoutCsrf = await server.request('POST', `/api/messages/${id}/reveal`, { revealed: true }, { cookie: session.cookie });
    expect(withoutCsrf.status).toBe(403);
    expect(withoutCsrf.body.code).toBe('csrf');
    expect((await server.request('POST', `/api/messages/${id}/reveal`, { revealed: true }, ingest)).status).toBe(403);

    expect((await server.request('POST', `/api/messages/${id}/reveal`, { revealed: true }, session.headers)).status).toBe(200);
    // Asking for what already is changes nothing and is not audited again.
    expect((await server.request('POST', `/api/messages/${id}/reveal`, { revealed: true }, session.headers)).status).toBe(200);
    const audit = await server.request('GET', '/api/audit?wall=capcomnet', undefined, admin);
    const reveals = audit.body.items.filter((row: { action: string }) => row.action === 'message.reveal');
    expect(reveals).toEqual([
      expect.objectContaining({ actor: 'marie', targetType: 'message', targetId: String(id), detail: expect.objectContaining({ revealed: true }) }),
    ]);
  });

  it('shows the change to every moderator of the wall, even on a post still waiting', async () => {
    const id = await post('cw:3');
    const session = await moderator();
    const queue = await openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, { cookie: session.cookie, origin: server.url });
    sockets.push(queue);
    await queue.next((f) => f.type === 'snapshot');
    const wall = await wallSocket();

    expect((await server.request('POST', `/api/messages/${id}/reveal`, { revealed: true }, session.headers)).status).toBe(200);
    const frame = await queue.next((f) => f.type === 'message' && f.message.id === id);
    expect(frame.message).toMatchObject({ id, status: 'pending', contentRevealed: true, version: 2 });
    // A waiting post is not on the wall: the wall hears nothing until it is approved, and then it is shown.
    await server.request('POST', `/api/messages/${id}/approve`, {}, admin);
    const approved = await wall.next((f) => f.type === 'approved');
    expect(approved.message).toMatchObject({ id, contentRevealed: true });
    expect(wall.frames.filter((f) => f.type === 'approved')).toHaveLength(1);
  });

  it('puts a post back behind its warning when its author edits it', async () => {
    const TOKEN = 'mastodon-user-token-cw';
    const fake = await startFakeMastodon({ domain: 'mastodon.social', accessToken: TOKEN });
    try {
      await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, admin);
      await server.request('POST', '/api/walls/capcomnet/sources', { kind: 'mastodon', instance: fake.url, hashtag: 'capcomnet', accessToken: TOKEN }, admin);
      await fake.waitForStreamClients(1);
      const status = { id: '113600000000000077', spoilerText: 'résultats du jeu' };
      fake.publish(buildStatus({ ...status, content: '<p>Le gagnant est Bob #capcomnet</p>' }));
      const message = await until(async () => (await server.request('GET', '/api/walls/capcomnet/messages', undefined, admin)).body.items[0], 'the post');
      expect(message).toMatchObject({ status: 'approved', contentWarning: 'résultats du jeu' });
      expect((await server.request('POST', `/api/messages/${message.id}/reveal`, { revealed: true }, admin)).body.contentRevealed).toBe(true);
      const wall = await wallSocket();

      fake.edit(buildStatus({ ...status, content: '<p>Le gagnant est Alice #capcomnet</p>' }));
      const corrected = await wall.next((f) => f.type === 'approved');
      expect(corrected.message).toMatchObject({ id: message.id, text: 'Le gagnant est Alice #capcomnet', contentWarning: 'résultats du jeu' });
      expect(corrected.message.contentRevealed).toBeUndefined();
    } finally {
      await fake.close();
    }
  });
});
