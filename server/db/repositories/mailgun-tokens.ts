import type { Db } from '../database.js';

/**
 * The Mailgun tokens already accepted (`mailgun_tokens`): a signed token is good for one message, and is
 * remembered across restarts for as long as its timestamp would still be accepted.
 */
export function mailgunTokensRepository(db: Db) {
  const seen = db.prepare<[string], { found: number }>('SELECT 1 AS found FROM mailgun_tokens WHERE token = ?');
  const insert = db.prepare<[string, string]>('INSERT INTO mailgun_tokens (token, seen_at) VALUES (?, ?) ON CONFLICT (token) DO NOTHING');
  const prune = db.prepare<[string]>('DELETE FROM mailgun_tokens WHERE seen_at < ?');

  return {
    seen(token: string): boolean {
      return seen.get(token) !== undefined;
    },
    /** Remembers a token; returns whether it was new. */
    remember(token: string, at: string): boolean {
      return insert.run(token, at).changes === 1;
    },
    /** Forgets the tokens seen before `before` (an ISO time); returns how many. */
    forgetSeenBefore(before: string): number {
      return prune.run(before).changes;
    },
  };
}

export type MailgunTokensRepository = ReturnType<typeof mailgunTokensRepository>;
