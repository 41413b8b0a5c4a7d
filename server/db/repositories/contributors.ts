import type { Db } from '../database.js';
import type { AddressKind } from '../../domain/message.js';

export function contributorsRepository(db: Db) {
  const upsert = db.prepare<[AddressKind, string, string], { id: number }>(
    `INSERT INTO contributors (kind, address, created_at) VALUES (?, ?, ?)
     ON CONFLICT (kind, address) DO UPDATE SET kind = excluded.kind
     RETURNING id`,
  );
  const optedOut = db.prepare<[number], { opted_out_at: string | null }>('SELECT opted_out_at FROM contributors WHERE id = ?');
  const setOptOut = db.prepare<[string | null, number]>('UPDATE contributors SET opted_out_at = ? WHERE id = ?');
  return {
    /** The id of the contributor with this private address, created on first contact. */
    idFor(kind: AddressKind, address: string, at: string): number {
      return upsert.get(kind, address, at)!.id;
    },
    /** Whether the contributor asked (STOP) that nothing of theirs be queued or shown. */
    isOptedOut(id: number): boolean {
      return (optedOut.get(id)?.opted_out_at ?? null) !== null;
    },
    /** STOP sets it, START clears it (`null`). */
    setOptedOut(id: number, at: string | null): void {
      setOptOut.run(at, id);
    },
  };
}
