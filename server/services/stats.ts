import type { StatsRow } from '../db/repositories/stats.js';
import { extractHashtags } from '../domain/normalize.js';
import type { Wall } from '../domain/wall.js';
import type { ServiceContext } from './context.js';

type Status = 'pending' | 'approved' | 'rejected' | 'hidden';
type Counts = Record<Status, number> & { received: number };

/** The most points a series holds: an event of two days is drawn in 5-minute buckets, not 2,880 minutes. */
const MAX_POINTS = 720;
/** Bucket widths a series may use, in seconds, the smallest that keeps it under MAX_POINTS. */
const BUCKETS = [60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 86_400];
const TOP = 10;

/** A wall's numbers (`GET /api/walls/:slug/stats`), computed from SQLite when asked. */
export interface WallStats {
  wall: string;
  at: string;
  totals: Counts;
  byChannel: Record<string, Counts>;
  /** Approved (hidden ones too: they were shown) out of those decided; null before any decision. */
  approvalRate: number | null;
  /** Received → a moderator's first decision, in seconds; automatic decisions are not counted. */
  moderation: { decided: number; medianSeconds: number | null; p90Seconds: number | null };
  /** Contributions received per bucket, by channel, and the queue's length at each bucket's end. */
  series: { bucketSeconds: number; start: string | null; channels: string[]; received: Record<string, number[]>; queue: number[] };
  /** Approved contributions by their public label (never an address). */
  topContributors: { label: string; count: number }[];
  /** Hashtags in approved contributions, by how many contributions name them. */
  hashtags: { tag: string; count: number }[];
  /** Wall sockets connected now (this process, and the edges in cluster mode). */
  viewers: number;
}

/**
 * What a wall's stats slide shows (`GET /api/walls/:slug/stats/public`): counts and the chart, nothing else.
 * The route is public and the wall is embedded on other sites, so this is an allow-list: what was shown and
 * how much came in, per channel and over time, and the viewers now. Left out on purpose: the queue and what
 * was rejected or hidden (moderation's business, and a hint at what was held back), the approval rate and
 * the moderators' latency (about the staff, not the audience), contributors' labels and hashtags (people's
 * names on a public endpoint, kept by caches and crawlers after an erasure).
 */
export interface PublicWallStats {
  wall: string;
  at: string;
  /** Contributions received, whatever became of them. */
  received: number;
  /** Contributions on the wall (approved). */
  shown: number;
  byChannel: Record<string, { received: number; shown: number }>;
  viewers: number;
  series: { bucketSeconds: number; start: string | null; channels: string[]; received: Record<string, number[]> };
}

/** The public part of a wall's stats (see PublicWallStats), projected from `stats(wall)`, not recomputed. */
export function publicStats(stats: WallStats): PublicWallStats {
  const { series } = stats;
  return {
    wall: stats.wall,
    at: stats.at,
    received: stats.totals.received,
    shown: stats.totals.approved,
    byChannel: Object.fromEntries(Object.entries(stats.byChannel).map(([channel, counts]) => [channel, { received: counts.received, shown: counts.approved }])),
    viewers: stats.viewers,
    series: { bucketSeconds: series.bucketSeconds, start: series.start, channels: series.channels, received: series.received },
  };
}

const zero = (): Counts => ({ received: 0, pending: 0, approved: 0, rejected: 0, hidden: 0 });

/** The p-th percentile (0–1) of sorted values, nearest rank; null for none. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function top(counts: Map<string, number>): { key: string; count: number }[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TOP)
    .map(([key, count]) => ({ key, count }));
}

/**
 * Computes a wall's stats from its contributions and the moderators' first decisions. Pure: the route
 * reads the rows and the clock, so that a test can compare every figure with the data it stored.
 */
export function computeStats(wall: Wall, rows: StatsRow[], firstDecisions: Map<number, string>, now: Date, viewers: number): WallStats {
  const totals = zero();
  const byChannel: Record<string, Counts> = {};
  const latencies: number[] = [];
  const labels = new Map<string, number>();
  const tags = new Map<string, number>();
  for (const row of rows) {
    const status = row.status as Status;
    const channel = (byChannel[row.channel] ??= zero());
    totals.received += 1;
    channel.received += 1;
    totals[status] += 1;
    channel[status] += 1;
    const decided = firstDecisions.get(row.id);
    if (decided !== undefined) latencies.push(Math.max(0, (Date.parse(decided) - Date.parse(row.receivedAt)) / 1000));
    if (status === 'approved') {
      labels.set(row.authorName, (labels.get(row.authorName) ?? 0) + 1);
      for (const tag of extractHashtags(row.text)) tags.set(tag, (tags.get(tag) ?? 0) + 1);
    }
  }
  latencies.sort((a, b) => a - b);
  const shown = totals.approved + totals.hidden;
  const decidedCount = shown + totals.rejected;
  return {
    wall: wall.slug,
    at: now.toISOString(),
    totals,
    byChannel,
    approvalRate: decidedCount === 0 ? null : shown / decidedCount,
    moderation: { decided: latencies.length, medianSeconds: percentile(latencies, 0.5), p90Seconds: percentile(latencies, 0.9) },
    series: series(rows, firstDecisions, now),
    topContributors: top(labels).map(({ key, count }) => ({ label: key, count })),
    hashtags: top(tags).map(({ key, count }) => ({ tag: key, count })),
    viewers,
  };
}

/**
 * Received per bucket and channel, from the first contribution's bucket to now's; the queue at the end of
 * each bucket: received by then and not yet decided (by a moderator, or automatically) by then.
 */
function series(rows: StatsRow[], firstDecisions: Map<number, string>, now: Date): WallStats['series'] {
  const channels = [...new Set(rows.map((row) => row.channel))].sort();
  if (rows.length === 0) return { bucketSeconds: BUCKETS[0]!, start: null, channels, received: {}, queue: [] };
  const first = Math.min(...rows.map((row) => Date.parse(row.receivedAt)));
  const end = Math.max(now.getTime(), ...rows.map((row) => Date.parse(row.receivedAt)));
  const bucketSeconds = BUCKETS.find((seconds) => (end - first) / 1000 / seconds < MAX_POINTS) ?? BUCKETS[BUCKETS.length - 1]!;
  const width = bucketSeconds * 1000;
  const start = Math.floor(first / width) * width;
  const points = Math.floor((end - start) / width) + 1;
  const received: Record<string, number[]> = Object.fromEntries(channels.map((channel) => [channel, new Array<number>(points).fill(0)]));
  // The queue as steps: +1 when a contribution arrives, -1 when it is decided; read at each bucket's end.
  const steps: [number, number][] = [];
  for (const row of rows) {
    const at = Date.parse(row.receivedAt);
    received[row.channel]![Math.floor((at - start) / width)]! += 1;
    steps.push([at, 1]);
    const decided = firstDecisions.get(row.id) ?? row.decidedAt;
    if (decided !== null && decided !== undefined) steps.push([Math.max(at, Date.parse(decided)), -1]);
    else if (row.status !== 'pending') steps.push([at, -1]);
  }
  steps.sort((a, b) => a[0] - b[0]);
  const queue: number[] = [];
  let length = 0;
  let next = 0;
  for (let point = 0; point < points; point += 1) {
    const bucketEnd = start + (point + 1) * width;
    while (next < steps.length && steps[next]![0] < bucketEnd) length += steps[next++]![1];
    queue.push(length);
  }
  return { bucketSeconds, start: new Date(start).toISOString(), channels, received, queue };
}

/** The stats of a wall now; `viewers` counts the wall's sockets wherever they are. */
export function createStats(ctx: ServiceContext, viewers: (slug: string) => Promise<number>) {
  return async function stats(wall: Wall): Promise<WallStats> {
    const { repos } = ctx;
    // Read together, so that a decision made between the two reads does not count a message twice.
    const [rows, decisions] = repos.db.transaction(() => [repos.stats.contributions(wall.id), repos.stats.firstDecisions(wall.id)] as const)();
    return computeStats(wall, rows, decisions, ctx.now(), await viewers(wall.slug));
  };
}
