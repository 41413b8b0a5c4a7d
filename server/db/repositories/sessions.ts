import type { Db } from '../database.js';
import type { Role } from './users.js';

export interface SessionRecord {
  userId: number;
  username: string;
  role: Role;
  csrfToken: string;
  expiresAt: string;
}

/**
 * A session as its user and admins see it in the list. `id` is the row's id, never the cookie value nor
 * its hash: it names the session to revoke without being able to log anyone in. (Sessions live a day
 * and Toile never runs VACUUM, which could renumber them.) `idHash` stays on the server, to match the
 * caller's own session and the sockets to close.
 */
export interface SessionListing {
  id: number;
  idHash: string;
  username: string;
  createdAt: string;
  expiresAt: string;
}

interface ListingRow {
  id: number;
  id_hash: string;
  username: string;
  created_at: string;
  expires_at: string;
}

const toListing = (row: ListingRow): SessionListing => ({
  id: row.id,
  idHash: row.id_hash,
  username: row.username,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

export function sessionsRepository(db: Db) {
  const insert = db.prepare<[string, number, string, string, string]>(
    'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
  );
  const find = db.prepare<[string, string], { user_id: number; username: string; role: Role; csrf_token: string; expires_at: string }>(
    `SELECT s.user_id, u.username, u.role, s.csrf_token, s.expires_at
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id_hash = ? AND s.expires_at > ?`,
  );
  const remove = db.prepare<[string]>('DELETE FROM sessions WHERE id_hash = ?');
  const removeExpired = db.prepare<[string]>('DELETE FROM sessions WHERE expires_at <= ?');
  const removeForUser = db.prepare<{ username: string; keep: string | null }, { id_hash: string }>(
    `DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = @username) AND (@keep IS NULL OR id_hash <> @keep)
     RETURNING id_hash`,
  );
  const listing = `SELECT s.rowid AS id, s.id_hash, u.username, s.created_at, s.expires_at
     FROM sessions s JOIN users u ON u.id = s.user_id`;
  const list = db.prepare<{ now: string; username: string | null }, ListingRow>(
    `${listing} WHERE s.expires_at > @now AND (@username IS NULL OR u.username = @username) ORDER BY s.created_at DESC, s.rowid DESC`,
  );
  const byId = db.prepare<[number, string], ListingRow>(`${listing} WHERE s.rowid = ? AND s.expires_at > ?`);

  return {
    create(idHash: string, userId: number, csrfToken: string, at: string, expiresAt: string): void {
      insert.run(idHash, userId, csrfToken, at, expiresAt);
    },
    find(idHash: string, now: string): SessionRecord | undefined {
      const row = find.get(idHash, now);
      return row && { userId: row.user_id, username: row.username, role: row.role, csrfToken: row.csrf_token, expiresAt: row.expires_at };
    },
    remove(idHash: string): void {
      remove.run(idHash);
    },
    /**
     * Ends every session of a user, except `keepHash` when given (the one that changed the password);
     * returns the hashes of the ended ones, whose sockets must close.
     */
    removeForUser(username: string, keepHash?: string): string[] {
      return removeForUser.all({ username, keep: keepHash ?? null }).map((row) => row.id_hash);
    },
    /** Live sessions, newest first: every user's, or one user's. */
    list(now: string, username?: string): SessionListing[] {
      return list.all({ now, username: username ?? null }).map(toListing);
    },
    byId(id: number, now: string): SessionListing | undefined {
      const row = byId.get(id, now);
      return row && toListing(row);
    },
    removeExpired(now: string): number {
      return removeExpired.run(now).changes;
    },
  };
}
