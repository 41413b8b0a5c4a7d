import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.js';
import type { WallFeeds } from '../realtime/wall-feed.js';
import { slugParams, type SlugParams } from './schemas.js';

/** The most events one HTTP poll returns; a client further behind polls again from the last seq. */
export const EVENTS_PAGE = 1000;

export interface WallEventsOptions {
  feeds: WallFeeds;
  /**
   * The events after `since` that the feed no longer holds, as JSON, at most `limit`; the primary reads its
   * log in SQLite. Without it (an edge), a client further behind than memory is sent a snapshot instead.
   */
  olderEvents?: (slug: string, since: number, limit: number) => string[];
}

/**
 * `GET /api/walls/:slug/events?since=&epoch=`: the wall's events as JSON, for clients without WebSocket
 * and embeds. `{epoch, seq, latestSeq, events}`, plus `snapshot` (the socket's snapshot frame) when an
 * edge cannot reach back to `since`.
 */
export async function wallEventsRoutes(app: FastifyInstance, { feeds, olderEvents }: WallEventsOptions): Promise<void> {
  app.get<{ Params: SlugParams; Querystring: { since: number; epoch?: string } }>(
    '/api/walls/:slug/events',
    {
      // Polled every few seconds by every viewer without WebSockets: viewers are counted by the metrics, and
      // only what goes wrong with them is logged.
      logLevel: 'warn',
      schema: {
        params: slugParams,
        querystring: {
          type: 'object',
          properties: { since: { type: 'integer', minimum: 0, default: 0 }, epoch: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      const feed = feeds.get(slug);
      if (!feed) throw notFound(`Wall "${slug}"`);
      const { since, epoch } = request.query;
      let frames: string[];
      let snapshot: Buffer | null = null;
      const fromMemory = feed.eventsSince(since);
      if (epoch !== undefined && epoch !== feed.epoch) {
        frames = [];
      } else if (fromMemory) {
        frames = fromMemory;
      } else if (olderEvents && since <= feed.seq) {
        frames = olderEvents(slug, since, EVENTS_PAGE);
      } else {
        frames = [];
        if (since < feed.seq) snapshot = feed.snapshotJson();
      }
      frames = frames.slice(0, EVENTS_PAGE);
      const last = frames.length > 0 ? (JSON.parse(frames[frames.length - 1]!) as { seq: number }).seq : Math.min(since, feed.seq);
      // The stored events are already JSON: they are spliced in rather than parsed and serialized again.
      // Public like the wall socket, and polled by embeds on other sites: any origin may read it.
      reply.type('application/json; charset=utf-8').header('access-control-allow-origin', '*');
      const extra = snapshot === null ? '' : `,"snapshot":${snapshot.toString()}`;
      return `{"epoch":${JSON.stringify(feed.epoch)},"seq":${last},"latestSeq":${feed.seq},"events":[${frames.join(',')}]${extra}}`;
    },
  );
}
