import type { Db } from '../database.js';

/** What the duplicate rule reads about a wall's recent messages, from an index. */
export function rulesRepository(db: Db) {
  const recentText = db.prepare<[number, string, string], { id: number }>(
    `SELECT id FROM messages
     WHERE wall_id = ? AND text_key = ? AND received_at > ? AND control = 0 AND text_key IS NOT NULL
     LIMIT 1`,
  );
  return {
    /** Whether the wall received a message with this text key after `since`. */
    hasRecentText(wallId: number, key: string, since: string): boolean {
      return recentText.get(wallId, key, since) !== undefined;
    },
  };
}
