import type { FastifyInstance } from 'fastify';
import { adminWall, DISPLAY_MODES, LAYOUTS, MAX_INSTRUCTIONS_GRAPHEMES, normalizeInstructions, publicWall } from '../domain/wall.js';
import { notFound } from '../errors.js';
import { requireRole } from '../plugins/auth.js';
import type { WallInput, WallPatch } from '../services/walls.js';
import { slugParams, slugPattern, type SlugParams } from './schemas.js';

const stringList = (maxLength: number) => ({ type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength } }) as const;

export async function wallRoutes(app: FastifyInstance): Promise<void> {
  const { repos, walls } = app.toile;

  app.post<{ Body: WallInput }>(
    '/api/walls',
    {
      onRequest: requireRole('admin'),
      schema: {
        body: {
          type: 'object',
          required: ['slug', 'title'],
          properties: {
            slug: { type: 'string', pattern: slugPattern },
            title: { type: 'string', minLength: 1, maxLength: 200 },
            hashtags: stringList(100),
            moderation: { type: 'string', enum: ['pre', 'post'] },
          },
        },
      },
    },
    async (request, reply) => reply.code(201).send(adminWall(walls.create(request.body, request.principal!.username))),
  );

  app.get('/api/walls', { onRequest: requireRole('moderator') }, async () => ({ items: repos.walls.all().map(adminWall) }));

  app.get<{ Params: SlugParams }>('/api/walls/:slug', { schema: { params: slugParams } }, async (request) => {
    const wall = repos.walls.bySlug(request.params.slug);
    if (!wall) throw notFound(`Wall "${request.params.slug}"`);
    return publicWall(wall);
  });

  app.patch<{ Params: SlugParams; Body: WallPatch }>(
    '/api/walls/:slug',
    {
      onRequest: requireRole('admin'),
      schema: {
        params: slugParams,
        body: {
          type: 'object',
          minProperties: 1,
          additionalProperties: false,
          properties: {
            title: { type: 'string', minLength: 1, maxLength: 200 },
            hashtags: stringList(100),
            moderation: { type: 'string', enum: ['pre', 'post'] },
            blockedTerms: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 100 } },
            publishDelaySeconds: { type: 'integer', minimum: 0, maximum: 3600 },
            smsNumbers: { type: 'array', maxItems: 50, items: { type: 'string', pattern: '^\\+[1-9][0-9]{6,14}$' } },
            emailAddresses: { type: 'array', maxItems: 50, items: { type: 'string', format: 'email', maxLength: 254 } },
            smsKeyword: { type: ['string', 'null'], pattern: '^#?[\\p{L}\\p{N}_]{1,32}$' },
            smsNamePrefix: { type: 'boolean' },
            smsReply: { type: ['string', 'null'], minLength: 1, maxLength: 320 },
            smsHelp: { type: ['string', 'null'], minLength: 1, maxLength: 320 },
            layout: { type: 'string', enum: [...LAYOUTS] },
            theme: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' },
            display: { type: 'string', enum: [...DISPLAY_MODES] },
            displayLimit: { type: 'integer', minimum: 1, maximum: 500 },
            retentionDays: { type: ['integer', 'null'], minimum: 0, maximum: 3650 },
            profanityFilter: { type: 'boolean' },
            holdLinks: { type: 'boolean' },
            duplicateWindowMinutes: { type: 'integer', minimum: 0, maximum: 1440 },
            senderPerMinute: { type: 'integer', minimum: 0, maximum: 60 },
            instructions: { type: ['string', 'null'], maxLength: MAX_INSTRUCTIONS_GRAPHEMES },
          },
        },
      },
    },
    async (request) => {
      const patch = request.body;
      // Instructions are shown to the audience: cleaned here, so that the wall and the form show what was checked.
      if (patch.instructions !== undefined) patch.instructions = normalizeInstructions(patch.instructions);
      return adminWall(walls.update(request.params.slug, patch, request.principal!.username));
    },
  );
}
