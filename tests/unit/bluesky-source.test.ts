import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { hashtagKey } from '../../server/domain/normalize.js';
import {
  createBlueskyRunner,
  CURSOR_REWIND_US,
  MAX_FRAME_BYTES,
  mapJetstreamPost,
  parseJetstreamFrame,
  postImages,
  postMatchesHashtag,
  resumePoint,
  subscribeUrl,
  type JetstreamEvent,
  type JetstreamPostEvent,
} from '../../server/sources/bluesky.js';
import { createProfileResolver, fallbackProfile, profileFromView, type BlueskyProfile } from '../../server/sources/bluesky-profiles.js';
import type { SocialPost, SourceContext, SourceTiming } from '../../server/sources/types.js';
import {
  entry,
  realFrames,
  startFakeAppView,
  startFakeJetstream,
  writtenFrames,
  type FakeAppView,
  type FakeJetstream,
  type StreamEntry,
} from '../helpers/fake-jetstream.js';

const CDN = 'https://cdn.bsky.app';
const REAL = realFrames();
const WRITTEN = writtenFrames();
/** Line 46 of the capture: `#HowToTellAiToShutUp` and `#IndieRebellion`. */
const INDIE_POST = 45;
/** Line 148: `#talesatwonderworld` and `#balanwonderworldoc`, with an image. */
const TALES_POST = 147;
const INDIE_URI = 'at://did:plc:tn3hni2jpphsgl6amfbb7ja6/app.bsky.feed.post/3mptbypfywk2v';
const TALES_URI = 'at://did:plc:ynfp6wddjqpl44gordpsqkuw/app.bsky.feed.post/3mptbyo7tas2u';
/** The written frames, by what they are (see tests/fixtures/bluesky/README.md). */
const EDIT_OF_INDIE = 0;
const DELETE_OF_TALES = 1;
const HOSTILE = 2;
const QUOTE_WITH_TAGS = 3;
const NO_FACET = 4;
const LABELLED_FUTURE = 5;
const DID_WEB = 6;
const HOSTILE_URI = 'at://did:plc:writtenheretoileaaaaaaaa/app.bsky.feed.post/3mptczaaaaa2a';
const QUOTE_URI = 'at://did:plc:writtenheretoilebbbbbbbb/app.bsky.feed.post/3mptczbbbbb2a';
const LABELLED_URI = 'at://did:plc:writtenheretoilebbbbbbbb/app.bsky.feed.post/3mptczddddd2a';
const DID_WEB_URI = 'at://did:web:toile-bluesky.example/app.bsky.feed.post/3mptczeeeee2a';

function timeOf(frame: string): number {
  return (JSON.parse(frame) as { time_us: number }).time_us;
}
/** Whether Jetstream sends this frame to a subscriber of posts: posts, and identity and account events. */
function sentToPostSubscribers(frame: string): boolean {
  const raw = JSON.parse(frame) as { kind: string; commit?: { collection: string } };
  return raw.kind !== 'commit' || raw.commit?.collection === 'app.bsky.feed.post';
}
/** The latest `time_us` of the whole capture (a like), and of what a subscriber of posts receives of it. */
const REAL_LAST_US = Math.max(...REAL.map(timeOf));
const REAL_POSTS_LAST_US = Math.max(...REAL.filter(sentToPostSubscribers).map(timeOf));

function parsed(frame: string): JetstreamEvent {
  const event = parseJetstreamFrame(frame);
  if (event === null) throw new Error('not a Jetstream event');
  return event;
}

function postEvent(frame: string): JetstreamPostEvent {
  const event = parsed(frame);
  if (event.type !== 'post') throw new Error(`expected a post, got ${event.type}`);
  return event;
}

/** A frame written here around a post record, for the cases the fixtures do not show. */
function postFrame(record: unknown, options: { did?: string; rkey?: string; timeUs?: number } = {}): string {
  return JSON.stringify({
    did: options.did ?? 'did:plc:writtenheretoileaaaaaaaa',
    time_us: options.timeUs ?? REAL_LAST_US + 90_000_000,
    kind: 'commit',
    commit: { rev: '3mptczzzzzz2c', operation: 'create', collection: 'app.bsky.feed.post', rkey: options.rkey ?? '3mptczzzzzz2c', record, cid: 'bafyreiwrittenheretestcase' },
  });
}

function tagFacet(tag: string) {
  return { features: [{ $type: 'app.bsky.richtext.facet#tag', tag }], index: { byteStart: 0, byteEnd: tag.length + 1 } };
}

describe('reading Jetstream frames', () => {
  it('reads the 152 real frames as 17 posts, one deletion and 134 events with nothing to show', () => {
    const events = REAL.map(parsed);
    expect(events.filter((event) => event.type === 'post')).toHaveLength(17);
    expect(events.filter((event) => event.type === 'post-deleted')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'other')).toHaveLength(134);
    expect(events.map((event) => event.timeUs)).toEqual(REAL.map(timeOf));
  });

  it.each([
    ['HowToTellAiToShutUp', INDIE_POST],
    ['IndieRebellion', INDIE_POST],
    ['talesatwonderworld', TALES_POST],
    ['balanwonderworldoc', TALES_POST],
  ])('finds #%s in exactly one of the 152 real frames', (tag, index) => {
    const matching = REAL.flatMap((frame, i) => {
      const event = parsed(frame);
      return event.type === 'post' && postMatchesHashtag(event.record, hashtagKey(tag)) ? [i] : [];
    });
    expect(matching).toEqual([index]);
  });

  it('matches a hashtag whatever its case, accents, width or "#"', () => {
    const { record } = postEvent(REAL[INDIE_POST]!);
    for (const written of ['indierebellion', '#INDIEREBELLION', 'ÍndieRebellión', 'ＩｎｄｉｅＲｅｂｅｌｌｉｏｎ', '＃IndieRebellion']) {
      expect(postMatchesHashtag(record, hashtagKey(written)), written).toBe(true);
    }
    expect(postMatchesHashtag(record, hashtagKey('indierebel'))).toBe(false);
    expect(postMatchesHashtag(record, hashtagKey('rebellion'))).toBe(false);
    expect(postMatchesHashtag(record, '')).toBe(false);
  });

  it('counts the tags a client attached to the record, but not a "#word" typed without a facet', () => {
    const key = hashtagKey('capcomnet');
    expect(postMatchesHashtag(postEvent(WRITTEN[QUOTE_WITH_TAGS]!).record, key)).toBe(true);
    expect(postMatchesHashtag(postEvent(WRITTEN[NO_FACET]!).record, key)).toBe(false);
    expect(postMatchesHashtag(postEvent(WRITTEN[LABELLED_FUTURE]!).record, key)).toBe(true);
  });

  it('sees likes, reposts, follows, blocks, statuses, identity and account events as nothing to show', () => {
    const notPosts = REAL.filter((frame) => {
      const raw = JSON.parse(frame) as { kind: string; commit?: { collection: string } };
      return raw.kind !== 'commit' || raw.commit?.collection !== 'app.bsky.feed.post';
    });
    expect(notPosts).toHaveLength(134);
    expect(REAL.filter(sentToPostSubscribers)).toHaveLength(20);
    for (const frame of notPosts) expect(parsed(frame)).toEqual({ type: 'other', timeUs: timeOf(frame) });
  });

  it('reads a deletion as the at:// URI of the deleted post', () => {
    const deletion = REAL.map(parsed).find((event) => event.type === 'post-deleted');
    expect(deletion).toMatchObject({ type: 'post-deleted', uri: 'at://did:plc:4smmjsqf6l5jkzczvw6vsrqc/app.bsky.feed.post/3mpt73z3ejc2p' });
  });

  it('maps a real post: its at:// URI, author, plain text, date and the frame kept for audit', () => {
    const event = postEvent(REAL[INDIE_POST]!);
    const author: BlueskyProfile = { handle: '@radio-listener.example', name: 'Radio Listener', avatarUrl: 'https://cdn.bsky.app/img/avatar/plain/x@jpeg' };
    const post = mapJetstreamPost(event, author, CDN);
    expect(post).toEqual({
      id: INDIE_URI,
      remoteId: INDIE_URI,
      author: { ...author, account: 'did:plc:tn3hni2jpphsgl6amfbb7ja6' },
      text: (JSON.parse(REAL[INDIE_POST]!) as { commit: { record: { text: string } } }).commit.record.text,
      media: [],
      createdAt: new Date('2026-07-04T14:38:07.323Z'),
      raw: JSON.parse(REAL[INDIE_POST]!),
    });
  });

  it('links an embedded image on the CDN, with its alt text when it has one', () => {
    const tales = mapJetstreamPost(postEvent(REAL[TALES_POST]!), fallbackProfile('did:plc:ynfp6wddjqpl44gordpsqkuw'), CDN);
    // The real image has an empty alt: no alt rather than an empty one.
    expect(tales?.media).toEqual([
      { kind: 'image', url: 'https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:ynfp6wddjqpl44gordpsqkuw/bafkreidrnwt23f7wy7fyfex5acdkxh62wsgpg245ame4c4rogfwb3upyaa@jpeg' },
    ]);
    const quote = mapJetstreamPost(postEvent(WRITTEN[QUOTE_WITH_TAGS]!), fallbackProfile('did:plc:writtenheretoilebbbbbbbb'), CDN);
    expect(quote?.media).toEqual([
      {
        kind: 'image',
        url: 'https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:writtenheretoilebbbbbbbb/bafkreihandwrittenplenaryphotoaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@jpeg',
        alt: 'The plenary room, seen from the back',
      },
    ]);
    // Link cards are not the post's images.
    const linkCard = postEvent(REAL[1]!);
    expect(postImages(linkCard.record, linkCard.did, CDN)).toEqual([]);
  });

  it('keeps hostile text as text and drops image refs that are not CIDs', () => {
    const post = mapJetstreamPost(postEvent(WRITTEN[HOSTILE]!), fallbackProfile('did:plc:writtenheretoileaaaaaaaa'), CDN);
    expect(post?.text).toBe('<script>alert(1)</script><img src=x onerror=alert(2)> javascript:alert(3) #capcomnet');
    expect(post?.media).toEqual([
      {
        kind: 'image',
        url: 'https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:writtenheretoileaaaaaaaa/bafkreihandwrittenhostileimageaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@jpeg',
        alt: '<img src=x onerror=alert(4)>',
      },
    ]);
  });

  it('builds no image URL from a DID or CDN that could change its path or scheme', () => {
    const record = { text: 'x', embed: { $type: 'app.bsky.embed.images', images: [{ alt: '', image: { ref: { $link: 'bafkreiabcdefghijklmnop' } } }] } };
    expect(postImages(record, 'did:plc:abc', CDN)).toHaveLength(1);
    expect(postImages(record, 'did:web:evil.example%2F..%2Fadmin', CDN)).toEqual([]);
    expect(postImages(record, 'did:plc:abc/../../admin', CDN)).toEqual([]);
    expect(postImages(record, 'did:plc:abc', 'http://cdn.example')).toEqual([]);
    const legacy = { text: 'x', embed: { $type: 'app.bsky.embed.images', images: [{ image: { cid: 'bafkreiabcdefghijklmnop', mimeType: 'image/png' } }] } };
    expect(postImages(legacy, 'did:plc:abc', CDN)).toHaveLength(1);
    const wrongCase = { text: 'x', embed: { $type: 'app.bsky.embed.images', images: [{ image: { ref: { $link: 'BAFKREIABCDEFGHIJKLMNOP' } } }] } };
    expect(postImages(wrongCase, 'did:plc:abc', CDN)).toEqual([]);
  });

  it('warns before a self-labelled post, and dates a post from the future by Jetstream clock', () => {
    const event = postEvent(WRITTEN[LABELLED_FUTURE]!);
    const post = mapJetstreamPost(event, fallbackProfile(event.did), CDN);
    expect(post?.contentWarning).toBe('Sensitive content (nudity, graphic media)');
    expect(post?.createdAt).toEqual(new Date(Math.floor(event.timeUs / 1000)));
    const badDate = postEvent(postFrame({ text: 'when?', createdAt: 'yesterday' }, { timeUs: 1783175888403568 }));
    expect(mapJetstreamPost(badDate, fallbackProfile(badDate.did), CDN)?.createdAt).toEqual(new Date(1783175888403));
  });

  it('skips frames that are not Jetstream events, and posts with nothing to show, without throwing', () => {
    const real = REAL[INDIE_POST]!;
    const broken = [
      'not json',
      real.slice(0, real.length / 2),
      'null',
      '[]',
      '42',
      '"frame"',
      '{}',
      '{"time_us":"1783175888403568","kind":"commit"}',
      '{"time_us":-1}',
      '{"time_us":1.5}',
      '{"time_us":1e300}',
      '['.repeat(100_000) + ']'.repeat(100_000),
    ];
    for (const frame of broken) expect(parseJetstreamFrame(frame), frame.slice(0, 40)).toBeNull();
    const useless = [
      postFrame('a string record'),
      postFrame(null),
      JSON.stringify({ did: 42, time_us: 5, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: 'x', record: {} } }),
      JSON.stringify({ did: 'did:plc:abc', time_us: 5, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: '../..', record: {} } }),
      JSON.stringify({ did: 'did:plc:abc', time_us: 5, kind: 'commit', commit: { operation: 'explode', collection: 'app.bsky.feed.post', rkey: 'x', record: {} } }),
      JSON.stringify({ did: 'did:plc:abc', time_us: 5, kind: 'commit', commit: 'x' }),
    ];
    for (const frame of useless) expect(parsed(frame).type, frame).toBe('other');
    const strange = postEvent(postFrame({ text: 42, facets: { not: 'a list' }, tags: 'capcomnet', embed: { $type: 'app.bsky.embed.images', images: 'none' }, labels: [] }));
    expect(postMatchesHashtag(strange.record, hashtagKey('capcomnet'))).toBe(false);
    expect(mapJetstreamPost(strange, fallbackProfile(strange.did), CDN)).toBeNull();
    const blank = postEvent(postFrame({ text: '  \n ', facets: [tagFacet('capcomnet')] }));
    expect(mapJetstreamPost(blank, fallbackProfile(blank.did), CDN)).toBeNull();
  });

  it('cuts a megabyte of text before handing it on', () => {
    const event = postEvent(postFrame({ text: `#capcomnet ${'a'.repeat(1_000_000)}`, facets: [tagFacet('capcomnet')], createdAt: '2026-07-04T14:40:00Z' }));
    const post = mapJetstreamPost(event, fallbackProfile(event.did), CDN);
    expect(post?.text.length).toBe(10_000);
    expect(post?.text.startsWith('#capcomnet aaa')).toBe(true);
  });

  it('subscribes to posts only, with a frame size cap, resuming a few seconds before its cursor', () => {
    expect(subscribeUrl('wss://jetstream2.us-east.bsky.network', resumePoint(null))).toBe(
      `wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.feed.post&maxMessageSizeBytes=${MAX_FRAME_BYTES}`,
    );
    expect(subscribeUrl('wss://jetstream2.us-east.bsky.network/', resumePoint(1783175888403568))).toBe(
      'wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.feed.post&cursor=1783175883403568&maxMessageSizeBytes=1048576',
    );
    expect(resumePoint(1000)).toBe(0);
  });
});

describe('author profiles', () => {
  let appView: FakeAppView | undefined;
  afterEach(async () => {
    await appView?.close();
    appView = undefined;
  });
  const resolverOptions = (url: string) => ({ appviewUrl: url, timeoutMs: 1000, backoffMs: 60_000, maxBackoffMs: 60_000 });
  const signal = new AbortController().signal;

  it('reads a handle, a display name and an https avatar, and nothing that is not one', () => {
    expect(profileFromView({ did: 'did:plc:a', handle: 'Alice.Example', displayName: 'Alice', avatar: 'https://cdn.example/a.jpg' })).toEqual({
      did: 'did:plc:a',
      profile: { handle: '@alice.example', name: 'Alice', avatarUrl: 'https://cdn.example/a.jpg' },
    });
    expect(profileFromView({ did: 'did:plc:m', handle: 'handle.invalid', displayName: '<b onmouseover=alert(5)>Mallory</b>', avatar: 'javascript:alert(6)' })).toEqual({
      did: 'did:plc:m',
      profile: { handle: 'did:plc:m', name: '<b onmouseover=alert(5)>Mallory</b>' },
    });
    expect(profileFromView({ did: 'did:plc:h', handle: 'evil/../path', avatar: 'http://cdn.example/a.jpg' })?.profile).toEqual({ handle: 'did:plc:h', name: '' });
    expect(profileFromView({ handle: 'no.did' })).toBeNull();
    expect(profileFromView('profile')).toBeNull();
  });

  it('looks authors up 25 at a time, each once, and remembers them', async () => {
    appView = await startFakeAppView();
    const resolver = createProfileResolver(resolverOptions(appView.url));
    const dids = Array.from({ length: 30 }, (_, i) => `did:plc:unknown${String(i).padStart(2, '0')}`);
    const first = await resolver.resolve(['did:plc:tn3hni2jpphsgl6amfbb7ja6', ...dids, 'did:plc:tn3hni2jpphsgl6amfbb7ja6'], signal);
    expect(first.failure).toBeUndefined();
    expect(appView.requests.map((actors) => actors.length)).toEqual([25, 6]);
    expect(first.profiles.get('did:plc:tn3hni2jpphsgl6amfbb7ja6')).toMatchObject({ handle: '@radio-listener.example', name: 'Radio Listener' });
    // An account the AppView does not know keeps its DID, and is not asked about again.
    expect(first.profiles.get('did:plc:unknown07')).toEqual({ handle: 'did:plc:unknown07', name: '' });
    await resolver.resolve(['did:plc:tn3hni2jpphsgl6amfbb7ja6', 'did:plc:unknown07'], signal);
    expect(appView.requests).toHaveLength(2);
  });

  it('forgets the least recently used author first, and every author after its time to live', async () => {
    appView = await startFakeAppView();
    let now = 0;
    const resolver = createProfileResolver({ ...resolverOptions(appView.url), maxEntries: 2, ttlMs: 1000, now: () => now });
    await resolver.resolve(['did:plc:a'], signal);
    await resolver.resolve(['did:plc:b'], signal);
    await resolver.resolve(['did:plc:a'], signal);
    await resolver.resolve(['did:plc:c'], signal);
    expect(appView.requests).toHaveLength(3);
    await resolver.resolve(['did:plc:a'], signal);
    expect(appView.requests).toHaveLength(3);
    await resolver.resolve(['did:plc:b'], signal);
    expect(appView.requests).toHaveLength(4);
    now = 1000;
    await resolver.resolve(['did:plc:b'], signal);
    expect(appView.requests).toHaveLength(5);
  });

  it('gives the DID when the AppView fails, and leaves the AppView alone for a while', async () => {
    appView = await startFakeAppView();
    appView.mode = 'fail';
    let now = 0;
    const resolver = createProfileResolver({ ...resolverOptions(appView.url), backoffMs: 1000, maxBackoffMs: 4000, now: () => now });
    const failed = await resolver.resolve(['did:plc:tn3hni2jpphsgl6amfbb7ja6'], signal);
    expect(failed.profiles.get('did:plc:tn3hni2jpphsgl6amfbb7ja6')).toEqual({ handle: 'did:plc:tn3hni2jpphsgl6amfbb7ja6', name: '' });
    expect(failed.failure?.message).toMatch(/HTTP 500/);
    const meanwhile = await resolver.resolve(['did:plc:tn3hni2jpphsgl6amfbb7ja6'], signal);
    expect(appView.requests).toHaveLength(1);
    expect(meanwhile.profiles.get('did:plc:tn3hni2jpphsgl6amfbb7ja6')?.handle).toBe('did:plc:tn3hni2jpphsgl6amfbb7ja6');
    expect(meanwhile.failure).toBeUndefined();
    appView.mode = 'answer';
    now = 1000;
    const recovered = await resolver.resolve(['did:plc:tn3hni2jpphsgl6amfbb7ja6'], signal);
    expect(recovered.failure).toBeUndefined();
    expect(recovered.profiles.get('did:plc:tn3hni2jpphsgl6amfbb7ja6')?.handle).toBe('@radio-listener.example');
  });

  it('gives up on an AppView that does not answer after the timeout', async () => {
    appView = await startFakeAppView();
    appView.mode = 'hang';
    const resolver = createProfileResolver({ ...resolverOptions(appView.url), timeoutMs: 200 });
    const started = Date.now();
    const lookup = await resolver.resolve(['did:plc:tn3hni2jpphsgl6amfbb7ja6'], signal);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(lookup.profiles.get('did:plc:tn3hni2jpphsgl6amfbb7ja6')).toEqual(fallbackProfile('did:plc:tn3hni2jpphsgl6amfbb7ja6'));
    expect(lookup.failure).toBeDefined();
  });
});

const TIMING: SourceTiming = { pollMs: 50, backoffMs: 50, maxBackoffMs: 400, timeoutMs: 1000, cursorFlushMs: 50 };

/** A SourceContext that behaves as the manager's does (a post is stored once) and records every call. */
function recordingContext(options: { cursor?: string; timing?: Partial<SourceTiming> } = {}) {
  const controller = new AbortController();
  const logLines: string[] = [];
  const log = pino({ level: 'debug' }, new Writable({ write(chunk: Buffer, _encoding, done) { logLines.push(chunk.toString()); done(); } }));
  const stored = new Map<string, SocialPost>();
  const calls = {
    ingested: [] as { ids: string[]; cursor: string | null }[],
    updated: [] as SocialPost[],
    retracted: [] as string[],
    errors: [] as string[],
    polled: 0,
  };
  let cursor: string | null = options.cursor ?? null;
  const live = () => !controller.signal.aborted;
  const ctx: SourceContext = {
    signal: controller.signal,
    timing: { ...TIMING, ...options.timing },
    log: log as unknown as FastifyBaseLogger,
    now: () => new Date(),
    cursor: () => cursor,
    ingest(posts, next) {
      if (!live()) return;
      calls.ingested.push({ ids: posts.map((post) => post.id), cursor: next });
      for (const post of posts) if (!stored.has(post.id)) stored.set(post.id, post);
      cursor = next;
    },
    update(post) {
      if (live()) calls.updated.push(post);
    },
    retract(id) {
      if (live()) calls.retracted.push(id);
    },
    polled() {
      if (live()) calls.polled += 1;
    },
    error(error) {
      if (live()) calls.errors.push(error instanceof Error ? error.message : String(error));
    },
    sleep(ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        controller.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    },
  };
  return { ctx, stored, calls, logLines, cursor: () => cursor, stop: () => controller.abort() };
}

async function eventually<T>(check: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = check();
    if (result !== undefined && result !== false) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the Bluesky source', () => {
  let jetstream: FakeJetstream | undefined;
  let appView: FakeAppView | undefined;
  const stops: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await jetstream?.close();
    await appView?.close();
    jetstream = undefined;
    appView = undefined;
  });

  /** Starts a runner for `hashtag` against the fakes; the test's end stops it and checks that it ended quietly. */
  async function run(hashtag: string, options: { cursor?: string; timing?: Partial<SourceTiming>; jetstreamUrl?: string } = {}) {
    appView ??= await startFakeAppView();
    const recorder = recordingContext(options);
    const running = createBlueskyRunner({ hashtag, jetstreamUrl: options.jetstreamUrl ?? jetstream!.url, appviewUrl: appView.url, cdnUrl: CDN })(recorder.ctx);
    const stop = async () => {
      recorder.stop();
      await running;
    };
    stops.push(stop);
    return { ...recorder, running, stopNow: stop };
  }

  it.each([
    ['IndieRebellion', INDIE_URI, { handle: '@radio-listener.example', name: 'Radio Listener' }],
    ['#indierebellion', INDIE_URI, { handle: '@radio-listener.example', name: 'Radio Listener' }],
    ['TalesAtWonderworld', TALES_URI, { handle: '@tempo-tales.example', name: 'Tempo Tales' }],
    ['balanwonderworldoc', TALES_URI, { handle: '@tempo-tales.example', name: 'Tempo Tales' }],
  ])('stores the one real post tagged %s from a replay of the 152 frames, with its author', async (hashtag, uri, author) => {
    jetstream = await startFakeJetstream();
    const source = await run(hashtag);
    await eventually(() => source.cursor() === String(REAL_POSTS_LAST_US), 'the whole replay to be processed');
    expect([...source.stored.keys()]).toEqual([uri]);
    expect(source.stored.get(uri)?.author).toMatchObject({ ...author, avatarUrl: expect.stringMatching(/^https:\/\/cdn\.bsky\.app\/img\/avatar\//) });
    expect(jetstream.connections[0]?.query.getAll('wantedCollections')).toEqual(['app.bsky.feed.post']);
    expect(jetstream.connections[0]?.query.has('cursor')).toBe(false);
    expect(source.calls.polled).toBe(1);
    expect(source.calls.errors).toEqual([]);
  });

  it('stores the real post with its image as a CDN link', async () => {
    jetstream = await startFakeJetstream();
    const source = await run('talesatwonderworld');
    const post = await eventually(() => source.stored.get(TALES_URI), 'the #talesatwonderworld post');
    expect(post.media).toEqual([
      { kind: 'image', url: 'https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:ynfp6wddjqpl44gordpsqkuw/bafkreidrnwt23f7wy7fyfex5acdkxh62wsgpg245ame4c4rogfwb3upyaa@jpeg' },
    ]);
  });

  it('ignores likes, reposts, follows and account events even from a Jetstream that sends them unasked', async () => {
    jetstream = await startFakeJetstream({ honourFilters: false });
    const source = await run('indierebellion');
    await eventually(() => source.cursor() === String(REAL_LAST_US), 'the whole replay to be processed');
    expect(jetstream.connections[0]?.sent).toBe(152);
    expect([...source.stored.keys()]).toEqual([INDIE_URI]);
    expect(source.calls.updated).toEqual([]);
    // The only deletion in the capture is passed on: a deletion cannot tell whether the post had the tag.
    expect(source.calls.retracted).toEqual(['at://did:plc:4smmjsqf6l5jkzczvw6vsrqc/app.bsky.feed.post/3mpt73z3ejc2p']);
  });

  it('applies an edit of a stored post and retracts a deleted one', async () => {
    jetstream = await startFakeJetstream();
    const source = await run('indierebellion');
    await eventually(() => source.stored.has(INDIE_URI), 'the #IndieRebellion post');
    jetstream.publish(WRITTEN[EDIT_OF_INDIE]!);
    jetstream.publish(WRITTEN[DELETE_OF_TALES]!);
    await eventually(() => source.calls.retracted.includes(TALES_URI), 'the deletion');
    expect(source.calls.updated.map((post) => [post.id, post.text])).toEqual([[INDIE_URI, expect.stringContaining('Edited: Radio TFSC started an #IndieRebellion')]]);
    expect(source.calls.updated[0]?.author.handle).toBe('@radio-listener.example');
  });

  it('retracts a post edited so that it no longer carries the hashtag, and applies a replayed edit once', async () => {
    jetstream = await startFakeJetstream({ history: [] });
    const source = await run('howtotellaitoshutup');
    await jetstream.waitForConnections(1);
    const edit = JSON.parse(WRITTEN[EDIT_OF_INDIE]!) as { time_us: number; commit: { record: Record<string, unknown> } };
    jetstream.publish(WRITTEN[EDIT_OF_INDIE]!);
    jetstream.publish(WRITTEN[EDIT_OF_INDIE]!, edit.time_us);
    const untagged = { ...edit, time_us: edit.time_us + 1, commit: { ...edit.commit, cid: 'bafyreiuntagged', record: { ...edit.commit.record, facets: [] } } };
    jetstream.publish(untagged);
    await eventually(() => source.calls.retracted.includes(INDIE_URI), 'the retraction of the untagged post');
    expect(source.calls.updated).toHaveLength(1);
  });

  it('resumes from its cursor after the connection drops, and stores each post once', async () => {
    const frames = [...REAL, ...WRITTEN];
    const sent = frames.filter(sentToPostSubscribers);
    // The cut comes right after the quote post, the second post of the stream with #capcomnet.
    const cut = sent.indexOf(WRITTEN[QUOTE_WITH_TAGS]!) + 1;
    jetstream = await startFakeJetstream({ history: frames, dropFirstConnectionAfter: cut });
    const source = await run('capcomnet');
    const [, second] = await jetstream.waitForConnections(2);
    const lastSeen = Math.max(...sent.slice(0, cut).map(timeOf));
    expect(lastSeen).toBe(timeOf(WRITTEN[QUOTE_WITH_TAGS]!));
    expect(second?.query.get('cursor')).toBe(String(lastSeen - CURSOR_REWIND_US));
    await eventually(() => source.stored.has(DID_WEB_URI), 'the posts after the cut');
    expect([...source.stored.keys()].sort()).toEqual([DID_WEB_URI, HOSTILE_URI, LABELLED_URI, QUOTE_URI].sort());
    // The replay started a few seconds before the cursor: no real frame again, the posts around the cut twice.
    expect(second?.sent).toBe(WRITTEN.filter(sentToPostSubscribers).length);
    const offered = source.calls.ingested.flatMap((call) => call.ids);
    expect(offered.filter((id) => id === HOSTILE_URI)).toHaveLength(2);
    expect(source.calls.errors.some((message) => /closed the connection \(code 1006\)/.test(message))).toBe(true);
  });

  it('starts from the stored cursor, a few seconds before it', async () => {
    const frames = [...REAL, ...WRITTEN];
    jetstream = await startFakeJetstream({ history: frames });
    const stored = timeOf(WRITTEN[QUOTE_WITH_TAGS]!);
    const source = await run('capcomnet', { cursor: String(stored) });
    const [first] = await jetstream.waitForConnections(1);
    expect(first?.query.get('cursor')).toBe(String(stored - CURSOR_REWIND_US));
    await eventually(() => source.stored.has(DID_WEB_URI), 'the post after the cursor');
    expect(source.stored.size).toBe(4);
  });

  it('stores its cursor while nothing matches, but not for every frame', async () => {
    jetstream = await startFakeJetstream();
    const source = await run('nothingmatchesthis');
    await eventually(() => source.cursor() === String(REAL_POSTS_LAST_US), 'the cursor of the last frame');
    expect(source.stored.size).toBe(0);
    expect(source.calls.ingested.every((call) => call.ids.length === 0)).toBe(true);
    expect(source.calls.ingested.length).toBeLessThan(20);
    // The cursor never moves back, although the frames are not in time order.
    const cursors = source.calls.ingested.map((call) => Number(call.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
  });

  it('never lets a hostile frame stop it, never logs its content, and keeps markup as text', async () => {
    const real = REAL[INDIE_POST]!;
    const t = REAL_LAST_US + 30_000_000;
    const megabyte = postFrame({ text: `#capcomnet ${'<b>'.repeat(340_000)}`, facets: [tagFacet('capcomnet')], createdAt: '2026-07-04T14:40:00Z' }, { rkey: '3mptczmegab2a', timeUs: t + 7 });
    expect(Buffer.byteLength(megabyte)).toBeGreaterThan(1_000_000);
    expect(Buffer.byteLength(megabyte)).toBeLessThan(MAX_FRAME_BYTES);
    const history: StreamEntry[] = [
      ...REAL.slice(0, 40).map((frame) => entry(frame)),
      entry('not json <script>alert(1)</script>', t),
      entry(real.slice(0, real.length / 2), t + 1),
      entry('{"time_us":"soon","kind":"commit"}', t + 2),
      entry('[]', t + 3),
      entry(postFrame('a string record', { timeUs: t + 4 })),
      entry(postFrame({ text: 7, facets: { tag: 'capcomnet' }, tags: [null, 42, 'capcomnet'.repeat(100)] }, { timeUs: t + 5, rkey: '3mptczweird2a' })),
      entry(JSON.stringify({ did: 'did:plc:abc', time_us: t + 6, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: 'a/b', record: {} } })),
      entry(megabyte),
      entry(WRITTEN[HOSTILE]!, t + 8),
    ];
    jetstream = await startFakeJetstream({ history });
    const source = await run('capcomnet');
    const hostile = await eventually(() => source.stored.get(HOSTILE_URI), 'the hostile post');
    expect(hostile.text).toBe('<script>alert(1)</script><img src=x onerror=alert(2)> javascript:alert(3) #capcomnet');
    expect(hostile.author).toEqual({ handle: '@mallory.example', name: '<b onmouseover=alert(5)>Mallory</b>', account: 'did:plc:writtenheretoileaaaaaaaa' });
    expect(source.stored.get('at://did:plc:writtenheretoileaaaaaaaa/app.bsky.feed.post/3mptczmegab2a')?.text).toHaveLength(10_000);
    expect(source.stored.size).toBe(2);

    // A server that ignores maxMessageSizeBytes: the oversized frame costs a reconnection, not the source.
    jetstream.sendRaw(postFrame({ text: 'x'.repeat(2 * MAX_FRAME_BYTES) }));
    await jetstream.waitForConnections(2);
    jetstream.publish(WRITTEN[LABELLED_FUTURE]!);
    await eventually(() => source.stored.has(LABELLED_URI), 'a post after the oversized frame');
    expect(source.calls.errors.some((message) => /1009|payload/i.test(message))).toBe(true);
    expect(source.logLines.join('')).not.toMatch(/script|onerror|<b>/);
  });

  it('looks up the authors of posts arriving together in one AppView request, then remembers them', async () => {
    jetstream = await startFakeJetstream({ history: [] });
    const source = await run('capcomnet');
    await jetstream.waitForConnections(1);
    for (const index of [HOSTILE, QUOTE_WITH_TAGS, DID_WEB]) jetstream.publish(WRITTEN[index]!);
    await eventually(() => source.stored.size === 3, 'three posts');
    expect(appView!.requests).toHaveLength(1);
    expect(appView!.requests[0]?.slice().sort()).toEqual(['did:plc:writtenheretoileaaaaaaaa', 'did:plc:writtenheretoilebbbbbbbb', 'did:web:toile-bluesky.example']);
    // The did:web author is unknown to the AppView: the DID stands in for the handle.
    expect(source.stored.get(DID_WEB_URI)?.author).toEqual({ handle: 'did:web:toile-bluesky.example', name: '', account: 'did:web:toile-bluesky.example' });
    // An http avatar is not an avatar; the handle is lower-cased as handles compare.
    expect(source.stored.get(QUOTE_URI)?.author).toEqual({ handle: '@claire.example', name: '', account: 'did:plc:writtenheretoilebbbbbbbb' });
    jetstream.publish(WRITTEN[LABELLED_FUTURE]!);
    await eventually(() => source.stored.has(LABELLED_URI), 'a fourth post by a known author');
    expect(appView!.requests).toHaveLength(1);
  });

  it('stores a post with its DID as author when the AppView fails, and reports the failure', async () => {
    jetstream = await startFakeJetstream();
    appView = await startFakeAppView();
    appView.mode = 'fail';
    const source = await run('indierebellion');
    const post = await eventually(() => source.stored.get(INDIE_URI), 'the post');
    expect(post.author).toEqual({ handle: 'did:plc:tn3hni2jpphsgl6amfbb7ja6', name: '', account: 'did:plc:tn3hni2jpphsgl6amfbb7ja6' });
    expect(source.calls.errors).toEqual([expect.stringMatching(/^Bluesky profiles could not be read: .*HTTP 500/)]);
  });

  it('does not hold posts back for long when the AppView hangs', async () => {
    jetstream = await startFakeJetstream();
    appView = await startFakeAppView();
    appView.mode = 'hang';
    const started = Date.now();
    const source = await run('indierebellion', { timing: { timeoutMs: 300 } });
    await eventually(() => source.cursor() === String(REAL_POSTS_LAST_US), 'the whole replay to be processed');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(source.stored.get(INDIE_URI)?.author.handle).toBe('did:plc:tn3hni2jpphsgl6amfbb7ja6');
  });

  it('drops and reopens a connection on which Jetstream has gone silent', async () => {
    jetstream = await startFakeJetstream({ history: [], answerPings: false });
    const source = await run('capcomnet', { timing: { timeoutMs: 100 } });
    await jetstream.waitForConnections(2, 3000);
    expect(source.calls.errors[0]).toBe('Jetstream sent nothing for 0.3 s; reconnecting');
    await eventually(() => source.calls.polled >= 2, 'the second connection to open');
  });

  it('keeps a quiet connection on which Jetstream answers pings', async () => {
    jetstream = await startFakeJetstream({ history: [] });
    const source = await run('capcomnet', { timing: { timeoutMs: 100 } });
    await jetstream.waitForConnections(1);
    // Six times the silence limit: only an absence can be checked, so the test waits it out.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(jetstream.connections).toHaveLength(1);
    expect(source.calls.errors).toEqual([]);
  });

  it('retries an unreachable Jetstream with a doubling backoff, reporting each failure', async () => {
    jetstream = await startFakeJetstream();
    const closedUrl = jetstream.url;
    await jetstream.close();
    jetstream = undefined;
    const source = await run('capcomnet', { jetstreamUrl: closedUrl });
    const times: number[] = [];
    await eventually(() => {
      while (times.length < source.calls.errors.length) times.push(Date.now());
      return source.calls.errors.length >= 5;
    }, 'five failed attempts');
    expect(source.calls.errors[0]).toMatch(/ECONNREFUSED/);
    const gaps = times.slice(1).map((time, i) => time - times[i]!);
    // 50, 100, 200, 400 ms: each wait at least the one before, give or take the polling.
    expect(gaps[0]).toBeLessThan(150);
    expect(gaps[3]).toBeGreaterThanOrEqual(350);
    expect(source.calls.polled).toBe(0);
  });

  it('stops promptly, without reporting an error, when the source is stopped', async () => {
    jetstream = await startFakeJetstream({ history: [] });
    const source = await run('capcomnet');
    await jetstream.waitForConnections(1);
    const started = Date.now();
    await source.stopNow();
    expect(Date.now() - started).toBeLessThan(500);
    expect(source.calls.errors).toEqual([]);
  });
});
