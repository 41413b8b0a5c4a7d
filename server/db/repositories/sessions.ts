import type { Db } from '../database.js';
import type { Role } from './users.js';

export interface SessionRecord {
  userId: number;
  username: string;
  role: Role;
  csrfToken: string;
  expiresAt: string;
}

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
  const removeForUser = db.prepare<[string]>('DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?)');

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
    removeForUser(username: string): number {
      return removeForUser.run(username).changes;
    },
    removeExpired(now: string): number {
      return removeExpired.run(now).changes;
    },
  };
}
