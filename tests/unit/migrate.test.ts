import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/database.js';
import { loadMigrations, migrate, MigrationError } from '../../server/db/migrate.js';
import { defaultMigrationsDir } from '../../server/paths.js';

const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A folder of hand-written migration files, as an operator's checkout would hold them. */
function migrationsDir(files: Record<string, string>): string {
  const dir = tempDir('toile-migrations-');
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

/** A real SQLite file in its own temporary folder, closed after the test. */
function freshDatabase(): { db: Db; file: string } {
  const file = join(tempDir('toile-db-'), 'toile.db');
  const db = openDatabase(file);
  cleanups.push(() => {
    if (db.open) db.close();
  });
  return { db, file };
}

function userVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function tableNames(db: Db): string[] {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
  return rows.map((row) => row.name);
}

const THREE_MIGRATIONS = {
  '001_people.sql': 'CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);',
  '002_seed.sql': "INSERT INTO people (name) VALUES ('Ada');",
  '003_places.sql': 'CREATE TABLE places (id INTEGER PRIMARY KEY, person_id INTEGER REFERENCES people (id));',
};

describe('loading migration files', () => {
  it('reads NNN_name.sql files in numeric order whatever order the folder lists them in', () => {
    const dir = migrationsDir({
      '010_ten.sql': 'SELECT 10;',
      '002_two.sql': 'SELECT 2;',
      ...Object.fromEntries(
        [1, 3, 4, 5, 6, 7, 8, 9].map((n) => [`${String(n).padStart(3, '0')}_n${n}.sql`, `SELECT ${n};`]),
      ),
    });
    const migrations = loadMigrations(dir);
    expect(migrations.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(migrations[1]).toEqual({ version: 2, name: '002_two.sql', sql: 'SELECT 2;' });
  });

  it('ignores files that are not .sql, such as a README next to the migrations', () => {
    const dir = migrationsDir({ '001_people.sql': 'SELECT 1;', 'README.md': '# notes', '001_people.sql.bak': 'old' });
    expect(loadMigrations(dir).map((m) => m.name)).toEqual(['001_people.sql']);
  });

  it('refuses a gap in the numbering and names the file after the gap', () => {
    const dir = migrationsDir({ '001_first.sql': 'SELECT 1;', '003_third.sql': 'SELECT 3;' });
    expect(() => loadMigrations(dir)).toThrow(MigrationError);
    expect(() => loadMigrations(dir)).toThrow(/expected 2, found 003_third\.sql/);
  });

  it('refuses a folder whose first migration is not 001', () => {
    const dir = migrationsDir({ '002_second.sql': 'SELECT 2;' });
    expect(() => loadMigrations(dir)).toThrow(/expected 1, found 002_second\.sql/);
  });

  it('refuses two migrations with the same number', () => {
    const dir = migrationsDir({ '001_first.sql': 'SELECT 1;', '002_a.sql': 'SELECT 2;', '002_b.sql': 'SELECT 2;' });
    expect(() => loadMigrations(dir)).toThrow(MigrationError);
    expect(() => loadMigrations(dir)).toThrow(/002_b\.sql/);
  });

  it.each(['002-dashes.sql', 'second.sql', '_002_leading.sql', '002_has space.sql'])(
    'refuses a badly named migration file (%s) and names it',
    (badName) => {
      const dir = migrationsDir({ '001_first.sql': 'SELECT 1;', [badName]: 'SELECT 2;' });
      expect(() => loadMigrations(dir)).toThrow(MigrationError);
      expect(() => loadMigrations(dir)).toThrow(`"${badName}" is not NNN_name.sql`);
    },
  );
});

describe('migrating a database', () => {
  it('applies every migration in order and records the last one in PRAGMA user_version', () => {
    const { db } = freshDatabase();
    const result = migrate(db, loadMigrations(migrationsDir(THREE_MIGRATIONS)));
    expect(result).toEqual({ from: 0, to: 3 });
    expect(userVersion(db)).toBe(3);
    expect(tableNames(db)).toEqual(['people', 'places']);
    expect(db.prepare('SELECT name FROM people').all()).toEqual([{ name: 'Ada' }]);
  });

  it('applies nothing on a second run, so seed rows are not inserted twice', () => {
    const { db } = freshDatabase();
    const migrations = loadMigrations(migrationsDir(THREE_MIGRATIONS));
    migrate(db, migrations);
    expect(migrate(db, migrations)).toEqual({ from: 3, to: 3 });
    expect(userVersion(db)).toBe(3);
    expect(db.prepare('SELECT count(*) AS n FROM people').get()).toEqual({ n: 1 });
  });

  it('applies only the new migrations to a database that is behind, even after it was closed and reopened', () => {
    const { db, file } = freshDatabase();
    const [first, second, third] = loadMigrations(migrationsDir(THREE_MIGRATIONS));
    migrate(db, [first!]);
    db.close();

    const reopened = openDatabase(file);
    cleanups.push(() => reopened.close());
    expect(migrate(reopened, [first!, second!, third!])).toEqual({ from: 1, to: 3 });
    expect(userVersion(reopened)).toBe(3);
    expect(tableNames(reopened)).toEqual(['people', 'places']);
  });

  it('refuses a database newer than the code and leaves it untouched', () => {
    const { db } = freshDatabase();
    db.exec("CREATE TABLE written_by_a_newer_toile (id INTEGER PRIMARY KEY); PRAGMA user_version = 5;");
    const migrations = loadMigrations(migrationsDir(THREE_MIGRATIONS));

    expect(() => migrate(db, migrations)).toThrow(MigrationError);
    expect(() => migrate(db, migrations)).toThrow(/schema version 5 but this Toile only knows 3/);
    expect(userVersion(db)).toBe(5);
    expect(tableNames(db)).toEqual(['written_by_a_newer_toile']);
  });

  it('rolls a failing migration back entirely while the earlier ones stay applied', () => {
    const { db } = freshDatabase();
    const dir = migrationsDir({
      '001_people.sql': 'CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);',
      // The first two statements succeed; the third fails, so the whole migration must vanish.
      '002_broken.sql': [
        'CREATE TABLE half_done (id INTEGER PRIMARY KEY);',
        "INSERT INTO people (name) VALUES ('should not stay');",
        'INSERT INTO no_such_table VALUES (1);',
      ].join('\n'),
    });

    expect(() => migrate(db, loadMigrations(dir))).toThrow(/no such table: no_such_table/);
    expect(userVersion(db)).toBe(1);
    expect(tableNames(db)).toEqual(['people']);
    expect(db.prepare('SELECT count(*) AS n FROM people').get()).toEqual({ n: 0 });
  });

  it('leaves a database that was already up to an earlier version at that version when the next migration fails', () => {
    const { db } = freshDatabase();
    const [people] = loadMigrations(migrationsDir({ '001_people.sql': THREE_MIGRATIONS['001_people.sql'] }));
    migrate(db, [people!]);
    const broken = { version: 2, name: '002_broken.sql', sql: 'ALTER TABLE people ADD COLUMN age INTEGER; SELEC 1;' };

    expect(() => migrate(db, [people!, broken])).toThrow();
    expect(userVersion(db)).toBe(1);
    const columns = (db.prepare("SELECT name FROM pragma_table_info('people')").all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(['id', 'name']);
  });
});

describe('opening the database', () => {
  it('creates the data folder, uses WAL, enforces foreign keys and waits on a busy lock', () => {
    const file = join(tempDir('toile-open-'), 'nested', 'deeper', 'toile.db');
    const db = openDatabase(file);
    cleanups.push(() => db.close());

    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(1000);
    // synchronous=NORMAL (1), as the comment in database.ts promises.
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
  });
});

describe("Toile's own migrations", () => {
  function migratedToile(): Db {
    const { db } = freshDatabase();
    migrate(db, loadMigrations(defaultMigrationsDir()));
    return db;
  }

  it('apply cleanly to a fresh database and create every table the server uses', () => {
    const db = migratedToile();
    expect(userVersion(db)).toBe(loadMigrations(defaultMigrationsDir()).length);
    expect(tableNames(db)).toEqual(
      expect.arrayContaining(['walls', 'messages', 'contributors', 'wall_events', 'users', 'sessions', 'api_tokens', 'audit_log', 'meta']),
    );
  });

  it('reject a message that points at a wall that does not exist', () => {
    const db = migratedToile();
    const insert = db.prepare(
      `INSERT INTO messages (wall_id, channel, source, provider_message_id, author_name, text, status, created_at, received_at)
       VALUES (42, 'web', 'web', 'p1', 'Ada', 'hello', 'pending', 'now', 'now')`,
    );
    expect(() => insert.run()).toThrow(/FOREIGN KEY constraint failed/);
  });

  it('keep the audit log append-only: an UPDATE is refused and the entry is unchanged', () => {
    const db = migratedToile();
    db.prepare("INSERT INTO audit_log (at, actor, action) VALUES ('2025-01-01T00:00:00Z', 'admin', 'wall.create')").run();

    expect(() => db.prepare("UPDATE audit_log SET actor = 'someone else'").run()).toThrow(/audit_log is append-only/);
    expect(db.prepare('SELECT actor, action FROM audit_log').all()).toEqual([{ actor: 'admin', action: 'wall.create' }]);
  });

  // Regression guard for a schema contradiction: audit_log.wall_id is declared ON DELETE SET NULL, which
  // SQLite carries out as an UPDATE of audit_log, and the append-only trigger aborts every UPDATE.
  it('let a wall that has audit entries be deleted, keeping its entries with wall_id set to null', () => {
    const db = migratedToile();
    db.prepare("INSERT INTO walls (slug, title, created_at, updated_at) VALUES ('main', 'Main', 'now', 'now')").run();
    db.prepare("INSERT INTO audit_log (at, actor, action, wall_id) VALUES ('now', 'admin', 'wall.create', 1)").run();

    expect(() => db.prepare('DELETE FROM walls WHERE id = 1').run()).not.toThrow();
    expect(db.prepare('SELECT action, wall_id FROM audit_log').all()).toEqual([{ action: 'wall.create', wall_id: null }]);
  });
});
