import type { Db } from '../database.js';

export interface AuditEntry {
  actor: string;
  action: string;
  wallId?: number | null;
  targetType?: string;
  targetId?: string | number;
  detail?: Record<string, unknown>;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  wall: string | null;
  targetType: string | null;
  targetId: string | null;
  detail: Record<string, unknown>;
}

export function auditRepository(db: Db) {
  const insert = db.prepare<[string, string, string, number | null, string | null, string | null, string]>(
    'INSERT INTO audit_log (at, actor, action, wall_id, target_type, target_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const list = db.prepare<{ wallId: number | null; limit: number }, { id: number; at: string; actor: string; action: string; wall: string | null; target_type: string | null; target_id: string | null; detail: string }>(
    `SELECT a.id, a.at, a.actor, a.action, w.slug AS wall, a.target_type, a.target_id, a.detail
     FROM audit_log a LEFT JOIN walls w ON w.id = a.wall_id
     WHERE @wallId IS NULL OR a.wall_id = @wallId
     ORDER BY a.id DESC LIMIT @limit`,
  );

  return {
    append(entry: AuditEntry, at: string): void {
      insert.run(
        at,
        entry.actor,
        entry.action,
        entry.wallId ?? null,
        entry.targetType ?? null,
        entry.targetId === undefined ? null : String(entry.targetId),
        JSON.stringify(entry.detail ?? {}),
      );
    },
    list(wallId: number | null, limit: number): AuditRow[] {
      return list.all({ wallId, limit }).map((row) => ({
        id: row.id,
        at: row.at,
        actor: row.actor,
        action: row.action,
        wall: row.wall,
        targetType: row.target_type,
        targetId: row.target_id,
        detail: JSON.parse(row.detail) as Record<string, unknown>,
      }));
    },
  };
}
