import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../db/repositories/users.js';
import { forbidden, notFound, unauthorized } from '../errors.js';
import { safeEqual, type Auth, type Principal } from '../services/auth.js';

export const SESSION_COOKIE = 'toile_session';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/**
 * Resolves who is calling on every request, from `Authorization: Bearer` or the session cookie. Routes
 * then state the roles they accept with `requireRole`. A cookie-authenticated unsafe request must carry
 * the session's CSRF token in `x-csrf-token`, since browsers attach cookies to forged requests too.
 */
export function registerAuth(app: FastifyInstance, auth: Auth): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    request.principal = resolvePrincipal(request, auth);
  });
}

function resolvePrincipal(request: FastifyRequest, auth: Auth): Principal | null {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? (auth.fromToken(match[1]!) ?? null) : null;
  }
  const sessionId = request.cookies?.[SESSION_COOKIE];
  return sessionId ? (auth.fromSession(sessionId) ?? null) : null;
}

/**
 * Whether a principal may moderate the wall with this slug: the one check of per-wall moderators. Admins,
 * API tokens and moderators without a limit may moderate every wall; a limited moderator only theirs.
 */
export function canModerate(principal: Principal, slug: string): boolean {
  return principal.role === 'admin' || principal.walls === undefined || principal.walls.includes(slug);
}

/**
 * The answer to a moderator outside a wall: the same 404 as for a wall that does not exist, so that it
 * does not tell them which walls there are.
 */
export function wallNotFound(slug: string): Error {
  return notFound(`Wall "${slug}"`);
}

/**
 * A preHandler that lets through only the given roles (admin is always allowed). On a route with a `:slug`
 * parameter it also checks that the caller may moderate that wall (`canModerate`), and answers 404 if not:
 * every wall route that requires a role is covered, present and future. Routes that name a message instead
 * (`/api/messages/:id/...`) check the message's wall themselves with `canModerate`.
 */
export function requireRole(...roles: Role[]) {
  return async function checkRole(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const principal = request.principal;
    if (!principal) throw unauthorized();
    if (principal.via === 'session' && UNSAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !principal.csrfToken || !safeEqual(sent, principal.csrfToken)) {
        throw forbidden('csrf', 'Missing or wrong x-csrf-token header: send the csrfToken given at login.');
      }
    }
    if (principal.role !== 'admin' && !roles.includes(principal.role)) {
      throw forbidden('forbidden', `This needs the role ${['admin', ...roles].join(' or ')}; you are ${principal.role}.`);
    }
    const slug = (request.params as { slug?: unknown } | undefined)?.slug;
    if (typeof slug === 'string' && !canModerate(principal, slug)) throw wallNotFound(slug);
  };
}

/**
 * Browsers send cookies with cross-site WebSocket handshakes, so a moderator socket accepts only pages
 * served by Toile itself: the public URL's origin or the origin of the Host the request came to.
 */
export function originAllowed(request: FastifyRequest, publicUrl: string): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const allowed = new Set([new URL(publicUrl).origin]);
  const host = request.headers.host;
  if (host) {
    allowed.add(`http://${host}`);
    allowed.add(`https://${host}`);
  }
  return allowed.has(origin);
}
