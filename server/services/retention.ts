import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { MEDIA_PREFIX } from '../domain/media-name.js';
import type { MediaItem } from '../domain/message.js';
import { retentionDueAt, type Wall } from '../domain/wall.js';
import type { Repositories } from '../db/repositories/index.js';
import type { ServiceContext } from './context.js';

/** What one pass erased on one wall. */
export interface WallRetention {
  slug: string;
  /** Contributors (phone numbers, email addresses, accounts, web clients) taken off the wall's records. */
  erasedAddresses: number;
  /** Providers' raw payloads deleted: those of messages, and the stored parts of long SMS. */
  deletedPayloads: number;
  /** Stored pictures taken off messages that were not approved (the file goes when nothing else shows it). */
  removedImages: number;
}

/** What a pass did: one entry per wall past its retention date, zeros when there was nothing left. */
export interface RetentionReport {
  walls: WallRetention[];
  at: string;
}

/** Where the report goes (Fastify's pino logger fits); counts and slugs only, never an address. */
export interface RetentionLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/**
 * Retention: once a wall's event is over by `retentionDays` (its `eventEndsAt` plus N days), its private
 * sender data and the providers' raw payloads are erased, and the stored pictures of what was never shown
 * are removed; the approved texts, their public labels, badges and pictures stay, as does the wall's event
 * log (which only ever held what screens were shown). A wall without `eventEndsAt` or `retentionDays` is
 * never touched. See the README's "Retention".
 *
 * Each wall is one transaction. Each step touches only rows that still hold something, so the erased rows
 * are their own mark: a second pass finds nothing, reports zeros and writes nothing, not even an audit row.
 * Something that arrives on the wall after its date is erased by the next pass.
 */
export function createRetention(ctx: ServiceContext, mediaDir: string, log: RetentionLog) {
  const { repos } = ctx;

  function retain(wall: Wall, at: string): { result: WallRetention; files: string[] } {
    const r = repos.retention;
    const contributors = r.contributorsOf(wall.id);
    r.unlinkContributors(wall.id);
    repos.senders.removeAllOfWall(wall.id);
    r.deleteUnreferencedContributors(contributors);
    const deletedPayloads = r.dropRawPayloads(wall.id) + r.dropSmsParts(wall.id);

    const held = r.heldImages(wall.id);
    const media = new Map<number, MediaItem[]>();
    for (const image of held) {
      r.unlinkImage(image);
      const items = media.get(image.messageId) ?? (JSON.parse(image.media) as MediaItem[]);
      media.set(image.messageId, items.filter((item) => item.url !== MEDIA_PREFIX + image.name));
    }
    // The message no longer points at a picture that is gone: a moderator who later approves it shows its text.
    for (const [messageId, items] of media) r.setMedia(messageId, JSON.stringify(items));
    const files = [...new Set(held.map((image) => image.name))].filter((name) => r.deleteUnusedFile(name));

    const result = { slug: wall.slug, erasedAddresses: contributors.length, deletedPayloads, removedImages: held.length };
    if (result.erasedAddresses + result.deletedPayloads + result.removedImages > 0) {
      repos.audit.append(
        {
          actor: 'system',
          action: 'wall.retention',
          wallId: wall.id,
          targetType: 'wall',
          targetId: wall.slug,
          detail: {
            erasedAddresses: result.erasedAddresses,
            deletedPayloads: result.deletedPayloads,
            removedImages: result.removedImages,
            dueAt: retentionDueAt(wall.settings)!.toISOString(),
          },
        },
        at,
      );
    }
    return { result, files };
  }

  /** Deletes files whose rows are committed as gone; a file that cannot be deleted is only logged. */
  function removeFiles(slug: string, files: string[]): void {
    for (const name of files) {
      try {
        rmSync(join(mediaDir, name), { force: true });
      } catch (error) {
        log.warn({ err: error, wall: slug, file: name }, 'retention could not delete a stored picture');
      }
    }
  }

  return {
    /** Erases what is due on every wall past its retention date; the report lists each such wall. */
    run(): RetentionReport {
      const now = ctx.now();
      const at = now.toISOString();
      const walls: WallRetention[] = [];
      for (const wall of repos.walls.all()) {
        const dueAt = retentionDueAt(wall.settings);
        if (dueAt === null || dueAt.getTime() > now.getTime()) continue;
        const { result, files } = repos.transaction(() => retain(wall, at));
        removeFiles(wall.slug, files);
        walls.push(result);
      }
      const report = { walls, at };
      const erased = walls.filter((w) => w.erasedAddresses + w.deletedPayloads + w.removedImages > 0);
      if (erased.length > 0) {
        log.info({ retention: erased }, `retention erased private data on ${erased.length} wall(s)`);
        compactDatabase(repos.db, (error) =>
          log.warn({ err: error }, 'retention could not compact the database; erased rows may linger in free space'),
        );
      }
      return report;
    },
  };
}

export type Retention = ReturnType<typeof createRetention>;

/**
 * An erased row's old bytes stay in the file's free space (and in the WAL) until SQLite reuses them:
 * a copy of the file would still hold them. VACUUM rewrites the file without them, and the checkpoint
 * empties the WAL. It holds the write lock for the time of a copy of the file (seconds for a large
 * event); it runs only after something was erased (retention, erasure). If it fails the rows are erased
 * all the same, and the next erasing pass compacts again; `onError` hears of it.
 */
export function compactDatabase(db: Repositories['db'], onError: (error: unknown) => void): void {
  try {
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (error) {
    onError(error);
  }
}
