import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/database.js';
import { loadMigrations, migrate } from '../../server/db/migrate.js';
import { createRepositories, type Repositories } from '../../server/db/repositories/index.js';
import { defaultMigrationsDir } from '../../server/paths.js';
import { createCommitBatcher } from '../../server/services/commit-batcher.js';

let dir: string;
let db: Db;
let repos: Repositories;
let published: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'toile-batch-'));
  db = openDatabase(join(dir, 'toile.db'));
  // The repositories prepare their statements against Toile's schema; the tests write to a table of their own.
  migrate(db, loadMigrations(defaultMigrationsDir()));
  db.exec('CREATE TABLE notes (text TEXT NOT NULL UNIQUE)');
  published = [];
  repos = createRepositories(db, (error) => published.push(`failed: ${String(error)}`));
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (text: string) => db.prepare('INSERT INTO notes (text) VALUES (?)').run(text);
const stored = () => (db.prepare('SELECT text FROM notes ORDER BY rowid').all() as { text: string }[]).map((row) => row.text);

/** What another connection to the same file sees: only what was committed. */
function committed(): string[] {
  const other = new Database(join(dir, 'toile.db'), { readonly: true });
  try {
    return (other.prepare('SELECT text FROM notes ORDER BY rowid').all() as { text: string }[]).map((row) => row.text);
  } finally {
    other.close();
  }
}

describe('publishing after commit', () => {
  it('runs the callbacks once the outermost transaction commits, in the order they were asked for', () => {
    repos.transaction(() => {
      insert('a');
      repos.afterCommit(() => published.push(`a, committed: ${committed().join()}`));
      repos.transaction(() => {
        insert('b');
        repos.afterCommit(() => published.push('b'));
      });
      expect(published).toEqual([]);
    });
    expect(published).toEqual(['a, committed: a,b', 'b']);
  });

  it('drops what a rolled-back savepoint asked for, and everything when the whole transaction rolls back', () => {
    repos.transaction(() => {
      insert('kept');
      repos.afterCommit(() => published.push('kept'));
      try {
        repos.transaction(() => {
          insert('undone');
          repos.afterCommit(() => published.push('undone'));
          throw new Error('rule refused it');
        });
      } catch {
        // The savepoint alone is undone.
      }
    });
    expect(() =>
      repos.transaction(() => {
        insert('never');
        repos.afterCommit(() => published.push('never'));
        throw new Error('all undone');
      }),
    ).toThrow('all undone');
    expect(published).toEqual(['kept']);
    expect(stored()).toEqual(['kept']);
  });

  it('runs at once outside a transaction, and a failing callback neither stops the others nor undoes the commit', () => {
    repos.afterCommit(() => published.push('now'));
    repos.transaction(() => {
      insert('x');
      repos.afterCommit(() => {
        throw new Error('listener broke');
      });
      repos.afterCommit(() => published.push('after'));
    });
    expect(published).toEqual(['now', 'failed: Error: listener broke', 'after']);
    expect(committed()).toEqual(['x']);
  });
});

describe('group commit', () => {
  it('commits the writes of one turn together and answers each only once they are committed', async () => {
    const commit = createCommitBatcher(repos);
    const seen: string[][] = [];
    const answers = Promise.all(
      ['one', 'two', 'three'].map((text) =>
        commit(() => {
          insert(text);
          // Each write sees those before it in the batch, and nothing is visible to others yet.
          seen.push(committed());
          return text.toUpperCase();
        }).then((value) => ({ value, committed: committed() })),
      ),
    );
    expect(stored()).toEqual([]);
    const results = await answers;
    expect(seen).toEqual([[], [], []]);
    expect(results).toEqual(['ONE', 'TWO', 'THREE'].map((value) => ({ value, committed: ['one', 'two', 'three'] })));
  });

  it('rolls back a failing write alone: its caller gets the error, the others are committed', async () => {
    const commit = createCommitBatcher(repos);
    const outcomes = await Promise.allSettled([
      commit(() => insert('same')),
      commit(() => insert('same')),
      commit(() => insert('other')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(committed()).toEqual(['same', 'other']);
  });

  it('fails the whole batch at once, storing nothing, when another process holds the database', async () => {
    db.pragma('busy_timeout = 50');
    const other = new Database(join(dir, 'toile.db'));
    other.exec('BEGIN IMMEDIATE');
    const commit = createCommitBatcher(repos);
    const started = performance.now();
    const outcomes = await Promise.allSettled([commit(() => insert('a')), commit(() => insert('b'))]);
    other.exec('ROLLBACK');
    other.close();
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_BUSY' });
    // One wait for the lock, not one per write.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(committed()).toEqual([]);
  });
});
