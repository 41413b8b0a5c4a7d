import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/**
 * Opens the one writer connection of this process. WAL lets wall snapshots read while moderation writes;
 * `synchronous=NORMAL` keeps every commit durable across a crash of the process (the WAL is fsynced at
 * checkpoints, not at each commit), which is the failure a laptop at a venue actually meets. A power cut
 * may roll back the last commits; the README says so.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}
