import type { FastifyInstance } from 'fastify';
import { ARCHIVE_CSP, archiveHtml } from '../domain/archive-html.js';
import { ARCHIVE_FORMATS, isDecided, type Archive, type ArchiveFormat } from '../domain/archive.js';
import { isMediaPath } from '../domain/media-name.js';
import { forbidden, notFound } from '../errors.js';
import { requireRole } from '../plugins/auth.js';
import { createExporter } from '../services/export.js';
import { csvCell } from './moderation.js';
import { slugParams, type SlugParams } from './schemas.js';

/**
 * `GET /api/walls/:slug/export?format=json|csv|html[&all=1]`: the wall's archive, as a file to download.
 * Moderators get what the wall showed (the approved messages); admins may ask for every message with its
 * status and decision (`all=1`), and their JSON carries the wall's audit log. No version of it holds a
 * contributor's phone number, email address, IP or raw payload: see server/domain/archive.ts.
 */
export async function exportRoutes(app: FastifyInstance): Promise<void> {
  const { repos, media, now, config } = app.toile;
  const exporter = createExporter(repos, media.dir, now);

  app.get<{ Params: SlugParams; Querystring: { format: ArchiveFormat; all: 0 | 1 } }>(
    '/api/walls/:slug/export',
    {
      onRequest: requireRole('moderator'),
      schema: {
        params: slugParams,
        querystring: {
          type: 'object',
          properties: {
            format: { type: 'string', enum: [...ARCHIVE_FORMATS], default: 'json' },
            all: { type: 'integer', enum: [0, 1], default: 0 },
          },
        },
      },
    },
    async (request, reply) => {
      const { format, all } = request.query;
      const admin = request.principal!.role === 'admin';
      if (all === 1 && !admin) {
        throw forbidden('forbidden', 'Every message with its decision (all=1) needs the role admin; without all=1 you get the approved messages.');
      }
      const wall = repos.walls.bySlug(request.params.slug);
      if (!wall) throw notFound(`Wall "${request.params.slug}"`);
      const archive = exporter.collect(wall, all === 1 ? 'all' : 'approved', admin);

      // The slug pattern keeps the file name free of quotes and path characters.
      const filename = `${wall.slug}${all === 1 ? '-all' : ''}-${archive.exportedAt.slice(0, 10)}.${format}`;
      reply
        .header('content-disposition', `attachment; filename="${filename}"`)
        // The archive is the moderators' data: no shared cache keeps a copy.
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff');
      if (format === 'json') return reply.type('application/json; charset=utf-8').send(archive);
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(archiveCsv(archive, config.publicUrl));
      // Were the page opened from this address rather than saved, it would be held to the same policy.
      reply.header('content-security-policy', ARCHIVE_CSP);
      return reply.type('text/html; charset=utf-8').send(archiveHtml(archive, await exporter.pictures(archive)));
    },
  );
}

const PUBLIC_COLUMNS = [
  'id', 'createdAt', 'channel', 'source', 'authorName', 'authorHandle', 'text', 'contentWarning', 'media', 'pinned', 'badge',
] as const;
const DECISION_COLUMNS = ['status', 'reasons', 'receivedAt', 'decidedAt', 'decidedBy', 'version'] as const;

/**
 * The archive's messages as CSV, one row per message, newest first (RFC 4180: CRLF line ends, quotes
 * doubled, cells that a spreadsheet would run as a formula escaped by `csvCell`). It starts with a UTF-8
 * byte order mark: without it, Excel reads the file in the machine's legacy code page and mangles every
 * accent and emoji. `media` lists the pictures' addresses, separated by spaces, Toile's own made absolute;
 * `reasons` is separated by spaces too.
 */
export function archiveCsv(archive: Archive, publicUrl: string): string {
  const complete = archive.scope === 'all';
  const lines = [[...PUBLIC_COLUMNS, ...(complete ? DECISION_COLUMNS : [])].join(',')];
  const base = publicUrl.replace(/\/+$/, '');
  for (const m of archive.messages) {
    const cells: (string | null)[] = [
      String(m.id),
      m.createdAt,
      m.channel,
      m.source,
      m.author.name,
      m.author.handle ?? null,
      m.text,
      m.contentWarning ?? null,
      m.media.map((item) => (isMediaPath(item.url) ? base + item.url : item.url)).join(' '),
      m.pinned ? 'true' : 'false',
      m.badge ?? null,
    ];
    if (complete && isDecided(m)) {
      cells.push(m.status, m.reasons.join(' '), m.receivedAt, m.decidedAt, m.decidedBy, String(m.version));
    }
    lines.push(cells.map(csvCell).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
