/**
 * Who wrote a Bluesky post. A Jetstream frame names its author only by DID; the handle, display name and
 * avatar a wall shows come from an AppView's `app.bsky.actor.getProfiles`
 * (https://docs.bsky.app/docs/api/app-bsky-actor-get-profiles), which takes up to 25 actors per request
 * and needs no account. Profiles are cached per source, so that a busy hashtag costs one lookup per author
 * and hour rather than one per post, and a slow or failing AppView never holds posts back for long: the
 * post goes on with its DID as handle and the lookup is retried later.
 */
import { httpsUrl } from '../domain/urls.js';

/** An author as a wall shows them. */
export interface BlueskyProfile {
  /** `@alice.bsky.social`, or the DID itself when the handle is unknown or failed verification. */
  handle: string;
  /** The display name, or '' when the author set none (the wall then shows the handle). */
  name: string;
  /** The avatar's https URL, if any. */
  avatarUrl?: string;
}

export interface ProfileLookup {
  /** A profile for every DID asked, from the AppView or the cache, or the DID's fallback. */
  profiles: Map<string, BlueskyProfile>;
  /**
   * Why some DIDs got their fallback: the AppView was asked and failed. Not set for accounts it does not
   * know, nor while it is left alone after a failure (which was reported when it happened).
   */
  failure?: Error;
}

export interface ProfileResolverOptions {
  /** The AppView's base URL, without a trailing slash. */
  appviewUrl: string;
  /** A lookup that has not answered after this long is abandoned, and its posts go on with fallbacks. */
  timeoutMs: number;
  /** After a failed lookup the AppView is left alone this long, doubling on each further failure. */
  backoffMs: number;
  maxBackoffMs: number;
  /** The clock, in milliseconds. */
  now?: () => number;
  /** How many authors to remember; the least recently used are forgotten first. */
  maxEntries?: number;
  /** How long a profile is trusted before it is asked again (names and avatars change). */
  ttlMs?: number;
}

export interface ProfileResolver {
  /** Resolves these DIDs in as few requests as the AppView allows. Never rejects: failures give fallbacks. */
  resolve(dids: readonly string[], signal: AbortSignal): Promise<ProfileLookup>;
}

/** `app.bsky.actor.getProfiles` accepts at most this many actors per request (its lexicon's maxLength). */
export const PROFILES_PER_REQUEST = 25;
/**
 * Requests in flight at once when a replay brings many new authors together: enough to catch up quickly,
 * few enough to stay well inside the public AppView's rate limit.
 */
const PARALLEL_REQUESTS = 4;
const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_TTL_MS = 60 * 60_000;
/** A profiles answer for 25 actors is a few tens of kilobytes; anything far larger is not an AppView's answer. */
const MAX_ANSWER_BYTES = 1024 * 1024;
/** The lexicon caps a display name at 64 graphemes (640 bytes); a longer one is cut before the pipeline sees it. */
const MAX_NAME_UNITS = 640;
/** A handle is a domain name (https://atproto.com/specs/handle): at most 253 characters of this alphabet. */
const HANDLE = /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
/** The AppView's placeholder for an account whose handle no longer verifies. */
const INVALID_HANDLE = 'handle.invalid';

/** What a post shows when its author's profile could not be read: the DID, which always identifies them. */
export function fallbackProfile(did: string): BlueskyProfile {
  return { handle: did, name: '' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads one `app.bsky.actor.defs#profileViewDetailed` as the AppView sent it. Returns null when it is not a
 * profile of the DID it claims, so that a confused or hostile answer cannot lend one author another's name.
 */
export function profileFromView(view: unknown): { did: string; profile: BlueskyProfile } | null {
  if (!isRecord(view) || typeof view.did !== 'string') return null;
  const did = view.did;
  const handle = typeof view.handle === 'string' && view.handle.length <= 253 && HANDLE.test(view.handle) && view.handle !== INVALID_HANDLE ? `@${view.handle.toLowerCase()}` : did;
  const name = typeof view.displayName === 'string' ? view.displayName.slice(0, MAX_NAME_UNITS) : '';
  const avatarUrl = httpsUrl(view.avatar);
  return { did, profile: { handle, name, ...(avatarUrl === undefined ? {} : { avatarUrl }) } };
}

/** Reads a JSON body, refusing one larger than `limit` bytes before it is all in memory. */
async function readJson(response: Response, limit: number): Promise<unknown> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw new Error(`the AppView answered ${declared} bytes, more than ${limit}`);
  if (response.body === null) throw new Error('the AppView answered with an empty body');
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`the AppView answered more than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Keeps profiles for a while, forgetting the least recently used first; a Map iterates in insertion order. */
class ProfileCache {
  private readonly entries = new Map<string, { profile: BlueskyProfile; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get(did: string): BlueskyProfile | undefined {
    const entry = this.entries.get(did);
    if (entry === undefined) return undefined;
    this.entries.delete(did);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(did, entry);
    return entry.profile;
  }

  set(did: string, profile: BlueskyProfile): void {
    this.entries.delete(did);
    this.entries.set(did, { profile, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}

/** A resolver with its own cache: one per running source, dropped with it. */
export function createProfileResolver(options: ProfileResolverOptions): ProfileResolver {
  const now = options.now ?? Date.now;
  const cache = new ProfileCache(options.maxEntries ?? DEFAULT_MAX_ENTRIES, options.ttlMs ?? DEFAULT_TTL_MS, now);
  let holdOffUntil = 0;
  let holdOffMs = options.backoffMs;

  async function fetchChunk(dids: readonly string[], signal: AbortSignal): Promise<Map<string, BlueskyProfile>> {
    const url = new URL(`${options.appviewUrl}/xrpc/app.bsky.actor.getProfiles`);
    for (const did of dids) url.searchParams.append('actors', did);
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`the AppView answered getProfiles with HTTP ${response.status}`);
    }
    const answer = await readJson(response, MAX_ANSWER_BYTES);
    if (!isRecord(answer) || !Array.isArray(answer.profiles)) throw new Error('the AppView answered getProfiles without a profiles list');
    const asked = new Set(dids);
    const found = new Map<string, BlueskyProfile>();
    for (const view of answer.profiles) {
      const read = profileFromView(view);
      if (read !== null && asked.has(read.did)) found.set(read.did, read.profile);
    }
    return found;
  }

  return {
    async resolve(dids, signal) {
      const profiles = new Map<string, BlueskyProfile>();
      const missing: string[] = [];
      for (const did of new Set(dids)) {
        const cached = cache.get(did);
        if (cached === undefined) missing.push(did);
        else profiles.set(did, cached);
      }
      if (missing.length === 0) return { profiles };
      if (now() < holdOffUntil) {
        // The AppView failed a moment ago (and that was reported): posts go on at once rather than each
        // waiting for a timeout.
        for (const did of missing) profiles.set(did, fallbackProfile(did));
        return { profiles };
      }
      const chunks: string[][] = [];
      for (let start = 0; start < missing.length; start += PROFILES_PER_REQUEST) chunks.push(missing.slice(start, start + PROFILES_PER_REQUEST));
      const answers: PromiseSettledResult<Map<string, BlueskyProfile>>[] = [];
      for (let start = 0; start < chunks.length; start += PARALLEL_REQUESTS) {
        answers.push(...(await Promise.allSettled(chunks.slice(start, start + PARALLEL_REQUESTS).map((chunk) => fetchChunk(chunk, signal)))));
      }
      let failure: Error | undefined;
      answers.forEach((answer, index) => {
        for (const did of chunks[index] ?? []) {
          if (answer.status === 'fulfilled') {
            // An account the AppView does not know (deleted, taken down) keeps its DID; it is not asked again for a while.
            const profile = answer.value.get(did) ?? fallbackProfile(did);
            cache.set(did, profile);
            profiles.set(did, profile);
          } else {
            profiles.set(did, fallbackProfile(did));
          }
        }
        if (answer.status === 'rejected') {
          const reason: unknown = answer.reason;
          failure = new Error(`Bluesky profiles could not be read: ${reason instanceof Error ? reason.message : String(reason)}`);
        }
      });
      if (failure === undefined) {
        holdOffMs = options.backoffMs;
        return { profiles };
      }
      holdOffUntil = now() + holdOffMs;
      holdOffMs = Math.min(holdOffMs * 2, options.maxBackoffMs);
      return { profiles, failure };
    },
  };
}
