import type { Db } from '../database.js';

/** One contribution, as the stats read it: no address, no raw payload, only what is counted. */
export interface StatsRow {
  id: number;
  channel: string;
  status: string;
  authorName: string;
  text: string;
  receivedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
}

/** What the stats of a wall are computed from; see services/stats.ts. */
export function statsRepository(db: Db) {
  // Control messages (an SMS STOP, a HELP) are not contributions.
  const contributions = db.prepare<[number], { id: number; channel: string; status: string; author_name: string; text: string; received_at: string; decided_at: string | null; decided_by: string | null }>(
    `SELECT id, channel, status, author_name, text, received_at, decided_at, decided_by
       FROM messages WHERE wall_id = ? AND control = 0 ORDER BY id`,
  );
  // A moderator's first decision on each message: later ones (a hide after an approve) are not latency.
  const firstDecisions = db.prepare<[number], { id: string; at: string }>(
    `SELECT target_id AS id, MIN(at) AS at FROM audit_log
      WHERE wall_id = ? AND target_type = 'message' AND action IN ('approve', 'reject', 'hide') AND actor <> 'system'
      GROUP BY target_id`,
  );
  const counts = db.prepare<[], { slug: string; channel: string; status: string; count: number }>(
    `SELECT w.slug AS slug, m.channel AS channel, m.status AS status, COUNT(*) AS count
       FROM messages m JOIN walls w ON w.id = m.wall_id WHERE m.control = 0 GROUP BY w.slug, m.channel, m.status`,
  );

  return {
    contributions(wallId: number): StatsRow[] {
      return contributions.all(wallId).map((row) => ({
        id: row.id,
        channel: row.channel,
        status: row.status,
        authorName: row.author_name,
        text: row.text,
        receivedAt: row.received_at,
        decidedAt: row.decided_at,
        decidedBy: row.decided_by,
      }));
    },
    /** Message id → when a moderator first decided it (automatic ones, and the broadcast delay's, are not theirs). */
    firstDecisions(wallId: number): Map<number, string> {
      return new Map(firstDecisions.all(wallId).map((row) => [Number(row.id), row.at]));
    },
    /** Every wall's contributions by channel and status, for the metrics. */
    counts(): { slug: string; channel: string; status: string; count: number }[] {
      return counts.all();
    },
  };
}
