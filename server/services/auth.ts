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
}

export function createAuth(ctx: ServiceContext) {
  const { repos } = ctx;
  // Verifying against a real hash when the user does not exist keeps the timing of a login the same
  // for known and unknown usernames.
  let dummyHash: Promise<string> | undefined;

  return {
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
      repos.sessions.create(sha256(sessionId), user.id, csrfToken, now.toISOString(), expiresAt.toISOString());
      repos.audit.append({ actor: user.username, action: 'auth.login', targetType: 'user', targetId: user.username }, now.toISOString());
      return { user, sessionId, csrfToken, expiresAt };
    },

    logout(principal: Principal): void {
      if (principal.sessionHash) repos.sessions.remove(principal.sessionHash);
    },

    fromSession(sessionId: string): Principal | undefined {
      const hash = sha256(sessionId);
      const session = repos.sessions.find(hash, ctx.now().toISOString());
      return session && { username: session.username, role: session.role, via: 'session', csrfToken: session.csrfToken, sessionHash: hash };
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

    async createUser(username: string, password: string, role: Role, actor: string): Promise<User> {
      if (password.length < 8) throw badRequest('weak_password', 'password must be at least 8 characters long');
      const hash = await hashPassword(password);
      const now = ctx.now().toISOString();
      const user = repos.users.create(username, hash, role, now);
      if (!user) throw conflict('user_exists', `A user named "${username}" already exists.`);
      repos.audit.append({ actor, action: 'user.create', targetType: 'user', targetId: username, detail: { role } }, now);
      return user;
    },

    /** Sets a new password and ends every session of the user, who must log in again with it. */
    async setPassword(username: string, password: string, actor: string): Promise<void> {
      if (password.length < 8) throw badRequest('weak_password', 'password must be at least 8 characters long');
      const hash = await hashPassword(password);
      repos.transaction(() => {
        if (!repos.users.setPasswordHash(username, hash)) throw notFound(`User "${username}"`);
        repos.sessions.removeForUser(username);
        repos.audit.append({ actor, action: 'user.password', targetType: 'user', targetId: username }, ctx.now().toISOString());
      });
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

    createToken(name: string, role: Role, actor: string): { token: string; id: number } {
      const token = `toile_${randomToken()}`;
      const now = ctx.now().toISOString();
      const record = repos.tokens.create(name, sha256(token), role, actor, now);
      repos.audit.append({ actor, action: 'token.create', targetType: 'token', targetId: record.id, detail: { name, role } }, now);
      return { token, id: record.id };
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;
