import { randomUUID } from 'node:crypto';
import type { Db } from '../database.js';

export function metaRepository(db: Db) {
  const get = db.prepare<[], { epoch: string }>('SELECT epoch FROM meta WHERE id = 1');
  const insert = db.prepare<[string, string]>('INSERT OR IGNORE INTO meta (id, epoch, created_at) VALUES (1, ?, ?)');
  return {
    /** This database's epoch, created with the database and kept for its whole life. */
    epoch(at: string): string {
      insert.run(randomUUID(), at);
      return get.get()!.epoch;
    },
  };
}
