import type { FastifyInstance } from 'fastify';
import type { AuditRow } from '../db/repositories/audit.js';
import { MESSAGE_STATUSES, type MessageStatus } from '../domain/message.js';
import { MODERATION_ACTIONS, type ModerationAction } from '../domain/moderation.js';
import { toModeratorMessage } from '../domain/views.js';
import { notFound } from '../errors.js';
import { canModerate, requireRole } from '../plugins/auth.js';
import type { Principal } from '../services/auth.js';
import { createReveal } from '../services/moderation.js';
import { slugParams, slugPattern, type SlugParams } from './schemas.js';

export async function moderationRoutes(app: FastifyInstance): Promise<void> {
  const { repos, hub, now, moderate } = app.toile;
  const reveal = createReveal({ repos, hub, now });

  /**
   * The wall check of the routes that name a message rather than a wall: a moderator outside the message's
   * wall gets the same 404 as for a message that does not exist.
   */
  function checkMessageWall(principal: Principal, id: number): void {
    if (principal.walls === undefined || principal.role === 'admin') return;
    const message = repos.messages.byId(id);
    const wall = message && repos.walls.byId(message.wallId);
    if (!wall || !canModerate(principal, wall.slug)) throw notFound(`Message ${id}`);
  }

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

  // Registered before `/:action`; a static segment wins over a parameter anyway, whatever the order.
  app.post<{ Params: { id: number }; Body: { revealed: boolean; expectedVersion?: number } }>(
    '/api/messages/:id/reveal',
    {
      onRequest: requireRole('moderator'),
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        body: {
          type: 'object',
          required: ['revealed'],
          properties: { revealed: { type: 'boolean' }, expectedVersion: { type: 'integer', minimum: 1 } },
        },
      },
    },
    async (request) => {
      checkMessageWall(request.principal!, request.params.id);
      const message = reveal(request.params.id, request.body.revealed, request.principal!.username, request.body.expectedVersion);
      return toModeratorMessage(message, true);
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
      checkMessageWall(request.principal!, id);
      const message = moderate(id, action, request.principal!.username, request.body?.expectedVersion);
      return toModeratorMessage(message, true);
    },
  );

  app.get<{ Querystring: { wall?: string; limit: number; format: 'json' | 'csv' } }>(
    '/api/audit',
    {
      onRequest: requireRole('admin'),
      schema: {
        querystring: {
          type: 'object',
          properties: {
            wall: { type: 'string', pattern: slugPattern },
            limit: { type: 'integer', minimum: 1, maximum: AUDIT_EXPORT_MAX, default: 100 },
            format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
          },
        },
      },
    },
    async (request, reply) => {
      const { wall: slug, limit, format } = request.query;
      let wallId: number | null = null;
      if (slug !== undefined) {
        const wall = repos.walls.bySlug(slug);
        if (!wall) throw notFound(`Wall "${slug}"`);
        wallId = wall.id;
      }
      const items = repos.audit.list(wallId, limit);
      if (format === 'json') return { items };
      // The slug pattern keeps the file name free of quotes and path characters.
      const filename = slug === undefined ? 'toile-audit.csv' : `toile-audit-${slug}.csv`;
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`);
      return auditCsv(items);
    },
  );
}

/** The most audit rows one request returns: a whole event's log, well within memory. */
const AUDIT_EXPORT_MAX = 100_000;
const AUDIT_COLUMNS = ['at', 'actor', 'action', 'wall', 'targetType', 'targetId', 'detail'] as const;

/** The audit log as CSV (RFC 4180, CRLF line ends), newest first like the JSON; `detail` is its JSON. */
export function auditCsv(rows: AuditRow[]): string {
  const lines = [AUDIT_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(
      [row.at, row.actor, row.action, row.wall, row.targetType, row.targetId, JSON.stringify(row.detail)].map(csvCell).join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * One CSV cell. A cell that a spreadsheet would take for a formula (starting with =, +, -, @, or a tab
 * or carriage return that it skips before looking) is prefixed with an apostrophe, so that a username or
 * a blocked term in the log cannot run anything when an organiser opens the file (OWASP, "CSV Injection").
 * Then any cell holding a quote, a comma or a line break is quoted, its quotes doubled (RFC 4180 §2).
 */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
