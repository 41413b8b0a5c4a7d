import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Channel } from './domain/message.js';
import type { SocketRegistry } from './realtime/sockets.js';
import type { WallFeeds } from './realtime/wall-feed.js';
import type { IngestOutcome } from './services/ingest.js';

/** What the metrics read at scrape time: the live feeds and the socket registry. */
export interface MetricSources {
  feeds: WallFeeds;
  sockets: SocketRegistry;
  /** Contributions by wall, channel and status (the primary's SQLite; an edge has none). */
  messageCounts?: () => { slug: string; channel: string; status: string; count: number }[];
}

export interface Metrics {
  /** The app's own registry, not prom-client's global one: several apps in one process (tests) never collide. */
  registry: Registry;
  /** Counts one contribution's outcome; the ingest pipeline's observer. */
  ingested(channel: Channel, outcome: IngestOutcome): void;
  /** A moderator's first decision on a contribution, `seconds` after it was received. */
  decided(wall: string, seconds: number): void;
  /** The text exposition format, with the registry's content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

const PREFIX = 'toile_';

/**
 * Toile's Prometheus metrics (https://prometheus.io/docs/instrumenting/writing_exporters/). The realtime
 * figures are read from the feeds and the socket registry when Prometheus scrapes, so viewers and
 * broadcasts pay nothing for them beyond a few additions per broadcast. Labels carry only what is public
 * (wall slugs, channel names, statuses), never a contributor's address.
 */
export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  const registers = [registry];

  new Gauge({
    name: `${PREFIX}wall_viewers`,
    help: 'Wall sockets connected to this process, per wall.',
    labelNames: ['wall'],
    registers,
    collect() {
      // Reset first: a wall nobody watches any more reads 0 rather than its last count.
      this.reset();
      for (const feed of sources.feeds.all()) this.set({ wall: feed.slug }, feed.viewerCount);
    },
  });
  new Counter({
    name: `${PREFIX}wall_events_total`,
    help: 'Wall events (approved, removed, pinned, unpinned, wall) this process handed to its viewers, per wall.',
    labelNames: ['wall'],
    registers,
    collect() {
      // The feeds keep the running totals; a counter read from them is Prometheus's "counter func".
      this.reset();
      for (const feed of sources.feeds.all()) this.inc({ wall: feed.slug }, feed.eventCount);
    },
  });
  new Counter({
    name: `${PREFIX}deliveries_total`,
    help: 'Frames handed to wall viewers\' sockets (each broadcast counts once per viewer).',
    registers,
    collect() {
      let deliveries = 0;
      for (const feed of sources.feeds.all()) deliveries += feed.deliveryCount;
      this.reset();
      this.inc(deliveries);
    },
  });
  new Counter({
    name: `${PREFIX}slow_viewers_dropped_total`,
    help: 'Sockets disconnected by the slow-viewer policy (past the hard limit, or slow for too long).',
    registers,
    collect() {
      this.reset();
      this.inc(sources.sockets.slowDroppedCount);
    },
  });
  const ingest = new Counter({
    name: `${PREFIX}ingest_total`,
    help: 'Contributions stored by the ingest pipeline, by channel and status; "duplicate" is a provider\'s retry.',
    labelNames: ['channel', 'outcome'],
    registers,
  });

  const messageCounts = sources.messageCounts;
  if (messageCounts) {
    new Gauge({
      name: `${PREFIX}wall_contributions`,
      help: 'Contributions stored per wall, channel and status (pending is the moderation queue), read from the database at scrape time.',
      labelNames: ['wall', 'channel', 'status'],
      registers,
      collect() {
        this.reset();
        for (const { slug, channel, status, count } of messageCounts()) this.set({ wall: slug, channel, status }, count);
      },
    });
  }
  const decisions = new Histogram({
    name: `${PREFIX}moderation_decision_seconds`,
    help: 'From a contribution received to a moderator\'s first decision on it (automatic decisions are not counted).',
    labelNames: ['wall'],
    buckets: [5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers,
  });

  // The process metrics, event-loop delay among them, start with the first scrape: their timers and GC
  // observer cannot be stopped, so an app that is never scraped (every test's) does not start them.
  let processMetrics = false;

  return {
    registry,
    ingested(channel, outcome) {
      ingest.inc({ channel, outcome });
    },
    decided(wall, seconds) {
      decisions.observe({ wall }, seconds);
    },
    async render() {
      if (!processMetrics) {
        collectDefaultMetrics({ register: registry, prefix: PREFIX });
        processMetrics = true;
      }
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
