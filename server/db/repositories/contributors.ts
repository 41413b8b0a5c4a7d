import type { Db } from '../database.js';
import type { AddressKind } from '../../domain/message.js';

export function contributorsRepository(db: Db) {
  const upsert = db.prepare<[AddressKind, string, string], { id: number }>(
    `INSERT INTO contributors (kind, address, created_at) VALUES (?, ?, ?)
     ON CONFLICT (kind, address) DO UPDATE SET kind = excluded.kind
     RETURNING id`,
  );
  return {
    /** The id of the contributor with this private address, created on first contact. */
    idFor(kind: AddressKind, address: string, at: string): number {
      return upsert.get(kind, address, at)!.id;
    },
  };
}
