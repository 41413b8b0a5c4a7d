/**
 * The Mastodon source: the statuses of one instance's hashtag timeline, read by polling the REST API and,
 * when the organiser gave a user token, live from the streaming API.
 *
 * - Polling: `GET /api/v1/timelines/tag/:hashtag?limit=40&min_id=<cursor>`, page after page until caught up
 *   (https://docs.joinmastodon.org/methods/timelines/#tag), at an interval that respects the rate-limit
 *   headers (https://docs.joinmastodon.org/api/rate-limits/) and backs off on failures.
 * - Streaming: a WebSocket to `/api/v1/streaming?stream=hashtag&tag=…` (https://docs.joinmastodon.org/methods/streaming/#websocket).
 *   The streaming API has no catch-up, so before streaming, and after every reconnection, the gap is filled
 *   from the REST timeline with `min_id`; when the stream cannot be opened or drops, the source polls until
 *   it can stream again.
 *
 * The cursor is the newest status id stored. Mastodon's ids are numbers written as strings, possibly larger
 * than a JavaScript number holds exactly; they are compared as strings (longer is newer, then lexically), as
 * https://docs.joinmastodon.org/api/guidelines/#id says.
 *
 * The access token goes only in `Authorization` headers: never in a URL, a log line or an error.
 */
import WebSocket from 'ws';
import type { MediaItem } from '../domain/message.js';
import { MAX_STATUS_HTML_CHARS, statusHtmlToText } from './status-html.js';
import type { MastodonSettings, SocialPost, SourceContext, SourceRunner, SourceTiming } from './types.js';
import { httpsUrl } from '../domain/urls.js';

/** The largest page Mastodon serves for a timeline. */
export const PAGE_LIMIT = 40;

/** The warning shown for a status marked sensitive without a content warning of its own. */
export const SENSITIVE_WARNING = 'Sensitive content';

/**
 * A status id as Mastodon writes it: digits. Letters are accepted too, for servers that speak Mastodon's
 * API with sortable ids of a fixed length (GoToSocial's ULIDs, Pleroma's flake ids), which compare the same way.
 */
const STATUS_ID = /^[0-9A-Za-z]{1,64}$/;

/** The bounds put on what a remote server sends, so that a hostile status costs little and stores little. */
const MAX_URL_CHARS = 2048;
const MAX_NAME_CHARS = 500;
const MAX_ACCT_CHARS = 320;
const MAX_WARNING_CHARS = 1000;
/** Mastodon's own limit for an image description. */
const MAX_ALT_CHARS = 1500;
/** Mastodon lets a post carry four attachments; a few more are kept for servers that allow more. */
const MAX_MEDIA = 8;
/** A status larger than this, once serialized, is kept in `raw` only in summary. */
const MAX_RAW_CHARS = 128 * 1024;
/** A timeline page larger than this is refused (then asked for again with fewer statuses per page). */
const MAX_PAGE_BYTES = 16 * 1024 * 1024;
/** A streaming frame larger than this closes the stream; the gap is then filled from the timeline. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** The instance description is small; anything bigger is not one. */
const MAX_INSTANCE_BYTES = 1024 * 1024;
/** How long after the announced reset a source with no request left waits, for clocks that disagree a little. */
const RESET_MARGIN_MS = 100;
/** How many pages one poll follows at most before the next poll continues. */
const MAX_PAGES_PER_POLL = 25;
/**
 * A stream that delivers nothing, not even a ping or a pong, for this many request timeouts is taken for
 * dead. Mastodon's streaming server pings every 30 seconds, and the source pings it every timeout.
 */
const SILENT_STREAM_TIMEOUTS = 3;

// ---------------------------------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------------------------------

export function isStatusId(value: unknown): value is string {
  return typeof value === 'string' && STATUS_ID.test(value);
}

/** Orders two status ids: negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareStatusIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The newer of two cursors; null only when both are. */
export function newerStatusId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareStatusIds(a, b) >= 0 ? a : b;
}

// ---------------------------------------------------------------------------------------------------
// Mapping a Status to a SocialPost
// ---------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(object: Json, key: string, maxChars: number): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value.slice(0, maxChars) : undefined;
}

/**
 * Mastodon's placeholder for an account without an avatar. It is left out, so that the wall shows its own
 * placeholder rather than a stranger's grey silhouette.
 */
const MISSING_AVATAR = /\/avatars\/original\/missing\.png$/;

/** Where this instance is: the domain that local accounts' `acct` leaves out. */
export interface MappingContext {
  /** The instance's domain (`mastodon.social`), used to qualify local accounts' handles. */
  localDomain: string;
  /** When the status is received, used when its own date is unusable. */
  now: Date;
}

/**
 * Statuses that may appear on a wall: public and unlisted ones. Both are on the hashtag timeline's public
 * side; private and direct statuses never are, and are refused if a server sends them anyway.
 */
const SHOWN_VISIBILITIES = new Set(['public', 'unlisted']);

/**
 * The images of a status, with their descriptions as alt text. An animated GIF is stored by Mastodon as a
 * `gifv` (a silent MP4); its `preview_url` still is kept, because people post GIFs to event hashtags and a
 * wall only shows images. Videos and audio are left out: their preview would misrepresent them.
 */
function mapMedia(value: unknown): MediaItem[] {
  if (!Array.isArray(value)) return [];
  const media: MediaItem[] = [];
  for (const attachment of value.slice(0, MAX_MEDIA * 2)) {
    if (media.length >= MAX_MEDIA || !isObject(attachment)) continue;
    const type = attachment.type;
    const url =
      type === 'image'
        ? (httpsUrl(attachment.url) ?? httpsUrl(attachment.remote_url))
        : type === 'gifv'
          ? httpsUrl(attachment.preview_url)
          : undefined;
    if (url === undefined) continue;
    const alt = stringField(attachment, 'description', MAX_ALT_CHARS)?.trim();
    media.push(alt ? { kind: 'image', url, alt } : { kind: 'image', url });
  }
  return media;
}

/** The handle as the federation writes it: `@acct`, with the instance's domain added to local accounts. */
function handleOf(acct: string, localDomain: string): string | undefined {
  if (!/^[^\s@]+(?:@[^\s@]+)?$/.test(acct)) return undefined;
  return acct.includes('@') ? `@${acct}` : `@${acct}@${localDomain}`;
}

/** The status as stored for audit: itself, or, when it is huge, the fields that identify it. */
function rawOf(status: Json, content: string): unknown {
  let size: number;
  try {
    size = JSON.stringify(status).length;
  } catch {
    size = Infinity;
  }
  if (size <= MAX_RAW_CHARS) return status;
  const account = isObject(status.account) ? status.account : {};
  return {
    truncated: true,
    id: status.id,
    uri: status.uri,
    url: status.url,
    created_at: status.created_at,
    visibility: status.visibility,
    account: { id: account.id, acct: account.acct, url: account.url, uri: account.uri },
    content: content.slice(0, MAX_STATUS_HTML_CHARS),
  };
}

/**
 * Maps a Status entity (https://docs.joinmastodon.org/entities/Status/) to a post for the wall, or null
 * when it is not one to show: a boost (the original status is on the timeline itself when it has the tag),
 * a status that is not public or unlisted, or one without the fields that identify it and its author. It
 * never throws, whatever the input, and bounds every field it keeps.
 */
export function mapStatus(status: unknown, context: MappingContext): SocialPost | null {
  if (!isObject(status)) return null;
  if (status.reblog !== null && status.reblog !== undefined) return null;
  if (typeof status.visibility !== 'string' || !SHOWN_VISIBILITIES.has(status.visibility)) return null;
  const remoteId = status.id;
  if (!isStatusId(remoteId)) return null;
  // The status's URI is the same whichever instance it is read from, so one post followed on two instances
  // is stored once. Its web page is the fallback for servers that leave the URI out.
  const id = httpUrl(status.uri) ?? httpUrl(status.url);
  if (id === undefined) return null;

  const account = status.account;
  if (!isObject(account)) return null;
  const acct = stringField(account, 'acct', MAX_ACCT_CHARS + 1);
  if (acct === undefined || acct.length > MAX_ACCT_CHARS) return null;
  const handle = handleOf(acct, context.localDomain);
  if (handle === undefined) return null;
  const avatarUrl = httpsUrl(account.avatar_static) ?? httpsUrl(account.avatar);
  const accountId = httpUrl(account.uri) ?? httpUrl(account.url) ?? handle;

  const content = typeof status.content === 'string' ? status.content : '';
  const spoiler = stringField(status, 'spoiler_text', MAX_WARNING_CHARS)?.trim() ?? '';
  const contentWarning = spoiler !== '' ? spoiler : status.sensitive === true ? SENSITIVE_WARNING : undefined;
  const created = typeof status.created_at === 'string' ? new Date(status.created_at) : new Date(Number.NaN);

  return {
    id,
    remoteId,
    author: {
      name: stringField(account, 'display_name', MAX_NAME_CHARS)?.trim() ?? '',
      handle,
      ...(avatarUrl !== undefined && !MISSING_AVATAR.test(avatarUrl) ? { avatarUrl } : {}),
      account: accountId,
    },
    text: statusHtmlToText(content),
    media: mapMedia(status.media_attachments),
    ...(contentWarning !== undefined ? { contentWarning } : {}),
    createdAt: Number.isNaN(created.getTime()) ? context.now : created,
    raw: rawOf(status, content),
  };
}

/** An http(s) URL used as an identifier (a status or account URI), never fetched. */
function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_URL_CHARS) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** A status from a timeline page or a frame, mapped without ever throwing out of the source. */
function safeMap(status: unknown, context: MappingContext, ctx: SourceContext): SocialPost | null {
  try {
    return mapStatus(status, context);
  } catch (error) {
    ctx.log.debug({ err: error }, 'a Mastodon status could not be read; it was skipped');
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------
// Frames of the streaming API
// ---------------------------------------------------------------------------------------------------

export type StreamEvent =
  | { event: 'update'; status: unknown }
  | { event: 'status.update'; status: unknown }
  | { event: 'delete'; id: string }
  | { event: 'error'; message: string }
  | { event: 'other' };

/**
 * Reads one frame of the streaming API: `{stream, event, payload}`, where `payload` is the status as a JSON
 * string inside the JSON frame for `update` and `status.update` (it is "string-encoded and escaped", says
 * https://docs.joinmastodon.org/methods/streaming/#websocket), and the bare status id for `delete`. The
 * streaming server reports a failed subscription as `{error, status}`. Returns null for a frame that is not
 * JSON or not one of these.
 */
export function parseStreamFrame(frame: string): StreamEvent | null {
  let message: unknown;
  try {
    message = JSON.parse(frame);
  } catch {
    return null;
  }
  if (!isObject(message)) return null;
  if (typeof message.error === 'string') {
    const status = typeof message.status === 'number' ? ` (${message.status})` : '';
    return { event: 'error', message: `${message.error.slice(0, 200)}${status}` };
  }
  const { event, payload } = message;
  if (event === 'update' || event === 'status.update') {
    let status: unknown = payload;
    if (typeof payload === 'string') {
      try {
        status = JSON.parse(payload);
      } catch {
        return null;
      }
    }
    return isObject(status) ? { event, status } : null;
  }
  if (event === 'delete') return isStatusId(payload) ? { event, id: payload } : null;
  return typeof event === 'string' ? { event: 'other' } : null;
}

// ---------------------------------------------------------------------------------------------------
// Rate limits
// ---------------------------------------------------------------------------------------------------

/** A date from `X-RateLimit-Reset` (ISO 8601, as Mastodon writes it) or a Unix time in seconds. */
function parseResetHeader(value: string | null): number | undefined {
  if (value === null || value.length > 64) return undefined;
  if (/^\d{1,12}(?:\.\d+)?$/.test(value)) return Number(value) * 1000;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/** `Retry-After` in seconds or as an HTTP date, as a time. */
function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.length > 64) return undefined;
  if (/^\d{1,9}$/.test(value)) return now + Number(value) * 1000;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/**
 * What the instance said about the requests left in its rate-limit window (300 per 5 minutes by default,
 * per account or per IP). While plenty remain, requests go at the poll interval; when few remain, the
 * remaining ones are spread evenly until the window resets, so that the source never runs into a 429.
 */
class RateBudget {
  private limit: number | undefined;
  private remaining: number | undefined;
  private resetAt: number | undefined;

  update(headers: Headers): void {
    const limit = Number(headers.get('x-ratelimit-limit') ?? Number.NaN);
    const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
    const resetAt = parseResetHeader(headers.get('x-ratelimit-reset'));
    this.limit = Number.isFinite(limit) && limit > 0 ? limit : undefined;
    this.remaining = Number.isFinite(remaining) && remaining >= 0 ? remaining : undefined;
    this.resetAt = resetAt;
  }

  /** When the window resets, if the instance said. */
  reset(): number | undefined {
    return this.resetAt;
  }

  /**
   * How long to wait before the next request, so that what remains lasts until the reset. The remaining
   * requests are spread over the time left with a share of it kept after the last one, so that a clock a
   * little behind the instance's does not send it before the window has turned; with none left, the wait
   * goes past the reset by a margin for the same reason.
   */
  delay(now: number): number {
    if (this.remaining === undefined || this.resetAt === undefined) return 0;
    const untilReset = this.resetAt - now;
    if (untilReset <= 0) return 0;
    if (this.remaining <= 0) return untilReset + RESET_MARGIN_MS;
    // A tenth of the window is kept as a reserve that is spent evenly; above it, requests are not delayed.
    const reserve = Math.max(5, Math.ceil((this.limit ?? 300) / 10));
    return this.remaining > reserve ? 0 : untilReset / (this.remaining + 1);
  }
}

// ---------------------------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------------------------

/** What one REST poll came to. */
type PollOutcome =
  | { kind: 'ok' }
  | { kind: 'aborted' }
  | PollFailure;

/** A failure reported to the organiser; the next request waits `retryInMs`. */
interface PollFailure {
  kind: 'failed';
  message: string;
  retryInMs: number;
}

interface InstanceInfo {
  /** The domain that local accounts' handles are qualified with. */
  localDomain: string;
  /** The streaming API's base URL (ws: or wss:). */
  streamingBase: URL;
}

/** Why a stream session ended. */
interface StreamEnd {
  /** What to report, or null when the source is stopping. */
  message: string | null;
  /** Whether the stream had been connected and its gap filled. */
  connected: boolean;
  /** How long it stayed connected, in ms. */
  connectedMs: number;
  /** When to try streaming again at the earliest, if the cause asks for a long wait (a refused token). */
  retryInMs?: number;
}

/** The error that `ctx.error` receives: a message that names the instance and the status, never the token. */
export class MastodonSourceError extends Error {
  override name = 'MastodonSourceError';
}

/**
 * Creates the runner for one Mastodon source. It runs until `ctx.signal` aborts, and recovers from every
 * failure of the instance by itself; only a failure to store (from `ctx.ingest`) escapes it.
 */
export function createMastodonRunner(settings: MastodonSettings): SourceRunner {
  return (ctx) => new MastodonSource(settings, ctx).run();
}

class MastodonSource {
  private readonly token: string | undefined;
  private readonly hashtag: string;
  private readonly instance: URL | null;
  private readonly budget = new RateBudget();
  private cursor: string | null;
  private info: InstanceInfo | null = null;
  /** No REST request is sent before this time (rate limits, backoff). */
  private restNotBefore = 0;
  private restFailures = 0;
  private pageLimit = PAGE_LIMIT;
  private streamFailures = 0;
  private streamRetryAt = 0;

  constructor(
    settings: MastodonSettings,
    private readonly ctx: SourceContext,
  ) {
    this.token = settings.accessToken !== undefined && settings.accessToken !== '' ? settings.accessToken : undefined;
    this.hashtag = settings.hashtag.trim().replace(/^#/, '');
    this.instance = parseInstance(settings.instance);
    const stored = ctx.cursor();
    this.cursor = isStatusId(stored) ? stored : null;
  }

  private get timing(): SourceTiming {
    return this.ctx.timing;
  }

  private get host(): string {
    return this.instance?.host ?? 'the instance';
  }

  async run(): Promise<void> {
    if (this.instance === null || this.hashtag === '') {
      // The settings cannot work; the manager validates them, so this is only a guard.
      while (!this.ctx.signal.aborted) {
        this.report('the source is misconfigured: the instance must be an http(s) URL and the hashtag not empty');
        await this.ctx.sleep(this.timing.maxBackoffMs);
      }
      return;
    }
    await this.discover();
    while (!this.ctx.signal.aborted) {
      if (this.token !== undefined && Date.now() >= this.streamRetryAt) {
        await this.streamSession();
        continue;
      }
      const started = Date.now();
      const outcome = await this.catchUp();
      if (outcome.kind === 'aborted') return;
      if (outcome.kind === 'failed') this.report(outcome.message);
      else this.ctx.polled();
      let next = Math.max(started + this.timing.pollMs, this.restNotBefore);
      if (this.token !== undefined) next = Math.min(next, Math.max(this.streamRetryAt, started + this.timing.pollMs));
      await this.ctx.sleep(Math.max(0, next - Date.now()));
    }
  }

  private report(message: string): void {
    if (this.ctx.signal.aborted) return;
    this.ctx.error(new MastodonSourceError(this.redact(message)));
  }

  /** Belt and braces: no message leaves the source with the token in it, whatever a server echoed. */
  private redact(message: string): string {
    return this.token !== undefined && this.token.length > 0 ? message.split(this.token).join('[redacted]') : message;
  }

  private backoff(failures: number): number {
    return Math.min(this.timing.backoffMs * 2 ** Math.max(0, failures - 1), this.timing.maxBackoffMs);
  }

  private authorization(): Record<string, string> {
    return this.token !== undefined ? { authorization: `Bearer ${this.token}` } : {};
  }

  // ----- REST --------------------------------------------------------------------------------------

  /**
   * GETs a path of the instance, after waiting for the rate limit and any backoff, and reads at most
   * `maxBytes` of the answer. Throws on network errors and timeouts.
   */
  private async get(url: URL, maxBytes: number): Promise<{ status: number; headers: Headers; body: string | null }> {
    const wait = this.restNotBefore - Date.now();
    if (wait > 0) await this.ctx.sleep(wait);
    if (this.ctx.signal.aborted) throw this.ctx.signal.reason ?? new Error('stopped');
    const signal = AbortSignal.any([this.ctx.signal, AbortSignal.timeout(this.timing.timeoutMs)]);
    const response = await fetch(url, {
      headers: { accept: 'application/json', ...this.authorization() },
      redirect: 'error',
      signal,
    });
    this.budget.update(response.headers);
    this.restNotBefore = Date.now() + Math.min(this.budget.delay(Date.now()), this.timing.maxBackoffMs);
    const body = await readBounded(response, maxBytes);
    return { status: response.status, headers: response.headers, body };
  }

  /** Learns the instance's domain and streaming URL (`GET /api/v2/instance`); falls back to the instance URL. */
  private async discover(): Promise<InstanceInfo> {
    if (this.info !== null) return this.info;
    const instance = this.instance!;
    const fallback: InstanceInfo = {
      localDomain: instance.host,
      streamingBase: new URL(instance.origin.replace(/^http/, 'ws')),
    };
    try {
      const answer = await this.get(new URL('/api/v2/instance', instance), MAX_INSTANCE_BYTES);
      if (answer.status !== 200 || answer.body === null) return fallback;
      const description: unknown = JSON.parse(answer.body);
      if (!isObject(description)) return fallback;
      const configuration = isObject(description.configuration) ? description.configuration : {};
      const urls = isObject(configuration.urls) ? configuration.urls : {};
      const domain = typeof description.domain === 'string' && /^[a-z0-9.:-]{1,253}$/i.test(description.domain)
        ? description.domain
        : fallback.localDomain;
      this.info = { localDomain: domain, streamingBase: streamingBaseOf(urls.streaming, instance) ?? fallback.streamingBase };
      return this.info;
    } catch (error) {
      if (!this.ctx.signal.aborted) this.ctx.log.debug({ host: this.host, reason: describeError(error, this.timing) }, 'Mastodon instance description unavailable; using the instance URL');
      return fallback;
    }
  }

  private mappingContext(): MappingContext {
    return { localDomain: this.info?.localDomain ?? this.instance!.host, now: this.ctx.now() };
  }

  private timelineUrl(minId: string | null): URL {
    const url = new URL(`/api/v1/timelines/tag/${encodeURIComponent(this.hashtag)}`, this.instance!);
    url.searchParams.set('limit', String(this.pageLimit));
    if (minId !== null) url.searchParams.set('min_id', minId);
    return url;
  }

  /**
   * Reads the hashtag timeline from the cursor until caught up. Without a cursor (the first run), only the
   * latest page is read: a wall starts with what is being said now, not with the tag's whole history. With
   * one, `min_id` asks for the statuses just after it; each page is stored (oldest first, with its newest id
   * as the cursor) before the next is asked for, from that newest id, until a page is not full. The ids read
   * are added to `seen`, if given.
   *
   * The next page is asked for by id rather than by following the `Link` header, because a link is an
   * address the server chose, and the access token must not follow it to another host.
   */
  private async catchUp(seen?: Set<string>): Promise<PollOutcome> {
    for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
      const since = this.cursor;
      const limit = this.pageLimit;
      const read = await this.readPage(since);
      if (read.kind !== 'page') return read;
      const { statuses } = read;
      const context = this.mappingContext();
      let newest = since;
      const posts: { id: string; post: SocialPost }[] = [];
      for (const status of statuses) {
        const id = isObject(status) ? status.id : undefined;
        if (!isStatusId(id) || (since !== null && compareStatusIds(id, since) <= 0)) continue;
        newest = newerStatusId(newest, id);
        seen?.add(id);
        const post = safeMap(status, context, this.ctx);
        if (post !== null) posts.push({ id, post });
      }
      posts.sort((a, b) => compareStatusIds(a.id, b.id));
      // Stored even when every status was skipped, so that skipped statuses are not read again.
      if (posts.length > 0 || newest !== since) this.ctx.ingest(posts.map((entry) => entry.post), newest);
      this.cursor = newest;
      this.restFailures = 0;
      if (since === null || statuses.length < limit || newest === since) {
        this.pageLimit = PAGE_LIMIT;
        return { kind: 'ok' };
      }
    }
    return { kind: 'ok' };
  }

  /** One page of the timeline, or why there is none. */
  private async readPage(minId: string | null): Promise<{ kind: 'page'; statuses: unknown[] } | { kind: 'aborted' } | PollFailure> {
    const url = this.timelineUrl(minId);
    const what = `${this.host}: the #${this.hashtag} timeline`;
    let answer: Awaited<ReturnType<MastodonSource['get']>>;
    try {
      answer = await this.get(url, MAX_PAGE_BYTES);
    } catch (error) {
      if (this.ctx.signal.aborted) return { kind: 'aborted' };
      return this.failure(`${what} could not be read: ${describeError(error, this.timing)}`);
    }
    const { status } = answer;
    if (status === 429) {
      const now = Date.now();
      const until = parseRetryAfter(answer.headers.get('retry-after'), now) ?? this.budget.reset();
      const wait = until !== undefined && until > now ? until - now : this.backoff(this.restFailures + 1);
      const bounded = Math.max(this.timing.pollMs, Math.min(wait, this.timing.maxBackoffMs));
      this.restNotBefore = now + bounded;
      return {
        kind: 'failed',
        retryInMs: bounded,
        message: `${what} answered 429 Too Many Requests: the rate limit is spent; reading again in ${seconds(bounded)}`,
      };
    }
    if (status === 401 || status === 403 || status === 404 || status === 422) {
      this.restNotBefore = Date.now() + this.timing.maxBackoffMs;
      return { kind: 'failed', retryInMs: this.timing.maxBackoffMs, message: `${what} answered ${status}: ${this.whatToFix(status)}` };
    }
    if (status !== 200) {
      return this.failure(`${what} answered ${status}${status >= 500 ? ' (a server error)' : ''}`);
    }
    if (answer.body === null) {
      // Asking for fewer statuses per page makes the next answer smaller.
      this.pageLimit = Math.max(1, Math.floor(this.pageLimit / 2));
      return this.failure(`${what} sent a page larger than ${MAX_PAGE_BYTES / 1024 / 1024} MiB; asking for ${this.pageLimit} statuses per page`);
    }
    let statuses: unknown;
    try {
      statuses = JSON.parse(answer.body);
    } catch {
      return this.failure(`${what} answered with invalid JSON`);
    }
    if (!Array.isArray(statuses)) return this.failure(`${what} answered with something other than a list of statuses`);
    return { kind: 'page', statuses };
  }

  /** A transient failure: reported, and the next request waits a backoff that doubles each time. */
  private failure(message: string): PollFailure {
    this.restFailures += 1;
    const wait = this.backoff(this.restFailures);
    this.restNotBefore = Math.max(this.restNotBefore, Date.now() + wait);
    return { kind: 'failed', message: `${message}; trying again in ${seconds(wait)}`, retryInMs: wait };
  }

  private whatToFix(status: 401 | 403 | 404 | 422): string {
    switch (status) {
      case 401:
        return this.token !== undefined
          ? 'the access token was refused; create a new one with the read:statuses scope and update the source'
          : 'this instance requires a login to read hashtag timelines; add an access token with the read:statuses scope';
      case 403:
        return this.token !== undefined
          ? 'the access token may not read this timeline; check that it has the read:statuses scope'
          : 'this instance does not show hashtag timelines to visitors; add an access token with the read:statuses scope';
      case 404:
        return 'no such timeline; check the instance URL and the hashtag';
      case 422:
        return 'the instance refused the request; check the hashtag (letters, digits and underscores)';
    }
  }

  // ----- Streaming ---------------------------------------------------------------------------------

  /**
   * One streaming session: opens the socket, fills the gap from the timeline (events that arrive meanwhile
   * wait in order), then handles events as they come until the socket closes. Whatever ends it is reported,
   * and streaming is tried again after a backoff while the source polls.
   */
  private async streamSession(): Promise<void> {
    const end = await this.stream();
    if (this.ctx.signal.aborted) return;
    // A stream that held for a while starts its backoff over: one drop after hours reconnects at once.
    if (end.connected && end.connectedMs >= this.timing.maxBackoffMs) this.streamFailures = 0;
    this.streamFailures += 1;
    const wait = end.retryInMs ?? this.backoff(this.streamFailures);
    this.streamRetryAt = Date.now() + wait;
    if (end.message !== null) this.report(`${end.message}; polling the timeline, streaming again in ${seconds(wait)}`);
  }

  private async stream(): Promise<StreamEnd> {
    const info = await this.discover();
    if (this.ctx.signal.aborted) return { message: null, connected: false, connectedMs: 0 };
    const url = new URL('/api/v1/streaming', info.streamingBase);
    url.searchParams.set('stream', 'hashtag');
    url.searchParams.set('tag', this.hashtag);
    const streamHost = url.host;

    return new Promise<StreamEnd>((resolve, reject) => {
      const socket = new WebSocket(url, {
        headers: this.authorization(),
        handshakeTimeout: this.timing.timeoutMs,
        maxPayload: MAX_FRAME_BYTES,
        perMessageDeflate: false,
        followRedirects: false,
      });
      const queued: StreamEvent[] = [];
      let live = false;
      let connectedAt = 0;
      let lastTraffic = Date.now();
      let endMessage: string | null = null;
      let retryInMs: number | undefined;
      let fatal: unknown = null;
      let liveness: ReturnType<typeof setInterval> | undefined;
      // The session ends only after its gap fill, so that two reads of the timeline never overlap.
      let gapFill: Promise<void> = Promise.resolve();

      const finish = (message: string | null): void => {
        if (endMessage === null && message !== null && !this.ctx.signal.aborted) endMessage = message;
        if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.terminate();
      };
      const onAbort = (): void => finish(null);
      this.ctx.signal.addEventListener('abort', onAbort, { once: true });

      const handle = (event: StreamEvent): void => {
        if (event.event === 'error') {
          finish(`the streaming API of ${streamHost} reported an error: ${event.message}`);
          return;
        }
        if (event.event === 'other') return;
        if (event.event === 'delete') {
          this.ctx.retract(event.id);
          return;
        }
        const post = safeMap(event.status, this.mappingContext(), this.ctx);
        if (event.event === 'status.update') {
          if (post !== null) this.ctx.update(post);
          return;
        }
        const id = isObject(event.status) ? event.status.id : undefined;
        if (!isStatusId(id)) return;
        const cursor = newerStatusId(this.cursor, id);
        if (post !== null) this.ctx.ingest([post], cursor);
        this.cursor = cursor;
      };
      const handleSafely = (event: StreamEvent): void => {
        try {
          handle(event);
        } catch (error) {
          // Only storage throws here: the stream stops and the error goes to the manager.
          fatal = error;
          finish(null);
        }
      };

      socket.on('unexpected-response', (_request, response) => {
        const status = response.statusCode ?? 0;
        response.resume();
        if (status === 401 || status === 403) {
          retryInMs = this.timing.maxBackoffMs;
          finish(`the streaming API of ${streamHost} refused the access token (${status}); create a token with the read:statuses scope`);
        } else {
          finish(`the streaming API of ${streamHost} answered ${status} instead of opening a WebSocket`);
        }
      });
      socket.on('error', (error) => finish(`the streaming connection to ${streamHost} failed: ${describeError(error, this.timing)}`));
      socket.on('ping', () => {
        lastTraffic = Date.now();
      });
      socket.on('pong', () => {
        lastTraffic = Date.now();
      });
      socket.on('message', (data, isBinary) => {
        lastTraffic = Date.now();
        if (isBinary) return;
        const event = parseStreamFrame(data.toString());
        if (event === null) {
          this.ctx.log.debug({ host: streamHost }, 'an unreadable Mastodon streaming frame was skipped');
          return;
        }
        if (live) handleSafely(event);
        else queued.push(event);
      });
      socket.on('open', () => {
        connectedAt = Date.now();
        lastTraffic = connectedAt;
        const silentAfter = SILENT_STREAM_TIMEOUTS * this.timing.timeoutMs;
        liveness = setInterval(() => {
          if (Date.now() - lastTraffic > silentAfter) {
            finish(`the streaming connection to ${streamHost} was silent for ${seconds(silentAfter)}`);
            return;
          }
          if (socket.readyState === WebSocket.OPEN) socket.ping();
        }, Math.max(10, Math.floor(this.timing.timeoutMs / 2)));
        // The gap since the cursor is read from the timeline now that the stream holds what comes next.
        // A status posted meanwhile comes both ways; the stream's copy is then not stored a second time.
        const filled = new Set<string>();
        gapFill = this.catchUp(filled).then(
          (outcome) => {
            if (outcome.kind === 'aborted' || socket.readyState !== WebSocket.OPEN) return;
            if (outcome.kind === 'failed') {
              finish(`the gap before streaming could not be filled: ${outcome.message}`);
              return;
            }
            this.ctx.polled();
            live = true;
            for (const event of queued.splice(0)) {
              const id = event.event === 'update' && isObject(event.status) ? event.status.id : undefined;
              if (typeof id === 'string' && filled.has(id)) continue;
              handleSafely(event);
            }
          },
          (error: unknown) => {
            fatal = error;
            finish(null);
          },
        );
      });
      socket.on('close', (code) => {
        clearInterval(liveness);
        this.ctx.signal.removeEventListener('abort', onAbort);
        const connectedMs = connectedAt > 0 ? Date.now() - connectedAt : 0;
        const message = this.ctx.signal.aborted
          ? null
          : (endMessage ?? `the streaming connection to ${streamHost} closed (code ${code})`);
        void gapFill.then(() => {
          if (fatal !== null) reject(fatal);
          else resolve({ message, connected: live, connectedMs, ...(retryInMs !== undefined ? { retryInMs } : {}) });
        });
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

function parseInstance(value: string): URL | null {
  try {
    const url = new URL(value);
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') return null;
    return new URL(url.origin);
  } catch {
    return null;
  }
}

/**
 * The streaming base the instance advertises (`configuration.urls.streaming`), as a ws(s) URL. An https
 * instance's token is only sent over TLS: a plain `ws:` address from it is ignored.
 */
function streamingBaseOf(value: unknown, instance: URL): URL | undefined {
  if (typeof value !== 'string' || value.length > MAX_URL_CHARS) return undefined;
  try {
    const url = new URL(value.replace(/^http/, 'ws'));
    if (url.protocol !== 'wss:' && url.protocol !== 'ws:') return undefined;
    if (url.protocol === 'ws:' && instance.protocol === 'https:') return undefined;
    if (url.username !== '' || url.password !== '') return undefined;
    return new URL(url.origin);
  } catch {
    return undefined;
  }
}

/** Reads at most `maxBytes` of a response body; null when it is longer. */
async function readBounded(response: Response, maxBytes: number): Promise<string | null> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (response.body === null) return '';
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body.cancel().catch(() => undefined);
    return null;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A network failure in words, without a URL (which could carry a query) and without a stack. */
function describeError(error: unknown, timing: SourceTiming): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${seconds(timing.timeoutMs)}`;
    const cause = (error as { cause?: unknown }).cause;
    const code = (cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)) return `the connection failed (${code})`;
    // Redirects are not followed, so that the token never goes to an address the server chose.
    if (cause instanceof Error && /redirect/i.test(cause.message)) {
      return 'the instance redirected the request elsewhere; use the address it redirects to as the instance URL';
    }
    if (/^Opening handshake has timed out$/i.test(error.message)) return `no answer within ${seconds(timing.timeoutMs)}`;
    return 'the connection failed';
  }
  return 'the connection failed';
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}
