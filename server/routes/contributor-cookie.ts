import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The web form's contributor: a random id kept in a first-party cookie, so that the form's rate limit and
 * a moderator's "block this sender" apply to one browser. Keyed by IP, they applied to a whole venue: every
 * attendee on the event's Wi-Fi shares one address behind its NAT. The id is not a secret and proves
 * nothing; a client that sends no cookie (a script) is limited by its IP, and every IP has a ceiling.
 */
export const CONTRIBUTOR_COOKIE = 'toile_contributor';
const CONTRIBUTOR_ID = /^[A-Za-z0-9_-]{22}$/;
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/** The browser's contributor id, when it sent a well-formed one. */
export function contributorId(request: FastifyRequest): string | undefined {
  const value = request.cookies[CONTRIBUTOR_COOKIE];
  return value !== undefined && CONTRIBUTOR_ID.test(value) ? value : undefined;
}

/** Gives the browser a contributor id unless it has one; returns the id it now has. */
export function ensureContributorId(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const existing = contributorId(request);
  if (existing !== undefined) return existing;
  const id = randomBytes(16).toString('base64url');
  reply.setCookie(CONTRIBUTOR_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: ONE_YEAR_SECONDS });
  return id;
}
