import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.js';
import { requireRole } from '../plugins/auth.js';
import { publicStats, type PublicWallStats } from '../services/stats.js';
import { errorBody, slugParams, type SlugParams } from './schemas.js';

/**
 * How long a wall's public numbers are reused. Every screen and embed of a wall asks when its slide opens,
 * and they open together (the same interval on every screen): thousands of requests then cost one read of
 * the database. A few seconds late is invisible on a slide that shows minutes.
 */
export const PUBLIC_STATS_TTL_MS = 5_000;

const counts = { type: 'integer', minimum: 0 } as const;

/**
 * The public answer's schema doubles as an allow-list: Fastify serializes only the properties named here,
 * so a field added to WallStats later cannot reach a public page by accident.
 */
const publicStatsBody = {
  type: 'object',
  required: ['wall', 'at', 'received', 'shown', 'byChannel', 'viewers', 'series'],
  additionalProperties: false,
  properties: {
    wall: { type: 'string' },
    at: { type: 'string' },
    received: counts,
    shown: counts,
    byChannel: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: false, properties: { received: counts, shown: counts } },
    },
    viewers: counts,
    series: {
      type: 'object',
      additionalProperties: false,
      properties: {
        bucketSeconds: { type: 'integer' },
        start: { type: ['string', 'null'] },
        channels: { type: 'array', items: { type: 'string' } },
        received: { type: 'object', additionalProperties: { type: 'array', items: counts } },
      },
    },
  },
} as const;

/**
 * `GET /api/walls/:slug/stats` (moderator): the wall's numbers, live during the event and after it
 * (services/stats.ts). Computed from SQLite when asked: the console asks every few seconds.
 *
 * `GET /api/walls/:slug/stats/public` (anyone, any origin): what the wall's stats slide shows, only while
 * the wall's `statsSlide` is on, so that a wall that does not show its numbers does not publish them.
 */
export async function statsRoutes(app: FastifyInstance): Promise<void> {
  const { repos, stats, now } = app.toile;
  app.get<{ Params: SlugParams }>('/api/walls/:slug/stats', { onRequest: requireRole('moderator'), schema: { params: slugParams } }, async (request) => {
    const wall = repos.walls.bySlug(request.params.slug);
    if (!wall) throw notFound(`Wall "${request.params.slug}"`);
    return stats(wall);
  });

  // Per wall id: the answer being computed or computed last, shared by every request until it expires. A
  // request that arrives while it is computed waits for the same promise instead of reading again.
  const cache = new Map<number, { expiresAt: number; body: Promise<PublicWallStats> }>();
  app.get<{ Params: SlugParams }>(
    '/api/walls/:slug/stats/public',
    {
      // Asked by every screen at once when their slides open: only what goes wrong is logged.
      logLevel: 'warn',
      // Read by `<toile-wall>` embeds on other sites, refusals included (no credentials).
      onRequest: async (_request, reply) => {
        reply.header('access-control-allow-origin', '*');
      },
      schema: { params: slugParams, response: { 200: publicStatsBody, 404: errorBody } },
    },
    async (request, reply) => {
      const wall = repos.walls.bySlug(request.params.slug);
      // Checked on every request, not cached: switching the slide off unpublishes the numbers at once.
      if (!wall || !wall.settings.statsSlide.enabled) throw notFound(`Stats of wall "${request.params.slug}"`);
      const at = now().getTime();
      let entry = cache.get(wall.id);
      if (entry === undefined || entry.expiresAt <= at) {
        for (const [id, old] of cache) if (old.expiresAt <= at) cache.delete(id);
        const body = stats(wall).then(publicStats);
        entry = { expiresAt: at + PUBLIC_STATS_TTL_MS, body };
        cache.set(wall.id, entry);
        // A failed read is not kept: the next request tries again.
        body.catch(() => {
          if (cache.get(wall.id)?.body === body) cache.delete(wall.id);
        });
      }
      reply.header('cache-control', `public, max-age=${PUBLIC_STATS_TTL_MS / 1000}`);
      return entry.body;
    },
  );
}
