import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  compareXIds,
  createXRunner,
  decodeXEntities,
  MAX_PAGES_PER_ROUND,
  MAX_RATE_LIMIT_WAIT_MS,
  pollDelay,
  readSearchPage,
  XApiError,
} from '../../server/sources/x.js';
import type { SocialPost, SourceContext, SourceTiming, XSettings } from '../../server/sources/types.js';
import { startFakeX, xPost, type FakeX } from '../helpers/fake-x.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/x', name), 'utf8'));
}

const RECEIVED_AT = new Date('2026-06-10T09:10:00.000Z');
const TIMING: SourceTiming = { pollMs: 20, backoffMs: 20, maxBackoffMs: 200, timeoutMs: 2000, cursorFlushMs: 100 };

/** The fixture page as the source reads it, by tweet id. */
function fixturePosts(): Map<string, SocialPost> {
  const page = readSearchPage(fixture('recent-search-page.json'), RECEIVED_AT);
  return new Map(page.posts.map((post) => [post.remoteId, post]));
}

describe('reading a recent-search page (X’s documented shape)', () => {
  it('keeps posts, quotes and replies, skips the retweet, and still counts its id for the cursor', () => {
    const page = readSearchPage(fixture('recent-search-page.json'), RECEIVED_AT);
    expect(page.posts.map((post) => post.remoteId)).toEqual([
      '2064635554821079163',
      '2064634988590030971',
      '2064634841789386875',
      '2064634443330502779',
      '2064634296529858683',
      '2064633969374142587',
      '2064633667384250491',
    ]);
    expect(page.posts.some((post) => post.text.startsWith('RT @'))).toBe(false);
    expect(page.seenIds).toContain('2064635177333715067');
    expect(page.newestId).toBe('2064635554821079163');
    expect(page.nextToken).toBeNull();
  });

  it('reads a page where nothing matched as no posts and no cursor', () => {
    expect(readSearchPage(fixture('recent-search-empty.json'), RECEIVED_AT)).toEqual({ posts: [], edits: [], seenIds: [], newestId: null, nextToken: null });
  });

  it('keeps every good post of a page that also carries partial errors', () => {
    const body = fixture('recent-search-page.json');
    expect(body.errors).toHaveLength(1);
    expect(readSearchPage(body, RECEIVED_AT).posts).toHaveLength(7);
  });

  it('decodes X’s three entities exactly once, so an author’s typed &lt;script&gt; stays visible text', () => {
    const post = fixturePosts().get('2064635554821079163')!;
    expect(post.text).toBe('Attention : &lt;script&gt; n’est pas du HTML, <b>ceci non plus</b> & tout va bien #capcomnet');
    expect(decodeXEntities('&amp;amp; &amp;lt; &quot; &#39; &lt;&gt;')).toBe('&amp; &lt; &quot; &#39; <>');
  });

  it('takes the full text of a long post from note_tweet rather than its cut text', () => {
    const post = fixturePosts().get('2064634443330502779')!;
    expect(post.text).toMatch(/^Trois idées retenues/);
    expect(post.text).toMatch(/la modération se prépare & se répartit avant l’événement, pas pendant\.$/);
    expect(post.text).not.toContain('t.co');
  });

  it('shows photos with their alt text, the still of a video or a GIF, and drops a picture that is not https', () => {
    const posts = fixturePosts();
    const photos = posts.get('2064633969374142587')!;
    expect(photos.media).toEqual([{ kind: 'image', url: 'https://pbs.twimg.com/media/GxPhOtO0001.jpg', alt: 'Cinq intervenants assis devant l’écran de l’amphithéâtre' }]);
    // The t.co link that only points at the pictures is gone, since they are shown.
    expect(photos.text).toBe('Les intervenants de la matinée #capcomnet');
    expect(posts.get('2064634988590030971')!.media).toEqual([
      { kind: 'image', url: 'https://pbs.twimg.com/ext_tw_video_thumb/2064634988500000000/pu/img/TaBlErOnDe.jpg', alt: 'La table ronde, cinq intervenants sur scène' },
    ]);
    expect(posts.get('2064634296529858683')!.media).toEqual([{ kind: 'image', url: 'https://pbs.twimg.com/tweet_video_thumb/GxGiFwIfI.jpg' }]);
  });

  it('hides a possibly sensitive post behind a content warning', () => {
    const posts = fixturePosts();
    expect(posts.get('2064634988590030971')!.contentWarning).toBe('Sensitive content');
    expect(posts.get('2064633667384250491')!.contentWarning).toBeUndefined();
  });

  it('shows a quoted post’s link as X displays it', () => {
    expect(fixturePosts().get('2064634841789386875')!.text).toBe('Tout à fait d’accord & merci pour l’accueil ! #capcomnet x.com/claire_dupont/st…');
  });

  it('takes the author from includes.users, with an https avatar only', () => {
    const posts = fixturePosts();
    expect(posts.get('2064633667384250491')!.author).toEqual({
      name: 'Claire Dupont',
      handle: '@claire_dupont',
      avatarUrl: 'https://pbs.twimg.com/profile_images/1455000000000000001/aBcD_normal.jpg',
      account: '1455000000000000001',
    });
    // A hostile display name is kept as the text it is; `javascript:` and http avatars never pass.
    expect(posts.get('2064635554821079163')!.author).toEqual({ name: '<img src=x onerror=alert(1)>', handle: '@mallory_test', account: '3100000000000000003' });
    expect(posts.get('2064634841789386875')!.author.avatarUrl).toBeUndefined();
  });

  it('uses the tweet id as the post’s identity and created_at as its date', () => {
    const post = fixturePosts().get('2064633667384250491')!;
    expect(post.id).toBe('2064633667384250491');
    expect(post.createdAt.toISOString()).toBe('2026-06-10T09:00:00.000Z');
    expect(post.raw).toMatchObject({ tweet: { id: '2064633667384250491' }, user: { username: 'claire_dupont' } });
  });

  it('keys an edited post on its first version, so that the edit revises it instead of adding a second message', () => {
    const page = readSearchPage(
      { data: [{ id: '2064635554821079999', text: 'corrigé', edit_history_tweet_ids: ['2064635554821079163', '2064635554821079999'] }], meta: { newest_id: '2064635554821079999', result_count: 1 } },
      RECEIVED_AT,
    );
    expect(page.posts).toEqual([]);
    expect(page.edits).toMatchObject([{ id: '2064635554821079163', remoteId: '2064635554821079999', text: 'corrigé' }]);
  });

  it('skips malformed entries one by one and refuses a body that is not a page', () => {
    const page = readSearchPage(
      { data: [null, 42, { id: 2064633667384250000, text: 'an id as a number' }, { id: '../1', text: 'x' }, { id: '2064633667384250491', text: { not: 'text' } }], meta: {} },
      RECEIVED_AT,
    );
    expect(page.posts).toEqual([expect.objectContaining({ remoteId: '2064633667384250491', text: '', author: { name: '', handle: '', account: '' } })]);
    // Without created_at the date comes from the snowflake id.
    expect(page.posts[0]!.createdAt.toISOString()).toBe('2026-06-10T09:00:00.000Z');
    expect(() => readSearchPage([], RECEIVED_AT)).toThrow(XApiError);
    expect(() => readSearchPage('<html>', RECEIVED_AT)).toThrow(XApiError);
  });

  it('maps a megabyte of hostile text as plain text, quickly', () => {
    const huge = `<script>alert(1)</script>&lt;img onerror=alert(1)&gt; javascript:alert(1) ${'#capcomnet '.repeat(100_000)}`;
    const started = performance.now();
    const page = readSearchPage({ data: [{ id: '2064633667384250491', text: huge }] }, RECEIVED_AT);
    expect(performance.now() - started).toBeLessThan(500);
    expect(page.posts[0]!.text.startsWith('<script>alert(1)</script><img onerror=alert(1)> javascript:alert(1) #capcomnet')).toBe(true);
  });

  it('compares ids above 2^53 as the integers they are', () => {
    expect(Number('9007199254740993')).toBe(Number('9007199254740992'));
    expect(compareXIds('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(compareXIds('2064633667384250491', '999999999999999999')).toBeGreaterThan(0);
  });
});

describe('the poll interval', () => {
  const now = Date.parse('2026-06-10T09:00:00.000Z');

  it('is pollMs when X says nothing about its limits or has plenty left', () => {
    expect(pollDelay({ pollMs: 5000 }, null, now)).toBe(5000);
    expect(pollDelay({ pollMs: 5000 }, { remaining: 449, resetAt: now + 15 * 60_000 }, now)).toBe(5000);
  });

  it('spreads the requests left over the rest of the window', () => {
    // 10 requests for 10 minutes: one a minute, not ten at once and then silence.
    expect(pollDelay({ pollMs: 5000 }, { remaining: 10, resetAt: now + 10 * 60_000 }, now)).toBeGreaterThanOrEqual(60_000);
    expect(pollDelay({ pollMs: 5000 }, { remaining: 10, resetAt: now + 10 * 60_000 }, now)).toBeLessThan(61_000);
  });

  it('waits for the reset when no request is left, but never believes a reset days away', () => {
    expect(pollDelay({ pollMs: 50 }, { remaining: 0, resetAt: now + 90_000 }, now)).toBeGreaterThanOrEqual(90_000);
    expect(pollDelay({ pollMs: 50 }, { remaining: 0, resetAt: now + 3 * 86_400_000 }, now)).toBe(MAX_RATE_LIMIT_WAIT_MS);
  });
});

/** A `SourceContext` that records what the runner did; `sleep` really waits (capped by `sleepCapMs`). */
function fakeContext(options: { cursor?: string | null; timing?: Partial<SourceTiming>; sleepCapMs?: number } = {}) {
  const controller = new AbortController();
  const stored = new Set<string>();
  const state = {
    cursor: options.cursor ?? null,
    ingests: [] as { posts: SocialPost[]; cursor: string | null }[],
    updates: [] as SocialPost[],
    errors: [] as string[],
    warnings: [] as string[],
    sleeps: [] as number[],
    polls: 0,
  };
  const log = { warn: (_object: unknown, message: string) => void state.warnings.push(message), info() {}, debug() {}, error() {}, trace() {}, fatal() {}, child: () => log, level: 'silent' };
  const ctx: SourceContext = {
    signal: controller.signal,
    timing: { ...TIMING, ...options.timing },
    log: log as unknown as FastifyBaseLogger,
    now: () => new Date(),
    cursor: () => state.cursor,
    ingest(posts, cursor) {
      // Like the real store, a post already stored is skipped.
      state.ingests.push({ posts: posts.filter((post) => !stored.has(post.id)), cursor });
      for (const post of posts) stored.add(post.id);
      state.cursor = cursor;
    },
    update: (post) => void state.updates.push(post),
    retract() {},
    polled: () => void (state.polls += 1),
    error: (error) => void state.errors.push(error instanceof Error ? error.message : String(error)),
    sleep(ms) {
      state.sleeps.push(ms);
      return new Promise((resolve) => {
        if (controller.signal.aborted) return resolve();
        const timer = setTimeout(done, Math.min(ms, options.sleepCapMs ?? ms));
        function done() {
          clearTimeout(timer);
          controller.signal.removeEventListener('abort', done);
          resolve();
        }
        controller.signal.addEventListener('abort', done);
      });
    },
  };
  return { ctx, state, stop: () => controller.abort() };
}

const stored = (state: ReturnType<typeof fakeContext>['state']) => state.ingests.flatMap((ingest) => ingest.posts);
const texts = (state: ReturnType<typeof fakeContext>['state']) => stored(state).map((post) => post.text);

let fake: FakeX;
const running: { stop(): void; done: Promise<void> }[] = [];

afterEach(async () => {
  for (const run of running.splice(0)) {
    run.stop();
    await run.done;
  }
  await fake?.close();
});

function start(context: ReturnType<typeof fakeContext>, settings: Partial<XSettings> = {}) {
  const done = createXRunner({ query: '#capcomnet', bearerToken: fake.token, apiBase: fake.url, ...settings })(context.ctx);
  running.push({ stop: context.stop, done });
  return done;
}

/** Posts a minute apart, oldest first. */
function posts(count: number, from = Date.now() - 3_600_000) {
  return Array.from({ length: count }, (_, i) => xPost(`post ${i + 1} #capcomnet`, { at: new Date(from + i * 60_000) }));
}

describe('the X source against a local recent-search server', () => {
  it('resumes from since_id, follows every page, and stores the round oldest first with the first page’s newest_id', async () => {
    fake = await startFakeX({ pageSize: 2 });
    const [old, ...fresh] = posts(6);
    fake.add(old!, ...fresh);
    const context = fakeContext({ cursor: old!.tweet.id as string });
    start(context);

    await vi.waitFor(() => expect(context.state.ingests).toHaveLength(1));
    const [first, ...rest] = fake.searches();
    expect(first!.authorization).toBe(`Bearer ${fake.token}`);
    expect(Object.fromEntries(first!.url.searchParams)).toEqual({
      query: '#capcomnet',
      since_id: old!.tweet.id,
      max_results: '100',
      expansions: 'author_id,attachments.media_keys',
      'tweet.fields': 'created_at,author_id,attachments,possibly_sensitive,referenced_tweets,note_tweet,entities',
      'user.fields': 'name,username,profile_image_url',
      'media.fields': 'url,alt_text,type,preview_image_url',
    });
    expect(rest.slice(0, 2).map((request) => request.url.searchParams.get('since_id'))).toEqual([old!.tweet.id, old!.tweet.id]);
    expect(rest.slice(0, 2).every((request) => request.url.searchParams.has('next_token'))).toBe(true);
    expect(texts(context.state)).toEqual(['post 2 #capcomnet', 'post 3 #capcomnet', 'post 4 #capcomnet', 'post 5 #capcomnet', 'post 6 #capcomnet']);
    expect(context.state.ingests[0]!.cursor).toBe(fresh[4]!.tweet.id);
    expect(context.state.errors).toEqual([]);

    const later = xPost('post 7 #capcomnet');
    fake.add(later);
    await vi.waitFor(() => expect(context.state.ingests).toHaveLength(2));
    expect(context.state.ingests[1]).toEqual({ posts: [expect.objectContaining({ id: later.tweet.id, text: 'post 7 #capcomnet' })], cursor: later.tweet.id });
    // And the next poll asks only for what came after it.
    await vi.waitFor(() => expect(fake.searches().map((request) => request.url.searchParams.get('since_id'))).toContain(later.tweet.id));
    expect(context.state.polls).toBeGreaterThanOrEqual(2);
  });

  it('reads only the first page, the most recent posts, when it has no cursor yet', async () => {
    fake = await startFakeX({ pageSize: 2 });
    const week = posts(5);
    fake.add(...week);
    const context = fakeContext();
    start(context);

    await vi.waitFor(() => expect(context.state.ingests).toHaveLength(1));
    expect(fake.searches()[0]!.url.searchParams.has('since_id')).toBe(false);
    expect(fake.searches().filter((request) => request.url.searchParams.has('next_token'))).toEqual([]);
    expect(texts(context.state)).toEqual(['post 4 #capcomnet', 'post 5 #capcomnet']);
    expect(context.state.cursor).toBe(week[4]!.tweet.id);
  });

  it('skips retweets but moves its cursor past them', async () => {
    fake = await startFakeX();
    const original = xPost('Ouverture de #capcomnet');
    const retweet = xPost('RT @claire_dupont: Ouverture de #capcomnet', { extra: { referenced_tweets: [{ type: 'retweeted', id: original.tweet.id }] } });
    fake.add(retweet);
    const context = fakeContext({ cursor: original.tweet.id as string });
    start(context);

    await vi.waitFor(() => expect(context.state.ingests).toHaveLength(1));
    expect(context.state.ingests[0]).toEqual({ posts: [], cursor: retweet.tweet.id });
  });

  it('shows a post’s pictures with their alt text, taken through the expansions it asked for', async () => {
    fake = await startFakeX();
    fake.add(xPost('La salle #capcomnet', { media: [['https://pbs.twimg.com/media/SaLlE.jpg', 'L’amphithéâtre plein']] }));
    const context = fakeContext();
    start(context);

    await vi.waitFor(() => expect(context.state.ingests).toHaveLength(1));
    expect(stored(context.state)[0]).toMatchObject({
      text: 'La salle #capcomnet',
      media: [{ kind: 'image', url: 'https://pbs.twimg.com/media/SaLlE.jpg', alt: 'L’amphithéâtre plein' }],
      author: { name: 'Claire Dupont', handle: '@claire_dupont', avatarUrl: 'https://pbs.twimg.com/profile_images/1455000000000000001/avatar_normal.jpg' },
    });
  });

  it('never asks again before the reset X announced once the window is spent', async () => {
    fake = await startFakeX({ rateLimit: { limit: 1, windowMs: 1000 } });
    fake.add(...posts(1));
    const context = fakeContext();
    start(context);

    await vi.waitFor(() => expect(fake.searches().length).toBeGreaterThanOrEqual(2), { timeout: 5000 });
    const [first, second] = fake.searches();
    expect(first!.announcedRemaining).toBe(0);
    expect(second!.at).toBeGreaterThanOrEqual(first!.announcedReset);
    expect(fake.searches().map((request) => request.status)).not.toContain(429);
  });

  it('spreads the requests left over the rest of the window', async () => {
    fake = await startFakeX({ rateLimit: { limit: 4, windowMs: 60_000 } });
    const context = fakeContext({ sleepCapMs: 5 });
    start(context);

    await vi.waitFor(() => expect(context.state.sleeps.length).toBeGreaterThanOrEqual(1));
    const [first] = fake.searches();
    // Three requests left for about a minute: about twenty seconds apart, far above pollMs.
    expect(first!.announcedRemaining).toBe(3);
    expect(context.state.sleeps[0]).toBeGreaterThanOrEqual((first!.announcedReset - first!.at) / 3 - 100);
    expect(context.state.sleeps[0]).toBeLessThanOrEqual((first!.announcedReset - first!.at) / 3 + 1000);
  });

  it('waits out a 429 until the reset, then stores what it missed, once', async () => {
    fake = await startFakeX({ rateLimit: { limit: 100, windowMs: 1000 } });
    const [old, ...fresh] = posts(4);
    fake.add(old!, ...fresh);
    fake.fail('rate-limited');
    const context = fakeContext({ cursor: old!.tweet.id as string });
    start(context);

    await vi.waitFor(() => expect(context.state.ingests).toHaveLength(1), { timeout: 5000 });
    const [refused, retried] = fake.searches();
    expect(refused!.status).toBe(429);
    expect(retried!.at).toBeGreaterThanOrEqual(refused!.announcedReset);
    expect(context.state.errors).toEqual([expect.stringContaining('429')]);
    expect(texts(context.state)).toEqual(['post 2 #capcomnet', 'post 3 #capcomnet', 'post 4 #capcomnet']);
  });

  it('backs off on 5xx, invalid JSON and a request that never answers, doubling each time, and loses nothing', async () => {
    fake = await startFakeX({ pageSize: 2 });
    const [old, ...fresh] = posts(4);
    fake.add(old!, ...fresh);
    // The second page fails each way in turn; each time the round starts again from its first page.
    fake.fail('ok', { status: 503 }, 'ok', 'invalid-json', 'ok', 'hang');
    const context = fakeContext({ cursor: old!.tweet.id as string, timing: { timeoutMs: 300 } });
    start(context);

    await vi.waitFor(() => expect(context.state.ingests).toHaveLength(1), { timeout: 5000 });
    expect(context.state.errors).toEqual(['X is unavailable (503)', 'X answered 200 with invalid JSON', 'X did not answer within 300 ms']);
    expect(context.state.sleeps.slice(0, 3)).toEqual([20, 40, 80]);
    expect(texts(context.state)).toEqual(['post 2 #capcomnet', 'post 3 #capcomnet', 'post 4 #capcomnet']);
    expect(context.state.ingests[0]!.cursor).toBe(fresh[2]!.tweet.id);
  });

  it('says plainly that the bearer token was refused, without ever writing it, and retries at the longest backoff', async () => {
    fake = await startFakeX();
    const wrong = 'AAAAAAAAAAAAAAAAAAAAAWrongTokenThatMustNeverBeShown';
    const context = fakeContext();
    start(context, { bearerToken: wrong });

    await vi.waitFor(() => expect(context.state.errors.length).toBeGreaterThanOrEqual(2));
    expect(fake.searches()[0]!.authorization).toBe(`Bearer ${wrong}`);
    expect(context.state.errors[0]).toMatch(/refused the bearer token \(401/);
    expect(context.state.errors.join('\n')).not.toContain('WrongToken');
    expect(context.state.sleeps[0]).toBe(TIMING.maxBackoffMs);
    expect(context.state.ingests).toEqual([]);
  });

  it('says when the X plan does not include recent search', async () => {
    fake = await startFakeX();
    fake.refuse({ status: 403, body: fixture('error-403-client-forbidden.json') });
    const context = fakeContext();
    start(context);

    await vi.waitFor(() => expect(context.state.errors.length).toBeGreaterThanOrEqual(1));
    expect(context.state.errors[0]).toMatch(/^X refused access to recent search \(403 Forbidden\): your X plan does not include recent search/);
    expect(context.state.sleeps[0]).toBe(TIMING.maxBackoffMs);
  });

  it('keeps the token out of its errors even when a server echoes it back', async () => {
    fake = await startFakeX();
    fake.refuse({ status: 400, body: { title: 'Invalid Request', detail: `Authorization: Bearer ${fake.token} is not valid here` } });
    const context = fakeContext();
    start(context);

    await vi.waitFor(() => expect(context.state.errors.length).toBeGreaterThanOrEqual(1));
    expect(context.state.errors[0]).toBe('X rejected the search query (400): Authorization: Bearer [redacted] is not valid here');
  });

  it('stores nothing of a round cut short, so that the next run fetches it all again', async () => {
    fake = await startFakeX({ pageSize: 2 });
    const [old, ...fresh] = posts(6);
    fake.add(old!, ...fresh);
    fake.fail('ok', 'hang');
    const cursor = old!.tweet.id as string;
    const interrupted = fakeContext({ cursor, timing: { timeoutMs: 10_000 } });
    const done = start(interrupted);

    await vi.waitFor(() => expect(fake.searches()).toHaveLength(2));
    interrupted.stop();
    await done;
    expect(interrupted.state.ingests).toEqual([]);
    expect(interrupted.state.cursor).toBe(cursor);
    expect(interrupted.state.errors).toEqual([]);

    const resumed = fakeContext({ cursor });
    start(resumed);
    await vi.waitFor(() => expect(resumed.state.ingests).toHaveLength(1));
    expect(texts(resumed.state)).toEqual(['post 2 #capcomnet', 'post 3 #capcomnet', 'post 4 #capcomnet', 'post 5 #capcomnet', 'post 6 #capcomnet']);
  });

  it('stops a catch-up after MAX_PAGES_PER_ROUND pages, keeping the newest posts and saying so in the log', async () => {
    fake = await startFakeX({ pageSize: 1 });
    const [old, ...fresh] = posts(MAX_PAGES_PER_ROUND + 3);
    fake.add(old!, ...fresh);
    const context = fakeContext({ cursor: old!.tweet.id as string });
    start(context);

    await vi.waitFor(() => expect(context.state.ingests).toHaveLength(1));
    expect(fake.searches().slice(0, MAX_PAGES_PER_ROUND + 1).filter((request) => request.url.searchParams.has('next_token'))).toHaveLength(MAX_PAGES_PER_ROUND - 1);
    expect(stored(context.state).map((post) => post.id)).toEqual(fresh.slice(-MAX_PAGES_PER_ROUND).map((post) => post.tweet.id));
    expect(context.state.cursor).toBe(fresh.at(-1)!.tweet.id);
    expect(context.state.warnings).toEqual([expect.stringContaining('the oldest of them were skipped')]);
  });

  it('starts again from the most recent posts when X calls its since_id older than seven days', async () => {
    fake = await startFakeX();
    const [old, recent] = posts(2);
    fake.add(recent!);
    fake.oldestSinceId = recent!.tweet.id as string;
    const context = fakeContext({ cursor: old!.tweet.id as string });
    start(context);

    await vi.waitFor(() => expect(context.state.ingests).toHaveLength(1));
    const [refused, fresh] = fake.searches();
    expect(refused!.status).toBe(400);
    expect(fresh!.url.searchParams.has('since_id')).toBe(false);
    expect(texts(context.state)).toEqual(['post 2 #capcomnet']);
    expect(context.state.cursor).toBe(recent!.tweet.id);
    expect(context.state.warnings).toEqual([expect.stringContaining('seven days')]);
  });

  it('revises an edited post rather than storing it twice', async () => {
    fake = await startFakeX();
    const [old, first] = posts(2);
    const edit = xPost('post 2, corrigé #capcomnet');
    edit.tweet.edit_history_tweet_ids = [first!.tweet.id, edit.tweet.id];
    fake.add(edit);
    const context = fakeContext({ cursor: old!.tweet.id as string });
    start(context);

    await vi.waitFor(() => expect(context.state.ingests).toHaveLength(1));
    expect(context.state.updates).toEqual([expect.objectContaining({ id: first!.tweet.id, remoteId: edit.tweet.id, text: 'post 2, corrigé #capcomnet' })]);
    expect(context.state.ingests[0]).toEqual({ posts: [], cursor: edit.tweet.id });
  });

  it('stays up through hostile content: a megabyte of markup, broken entries and no users', async () => {
    fake = await startFakeX();
    const hostile = xPost(`<script>alert(1)</script> <img src=x onerror=alert(1)> javascript:alert(1) ${'x'.repeat(1024 * 1024)} #capcomnet`);
    fake.add(hostile);
    fake.partialErrors = [{ title: 'Not Found Error', detail: 'Could not find user', resource_type: 'user', type: 'https://api.x.com/2/problems/resource-not-found' }];
    const context = fakeContext();
    start(context);

    await vi.waitFor(() => expect(context.state.ingests).toHaveLength(1));
    expect(stored(context.state)[0]!.text.startsWith('<script>alert(1)</script> <img src=x onerror=alert(1)>')).toBe(true);
    expect(context.state.errors).toEqual([]);
  });

  it('stops at once when its source is stopped, without reporting an error', async () => {
    fake = await startFakeX();
    const context = fakeContext({ timing: { pollMs: 60_000 } });
    const done = start(context);

    await vi.waitFor(() => expect(context.state.polls).toBe(1));
    const stopping = performance.now();
    context.stop();
    await done;
    expect(performance.now() - stopping).toBeLessThan(200);
    expect(context.state.errors).toEqual([]);
  });
});
