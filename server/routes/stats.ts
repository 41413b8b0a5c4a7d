import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.js';
import { requireRole } from '../plugins/auth.js';
import { slugParams, type SlugParams } from './schemas.js';

/**
 * `GET /api/walls/:slug/stats` (moderator): the wall's numbers, live during the event and after it
 * (services/stats.ts). Computed from SQLite when asked: the console asks every few seconds.
 */
export async function statsRoutes(app: FastifyInstance): Promise<void> {
  const { repos, stats } = app.toile;
  app.get<{ Params: SlugParams }>('/api/walls/:slug/stats', { onRequest: requireRole('moderator'), schema: { params: slugParams } }, async (request) => {
    const wall = repos.walls.bySlug(request.params.slug);
    if (!wall) throw notFound(`Wall "${request.params.slug}"`);
    return stats(wall);
  });
}
