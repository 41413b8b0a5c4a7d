import type { WallMessage } from '../domain/message.js';
import type { PublicWall } from '../domain/wall.js';
import { wallChannel, type Hub, type HubEvent } from './hub.js';

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

/** A connected viewer, as the feed sees it: something to hand frames to. */
export interface Viewer {
  deliver(frame: Buffer): void;
}

type WireEvent =
  | { type: 'approved'; seq: number; message: WallMessage }
  | { type: 'removed'; seq: number; id: number }
  | { type: 'pinned'; seq: number; id: number }
  | { type: 'unpinned'; seq: number; id: number }
  | { type: 'wall'; seq: number; wall: PublicWall };

interface Frame {
  seq: number;
  bytes: Buffer;
}

/**
 * One wall's live state in memory: the visible items, the latest seq and a ring of recent events, kept
 * up to date by folding the wall's events from the hub. Thousands of viewers connecting or resuming at
 * once are served from here without touching SQLite, and each event is encoded once: the same Buffer
 * goes to every viewer.
 */
export class WallFeed {
  readonly slug: string;
  private readonly source: WallStateSource;
  private readonly ringSize: number;
  private state: WallState;
  private ring: Frame[];
  private snapshot: Buffer | null = null;
  private readonly viewers = new Set<Viewer>();
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
    ringSize: number,
    private readonly onViewerError: (error: unknown) => void = () => undefined,
  ) {
    this.slug = slug;
    this.source = source;
    this.ringSize = ringSize;
    this.state = initial;
    this.ring = initial.recent.map((e) => ({ seq: e.seq, bytes: Buffer.from(e.json) }));
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

  /** `{type:"snapshot", epoch, seq, wall, items}`, encoded once per state. */
  snapshotFrame(): Buffer {
    this.snapshot ??= Buffer.from(
      JSON.stringify({ type: 'snapshot', epoch: this.state.epoch, seq: this.state.seq, wall: this.state.wall, items: this.state.items }),
    );
    return this.snapshot;
  }

  /**
   * The frames a viewer that has seen everything up to `since` is missing, in order; null when they are
   * not all in memory (too old, from another epoch, or from the future), in which case it needs a snapshot.
   */
  framesSince(since: number, epoch?: string): Buffer[] | null {
    if (epoch !== undefined && epoch !== this.state.epoch) return null;
    if (!Number.isInteger(since) || since < 0 || since > this.state.seq) return null;
    if (since === this.state.seq) return [];
    const first = this.ring[0];
    if (!first || first.seq > since + 1) return null;
    return this.ring.filter((frame) => frame.seq > since).map((frame) => frame.bytes);
  }

  /** Adds a viewer that has already been sent everything up to the current seq. */
  add(viewer: Viewer): () => void {
    this.viewers.add(viewer);
    return () => this.viewers.delete(viewer);
  }

  /**
   * Hands one frame that is not an event (no seq: a `reload`) to this wall's viewers, or to those `which`
   * picks; returns how many it was handed to. Rare (a moderator's action), so a pass over the set is fine.
   */
  deliverToViewers(frame: Buffer, which: (viewer: Viewer) => boolean = () => true): number {
    let delivered = 0;
    for (const viewer of [...this.viewers]) {
      if (!which(viewer)) continue;
      try {
        viewer.deliver(frame);
        delivered += 1;
      } catch (error) {
        this.viewers.delete(viewer);
        this.onViewerError(error);
      }
    }
    this.counts.deliveries += delivered;
    return delivered;
  }

  close(): void {
    this.unsubscribe();
    this.viewers.clear();
  }

  private onEvent(event: HubEvent): void {
    const seq = event.seq;
    if (seq === undefined || seq <= this.state.seq) return;
    if (seq > this.state.seq + 1) {
      this.catchUp();
      return;
    }
    this.apply(JSON.parse(event.json) as WireEvent);
    this.counts.events += 1;
    const frame = { seq, bytes: Buffer.from(event.json) };
    this.ring.push(frame);
    if (this.ring.length > this.ringSize) this.ring.splice(0, this.ring.length - this.ringSize);
    this.broadcast([frame.bytes]);
  }

  /**
   * An event arrived after a gap (only possible across processes): reload the state from the source and
   * send viewers what they missed, or a fresh snapshot when the ring does not reach back far enough.
   */
  private catchUp(): void {
    const before = this.state.seq;
    const beforeEpoch = this.state.epoch;
    const fresh = this.source.load(this.slug);
    if (!fresh) return;
    // The events skipped over are this wall's events all the same (another database's are not).
    if (fresh.epoch === beforeEpoch && fresh.seq > before) this.counts.events += fresh.seq - before;
    this.state = fresh;
    this.ring = fresh.recent.map((e) => ({ seq: e.seq, bytes: Buffer.from(e.json) }));
    this.snapshot = null;
    // Events of another database do not continue this one's: viewers start over from a snapshot.
    this.broadcast(this.framesSince(before, beforeEpoch) ?? [this.snapshotFrame()]);
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
   * Hands the same frames to every viewer. A copy of the set is iterated, because a viewer that is too
   * slow removes itself while being delivered to. A viewer that throws is dropped, and the others still
   * get every frame: it has missed one, so it must not stay as if it had not.
   */
  private broadcast(frames: Buffer[]): void {
    // Counted before the pass, as handed to every viewer: a viewer dropped during it is rare, and counting
    // each delivery would add work per viewer to the hottest loop.
    this.counts.deliveries += frames.length * this.viewers.size;
    for (const viewer of [...this.viewers]) {
      try {
        for (const frame of frames) viewer.deliver(frame);
      } catch (error) {
        this.viewers.delete(viewer);
        this.onViewerError(error);
      }
    }
  }
}

/** The feeds of one process, created on first use and closed with the app. */
export class WallFeeds {
  private readonly feeds = new Map<string, WallFeed>();

  constructor(
    private readonly source: WallStateSource,
    private readonly hub: Hub<HubEvent>,
    private readonly ringSize = 1000,
    private readonly onViewerError: (error: unknown) => void = () => undefined,
  ) {}

  get(slug: string): WallFeed | undefined {
    let feed = this.feeds.get(slug);
    if (feed) return feed;
    // Loading and subscribing happen in the same tick, so no event can fall between the two.
    const state = this.source.load(slug);
    if (!state) return undefined;
    feed = new WallFeed(slug, state, this.source, this.hub, this.ringSize, this.onViewerError);
    this.feeds.set(slug, feed);
    return feed;
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
