import type { FastifyInstance } from 'fastify';
import { edgeShares, mergeScreens } from '../cluster/screens-share.js';
import { notFound } from '../errors.js';
import { requireRole } from '../plugins/auth.js';
import type { ScreenRegistry } from '../realtime/screens.js';
import { SocketConnection } from '../realtime/sockets.js';
import type { WallFeeds } from '../realtime/wall-feed.js';
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
 * Sends `reload` to a wall's screens in this process, or to the one named; how many it reached. An edge
 * does the same when the primary passes a reload on.
 */
export function reloadScreens(feeds: WallFeeds, screens: ScreenRegistry, slug: string, screen: string | undefined): number {
  const feed = feeds.peek(slug);
  if (!feed) return 0;
  if (screen === undefined) return feed.deliverToViewers(RELOAD_FRAME);
  const socket = screens.socketOf(slug, screen);
  return socket === null ? 0 : feed.deliverToViewers(RELOAD_FRAME, (viewer) => viewer instanceof SocketConnection && viewer.socket === socket);
}

/**
 * The screens of a wall as they report themselves, and the remote reload: a projector that went wrong
 * in a room nobody can reach is reloaded from the console. In cluster mode both reach the edges' screens
 * too: their lists through Redis, the reload through the control stream.
 */
export async function screenRoutes(app: FastifyInstance): Promise<void> {
  const { repos, feeds, screens, now, cluster } = app.toile;

  app.get<{ Params: SlugParams }>(
    '/api/walls/:slug/screens',
    {
      onRequest: requireRole('moderator'),
      schema: { params: slugParams, response: { 200: { type: 'object', properties: { screens: { type: 'array', items: screenInfo } } } } },
    },
    async (request) => {
      const { slug } = request.params;
      if (!repos.walls.bySlug(slug)) throw notFound(`Wall "${slug}"`);
      // In cluster mode most screens watch through an edge: each copies its list to Redis.
      if (!cluster) return { screens: screens.list(slug) };
      return { screens: mergeScreens([screens.list(slug), (await edgeShares(cluster.redis, cluster.keys, slug)).screens]) };
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
      feeds.get(slug);
      const reloaded = reloadScreens(feeds, screens, slug, screen);
      // In cluster mode the edges reload theirs too; they are not counted here.
      await cluster?.notify({ type: 'reload', slug, ...(screen === undefined ? {} : { screen }) });
      repos.audit.append(
        { actor: request.principal!.username, action: 'wall.reload', wallId: wall.id, targetType: 'wall', targetId: slug, detail: { ...(screen === undefined ? {} : { screen }), reloaded } },
        now().toISOString(),
      );
      return reply.code(202).send({ reloaded });
    },
  );
}
