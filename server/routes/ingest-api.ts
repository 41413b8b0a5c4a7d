import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError, notFound } from '../errors.js';
import { SlidingWindow } from '../services/sliding-window.js';
import { contributorId, ensureContributorId } from './contributor-cookie.js';
import { requireRole } from '../plugins/auth.js';
import { slugParams, slugPattern, type SlugParams } from './schemas.js';

interface ApiMessageBody {
  externalId: string;
  author: { name: string; handle?: string; avatarUrl?: string };
  text: string;
  media?: { url: string; alt?: string }[];
  contentWarning?: string;
  createdAt?: string;
}

interface ContributeBody {
  name?: string;
  text: string;
}

const accepted = {
  type: 'object',
  properties: { id: { type: 'integer' }, status: { type: 'string' } },
} as const;

/** The two first channels: the authenticated API (for integrations) and the public web form. */
export async function ingestApiRoutes(app: FastifyInstance): Promise<void> {
  const { ingest, limits } = app.toile;
  /** Web contributions per IP in the last minute, for the ceiling a whole venue shares. */
  const perIp = new SlidingWindow(60_000);

  app.post<{ Params: SlugParams; Body: ApiMessageBody }>(
    '/api/walls/:slug/messages',
    {
      onRequest: requireRole('ingest'),
      schema: {
        params: slugParams,
        body: {
          type: 'object',
          required: ['externalId', 'author', 'text'],
          properties: {
            externalId: { type: 'string', minLength: 1, maxLength: 200 },
            author: {
              type: 'object',
              required: ['name'],
              properties: {
                name: { type: 'string', maxLength: 200 },
                handle: { type: 'string', maxLength: 200 },
                avatarUrl: { type: 'string', maxLength: 2000, pattern: '^https://' },
              },
            },
            text: { type: 'string', maxLength: 20_000 },
            media: {
              type: 'array',
              maxItems: 4,
              items: {
                type: 'object',
                required: ['url'],
                additionalProperties: false,
                properties: { url: { type: 'string', maxLength: 2000, pattern: '^https://' }, alt: { type: 'string', maxLength: 2000 } },
              },
            },
            contentWarning: { type: 'string', maxLength: 500 },
            createdAt: { type: 'string', format: 'date-time' },
          },
        },
        response: { 200: accepted, 201: accepted },
      },
    },
    async (request, reply) => {
      const { externalId, author, text, media, contentWarning, createdAt } = request.body;
      const { message, created } = ingest(
        {
          channel: 'api',
          source: 'api',
          // External ids are the caller's, so they are unique per wall, not across walls.
          providerMessageId: `${request.params.slug}:${externalId}`,
          wallSlug: request.params.slug,
          author: { name: author.name, handle: author.handle, avatarUrl: author.avatarUrl },
          text,
          media: (media ?? []).map((item) => ({ kind: 'image' as const, url: item.url, ...(item.alt ? { alt: item.alt } : {}) })),
          ...(contentWarning ? { contentWarning } : {}),
          createdAt: createdAt === undefined ? undefined : new Date(createdAt),
        },
        { refuseUnusable: true },
      );
      return reply.code(created ? 201 : 200).send({ id: message.id, status: message.status });
    },
  );

  // A bridge retracts what its network's author deleted: the message leaves every screen and its text is erased.
  app.delete<{ Params: SlugParams & { externalId: string } }>(
    '/api/walls/:slug/messages/:externalId',
    {
      onRequest: requireRole('ingest'),
      schema: {
        params: {
          type: 'object',
          required: ['slug', 'externalId'],
          properties: { slug: { type: 'string', pattern: slugPattern }, externalId: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: { 200: accepted },
      },
    },
    async (request) => {
      const { slug, externalId } = request.params;
      const message = app.toile.repos.messages.byProviderId('api', `${slug}:${externalId}`);
      if (!message) throw notFound(`Message "${externalId}" of wall "${slug}"`);
      app.toile.social.retractMessage(message, { externalId });
      const current = app.toile.repos.messages.byId(message.id)!;
      return { id: current.id, status: current.status };
    },
  );

  app.post<{ Params: SlugParams; Body: ContributeBody }>(
    '/api/walls/:slug/contribute',
    {
      // Per browser (its contributor cookie), or per IP for a client that sends none; the IP ceiling below
      // still bounds a client that invents a new cookie for every request.
      config: {
        rateLimit: {
          max: limits.contributePerMinute,
          timeWindow: 60_000,
          keyGenerator: (request) => {
            const id = contributorId(request);
            return id === undefined ? `ip:${request.ip}` : `browser:${id}`;
          },
        },
      },
      schema: {
        params: slugParams,
        body: {
          type: 'object',
          required: ['text'],
          properties: {
            name: { type: 'string', maxLength: 200 },
            text: { type: 'string', maxLength: 5000 },
          },
        },
        response: { 201: accepted },
      },
    },
    async (request, reply) => {
      const now = Date.now();
      if (perIp.count(request.ip, now) >= limits.contributePerIpPerMinute) {
        reply.header('retry-after', '60');
        throw new AppError(429, 'rate_limited', 'Too many messages from this network in a minute; try again shortly.');
      }
      // A browser that has the form's cookie is itself; a client without one (a script, or a browser on its
      // first message without the form's page) is its IP, as it would be a new stranger on every request.
      const sent = contributorId(request);
      ensureContributorId(request, reply, app.toile.config.publicUrl.startsWith('https:'));
      const client = sent === undefined ? `ip:${request.ip}` : `browser:${sent}`;
      const { message } = ingest(
        {
          channel: 'web',
          source: 'web',
          providerMessageId: randomUUID(),
          wallSlug: request.params.slug,
          // The client, hashed: a moderator can block one browser, not the venue's Wi-Fi, and Toile keeps
          // neither an IP nor the cookie itself.
          author: { name: request.body.name, address: createHash('sha256').update(client).digest('hex').slice(0, 32), addressKind: 'client' },
          text: request.body.text,
        },
        { refuseUnusable: true },
      );
      perIp.record(request.ip, now);
      return reply.code(201).send({ id: message.id, status: message.status });
    },
  );
}
