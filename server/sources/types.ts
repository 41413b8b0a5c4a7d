/**
 * The contract between a social source's adapter (Mastodon, Bluesky, X) and the source manager. An
 * adapter knows its network's API and nothing of storage: it reads posts, turns them into `SocialPost`s
 * and hands them to its `SourceContext`, which stores them with the cursor in one transaction, keeps
 * the source's state for the API, and stops it when the source is paused, deleted or the app closes.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { MediaItem } from '../domain/message.js';

export const SOURCE_KINDS = ['mastodon', 'bluesky', 'x'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface MastodonSettings {
  /** The instance's base URL, e.g. `https://mastodon.social` (https, or http for a local test server). */
  instance: string;
  /** The hashtag without "#", as the organiser wrote it. */
  hashtag: string;
  /** A user token: enables the streaming API (needed since Mastodon 4.2) and timelines that need login. */
  accessToken?: string;
}

export interface BlueskySettings {
  hashtag: string;
  /** Jetstream's base URL (`wss://…`); `/subscribe` is appended. */
  jetstreamUrl: string;
  /** The AppView that resolves DIDs to handles and names (`app.bsky.actor.getProfiles`). */
  appviewUrl: string;
  /** Where embedded images are served: `<cdnUrl>/img/feed_fullsize/plain/<did>/<cid>@jpeg`. */
  cdnUrl: string;
}

export interface XSettings {
  /** An X API v2 recent-search query, e.g. `#capcomnet -is:retweet`. */
  query: string;
  bearerToken: string;
  /** `https://api.x.com` unless pointed elsewhere. */
  apiBase: string;
}

/** One post as an adapter read it, already plain text: never HTML, never trusted. */
export interface SocialPost {
  /**
   * The post's identity across sources, so that one post seen through two sources (two Mastodon
   * instances federating the same hashtag) is stored once: Mastodon's status `uri`, Bluesky's `at://` URI,
   * X's tweet id.
   */
  id: string;
  /** The id this source's API uses for the post, when it differs from `id` (a Mastodon instance's local status id). */
  remoteId: string;
  author: {
    /** The display name; '' when the author set none (the handle is shown instead). */
    name: string;
    /** The public handle as its network writes it: `@claire@piaille.fr`, `@alice.bsky.social`, `@jack`. */
    handle: string;
    /** An https URL, or none. */
    avatarUrl?: string;
    /** A stable private id for the account (Mastodon account URI, Bluesky DID, X user id), for "forget me". */
    account: string;
  };
  /** The post's text as plain text: HTML converted, entities decoded, links as their text. */
  text: string;
  /** Images only, https URLs, with their alt text. */
  media: MediaItem[];
  /** A content warning (Mastodon's `spoiler_text`, a sensitive flag): the wall hides the post behind it. */
  contentWarning?: string;
  createdAt: Date;
  /** The provider's payload, kept private for audit and erased by retention. */
  raw: unknown;
}

/** How fast sources poll and retry; tests shrink these. */
export interface SourceTiming {
  /** The shortest interval between two polls of one source. */
  pollMs: number;
  /** The first wait after a failure; it doubles on each further failure, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** A request or connection that has not answered after this long counts as failed. */
  timeoutMs: number;
  /** How often a streaming source stores its cursor when no matching post arrives. */
  cursorFlushMs: number;
}

export const DEFAULT_SOURCE_TIMING: SourceTiming = {
  pollMs: 5000,
  backoffMs: 2000,
  maxBackoffMs: 5 * 60_000,
  timeoutMs: 20_000,
  cursorFlushMs: 5000,
};

/** What an adapter may do with its source. Every method is safe to call after the source was stopped (it does nothing). */
export interface SourceContext {
  /** Aborted when the source is paused, deleted or the app closes: stop at once, without reporting an error. */
  readonly signal: AbortSignal;
  readonly timing: SourceTiming;
  readonly log: FastifyBaseLogger;
  now(): Date;
  /** The cursor stored with the last posts, or null on the first run. */
  cursor(): string | null;
  /**
   * Stores these posts (oldest first) and the new cursor in one transaction, so that a restart resumes
   * after exactly what was stored. A post already stored is skipped. `posts` may be empty, to store the
   * cursor alone. Throws only when the database fails; the adapter should let that propagate.
   */
  ingest(posts: SocialPost[], cursor: string | null): void;
  /** The author edited a post: its text, media and warning are replaced, and it is moderated again. */
  update(post: SocialPost): void;
  /** The author deleted a post (by `remoteId`, or `id`): it leaves every wall and the moderation queue. */
  retract(remoteId: string): void;
  /** A poll answered, or a stream connected: the source is healthy (clears the last error). */
  polled(): void;
  /**
   * A failure the adapter recovers from itself (a 429 it waits out, a dropped stream it reconnects):
   * recorded as the source's last error, shown in the API, logged without secrets.
   */
  error(error: unknown): void;
  /** Waits `ms`, or less if the source is stopped meanwhile (it then resolves, never rejects). */
  sleep(ms: number): Promise<void>;
}

/**
 * Runs a source until `ctx.signal` is aborted. It should recover from the remote side's failures itself
 * (with `ctx.error` and a backoff); if it throws or returns early anyway, the manager records the error
 * and restarts it after a backoff.
 */
export type SourceRunner = (ctx: SourceContext) => Promise<void>;
