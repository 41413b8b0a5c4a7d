import type { Db } from '../database.js';
import type { AddressKind } from '../../domain/message.js';

export function contributorsRepository(db: Db) {
  const find = db.prepare<[AddressKind, string], { id: number; opted_out_at: string | null }>(
    'SELECT id, opted_out_at FROM contributors WHERE kind = ? AND address = ?',
  );
  const upsert = db.prepare<[AddressKind, string, string], { id: number }>(
    `INSERT INTO contributors (kind, address, created_at) VALUES (?, ?, ?)
     ON CONFLICT (kind, address) DO UPDATE SET kind = excluded.kind
     RETURNING id`,
  );
  const setOptOut = db.prepare<[string | null, number]>('UPDATE contributors SET opted_out_at = ? WHERE id = ?');
  return {
    /** The id of the contributor with this private address, created on first contact. */
    idFor(kind: AddressKind, address: string, at: string): number {
      // Most contributors write more than once: a read finds them without a write.
      return (find.get(kind, address) ?? upsert.get(kind, address, at)!).id;
    },
    /** A known contributor, without creating one; `optedOut` when they texted STOP (and not START since). */
    find(kind: AddressKind, address: string): { id: number; optedOut: boolean } | undefined {
      const row = find.get(kind, address);
      return row && { id: row.id, optedOut: row.opted_out_at !== null };
    },
    /** STOP sets it, START clears it (`null`). */
    setOptedOut(id: number, at: string | null): void {
      setOptOut.run(at, id);
    },
  };
}
