/**
 * The archive of a wall, as `GET /api/walls/:slug/export` gives it (JSON, CSV or one HTML page): what the
 * organiser keeps, and may publish, once the event is over.
 *
 * An archive file leaves Toile: it is mailed around, put on a website, opened in a spreadsheet. So it is
 * built from the public view of each message (`toWallMessage`), never from the stored row: it holds no
 * phone number, email address, IP, raw payload or private sender, even in the admins' complete version,
 * which adds only each message's moderation state and decision.
 */
import type { AuditRow } from '../db/repositories/audit.js';
import type { StoredMessage } from '../db/repositories/messages.js';
import type { ModeratorMessage, WallMessage } from './message.js';
import { toModeratorMessage, toWallMessage } from './views.js';
import type { PublicWall } from './wall.js';

export const ARCHIVE_FORMATS = ['json', 'csv', 'html'] as const;
export type ArchiveFormat = (typeof ARCHIVE_FORMATS)[number];

/**
 * `approved`: what the wall showed, for anyone who moderates it. `all`: every message with its status and
 * decision, for admins (what was refused and why is the moderators' record, not the public's).
 */
export type ArchiveScope = 'approved' | 'all';

/** A message of the complete archive: its public view and its decision, without the private sender. */
export type DecidedMessage = Omit<ModeratorMessage, 'sender'>;

export interface Archive {
  wall: PublicWall;
  exportedAt: string;
  scope: ArchiveScope;
  /** Newest first (by the time the contributor sent it, then by arrival). */
  messages: (WallMessage | DecidedMessage)[];
  /** The wall's audit log, newest first: for admins only. */
  audit?: AuditRow[];
}

/** A stored message as an archive may carry it: the public view, plus the decision in the complete archive. */
export function toArchiveMessage(message: StoredMessage, scope: ArchiveScope): WallMessage | DecidedMessage {
  // `withSender: false` is what keeps the complete archive free of contact addresses.
  return scope === 'all' ? toModeratorMessage(message, false) : toWallMessage(message);
}

/** Whether a message of an archive carries its decision (the complete archive's messages do). */
export function isDecided(message: WallMessage | DecidedMessage): message is DecidedMessage {
  return 'status' in message;
}

/** Newest first: by when it was sent (a social post fetched late keeps its place), then by arrival. */
export function newestFirst(a: { createdAt: string; id: number }, b: { createdAt: string; id: number }): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id - a.id;
}
