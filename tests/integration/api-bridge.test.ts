import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSocket, type TestSocket } from '../helpers/ws.js';

/**
 * The ingest API as the bridge for any other network: a bridge posts what its network's authors write,
 * pictures and content warnings included, and retracts what they delete.
 */

let server: TestServer;
let auth: Record<string, string>;
const sockets: TestSocket[] = [];

beforeEach(async () => {
  server = await startServer();
  const { token } = server.app.toile.auth.createToken('bridge', 'ingest', 'tests');
  auth = { authorization: `Bearer ${token}` };
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server.close({ removeData: true });
});

async function admin(): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await server.adminToken()}` };
}

const post = {
  externalId: 'threads:3141',
  author: { name: 'Claire', handle: '@claire@threads.example', avatarUrl: 'https://cdn.threads.example/claire.jpg' },
  text: 'Le mur est plein ! #capcomnet',
  media: [{ url: 'https://cdn.threads.example/wall.jpg', alt: 'Le mur\u200B projeté\u0000 en plénière' }],
  contentWarning: 'résultats du jeu',
};

describe('a bridge posting through the ingest API', () => {
  it('brings pictures with their alt text and a content warning to moderators and to the wall', async () => {
    const created = await server.request('POST', '/api/walls/capcomnet/messages', post, auth);
    expect(created.status).toBe(201);
    const { body } = await server.request('GET', '/api/walls/capcomnet/messages?status=pending', undefined, await admin());
    expect(body.items[0]).toMatchObject({
      author: { name: 'Claire', handle: '@claire@threads.example', avatarUrl: 'https://cdn.threads.example/claire.jpg' },
      media: [{ kind: 'image', url: 'https://cdn.threads.example/wall.jpg', alt: 'Le mur projeté en plénière' }],
      contentWarning: 'résultats du jeu',
    });

    const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    sockets.push(wall);
    await wall.next((f) => f.type === 'snapshot');
    await server.request('POST', `/api/messages/${created.body.id}/approve`, {}, await admin());
    const approved = await wall.next((f) => f.type === 'approved');
    expect(approved.message.contentWarning).toBe('résultats du jeu');
  });

  it('refuses a picture that is not https, naming the field', async () => {
    const response = await server.request('POST', '/api/walls/capcomnet/messages', { ...post, media: [{ url: 'javascript:alert(1)' }] }, auth);
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/media/);
  });

  it('retracts a deleted post: it leaves the wall, its text is erased, and it cannot come back', async () => {
    const { body: created } = await server.request('POST', '/api/walls/capcomnet/messages', post, auth);
    await server.request('POST', `/api/messages/${created.id}/approve`, {}, await admin());
    const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    sockets.push(wall);
    const snapshot = await wall.next((f) => f.type === 'snapshot');
    expect(snapshot.items.map((m: { id: number }) => m.id)).toEqual([created.id]);

    const deleted = await server.request('DELETE', '/api/walls/capcomnet/messages/threads:3141', undefined, auth);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: created.id, status: 'hidden' });
    expect(await wall.next((f) => f.type === 'removed')).toMatchObject({ id: created.id });

    const { body } = await server.request('GET', '/api/walls/capcomnet/messages?status=hidden', undefined, await admin());
    expect(body.items[0]).toMatchObject({ id: created.id, text: '', media: [], reasons: ['deleted-by-author'] });
    expect(body.items[0].contentWarning).toBeUndefined();

    const again = await server.request('POST', `/api/messages/${created.id}/approve`, {}, await admin());
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('deleted_by_author');
    // The bridge replaying the post (a retry, a restart) does not resurrect it.
    const replay = await server.request('POST', '/api/walls/capcomnet/messages', post, auth);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ id: created.id, status: 'hidden' });
  });

  it('forgets a retracted post’s words, so that the same words from someone else are no duplicate', async () => {
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, await admin());
    const first = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: 'a', author: { name: 'A' }, text: 'Bravo la plénière' }, auth);
    expect(first.body.status).toBe('approved');
    await server.request('DELETE', '/api/walls/capcomnet/messages/a', undefined, auth);
    const second = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: 'b', author: { name: 'B' }, text: 'Bravo la plénière' }, auth);
    expect(second.body.status).toBe('approved');
  });

  it('answers 404 for a post it never received, and the retraction is audited', async () => {
    expect((await server.request('DELETE', '/api/walls/capcomnet/messages/nope', undefined, auth)).status).toBe(404);
    const { body: created } = await server.request('POST', '/api/walls/capcomnet/messages', post, auth);
    await server.request('DELETE', '/api/walls/capcomnet/messages/threads:3141', undefined, auth);
    const audit = await server.request('GET', '/api/audit?wall=capcomnet', undefined, await admin());
    expect(audit.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'retract', actor: 'author', targetId: String(created.id) })]));
  });
});
