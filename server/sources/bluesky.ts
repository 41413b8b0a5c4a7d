/**
 * Bluesky, read through Jetstream (https://github.com/bluesky-social/jetstream, v1 wire format): a public
 * WebSocket that turns the network's firehose into JSON, one frame per repository event. Toile asks it for
 * posts only (`wantedCollections=app.bsky.feed.post`), keeps those that carry the wall's hashtag, and
 * resumes after a restart from the `time_us` of the last frame it processed (the `cursor` parameter).
 * No account is needed. The author's handle, name and avatar are not in the frame: they come from the
 * AppView (see bluesky-profiles.ts). Images are linked on Bluesky's CDN, never fetched here.
 *
 * Everything in a frame is remote input: the frame is checked field by field, a frame that is not a
 * Jetstream event is skipped, and nothing a post says is ever treated as markup.
 */
import WebSocket from 'ws';
import type { MediaItem } from '../domain/message.js';
import { hashtagKey, normalizeText } from '../domain/normalize.js';
import { httpsUrl } from '../domain/urls.js';
import { createProfileResolver, fallbackProfile, type BlueskyProfile, type ProfileResolver } from './bluesky-profiles.js';
import type { BlueskySettings, SocialPost, SourceContext, SourceRunner } from './types.js';

export const POST_COLLECTION = 'app.bsky.feed.post';

/**
 * The largest frame Toile accepts. A post's text is at most 3000 bytes (the `app.bsky.feed.post` lexicon),
 * so real frames are a few kilobytes; Jetstream is asked not to send larger ones (`maxMessageSizeBytes`),
 * and ws drops a connection that sends one anyway rather than buffering it (its own default is 100 MiB).
 */
export const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * How far before its cursor a reconnection resumes. Jetstream's README advises "subtract a few seconds" for
 * gapless playback: live frames are not strictly ordered by `time_us` (the real capture in
 * tests/fixtures/bluesky is out of order by up to a tenth of a second), while a replay is. Frames seen twice
 * are harmless: a stored post is skipped and a deletion is idempotent.
 */
export const CURSOR_REWIND_US = 5_000_000;

/** A connection that has sent neither a frame nor a pong for this many timeouts is presumed dead. */
const SILENT_TIMEOUTS = 3;
/** Frames handled in one go (and their authors looked up in one request); more wait for the next turn. */
const MAX_BATCH_FRAMES = 1000;
/** Reading from the socket pauses when this much is waiting to be handled (the AppView is slow), and resumes below a quarter of it. */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;
/**
 * A post's text is 300 graphemes at most; the pipeline keeps 500. Text this far beyond is cut before it
 * is handed on, so that a hostile megabyte costs nothing downstream.
 */
const MAX_TEXT_UNITS = 10_000;
/** Bluesky's app limits alt text to 2000 characters. */
const MAX_ALT_GRAPHEMES = 2000;
/** `app.bsky.embed.images` holds at most four images. */
const MAX_IMAGES = 4;
/** The lexicon caps `tags` at 8; facets have no cap, so only this many are looked at (a post has at most 3000 bytes of text to annotate). */
const MAX_FACETS = 300;
const MAX_FEATURES_PER_FACET = 8;
const MAX_TAGS = 8;
/** A tag is at most 640 bytes (64 graphemes); anything longer cannot be the wall's hashtag. */
const MAX_TAG_UNITS = 640;
/** A post dated further ahead than this (a wrong clock, a forged date) is dated by Jetstream instead. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** Edits already applied, remembered so that a replayed edit does not send a post back to moderation. */
const REMEMBERED_EDITS = 1000;

/** DID syntax (https://atproto.com/specs/did), with a length bound well above any real DID. */
const DID = /^did:[a-z]+:[a-zA-Z0-9._:%-]{0,253}[a-zA-Z0-9._-]$/;
/**
 * A DID that may go into a CDN path as is: no "%" (which the CDN might decode into "/" or "..") and nothing
 * else outside the DID alphabet. did:plc and did:web DIDs of ordinary hosts are all of this form.
 */
const PATH_SAFE_DID = /^did:[a-z]+:[a-zA-Z0-9._:-]+$/;
/** Record key syntax (https://atproto.com/specs/record-key); "." and ".." are excluded separately. */
const RECORD_KEY = /^[a-zA-Z0-9._:~-]{1,512}$/;
/** A CIDv1 in base32, as blob refs are written: "b" then lower-case base32 ("bafkrei…"). */
const BLOB_CID = /^b[a-z2-7]{8,120}$/;
/** The atproto datetime format (RFC 3339 with a mandatory offset). */
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
const CURSOR = /^\d{1,16}$/;

/**
 * Self-labels an author puts on their own post (`com.atproto.label.defs#selfLabels`), in the words the wall
 * shows behind its warning. Bluesky's "adult content" labels; others are not warnings.
 */
const SELF_LABEL_WARNINGS: Record<string, string> = {
  porn: 'adult content',
  sexual: 'sexual content',
  nudity: 'nudity',
  'graphic-media': 'graphic media',
  gore: 'graphic media',
};

/** A post created or edited: its record is an object, not yet known to be usable. */
export interface JetstreamPostEvent {
  type: 'post';
  operation: 'create' | 'update';
  did: string;
  rkey: string;
  /** The post's `at://` URI: its identity everywhere on the network. */
  uri: string;
  /** The record's CID, which changes with each edit. */
  cid?: string;
  timeUs: number;
  record: Record<string, unknown>;
  /** The whole frame as received, for the audit trail. */
  frame: unknown;
}

export interface JetstreamDeleteEvent {
  type: 'post-deleted';
  did: string;
  rkey: string;
  uri: string;
  timeUs: number;
}

/** Anything else Jetstream sends (other collections, identity and account events): it only moves the cursor. */
export interface JetstreamOtherEvent {
  type: 'other';
  timeUs: number;
}

export type JetstreamEvent = JetstreamPostEvent | JetstreamDeleteEvent | JetstreamOtherEvent;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `at://` URI of a post, the id Bluesky itself gives it. */
export function postUri(did: string, rkey: string): string {
  return `at://${did}/${POST_COLLECTION}/${rkey}`;
}

/**
 * Reads one Jetstream frame. Returns null for what is not a Jetstream event at all (invalid or truncated
 * JSON, no usable `time_us`): it is skipped without moving the cursor. A well-formed event that Toile has no
 * use for (a like, an identity event, a post whose fields do not check out) is `other`, which moves the cursor.
 */
export function parseJetstreamFrame(data: string): JetstreamEvent | null {
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(frame)) return null;
  const timeUs = frame.time_us;
  if (typeof timeUs !== 'number' || !Number.isSafeInteger(timeUs) || timeUs <= 0) return null;
  const other: JetstreamOtherEvent = { type: 'other', timeUs };
  const { did, commit } = frame;
  if (frame.kind !== 'commit' || !isRecord(commit) || commit.collection !== POST_COLLECTION) return other;
  if (typeof did !== 'string' || !DID.test(did)) return other;
  const { rkey, operation } = commit;
  if (typeof rkey !== 'string' || !RECORD_KEY.test(rkey) || rkey === '.' || rkey === '..') return other;
  const uri = postUri(did, rkey);
  if (operation === 'delete') return { type: 'post-deleted', did, rkey, uri, timeUs };
  if ((operation !== 'create' && operation !== 'update') || !isRecord(commit.record)) return other;
  const cid = typeof commit.cid === 'string' && commit.cid.length <= 128 ? commit.cid : undefined;
  return { type: 'post', operation, did, rkey, uri, ...(cid === undefined ? {} : { cid }), timeUs, record: commit.record, frame };
}

/**
 * The hashtags a post declares: those of its `app.bsky.richtext.facet#tag` facets, then its record's `tags`
 * (extra tags a client attached without writing them in the text), as written. Facets' byte ranges are not
 * needed for this and are not read.
 */
export function postTags(record: Record<string, unknown>): string[] {
  const tags: string[] = [];
  if (Array.isArray(record.facets)) {
    for (const facet of record.facets.slice(0, MAX_FACETS)) {
      if (!isRecord(facet) || !Array.isArray(facet.features)) continue;
      for (const feature of facet.features.slice(0, MAX_FEATURES_PER_FACET)) {
        if (isRecord(feature) && feature.$type === 'app.bsky.richtext.facet#tag' && typeof feature.tag === 'string') tags.push(feature.tag);
      }
    }
  }
  if (Array.isArray(record.tags)) {
    for (const tag of record.tags.slice(0, MAX_TAGS)) if (typeof tag === 'string') tags.push(tag);
  }
  return tags;
}

/**
 * Whether a post carries the hashtag whose `hashtagKey` is `key`: "#CapComNet", "#capcomnét" and
 * "#ＣａｐＣｏｍＮｅｔ" are one tag. Only declared tags count, never "#word" in the text alone: Bluesky's
 * clients write a tag facet for every hashtag they show as one, so a "#" without a facet is not a hashtag
 * to Bluesky either (it is not linked, and Bluesky's own tag search does not find it).
 */
export function postMatchesHashtag(record: Record<string, unknown>, key: string): boolean {
  if (key === '') return false;
  return postTags(record).some((tag) => tag.length <= MAX_TAG_UNITS && hashtagKey(tag) === key);
}

/** A blob's CID, from its current form (`ref.$link`) or the legacy one (`cid`), if it is a well-formed CID. */
function blobCid(blob: unknown): string | undefined {
  if (!isRecord(blob)) return undefined;
  const cid = isRecord(blob.ref) ? blob.ref.$link : blob.cid;
  return typeof cid === 'string' && BLOB_CID.test(cid) ? cid : undefined;
}

/**
 * The images a post embeds, as links to Bluesky's CDN (`<cdn>/img/feed_fullsize/plain/<did>/<cid>@jpeg`,
 * the form Bluesky's own app uses), with their alt text. Images come from `app.bsky.embed.images`, or from
 * the media half of `app.bsky.embed.recordWithMedia` (a quote post with pictures). Other embeds (link cards,
 * videos, quoted posts) are not images of this post and are left out. The DID and the CID are checked
 * against their strict syntax, so that nothing a frame says can change the URL's path.
 */
export function postImages(record: Record<string, unknown>, did: string, cdnUrl: string): MediaItem[] {
  const embed = record.embed;
  if (!isRecord(embed) || !PATH_SAFE_DID.test(did)) return [];
  const images =
    embed.$type === 'app.bsky.embed.images' ? embed.images
    : embed.$type === 'app.bsky.embed.recordWithMedia' && isRecord(embed.media) && embed.media.$type === 'app.bsky.embed.images' ? embed.media.images
    : undefined;
  if (!Array.isArray(images)) return [];
  const media: MediaItem[] = [];
  for (const image of images.slice(0, MAX_IMAGES)) {
    if (!isRecord(image)) continue;
    const cid = blobCid(image.image);
    const url = cid === undefined ? undefined : httpsUrl(`${cdnUrl}/img/feed_fullsize/plain/${did}/${cid}@jpeg`);
    if (url === undefined) continue;
    const alt = typeof image.alt === 'string' ? normalizeText(image.alt, { maxGraphemes: MAX_ALT_GRAPHEMES }) : '';
    media.push({ kind: 'image', url, ...(alt === '' ? {} : { alt }) });
  }
  return media;
}

/** The warning a wall shows before a post its author labelled as adult or graphic, e.g. "Sensitive content (nudity)". */
export function postContentWarning(record: Record<string, unknown>): string | undefined {
  const labels = record.labels;
  if (!isRecord(labels) || !Array.isArray(labels.values)) return undefined;
  const reasons = new Set<string>();
  for (const label of labels.values.slice(0, 10)) {
    if (!isRecord(label) || typeof label.val !== 'string') continue;
    const reason = SELF_LABEL_WARNINGS[label.val];
    if (reason !== undefined) reasons.add(reason);
  }
  return reasons.size === 0 ? undefined : `Sensitive content (${[...reasons].join(', ')})`;
}

/**
 * When a post was written: its record's `createdAt`, which its client declares, unless that is not an
 * atproto datetime or lies in the future; then the moment Jetstream saw it (`time_us`).
 */
export function postCreatedAt(createdAt: unknown, timeUs: number): Date {
  const seen = Math.floor(timeUs / 1000);
  if (typeof createdAt === 'string' && createdAt.length <= 64 && DATETIME.test(createdAt)) {
    const declared = Date.parse(createdAt);
    if (Number.isFinite(declared) && declared <= seen + FUTURE_TOLERANCE_MS) return new Date(declared);
  }
  return new Date(seen);
}

/**
 * A post as Toile stores it, or null when there is nothing to show (no text and no image: a video-only
 * post, a bare quote). The text is Bluesky's plain text, already without markup; it is kept as is.
 */
export function mapJetstreamPost(event: JetstreamPostEvent, profile: BlueskyProfile, cdnUrl: string): SocialPost | null {
  const { record } = event;
  const text = typeof record.text === 'string' ? record.text.slice(0, MAX_TEXT_UNITS) : '';
  const media = postImages(record, event.did, cdnUrl);
  if (text.trim() === '' && media.length === 0) return null;
  const contentWarning = postContentWarning(record);
  return {
    id: event.uri,
    remoteId: event.uri,
    author: {
      name: profile.name,
      handle: profile.handle,
      ...(profile.avatarUrl === undefined ? {} : { avatarUrl: profile.avatarUrl }),
      account: event.did,
    },
    text,
    media,
    ...(contentWarning === undefined ? {} : { contentWarning }),
    createdAt: postCreatedAt(record.createdAt, event.timeUs),
    raw: event.frame,
  };
}

/**
 * The subscription URL: posts only, frames no larger than Toile accepts, and, when resuming, the cursor.
 * `jetstreamUrl` is the instance's base URL (`wss://jetstream2.us-east.bsky.network`).
 */
export function subscribeUrl(jetstreamUrl: string, cursor: number | null): string {
  const url = new URL(`${jetstreamUrl.replace(/\/+$/, '')}/subscribe`);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol === 'http:') url.protocol = 'ws:';
  url.searchParams.set('wantedCollections', POST_COLLECTION);
  if (cursor !== null) url.searchParams.set('cursor', String(cursor));
  url.searchParams.set('maxMessageSizeBytes', String(MAX_FRAME_BYTES));
  return url.href;
}

/** A stored cursor, if it is one this adapter wrote (a `time_us`). */
export function parseCursor(cursor: string | null): number | null {
  if (cursor === null || !CURSOR.test(cursor)) return null;
  const value = Number(cursor);
  return Number.isSafeInteger(value) ? value : null;
}

/** Where a connection resumes: a few seconds before the cursor, or live when there is none. */
export function resumePoint(cursor: number | null): number | null {
  return cursor === null ? null : Math.max(0, cursor - CURSOR_REWIND_US);
}

/** How one connection ended. */
interface ConnectionEnd {
  /** It delivered Jetstream events: the next failure starts its backoff afresh. */
  healthy: boolean;
  failure: Error;
}

/** A frame's event, and whether it is a post carrying the wall's hashtag. */
interface Classified {
  event: JetstreamEvent;
  matches: boolean;
}

/** One running Bluesky source: its connections, one after another, and what it has processed so far. */
class BlueskyStream {
  private readonly profiles: ProfileResolver;
  /** The highest `time_us` handled: the cursor to store. It never moves back, although frames may arrive out of order. */
  private processedUs: number | null;
  /** The cursor last handed to `ctx.ingest`, and when. */
  private storedUs: number | null;
  private storedAt = Date.now();
  private readonly appliedEdits = new Set<string>();

  constructor(
    private readonly settings: BlueskySettings,
    private readonly key: string,
    private readonly ctx: SourceContext,
  ) {
    this.processedUs = parseCursor(ctx.cursor());
    this.storedUs = this.processedUs;
    this.profiles = createProfileResolver({
      appviewUrl: settings.appviewUrl.replace(/\/+$/, ''),
      timeoutMs: ctx.timing.timeoutMs,
      backoffMs: ctx.timing.backoffMs,
      maxBackoffMs: ctx.timing.maxBackoffMs,
    });
  }

  async run(): Promise<void> {
    const { ctx } = this;
    let backoff = ctx.timing.backoffMs;
    while (!ctx.signal.aborted) {
      const end = await this.connectOnce(subscribeUrl(this.settings.jetstreamUrl, resumePoint(this.processedUs)));
      if (ctx.signal.aborted) return;
      if (end.healthy) backoff = ctx.timing.backoffMs;
      ctx.error(end.failure);
      await ctx.sleep(backoff);
      backoff = Math.min(backoff * 2, ctx.timing.maxBackoffMs);
    }
  }

  /**
   * Reads one connection until it closes, fails or the source stops. Frames are queued as they arrive and
   * handled in batches, so that the authors of posts arriving together are looked up together and a slow
   * AppView delays posts without losing frames. Rejects only when storing fails.
   */
  private connectOnce(url: string): Promise<ConnectionEnd> {
    const { ctx } = this;
    const { timeoutMs } = ctx.timing;
    return new Promise<ConnectionEnd>((resolve, reject) => {
      const socket = new WebSocket(url, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: timeoutMs, perMessageDeflate: false, followRedirects: false });
      const queue: { text: string; bytes: number }[] = [];
      let queuedBytes = 0;
      let paused = false;
      let closed = false;
      let healthy = false;
      let failure: Error | undefined;
      let lastSignOfLife = Date.now();
      let wake: (() => void) | undefined;
      const notify = () => {
        const resume = wake;
        wake = undefined;
        resume?.();
      };
      const stop = () => socket.terminate();
      ctx.signal.addEventListener('abort', stop, { once: true });

      // A dead TCP connection can look open for minutes: Jetstream is pinged, and one that has sent neither
      // a frame nor a pong for three timeouts is dropped and reconnected. While reading is paused by Toile
      // itself, silence is expected.
      const liveness = setInterval(() => {
        if (socket.readyState !== WebSocket.OPEN || paused) return;
        if (Date.now() - lastSignOfLife >= SILENT_TIMEOUTS * timeoutMs) {
          failure = new Error(`Jetstream sent nothing for ${(SILENT_TIMEOUTS * timeoutMs) / 1000} s; reconnecting`);
          socket.terminate();
          return;
        }
        socket.ping();
      }, timeoutMs);

      socket.on('open', () => {
        lastSignOfLife = Date.now();
        ctx.polled();
      });
      socket.on('message', (data, isBinary) => {
        lastSignOfLife = Date.now();
        // Jetstream sends JSON text; binary frames only come with `compress=true`, which Toile does not ask for.
        if (isBinary) return;
        const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        queue.push({ text: bytes.toString('utf8'), bytes: bytes.length });
        queuedBytes += bytes.length;
        if (queuedBytes > MAX_QUEUED_BYTES && !paused) {
          socket.pause();
          paused = true;
        }
        notify();
      });
      socket.on('pong', () => {
        lastSignOfLife = Date.now();
      });
      socket.on('error', (error) => {
        failure ??= new Error(`Jetstream connection failed: ${error.message}`);
      });
      socket.on('close', (code, reason) => {
        closed = true;
        const why = reason.toString('utf8').slice(0, 123);
        failure ??= new Error(`Jetstream closed the connection (code ${code}${why === '' ? '' : `: ${why}`})`);
        notify();
      });

      const waitForFrames = () =>
        new Promise<void>((done) => {
          const timer = setTimeout(notify, ctx.timing.cursorFlushMs);
          wake = () => {
            clearTimeout(timer);
            done();
          };
        });

      const handleQueue = async (): Promise<void> => {
        while (!ctx.signal.aborted) {
          if (queue.length === 0) {
            if (closed) return;
            await waitForFrames();
            // Frames of one burst are handled together: what the socket has already received is read first.
            await new Promise<void>((done) => setImmediate(done));
            this.flushCursor();
            continue;
          }
          const batch = queue.splice(0, MAX_BATCH_FRAMES);
          for (const frame of batch) queuedBytes -= frame.bytes;
          if (paused && queuedBytes < MAX_QUEUED_BYTES / 4) {
            socket.resume();
            paused = false;
            lastSignOfLife = Date.now();
          }
          if (await this.handleFrames(batch.map((frame) => frame.text))) healthy = true;
          this.flushCursor();
        }
      };

      const finish = () => {
        clearInterval(liveness);
        ctx.signal.removeEventListener('abort', stop);
      };
      handleQueue().then(
        () => {
          finish();
          // Frames still queued when the source stops are dropped: the cursor never passed them.
          socket.terminate();
          resolve({ healthy, failure: failure ?? new Error('Jetstream connection ended') });
        },
        (error: unknown) => {
          finish();
          socket.terminate();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /**
   * Handles frames in their order: matching posts are stored with the cursor, edits and deletions applied.
   * Returns whether any frame was a Jetstream event.
   */
  private async handleFrames(frames: string[]): Promise<boolean> {
    const { ctx } = this;
    const events: Classified[] = [];
    let skipped = 0;
    for (const data of frames) {
      const event = parseJetstreamFrame(data);
      if (event === null) skipped += 1;
      else events.push({ event, matches: event.type === 'post' && postMatchesHashtag(event.record, this.key) });
    }
    // Never the frames themselves: they are remote text.
    if (skipped > 0) ctx.log.warn({ source: 'bluesky', skipped }, 'Jetstream sent frames that are not Jetstream events; they were skipped');
    if (events.length === 0) return false;

    const authors = events.flatMap(({ event, matches }) => (matches && event.type === 'post' ? [event.did] : []));
    const lookup = authors.length === 0 ? { profiles: new Map<string, BlueskyProfile>() } : await this.profiles.resolve(authors, ctx.signal);
    if (ctx.signal.aborted) return true;
    if (lookup.failure !== undefined) ctx.error(lookup.failure);

    let posts: SocialPost[] = [];
    const seen = new Set<string>();
    // Posts are stored before any later edit or deletion is applied, so that a post created and deleted in
    // the same batch ends up deleted.
    const storePosts = () => {
      if (posts.length === 0) return;
      ctx.ingest(posts, String(this.processedUs));
      this.markStored();
      posts = [];
    };
    for (const { event, matches } of events) {
      if (event.type === 'post-deleted') {
        storePosts();
        // A deletion carries no record, so whether the post had the hashtag is unknown: the source drops
        // every id it does not hold.
        ctx.retract(event.uri);
      } else if (event.type === 'post') {
        const post = matches ? mapJetstreamPost(event, lookup.profiles.get(event.did) ?? fallbackProfile(event.did), this.settings.cdnUrl) : null;
        if (event.operation === 'create') {
          if (post !== null && !seen.has(post.id)) {
            seen.add(post.id);
            posts.push(post);
          }
        } else {
          storePosts();
          this.applyEdit(event, post);
        }
      }
      this.processedUs = Math.max(this.processedUs ?? 0, event.timeUs);
    }
    storePosts();
    return true;
  }

  /**
   * An edited post is updated, and moderated again; one edited so that it no longer carries the hashtag (or
   * has nothing left to show) leaves the wall, as its author meant. An edit seen again in a replay is skipped.
   */
  private applyEdit(event: JetstreamPostEvent, post: SocialPost | null): void {
    const edit = `${event.uri} ${event.cid ?? event.timeUs}`;
    if (this.appliedEdits.has(edit)) return;
    this.appliedEdits.add(edit);
    if (this.appliedEdits.size > REMEMBERED_EDITS) {
      const oldest = this.appliedEdits.values().next();
      if (!oldest.done) this.appliedEdits.delete(oldest.value);
    }
    if (post === null) this.ctx.retract(event.uri);
    else this.ctx.update(post);
  }

  private markStored(): void {
    this.storedUs = this.processedUs;
    this.storedAt = Date.now();
  }

  /**
   * Stores the cursor alone when frames went by without a matching post, at most every `cursorFlushMs`:
   * a restart then replays at most that much plus the rewind, and harmlessly.
   */
  private flushCursor(): void {
    if (this.processedUs === null || this.processedUs === this.storedUs) return;
    if (Date.now() - this.storedAt < this.ctx.timing.cursorFlushMs) return;
    this.ctx.ingest([], String(this.processedUs));
    this.markStored();
  }
}

/** The runner the source manager starts for a Bluesky source. */
export function createBlueskyRunner(settings: BlueskySettings): SourceRunner {
  return async (ctx) => {
    const key = hashtagKey(settings.hashtag);
    if (key === '') throw new Error(`"${settings.hashtag}" is not a hashtag Bluesky can carry`);
    await new BlueskyStream(settings, key, ctx).run();
  };
}
