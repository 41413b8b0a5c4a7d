/**
 * The X (Twitter) source: polls X API v2 recent search for the wall's query with an app-only bearer token.
 * It is optional and paid (X sells read access only), so it is written to spend as little as it can: one
 * request per poll while nothing happens, pages followed only to catch up, and a poll interval that
 * spreads the rate-limit budget X announces in its headers over the window that remains.
 *
 * X's documentation followed here (docs.x.com): the recent search reference and its pagination guide
 * ("Polling and listening use cases": `since_id` set to the first page's `newest_id`), the data
 * dictionary (Post, User and Media objects, `note_tweet` for long posts, `edit_history_tweet_ids`),
 * "Response codes and errors" (partial errors beside `data`), and "Rate limits" (`x-rate-limit-*`).
 */
import type { MediaItem } from '../domain/message.js';
import type { SocialPost, SourceContext, SourceRunner, SourceTiming, XSettings } from './types.js';
import { httpsUrl } from '../domain/urls.js';

/** The most posts recent search returns per page. */
export const MAX_RESULTS = 100;

/**
 * A catch-up after a long pause can span many pages, and each post read is billed. A round stops after
 * this many pages (2,000 posts, more than a busy event hashtag gets in hours) and keeps the newest, with a
 * warning in the log, rather than run up a bill, flood the moderators with a night of posts, or follow a
 * server that never stops handing out `next_token`s.
 */
export const MAX_PAGES_PER_ROUND = 20;

/**
 * X's windows last 15 minutes; a reset announced further away than this is not believed, so that one
 * wrong header cannot silence the source for days.
 */
export const MAX_RATE_LIMIT_WAIT_MS = 16 * 60_000;

/** The reset header counts whole seconds and clocks drift: requests wait this much past it. */
const RESET_MARGIN_MS = 250;

/** A page of 100 long posts with their users and media is a few hundred kilobytes; anything far larger is not X. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** How many links of one post are turned into their display text; a real post has a handful at most. */
const MAX_LINKS_PER_POST = 50;
const MAX_MEDIA_PER_POST = 10;
const MAX_DETAIL_LENGTH = 300;

/** X's snowflake ids count milliseconds from this instant (Twitter's epoch) in their upper bits. */
const SNOWFLAKE_EPOCH_MS = 1288834974657n;

/** One page of recent search as the source reads it. */
export interface SearchPage {
  /** Posts to store, in the page's order (newest first); retweets and unusable entries left out. */
  posts: SocialPost[];
  /** Posts whose `edit_history_tweet_ids` shows an earlier version: their stored message is revised. */
  edits: SocialPost[];
  /** Every well-formed id on the page, retweets included, so that the cursor moves past them too. */
  seenIds: string[];
  newestId: string | null;
  nextToken: string | null;
}

export interface RateLimit {
  /** Requests left in the current window. */
  remaining: number;
  /** When the window resets, in epoch milliseconds. */
  resetAt: number;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** X ids are 64-bit integers written in decimal; beyond 2^53 a JavaScript number would round them. */
export function isXId(value: unknown): value is string {
  return typeof value === 'string' && /^[1-9]\d{0,19}$/.test(value);
}

/** Orders two X ids as the integers they are, without turning them into (rounding) numbers. */
export function compareXIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function newestOf(ids: Iterable<string | null>): string | null {
  let newest: string | null = null;
  for (const id of ids) if (id !== null && (newest === null || compareXIds(id, newest) > 0)) newest = id;
  return newest;
}

/**
 * X encodes exactly three characters of a post's text as HTML entities: `&`, `<` and `>`. They are decoded
 * in one pass, so that an author who typed `&lt;` (sent as `&amp;lt;`) reads `&lt;` on the wall, never `<`.
 * Nothing else is decoded: the text is plain text from here on and is never parsed as HTML.
 */
export function decodeXEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_entity, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}

/** When a post was written, from its id when `created_at` is missing or unreadable (ids embed a timestamp). */
function createdAt(tweet: Json, id: string, receivedAt: Date): Date {
  const stated = typeof tweet.created_at === 'string' ? new Date(tweet.created_at) : null;
  if (stated !== null && !Number.isNaN(stated.getTime())) return stated;
  const fromId = new Date(Number((BigInt(id) >> 22n) + SNOWFLAKE_EPOCH_MS));
  return fromId.getTime() > 0 && fromId.getTime() <= receivedAt.getTime() ? fromId : receivedAt;
}

/**
 * A post's text as a reader sees it on X: the full text of a long post (`note_tweet`, whose `text` is cut
 * at 280 characters), entities decoded, each t.co link replaced by the short form X displays for it, and
 * the link that only points at the post's own pictures dropped when those pictures are shown.
 */
export function tweetText(tweet: Json, showsMedia: boolean): string {
  const note = isObject(tweet.note_tweet) ? tweet.note_tweet : undefined;
  const noteText = nonEmptyString(note?.text);
  const source = noteText ?? (typeof tweet.text === 'string' ? tweet.text : '');
  const entities = noteText !== undefined ? note?.entities : tweet.entities;
  let text = decodeXEntities(source);
  const links = asArray(isObject(entities) ? entities.urls : undefined).slice(0, MAX_LINKS_PER_POST);
  for (const link of links) {
    if (!isObject(link) || typeof link.url !== 'string' || !/^https:\/\/t\.co\/\w{1,40}$/.test(link.url)) continue;
    const replacement = showsMedia && link.media_key !== undefined ? '' : (nonEmptyString(link.display_url) ?? link.url);
    text = text.split(link.url).join(replacement);
  }
  return text.trim();
}

/**
 * The pictures of a post: a photo's own URL, and for a video or an animated GIF its still preview (a wall
 * shows images only). Alt text comes with each.
 */
export function tweetMedia(tweet: Json, mediaByKey: ReadonlyMap<string, Json>): { items: MediaItem[]; used: Json[] } {
  const items: MediaItem[] = [];
  const used: Json[] = [];
  const keys = asArray(isObject(tweet.attachments) ? tweet.attachments.media_keys : undefined).slice(0, MAX_MEDIA_PER_POST);
  for (const key of keys) {
    const media = typeof key === 'string' ? mediaByKey.get(key) : undefined;
    if (media === undefined) continue;
    const source = media.type === 'photo' ? media.url : media.type === 'video' || media.type === 'animated_gif' ? media.preview_image_url : undefined;
    const url = httpsUrl(source);
    if (url === undefined) continue;
    const alt = typeof media.alt_text === 'string' && media.alt_text.trim() !== '' ? media.alt_text : undefined;
    items.push(alt === undefined ? { kind: 'image', url } : { kind: 'image', url, alt });
    used.push(media);
  }
  return { items, used };
}

/** A retweet repeats someone else's post: the original is shown if it matched, never its copies. */
export function isRetweet(tweet: Json): boolean {
  return asArray(tweet.referenced_tweets).some((reference) => isObject(reference) && reference.type === 'retweeted');
}

/**
 * The first version of a post, when X says this one is an edit (`edit_history_tweet_ids`, oldest first).
 * An edit is a new post id on X; keying the message on the first version keeps one message per post.
 */
function originalId(tweet: Json, id: string): string {
  const history = asArray(tweet.edit_history_tweet_ids);
  const first = history[0];
  return isXId(first) && compareXIds(first, id) < 0 ? first : id;
}

/**
 * One post of a search page as a `SocialPost`, or null for a retweet or an entry without a usable id.
 * `users` and `media` are the page's `includes`, indexed by id and media key.
 */
export function mapTweet(tweet: unknown, users: ReadonlyMap<string, Json>, mediaByKey: ReadonlyMap<string, Json>, receivedAt: Date): SocialPost | null {
  if (!isObject(tweet) || !isXId(tweet.id) || isRetweet(tweet)) return null;
  const id = tweet.id;
  const authorId = typeof tweet.author_id === 'string' ? tweet.author_id : '';
  const user = users.get(authorId);
  const username = nonEmptyString(user?.username);
  const avatarUrl = httpsUrl(user?.profile_image_url);
  const media = tweetMedia(tweet, mediaByKey);
  return {
    id: originalId(tweet, id),
    remoteId: id,
    author: {
      name: typeof user?.name === 'string' ? user.name : '',
      handle: username === undefined ? '' : `@${username}`,
      ...(avatarUrl === undefined ? {} : { avatarUrl }),
      account: authorId,
    },
    text: tweetText(tweet, media.items.length > 0),
    media: media.items,
    ...(tweet.possibly_sensitive === true ? { contentWarning: 'Sensitive content' } : {}),
    createdAt: createdAt(tweet, id, receivedAt),
    raw: { tweet, user: user ?? null, media: media.used },
  };
}

function indexBy(list: unknown, key: 'id' | 'media_key'): Map<string, Json> {
  const index = new Map<string, Json>();
  for (const item of asArray(list)) if (isObject(item) && typeof item[key] === 'string') index.set(item[key], item);
  return index;
}

/**
 * Reads one page of `GET /2/tweets/search/recent`. Partial errors (an `errors` array beside `data`) are
 * about other resources and never cost the posts that did arrive; malformed entries are skipped one by one.
 */
export function readSearchPage(body: unknown, receivedAt: Date): SearchPage {
  if (!isObject(body)) throw new XApiError('X answered with something other than a search page', { kind: 'backoff' });
  const includes = isObject(body.includes) ? body.includes : {};
  const users = indexBy(includes.users, 'id');
  const mediaByKey = indexBy(includes.media, 'media_key');
  const meta = isObject(body.meta) ? body.meta : {};
  const page: SearchPage = {
    posts: [],
    edits: [],
    seenIds: [],
    newestId: isXId(meta.newest_id) ? meta.newest_id : null,
    nextToken: typeof meta.next_token === 'string' && meta.next_token !== '' && meta.next_token.length <= 512 ? meta.next_token : null,
  };
  for (const tweet of asArray(body.data)) {
    if (isObject(tweet) && isXId(tweet.id)) page.seenIds.push(tweet.id);
    const post = mapTweet(tweet, users, mediaByKey, receivedAt);
    if (post === null) continue;
    (post.id === post.remoteId ? page.posts : page.edits).push(post);
  }
  return page;
}

/** The rate-limit state X sends with every answer, or null when the headers are missing or unreadable. */
export function readRateLimit(headers: Headers): RateLimit | null {
  const remaining = headers.get('x-rate-limit-remaining');
  const reset = headers.get('x-rate-limit-reset');
  if (remaining === null || reset === null || !/^\d{1,9}$/.test(remaining.trim()) || !/^\d{1,12}$/.test(reset.trim())) return null;
  return { remaining: Number(remaining), resetAt: Number(reset) * 1000 };
}

/**
 * How long to wait before the next poll: at least `pollMs`, and long enough that the requests left in the
 * window last until it resets (none left: wait for the reset itself). With X's 450 requests per 15 minutes
 * this is 2 s and `pollMs` decides; on a plan with few requests it spreads them evenly instead of spending
 * them in the first minutes and then waiting out the window with a stale wall.
 */
export function pollDelay(timing: Pick<SourceTiming, 'pollMs'>, limit: RateLimit | null, now: number): number {
  if (limit === null) return timing.pollMs;
  const untilReset = Math.min(limit.resetAt - now + RESET_MARGIN_MS, MAX_RATE_LIMIT_WAIT_MS);
  if (untilReset <= 0) return timing.pollMs;
  const spread = limit.remaining <= 0 ? untilReset : untilReset / limit.remaining;
  return Math.max(timing.pollMs, Math.ceil(spread));
}

/** What to do after a failed request. */
type Retry =
  /** A fault that may pass (5xx, network, timeout, invalid answer): the doubling backoff. */
  | { kind: 'backoff' }
  /** A refusal a person has to fix (token, plan, query): retry rarely, at the longest backoff. */
  | { kind: 'slow' }
  /** The rate limit is spent: retry when it resets (epoch ms), or back off when X did not say when. */
  | { kind: 'reset'; at: number | null };

/** A failed request to X, with a message meant for the organiser (it never holds the token). */
export class XApiError extends Error {
  constructor(
    message: string,
    readonly retry: Retry,
  ) {
    super(message);
    this.name = 'XApiError';
  }
}

/** X refused `since_id` because it is older than recent search's seven days. */
class SinceIdExpired extends Error {}

/** X's own words about a refusal (`detail`, `title` or the first error's `message`), one bounded line. */
function problemDetail(body: unknown): string {
  if (!isObject(body)) return '';
  const first = asArray(body.errors)[0];
  const detail = nonEmptyString(body.detail) ?? nonEmptyString(body.title) ?? (isObject(first) ? nonEmptyString(first.message) : undefined) ?? '';
  const line = detail.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return line.length > MAX_DETAIL_LENGTH ? `${line.slice(0, MAX_DETAIL_LENGTH - 1)}…` : line;
}

function mentionsSinceId(body: unknown): boolean {
  return isObject(body) && asArray(body.errors).some((error) => isObject(error) && isObject(error.parameters) && 'since_id' in error.parameters);
}

async function readBody(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel();
    throw new XApiError('X sent an answer too large to be a search page', { kind: 'backoff' });
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new XApiError('X sent an answer too large to be a search page', { kind: 'backoff' });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `X did not answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return `X could not be reached${code}`;
}

/** The search URL for one page; `apiBase` may carry a path (a proxy), so it is joined rather than resolved. */
export function searchUrl(settings: Pick<XSettings, 'apiBase' | 'query'>, sinceId: string | null, nextToken: string | null): URL {
  const url = new URL(`${settings.apiBase.replace(/\/+$/, '')}/2/tweets/search/recent`);
  const params = url.searchParams;
  params.set('query', settings.query);
  if (sinceId !== null) params.set('since_id', sinceId);
  if (nextToken !== null) params.set('next_token', nextToken);
  params.set('max_results', String(MAX_RESULTS));
  params.set('expansions', 'author_id,attachments.media_keys');
  params.set('tweet.fields', 'created_at,author_id,attachments,possibly_sensitive,referenced_tweets,note_tweet,entities');
  params.set('user.fields', 'name,username,profile_image_url');
  params.set('media.fields', 'url,alt_text,type,preview_image_url');
  return url;
}

/** One request to recent search, turned into a page or an `XApiError` that says what to do next. */
async function requestPage(
  settings: XSettings,
  ctx: SourceContext,
  sinceId: string | null,
  nextToken: string | null,
  onLimit: (limit: RateLimit | null) => void,
): Promise<SearchPage> {
  const { timeoutMs } = ctx.timing;
  let response: Response;
  let limit: RateLimit | null;
  let text: string;
  try {
    response = await fetch(searchUrl(settings, sinceId, nextToken), {
      headers: { authorization: `Bearer ${settings.bearerToken}`, accept: 'application/json', 'user-agent': 'Toile' },
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
      redirect: 'error',
    });
    limit = readRateLimit(response.headers);
    onLimit(limit);
    text = await readBody(response);
  } catch (error) {
    if (error instanceof XApiError || ctx.signal.aborted) throw error;
    throw new XApiError(describeNetworkError(error, timeoutMs), { kind: 'backoff' });
  }
  const { status } = response;
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    if (response.ok) throw new XApiError(`X answered ${status} with invalid JSON`, { kind: 'backoff' });
  }
  if (response.ok) return readSearchPage(body, ctx.now());
  const detail = problemDetail(body);
  const said = detail === '' ? '' : `: ${detail}`;
  if (status === 400 && sinceId !== null && mentionsSinceId(body)) throw new SinceIdExpired();
  if (status === 400) throw new XApiError(`X rejected the search query (400)${said}`, { kind: 'slow' });
  if (status === 401) {
    throw new XApiError('X refused the bearer token (401 Unauthorized): generate a new one in the X developer console and recreate the source', { kind: 'slow' });
  }
  if (status === 402) {
    throw new XApiError('X refused the request (402 Payment Required): the X developer account has no credits left or reached its spending limit', { kind: 'slow' });
  }
  if (status === 403) {
    throw new XApiError(`X refused access to recent search (403 Forbidden): your X plan does not include recent search, or the app is not attached to a project${said}`, { kind: 'slow' });
  }
  if (status === 429) {
    const wait = limit === null ? 'backing off' : 'waiting until the window resets';
    throw new XApiError(`X’s rate limit is spent (429 Too Many Requests): ${wait}`, { kind: 'reset', at: limit?.resetAt ?? null });
  }
  if (status >= 500) throw new XApiError(`X is unavailable (${status})`, { kind: 'backoff' });
  throw new XApiError(`X answered ${status}${said}`, { kind: 'slow' });
}

/** Removes the token from a message, in case a server echoed it back (an error body, a proxy's page). */
function redact(message: string, token: string): string {
  return token.length >= 4 ? message.split(token).join('[redacted]') : message;
}

/** What one round of polling brought: everything since the cursor, oldest first, and the cursor after it. */
interface Round {
  posts: SocialPost[];
  edits: SocialPost[];
  cursor: string | null;
  truncated: boolean;
}

/**
 * Polls X API v2 recent search. A round asks for everything since the stored cursor (`since_id`), follows
 * `next_token` until the last page, and only then stores the posts, oldest first, with the first page's
 * `newest_id` as the new cursor: a round cut short stores nothing and is fetched again, never skipped.
 * Without a cursor (a new source) only the first page is read, the most recent posts, rather than a whole
 * week of history at the organiser's expense.
 */
export function createXRunner(settings: XSettings): SourceRunner {
  return async (ctx) => {
    let limit: RateLimit | null = null;
    let failures = 0;
    /** A cursor X called too old: it is ignored until a newer one is stored. */
    let expiredCursor: string | null = null;
    const now = () => ctx.now().getTime();
    const report = (message: string) => ctx.error(new Error(redact(message, settings.bearerToken)));

    /** Waits for the window to reset when it has no request left, so that the next one is not a 429. */
    const waitForBudget = async () => {
      if (limit !== null && limit.remaining <= 0 && limit.resetAt > now()) {
        await ctx.sleep(Math.min(limit.resetAt - now() + RESET_MARGIN_MS, MAX_RATE_LIMIT_WAIT_MS));
      }
    };

    const fetchRound = async (cursor: string | null): Promise<Round> => {
      const posts: SocialPost[] = [];
      const edits: SocialPost[] = [];
      const seen: string[] = [];
      const tokens = new Set<string>();
      let newest: string | null = null;
      let nextToken: string | null = null;
      let truncated = false;
      for (let pages = 0; ; pages += 1) {
        await waitForBudget();
        if (ctx.signal.aborted) break;
        const page = await requestPage(settings, ctx, cursor, nextToken, (next) => {
          limit = next;
        });
        if (pages === 0) newest = page.newestId;
        posts.push(...page.posts);
        edits.push(...page.edits);
        seen.push(...page.seenIds);
        nextToken = page.nextToken;
        if (cursor === null || nextToken === null || tokens.has(nextToken)) break;
        if (pages + 1 >= MAX_PAGES_PER_ROUND) {
          truncated = true;
          break;
        }
        tokens.add(nextToken);
      }
      const isNew = (post: SocialPost) => cursor === null || compareXIds(post.remoteId, cursor) > 0;
      const oldestFirst = (a: SocialPost, b: SocialPost) => compareXIds(a.remoteId, b.remoteId);
      const unique = (list: SocialPost[]) => [...new Map(list.filter(isNew).map((post) => [post.remoteId, post])).values()].sort(oldestFirst);
      return { posts: unique(posts), edits: unique(edits), cursor: newestOf([cursor, newest, ...seen]), truncated };
    };

    const waitAfter = (error: XApiError): number => {
      const { backoffMs, maxBackoffMs } = ctx.timing;
      const backoff = Math.min(backoffMs * 2 ** Math.min(failures - 1, 30), maxBackoffMs);
      if (error.retry.kind === 'slow') return maxBackoffMs;
      if (error.retry.kind === 'reset' && error.retry.at !== null && error.retry.at > now()) {
        return Math.min(error.retry.at - now() + RESET_MARGIN_MS, MAX_RATE_LIMIT_WAIT_MS);
      }
      return backoff;
    };

    while (!ctx.signal.aborted) {
      const stored = ctx.cursor();
      const cursor: string | null = isXId(stored) && stored !== expiredCursor ? stored : null;
      let round: Round;
      try {
        round = await fetchRound(cursor);
      } catch (error) {
        if (ctx.signal.aborted) return;
        if (error instanceof SinceIdExpired) {
          ctx.log.warn({ cursor }, 'X refused a since_id older than recent search’s seven days; starting again from the most recent posts');
          expiredCursor = cursor;
          continue;
        }
        failures += 1;
        const failure = error instanceof XApiError ? error : new XApiError(`polling X failed: ${error instanceof Error ? error.message : String(error)}`, { kind: 'backoff' });
        report(failure.message);
        await ctx.sleep(waitAfter(failure));
        continue;
      }
      if (ctx.signal.aborted) return;
      // Edits first: a round interrupted after them is fetched again, one interrupted after the cursor is not.
      for (const edit of round.edits) ctx.update(edit);
      if (round.posts.length > 0 || round.cursor !== stored) ctx.ingest(round.posts, round.cursor);
      if (round.truncated) {
        ctx.log.warn({ pages: MAX_PAGES_PER_ROUND }, 'more posts matched since the last poll than one round reads; the oldest of them were skipped');
      }
      failures = 0;
      ctx.polled();
      await ctx.sleep(pollDelay(ctx.timing, limit, now()));
    }
  };
}
