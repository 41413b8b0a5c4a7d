import type { Db } from '../database.js';
import type { SourceKind } from '../../sources/types.js';

/** A social source as stored. `settings` holds its credentials: only the domain's view may leave the server. */
export interface StoredSource {
  id: number;
  wallId: number;
  wallSlug: string;
  kind: SourceKind;
  settings: Record<string, unknown>;
  paused: boolean;
  cursor: string | null;
  itemsIngested: number;
  lastEventAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  createdAt: string;
  createdBy: string;
}

interface SourceRow {
  id: number;
  wall_id: number;
  wall_slug: string;
  kind: SourceKind;
  settings: string;
  paused: number;
  cursor: string | null;
  items_ingested: number;
  last_event_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  created_at: string;
  created_by: string;
}

function toSource(row: SourceRow): StoredSource {
  return {
    id: row.id,
    wallId: row.wall_id,
    wallSlug: row.wall_slug,
    kind: row.kind,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    paused: row.paused === 1,
    cursor: row.cursor,
    itemsIngested: row.items_ingested,
    lastEventAt: row.last_event_at,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

const SELECT = 'SELECT s.*, w.slug AS wall_slug FROM sources s JOIN walls w ON w.id = s.wall_id';

export function sourcesRepository(db: Db) {
  const insert = db.prepare<[number, SourceKind, string, string, string], { id: number }>(
    'INSERT INTO sources (wall_id, kind, settings, created_at, created_by) VALUES (?, ?, ?, ?, ?) RETURNING id',
  );
  const byId = db.prepare<[number], SourceRow>(`${SELECT} WHERE s.id = ?`);
  const byWall = db.prepare<[number], SourceRow>(`${SELECT} WHERE s.wall_id = ? ORDER BY s.id`);
  const all = db.prepare<[], SourceRow>(`${SELECT} ORDER BY s.id`);
  const setPaused = db.prepare<[number, number]>('UPDATE sources SET paused = ? WHERE id = ?');
  const remove = db.prepare<[number]>('DELETE FROM sources WHERE id = ?');
  const advance = db.prepare<[string | null, number, number, string | null, number]>(
    `UPDATE sources SET cursor = ?, items_ingested = items_ingested + ?,
       last_event_at = CASE WHEN ? > 0 THEN ? ELSE last_event_at END
     WHERE id = ?`,
  );
  const recordError = db.prepare<[string | null, string | null, number]>('UPDATE sources SET last_error = ?, last_error_at = ? WHERE id = ?');
  const linkPost = db.prepare<[number, string, number]>('INSERT OR IGNORE INTO source_posts (source_id, remote_id, message_id) VALUES (?, ?, ?)');
  const postMessage = db.prepare<[number, string], { message_id: number }>(
    'SELECT message_id FROM source_posts WHERE source_id = ? AND remote_id = ?',
  );

  return {
    create(wallId: number, kind: SourceKind, settings: Record<string, unknown>, now: string, actor: string): StoredSource {
      const { id } = insert.get(wallId, kind, JSON.stringify(settings), now, actor)!;
      return toSource(byId.get(id)!);
    },
    byId(id: number): StoredSource | undefined {
      const row = byId.get(id);
      return row && toSource(row);
    },
    byWall(wallId: number): StoredSource[] {
      return byWall.all(wallId).map(toSource);
    },
    all(): StoredSource[] {
      return all.all().map(toSource);
    },
    setPaused(id: number, paused: boolean): void {
      setPaused.run(paused ? 1 : 0, id);
    },
    delete(id: number): boolean {
      return remove.run(id).changes > 0;
    },
    /** Stores the cursor reached and counts the posts stored with it; called in the posts' transaction. */
    advance(id: number, cursor: string | null, stored: number, now: string): void {
      advance.run(cursor, stored, stored, now, id);
    },
    /** The last error (null once healthy again), kept across restarts so the API can show why a source stopped. */
    recordError(id: number, message: string | null, at: string | null): void {
      recordError.run(message, at, id);
    },
    linkPost(sourceId: number, remoteId: string, messageId: number): void {
      linkPost.run(sourceId, remoteId, messageId);
    },
    /** The message a source's remote id stands for, if that source stored or saw it. */
    messageFor(sourceId: number, remoteId: string): number | undefined {
      return postMessage.get(sourceId, remoteId)?.message_id;
    },
  };
}
