import type { Db } from '../database.js';
import { auditRepository } from './audit.js';
import { contributorsRepository } from './contributors.js';
import { erasureRepository } from './erasure.js';
import { eventsRepository } from './events.js';
import { mailgunTokensRepository } from './mailgun-tokens.js';
import { mediaRepository } from './media.js';
import { messagesRepository } from './messages.js';
import { metaRepository } from './meta.js';
import { retentionRepository } from './retention.js';
import { rulesRepository } from './rules.js';
import { sendersRepository } from './senders.js';
import { sessionsRepository } from './sessions.js';
import { smsPartsRepository } from './sms-parts.js';
import { statsRepository } from './stats.js';
import { sourcesRepository } from './sources.js';
import { tokensRepository } from './tokens.js';
import { usersRepository } from './users.js';
import { wallsRepository } from './walls.js';

/** Every SQL statement Toile runs lives in one of these, prepared once per database handle. */
/**
 * `onPublishError` hears of a failure in what runs after a commit: the commit stands, and the callers
 * are answered as committed; viewers catch up on their next resume.
 */
export function createRepositories(db: Db, onPublishError: (error: unknown) => void = (error) => process.emitWarning(String(error))) {
  /**
   * What to do once the outermost open transaction commits, one list per open level. A nested transaction
   * (a savepoint) hands its list to the level above when it succeeds and drops it when it rolls back, so
   * nothing is ever published for a write that did not survive.
   */
  const afterCommit: (() => void)[][] = [];
  /** One transaction wrapper for every call: better-sqlite3 makes it a savepoint when already in one. */
  const inTransaction = db.transaction((fn: () => unknown) => fn());

  function runCommitted(callbacks: (() => void)[]): void {
    for (const callback of callbacks) {
      try {
        callback();
      } catch (error) {
        onPublishError(error);
      }
    }
  }

  return {
    db,
    /**
     * Runs `fn` in one transaction: all its writes commit together or not at all. Inside another
     * transaction it is a savepoint of it: its failure undoes its own writes only. The transaction takes
     * the write lock at its start (BEGIN IMMEDIATE): one that read first and then wrote could not wait for
     * another connection's lock (SQLite refuses that upgrade at once, whatever the busy timeout), so a
     * moment's lock by a backup or a maintenance command would fail a write that can simply wait.
     */
    transaction<T>(fn: () => T): T {
      afterCommit.push([]);
      let result: T;
      try {
        result = inTransaction.immediate(fn) as T;
      } catch (error) {
        afterCommit.pop();
        throw error;
      }
      const callbacks = afterCommit.pop()!;
      const outer = afterCommit.at(-1);
      if (outer) outer.push(...callbacks);
      else runCommitted(callbacks);
      return result;
    },
    /**
     * Runs `fn` once the current transaction is committed (at once outside any): publishing a change
     * waits for it to be durable, and a batch of changes is published in the order it was made.
     */
    afterCommit(fn: () => void): void {
      const current = afterCommit.at(-1);
      if (current) current.push(fn);
      else fn();
    },
    audit: auditRepository(db),
    contributors: contributorsRepository(db),
    erasure: erasureRepository(db),
    events: eventsRepository(db),
    mailgunTokens: mailgunTokensRepository(db),
    media: mediaRepository(db),
    messages: messagesRepository(db),
    meta: metaRepository(db),
    retention: retentionRepository(db),
    rules: rulesRepository(db),
    senders: sendersRepository(db),
    sessions: sessionsRepository(db),
    smsParts: smsPartsRepository(db),
    stats: statsRepository(db),
    sources: sourcesRepository(db),
    tokens: tokensRepository(db),
    users: usersRepository(db),
    walls: wallsRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
