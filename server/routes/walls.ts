import type { FastifyInstance } from 'fastify';
import {
  adminWall,
  APPEARANCE_LIMITS,
  DISPLAY_MODES,
  FONT_CHOICES,
  LAYOUTS,
  MAX_INSTRUCTIONS_GRAPHEMES,
  normalizeInstructions,
  PACING_LIMITS,
  publicWall,
  STATS_SLIDE_LIMITS,
  THEMES,
  WALL_LANGUAGES,
} from '../domain/wall.js';
import { badRequest, notFound } from '../errors.js';
import { canModerate, requireRole } from '../plugins/auth.js';
import type { WallInput, WallPatch } from '../services/walls.js';
import { slugParams, slugPattern, type SlugParams } from './schemas.js';

const stringList = (maxLength: number) => ({ type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength } }) as const;

/** A colour as the wall's custom properties take it; anything else could smuggle CSS into a style. */
const colour = { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' } as const;
const nullableColour = { type: ['string', 'null'], pattern: '^#[0-9a-fA-F]{6}$' } as const;
/** Image addresses are checked further by the walls service (https:// without credentials, or /media/…). */
const imageUrl = { type: 'string', minLength: 1, maxLength: APPEARANCE_LIMITS.imageUrlLength } as const;
const nullableImageUrl = { type: ['string', 'null'], minLength: 1, maxLength: APPEARANCE_LIMITS.imageUrlLength } as const;

/** Any of a wall's appearance fields; the others keep their values. */
const appearancePatch = {
  type: 'object',
  additionalProperties: false,
  properties: {
    accent: nullableColour,
    background: nullableColour,
    surface: nullableColour,
    text: nullableColour,
    font: { type: 'string', enum: [...FONT_CHOICES] },
    backgroundImage: nullableImageUrl,
    logo: nullableImageUrl,
    sponsors: { type: 'array', maxItems: APPEARANCE_LIMITS.sponsors, items: imageUrl },
    tagColors: {
      type: 'object',
      maxProperties: APPEARANCE_LIMITS.tagColors,
      propertyNames: { type: 'string', minLength: 1, maxLength: 101 },
      additionalProperties: colour,
    },
    contributePanel: { type: 'boolean' },
  },
} as const;

/** Any of a wall's pacing fields; the others keep their values. */
const pacingPatch = {
  type: 'object',
  additionalProperties: false,
  properties: {
    minSeconds: { type: 'integer', ...PACING_LIMITS.minSeconds },
    perSender: { type: 'integer', ...PACING_LIMITS.perSender },
    replay: { type: 'boolean' },
    replayAfterSeconds: { type: 'integer', ...PACING_LIMITS.replayAfterSeconds },
  },
} as const;

/** Any of the stats slide's fields; the others keep their values. */
const statsSlidePatch = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    everyMinutes: { type: 'integer', ...STATS_SLIDE_LIMITS.everyMinutes },
    seconds: { type: 'integer', ...STATS_SLIDE_LIMITS.seconds },
  },
} as const;

/** The event's end as stored (UTC); a date-time the schema let through but no calendar has is a 400. */
function eventEnd(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw badRequest('invalid_event_end', `eventEndsAt: "${value}" is not a date and time (e.g. 2026-11-29T18:00:00+01:00).`);
  return new Date(time).toISOString();
}

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

  // Archiving makes a wall read-only and stops its sources; unarchiving sets it live and starts them again.
  // The state is committed first: a source stopped or started after the answer could not be reported.
  app.post<{ Params: SlugParams }>('/api/walls/:slug/archive', { onRequest: requireRole('admin'), schema: { params: slugParams } }, async (request) => {
    const wall = walls.archive(request.params.slug, request.principal!.username);
    await app.toile.sources.stopWall(wall);
    return adminWall(wall);
  });

  app.post<{ Params: SlugParams }>('/api/walls/:slug/unarchive', { onRequest: requireRole('admin'), schema: { params: slugParams } }, async (request) => {
    const wall = walls.unarchive(request.params.slug, request.principal!.username);
    app.toile.sources.startWall(wall);
    return adminWall(wall);
  });

  // A moderator limited to some walls sees only those (plugins/auth.ts, canModerate).
  app.get('/api/walls', { onRequest: requireRole('moderator') }, async (request) => {
    const counts = repos.messages.countsByWall();
    const none = { pending: 0, approved: 0, rejected: 0, hidden: 0 };
    const visible = repos.walls.all().filter((wall) => canModerate(request.principal!, wall.slug));
    return { items: visible.map((wall) => ({ ...adminWall(wall), messages: counts.get(wall.id) ?? none })) };
  });

  // Public, and read by `<toile-wall>` embeds on other sites: any origin may read it (no credentials).
  app.get<{ Params: SlugParams }>('/api/walls/:slug', { schema: { params: slugParams } }, async (request, reply) => {
    const wall = repos.walls.bySlug(request.params.slug);
    if (!wall) throw notFound(`Wall "${request.params.slug}"`);
    reply.header('access-control-allow-origin', '*');
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
            theme: { type: 'string', enum: [...THEMES] },
            language: { type: 'string', enum: [...WALL_LANGUAGES] },
            appearance: appearancePatch,
            pacing: pacingPatch,
            statsSlide: statsSlidePatch,
            display: { type: 'string', enum: [...DISPLAY_MODES] },
            displayLimit: { type: 'integer', minimum: 1, maximum: 500 },
            // RFC 3339 with its offset (`2026-11-29T18:00:00+01:00`): a time without a zone would mean
            // whatever the server's zone is.
            eventEndsAt: { type: ['string', 'null'], format: 'date-time' },
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
      // Stored in UTC, as every other time is, so that times compare as strings and read the same everywhere.
      if (typeof patch.eventEndsAt === 'string') patch.eventEndsAt = eventEnd(patch.eventEndsAt);
      return adminWall(walls.update(request.params.slug, patch, request.principal!.username));
    },
  );
}
