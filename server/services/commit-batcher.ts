import type { Repositories } from '../db/repositories/index.js';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** More than this many waiting writes are committed at once, without waiting for the next turn. */
const MAX_BATCH = 128;

/**
 * Group commit: the writes asked for during one turn of the event loop run in one transaction, each in a
 * savepoint of its own, and each caller is answered once that transaction has committed. A provider is
 * still answered only after its message is durable, but a burst of webhooks costs one commit instead of
 * one each (a commit, not the insert, is most of the cost of storing a message).
 *
 * A write that throws rolls back alone and its caller gets the error; the others are unaffected. The
 * transaction takes the write lock at its start (`repos.transaction` always does), so that a database
 * locked by another process fails the whole batch once (503, the providers retry) rather than each write
 * after its own wait.
 */
export function createCommitBatcher(repos: Repositories) {
  let queue: Pending[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      repos.transaction(() => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: repos.transaction(item.work) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // Nothing of the batch was committed.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }

  /** Runs `work` in the next group commit; resolves with its result once committed. */
  return function commit<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (queue.length >= MAX_BATCH) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  };
}

export type CommitBatcher = ReturnType<typeof createCommitBatcher>;
