/**
 * A local server speaking X API v2 recent search (`GET /2/tweets/search/recent`) as X documents it, so that
 * the X source is tested against the protocol rather than against itself: the bearer token is checked,
 * `since_id`, `max_results` and `next_token` pagination behave as the pagination guide says (newest first,
 * a token that pins its result set), only the fields and expansions asked for are returned, every answer
 * carries `x-rate-limit-*` headers from a real window, and the next answers can be made to fail (429, 503,
 * invalid JSON, a request that never answers). Every request is recorded.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

type Json = Record<string, unknown>;

/** A post as X stores it, with the user and media its expansions point at. */
export interface FakeXPost {
  tweet: Json;
  user?: Json;
  media?: Json[];
}

/** An answer to give instead of the normal one. */
export type FakeXFault =
  /** The normal answer: lets a later request in the queue fail instead. */
  | 'ok'
  | { status: number; body?: unknown }
  /** The window is spent: 429 with `x-rate-limit-remaining: 0` until the window resets. */
  | 'rate-limited'
  | 'invalid-json'
  /** Headers, then nothing: the request never completes. */
  | 'hang';

export interface RecordedXRequest {
  url: URL;
  authorization: string | undefined;
  /** When it arrived, epoch ms. */
  at: number;
  status: number;
  /** The window's `x-rate-limit-reset` sent with the answer, epoch ms (0 when none was sent). */
  announcedReset: number;
  announcedRemaining: number;
}

export interface FakeXOptions {
  token?: string;
  /** At most this many posts per page whatever `max_results` says, so that a few posts span pages. */
  pageSize?: number;
  /**
   * Requests allowed per window and its length. X's recent search allows 450 per 15 minutes per app; the
   * default is far roomier, so that the source's spreading of its budget never slows a test that is not
   * about rate limits.
   */
  rateLimit?: { limit: number; windowMs: number };
}

export interface FakeX {
  /** The `apiBase` to give the source. */
  url: string;
  token: string;
  requests: RecordedXRequest[];
  /** The recent-search requests only. */
  searches(): RecordedXRequest[];
  add(...posts: FakeXPost[]): void;
  /** Adds every post of a recent-search answer (a fixture) with its users and media. */
  load(page: Json): void;
  /** The next requests get these answers, one each, in order. */
  fail(...faults: FakeXFault[]): void;
  /** Every request gets this answer until it is set back to null. */
  refuse(fault: FakeXFault | null): void;
  /** A `since_id` below this is refused with X's 400 for a cursor older than seven days. */
  oldestSinceId: string | null;
  /** Added as `errors` beside `data` on every page (X's partial errors). */
  partialErrors: unknown[] | null;
  close(): Promise<void>;
}

/** X's error bodies, as documented (see tests/fixtures/x/README.md). */
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/x', name), 'utf8'));
const UNAUTHORIZED = fixture('error-401-unauthorized.json');
const TOO_MANY_REQUESTS = fixture('error-429-too-many-requests.json');

const DEFAULT_TWEET_FIELDS = ['id', 'text', 'edit_history_tweet_ids'];
const DEFAULT_USER_FIELDS = ['id', 'name', 'username'];
const DEFAULT_MEDIA_FIELDS = ['media_key', 'type'];

function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

function pick(object: Json, fields: Iterable<string>): Json {
  const picked: Json = {};
  for (const field of fields) if (object[field] !== undefined) picked[field] = object[field];
  return picked;
}

function list(value: string | null): string[] {
  return value === null || value === '' ? [] : value.split(',');
}

function invalidRequest(parameter: string, value: string, message: string) {
  return {
    status: 400,
    body: {
      errors: [{ parameters: { [parameter]: [value] }, message }],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.x.com/2/problems/invalid-request',
    },
  };
}

/** A small subset of X's query language: plain words (all required, case-insensitive) and `-is:retweet`. */
function matches(query: string, tweet: Json): boolean {
  const note = (tweet.note_tweet as Json | undefined)?.text;
  const text = `${String(tweet.text ?? '')} ${typeof note === 'string' ? note : ''}`.toLowerCase();
  const isRetweet = ((tweet.referenced_tweets as Json[] | undefined) ?? []).some((reference) => reference.type === 'retweeted');
  for (const term of query.split(/\s+/).filter(Boolean)) {
    if (term === '-is:retweet') {
      if (isRetweet) return false;
    } else if (!term.startsWith('-') && !term.includes(':') && !text.includes(term.toLowerCase())) {
      return false;
    }
  }
  return true;
}

/** The opaque `next_token`: it pins the newest id of the first page, so that later posts never shift pages. */
function encodeToken(pin: string, offset: number): string {
  return Buffer.from(JSON.stringify({ pin, offset })).toString('base64url');
}

function decodeToken(token: string): { pin: string; offset: number } | null {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { pin?: unknown; offset?: unknown };
    return typeof value.pin === 'string' && Number.isInteger(value.offset) ? { pin: value.pin, offset: value.offset as number } : null;
  } catch {
    return null;
  }
}

export async function startFakeX(options: FakeXOptions = {}): Promise<FakeX> {
  const token = options.token ?? 'AAAAAAAAAAAAAAAAAAAAAFakeXBearerTokenForToileTests0000';
  const tweets = new Map<string, Json>();
  const users = new Map<string, Json>();
  const media = new Map<string, Json>();
  const requests: RecordedXRequest[] = [];
  const faults: FakeXFault[] = [];
  let standing: FakeXFault | null = null;
  const sockets = new Set<Socket>();
  const window = { limit: options.rateLimit?.limit ?? 1_000_000, windowMs: options.rateLimit?.windowMs ?? 15 * 60_000, remaining: 0, resetAt: 0 };

  /** Opens a new window when the last one has reset; resets fall on whole seconds, as the header counts them. */
  function currentWindow(now: number) {
    if (now >= window.resetAt) {
      window.remaining = window.limit;
      window.resetAt = Math.ceil((now + window.windowMs) / 1000) * 1000;
    }
    return window;
  }

  function search(url: URL): { status: number; body: unknown } {
    const params = url.searchParams;
    const query = params.get('query');
    if (query === null || query === '') return invalidRequest('query', '', 'The `query` query parameter can not be empty');
    const maxResults = params.has('max_results') ? Number(params.get('max_results')) : 10;
    if (!Number.isInteger(maxResults) || maxResults < 10 || maxResults > 100) {
      return invalidRequest('max_results', String(params.get('max_results')), `The \`max_results\` query parameter value [${params.get('max_results')}] is not between 10 and 100`);
    }
    const sinceId = params.get('since_id');
    if (sinceId !== null && !/^\d{1,20}$/.test(sinceId)) return invalidRequest('since_id', sinceId, `Invalid 'since_id':'${sinceId}'`);
    if (sinceId !== null && fake.oldestSinceId !== null && compareIds(sinceId, fake.oldestSinceId) < 0) {
      return invalidRequest('since_id', sinceId, `Invalid 'since_id':'${sinceId}'. 'since_id' must be a tweet id created in the last seven days. Please use a 'since_id' that is larger than ${fake.oldestSinceId}`);
    }
    const nextToken = params.get('next_token');
    const position = nextToken === null ? null : decodeToken(nextToken);
    if (nextToken !== null && position === null) return invalidRequest('next_token', nextToken, `Invalid 'next_token':'${nextToken}'`);

    const matching = [...tweets.values()]
      .filter((tweet) => matches(query, tweet))
      .filter((tweet) => sinceId === null || compareIds(String(tweet.id), sinceId) > 0)
      .sort((a, b) => compareIds(String(b.id), String(a.id)));
    const pin = position?.pin ?? (matching[0]?.id as string | undefined) ?? '0';
    const pinned = matching.filter((tweet) => compareIds(String(tweet.id), pin) <= 0);
    const offset = position?.offset ?? 0;
    const size = Math.min(maxResults, options.pageSize ?? 100);
    const page = pinned.slice(offset, offset + size);
    if (page.length === 0) return { status: 200, body: { meta: { result_count: 0 } } };

    const expansions = new Set(list(params.get('expansions')));
    const tweetFields = new Set([...DEFAULT_TWEET_FIELDS, ...list(params.get('tweet.fields'))]);
    if (expansions.has('author_id')) tweetFields.add('author_id');
    if (expansions.has('attachments.media_keys')) tweetFields.add('attachments');
    const userFields = [...DEFAULT_USER_FIELDS, ...list(params.get('user.fields'))];
    const mediaFields = [...DEFAULT_MEDIA_FIELDS, ...list(params.get('media.fields'))];

    const includes: Json = {};
    if (expansions.has('author_id')) {
      const authors = [...new Set(page.map((tweet) => String(tweet.author_id)))].flatMap((id) => (users.has(id) ? [pick(users.get(id)!, userFields)] : []));
      if (authors.length > 0) includes.users = authors;
    }
    if (expansions.has('attachments.media_keys')) {
      const keys = page.flatMap((tweet) => ((tweet.attachments as Json | undefined)?.media_keys as string[] | undefined) ?? []);
      const found = [...new Set(keys)].flatMap((key) => (media.has(key) ? [pick(media.get(key)!, mediaFields)] : []));
      if (found.length > 0) includes.media = found;
    }
    const more = offset + size < pinned.length;
    return {
      status: 200,
      body: {
        data: page.map((tweet) => pick(tweet, tweetFields)),
        ...(Object.keys(includes).length > 0 ? { includes } : {}),
        ...(fake.partialErrors === null ? {} : { errors: fake.partialErrors }),
        meta: {
          newest_id: page[0]!.id,
          oldest_id: page[page.length - 1]!.id,
          result_count: page.length,
          ...(more ? { next_token: encodeToken(pin, offset + size) } : {}),
        },
      },
    };
  }

  function answer(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://fake-x.invalid');
    const now = Date.now();
    const record: RecordedXRequest = { url, authorization: request.headers.authorization, at: now, status: 0, announcedReset: 0, announcedRemaining: 0 };
    requests.push(record);
    const send = (status: number, body: unknown, limited = true) => {
      record.status = status;
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
      if (limited) {
        const { limit, remaining, resetAt } = currentWindow(now);
        Object.assign(headers, { 'x-rate-limit-limit': String(limit), 'x-rate-limit-remaining': String(remaining), 'x-rate-limit-reset': String(resetAt / 1000) });
        record.announcedReset = resetAt;
        record.announcedRemaining = remaining;
      }
      response.writeHead(status, headers).end(typeof body === 'string' ? body : JSON.stringify(body));
    };

    if (url.pathname !== '/2/tweets/search/recent') {
      send(404, { title: 'Not Found Error', detail: 'Sorry, that page does not exist', type: 'about:blank', status: 404 }, false);
      return;
    }
    if (request.headers.authorization !== `Bearer ${token}`) {
      send(401, UNAUTHORIZED, false);
      return;
    }
    const spent = currentWindow(now).remaining <= 0;
    if (!spent) window.remaining -= 1;
    const next = faults.shift() ?? standing;
    const fault = next === 'ok' ? null : next;
    if (spent || fault === 'rate-limited') {
      window.remaining = 0;
      send(429, TOO_MANY_REQUESTS);
    } else if (fault === 'invalid-json') {
      send(200, '{"data":[{"id":"1","text":"cut sho');
    } else if (fault === 'hang') {
      record.status = -1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.flushHeaders();
    } else if (fault !== null) {
      send(fault.status, fault.body ?? { title: 'Service Unavailable', type: 'about:blank', status: fault.status });
    } else {
      const { status, body } = search(url);
      send(status, body);
    }
  }

  const server = createServer(answer);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeX = {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    oldestSinceId: null,
    partialErrors: null,
    searches: () => requests.filter((request) => request.url.pathname === '/2/tweets/search/recent'),
    add(...posts) {
      for (const post of posts) {
        tweets.set(String(post.tweet.id), post.tweet);
        if (post.user) users.set(String(post.user.id), post.user);
        for (const item of post.media ?? []) media.set(String(item.media_key), item);
      }
    },
    load(page) {
      const includes = (page.includes ?? {}) as { users?: Json[]; media?: Json[] };
      for (const user of includes.users ?? []) users.set(String(user.id), user);
      for (const item of includes.media ?? []) media.set(String(item.media_key), item);
      for (const tweet of (page.data ?? []) as Json[]) tweets.set(String(tweet.id), tweet);
    },
    fail(...next) {
      faults.push(...next);
    },
    refuse(fault) {
      standing = fault;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

let sequence = 0;

/**
 * A post in X's documented shape, with an id that grows like X's (a snowflake from the current time, so
 * above 2^53) and its author. `options.media` attaches photos given as `[url, alt]`.
 */
export function xPost(text: string, options: { author?: { id: string; name: string; username: string }; media?: [string, string?][]; at?: Date; extra?: Json } = {}): FakeXPost {
  const at = options.at ?? new Date();
  sequence += 1;
  const id = (((BigInt(at.getTime()) - 1288834974657n) << 22n) | BigInt(sequence % 4_000_000)).toString();
  const author = options.author ?? { id: '1455000000000000001', name: 'Claire Dupont', username: 'claire_dupont' };
  const media = (options.media ?? []).map(([url, alt], index) => ({ media_key: `3_${id}${index}`, type: 'photo', url, ...(alt === undefined ? {} : { alt_text: alt }) }));
  return {
    tweet: {
      id,
      text,
      edit_history_tweet_ids: [id],
      author_id: author.id,
      created_at: at.toISOString(),
      possibly_sensitive: false,
      ...(media.length > 0 ? { attachments: { media_keys: media.map((item) => item.media_key) } } : {}),
      ...options.extra,
    },
    user: { ...author, profile_image_url: `https://pbs.twimg.com/profile_images/${author.id}/avatar_normal.jpg` },
    media,
  };
}
