import type { FastifyInstance } from 'fastify';
import type { ListedSender } from '../db/repositories/senders.js';
import { SENDER_BADGES, SENDER_RULES, type SenderBadge, type SenderRule } from '../domain/rule-decision.js';
import { requireRole } from '../plugins/auth.js';
import { createSenders, type SenderTarget } from '../services/senders.js';
import { slugPattern, slugParams, type SlugParams } from './schemas.js';

const ADDRESS_KINDS = ['phone', 'email', 'account', 'client'] as const;

type SenderBody = ({ messageId: number } | { kind: (typeof ADDRESS_KINDS)[number]; address: string }) & { rule: SenderRule; badge?: SenderBadge | null };

const badgeSchema = { type: ['string', 'null'], enum: [...SENDER_BADGES, null] } as const;

const senderParams = {
  type: 'object',
  required: ['slug', 'id'],
  properties: { slug: { type: 'string', pattern: slugPattern }, id: { type: 'integer', minimum: 1 } },
} as const;

const senderItem = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    rule: { type: 'string' },
    kind: { type: 'string' },
    address: { type: 'string' },
    label: { type: 'string' },
    badge: { type: ['string', 'null'] },
    createdBy: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;

/** What a moderator sees of a listed sender: the address is private to moderators, never shown on a wall. */
function senderView(sender: ListedSender) {
  return {
    id: sender.id,
    rule: sender.rule,
    kind: sender.kind,
    address: sender.address,
    label: sender.label,
    badge: sender.badge,
    createdBy: sender.createdBy,
    createdAt: sender.createdAt,
  };
}

/** A wall's trusted and blocked senders, managed by its moderators. */
export async function senderRoutes(app: FastifyInstance): Promise<void> {
  const { repos, hub, now } = app.toile;
  const senders = createSenders({ repos, hub, now });

  app.get<{ Params: SlugParams }>(
    '/api/walls/:slug/senders',
    {
      onRequest: requireRole('moderator'),
      schema: { params: slugParams, response: { 200: { type: 'object', properties: { items: { type: 'array', items: senderItem } } } } },
    },
    async (request) => ({ items: senders.list(request.params.slug).map(senderView) }),
  );

  app.post<{ Params: SlugParams; Body: SenderBody }>(
    '/api/walls/:slug/senders',
    {
      onRequest: requireRole('moderator'),
      schema: {
        params: slugParams,
        body: {
          type: 'object',
          required: ['rule'],
          properties: {
            rule: { type: 'string', enum: [...SENDER_RULES] },
            messageId: { type: 'integer', minimum: 1 },
            kind: { type: 'string', enum: [...ADDRESS_KINDS] },
            address: { type: 'string', minLength: 1, maxLength: 2000 },
            // For a trusted sender: the badge their messages show on the wall.
            badge: badgeSchema,
          },
          // Either the message whose sender to list, or the sender's kind and address.
          oneOf: [{ required: ['messageId'] }, { required: ['kind', 'address'] }],
          additionalProperties: false,
        },
        response: { 200: senderItem, 201: senderItem },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const target: SenderTarget = 'messageId' in body ? { messageId: body.messageId } : { kind: body.kind, address: body.address };
      const { sender, changed } = senders.put(request.params.slug, target, body.rule, request.principal!.username, body.badge);
      return reply.code(changed ? 201 : 200).send(senderView(sender));
    },
  );

  app.patch<{ Params: SlugParams & { id: number }; Body: { badge: SenderBadge | null } }>(
    '/api/walls/:slug/senders/:id',
    {
      onRequest: requireRole('moderator'),
      schema: {
        params: senderParams,
        body: { type: 'object', required: ['badge'], additionalProperties: false, properties: { badge: badgeSchema } },
        response: { 200: senderItem },
      },
    },
    async (request) => {
      const { sender } = senders.setBadge(request.params.slug, request.params.id, request.body.badge, request.principal!.username);
      return senderView(sender);
    },
  );

  app.delete<{ Params: SlugParams & { id: number } }>(
    '/api/walls/:slug/senders/:id',
    {
      onRequest: requireRole('moderator'),
      schema: { params: senderParams },
    },
    async (request, reply) => {
      senders.remove(request.params.slug, request.params.id, request.principal!.username);
      return reply.code(204).send();
    },
  );
}
