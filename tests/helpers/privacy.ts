import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestServer } from './server.js';

/** Every row of every table of the server's SQLite file, as text: what a copy of the database would give away. */
export function everyRow(server: TestServer): string {
  const db = server.app.toile.repos.db;
  const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  return tables.map(({ name }) => `${name}: ${JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())}`).join('\n');
}

/**
 * The bytes of the database file and its WAL, as a copy of the data directory would hold them, read both
 * as UTF-8 (accented text) and as Latin-1 (every byte, whatever the encoding around it).
 */
export function databaseBytes(server: TestServer): string {
  const file = join(server.dataDir, 'toile.db');
  return [file, `${file}-wal`]
    .filter(existsSync)
    .map((path) => readFileSync(path).toString('utf8') + readFileSync(path).toString('latin1'))
    .join('');
}
