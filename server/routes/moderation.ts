import type { FastifyInstance } from 'fastify';
import { MESSAGE_STATUSES, type MessageStatus } from '../domain/message.js';
import { MODERATION_ACTIONS, type ModerationAction } from '../domain/moderation.js';
import { toModeratorMessage } from '../domain/views.js';
import { notFound } from '../errors.js';
import { requireRole } from '../plugins/auth.js';
import { slugParams, type SlugParams } from './schemas.js';

export async function moderationRoutes(app: FastifyInstance): Promise<void> {
  const { repos, moderate } = app.toile;

  app.get<{ Params: SlugParams; Querystring: { status?: MessageStatus; limit: number; before?: number } }>(
    '/api/walls/:slug/messages',
    {
      onRequest: requireRole('moderator'),
      schema: {
        params: slugParams,
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: [...MESSAGE_STATUSES] },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            before: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
    async (request) => {
      const wall = repos.walls.bySlug(request.params.slug);
      if (!wall) throw notFound(`Wall "${request.params.slug}"`);
      const { status, limit, before } = request.query;
      return { items: repos.messages.list(wall.id, { status, limit, before }).map((m) => toModeratorMessage(m, true)) };
    },
  );

  app.post<{ Params: { id: number; action: ModerationAction }; Body: { expectedVersion?: number } | undefined }>(
    '/api/messages/:id/:action',
    {
      onRequest: requireRole('moderator'),
      schema: {
        params: {
          type: 'object',
          required: ['id', 'action'],
          properties: { id: { type: 'integer', minimum: 1 }, action: { type: 'string', enum: [...MODERATION_ACTIONS] } },
        },
        body: {
          type: ['object', 'null'],
          properties: { expectedVersion: { type: 'integer', minimum: 1 } },
        },
      },
    },
    async (request) => {
      const { id, action } = request.params;
      const message = moderate(id, action, request.principal!.username, request.body?.expectedVersion);
      return toModeratorMessage(message, true);
    },
  );

  app.get<{ Querystring: { wall?: string; limit: number } }>(
    '/api/audit',
    {
      onRequest: requireRole('admin'),
      schema: {
        querystring: {
          type: 'object',
          properties: { wall: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        },
      },
    },
    async (request) => {
      let wallId: number | null = null;
      if (request.query.wall !== undefined) {
        const wall = repos.walls.bySlug(request.query.wall);
        if (!wall) throw notFound(`Wall "${request.query.wall}"`);
        wallId = wall.id;
      }
      return { items: repos.audit.list(wallId, request.query.limit) };
    },
  );
}
