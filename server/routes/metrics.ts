import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireRole } from '../plugins/auth.js';
import { safeEqual } from '../services/auth.js';

/**
 * `GET /metrics` for Prometheus. An admin may read it; so may a scraper holding `TOILE_METRICS_TOKEN`,
 * which opens this route and no other: it is not an API token, so every other route still sees no one.
 */
export async function metricsRoutes(app: FastifyInstance): Promise<void> {
  const { metrics, config } = app.toile;
  const adminOnly = requireRole();

  async function scraperOrAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = bearer(request);
    if (config.metricsToken !== undefined && token !== undefined && safeEqual(token, config.metricsToken)) return;
    await adminOnly(request, reply);
  }

  app.get('/metrics', { preHandler: scraperOrAdmin, schema: { response: { 200: { type: 'string' } } } }, async (_request, reply) => {
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
}

export function bearer(request: FastifyRequest): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
}
