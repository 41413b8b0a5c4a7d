import type { WallMessage } from '../domain/message.js';
import type { PublicWall } from '../domain/wall.js';
import { wallChannel, type Hub, type HubEvent } from './hub.js';
import { textFrame } from './sockets.js';

/** What a feed needs to start, or to start over after a gap: read from SQLite on the primary. */
export interface WallState {
  epoch: string;
  wall: PublicWall;
  seq: number;
  /** Visible approved messages, oldest first. */
  items: WallMessage[];
  /** The latest events of the log, oldest first, as sent on the wire. */
  recent: { seq: number; json: string }[];
}

export interface WallStateSource {
  load(slug: string): WallState | undefined;
}

/** A connected viewer, as the feed sees it: something to write WebSocket frames to, already framed. */
export interface Viewer {
  send(framed: Buffer): void;
}

/** How a feed hands out events; see `WallFeed`. */
export interface FanOutOptions {
  /** Events kept in memory for viewers resuming with `since`. */
  ringSize: number;
  /** The most viewers written to in one turn of the event loop; a larger wall's broadcast is sliced. */
  sliceSize: number;
}

export const DEFAULT_FAN_OUT: FanOutOptions = { ringSize: 1000, sliceSize: 1000 };

type WireEvent =
  | { type: 'approved'; seq: number; message: WallMessage }
  | { type: 'removed'; seq: number; id: number }
  | { type: 'pinned'; seq: number; id: number }
  | { type: 'unpinned'; seq: number; id: number }
  | { type: 'wall'; seq: number; wall: PublicWall };

/** An event as the feed keeps it: its JSON for the HTTP fallback, and the WebSocket frame holding it. */
interface Frame {
  seq: number;
  json: string;
  framed: Buffer;
}

const NOTHING = Buffer.alloc(0);

const toFrame = (e: { seq: number; json: string }): Frame => ({ seq: e.seq, json: e.json, framed: textFrame(Buffer.from(e.json)) });

/**
 * One wall's live state in memory: the visible items, the latest seq and a ring of recent events, kept
 * up to date by folding the wall's events from the hub. Thousands of viewers connecting or resuming at
 * once are served from here without touching SQLite.
 *
 * Fan-out does no work per viewer beyond one write: each event is serialized and framed once, and the same
 * bytes go to every socket. A wall with more viewers than a slice is written to in slices, one per turn of
 * the event loop, so that ingest and moderation keep running during a broadcast to 10,000 phones; events
 * that arrive meanwhile are queued and go out together, as one write per viewer, in the next pass.
 */
export class WallFeed {
  readonly slug: string;
  private readonly source: WallStateSource;
  private readonly options: FanOutOptions;
  private state: WallState;
  private ring: Frame[];
  private snapshot: { json: Buffer; framed: Buffer } | null = null;
  /** The last frames joined for viewers resuming (`resumeFrame`), valid while the seq and epoch stay. */
  private resume: { since: number; seq: number; epoch: string; bytes: Buffer } | null = null;
  /** Each viewer, with the seq it had when it joined: a queued event it already has is not sent again. */
  private readonly viewers = new Map<Viewer, number>();
  /** Events waiting for the pass in progress to end; `passing` while one is. */
  private queue: Frame[] = [];
  private passing = false;
  private closed = false;
  private readonly unsubscribe: () => void;
  /**
   * How many events this feed has folded in and how many frames it has handed to viewers, read by the
   * metrics at scrape time: two additions per broadcast, whatever the number of viewers.
   */
  private readonly counts = { events: 0, deliveries: 0 };

  constructor(
    slug: string,
    initial: WallState,
    source: WallStateSource,
    hub: Hub<HubEvent>,
    options: FanOutOptions = DEFAULT_FAN_OUT,
    private readonly onViewerError: (error: unknown) => void = () => undefined,
  ) {
    this.slug = slug;
    this.source = source;
    this.options = options;
    this.state = initial;
    this.ring = initial.recent.map(toFrame);
    this.unsubscribe = hub.subscribe(wallChannel(slug), (event) => this.onEvent(event));
  }

  get seq(): number {
    return this.state.seq;
  }

  get epoch(): string {
    return this.state.epoch;
  }

  get wall(): PublicWall {
    return this.state.wall;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Events folded in since the feed started, and frames handed to viewers (frames × viewers per broadcast). */
  get eventCount(): number {
    return this.counts.events;
  }

  get deliveryCount(): number {
    return this.counts.deliveries;
  }

  /** `{type:"snapshot", epoch, seq, wall, items}` as a WebSocket frame, encoded once per state. */
  snapshotFrame(): Buffer {
    return this.encodedSnapshot().framed;
  }

  /** The same snapshot as JSON, for the HTTP fallback. */
  snapshotJson(): Buffer {
    return this.encodedSnapshot().json;
  }

  private encodedSnapshot(): { json: Buffer; framed: Buffer } {
    if (this.snapshot === null) {
      const { epoch, seq, wall, items } = this.state;
      const json = Buffer.from(JSON.stringify({ type: 'snapshot', epoch, seq, wall, items }));
      this.snapshot = { json, framed: textFrame(json) };
    }
    return this.snapshot;
  }

  /**
   * What a viewer connecting with `since` is sent, as one buffer: the frames it missed written back to back,
   * or the snapshot. Ten thousand phones resuming after the same blip ask for the same bytes: they are
   * joined once per seq and reused, and each viewer costs one write.
   */
  resumeFrame(since: number | undefined, epoch?: string): Buffer {
    const missed = since === undefined ? null : this.since(since, epoch);
    if (missed === null) return this.snapshotFrame();
    if (missed.length <= 1) return missed[0]?.framed ?? NOTHING;
    const cached = this.resume;
    if (cached && cached.since === since && cached.seq === this.state.seq && cached.epoch === this.state.epoch) return cached.bytes;
    const bytes = joined(missed);
    this.resume = { since: since!, seq: this.state.seq, epoch: this.state.epoch, bytes };
    return bytes;
  }

  /**
   * The events a viewer that has seen everything up to `since` is missing, as JSON, in order, for the HTTP
   * fallback; null when they are not all in memory (too old, from another epoch, or from the future).
   */
  eventsSince(since: number, epoch?: string): string[] | null {
    return this.since(since, epoch)?.map((frame) => frame.json) ?? null;
  }

  /** Adds a viewer that has already been sent everything up to the current seq. */
  add(viewer: Viewer): void {
    this.viewers.set(viewer, this.state.seq);
  }

  remove(viewer: Viewer): void {
    this.viewers.delete(viewer);
  }

  /**
   * Writes one frame that is not an event (no seq: a `reload`) to this wall's viewers, or to those `which`
   * picks; returns how many it was written to. Rare (a moderator's action), so a pass over them is fine.
   */
  deliverToViewers(json: Buffer, which: (viewer: Viewer) => boolean = () => true): number {
    const framed = textFrame(json);
    let delivered = 0;
    for (const viewer of [...this.viewers.keys()]) {
      if (which(viewer) && this.write(viewer, framed)) delivered += 1;
    }
    this.counts.deliveries += delivered;
    return delivered;
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.viewers.clear();
    this.queue = [];
  }

  private since(since: number, epoch: string | undefined): Frame[] | null {
    if (epoch !== undefined && epoch !== this.state.epoch) return null;
    if (!Number.isInteger(since) || since < 0 || since > this.state.seq) return null;
    if (since === this.state.seq) return [];
    const first = this.ring[0];
    if (!first || first.seq > since + 1) return null;
    return this.ring.filter((frame) => frame.seq > since);
  }

  private onEvent(event: HubEvent): void {
    const seq = event.seq;
    if (seq === undefined || seq <= this.state.seq) return;
    if (seq > this.state.seq + 1) {
      this.reload();
      return;
    }
    this.apply(JSON.parse(event.json) as WireEvent);
    this.counts.events += 1;
    const frame = toFrame({ seq, json: event.json });
    this.ring.push(frame);
    if (this.ring.length > this.options.ringSize) this.ring.splice(0, this.ring.length - this.options.ringSize);
    this.broadcast([frame]);
  }

  /**
   * Reloads the state from the source and sends viewers what they missed, or a fresh snapshot when the
   * ring does not reach back far enough or the epoch changed: after an event that skipped ahead, or when an
   * edge has read a newer state from Redis.
   */
  reload(): void {
    const before = this.state.seq;
    const beforeEpoch = this.state.epoch;
    const fresh = this.source.load(this.slug);
    if (!fresh) return;
    // The events skipped over are this wall's events all the same (another database's are not).
    if (fresh.epoch === beforeEpoch && fresh.seq > before) this.counts.events += fresh.seq - before;
    this.state = fresh;
    this.ring = fresh.recent.map(toFrame);
    this.snapshot = null;
    // The joined frames were read from the old ring: an erasure rewrites the log under the same seqs.
    this.resume = null;
    const missed = this.since(before, beforeEpoch);
    if (missed) {
      // Nothing missed (an edge that reloaded a wall it was up to date with): nothing to write.
      if (missed.length > 0) this.broadcast(missed);
      return;
    }
    // Events of another database do not continue this one's, and a log too short leaves a gap: viewers
    // start over from a snapshot. Their seqs meant something in the old log only, so every viewer is
    // treated as knowing nothing, and one that joins from now on has seen the snapshot.
    for (const viewer of this.viewers.keys()) this.viewers.set(viewer, -1);
    this.broadcast([{ seq: fresh.seq, json: '', framed: this.snapshotFrame() }]);
  }

  private apply(event: WireEvent): void {
    const state = this.state;
    state.seq = event.seq;
    this.snapshot = null;
    switch (event.type) {
      case 'approved': {
        const index = state.items.findIndex((item) => item.id === event.message.id);
        if (index === -1) state.items.push(event.message);
        else state.items[index] = event.message;
        break;
      }
      case 'removed':
        state.items = state.items.filter((item) => item.id !== event.id);
        break;
      case 'pinned':
      case 'unpinned':
        state.items = state.items.map((item) => (item.id === event.id ? { ...item, pinned: event.type === 'pinned' } : item));
        break;
      case 'wall':
        state.wall = event.wall;
        break;
    }
    this.trim();
  }

  /** Keeps at most the wall's display limit, dropping the oldest unpinned items first. */
  private trim(): void {
    const state = this.state;
    let excess = state.items.length - state.wall.displayLimit;
    if (excess <= 0) return;
    state.items = state.items.filter((item) => {
      if (excess > 0 && !item.pinned) {
        excess -= 1;
        return false;
      }
      return true;
    });
    if (state.items.length > state.wall.displayLimit) state.items = state.items.slice(-state.wall.displayLimit);
  }

  /**
   * Writes `frames` to every viewer. When no pass is under way and the wall fits in one slice, that
   * happens now; otherwise the frames are queued for the next pass.
   */
  private broadcast(frames: Frame[]): void {
    // Counted when queued, as handed to every viewer there is now: counting each write would add work per
    // viewer to the hottest loop.
    this.counts.deliveries += frames.length * this.viewers.size;
    if (!this.passing && this.viewers.size <= this.options.sliceSize) {
      const bytes = joined(frames);
      for (const viewer of [...this.viewers.keys()]) this.write(viewer, bytes);
      return;
    }
    this.queue.push(...frames);
    if (!this.passing) {
      this.passing = true;
      setImmediate(() => this.pass());
    }
  }

  /**
   * One pass: the queued frames, joined into one buffer, written to every viewer there was when it began,
   * a slice per turn of the event loop. A viewer that joined after a queued event was folded in was sent
   * it in its snapshot already, and gets only what it lacks (its seq is compared, nothing more). Viewers
   * who join during the pass are not in it: their snapshot holds everything queued. The next pass, if
   * frames were queued meanwhile, starts when this one ends, so every viewer gets every frame in order.
   */
  private pass(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0 || this.closed) {
      this.passing = false;
      return;
    }
    const bytes = joined(batch);
    const first = batch[0]!.seq;
    const last = batch[batch.length - 1]!.seq;
    const viewers = [...this.viewers.keys()];
    let index = 0;
    const slice = () => {
      const end = Math.min(index + this.options.sliceSize, viewers.length);
      for (; index < end; index += 1) {
        const viewer = viewers[index]!;
        const seen = this.viewers.get(viewer);
        if (seen === undefined) continue; // it left during the pass
        if (seen < first) this.write(viewer, bytes);
        else if (seen < last) for (const frame of batch) if (frame.seq > seen) this.write(viewer, frame.framed);
      }
      if (index < viewers.length) setImmediate(slice);
      else this.pass();
    };
    slice();
  }

  /**
   * Writes to one viewer. A viewer that throws is dropped, and the others still get every frame: it has
   * missed one, so it must not stay as if it had not.
   */
  private write(viewer: Viewer, bytes: Buffer): boolean {
    try {
      viewer.send(bytes);
      return true;
    } catch (error) {
      this.viewers.delete(viewer);
      this.onViewerError(error);
      return false;
    }
  }
}

/** Frames written back to back: one buffer, so that a viewer costs one write whatever their number. */
function joined(frames: Frame[]): Buffer {
  return frames.length === 1 ? frames[0]!.framed : Buffer.concat(frames.map((frame) => frame.framed));
}

/** Not events (no seq): an edge tells its viewers that what they see may be behind, and when it is not. */
const STALE = Buffer.from('{"type":"status","stale":true}');
const LIVE = Buffer.from('{"type":"status","stale":false}');

/** The feeds of one process, created on first use and closed with the app. */
export class WallFeeds {
  private readonly feeds = new Map<string, WallFeed>();
  /** What a viewer joining now is sent after its events: the stale status, while there is one. */
  private staleFrame: Buffer | null = null;

  constructor(
    private readonly source: WallStateSource,
    private readonly hub: Hub<HubEvent>,
    private readonly options: FanOutOptions = DEFAULT_FAN_OUT,
    private readonly onViewerError: (error: unknown) => void = () => undefined,
  ) {}

  get(slug: string): WallFeed | undefined {
    let feed = this.feeds.get(slug);
    if (feed) return feed;
    // Loading and subscribing happen in the same tick, so no event can fall between the two.
    const state = this.source.load(slug);
    if (!state) return undefined;
    feed = new WallFeed(slug, state, this.source, this.hub, this.options, this.onViewerError);
    this.feeds.set(slug, feed);
    return feed;
  }

  /** How many events each feed keeps for viewers resuming. */
  get ringSize(): number {
    return this.options.ringSize;
  }

  /** The feed of `slug` if it is open, without loading it. */
  peek(slug: string): WallFeed | undefined {
    return this.feeds.get(slug);
  }

  /**
   * An edge that lost Redis keeps its viewers but tells them what they see may be behind
   * (`{type:"status", stale}`); viewers who join meanwhile are told right after their events.
   */
  setStale(stale: boolean): void {
    if ((this.staleFrame !== null) === stale) return;
    this.staleFrame = stale ? textFrame(STALE) : null;
    for (const feed of this.feeds.values()) feed.deliverToViewers(stale ? STALE : LIVE);
  }

  /** The frame a joining viewer is sent after its events, or null while all is well. */
  get notice(): Buffer | null {
    return this.staleFrame;
  }

  /** The feeds opened so far, for the metrics. */
  all(): IterableIterator<WallFeed> {
    return this.feeds.values();
  }

  viewerCount(): number {
    let n = 0;
    for (const feed of this.feeds.values()) n += feed.viewerCount;
    return n;
  }

  close(): void {
    for (const feed of this.feeds.values()) feed.close();
    this.feeds.clear();
  }
}
