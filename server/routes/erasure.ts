import type { FastifyInstance } from 'fastify';
import { requireRole } from '../plugins/auth.js';
import { createErasure, MAX_ADDRESS_LENGTH, type Erasure } from '../services/erasure.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Forgetting a contributor or a message (see services/erasure.ts). */
    erasure: Erasure;
  }
}

const removed = {
  type: 'object',
  properties: {
    removed: {
      type: 'object',
      properties: {
        contributors: { type: 'integer' },
        messages: { type: 'integer' },
        pictures: { type: 'integer' },
        walls: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

/**
 * `POST /api/contributors/forget` `{address}` and `DELETE /api/messages/:id`, admins only. Forgetting an
 * address nobody used answers 200 with zeros, as forgetting it twice does: the answer is what was removed.
 */
export function registerErasure(app: FastifyInstance): void {
  const { toile } = app;
  const erasure = createErasure(
    { repos: toile.repos, hub: toile.hub, now: toile.now },
    { mediaDir: toile.media.dir, log: app.log.child({ component: 'erasure' }), feeds: toile.feeds, cluster: toile.cluster },
  );
  app.decorate('erasure', erasure);

  app.post<{ Body: { address: string } }>(
    '/api/contributors/forget',
    {
      onRequest: requireRole('admin'),
      schema: {
        body: {
          type: 'object',
          required: ['address'],
          additionalProperties: false,
          properties: { address: { type: 'string', minLength: 1, maxLength: MAX_ADDRESS_LENGTH } },
        },
        response: { 200: removed },
      },
    },
    async (request) => ({ removed: erasure.forgetContributor(request.body.address, request.principal!.username) }),
  );

  app.delete<{ Params: { id: number } }>(
    '/api/messages/:id',
    {
      onRequest: requireRole('admin'),
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        response: { 200: removed },
      },
    },
    async (request) => ({ removed: erasure.forgetMessage(request.params.id, request.principal!.username) }),
  );
}
