import { readFileSync } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compareStatusIds,
  createMastodonRunner,
  mapStatus,
  parseStreamFrame,
  SENSITIVE_WARNING,
} from '../../server/sources/mastodon.js';
import { MAX_STATUS_HTML_CHARS } from '../../server/sources/status-html.js';
import type { MastodonSettings, SocialPost, SourceContext, SourceTiming } from '../../server/sources/types.js';
import { buildStatus, startFakeMastodon, type FakeMastodon, type FakeMastodonOptions, type Status } from '../helpers/fake-mastodon.js';
import { until } from '../helpers/wait.js';

const fixture = (name: string): unknown[] => JSON.parse(readFileSync(new URL(`../fixtures/mastodon/${name}`, import.meta.url), 'utf8'));
const timeline = fixture('tag-timeline.json') as Status[];
const hostile = fixture('hostile-statuses.json');

const TOKEN = 'mastodon-user-token-Zx81qT0kLw';
const FAST: SourceTiming = { pollMs: 20, backoffMs: 20, maxBackoffMs: 200, timeoutMs: 300, cursorFlushMs: 50 };
const NOW = new Date('2026-11-28T15:00:00.000Z');
const BASE = 113600000000000000n;

/** The id of the n-th test status: real Mastodon ids are this long, beyond what a JS number holds exactly. */
const id = (n: number): string => String(BASE + BigInt(n));


/** A SourceContext that records what the runner does and stores like the real one: each post once. */
interface Recorder {
  ctx: SourceContext;
  stored: SocialPost[];
  ingests: { ids: string[]; cursor: string | null; at: number }[];
  updates: SocialPost[];
  retractions: string[];
  errors: string[];
  polls: number;
  cursor: string | null;
  stop(): Promise<number>;
}

const running: Recorder[] = [];
const servers: FakeMastodon[] = [];

function run(settings: MastodonSettings, options: { cursor?: string | null; timing?: Partial<SourceTiming> } = {}): Recorder {
  const controller = new AbortController();
  const signal = controller.signal;
  const storedIds = new Set<string>();
  const recorder: Recorder = {
    stored: [],
    ingests: [],
    updates: [],
    retractions: [],
    errors: [],
    polls: 0,
    cursor: options.cursor ?? null,
    ctx: {
      signal,
      timing: { ...FAST, ...options.timing },
      log: pino({ level: 'silent' }) as unknown as FastifyBaseLogger,
      now: () => NOW,
      cursor: () => recorder.cursor,
      ingest(posts, cursor) {
        recorder.ingests.push({ ids: posts.map((post) => post.remoteId), cursor, at: Date.now() });
        for (const post of posts) {
          if (storedIds.has(post.id)) continue;
          storedIds.add(post.id);
          recorder.stored.push(post);
        }
        recorder.cursor = cursor;
      },
      update: (post) => void recorder.updates.push(post),
      retract: (remoteId) => void recorder.retractions.push(remoteId),
      polled: () => void (recorder.polls += 1),
      error: (error) => void recorder.errors.push(error instanceof Error ? error.message : String(error)),
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          if (signal.aborted) return resolve();
          const done = (): void => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, ms);
          signal.addEventListener('abort', done, { once: true });
        }),
    },
    async stop() {
      const started = Date.now();
      controller.abort();
      await finished;
      return Date.now() - started;
    },
  };
  const finished = createMastodonRunner(settings)(recorder.ctx);
  running.push(recorder);
  return recorder;
}

async function fakeMastodon(options: FakeMastodonOptions = {}): Promise<FakeMastodon> {
  const server = await startFakeMastodon({ domain: 'mastodon.social', ...options });
  servers.push(server);
  return server;
}

const storedIds = (recorder: Recorder): string[] => recorder.stored.map((post) => post.remoteId);

afterEach(async () => {
  await Promise.all(running.splice(0).map((recorder) => recorder.stop()));
  for (const server of servers) {
    // The token goes in headers only: never in a URL the instance (or its logs) sees.
    for (const request of server.requests) expect(request.url).not.toContain(TOKEN);
  }
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('mapStatus', () => {
  const context = { localDomain: 'mastodon.social', now: NOW };

  it('maps a remote status with its text, author, avatar and image with its description', () => {
    const post = mapStatus(timeline[0], context)!;
    expect(post).toEqual({
      id: 'https://piaille.fr/users/claire/statuses/113582947126531201',
      remoteId: '113582947126531201',
      author: {
        name: 'Claire 🌐',
        handle: '@claire@piaille.fr',
        avatarUrl: 'https://piaille.fr/system/accounts/avatars/109/283/746/512/398/original/a1b2c3.png',
        account: 'https://piaille.fr/@claire',
      },
      text: "Georges Amar à #capcomnet : « développer de nouveaux usages peut générer beaucoup plus de valeur » & c'est vrai.\nLe mur est plein !",
      media: [
        {
          kind: 'image',
          url: 'https://piaille.fr/system/media_attachments/files/113/582/946/990/011/111/original/wall.jpg',
          alt: 'Le mur contributif projeté dans la salle plénière',
        },
      ],
      createdAt: new Date('2026-11-28T14:05:12.000Z'),
      raw: timeline[0],
    });
  });

  it("qualifies a local account's handle with the instance's domain, keeps its content warning and leaves out the default avatar", () => {
    const post = mapStatus(timeline[1], context)!;
    expect(post.author).toEqual({ name: '', handle: '@toile_fan@mastodon.social', account: 'https://mastodon.social/@toile_fan' });
    expect(post.contentWarning).toBe('spoiler: résultats du jeu SENA');
    expect(post.text).toBe("J'ai fini le serious game en 3 minutes #CapComNet");
  });

  it('hides a sensitive status without a warning of its own behind a generic one', () => {
    const post = mapStatus(buildStatus({ id: id(1), sensitive: true }), context)!;
    expect(post.contentWarning).toBe(SENSITIVE_WARNING);
    expect(mapStatus(buildStatus({ id: id(2) }), context)!.contentWarning).toBeUndefined();
  });

  it('shows a GIF as its still preview and leaves videos and audio out', () => {
    const status = buildStatus({
      id: id(1),
      media: [
        { type: 'gifv', url: 'https://files.example/clap.mp4', previewUrl: 'https://files.example/clap.png', description: 'applause' },
        { type: 'video', url: 'https://files.example/talk.mp4', previewUrl: 'https://files.example/talk.png' },
        { type: 'audio', url: 'https://files.example/talk.mp3' },
      ],
    });
    expect(mapStatus(status, context)!.media).toEqual([{ kind: 'image', url: 'https://files.example/clap.png', alt: 'applause' }]);
  });

  it('skips boosts, and statuses that are neither public nor unlisted', () => {
    const original = buildStatus({ id: id(1) });
    expect(mapStatus(buildStatus({ id: id(2), reblog: original }), context)).toBeNull();
    expect(mapStatus(buildStatus({ id: id(3), visibility: 'private' }), context)).toBeNull();
    expect(mapStatus(buildStatus({ id: id(4), visibility: 'direct' }), context)).toBeNull();
    expect(mapStatus(buildStatus({ id: id(5), visibility: 'unlisted' }), context)).not.toBeNull();
  });

  it('never throws on hostile statuses, and keeps none of their markup, scripts or unsafe URLs', () => {
    const posts = hostile.map((status) => mapStatus(status, context));
    const [mallory, ...others] = posts;
    expect(mallory!.text).toBe('Hello click me bold <i>not markup</i>');
    // A display name is plain text in Mastodon: it is kept as written and shown as text.
    expect(mallory!.author.name).toBe('<img src=x onerror=alert(4)>Mallory');
    expect(mallory!.author.avatarUrl).toBeUndefined();
    expect(mallory!.media).toEqual([{ kind: 'image', url: 'https://evil.example/fine.png', alt: '<b>alt</b> stays text' }]);
    // A boost, a private and a direct status, no account, an account that is a string, a numeric id, no URI.
    expect(others.slice(0, 7)).toEqual([null, null, null, null, null, null, null]);
    const wrongTypes = others[7]!;
    expect(wrongTypes).toMatchObject({ text: '', media: [], createdAt: NOW, author: { name: '', handle: '@dave@mastodon.social' } });
    expect(wrongTypes.contentWarning).toBeUndefined();
    expect(wrongTypes.author.avatarUrl).toBeUndefined();
    expect(others.slice(8)).toEqual([null, null, null]);
  });

  it('bounds a status with 1 MiB of content, in its text and in what is kept of it', () => {
    const status = buildStatus({ id: id(1), content: `<p>${'x'.repeat(1024 * 1024)}</p>` });
    const post = mapStatus(status, context)!;
    expect(post.text.length).toBeLessThanOrEqual(MAX_STATUS_HTML_CHARS);
    expect(JSON.stringify(post.raw).length).toBeLessThan(MAX_STATUS_HTML_CHARS + 4096);
    expect(post.raw).toMatchObject({ truncated: true, id: id(1), uri: status.uri });
  });
});

describe('compareStatusIds', () => {
  it('orders ids as numbers without turning them into numbers', () => {
    expect(compareStatusIds('99', '100')).toBeLessThan(0);
    expect(compareStatusIds('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(compareStatusIds('113582947126531201', '113582947126531201')).toBe(0);
  });
});

describe('parseStreamFrame', () => {
  it('reads the status inside the double-encoded payload of an update', () => {
    const status = buildStatus({ id: id(1) });
    const frame = JSON.stringify({ stream: ['hashtag', 'capcomnet'], event: 'update', payload: JSON.stringify(status) });
    expect(parseStreamFrame(frame)).toEqual({ event: 'update', status });
  });

  it('reads a delete as the bare status id, and an error the server reports', () => {
    expect(parseStreamFrame(JSON.stringify({ stream: ['hashtag', 'capcomnet'], event: 'delete', payload: id(7) }))).toEqual({ event: 'delete', id: id(7) });
    expect(parseStreamFrame('{"error":"Missing access token","status":401}')).toEqual({ event: 'error', message: 'Missing access token (401)' });
  });

  it('returns null for frames that are not JSON, truncated, or carry no status', () => {
    expect(parseStreamFrame('not json')).toBeNull();
    expect(parseStreamFrame('{"event":"update","payload":"{\\"id\\":\\"1')).toBeNull();
    expect(parseStreamFrame('{"event":"update","payload":"{truncated"}')).toBeNull();
    expect(parseStreamFrame('{"event":"update","payload":"[1,2]"}')).toBeNull();
    expect(parseStreamFrame('{"event":"delete","payload":{"id":"1"}}')).toBeNull();
    expect(parseStreamFrame('[]')).toBeNull();
  });
});

describe('the fake instance the runner is tested against', () => {
  it('pages like Mastodon: newest first, min_id just after the cursor, since_id and max_id as bounds, Link next and prev', async () => {
    const server = await fakeMastodon();
    for (let n = 1; n <= 5; n++) server.add(buildStatus({ id: id(n) }));
    const get = async (query: string) => {
      const response = await fetch(`${server.url}/api/v1/timelines/tag/capcomnet?${query}`);
      return { ids: ((await response.json()) as Status[]).map((status) => status.id), link: response.headers.get('link'), remaining: response.headers.get('x-ratelimit-remaining') };
    };
    const latest = await get('limit=2');
    expect(latest.ids).toEqual([id(5), id(4)]);
    const base = `${server.url}/api/v1/timelines/tag/capcomnet`;
    expect(latest.link).toBe(`<${base}?limit=2&max_id=${id(4)}>; rel="next", <${base}?limit=2&min_id=${id(5)}>; rel="prev"`);
    expect((await get(`limit=2&min_id=${id(1)}`)).ids).toEqual([id(3), id(2)]);
    expect((await get(`limit=2&since_id=${id(1)}`)).ids).toEqual([id(5), id(4)]);
    expect((await get(`max_id=${id(3)}`)).ids).toEqual([id(2), id(1)]);
    const empty = await get(`min_id=${id(5)}`);
    expect(empty).toMatchObject({ ids: [], link: null });
    expect(Number(empty.remaining)).toBeLessThan(Number(latest.remaining));
  });
});

describe('the Mastodon runner, polling', () => {
  it('reads the latest page on its first run, without min_id, and stores its newest id as the cursor', async () => {
    const server = await fakeMastodon();
    server.add(...timeline);
    const source = run({ instance: server.url, hashtag: 'capcomnet' });
    await until(() => source.stored.length === 2, 'the two fixture statuses');
    const [first] = server.timelineRequests();
    expect(first!.path).toBe('/api/v1/timelines/tag/capcomnet');
    expect(first!.query).toEqual({ limit: '40' });
    expect(source.ingests[0]).toMatchObject({ ids: ['113582947126531201', '113582950000000002'], cursor: '113582950000000002' });
    await until(() => server.timelineRequests().length >= 3, 'more polls');
    expect(server.timelineRequests()[1]!.query).toEqual({ limit: '40', min_id: '113582950000000002' });
  });

  it('follows pages with min_id until a page is not full, storing each page oldest first with its cursor', async () => {
    const server = await fakeMastodon();
    for (let n = 1; n <= 100; n++) server.add(buildStatus({ id: id(n) }));
    const source = run({ instance: server.url, hashtag: 'capcomnet' }, { cursor: id(0) });
    await until(() => source.stored.length === 100, '100 statuses');
    const minIds = server.timelineRequests().slice(0, 3).map((request) => request.query.min_id);
    expect(minIds).toEqual([id(0), id(40), id(80)]);
    expect(source.ingests.slice(0, 3).map((ingest) => ingest.cursor)).toEqual([id(40), id(80), id(100)]);
    expect(source.ingests[0]!.ids).toEqual(Array.from({ length: 40 }, (_, n) => id(n + 1)));
    expect(storedIds(source)).toEqual(Array.from({ length: 100 }, (_, n) => id(n + 1)));
    await until(() => server.timelineRequests().length >= 4, 'the next poll');
    expect(server.timelineRequests()[3]!.query.min_id).toBe(id(100));
  });

  it('encodes the hashtag in the path and sends the token only in the Authorization header', async () => {
    const server = await fakeMastodon({ hashtag: 'capcomnét', accessToken: TOKEN, requireToken: true, streamingUrl: null });
    server.add(buildStatus({ id: id(1) }));
    server.refuseStreaming(404);
    const source = run({ instance: server.url, hashtag: '#capcomnét', accessToken: TOKEN });
    await until(() => source.stored.length === 1, 'the status');
    const [request] = server.timelineRequests();
    expect(request!.url).toMatch(/^\/api\/v1\/timelines\/tag\/capcomn%C3%A9t\?/);
    expect(request!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('spreads its requests until the reset when the rate limit runs low, and never runs into a 429', async () => {
    const server = await fakeMastodon({ rateLimit: { limit: 300, windowMs: 60_000 } });
    server.add(buildStatus({ id: id(1) }));
    server.setRateLimit(4, 1500);
    const source = run({ instance: server.url, hashtag: 'capcomnet' }, { cursor: id(0), timing: { maxBackoffMs: 5000 } });
    await until(() => server.timelineRequests().length >= 3, 'three polls', 5000);
    const [first, second, third] = server.timelineRequests();
    // Three requests are left for 1.5 s: they are spread over it instead of following each other every 20 ms.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(300);
    expect(third!.at - first!.at).toBeGreaterThanOrEqual(650);
    expect(server.requests.every((request) => request.status !== 429)).toBe(true);
    expect(source.errors).toEqual([]);
    expect(storedIds(source)).toEqual([id(1)]);
  });

  it('polls at its interval while plenty of requests remain', async () => {
    const server = await fakeMastodon();
    run({ instance: server.url, hashtag: 'capcomnet' }, { cursor: id(0) });
    await until(() => server.timelineRequests().length >= 5, 'five polls', 1000);
  });

  it('after a 429, waits until the rate limit resets, then resumes without losing a post', async () => {
    const server = await fakeMastodon();
    server.add(buildStatus({ id: id(1) }), buildStatus({ id: id(2) }));
    const reset = Date.now() + 600;
    server.script({
      status: 429,
      body: '{"error":"Too many requests"}',
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': new Date(reset).toISOString() },
    });
    const source = run({ instance: server.url, hashtag: 'capcomnet' }, { cursor: id(0), timing: { maxBackoffMs: 2000 } });
    await until(() => source.stored.length === 2, 'the statuses after the reset');
    const [refused, retried] = server.timelineRequests();
    expect(refused!.status).toBe(429);
    expect(retried!.at).toBeGreaterThanOrEqual(reset - 20);
    expect(retried!.query.min_id).toBe(id(0));
    expect(source.errors[0]).toMatch(/429 Too Many Requests/);
    expect(storedIds(source)).toEqual([id(1), id(2)]);
  });

  it('backs off on server errors, doubling the wait, and loses nothing', async () => {
    const server = await fakeMastodon();
    server.add(buildStatus({ id: id(1) }));
    server.script({ status: 500 }, { status: 502 }, { status: 503 });
    const source = run({ instance: server.url, hashtag: 'capcomnet' }, { cursor: id(0), timing: { backoffMs: 60, maxBackoffMs: 1000 } });
    await until(() => source.stored.length === 1, 'the status after the errors');
    const at = server.timelineRequests().map((request) => request.at);
    const gaps = [at[1]! - at[0]!, at[2]! - at[1]!, at[3]! - at[2]!];
    expect(gaps[0]).toBeGreaterThanOrEqual(55);
    expect(gaps[1]).toBeGreaterThanOrEqual(115);
    expect(gaps[2]).toBeGreaterThanOrEqual(235);
    expect(source.errors.slice(0, 3)).toEqual([
      expect.stringMatching(/answered 500 \(a server error\)/),
      expect.stringMatching(/answered 502/),
      expect.stringMatching(/answered 503/),
    ]);
    expect(source.polls).toBeGreaterThanOrEqual(1);
  });

  it('reports invalid JSON and a timeout, and recovers from both', async () => {
    const server = await fakeMastodon();
    server.add(buildStatus({ id: id(1) }));
    server.script({ body: '[{"id": "1136' }, { delayMs: 1000 }, { body: '{"not":"a list"}' });
    const source = run({ instance: server.url, hashtag: 'capcomnet' }, { cursor: id(0) });
    await until(() => source.stored.length === 1, 'the status after the failures');
    expect(source.errors.slice(0, 3)).toEqual([
      expect.stringMatching(/invalid JSON/),
      expect.stringMatching(/no answer within 300 ms/),
      expect.stringMatching(/something other than a list of statuses/),
    ]);
  });

  it('says what to fix when the instance requires a login, and retries at the longest backoff', async () => {
    const server = await fakeMastodon({ requireToken: true, accessToken: TOKEN });
    const source = run({ instance: server.url, hashtag: 'capcomnet' });
    await until(() => server.timelineRequests().length >= 2, 'a retry', 2000);
    expect(source.errors[0]).toMatch(/answered 401: this instance requires a login .* add an access token with the read:statuses scope/);
    const [first, second] = server.timelineRequests();
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(FAST.maxBackoffMs - 5);
  });

  it('says to check the hashtag when the timeline does not exist', async () => {
    const server = await fakeMastodon();
    const source = run({ instance: server.url, hashtag: 'nosuchtag' });
    await until(() => source.errors.length >= 1, 'an error');
    expect(source.errors[0]).toMatch(/answered 404: no such timeline; check the instance URL and the hashtag/);
  });

  it('does not follow a redirect, which would take the token to an address the server chose', async () => {
    const elsewhere = await fakeMastodon();
    const server = await fakeMastodon({ accessToken: TOKEN });
    server.refuseStreaming(404);
    server.script({ status: 302, headers: { location: `${elsewhere.url}/api/v1/timelines/tag/capcomnet` } });
    const source = run({ instance: server.url, hashtag: 'capcomnet', accessToken: TOKEN }, { cursor: id(0) });
    await until(() => source.errors.some((error) => /redirected/.test(error)), 'the redirect reported');
    expect(source.errors.find((error) => /redirected/.test(error))).toMatch(/use the address it redirects to as the instance URL/);
    expect(elsewhere.requests).toEqual([]);
  });

  it('reports an unreachable instance and keeps trying', async () => {
    const server = await fakeMastodon();
    const url = server.url;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const source = run({ instance: url, hashtag: 'capcomnet' });
    await until(() => source.errors.length >= 2, 'two reports');
    expect(source.errors[0]).toMatch(/could not be read: the connection failed \(ECONNREFUSED\)/);
  });

  it('keeps going through hostile statuses, storing the usable ones as text', async () => {
    const server = await fakeMastodon();
    server.script({ body: JSON.stringify(hostile) });
    const source = run({ instance: server.url, hashtag: 'capcomnet' }, { cursor: '113582950000000000' });
    await until(() => source.stored.length === 2, 'the two usable hostile statuses');
    expect(source.stored.map((post) => post.text)).toEqual(['Hello click me bold <i>not markup</i>', '']);
    // The newest valid id of the page is the cursor, so the skipped statuses are not read again.
    await until(() => server.timelineRequests().length >= 2, 'the next poll');
    expect(server.timelineRequests()[1]!.query.min_id).toBe('113582960000000009');
    server.add(buildStatus({ id: '113582960000000010', content: `<p>${'y'.repeat(1024 * 1024)}</p>` }));
    await until(() => source.stored.length === 3, 'the 1 MiB status');
    expect(source.stored[2]!.text.length).toBeLessThanOrEqual(MAX_STATUS_HTML_CHARS);
    expect(source.errors).toEqual([]);
  });

  it('stops promptly when aborted during a backoff, without reporting it', async () => {
    const server = await fakeMastodon();
    server.script({ status: 500 });
    const source = run({ instance: server.url, hashtag: 'capcomnet' }, { timing: { backoffMs: 10_000, maxBackoffMs: 10_000 } });
    await until(() => source.errors.length === 1, 'the first error');
    running.splice(running.indexOf(source), 1);
    expect(await source.stop()).toBeLessThan(200);
    expect(source.errors).toHaveLength(1);
  });
});

describe('the Mastodon runner, streaming', () => {
  async function streaming(options: { cursor?: string | null; timing?: Partial<SourceTiming>; fake?: FakeMastodonOptions } = {}) {
    const server = await fakeMastodon({ accessToken: TOKEN, ...options.fake });
    const source = run({ instance: server.url, hashtag: 'capcomnet', accessToken: TOKEN }, { cursor: options.cursor ?? id(0), timing: options.timing });
    await server.waitForStreamClients(1);
    await until(() => source.polls >= 1, 'the gap filled');
    return { server, source };
  }

  it('delivers a new status within a fraction of a second, with the token in the header only', async () => {
    const { server, source } = await streaming();
    const published = Date.now();
    server.publish(buildStatus({ id: id(1), content: '<p>en direct <a href="https://x/tags/capcomnet">#<span>capcomnet</span></a></p>' }));
    await until(() => source.stored.length === 1, 'the streamed status');
    expect(Date.now() - published).toBeLessThan(250);
    expect(source.stored[0]!.text).toBe('en direct #capcomnet');
    expect(source.cursor).toBe(id(1));
    const upgrade = server.requests.find((request) => request.method === 'UPGRADE')!;
    expect(upgrade.path).toBe('/api/v1/streaming');
    expect(upgrade.query).toEqual({ stream: 'hashtag', tag: 'capcomnet' });
    expect(upgrade.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // While streaming, the timeline is not polled.
    const polls = server.timelineRequests().length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.timelineRequests()).toHaveLength(polls);
  });

  it('fills the gap since the cursor from the timeline before streaming', async () => {
    const server = await fakeMastodon({ accessToken: TOKEN });
    server.add(buildStatus({ id: id(1) }), buildStatus({ id: id(2) }));
    const source = run({ instance: server.url, hashtag: 'capcomnet', accessToken: TOKEN }, { cursor: id(0) });
    await until(() => source.stored.length === 2, 'the missed statuses');
    const upgrade = server.requests.findIndex((request) => request.method === 'UPGRADE');
    const gapFill = server.requests.findIndex((request) => request.path.startsWith('/api/v1/timelines/tag/'));
    expect(upgrade).toBeLessThan(gapFill);
    expect(server.requests[gapFill]!.query.min_id).toBe(id(0));
  });

  it('retracts a deleted status and updates an edited one', async () => {
    const { server, source } = await streaming();
    server.publish(buildStatus({ id: id(1), content: '<p>premier jet</p>' }));
    await until(() => source.stored.length === 1, 'the status');
    server.edit(buildStatus({ id: id(1), content: '<p>version corrigée</p>' }));
    await until(() => source.updates.length === 1, 'the edit');
    expect(source.updates[0]).toMatchObject({ remoteId: id(1), text: 'version corrigée' });
    server.remove(id(1));
    await until(() => source.retractions.length === 1, 'the deletion');
    expect(source.retractions).toEqual([id(1)]);
  });

  it('after the stream drops, fills the gap from the timeline: no post lost, none twice', async () => {
    const { server, source } = await streaming();
    server.publish(buildStatus({ id: id(1) }));
    await until(() => source.stored.length === 1, 'the first status');
    server.dropStreams();
    server.add(buildStatus({ id: id(2) }), buildStatus({ id: id(3) }));
    await until(() => source.stored.length === 3, 'the statuses posted while the stream was down');
    await server.waitForStreamClients(1);
    server.publish(buildStatus({ id: id(4) }));
    await until(() => source.stored.length === 4, 'the status streamed after the reconnection');
    const ingested = source.ingests.flatMap((ingest) => ingest.ids);
    expect(ingested).toEqual([id(1), id(2), id(3), id(4)]);
    const afterDrop = server.timelineRequests().find((request) => request.query.min_id === id(1));
    expect(afterDrop).toBeDefined();
    expect(source.errors[0]).toMatch(/streaming connection to 127\.0\.0\.1:\d+ closed \(code 1006\); polling the timeline/);
  });

  it('falls back to polling when the stream refuses the token, and tries streaming again later', async () => {
    const server = await fakeMastodon({ accessToken: 'another-token' });
    const source = run({ instance: server.url, hashtag: 'capcomnet', accessToken: TOKEN }, { cursor: id(0) });
    await until(() => source.errors.length >= 1, 'the refusal');
    expect(source.errors[0]).toMatch(/refused the access token \(401\); create a token with the read:statuses scope/);
    server.add(buildStatus({ id: id(1) }));
    await until(() => source.stored.length === 1, 'the status, polled');
    const upgrades = await until(() => {
      const found = server.requests.filter((request) => request.method === 'UPGRADE');
      return found.length >= 2 ? found : undefined;
    }, 'a second attempt to stream');
    expect(upgrades[1]!.at - upgrades[0]!.at).toBeGreaterThanOrEqual(FAST.maxBackoffMs - 5);
    for (const error of source.errors) expect(error).not.toContain(TOKEN);
  });

  it('reconnects a stream that stays silent, not even answering pings', async () => {
    const { server, source } = await streaming();
    server.freezeStreams();
    const frozeAt = Date.now();
    const upgrades = await until(() => {
      const found = server.requests.filter((request) => request.method === 'UPGRADE' && request.status === 101);
      return found.length >= 2 ? found : undefined;
    }, 'a new stream', 3000);
    expect(upgrades[1]!.at - frozeAt).toBeGreaterThanOrEqual(3 * FAST.timeoutMs - 200);
    expect(source.errors[0]).toMatch(/was silent for 900 ms/);
  });

  it('skips unreadable frames without dropping the stream', async () => {
    const { server, source } = await streaming();
    for (const frame of [
      'not json',
      '{"stream":["hashtag","capcomnet"],"event":"update","payload":"{\\"id\\":\\"11',
      '{"stream":["hashtag","capcomnet"],"event":"update","payload":"{truncated"}',
      '{"stream":["hashtag","capcomnet"],"event":"update","payload":"[1,2]"}',
      '{"stream":["hashtag","capcomnet"],"event":"delete","payload":{"id":"1"}}',
      '{"stream":["hashtag","capcomnet"],"event":"filters_changed"}',
      JSON.stringify({ event: 'update', payload: JSON.stringify(hostile[0]) }),
      JSON.stringify({ event: 'update', payload: JSON.stringify(buildStatus({ id: id(2), content: `<p>${'z'.repeat(1024 * 1024)}</p>` })) }),
    ]) {
      server.sendFrame(frame);
    }
    server.publish(buildStatus({ id: id(3) }));
    await until(() => source.stored.length === 3, 'the usable statuses');
    expect(source.stored.map((post) => post.text.slice(0, 10))).toEqual(['Hello clic', 'zzzzzzzzzz', 'Status 113']);
    expect(server.requests.filter((request) => request.method === 'UPGRADE')).toHaveLength(1);
    expect(source.errors).toEqual([]);
  });

  it('stops promptly while streaming, without reporting it', async () => {
    const { server, source } = await streaming();
    running.splice(running.indexOf(source), 1);
    expect(await source.stop()).toBeLessThan(200);
    await until(() => server.streamClientCount() === 0, 'the stream closed');
    expect(source.errors).toEqual([]);
  });
});
