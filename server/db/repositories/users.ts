import type { Db } from '../database.js';

export const ROLES = ['admin', 'moderator', 'ingest'] as const;
export type Role = (typeof ROLES)[number];
/** What a username may hold: it appears in the console, the audit log and URLs, so nothing to escape. */
export const USERNAME_PATTERN = '^[A-Za-z0-9._-]{1,64}$';

export interface User {
  id: number;
  username: string;
  role: Role;
  createdAt: string;
}

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  created_at: string;
}

const toUser = (row: UserRow): User => ({ id: row.id, username: row.username, role: row.role, createdAt: row.created_at });

export function usersRepository(db: Db) {
  const byName = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const all = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username');
  const insert = db.prepare<[string, string, Role, string], UserRow>(
    'INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *',
  );
  const remove = db.prepare<[string]>('DELETE FROM users WHERE username = ?');
  const setPassword = db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE username = ?');
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users');
  const admins = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'");

  return {
    byName(username: string): User | undefined {
      const row = byName.get(username);
      return row && toUser(row);
    },
    /** The stored hash, for login only; it never leaves this module attached to a user. */
    passwordHash(username: string): string | undefined {
      return byName.get(username)?.password_hash;
    },
    all(): User[] {
      return all.all().map(toUser);
    },
    /** Returns undefined when the username is taken. */
    create(username: string, passwordHash: string, role: Role, at: string): User | undefined {
      const row = insert.get(username, passwordHash, role, at);
      return row && toUser(row);
    },
    setPasswordHash(username: string, passwordHash: string): boolean {
      return setPassword.run(passwordHash, username).changes > 0;
    },
    remove(username: string): boolean {
      return remove.run(username).changes > 0;
    },
    count(): number {
      return count.get()?.n ?? 0;
    },
    adminCount(): number {
      return admins.get()?.n ?? 0;
    },
  };
}
