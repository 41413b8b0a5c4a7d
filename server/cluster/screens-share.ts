/**
 * The screens and viewers of every edge, for the primary's console: each edge keeps its screens' reports
 * and its viewers (they are its sockets) and copies them to Redis every few seconds, one hash field per
 * edge; the console's lists and stats add them to the primary's own. An edge that stops copying drops out
 * after `SCREENS_TTL_MS`.
 */
import type { Redis } from 'ioredis';
import type { ScreenInfo, ScreenRegistry } from '../realtime/screens.js';
import type { WallFeeds } from '../realtime/wall-feed.js';
import type { ClusterKeys } from './redis.js';

/** How often an edge copies its screens; a screen itself reports every 30 s. */
export const SHARE_MS = 5000;
/** An edge not heard from for this long is gone, and so are the screens it listed. */
export const SCREENS_TTL_MS = 20_000;

interface Shared {
  at: number;
  screens: ScreenInfo[];
  viewers: number;
}

/** Copies this edge's screens and viewer counts to Redis every `SHARE_MS` until stopped; a failed copy waits for the next. */
export function shareScreens(redis: Redis, keys: ClusterKeys, screens: ScreenRegistry, feeds: WallFeeds, edgeId: string, now: () => number = Date.now): () => void {
  let copying = false;
  const copy = async () => {
    if (copying || redis.status !== 'ready') return;
    copying = true;
    try {
      const pipeline = redis.pipeline();
      const slugs = new Set([...screens.slugs(), ...[...feeds.all()].map((feed) => feed.slug)]);
      for (const slug of slugs) {
        const shared: Shared = { at: now(), screens: screens.list(slug), viewers: feeds.peek(slug)?.viewerCount ?? 0 };
        pipeline.hset(keys.screens(slug), edgeId, JSON.stringify(shared));
        pipeline.pexpire(keys.screens(slug), SCREENS_TTL_MS);
      }
      await pipeline.exec();
    } catch {
      // Redis is away: the viewers are told by the mirror; the console's lists wait for the next copy.
    } finally {
      copying = false;
    }
  };
  const timer = setInterval(() => void copy(), SHARE_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** What the edges report of a wall: its screens and viewers, those of edges gone silent left out (and forgotten). */
export async function edgeShares(redis: Redis, keys: ClusterKeys, slug: string, now: () => number = Date.now): Promise<{ screens: ScreenInfo[]; viewers: number }> {
  const result = { screens: [] as ScreenInfo[], viewers: 0 };
  if (redis.status !== 'ready') return result;
  const fields = await redis.hgetall(keys.screens(slug)).catch(() => ({}) as Record<string, string>);
  const gone: string[] = [];
  for (const [edge, value] of Object.entries(fields)) {
    const shared = JSON.parse(value) as Shared;
    if (now() - shared.at > SCREENS_TTL_MS) {
      gone.push(edge);
      continue;
    }
    result.screens.push(...shared.screens);
    result.viewers += shared.viewers ?? 0;
  }
  if (gone.length > 0) await redis.hdel(keys.screens(slug), ...gone).catch(() => 0);
  return result;
}

/**
 * One list from several: a screen that moved (it reconnected to another edge) is listed once, as last
 * heard from; connected screens first, then the most recently seen, as each registry orders them.
 */
export function mergeScreens(lists: ScreenInfo[][]): ScreenInfo[] {
  const byScreen = new Map<string, ScreenInfo>();
  for (const screen of lists.flat()) {
    const known = byScreen.get(screen.screen);
    if (!known || rank(screen) > rank(known)) byScreen.set(screen.screen, screen);
  }
  return [...byScreen.values()].sort((a, b) => Number(b.connected) - Number(a.connected) || Date.parse(b.lastSeenAt) - Date.parse(a.lastSeenAt));
}

const rank = (screen: ScreenInfo) => Number(screen.connected) * 1e15 + Date.parse(screen.lastSeenAt);
