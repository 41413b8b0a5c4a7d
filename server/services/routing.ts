import type { Repositories } from '../db/repositories/index.js';
import { extractHashtags, hashtagKey } from '../domain/normalize.js';
import { startsWithKeyword } from '../domain/sms.js';
import type { Wall } from '../domain/wall.js';
import { AppError, notFound } from '../errors.js';

export interface RouteInput {
  /** A wall chosen by the caller (the API, the web form, a social source). */
  wallSlug?: string;
  /** The SMS number or email address the contributor wrote to. */
  to?: string;
  /** The normalized text. */
  text: string;
}

/**
 * Which wall a contribution goes to: the one named by the caller; else the wall that owns the number or
 * address it was sent to; else the wall whose hashtag the text names, or whose SMS keyword it starts
 * with; else the default wall. At each step a live wall wins over an archived one.
 */
export function routeToWall(repos: Repositories, input: RouteInput): Wall {
  if (input.wallSlug !== undefined) {
    const wall = repos.walls.bySlug(input.wallSlug);
    if (!wall) throw notFound(`Wall "${input.wallSlug}"`);
    return wall;
  }
  // Live walls are tried first at each step: a number or hashtag an archived wall still lists is often
  // reused by next year's wall, which must get the messages. Only what no live wall claims reaches an
  // archived one (where the ingest pipeline refuses it).
  const walls = liveFirst(repos.walls.routable());
  if (input.to !== undefined) {
    const byAddress = wallForAddress(walls, input.to);
    if (byAddress) return byAddress;
  }
  const tags = new Set(extractHashtags(input.text).map(hashtagKey));
  const byTag = tags.size === 0 ? undefined : walls.find((w) => w.settings.hashtags.some((h) => tags.has(hashtagKey(h))));
  if (byTag) return byTag;
  const byKeyword = walls.find((w) => w.settings.smsKeyword !== null && startsWithKeyword(input.text, w.settings.smsKeyword));
  if (byKeyword) return byKeyword;
  const fallback = walls.find((w) => w.isDefault) ?? walls[0];
  if (!fallback) throw new AppError(503, 'no_wall', 'No wall is configured to receive this contribution.');
  return fallback;
}

/** The walls, live ones first, each group in its own order (a stable sort). */
function liveFirst(walls: Wall[]): Wall[] {
  return walls.toSorted((a, b) => Number(a.archivedAt !== null) - Number(b.archivedAt !== null));
}

/**
 * The wall that owns an SMS number or an email address. Plus-addressing reaches a wall too: with
 * `mur@event.example` on a wall, `mur+atelier@event.example` goes to the wall whose slug or hashtag is
 * `atelier` (else to the wall that owns `mur@`), so that one mailbox serves every wall of an event.
 */
export function wallForAddress(walls: Wall[], address: string): Wall | undefined {
  const key = addressKey(address);
  const owner = (k: string) => walls.find((w) => [...w.settings.smsNumbers, ...w.settings.emailAddresses].some((a) => addressKey(a) === k));
  const exact = owner(key);
  if (exact) return exact;
  const plus = /^([^@+]+)\+([^@]+)(@.+)$/.exec(key);
  if (!plus) return undefined;
  const base = owner(plus[1]! + plus[3]!);
  if (!base) return undefined;
  const tag = plus[2]!;
  const tagKey = hashtagKey(tag);
  return walls.find((w) => w.slug === tag || (tagKey !== '' && w.settings.hashtags.some((h) => hashtagKey(h) === tagKey))) ?? base;
}

/** Compares SMS numbers by their digits and email addresses case-insensitively. */
export function addressKey(address: string): string {
  const trimmed = address.trim().toLowerCase();
  if (trimmed.includes('@')) return trimmed;
  return trimmed.replace(/[^\d]/g, '');
}
