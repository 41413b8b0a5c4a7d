import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Repositories } from '../db/repositories/index.js';
import type { ArchivePictures } from '../domain/archive-html.js';
import { newestFirst, toArchiveMessage, type Archive, type ArchiveScope } from '../domain/archive.js';
import { MEDIA_PREFIX, isMediaPath } from '../domain/media-name.js';
import { publicWall, type Wall } from '../domain/wall.js';

/**
 * The most bytes of stored pictures one HTML archive embeds. Base64 adds a third, so the page stays under
 * about 27 MB: a size a browser opens at once and a website accepts. Past it, pictures are left out, newest
 * kept first, and the page says how many.
 */
export const ARCHIVE_PICTURE_BUDGET = 20 * 1024 * 1024;

/** The most audit rows an archive carries: a whole event's log, as `GET /api/audit` allows. */
const ARCHIVE_AUDIT_MAX = 100_000;

/** Messages are read a page at a time, as the moderation API pages them. */
const PAGE = 500;

/** The types Toile stores (recognised by their bytes when stored); nothing else becomes a `data:` URI. */
const EMBEDDABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** Builds a wall's archive from the repositories, and reads the stored pictures an HTML archive embeds. */
export function createExporter(repos: Repositories, mediaDir: string, now: () => Date) {
  return {
    /** The wall's messages in `scope`, newest first, with its audit log when `withAudit` (admins). */
    collect(wall: Wall, scope: ArchiveScope, withAudit: boolean): Archive {
      const stored = [];
      const status = scope === 'approved' ? 'approved' : undefined;
      for (let before: number | undefined; ; ) {
        const page = repos.messages.list(wall.id, { status, before, limit: PAGE });
        stored.push(...page);
        if (page.length < PAGE) break;
        before = page[page.length - 1]!.id;
      }
      return {
        wall: publicWall(wall),
        exportedAt: now().toISOString(),
        scope,
        messages: stored.map((message) => toArchiveMessage(message, scope)).sort(newestFirst),
        ...(withAudit ? { audit: repos.audit.list(wall.id, ARCHIVE_AUDIT_MAX) } : {}),
      };
    },

    /**
     * The stored pictures of the archive's messages as `data:` URIs, in the order the page shows them, until
     * `budget` bytes are spent. A picture that is no longer on disk (erased by retention) is simply not
     * embedded: the page then shows its description, as for a picture that lives elsewhere.
     */
    async pictures(archive: Archive, budget = ARCHIVE_PICTURE_BUDGET): Promise<ArchivePictures> {
      const embedded = new Map<string, string>();
      let spent = 0;
      let leftOut = 0;
      for (const message of archive.messages) {
        for (const item of message.media) {
          if (!isMediaPath(item.url) || embedded.has(item.url)) continue;
          const name = item.url.slice(MEDIA_PREFIX.length);
          const file = repos.media.byName(name);
          if (!file || !EMBEDDABLE.has(file.contentType)) continue;
          if (spent + file.size > budget) {
            leftOut += 1;
            continue;
          }
          let bytes: Buffer;
          try {
            bytes = await readFile(join(mediaDir, name));
          } catch {
            continue;
          }
          spent += bytes.length;
          embedded.set(item.url, `data:${file.contentType};base64,${bytes.toString('base64')}`);
        }
      }
      return { embedded, leftOut, budgetBytes: budget };
    },
  };
}

export type Exporter = ReturnType<typeof createExporter>;
