import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './database.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

const FILE_NAME = /^(\d+)_([a-z0-9_-]+)\.sql$/i;

/** Reads `NNN_name.sql` files in order, refusing duplicates and gaps (001, 002, … with none missing). */
export function loadMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.toLowerCase().endsWith('.sql'))
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new MigrationError(`migration file name "${file}" is not NNN_name.sql`);
      return { version: Number(match[1]), name: file, sql: readFileSync(join(dir, file), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new MigrationError(
        `migrations must be numbered 1, 2, 3… without gaps or duplicates: expected ${index + 1}, found ${migration.name}`,
      );
    }
  });
  return migrations;
}

/**
 * Brings the database up to the newest migration, each in its own transaction, recording progress in
 * `PRAGMA user_version`. A database newer than the code is refused: running old code on it could
 * silently corrupt data that a newer Toile wrote.
 */
export function migrate(db: Db, migrations: Migration[]): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (from > latest) {
    throw new MigrationError(
      `the database is at schema version ${from} but this Toile only knows ${latest}: upgrade Toile or restore a matching backup`,
    );
  }
  for (const migration of migrations.slice(from)) {
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        db.pragma(`user_version = ${migration.version}`);
      })();
    } catch (error) {
      throw new MigrationError(`${migration.name} failed and was rolled back: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { from, to: latest };
}
