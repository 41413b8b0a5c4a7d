import type { FastifyInstance } from 'fastify';
import type { Wall } from '../domain/wall.js';
import { notFound } from '../errors.js';
import { requireRole } from '../plugins/auth.js';
import { SOURCE_KINDS } from '../sources/types.js';
import type { SourceInput } from '../sources/settings.js';
import { slugParams, slugPattern, type SlugParams } from './schemas.js';

type SourceParams = SlugParams & { id: number };

const sourceParams = {
  type: 'object',
  required: ['slug', 'id'],
  properties: { slug: { type: 'string', pattern: slugPattern }, id: { type: 'integer', minimum: 1 } },
} as const;

const url = { type: 'string', minLength: 1, maxLength: 2048 } as const;
const secret = { type: 'string', maxLength: 1024 } as const;

/**
 * Social sources per wall (admin only): the Mastodon instances, Bluesky and X searches a wall follows.
 * Per-kind requirements are checked by `parseSourceSettings`, whose messages name the field to fix.
 */
export async function sourceRoutes(app: FastifyInstance): Promise<void> {
  const { repos, sources } = app.toile;

  const wallOf = (slug: string): Wall => {
    const wall = repos.walls.bySlug(slug);
    if (!wall) throw notFound(`Wall "${slug}"`);
    return wall;
  };

  app.post<{ Params: SlugParams; Body: SourceInput }>(
    '/api/walls/:slug/sources',
    {
      onRequest: requireRole('admin'),
      schema: {
        params: slugParams,
        body: {
          type: 'object',
          required: ['kind'],
          // Refused rather than dropped (the validator drops what `false` forbids): a misspelt `acessToken`
          // would otherwise start a source without its token.
          additionalProperties: { not: {} },
          properties: {
            kind: { type: 'string', enum: [...SOURCE_KINDS] },
            instance: url,
            hashtag: { type: 'string', maxLength: 200 },
            accessToken: secret,
            jetstreamUrl: url,
            appviewUrl: url,
            cdnUrl: url,
            query: { type: 'string', maxLength: 1024 },
            bearerToken: secret,
            apiBase: url,
          },
        },
      },
    },
    async (request, reply) => reply.code(201).send(sources.create(wallOf(request.params.slug), request.body, request.principal!.username)),
  );

  app.get<{ Params: SlugParams }>(
    '/api/walls/:slug/sources',
    { onRequest: requireRole('admin'), schema: { params: slugParams } },
    async (request) => ({ items: sources.list(wallOf(request.params.slug)) }),
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post<{ Params: SourceParams }>(
      `/api/walls/:slug/sources/:id/${action}`,
      { onRequest: requireRole('admin'), schema: { params: sourceParams } },
      async (request) => sources.setPaused(wallOf(request.params.slug), request.params.id, action === 'pause', request.principal!.username),
    );
  }

  app.delete<{ Params: SourceParams }>(
    '/api/walls/:slug/sources/:id',
    { onRequest: requireRole('admin'), schema: { params: sourceParams } },
    async (request, reply) => {
      await sources.delete(wallOf(request.params.slug), request.params.id, request.principal!.username);
      return reply.code(204).send();
    },
  );
}
