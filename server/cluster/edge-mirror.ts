import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { wallChannel, type Hub, type HubEvent } from '../realtime/hub.js';
import { DEFAULT_FAN_OUT, WallFeeds, type FanOutOptions, type WallState, type WallStateSource } from '../realtime/wall-feed.js';
import { BEAT_MS, fields, whenReady, type ClusterKeys, type ControlNotice, type PrimaryBeat, type StoredSnapshot } from './redis.js';

/** How long one XREAD waits for news before it is asked again. */
const BLOCK_MS = 5000;
/** The most entries one XREAD returns per stream. */
const READ_COUNT = 500;
/** After a failed read, how long before the next attempt (ioredis reconnects meanwhile). */
const RETRY_MS = 500;
/**
 * A read not answered this long after its BLOCK ended is on a dead connection (a peer gone without a FIN,
 * a NAT that forgot us): it is dropped and made again, rather than waited for until TCP gives up.
 */
const READ_GRACE_MS = 3000;

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][];

/**
 * An edge's copy of every wall, read from Redis: one feed per wall, as on the primary, fed from the walls'
 * streams by blocking reads instead of from SQLite. Viewers connect and resume against these feeds exactly
 * as they would on the primary.
 *
 * The position in each stream is the feed's own seq (entry IDs are `<seq>-0`), so there is nothing else
 * to keep: after Redis comes back, reading resumes where each feed is, and an event that skips ahead or
 * comes from another epoch makes the wall load afresh from its snapshot, as a gap does on the primary.
 * While Redis is away the viewers stay connected and are told the wall is stale.
 */
export class EdgeMirror implements WallStateSource {
  readonly feeds: WallFeeds;
  /** Each wall as last read from Redis: what a feed starts from, or reloads. */
  private readonly states = new Map<string, WallState>();
  /** Per wall, how long its last event took from the primary to this edge, in ms. */
  private readonly delays = new Map<string, number>();
  private controlId = '0-0';
  private closed = false;
  private up = false;
  private everLoaded = false;
  /** The primary's last heartbeat read, or null when none is in Redis (the primary is away). */
  private beat: PrimaryBeat | null = null;
  /** When this edge last lost Redis (its own clock): a heartbeat from before says nothing of what followed. */
  private lostAt = 0;
  /** What viewers were last told; the feeds start without a status, which means live. */
  private stale = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly hub: Hub<HubEvent>,
    private readonly log: FastifyBaseLogger,
    private readonly onReload: (slug: string, screen: string | undefined) => void,
    fanOut: FanOutOptions = DEFAULT_FAN_OUT,
    onViewerError: (error: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.feeds = new WallFeeds(this, hub, fanOut, onViewerError);
  }

  /** True once every wall has been loaded at least once: the edge can serve. */
  get loaded(): boolean {
    return this.everLoaded;
  }

  /** True while reads from Redis succeed. */
  get redisUp(): boolean {
    return this.up;
  }

  /** The walls this edge serves. */
  get slugs(): string[] {
    return [...this.states.keys()];
  }

  lastDelayMs(slug: string): number | undefined {
    return this.delays.get(slug);
  }

  load(slug: string): WallState | undefined {
    const state = this.states.get(slug);
    // A copy: the feed folds events into the state it is given.
    return state && { ...state, items: [...state.items], recent: [...state.recent] };
  }

  /** Reads until closed. */
  async run(): Promise<void> {
    let fresh = true;
    while (!this.closed) {
      if (!(await whenReady(this.redis)) || this.closed) return;
      try {
        if (fresh) {
          await this.loadAll();
          fresh = false;
          this.up = true;
          this.everLoaded = true;
          await this.readBeat();
        }
        const slugs = this.slugs;
        const ids = slugs.map((slug) => `${this.feeds.peek(slug)?.seq ?? 0}-0`);
        // While stale, the heartbeat is read again every second, so that the wall is live as soon as it can be.
        const block = this.stale ? BEAT_MS : BLOCK_MS;
        const read = this.redis.xread(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          block,
          'STREAMS',
          this.keys.control,
          ...slugs.map((slug) => this.keys.events(slug)),
          this.controlId,
          ...ids,
        ) as Promise<StreamReply | null>;
        const reply = await this.watched(read, block);
        if (reply) await this.apply(reply);
        // A quiet wall (no news for a while), or one waiting to be caught up: is the primary still there?
        // Without a heartbeat yet (the primary is starting), one more look before telling viewers it is stale.
        if (reply === null || this.stale || this.beat === null) await this.readBeat();
        this.updateStale();
      } catch (error) {
        if (this.closed) return;
        // Whatever was missed is in the streams: after reconnecting, every wall is read afresh from there,
        // and the wall stays stale until the primary's heartbeat says it has published all it committed.
        fresh = true;
        if (this.up) this.log.warn({ err: error }, 'lost Redis: viewers stay connected and are shown as stale until it returns');
        this.up = false;
        this.beat = null;
        this.lostAt = this.now();
        this.updateStale();
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  /** Whether the primary was heard from at the last look (its heartbeat was in Redis). */
  get primaryUp(): boolean {
    return this.beat !== null;
  }

  /** Whether viewers are being told that what they see may be behind. */
  get isStale(): boolean {
    return this.stale;
  }

  close(): void {
    this.closed = true;
    this.feeds.close();
  }

  /** `read`, or an error once it is overdue, with the connection dropped so that ioredis makes a new one. */
  private watched<T>(read: Promise<T>, blockMs: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.redis.disconnect(true);
        reject(new Error(`Redis did not answer a read within ${blockMs + READ_GRACE_MS} ms`));
      }, blockMs + READ_GRACE_MS);
    });
    return Promise.race([read, overdue]).finally(() => clearTimeout(timer));
  }

  private async readBeat(): Promise<void> {
    const stored = await this.redis.get(this.keys.primary);
    this.beat = stored === null ? null : (JSON.parse(stored) as PrimaryBeat);
  }

  /**
   * The wall is live when Redis answers, the primary's heartbeat is there and was written after this edge
   * lost Redis (so the primary has published what it committed meanwhile), and every wall has reached the
   * seq that heartbeat gives. Otherwise viewers are told it is stale, once per change.
   */
  private updateStale(): void {
    const beat = this.beat;
    let live = this.up && beat !== null && beat.at > this.lostAt;
    if (live && beat) {
      for (const [slug, seq] of Object.entries(beat.seqs)) {
        const feed = this.feeds.peek(slug);
        if (feed && feed.epoch === beat.epoch && feed.seq < seq) live = false;
      }
    }
    if (live === !this.stale) return;
    this.stale = !live;
    this.feeds.setStale(this.stale);
    if (live) this.log.info('caught up with the primary: walls are live');
    else this.log.warn({ redis: this.up ? 'up' : 'down', primary: beat === null ? 'silent' : 'heard' }, 'walls are stale: viewers keep what they have');
  }

  /** Every wall from its snapshot, and the control stream from now on. */
  private async loadAll(): Promise<void> {
    const [top] = await this.redis.xrevrange(this.keys.control, '+', '-', 'COUNT', 1);
    if (top) this.controlId = top[0];
    for (const slug of await this.redis.smembers(this.keys.walls)) await this.loadWall(slug);
  }

  /**
   * One wall afresh: its snapshot and the stream's latest events, read together. Its feed, if open, sends
   * its viewers what they missed (or the snapshot, when the stream does not reach back to them). False when
   * there was nothing newer to load.
   */
  private async loadWall(slug: string, scrub = false): Promise<boolean> {
    const results = await this.redis
      .multi()
      .get(this.keys.snapshot(slug))
      .xrevrange(this.keys.events(slug), '+', '-', 'COUNT', this.feeds.ringSize)
      .exec();
    const [[snapshotError, stored], [streamError, entries]] = results as [[Error | null, string | null], [Error | null, [string, string[]][]]];
    if (snapshotError || streamError) throw snapshotError ?? streamError;
    if (stored === null) return false;
    const snapshot = JSON.parse(stored) as StoredSnapshot;
    const open = this.feeds.peek(slug);
    // The snapshot is written every second: a feed already past it is only continued, never set back. A
    // rewritten history at the feed's own seq replaces what the feed keeps (its state and its ring).
    if (open && open.epoch === snapshot.epoch && (open.seq > snapshot.seq || (open.seq === snapshot.seq && !scrub))) return false;
    // The ring must be the events just before the snapshot's seq, consecutive, of its epoch.
    const recent: { seq: number; json: string }[] = [];
    let expected = snapshot.seq;
    for (const [, list] of entries) {
      const entry = fields(list);
      const seq = Number(entry.seq);
      if (seq > expected) continue;
      if (seq !== expected || entry.epoch !== snapshot.epoch) break;
      recent.unshift({ seq, json: entry.json! });
      expected -= 1;
    }
    this.states.set(slug, { epoch: snapshot.epoch, seq: snapshot.seq, wall: snapshot.wall, items: snapshot.items, recent });
    if (open) open.reload();
    else this.feeds.get(slug);
    return true;
  }

  private async apply(reply: StreamReply): Promise<void> {
    // Notices first: a wall that started over is loaded before its new events are looked at.
    for (const [key, entries] of reply) {
      if (key !== this.keys.control) continue;
      for (const [id, list] of entries) {
        await this.control(fields(list) as unknown as ControlNotice);
        this.controlId = id;
      }
    }
    for (const [key, entries] of reply) {
      const slug = this.keys.slugOfEvents(key);
      if (slug === null) continue;
      for (const [, list] of entries) {
        const feed = this.feeds.peek(slug);
        const entry = fields(list);
        const seq = Number(entry.seq);
        if (!feed) break;
        if (entry.epoch !== feed.epoch || seq > feed.seq + 1) {
          // Another database's events, or some this edge never saw (the stream was trimmed past it). A
          // snapshot not yet newer than the feed is written again within a second: wait for it.
          if (!(await this.loadWall(slug))) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
          break;
        }
        if (seq <= feed.seq) continue;
        this.hub.publish(wallChannel(slug), { seq, json: entry.json! });
        this.delays.set(slug, Math.max(0, this.now() - Number(entry.at)));
      }
    }
  }

  private async control(notice: ControlNotice): Promise<void> {
    if (typeof notice.slug !== 'string') return;
    if (notice.type === 'reset') await this.loadWall(notice.slug, notice.scrub === '1');
    else if (notice.type === 'reload') this.onReload(notice.slug, notice.screen);
  }
}
