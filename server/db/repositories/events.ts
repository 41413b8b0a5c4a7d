import type { Db } from '../database.js';

/** One row of a wall's event log: `json` is the event exactly as it is sent to viewers. */
export interface StoredEvent {
  seq: number;
  json: string;
}

export function eventsRepository(db: Db) {
  const bump = db.prepare<[number], { last_seq: number }>(
    'UPDATE walls SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq',
  );
  const insert = db.prepare<[number, number, string, string, string]>(
    'INSERT INTO wall_events (wall_id, seq, type, payload, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const since = db.prepare<[number, number, number], { seq: number; payload: string }>(
    'SELECT seq, payload FROM wall_events WHERE wall_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const recent = db.prepare<[number, number], { seq: number; payload: string }>(
    'SELECT seq, payload FROM (SELECT seq, payload FROM wall_events WHERE wall_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq',
  );

  return {
    /**
     * Appends an event with the wall's next seq. Call inside the transaction that made the change, so
     * that the change and its event commit together and seq stays gap-free (one writer per process).
     */
    append(wallId: number, type: string, build: (seq: number) => object, at: string): StoredEvent {
      const seq = bump.get(wallId)!.last_seq;
      const json = JSON.stringify(build(seq));
      insert.run(wallId, seq, type, json, at);
      return { seq, json };
    },
    since(wallId: number, afterSeq: number, limit: number): StoredEvent[] {
      return since.all(wallId, afterSeq, limit).map((row) => ({ seq: row.seq, json: row.payload }));
    },
    recent(wallId: number, limit: number): StoredEvent[] {
      return recent.all(wallId, limit).map((row) => ({ seq: row.seq, json: row.payload }));
    },
  };
}
