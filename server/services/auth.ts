import argon2 from 'argon2';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role, User } from '../db/repositories/users.js';
import { badRequest, conflict, forbidden, notFound, unauthorized } from '../errors.js';
import type { ServiceContext } from './context.js';

/**
 * argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane): memory-hard against GPU guessing while a
 * login stays well under 100 ms on a small laptop.
 */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const SESSION_HOURS = 24;
const LOGIN_FAILED = 'Wrong username or password.';

export const hashPassword = (password: string) => argon2.hash(password, ARGON2_OPTIONS);
/** Session ids and API tokens have 256 bits of entropy, so a fast hash is enough to store them. */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const randomToken = () => randomBytes(32).toString('base64url');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Who made a request: a logged-in user (with the session's CSRF token) or an API token. */
export interface Principal {
  username: string;
  role: Role;
  via: 'session' | 'token';
  csrfToken?: string;
  sessionHash?: string;
  /**
   * The slugs of the walls a moderator is limited to; undefined: every wall (admins, API tokens, which
   * belong to no user, and moderators with no limit). Checked by `canModerate` in plugins/auth.ts.
   */
  walls?: string[];
}

/** A live session as the sessions list shows it; `id` names it for revocation and is not the cookie. */
export interface SessionView {
  id: number;
  username: string;
  createdAt: string;
  lastSeenAt: string;
  /** Whether this is the session making the request. */
  current: boolean;
}

export function createAuth(ctx: ServiceContext) {
  const { repos } = ctx;
  // Verifying against a real hash when the user does not exist keeps the timing of a login the same
  // for known and unknown usernames.
  let dummyHash: Promise<string> | undefined;
  /**
   * When each session last made a request to this process, kept in memory: writing it to SQLite on every
   * request would cost a commit per click. A session not seen since this process started shows its login
   * time. Entries go when their session ends or expires.
   */
  const lastSeen = new Map<string, { at: string; expiresAt: string }>();

  function forgetExpired(now: string): void {
    for (const [hash, seen] of lastSeen) if (seen.expiresAt <= now) lastSeen.delete(hash);
  }

  /** Slugs to wall ids: 400 for an unknown wall, or for walls given to a user who is not a moderator. */
  function resolveWalls(role: Role, walls: string[]): number[] {
    if (walls.length === 0) return [];
    if (role !== 'moderator') throw badRequest('walls_for_moderators', 'Only a moderator can be limited to some walls.');
    const ids = new Set<number>();
    for (const slug of walls) {
      const wall = repos.walls.bySlug(slug);
      if (!wall) throw badRequest('unknown_wall', `There is no wall "${slug}".`);
      ids.add(wall.id);
    }
    return [...ids];
  }

  const auth = {
    async login(username: string, password: string): Promise<{ user: User; sessionId: string; csrfToken: string; expiresAt: Date }> {
      const hash = repos.users.passwordHash(username);
      dummyHash ??= hashPassword(randomToken());
      const ok = await argon2.verify(hash ?? (await dummyHash), password).catch(() => false);
      const user = repos.users.byName(username);
      if (!ok || hash === undefined || !user) throw unauthorized(LOGIN_FAILED);
      const sessionId = randomToken();
      const csrfToken = randomToken();
      const now = ctx.now();
      const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
      repos.sessions.removeExpired(now.toISOString());
      forgetExpired(now.toISOString());
      repos.sessions.create(sha256(sessionId), user.id, csrfToken, now.toISOString(), expiresAt.toISOString());
      repos.audit.append({ actor: user.username, action: 'auth.login', targetType: 'user', targetId: user.username }, now.toISOString());
      return { user, sessionId, csrfToken, expiresAt };
    },

    logout(principal: Principal): void {
      if (principal.sessionHash) {
        repos.sessions.remove(principal.sessionHash);
        lastSeen.delete(principal.sessionHash);
      }
    },

    fromSession(sessionId: string): Principal | undefined {
      const hash = sha256(sessionId);
      const now = ctx.now().toISOString();
      const session = repos.sessions.find(hash, now);
      if (!session) return undefined;
      lastSeen.set(hash, { at: now, expiresAt: session.expiresAt });
      const principal: Principal = { username: session.username, role: session.role, via: 'session', csrfToken: session.csrfToken, sessionHash: hash };
      // Read at every request, like the role: a change of a moderator's walls holds at their next request.
      if (session.role === 'moderator') {
        const walls = repos.users.wallSlugs(session.username);
        if (walls.length > 0) principal.walls = walls;
      }
      return principal;
    },

    fromToken(token: string): Principal | undefined {
      const record = repos.tokens.byHash(sha256(token));
      if (!record) return undefined;
      // "Last used" is for the admin's eyes: a write a minute at most, not one per ingested message.
      const now = ctx.now();
      if (record.lastUsedAt === null || now.getTime() - Date.parse(record.lastUsedAt) > 60_000) {
        repos.tokens.touch(record.id, now.toISOString());
      }
      return { username: `token:${record.name}`, role: record.role, via: 'token' };
    },

    /** `walls`: the slugs of the walls a moderator is limited to (none or empty: every wall). */
    async createUser(username: string, password: string, role: Role, actor: string, walls: string[] = []): Promise<User> {
      if (password.length < 8) throw badRequest('weak_password', 'password must be at least 8 characters long');
      const wallIds = resolveWalls(role, walls);
      const hash = await hashPassword(password);
      const now = ctx.now().toISOString();
      return repos.transaction(() => {
        const user = repos.users.create(username, hash, role, now);
        if (!user) throw conflict('user_exists', `A user named "${username}" already exists.`);
        // Re-read inside the transaction: the walls were checked before the slow hash.
        repos.users.setWalls(user.id, resolveWalls(role, walls));
        const detail = wallIds.length > 0 ? { role, walls: [...new Set(walls)].sort() } : { role };
        repos.audit.append({ actor, action: 'user.create', targetType: 'user', targetId: username, detail }, now);
        return user;
      });
    },

    /** Sets the walls a moderator is limited to; an empty list lifts the limit (every wall). */
    setUserWalls(username: string, walls: string[], actor: string): string[] {
      const user = repos.users.byName(username);
      if (!user) throw notFound(`User "${username}"`);
      const wallIds = resolveWalls(user.role, walls);
      const now = ctx.now().toISOString();
      return repos.transaction(() => {
        const before = repos.users.wallSlugs(username);
        repos.users.setWalls(user.id, wallIds);
        const after = repos.users.wallSlugs(username);
        repos.audit.append({ actor, action: 'user.walls', targetType: 'user', targetId: username, detail: { from: before, to: after } }, now);
        return after;
      });
    },

    /**
     * Sets a new password and ends every session of the user (but `keepSessionHash`, the session that
     * changed it, if given), who must log in again with it. Returns the ended sessions' hashes, so that
     * their sockets can be closed.
     */
    async setPassword(username: string, password: string, actor: string, keepSessionHash?: string): Promise<string[]> {
      if (password.length < 8) throw badRequest('weak_password', 'password must be at least 8 characters long');
      const hash = await hashPassword(password);
      const ended = repos.transaction(() => {
        if (!repos.users.setPasswordHash(username, hash)) throw notFound(`User "${username}"`);
        const removed = repos.sessions.removeForUser(username, keepSessionHash);
        repos.audit.append({ actor, action: 'user.password', targetType: 'user', targetId: username }, ctx.now().toISOString());
        return removed;
      });
      for (const sessionHash of ended) lastSeen.delete(sessionHash);
      return ended;
    },

    /**
     * A logged-in user changes their own password: the current one is checked first (a session left open
     * on a shared laptop must not be enough to take the account over), and their other sessions end.
     */
    async changePassword(principal: Principal, currentPassword: string, newPassword: string): Promise<string[]> {
      if (principal.via !== 'session') throw forbidden('not_a_user', 'An API token has no password; log in as a user to change yours.');
      const hash = repos.users.passwordHash(principal.username);
      const ok = hash !== undefined && (await argon2.verify(hash, currentPassword).catch(() => false));
      if (!ok) throw forbidden('wrong_password', 'currentPassword is not your current password.');
      if (newPassword.length < 8) throw badRequest('weak_password', 'newPassword must be at least 8 characters long');
      return auth.setPassword(principal.username, newPassword, principal.username, principal.sessionHash);
    },

    /** The live sessions the caller may see: an admin sees everyone's, anyone else only their own. */
    listSessions(principal: Principal): SessionView[] {
      const now = ctx.now().toISOString();
      const listings = repos.sessions.list(now, principal.role === 'admin' ? undefined : principal.username);
      return listings.map((session) => ({
        id: session.id,
        username: session.username,
        createdAt: session.createdAt,
        lastSeenAt: lastSeen.get(session.idHash)?.at ?? session.createdAt,
        current: session.idHash === principal.sessionHash,
      }));
    },

    /**
     * Ends one session: one's own, or anyone's for an admin. Someone else's session is "not found" to a
     * non-admin, so that session ids cannot be probed. Returns the ended session's hash, to close its sockets.
     */
    revokeSession(principal: Principal, id: number): string {
      const now = ctx.now().toISOString();
      const session = repos.sessions.byId(id, now);
      if (!session || (principal.role !== 'admin' && session.username !== principal.username)) throw notFound(`Session ${id}`);
      repos.transaction(() => {
        repos.sessions.remove(session.idHash);
        repos.audit.append({ actor: principal.username, action: 'session.revoke', targetType: 'user', targetId: session.username, detail: { session: id } }, now);
      });
      lastSeen.delete(session.idHash);
      return session.idHash;
    },

    deleteUser(username: string, actor: string): void {
      const user = repos.users.byName(username);
      if (!user) throw notFound(`User "${username}"`);
      if (user.role === 'admin' && repos.users.adminCount() === 1) {
        throw forbidden('last_admin', 'The last admin cannot be deleted.');
      }
      // Deleting the user ends its sessions too (ON DELETE CASCADE), so a removed moderator is out at once.
      repos.users.remove(username);
      repos.audit.append({ actor, action: 'user.delete', targetType: 'user', targetId: username }, ctx.now().toISOString());
    },

    /** Revokes an API token at once; returns the principal name its sockets were opened under, to close them. */
    revokeToken(id: number, actor: string): string {
      const token = repos.tokens.all().find((t) => t.id === id);
      if (!token) throw notFound(`Token ${id}`);
      const now = ctx.now().toISOString();
      repos.transaction(() => {
        repos.tokens.remove(id);
        repos.audit.append({ actor, action: 'token.revoke', targetType: 'token', targetId: id, detail: { name: token.name, role: token.role } }, now);
      });
      return `token:${token.name}`;
    },

    createToken(name: string, role: Role, actor: string): { token: string; id: number } {
      const token = `toile_${randomToken()}`;
      const now = ctx.now().toISOString();
      const record = repos.tokens.create(name, sha256(token), role, actor, now);
      repos.audit.append({ actor, action: 'token.create', targetType: 'token', targetId: record.id, detail: { name, role } }, now);
      return { token, id: record.id };
    },
  };
  return auth;
}

export type Auth = ReturnType<typeof createAuth>;
