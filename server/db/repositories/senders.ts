import type { Db } from '../database.js';
import type { AddressKind } from '../../domain/message.js';
import type { SenderBadge, SenderRule } from '../../domain/rule-decision.js';

/** A sender on a wall's list, with their private address (moderators only). */
export interface ListedSender {
  id: number;
  wallId: number;
  contributorId: number;
  rule: SenderRule;
  kind: AddressKind;
  address: string;
  label: string;
  /** Trusted senders only: the public badge their messages carry. */
  badge: SenderBadge | null;
  createdBy: string;
  createdAt: string;
}

/** What the ingest pipeline reads of a wall's entry for a contributor. */
export interface SenderStanding {
  rule: SenderRule;
  badge: SenderBadge | null;
}

interface SenderRow {
  id: number;
  wall_id: number;
  contributor_id: number;
  rule: SenderRule;
  kind: AddressKind;
  address: string;
  label: string;
  badge: SenderBadge | null;
  created_by: string;
  created_at: string;
}

function toSender(row: SenderRow): ListedSender {
  return {
    id: row.id,
    wallId: row.wall_id,
    contributorId: row.contributor_id,
    rule: row.rule,
    kind: row.kind,
    address: row.address,
    label: row.label,
    badge: row.badge,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

const SELECT = `
  SELECT s.id, s.wall_id, s.contributor_id, s.rule, c.kind, c.address, s.label, s.badge, s.created_by, s.created_at
  FROM senders s JOIN contributors c ON c.id = s.contributor_id`;

/** The trusted and blocked senders of each wall. */
export function sendersRepository(db: Db) {
  const list = db.prepare<[number], SenderRow>(`${SELECT} WHERE s.wall_id = ? ORDER BY s.id`);
  const byId = db.prepare<[number], SenderRow>(`${SELECT} WHERE s.id = ?`);
  const byContributor = db.prepare<[number, number], SenderRow>(`${SELECT} WHERE s.wall_id = ? AND s.contributor_id = ?`);
  const rulesOfWall = db.prepare<[number], { contributor_id: number; rule: SenderRule; badge: SenderBadge | null }>(
    'SELECT contributor_id, rule, badge FROM senders WHERE wall_id = ?',
  );
  /**
   * Each wall's list, read once and kept: it is consulted for every message, and changes only through this
   * repository (one writer per database), which forgets a wall's copy whenever it changes its list. Whatever
   * deletes contributors or walls (erasure, retention) must clear it too.
   */
  const cached = new Map<number, Map<number, SenderStanding>>();
  const upsert = db.prepare<[number, number, SenderRule, string, SenderBadge | null, string, string], { id: number }>(
    `INSERT INTO senders (wall_id, contributor_id, rule, label, badge, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (wall_id, contributor_id) DO UPDATE SET
       rule = excluded.rule, label = excluded.label, badge = excluded.badge, created_by = excluded.created_by,
       created_at = excluded.created_at
     RETURNING id`,
  );
  const remove = db.prepare<[number]>('DELETE FROM senders WHERE id = ?');
  const removeOfWall = db.prepare<[number]>('DELETE FROM senders WHERE wall_id = ?');
  const setBadge = db.prepare<[SenderBadge | null, number]>('UPDATE senders SET badge = ? WHERE id = ?');

  function standings(wallId: number): Map<number, SenderStanding> {
    let entries = cached.get(wallId);
    if (entries === undefined) {
      entries = new Map(rulesOfWall.all(wallId).map((row) => [row.contributor_id, { rule: row.rule, badge: row.badge }]));
      cached.set(wallId, entries);
    }
    return entries;
  }

  return {
    list(wallId: number): ListedSender[] {
      return list.all(wallId).map(toSender);
    },
    byId(id: number): ListedSender | undefined {
      const row = byId.get(id);
      return row && toSender(row);
    },
    byContributor(wallId: number, contributorId: number): ListedSender | undefined {
      const row = byContributor.get(wallId, contributorId);
      return row && toSender(row);
    },
    /** The rule and badge a wall has for a contributor, read for every message that has one. */
    standingOf(wallId: number, contributorId: number): SenderStanding | null {
      return standings(wallId).get(contributorId) ?? null;
    },
    /**
     * Lists a sender, or changes the rule of one already listed (a trusted sender then blocked). The badge
     * is the trusted sender's only: the caller passes null for a blocked one.
     */
    put(
      entry: { wallId: number; contributorId: number; rule: SenderRule; label: string; badge: SenderBadge | null; createdBy: string },
      at: string,
    ): ListedSender {
      const { id } = upsert.get(entry.wallId, entry.contributorId, entry.rule, entry.label, entry.badge, entry.createdBy, at)!;
      cached.delete(entry.wallId);
      return toSender(byId.get(id)!);
    },
    setBadge(sender: ListedSender, badge: SenderBadge | null): ListedSender {
      setBadge.run(badge, sender.id);
      cached.delete(sender.wallId);
      return toSender(byId.get(sender.id)!);
    },
    remove(id: number): void {
      // Which wall's list changed is not known here: every copy is dropped, as lists change rarely.
      cached.clear();
      remove.run(id);
    },
    /** Empties a wall's list (retention: an entry is a private address); how many entries it had. */
    removeAllOfWall(wallId: number): number {
      cached.delete(wallId);
      return removeOfWall.run(wallId).changes;
    },
  };
}
