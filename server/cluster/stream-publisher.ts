import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { Repositories } from '../db/repositories/index.js';
import type { Wall } from '../domain/wall.js';
import { wallChannel, type Hub, type HubEvent } from '../realtime/hub.js';
import { BEAT_MS, BEAT_TTL_MS, CONTROL_LENGTH, fields, STREAM_LENGTH, type ClusterKeys, type ControlNotice, type PrimaryBeat, type StoredSnapshot } from './redis.js';

/** How often the walls are compared with what Redis has (new walls, a Redis that came back), and the heartbeat written. */
const RECONCILE_MS = BEAT_MS;
/** The most events written in one MULTI; a wall further behind is caught up in several. */
const BATCH = 500;
/** How far a wall's snapshot may fall behind its stream before it is written with the events. */
const SNAPSHOT_BEHIND = STREAM_LENGTH / 2;

const WALL_CHANNEL = wallChannel('');

/**
 * The primary's side of cluster mode: every wall event, once committed to SQLite, is appended to the
 * wall's stream in Redis, with a snapshot of the wall at that seq for edges that start.
 *
 * SQLite stays the truth and Redis a copy. What is sent is read back from the event log, from the last seq
 * Redis is known to hold: a publish that failed, a Redis that was away, restarted empty or was flushed, a
 * primary that restarted, all end the same way, with the stream caught up from the log, in order, each
 * event once. Ingest and moderation never wait for Redis: they only mark the wall as changed.
 */
export class StreamPublisher {
  /** Per wall, the last seq of this epoch that Redis holds; absent when unknown (read it, or start over). */
  private readonly published = new Map<string, number>();
  /** Per wall, the seq of the snapshot Redis holds; absent when unknown. */
  private readonly snapshots = new Map<string, number>();
  private readonly changed = new Set<string>();
  /** Walls whose next rewrite must make edges replace their copy of the history (`rewrite`). */
  private readonly scrubbed = new Set<string>();
  /** False until what Redis holds has been read after (re)connecting. */
  private synced = false;
  private pumping = false;
  /** The first heartbeat after (re)connecting is written as soon as Redis is caught up. */
  private beatDue = true;
  /** A reconcile is asking Redis; the next waits for it. */
  private checking = false;
  private closed = false;
  /** Whether the last attempt failed, so that an outage is logged once, and its end once. */
  private failing = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    /** The primary's connection, also used to read what the edges share (their screens). */
    readonly redis: Redis,
    readonly keys: ClusterKeys,
    private readonly repos: Repositories,
    private readonly epoch: string,
    /** The wall's public state now: its settings, its visible items and its last seq. */
    private readonly snapshotOf: (wall: Wall) => StoredSnapshot,
    private readonly log: FastifyBaseLogger,
    private readonly now: () => number = Date.now,
  ) {
    redis.on('ready', () => {
      this.synced = false;
      this.beatDue = true;
      this.kick();
    });
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.timer.unref();
  }

  /**
   * The hub as the rest of the app sees it, unchanged: a wall event is published to this process's
   * listeners first, then its wall is marked for Redis.
   */
  tap(hub: Hub<HubEvent>): Hub<HubEvent> {
    return {
      subscribe: (channel, listener) => hub.subscribe(channel, listener),
      listenerCount: (channel) => hub.listenerCount(channel),
      publish: (channel, event) => {
        hub.publish(channel, event);
        if (channel.startsWith(WALL_CHANNEL)) this.markChanged(channel.slice(WALL_CHANNEL.length));
      },
    };
  }

  /**
   * The wall's history in SQLite was rewritten (an erasure scrubbed its events): its stream and snapshot
   * are written again from the log, and edges replace what they keep of it.
   */
  rewrite(slug: string): void {
    this.published.delete(slug);
    this.scrubbed.add(slug);
    this.markChanged(slug);
  }

  markChanged(slug: string): void {
    this.changed.add(slug);
    this.kick();
  }

  /** Tells every edge; best effort (a reload asked while Redis is away reaches this process's screens only). */
  async notify(notice: ControlNotice): Promise<boolean> {
    const entry: string[] = ['type', notice.type, 'slug', notice.slug];
    if (notice.type === 'reload' && notice.screen !== undefined) entry.push('screen', notice.screen);
    try {
      await this.redis.xadd(this.keys.control, 'MAXLEN', '~', CONTROL_LENGTH, '*', ...entry);
      return true;
    } catch (error) {
      this.log.warn({ err: error }, `could not tell the edges (${notice.type} of wall ${notice.slug}): Redis is unavailable`);
      return false;
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  /**
   * New walls, and walls left behind by a failure, are marked; walls whose snapshot Redis no longer holds
   * (flushed, evicted under memory pressure) are written again. Then a pump runs if one is needed.
   */
  private async reconcile(): Promise<void> {
    if (this.closed || this.checking || this.redis.status !== 'ready') return;
    this.checking = true;
    try {
      const walls = this.repos.walls.all();
      for (const wall of walls) {
        if (this.published.get(wall.slug) !== wall.lastSeq) this.changed.add(wall.slug);
      }
      if (this.synced && !this.pumping) {
        const known = walls.filter((wall) => this.published.has(wall.slug));
        const pipeline = this.redis.pipeline();
        for (const wall of known) pipeline.exists(this.keys.snapshot(wall.slug));
        const results = (await pipeline.exec()) ?? [];
        known.forEach((wall, index) => {
          const [error, exists] = results[index] ?? [null, 1];
          if (error === null && exists === 0 && this.published.has(wall.slug)) {
            this.published.delete(wall.slug);
            this.changed.add(wall.slug);
          }
        });
      }
      if (this.synced && !this.failing && this.changed.size === 0 && !this.pumping) await this.snapshotAndBeat(this.repos.walls.all());
    } catch (error) {
      this.log.debug({ err: error }, 'could not compare the walls with Redis; retrying');
    } finally {
      this.checking = false;
    }
    if (this.changed.size > 0 || !this.synced) this.kick();
  }

  /**
   * Everything committed is in Redis: the snapshot of each wall that changed since its last one is written
   * (off the events' path: an event reaches the edges without waiting for its wall's snapshot to be built,
   * and edges that start from a snapshot a second old read the rest from the stream), and the heartbeat,
   * whose seqs tell edges they are caught up.
   */
  private async snapshotAndBeat(walls: Wall[]): Promise<void> {
    const tx = this.redis.multi();
    const written: [string, number][] = [];
    for (const wall of walls) {
      if (this.published.get(wall.slug) !== wall.lastSeq || this.snapshots.get(wall.slug) === wall.lastSeq) continue;
      tx.set(this.keys.snapshot(wall.slug), JSON.stringify(this.snapshotOf(wall)));
      written.push([wall.slug, wall.lastSeq]);
    }
    const beat: PrimaryBeat = { at: this.now(), epoch: this.epoch, seqs: Object.fromEntries(walls.map((wall) => [wall.slug, wall.lastSeq])) };
    tx.set(this.keys.primary, JSON.stringify(beat), 'PX', BEAT_TTL_MS);
    const results = (await tx.exec()) ?? [];
    written.forEach(([slug, seq], index) => {
      if (results[index]?.[0] === null) this.snapshots.set(slug, seq);
    });
  }

  private kick(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    setImmediate(() => void this.pump());
  }

  private async pump(): Promise<void> {
    try {
      while (!this.closed && this.redis.status === 'ready') {
        if (!this.synced) {
          await this.sync();
          this.synced = true;
        }
        const slug = this.changed.values().next().value;
        if (slug === undefined) break;
        this.changed.delete(slug);
        try {
          await this.publish(slug);
        } catch (error) {
          this.changed.add(slug);
          throw error;
        }
      }
      if (this.failing && this.synced) {
        this.failing = false;
        this.log.info('Redis is back: the wall streams are caught up');
      }
      // Caught up after a start or a reconnection: the edges hear it now rather than at the next tick.
      if (this.beatDue && this.synced && this.changed.size === 0 && !this.closed && this.redis.status === 'ready') {
        await this.snapshotAndBeat(this.repos.walls.all());
        this.beatDue = false;
      }
    } catch (error) {
      // What Redis holds is not known any more; the next attempt reads it again (reconcile, or 'ready').
      this.synced = false;
      // No answer at all: the connection is dead without having closed; a new one is made.
      if (error instanceof Error && /timed out/i.test(error.message)) this.redis.disconnect(true);
      if (!this.failing) {
        this.failing = true;
        this.log.warn({ err: error }, 'Redis is unavailable: wall events stay in SQLite and are published when it returns');
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Reads the last entry of every wall's stream: what this primary can continue from. */
  private async sync(): Promise<void> {
    this.published.clear();
    this.snapshots.clear();
    for (const wall of this.repos.walls.all()) {
      const [top] = await this.redis.xrevrange(this.keys.events(wall.slug), '+', '-', 'COUNT', 1);
      const entry = top ? fields(top[1]) : undefined;
      const hasSnapshot = (await this.redis.exists(this.keys.snapshot(wall.slug))) === 1;
      // Another epoch's events (a replaced database), or more than this log holds, do not continue it.
      if (entry && hasSnapshot && entry.epoch === this.epoch && Number(entry.seq) <= wall.lastSeq) this.published.set(wall.slug, Number(entry.seq));
      else if (!entry && hasSnapshot && wall.lastSeq === 0) this.published.set(wall.slug, 0);
      this.changed.add(wall.slug);
    }
  }

  /**
   * Appends what Redis lacks of one wall, in one MULTI. A wall whose position is unknown starts over: its
   * stream is rewritten from the latest events of the log with its snapshot, and edges are told to load it
   * afresh.
   */
  private async publish(slug: string): Promise<void> {
    const wall = this.repos.walls.bySlug(slug);
    if (!wall) return;
    const from = this.published.get(slug);
    const key = this.keys.events(slug);
    const at = String(this.now());
    const tx = this.redis.multi();
    let last: number;
    if (from === undefined || from > wall.lastSeq) {
      tx.del(key);
      for (const event of this.repos.events.recent(wall.id, STREAM_LENGTH)) {
        tx.xadd(key, `${event.seq}-0`, 'seq', String(event.seq), 'epoch', this.epoch, 'at', at, 'json', event.json);
      }
      tx.set(this.keys.snapshot(slug), JSON.stringify(this.snapshotOf(wall)));
      this.snapshots.set(slug, wall.lastSeq);
      tx.sadd(this.keys.walls, slug);
      const scrub = this.scrubbed.has(slug);
      tx.xadd(this.keys.control, 'MAXLEN', '~', CONTROL_LENGTH, '*', 'type', 'reset', 'slug', slug, ...(scrub ? ['scrub', '1'] : []));
      last = wall.lastSeq;
    } else {
      const events = this.repos.events.since(wall.id, from, BATCH);
      if (events.length === 0) return;
      for (const event of events) {
        tx.xadd(key, 'MAXLEN', '~', STREAM_LENGTH, `${event.seq}-0`, 'seq', String(event.seq), 'epoch', this.epoch, 'at', at, 'json', event.json);
      }
      last = events[events.length - 1]!.seq;
      if (last < wall.lastSeq) this.changed.add(slug);
      // The snapshot is written every second (snapshotAndBeat), except in a burst that would leave it older
      // than the stream reaches back: then it goes with the batch that reaches now.
      else if (last - (this.snapshots.get(slug) ?? -Infinity) >= SNAPSHOT_BEHIND) {
        tx.set(this.keys.snapshot(slug), JSON.stringify(this.snapshotOf(wall)));
        this.snapshots.set(slug, last);
      }
    }
    const results = (await tx.exec()) ?? [];
    const failed = results.find(([error]) => error !== null);
    if (failed) {
      this.snapshots.delete(slug);
      // Starting over failed too: something else is wrong with Redis (out of memory, a read-only replica).
      if (from === undefined) throw failed[0];
      // Redis holds something else than we thought (another writer, a reply lost after the write): start over.
      this.published.delete(slug);
      this.changed.add(slug);
      this.log.warn({ err: failed[0], wall: slug }, 'a wall stream did not continue as expected; rewriting it');
      return;
    }
    this.published.set(slug, last);
    if (from === undefined) this.scrubbed.delete(slug);
  }
}
