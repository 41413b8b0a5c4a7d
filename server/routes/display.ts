import type { FastifyInstance } from 'fastify';
import { DISPLAY_MODES, publicWall, type DisplayMode } from '../domain/wall.js';
import { requireRole } from '../plugins/auth.js';
import { slugParams, type SlugParams } from './schemas.js';

/**
 * The panic button, `POST /api/walls/:slug/display`: a moderator blanks or freezes every screen of a wall
 * and sets it live again, without the admin rights that the other wall settings need. Screens follow
 * through the wall's `wall` event.
 */
export async function displayRoutes(app: FastifyInstance): Promise<void> {
  const { walls } = app.toile;

  app.post<{ Params: SlugParams; Body: { display: DisplayMode } }>(
    '/api/walls/:slug/display',
    {
      onRequest: requireRole('moderator'),
      schema: {
        params: slugParams,
        body: {
          type: 'object',
          required: ['display'],
          additionalProperties: false,
          properties: { display: { type: 'string', enum: [...DISPLAY_MODES] } },
        },
      },
    },
    async (request) => publicWall(walls.setDisplay(request.params.slug, request.body.display, request.principal!.username)),
  );
}
