import type { Db } from '../database.js';

/** What the duplicate and sender-rate rules read about a wall's recent messages, each from an index. */
export function rulesRepository(db: Db) {
  const setTextKey = db.prepare<[string, number]>('UPDATE messages SET text_key = ? WHERE id = ?');
  const recentText = db.prepare<[number, string, string], { id: number }>(
    `SELECT id FROM messages
     WHERE wall_id = ? AND text_key = ? AND received_at > ? AND control = 0 AND text_key IS NOT NULL
     LIMIT 1`,
  );
  // The terms of the partial index messages_sender_recent are repeated so that SQLite uses it (see 002_sms.sql).
  const recentFromSender = db.prepare<[number, string, number, number], { n: number }>(
    `SELECT COUNT(*) AS n FROM (
       SELECT 1 FROM messages
       WHERE contributor_id = ? AND received_at > ? AND control = 0 AND reasons NOT LIKE '%"throttled"%' AND wall_id = ?
       LIMIT ?)`,
  );

  return {
    /** Records the folded text's key of a message just stored, for the duplicate rule. */
    setTextKey(messageId: number, key: string): void {
      setTextKey.run(key, messageId);
    },
    /** Whether the wall received a message with this text key after `since`. */
    hasRecentText(wallId: number, key: string, since: string): boolean {
      return recentText.get(wallId, key, since) !== undefined;
    },
    /** How many messages a contributor sent to a wall after `since`, counting no further than `atMost`. */
    countRecentFromSender(wallId: number, contributorId: number, since: string, atMost: number): number {
      return recentFromSender.get(contributorId, since, wallId, atMost)!.n;
    },
  };
}
