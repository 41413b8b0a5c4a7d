import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildStatus, startFakeMastodon, type FakeMastodon, type Status } from '../helpers/fake-mastodon.js';
import { capturedLogger, startServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

/**
 * The Mastodon source through the real server: an organiser adds an instance to the #capcomnet wall, and
 * the statuses of its hashtag timeline wait in the moderation queue, as text, with their author, avatar,
 * images and content warning. The instance is the local double of `tests/helpers/fake-mastodon.ts`,
 * speaking the REST and streaming APIs as documented.
 */

const TIMING = { pollMs: 50, backoffMs: 50, maxBackoffMs: 400, timeoutMs: 2000, cursorFlushMs: 100 };
const TOKEN = 'mastodon-user-token-4hJ9vQ2pRs';
const timeline = JSON.parse(readFileSync(new URL('../fixtures/mastodon/tag-timeline.json', import.meta.url), 'utf8')) as Status[];
const hostile = JSON.parse(readFileSync(new URL('../fixtures/mastodon/hostile-statuses.json', import.meta.url), 'utf8')) as Status[];

interface QueueItem {
  id: number;
  channel: string;
  source: string;
  status: string;
  reasons: string[];
  author: { name: string; handle?: string; avatarUrl?: string };
  text: string;
  media: { kind: string; url: string; alt?: string }[];
  contentWarning?: string;
}

let server: TestServer;
let auth: Record<string, string>;
let log: ReturnType<typeof capturedLogger>;
const fakes: FakeMastodon[] = [];

async function fakeMastodon(options: Parameters<typeof startFakeMastodon>[0] = {}): Promise<FakeMastodon> {
  const fake = await startFakeMastodon({ domain: 'mastodon.social', ...options });
  fakes.push(fake);
  return fake;
}

async function start(dataDir?: string): Promise<void> {
  log = capturedLogger();
  server = await startServer({ sourceTiming: TIMING, logger: log.logger, ...(dataDir === undefined ? {} : { dataDir }) });
  auth = { authorization: `Bearer ${await server.adminToken()}` };
}

beforeEach(() => start());

afterEach(async () => {
  await server.close({ removeData: true });
  for (const fake of fakes) {
    for (const request of fake.requests) expect(request.url).not.toContain(TOKEN);
  }
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});


async function messages(status: 'pending' | 'hidden' = 'pending'): Promise<QueueItem[]> {
  const response = await server.request('GET', `/api/walls/capcomnet/messages?status=${status}&limit=500`, undefined, auth);
  return (response.body.items as QueueItem[]).filter((item) => item.source === 'mastodon');
}

async function queueOf(count: number, what: string): Promise<QueueItem[]> {
  return until(async () => {
    const items = await messages();
    return items.length >= count ? items : undefined;
  }, what);
}

async function addSource(instance: string, accessToken?: string) {
  const response = await server.request(
    'POST',
    '/api/walls/capcomnet/sources',
    { kind: 'mastodon', instance, hashtag: 'capcomnet', ...(accessToken === undefined ? {} : { accessToken }) },
    auth,
  );
  expect(response.status).toBe(201);
  return response.body as { id: number };
}

async function sources(): Promise<{ id: number; state: string; lastError: string | null; cursor: string | null; itemsIngested: number }[]> {
  return (await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth)).body.items;
}

const byText = (items: QueueItem[], start: string): QueueItem | undefined => items.find((item) => item.text.startsWith(start));

describe('a Mastodon source on a wall', () => {
  it('puts the statuses of the hashtag in the moderation queue with their text, author, avatar, images and warning', async () => {
    const fake = await fakeMastodon();
    fake.add(
      ...timeline,
      hostile[0]!,
      buildStatus({
        id: '113582960000000020',
        acct: 'lea@toot.example',
        username: 'lea',
        displayName: 'Léa',
        sensitive: true,
        content: '<p>Photo de la salle <a href="https://toot.example/tags/capcomnet" class="mention hashtag">#<span>capcomnet</span></a></p>',
        media: [{ type: 'image', url: 'https://toot.example/media/salle.jpg', description: 'La salle plénière, vue du fond' }],
      }),
    );
    await addSource(fake.url);
    const items = await queueOf(4, 'the four usable statuses');
    expect(items).toHaveLength(4);

    expect(byText(items, 'Georges Amar')).toMatchObject({
      channel: 'social',
      source: 'mastodon',
      status: 'pending',
      author: {
        name: 'Claire 🌐',
        handle: '@claire@piaille.fr',
        avatarUrl: 'https://piaille.fr/system/accounts/avatars/109/283/746/512/398/original/a1b2c3.png',
      },
      text: "Georges Amar à #capcomnet : « développer de nouveaux usages peut générer beaucoup plus de valeur » & c'est vrai.\nLe mur est plein !",
      media: [
        {
          kind: 'image',
          url: 'https://piaille.fr/system/media_attachments/files/113/582/946/990/011/111/original/wall.jpg',
          alt: 'Le mur contributif projeté dans la salle plénière',
        },
      ],
    });
    const local = byText(items, "J'ai fini")!;
    expect(local.author).toMatchObject({ handle: '@toile_fan@mastodon.social' });
    expect(local.author.avatarUrl).toBeUndefined();
    expect(local.contentWarning).toBe('spoiler: résultats du jeu SENA');
    expect(byText(items, 'Photo de la salle')).toMatchObject({
      author: { name: 'Léa', handle: '@lea@toot.example' },
      contentWarning: 'Sensitive content',
      media: [{ kind: 'image', url: 'https://toot.example/media/salle.jpg', alt: 'La salle plénière, vue du fond' }],
    });
    // The hostile status is text: its markup was never markup, its script and unsafe URLs are gone.
    const hostileItem = byText(items, 'Hello')!;
    expect(hostileItem.text).toBe('Hello click me bold <i>not markup</i>');
    expect(JSON.stringify(hostileItem)).not.toMatch(/javascript:|http:\/\/evil|onerror="|alert\(1\)/);
  });

  it('streams with a token: a status shows within a second, an edit reaches the queue, a deletion takes it away', async () => {
    const fake = await fakeMastodon({ accessToken: TOKEN });
    const created = await addSource(fake.url, TOKEN);
    await fake.waitForStreamClients(1);
    await until(async () => (await sources())[0]?.state === 'running', 'the source to be running');

    const published = Date.now();
    fake.publish(buildStatus({ id: '113600000000000001', content: '<p>En direct de la plénière</p>' }));
    const [item] = await queueOf(1, 'the streamed status');
    expect(Date.now() - published).toBeLessThan(1000);
    expect(item!.text).toBe('En direct de la plénière');

    fake.edit(buildStatus({ id: '113600000000000001', content: '<p>En direct de la salle plénière</p>' }));
    await until(async () => (await messages())[0]?.text === 'En direct de la salle plénière', 'the edit');

    fake.remove('113600000000000001');
    await until(async () => (await messages()).length === 0, 'the deleted status to leave the queue');
    const [hidden] = await messages('hidden');
    expect(hidden).toMatchObject({ id: item!.id, status: 'hidden', reasons: expect.arrayContaining(['deleted-by-author']) });

    const upgrade = fake.requests.find((request) => request.method === 'UPGRADE')!;
    expect(upgrade.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const listed = await server.request('GET', '/api/walls/capcomnet/sources', undefined, auth);
    expect(listed.body.items[0]).toMatchObject({ id: created.id, settings: { hasAccessToken: true }, cursor: '113600000000000001' });
    expect(listed.text).not.toContain(TOKEN);
    expect(log.lines.join('\n')).not.toContain(TOKEN);
  });

  it('across a restart mid-stream, loses nothing and stores nothing twice: the instance is asked from the stored min_id', async () => {
    const fake = await fakeMastodon({ accessToken: TOKEN });
    await addSource(fake.url, TOKEN);
    await fake.waitForStreamClients(1);
    await until(async () => (await sources())[0]?.state === 'running', 'the source to be running');
    fake.publish(buildStatus({ id: '113600000000000001', content: '<p>un</p>' }));
    fake.publish(buildStatus({ id: '113600000000000002', content: '<p>deux</p>' }));
    await queueOf(2, 'the two streamed statuses');
    await until(async () => (await sources())[0]?.cursor === '113600000000000002', 'the cursor stored');

    await server.close();
    // Posted while Toile was down: only the timeline can give them back.
    fake.add(buildStatus({ id: '113600000000000003', content: '<p>trois</p>' }), buildStatus({ id: '113600000000000004', content: '<p>quatre</p>' }));
    const requestsBefore = fake.requests.length;
    await start(server.dataDir);

    await queueOf(4, 'the statuses posted during the restart');
    const resumed = fake.requests.slice(requestsBefore).find((request) => request.path === '/api/v1/timelines/tag/capcomnet');
    expect(resumed!.query.min_id).toBe('113600000000000002');
    await fake.waitForStreamClients(1);
    fake.publish(buildStatus({ id: '113600000000000005', content: '<p>cinq</p>' }));
    const items = await queueOf(5, 'the status streamed after the restart');
    expect(items.map((item) => item.text).sort()).toEqual(['cinq', 'deux', 'quatre', 'trois', 'un']);
    await new Promise((resolve) => setTimeout(resolve, TIMING.pollMs * 4));
    expect(await messages()).toHaveLength(5);
    expect((await sources())[0]).toMatchObject({ itemsIngested: 5, cursor: '113600000000000005' });
  });

  it('stores a status once when two instances of the wall both carry it', async () => {
    const first = await fakeMastodon({ domain: 'mastodon.social' });
    const second = await fakeMastodon({ domain: 'piaille.fr' });
    // Each instance has its own local id for the same status; its URI is the same everywhere.
    const status = buildStatus({ id: '113600000000000001', acct: 'ada@toot.example', username: 'ada', content: '<p>Fédéré</p>' });
    first.add(status);
    second.add({ ...status, id: '113700000000000042' });
    await addSource(first.url);
    await addSource(second.url);
    await until(async () => (await sources()).every((source) => source.cursor !== null), 'both sources to read their timeline');
    const items = await messages();
    expect(items.map((item) => item.text)).toEqual(['Fédéré']);
  });

  it('shows an unreachable instance as failing, while another instance of the wall keeps ingesting', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const healthy = await fakeMastodon();

    const dead = await addSource(deadUrl, TOKEN);
    const alive = await addSource(healthy.url);
    const failing = await until(async () => (await sources()).find((source) => source.id === dead.id && source.state === 'failing'), 'the unreachable source to be failing');
    expect(failing.lastError).toMatch(/ECONNREFUSED/);
    expect(failing.lastError).not.toContain(TOKEN);

    healthy.add(buildStatus({ id: '113600000000000001', content: '<p>Toujours là</p>' }));
    await queueOf(1, 'the healthy instance to ingest');
    healthy.add(buildStatus({ id: '113600000000000002', content: '<p>Et encore</p>' }));
    const items = await queueOf(2, 'the healthy instance to keep ingesting');
    expect(items.map((item) => item.text).sort()).toEqual(['Et encore', 'Toujours là']);
    expect((await sources()).find((source) => source.id === alive.id)).toMatchObject({ state: 'running', lastError: null });
    expect(log.lines.join('\n')).not.toContain(TOKEN);
  });
});
