import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.js';
import { requireRole } from '../plugins/auth.js';
import { SocketConnection } from '../realtime/sockets.js';
import { slugParams, type SlugParams } from './schemas.js';

/** Not an event (no seq): a page that receives it reloads itself. The same bytes go to every screen. */
const RELOAD_FRAME = Buffer.from('{"type":"reload"}');

const screenInfo = {
  type: 'object',
  properties: {
    screen: { type: 'string' },
    layout: { type: 'string' },
    width: { type: 'integer' },
    height: { type: 'integer' },
    seq: { type: 'integer' },
    heapMb: { type: ['number', 'null'] },
    cards: { type: 'integer' },
    mode: { type: 'string' },
    language: { type: 'string' },
    connectedAt: { type: 'string' },
    lastSeenAt: { type: 'string' },
    connected: { type: 'boolean' },
  },
} as const;

/**
 * The screens of a wall as they report themselves, and the remote reload: a projector that went wrong
 * in a room nobody can reach is reloaded from the console. Both are this process's view (see
 * realtime/screens.ts).
 */
export async function screenRoutes(app: FastifyInstance): Promise<void> {
  const { repos, feeds, screens, now } = app.toile;

  app.get<{ Params: SlugParams }>(
    '/api/walls/:slug/screens',
    {
      onRequest: requireRole('moderator'),
      schema: { params: slugParams, response: { 200: { type: 'object', properties: { screens: { type: 'array', items: screenInfo } } } } },
    },
    async (request) => {
      if (!repos.walls.bySlug(request.params.slug)) throw notFound(`Wall "${request.params.slug}"`);
      return { screens: screens.list(request.params.slug) };
    },
  );

  app.post<{ Params: SlugParams; Body: { screen?: string } | undefined }>(
    '/api/walls/:slug/reload',
    {
      onRequest: requireRole('moderator'),
      schema: {
        params: slugParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { screen: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: { 202: { type: 'object', properties: { reloaded: { type: 'integer' } } } },
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      const wall = repos.walls.bySlug(slug);
      if (!wall) throw notFound(`Wall "${slug}"`);
      const screen = request.body?.screen;
      const feed = feeds.get(slug)!;
      let reloaded: number;
      if (screen === undefined) {
        reloaded = feed.deliverToViewers(RELOAD_FRAME);
      } else {
        const socket = screens.socketOf(slug, screen);
        reloaded = socket === null ? 0 : feed.deliverToViewers(RELOAD_FRAME, (viewer) => viewer instanceof SocketConnection && viewer.socket === socket);
      }
      repos.audit.append(
        { actor: request.principal!.username, action: 'wall.reload', wallId: wall.id, targetType: 'wall', targetId: slug, detail: { ...(screen === undefined ? {} : { screen }), reloaded } },
        now().toISOString(),
      );
      return reply.code(202).send({ reloaded });
    },
  );
}
