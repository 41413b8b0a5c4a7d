/**
 * A local server that speaks the part of Mastodon's API a hashtag source uses, as documented:
 * - `GET /api/v1/timelines/tag/:hashtag` with `limit` (default 20, at most 40), `max_id`, `since_id` and
 *   `min_id`, newest first, with the `Link` header (`next` when the page is full, `prev` when it is not
 *   empty) (https://docs.joinmastodon.org/methods/timelines/#tag, /api/guidelines/#pagination);
 * - `X-RateLimit-Limit`, `X-RateLimit-Remaining` (decreasing with every request) and `X-RateLimit-Reset`
 *   (an ISO date), and 429 when the window is spent (https://docs.joinmastodon.org/api/rate-limits/);
 * - `GET /api/v2/instance` with `configuration.urls.streaming` (https://docs.joinmastodon.org/methods/instance/#v2);
 * - the WebSocket streaming API, `/api/v1/streaming?stream=hashtag&tag=…`: the upgrade is refused with 401
 *   without the right Bearer token, and frames are `{stream, event, payload}` with the status as a JSON
 *   string inside the frame (https://docs.joinmastodon.org/methods/streaming/#websocket).
 *
 * Tests script failures (429, 500, invalid JSON, delays), drop or freeze streams, and read every request
 * the server received, to assert on `min_id` and on where the token went.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** A Status entity as Mastodon serializes it (the fields a hashtag wall reads, and a few around them). */
export type Status = Record<string, unknown>;

export interface RecordedRequest {
  /** `GET` for REST requests, `UPGRADE` for WebSocket handshakes. */
  method: 'GET' | 'UPGRADE' | string;
  /** The request target as received: path and query. */
  url: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  at: number;
  /** The status the fake answered with (101 for an accepted upgrade), once it answered. */
  status?: number;
}

/** One scripted answer to the next timeline request, instead of the timeline. */
export interface ScriptedAnswer {
  status?: number;
  /** Sent as is; `[]` (or the timeline, when `passThrough`) otherwise. */
  body?: string;
  headers?: Record<string, string>;
  /** Waits this long before answering (longer than the client's timeout makes it a timeout). */
  delayMs?: number;
  /** Answers with the real timeline page after the delay. */
  passThrough?: boolean;
}

export interface FakeMastodonOptions {
  /** The hashtag served (case-insensitive); other tags answer 404 as Mastodon does. */
  hashtag?: string;
  /** The user token the streaming API accepts (and the REST API requires, with `requireToken`). */
  accessToken?: string;
  /** Whether the timeline needs a token (an instance that disabled public previews). */
  requireToken?: boolean;
  /** The rate-limit window: `limit` requests per `windowMs` (Mastodon: 300 per 5 minutes). */
  rateLimit?: { limit: number; windowMs: number };
  /** What `/api/v2/instance` advertises as the streaming URL: the server itself unless given; null for none. */
  streamingUrl?: string | null;
  /** The instance's domain, which local accounts' handles leave out. */
  domain?: string;
  /** How often the streaming server pings its clients (Mastodon: 30 s). */
  pingMs?: number;
}

export interface FakeMastodon {
  url: string;
  /** `127.0.0.1:port`. */
  host: string;
  domain: string;
  requests: RecordedRequest[];
  /** The timeline requests only (`/api/v1/timelines/tag/...`). */
  timelineRequests(): RecordedRequest[];
  /** Puts statuses on the timeline without streaming them (posted while nobody listened). */
  add(...statuses: Status[]): void;
  /** Puts a status on the timeline and streams it as `update`. */
  publish(status: Status): void;
  /** Replaces a status and streams it as `status.update`. */
  edit(status: Status): void;
  /** Removes a status and streams its id as `delete`. */
  remove(id: string): void;
  /** Sends a raw frame to every stream client. */
  sendFrame(frame: string): void;
  /** The next timeline requests get these answers, in order. */
  script(...answers: ScriptedAnswer[]): void;
  /** Sets what is left of the rate-limit window. */
  setRateLimit(remaining: number, resetInMs: number): void;
  /** Cuts every stream connection (as a restart of the streaming server would). */
  dropStreams(): void;
  /** Stops answering on the streams open now (no frames, no pings, no pongs), as a dead connection would; new ones are served. */
  freezeStreams(): void;
  /** Refuses WebSocket upgrades with this HTTP status from now on (null to accept them again). */
  refuseStreaming(status: number | null): void;
  streamClientCount(): number;
  /** Resolves when `count` stream clients are connected. */
  waitForStreamClients(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

let nextAccount = 100;

/**
 * A status as Mastodon's REST API writes it, for tests. Written from the documented Status entity
 * (https://docs.joinmastodon.org/entities/Status/); not a capture.
 */
export function buildStatus(options: {
  id: string;
  domain?: string;
  username?: string;
  /** `username` alone for a local account, `username@domain` for a remote one. */
  acct?: string;
  displayName?: string;
  content?: string;
  visibility?: string;
  sensitive?: boolean;
  spoilerText?: string;
  createdAt?: string;
  media?: { type: string; url: string | null; previewUrl?: string; description?: string | null }[];
  reblog?: Status | null;
  avatar?: string;
}): Status {
  const domain = options.domain ?? 'mastodon.example';
  const username = options.username ?? 'alice';
  const acct = options.acct ?? username;
  const accountDomain = acct.includes('@') ? acct.split('@')[1]! : domain;
  const accountId = String(nextAccount++);
  const avatar = options.avatar ?? `https://${accountDomain}/system/accounts/avatars/${accountId}/original/avatar.png`;
  return {
    id: options.id,
    created_at: options.createdAt ?? new Date(Date.UTC(2026, 10, 28, 14, 0, 0) + Number(options.id.slice(-6))).toISOString(),
    in_reply_to_id: null,
    in_reply_to_account_id: null,
    sensitive: options.sensitive ?? false,
    spoiler_text: options.spoilerText ?? '',
    visibility: options.visibility ?? 'public',
    language: 'fr',
    uri: `https://${accountDomain}/users/${username}/statuses/${options.id}`,
    url: `https://${accountDomain}/@${username}/${options.id}`,
    replies_count: 0,
    reblogs_count: 0,
    favourites_count: 0,
    edited_at: null,
    content: options.content ?? `<p>Status ${options.id} <a href="https://${domain}/tags/capcomnet" class="mention hashtag" rel="tag">#<span>capcomnet</span></a></p>`,
    reblog: options.reblog ?? null,
    account: {
      id: accountId,
      username,
      acct,
      display_name: options.displayName ?? username,
      locked: false,
      bot: false,
      url: `https://${accountDomain}/@${username}`,
      uri: `https://${accountDomain}/users/${username}`,
      avatar,
      avatar_static: avatar,
    },
    media_attachments: (options.media ?? []).map((media, index) => ({
      id: `${options.id}${index}`,
      type: media.type,
      url: media.url,
      preview_url: media.previewUrl ?? media.url,
      remote_url: null,
      description: media.description ?? null,
      blurhash: null,
    })),
    mentions: [],
    tags: [{ name: 'capcomnet', url: `https://${domain}/tags/capcomnet` }],
    emojis: [],
    card: null,
    poll: null,
  };
}

/** Mastodon's id order: longer is newer, then lexical. */
function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

function idOf(status: Status): string {
  return String(status.id);
}

export async function startFakeMastodon(options: FakeMastodonOptions = {}): Promise<FakeMastodon> {
  const hashtag = (options.hashtag ?? 'capcomnet').toLowerCase();
  const token = options.accessToken;
  const window = options.rateLimit ?? { limit: 300, windowMs: 300_000 };
  const statuses = new Map<string, Status>();
  const requests: RecordedRequest[] = [];
  const scripted: ScriptedAnswer[] = [];
  const clients = new Set<WebSocket>();
  const clientWaiters = new Set<() => void>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let remaining = window.limit;
  let resetAt = Date.now() + window.windowMs;
  /** Clients that get nothing more: no frames, no pings, no pongs. */
  const frozen = new WeakSet<WebSocket>();
  let refusal: number | null = null;

  const server = createServer((request, response) => void answer(request, response));
  const sockets = new WebSocketServer({ noServer: true, autoPong: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the fake Mastodon did not bind a TCP port');
  const host = `127.0.0.1:${address.port}`;
  const url = `http://${host}`;
  const domain = options.domain ?? host;

  const answered = new WeakMap<ServerResponse, RecordedRequest>();
  const record = (method: string, request: IncomingMessage): { target: URL; entry: RecordedRequest } => {
    const target = new URL(request.url ?? '/', url);
    const entry: RecordedRequest = {
      method,
      url: request.url ?? '/',
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: request.headers,
      at: Date.now(),
    };
    requests.push(entry);
    return { target, entry };
  };

  const rateHeaders = (): Record<string, string> => ({
    'x-ratelimit-limit': String(window.limit),
    'x-ratelimit-remaining': String(Math.max(0, remaining)),
    'x-ratelimit-reset': new Date(resetAt).toISOString(),
  });

  const send = (response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    const entry = answered.get(response);
    if (entry !== undefined) entry.status = status;
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...rateHeaders(), ...headers });
    response.end(body);
  };

  const authorized = (request: IncomingMessage): boolean =>
    token !== undefined && request.headers.authorization === `Bearer ${token}`;

  /** The page Mastodon would answer: newest first, bounded by max_id/since_id/min_id, at most `limit`. */
  const page = (target: URL): { items: Status[]; link: string | undefined } => {
    const query = target.searchParams;
    const limit = Math.min(40, Math.max(1, Number(query.get('limit') ?? 20) || 20));
    const maxId = query.get('max_id');
    const sinceId = query.get('since_id');
    const minId = query.get('min_id');
    let items = [...statuses.values()].sort((a, b) => compareIds(idOf(b), idOf(a)));
    if (maxId !== null) items = items.filter((status) => compareIds(idOf(status), maxId) < 0);
    if (sinceId !== null) items = items.filter((status) => compareIds(idOf(status), sinceId) > 0);
    if (minId !== null) {
      // "Returns results immediately newer than this ID": the oldest ones after it, still newest first.
      items = items.filter((status) => compareIds(idOf(status), minId) > 0).slice(-limit);
    } else {
      items = items.slice(0, limit);
    }
    const links: string[] = [];
    const base = `${url}${target.pathname}`;
    if (items.length === limit) links.push(`<${base}?limit=${limit}&max_id=${idOf(items[items.length - 1]!)}>; rel="next"`);
    if (items.length > 0) links.push(`<${base}?limit=${limit}&min_id=${idOf(items[0]!)}>; rel="prev"`);
    return { items, link: links.length > 0 ? links.join(', ') : undefined };
  };

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { target, entry } = record(request.method ?? 'GET', request);
    answered.set(response, entry);
    if (request.method !== 'GET') return send(response, 404, '{"error":"Record not found"}');
    if (Date.now() >= resetAt) {
      remaining = window.limit;
      resetAt = Date.now() + window.windowMs;
    }
    if (remaining <= 0) return send(response, 429, '{"error":"Too many requests"}');
    remaining -= 1;

    if (target.pathname === '/api/v2/instance') {
      const streaming = options.streamingUrl === undefined ? `ws://${host}` : options.streamingUrl;
      return send(response, 200, JSON.stringify({
        domain,
        title: 'Fake Mastodon',
        version: '4.3.0',
        configuration: { urls: streaming === null ? {} : { streaming } },
      }));
    }
    const match = /^\/api\/v1\/timelines\/tag\/([^/]+)$/.exec(target.pathname);
    if (match === null) return send(response, 404, '{"error":"Record not found"}');
    const scriptedAnswer = scripted.shift();
    if (scriptedAnswer !== undefined) {
      if (scriptedAnswer.delayMs !== undefined) await delay(scriptedAnswer.delayMs);
      if (response.destroyed || request.destroyed) return;
      if (!scriptedAnswer.passThrough) {
        return send(response, scriptedAnswer.status ?? 200, scriptedAnswer.body ?? '[]', scriptedAnswer.headers);
      }
    }
    if (options.requireToken && !authorized(request)) {
      return send(response, 401, '{"error":"This API requires an authenticated user"}');
    }
    if (decodeURIComponent(match[1]!).toLowerCase() !== hashtag) return send(response, 404, '{"error":"Record not found"}');
    const { items, link } = page(target);
    return send(response, 200, JSON.stringify(items), link === undefined ? {} : { link });
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const { target, entry } = record('UPGRADE', request);
    const refuse = (status: number, text: string): void => {
      entry.status = status;
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"${text}"}`);
    };
    if (target.pathname !== '/api/v1/streaming') return refuse(404, 'Not Found');
    if (refusal !== null) return refuse(refusal, 'Refused');
    // Mastodon closes the handshake with 401 when the token is missing or invalid.
    if (!authorized(request)) return refuse(401, 'Unauthorized');
    sockets.handleUpgrade(request, socket, head, (client) => {
      entry.status = 101;
      if (target.searchParams.get('stream') !== 'hashtag' || target.searchParams.get('tag')?.toLowerCase() !== hashtag) {
        client.send(JSON.stringify({ error: 'Unknown stream type', status: 400 }));
        client.close();
        return;
      }
      clients.add(client);
      for (const waiter of [...clientWaiters]) waiter();
      client.on('ping', (data) => {
        if (!frozen.has(client)) client.pong(data);
      });
      client.on('close', () => clients.delete(client));
      client.on('error', () => clients.delete(client));
    });
  });

  const pinger = setInterval(() => {
    for (const client of clients) if (!frozen.has(client)) client.ping();
  }, options.pingMs ?? 30_000);

  const broadcast = (event: string, payload: string): void => {
    const frame = JSON.stringify({ stream: ['hashtag', hashtag], event, payload });
    for (const client of clients) if (!frozen.has(client)) client.send(frame);
  };

  return {
    url,
    host,
    domain,
    requests,
    timelineRequests: () => requests.filter((request) => request.path.startsWith('/api/v1/timelines/tag/')),
    add(...added) {
      for (const status of added) statuses.set(idOf(status), status);
    },
    publish(status) {
      statuses.set(idOf(status), status);
      // The payload is the status as a JSON string inside the JSON frame ("double-encoded").
      broadcast('update', JSON.stringify(status));
    },
    edit(status) {
      statuses.set(idOf(status), status);
      broadcast('status.update', JSON.stringify(status));
    },
    remove(id) {
      statuses.delete(id);
      broadcast('delete', id);
    },
    sendFrame(frame) {
      for (const client of clients) if (!frozen.has(client)) client.send(frame);
    },
    script(...answers) {
      scripted.push(...answers);
    },
    setRateLimit(left, resetInMs) {
      remaining = left;
      resetAt = Date.now() + resetInMs;
    },
    dropStreams() {
      for (const client of clients) client.terminate();
      clients.clear();
    },
    freezeStreams() {
      for (const client of clients) frozen.add(client);
    },
    refuseStreaming(status) {
      refusal = status;
    },
    streamClientCount: () => clients.size,
    waitForStreamClients(count, timeoutMs = 3000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (clients.size < count) return;
          clearTimeout(timer);
          clientWaiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          clientWaiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} stream clients; ${clients.size} connected`));
        }, timeoutMs);
        clientWaiters.add(check);
        check();
      });
    },
    async close() {
      clearInterval(pinger);
      for (const timer of timers) clearTimeout(timer);
      for (const client of clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
