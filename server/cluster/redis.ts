/**
 * What the primary and the edges share in Redis, and how they connect to it.
 *
 * Per wall, the primary keeps two keys: a stream of its events, each entry's ID being `<seq>-0`, so that
 * "everything after seq N" is `XREAD … <N>-0` on any edge, and a snapshot of the wall at some seq the
 * stream holds, rewritten every second while the wall changes. A control stream tells edges of walls that
 * appear or start over (a new epoch, a stream Redis lost) and of reloads asked from the console; a
 * heartbeat key says the primary is there and how far it has committed.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { WallMessage } from '../domain/message.js';
import type { PublicWall } from '../domain/wall.js';

/** The keys of one Toile in Redis, all under `<prefix>:` (`TOILE_REDIS_PREFIX`). */
export class ClusterKeys {
  constructor(readonly prefix: string) {}

  /** A set: every wall the primary has published. */
  get walls(): string {
    return `${this.prefix}:walls`;
  }

  /** The primary's heartbeat (`PrimaryBeat`), expiring when it stops. */
  get primary(): string {
    return `${this.prefix}:primary`;
  }

  /** A stream of `ControlNotice`s, for every edge. */
  get control(): string {
    return `${this.prefix}:control`;
  }

  events(slug: string): string {
    return `${this.prefix}:wall:${slug}:events`;
  }

  snapshot(slug: string): string {
    return `${this.prefix}:wall:${slug}:snapshot`;
  }

  /** A hash: per edge, the screens of this wall it serves (`screens-share.ts`). */
  screens(slug: string): string {
    return `${this.prefix}:wall:${slug}:screens`;
  }

  /** The slug of a wall's events key (XREAD answers with the key). */
  slugOfEvents(key: string): string | null {
    const start = `${this.prefix}:wall:`;
    return key.startsWith(start) && key.endsWith(':events') ? key.slice(start.length, -':events'.length) : null;
  }
}

/** A wall's state at one seq, as the primary writes it and an edge starts from (reading the rest from the stream). */
export interface StoredSnapshot {
  epoch: string;
  seq: number;
  wall: PublicWall;
  items: WallMessage[];
}

/**
 * Written by the primary every second while Redis holds every event it has committed, and expiring
 * `BEAT_TTL_MS` after the last: an edge is caught up when its walls reach these seqs, and knows the primary
 * is away when the key is gone.
 */
export interface PrimaryBeat {
  /** The primary's clock, in ms. */
  at: number;
  epoch: string;
  /** Each wall's latest seq in SQLite. */
  seqs: Record<string, number>;
}

export const BEAT_MS = 1000;
export const BEAT_TTL_MS = 5000;

/** What the control stream carries. */
export type ControlNotice =
  /**
   * Load this wall afresh from its snapshot (new, or started over). `scrub` ('1'): its history was
   * rewritten (a contributor erased), so the events an edge keeps for resuming viewers are replaced even
   * when it is already at that seq.
   */
  | { type: 'reset'; slug: string; scrub?: string }
  /** A moderator asked this wall's screens (or one of them) to reload the page. */
  | { type: 'reload'; slug: string; screen?: string };

/** The most events a wall's stream keeps (approximately: Redis trims whole nodes); edges hold as many. */
export const STREAM_LENGTH = 1000;
/** The control stream only needs to reach back as far as an edge may have been away. */
export const CONTROL_LENGTH = 1000;

/** A stream entry's fields as ioredis returns them (`[name, value, name, value…]`), as an object. */
export function fields(list: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) result[list[i]!] = list[i + 1]!;
  return result;
}

/** What the connection logs to: an outage once, and its end once. */
export interface OutageLog {
  warn(obj: object, msg: string): void;
  info(msg: string): void;
}

/**
 * A connection that fails fast: a command while Redis is away is refused at once rather than queued, so
 * that the primary goes on with SQLite and the edges tell their viewers; each side catches up itself when
 * the connection is ready again. ioredis reconnects on its own, every second or two, and reports each
 * failed attempt: only the first of an outage is logged, or a Redis down for the afternoon would fill the log.
 */
export function connectRedis(url: string, name: string, log: OutageLog, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(250 * attempt, 2000),
    keepAlive: 10_000,
    connectTimeout: 5000,
    ...options,
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: error }, 'Redis is unreachable; retrying every 2 s');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log.info('Redis is reachable again');
  });
  return redis;
}

/** The next time `redis` is ready (at once if it is), or null when it is closed for good first. */
export function whenReady(redis: Redis): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  if (redis.status === 'end') return Promise.resolve(false);
  return new Promise((resolve) => {
    const ready = () => {
      redis.off('end', end);
      resolve(true);
    };
    const end = () => {
      redis.off('ready', ready);
      resolve(false);
    };
    redis.once('ready', ready);
    redis.once('end', end);
  });
}
