import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturedLogger, startServer, type TestServer } from '../helpers/server.js';
import { realFrames, startFakeAppView, startFakeJetstream, writtenFrames, type FakeAppView, type FakeJetstream } from '../helpers/fake-jetstream.js';
import { openSocket } from '../helpers/ws.js';
import { until } from '../helpers/wait.js';

/**
 * A Bluesky source through the real server: a local Jetstream replays the 152 real frames (and frames
 * written for these tests), a local AppView answers profile lookups, and what an organiser and a
 * moderator see comes from the API and the wall's socket.
 */

const TIMING = { pollMs: 50, backoffMs: 50, maxBackoffMs: 400, timeoutMs: 2000, cursorFlushMs: 100 };
const WRITTEN = writtenFrames();
const DELETE_OF_TALES = 1;
const HOSTILE = 2;
/** Where the two #tag posts come among the 20 frames Jetstream sends a subscriber of posts (5th and 18th). */
const TALES_POSITION = 18;

// The API answers whatever JSON the server sends.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Item = any;

let server: TestServer;
let jetstream: FakeJetstream | undefined;
let appView: FakeAppView;
let auth: Record<string, string>;
let log: ReturnType<typeof capturedLogger>;

async function start(dataDir?: string): Promise<TestServer> {
  log = capturedLogger();
  const started = await startServer({ sourceTiming: TIMING, logger: log.logger, ...(dataDir === undefined ? {} : { dataDir }) });
  auth = { authorization: `Bearer ${await started.adminToken()}` };
  return started;
}

beforeEach(async () => {
  server = await start();
  appView = await startFakeAppView();
});

afterEach(async () => {
  await server.close({ removeData: true });
  await jetstream?.close();
  await appView.close();
  jetstream = undefined;
});


async function addSource(hashtag: string): Promise<Item> {
  const created = await server.request('POST', '/api/walls/capcomnet/sources', { kind: 'bluesky', hashtag, jetstreamUrl: jetstream!.url, appviewUrl: appView.url }, auth);
  expect(created.status).toBe(201);
  return created.body;
}

async function blueskyMessages(status: string): Promise<Item[]> {
  const listed = await server.request('GET', `/api/walls/capcomnet/messages?status=${status}`, undefined, auth);
  expect(listed.status).toBe(200);
  return (listed.body.items as Item[]).filter((item) => item.source === 'bluesky');
}

function pendingWith(text: string): Promise<Item> {
  return until(async () => (await blueskyMessages('pending')).find((item) => typeof item.text === 'string' && item.text.includes(text)), `a pending post with "${text}"`);
}

describe('a Bluesky source', () => {
  it('puts each post carrying its hashtag in the moderation queue, with its author and images', async () => {
    jetstream = await startFakeJetstream({ history: [...realFrames(), ...WRITTEN.slice(HOSTILE)] });
    const source = await addSource('#IndieRebellion');
    expect(source).toMatchObject({ kind: 'bluesky', settings: { hashtag: 'indierebellion', jetstreamUrl: jetstream.url, appviewUrl: appView.url, cdnUrl: 'https://cdn.bsky.app' } });
    await addSource('TalesAtWonderworld');
    await addSource('capcomnet');

    const indie = await pendingWith('#IndieRebellion');
    expect(indie).toMatchObject({
      channel: 'social',
      source: 'bluesky',
      author: {
        name: 'Radio Listener',
        handle: '@radio-listener.example',
        avatarUrl: 'https://cdn.bsky.app/img/avatar/plain/did:plc:tn3hni2jpphsgl6amfbb7ja6/bafkreihandwrittenavataraaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@jpeg',
      },
      media: [],
      status: 'pending',
    });
    expect(indie.text).toMatch(/^#HowToTellAiToShutUp!/);

    const tales = await pendingWith('#talesatwonderworld');
    expect(tales.author).toMatchObject({ name: 'Tempo Tales', handle: '@tempo-tales.example' });
    expect(tales.media).toEqual([
      { kind: 'image', url: 'https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:ynfp6wddjqpl44gordpsqkuw/bafkreidrnwt23f7wy7fyfex5acdkxh62wsgpg245ame4c4rogfwb3upyaa@jpeg' },
    ]);

    // Markup in a post, a name or an alt text is text; a javascript: avatar is no avatar.
    const hostile = await pendingWith('<script>');
    expect(hostile.text).toBe('<script>alert(1)</script><img src=x onerror=alert(2)> javascript:alert(3) #capcomnet');
    expect(hostile.author.name).toBe('<b onmouseover=alert(5)>Mallory</b>');
    expect(hostile.author.avatarUrl).toBeUndefined();
    expect(hostile.media).toEqual([expect.objectContaining({ url: expect.stringMatching(/^https:\/\/cdn\.bsky\.app\/img\/feed_fullsize\/plain\//), alt: '<img src=x onerror=alert(4)>' })]);

    // The capture holds nothing else with these tags; the written frames hold three more #capcomnet posts.
    await until(async () => ((await blueskyMessages('pending')).length === 6 ? true : undefined), 'every post with the three hashtags');
    const listed = await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth);
    const indieSource = (listed.body.items as Item[]).find((item) => item.settings.hashtag === 'indierebellion');
    expect(indieSource).toMatchObject({ state: 'running', lastError: null, itemsIngested: 1 });
    expect(indieSource.cursor).toMatch(/^\d{16}$/);
    expect(jetstream.connections.map((connection) => connection.query.getAll('wantedCollections'))).toEqual([['app.bsky.feed.post'], ['app.bsky.feed.post'], ['app.bsky.feed.post']]);
    expect(log.lines.join('\n')).not.toMatch(/onerror|<script>/);
  });

  it('loses and duplicates nothing across a server restart in the middle of a replay', async () => {
    jetstream = await startFakeJetstream({ frameDelayMs: 50 });
    await addSource('IndieRebellion');
    await addSource('talesatwonderworld');
    await pendingWith('#IndieRebellion');
    // Both sources have stored a cursor: the second one with no post of its own yet.
    await until(async () => {
      const { body } = await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth);
      return (body.items as Item[]).every((item) => item.cursor !== null) ? true : undefined;
    }, 'both cursors to be stored');
    const dataDir = server.dataDir;
    await server.close();
    // The first server never received the #talesatwonderworld post.
    expect(jetstream.connections.map((connection) => connection.sent < TALES_POSITION)).toEqual([true, true]);

    server = await start(dataDir);
    await pendingWith('#talesatwonderworld');
    const afterRestart = jetstream.connections.slice(2);
    expect(afterRestart).toHaveLength(2);
    for (const connection of afterRestart) expect(connection.query.get('cursor')).toMatch(/^\d{16}$/);
    // The resumed replay starts a few seconds early, so it brings the #IndieRebellion post again: stored once.
    await until(() => (afterRestart.every((connection) => connection.sent === 20) ? true : undefined), 'the replays to end');
    const pending = await blueskyMessages('pending');
    expect(pending.map((item) => item.text.split(/\s/)[0]).sort()).toEqual(['"Behind', '#HowToTellAiToShutUp!']);
    const { body } = await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth);
    expect((body.items as Item[]).map((item) => item.itemsIngested)).toEqual([1, 1]);
  });

  it('takes an approved post off the wall when its author deletes it on Bluesky', async () => {
    jetstream = await startFakeJetstream();
    await addSource('talesatwonderworld');
    const tales = await pendingWith('#talesatwonderworld');
    expect((await server.request('POST', `/api/messages/${tales.id}/approve`, {}, auth)).status).toBe(200);
    const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    const snapshot = await wall.next((frame) => frame.type === 'snapshot');
    expect(snapshot.items.map((item: Item) => item.id)).toContain(tales.id);

    jetstream.publish(WRITTEN[DELETE_OF_TALES]!);
    const removed = await wall.next((frame) => frame.type === 'removed');
    expect(removed.id).toBe(tales.id);
    wall.close();
    const hidden = (await blueskyMessages('hidden')).find((item) => item.id === tales.id);
    expect(hidden).toMatchObject({ status: 'hidden', text: '', media: [] });
    expect(hidden.reasons).toContain('deleted-by-author');
  });

  it('keeps running through frames that are not Jetstream events', async () => {
    const real = realFrames();
    const t = 1783175900000000;
    jetstream = await startFakeJetstream({
      history: [
        { timeUs: t, data: 'not json' },
        { timeUs: t + 1, data: real[45]!.slice(0, 200) },
        { timeUs: t + 2, data: '{"time_us":"soon"}' },
        { timeUs: t + 3, data: WRITTEN[HOSTILE]! },
      ],
    });
    await addSource('capcomnet');
    await pendingWith('<script>');
    const { body } = await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth);
    expect(body.items[0]).toMatchObject({ state: 'running', lastError: null, itemsIngested: 1 });
  });
});
