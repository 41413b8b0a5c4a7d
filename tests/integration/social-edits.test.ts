import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildStatus, startFakeMastodon, type FakeMastodon } from '../helpers/fake-mastodon.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';
import { openSocket, type TestSocket } from '../helpers/ws.js';

/**
 * What an author's edit does to a post a moderator already approved. A moderator approved those words,
 * not the new ones: on a pre-moderated wall the post leaves the wall and waits again; on a post-moderated
 * wall it is corrected in place unless a rule now holds it. The edits arrive the way Mastodon sends them,
 * as `status.update` frames on the streaming API of the local double.
 */

const TIMING = { pollMs: 50, backoffMs: 50, maxBackoffMs: 400, timeoutMs: 2000, cursorFlushMs: 100 };
const TOKEN = 'mastodon-user-token-edits';
const ID = '113600000000000042';

let server: TestServer;
let fake: FakeMastodon;
let auth: Record<string, string>;
const sockets: TestSocket[] = [];

beforeEach(async () => {
  server = await startServer({ sourceTiming: TIMING });
  auth = { authorization: `Bearer ${await server.adminToken()}` };
  fake = await startFakeMastodon({ domain: 'mastodon.social', accessToken: TOKEN });
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server.close({ removeData: true });
  await fake.close();
});

/** Follows the fake instance, publishes one status and approves it; returns its message and a wall socket. */
async function approvedPost(): Promise<{ id: number; wall: TestSocket }> {
  const created = await server.request('POST', '/api/walls/capcomnet/sources', { kind: 'mastodon', instance: fake.url, hashtag: 'capcomnet', accessToken: TOKEN }, auth);
  expect(created.status).toBe(201);
  await fake.waitForStreamClients(1);
  fake.publish(buildStatus({ id: ID, content: '<p>Bravo pour la plénière #capcomnet</p>' }));
  const message = await until(async () => (await server.request('GET', '/api/walls/capcomnet/messages', undefined, auth)).body.items[0], 'the post');
  // A post-moderated wall approved it already; a pre-moderated one waits for the moderator.
  if (message.status === 'pending') expect((await server.request('POST', `/api/messages/${message.id}/approve`, {}, auth)).status).toBe(200);
  const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
  sockets.push(wall);
  const snapshot = await wall.next((f) => f.type === 'snapshot');
  expect(snapshot.items.map((m: { text: string }) => m.text)).toEqual(['Bravo pour la plénière #capcomnet']);
  return { id: message.id, wall };
}

async function message(id: number, status: string) {
  const { body } = await server.request('GET', `/api/walls/capcomnet/messages?status=${status}`, undefined, auth);
  return body.items.find((m: { id: number }) => m.id === id);
}

describe('an author editing an approved post', () => {
  it('takes it off a pre-moderated wall and puts it back in the queue with the new words', async () => {
    const { id, wall } = await approvedPost();
    fake.edit(buildStatus({ id: ID, content: '<p>Achetez mes cryptos #capcomnet</p>' }));

    expect(await wall.next((f) => f.type === 'removed')).toMatchObject({ id });
    const pending = await until(() => message(id, 'pending'), 'the edited post back in the queue');
    expect(pending).toMatchObject({ text: 'Achetez mes cryptos #capcomnet', reasons: ['edited'], decidedBy: null });
    expect(wall.frames.some((f) => f.type === 'approved')).toBe(false);
  });

  it('corrects it in place on a post-moderated wall, keeping its place', async () => {
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, auth);
    const { id, wall } = await approvedPost();
    fake.edit(buildStatus({ id: ID, content: '<p>Bravo pour la plénière de ce matin #capcomnet</p>' }));

    const corrected = await wall.next((f) => f.type === 'approved');
    expect(corrected.message).toMatchObject({ id, text: 'Bravo pour la plénière de ce matin #capcomnet' });
    expect(wall.frames.some((f) => f.type === 'removed')).toBe(false);
    expect(await message(id, 'approved')).toMatchObject({ text: 'Bravo pour la plénière de ce matin #capcomnet' });
  });

  it('holds it when the edit trips a rule, even on a post-moderated wall', async () => {
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post', blockedTerms: ['crypto'] }, auth);
    const { id, wall } = await approvedPost();
    fake.edit(buildStatus({ id: ID, content: '<p>Achetez mes CRYPTO #capcomnet</p>' }));

    expect(await wall.next((f) => f.type === 'removed')).toMatchObject({ id });
    const held = await until(() => message(id, 'pending'), 'the held post');
    expect(held.reasons).toEqual(['blocked-term:crypto', 'edited']);
  });

  it('refuses a decision taken on the words before the edit', async () => {
    const created = await server.request('POST', '/api/walls/capcomnet/sources', { kind: 'mastodon', instance: fake.url, hashtag: 'capcomnet', accessToken: TOKEN }, auth);
    expect(created.status).toBe(201);
    await fake.waitForStreamClients(1);
    fake.publish(buildStatus({ id: ID, content: '<p>Premier jet</p>' }));
    const seen = await until(async () => (await server.request('GET', '/api/walls/capcomnet/messages?status=pending', undefined, auth)).body.items[0], 'the post');
    fake.edit(buildStatus({ id: ID, content: '<p>Tout autre chose</p>' }));
    await until(async () => (await message(seen.id, 'pending'))?.text === 'Tout autre chose', 'the edit');

    const stale = await server.request('POST', `/api/messages/${seen.id}/approve`, { expectedVersion: seen.version }, auth);
    expect(stale.status).toBe(409);
  });
});
