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
  const wallSlugs = db.prepare<[string], { slug: string }>(
    `SELECT w.slug FROM user_walls uw JOIN users u ON u.id = uw.user_id JOIN walls w ON w.id = uw.wall_id
     WHERE u.username = ? ORDER BY w.slug`,
  );
  const allWallSlugs = db.prepare<[], { username: string; slug: string }>(
    `SELECT u.username, w.slug FROM user_walls uw JOIN users u ON u.id = uw.user_id JOIN walls w ON w.id = uw.wall_id ORDER BY w.slug`,
  );
  const clearWalls = db.prepare<[number]>('DELETE FROM user_walls WHERE user_id = ?');
  const addWall = db.prepare<[number, number]>('INSERT OR IGNORE INTO user_walls (user_id, wall_id) VALUES (?, ?)');

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
    /**
     * The slugs of the walls a user is limited to (see migrations/009_user_walls.sql): empty means no
     * limit. Only moderators are limited; callers check the role.
     */
    wallSlugs(username: string): string[] {
      return wallSlugs.all(username).map((row) => row.slug);
    },
    /** Every user's wall limits at once, for the users list. */
    allWallSlugs(): Map<string, string[]> {
      const byUser = new Map<string, string[]>();
      for (const row of allWallSlugs.all()) {
        const list = byUser.get(row.username);
        if (list) list.push(row.slug);
        else byUser.set(row.username, [row.slug]);
      }
      return byUser;
    },
    /** Replaces a user's walls (wall ids); an empty list lifts the limit. Run it inside a transaction. */
    setWalls(userId: number, wallIds: number[]): void {
      clearWalls.run(userId);
      for (const wallId of wallIds) addWall.run(userId, wallId);
    },
  };
}
