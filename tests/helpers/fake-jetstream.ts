/**
 * Local stand-ins for the two Bluesky services a Bluesky source talks to, speaking their protocols as
 * documented, so that the adapter is tested over real sockets without the network:
 * - a Jetstream v1 server (`/subscribe`), which plays frames to each subscriber, honours `wantedCollections`
 *   (identity and account events always pass, as in Jetstream), `maxMessageSizeBytes` and `cursor` (a
 *   replay of the frames whose `time_us` is at or after the cursor, in `time_us` order, as Jetstream's
 *   replay from its event store does), and records the query of every connection;
 * - an AppView answering `app.bsky.actor.getProfiles` for the profiles it is given, counting requests.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

const FIXTURES = new URL('../fixtures/bluesky/', import.meta.url);

function lines(file: string): string[] {
  return readFileSync(new URL(file, FIXTURES), 'utf8').split('\n').filter((line) => line !== '');
}

/** The 152 real frames captured from production Jetstream, in the order it sent them. */
export function realFrames(): string[] {
  return lines('jetstream-expected_v1.jsonl');
}

/** The frames written for these tests (see tests/fixtures/bluesky/README.md), in order. */
export function writtenFrames(): string[] {
  return lines('written-here-frames.jsonl');
}

/** A `profileViewDetailed` as an AppView returns it (the fields Toile reads, and whatever else). */
export type ProfileView = Record<string, unknown> & { did: string };

/** The profiles written for these tests. */
export function writtenProfiles(): ProfileView[] {
  return (JSON.parse(readFileSync(new URL('profiles-written-here.json', FIXTURES), 'utf8')) as { profiles: ProfileView[] }).profiles;
}

/** One frame of the fake's history: what is sent, and the `time_us` it is stored under for replays. */
export interface StreamEntry {
  timeUs: number;
  data: string;
}

/** A frame as a history entry; a frame without a readable `time_us` (a broken one) needs `timeUs` given. */
export function entry(data: string, timeUs?: number): StreamEntry {
  if (timeUs !== undefined) return { timeUs, data };
  const parsed = JSON.parse(data) as { time_us?: unknown };
  if (typeof parsed.time_us !== 'number') throw new Error('this frame has no time_us: give one');
  return { timeUs: parsed.time_us, data };
}

export interface FakeJetstreamOptions {
  /** The frames the server holds, oldest first as it received them; a string must have its own `time_us`. */
  history?: (string | StreamEntry)[];
  /** A pause between two frames sent, so that a test can act in the middle of a replay. */
  frameDelayMs?: number;
  /** The first connection is cut (as a network failure would) after this many frames. */
  dropFirstConnectionAfter?: number;
  /** False: send every frame whatever the subscriber asked (a misbehaving server). */
  honourFilters?: boolean;
  /** False: never answer pings (a server that hangs with its TCP connection open). */
  answerPings?: boolean;
}

export interface JetstreamConnection {
  /** The query string the subscriber connected with. */
  query: URLSearchParams;
  /** Frames sent on this connection so far. */
  sent: number;
  socket: WebSocket;
}

export interface FakeJetstream {
  /** The base URL a source is configured with (`ws://127.0.0.1:<port>`). */
  url: string;
  connections: JetstreamConnection[];
  /** Adds a frame to the history and sends it to every subscriber that wants it (after its replay). */
  publish(frame: string | object, timeUs?: number): void;
  /** Sends bytes to every open connection as they are, without keeping them (a one-off bad frame). */
  sendRaw(data: string): void;
  /** Cuts every open connection. */
  dropConnections(): void;
  /** Resolves once `count` connections have been made in all. */
  waitForConnections(count: number, timeoutMs?: number): Promise<JetstreamConnection[]>;
  close(): Promise<void>;
}

interface Subscriber {
  connection: JetstreamConnection;
  outbox: StreamEntry[];
  pumping: boolean;
  dropAfter?: number;
}

/** Whether a subscriber asked for this frame (Jetstream v1's `wantedCollections` and `maxMessageSizeBytes`). */
function wanted(data: string, query: URLSearchParams): boolean {
  const maxBytes = Number(query.get('maxMessageSizeBytes') ?? '0');
  if (Number.isFinite(maxBytes) && maxBytes > 0 && Buffer.byteLength(data) > maxBytes) return false;
  const collections = query.getAll('wantedCollections');
  if (collections.length === 0) return true;
  let frame: { kind?: unknown; commit?: { collection?: unknown } };
  try {
    frame = JSON.parse(data) as typeof frame;
  } catch {
    // A broken frame is not the filter's business: the fake sends it, to test the subscriber.
    return true;
  }
  if (frame.kind !== 'commit') return true;
  const collection = frame.commit?.collection;
  return typeof collection === 'string' && collections.some((wantedOne) => (wantedOne.endsWith('.*') ? collection.startsWith(wantedOne.slice(0, -1)) : collection === wantedOne));
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

async function waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = check();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function startFakeJetstream(options: FakeJetstreamOptions = {}): Promise<FakeJetstream> {
  const history: StreamEntry[] = (options.history ?? realFrames()).map((item) => (typeof item === 'string' ? entry(item) : item));
  const honourFilters = options.honourFilters ?? true;
  const subscribers = new Set<Subscriber>();
  const connections: JetstreamConnection[] = [];
  const server = createServer((_request, response) => {
    response.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true, autoPong: options.answerPings ?? true });

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://jetstream.invalid');
    if (url.pathname !== '/subscribe') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, url.searchParams));
  });

  const pump = async (subscriber: Subscriber) => {
    if (subscriber.pumping) return;
    subscriber.pumping = true;
    const { connection } = subscriber;
    while (subscriber.outbox.length > 0 && connection.socket.readyState === WebSocket.OPEN) {
      const next = subscriber.outbox.shift()!;
      if (honourFilters && !wanted(next.data, connection.query)) continue;
      connection.sent += 1;
      if (subscriber.dropAfter !== undefined && connection.sent >= subscriber.dropAfter) {
        // The frame is handed to the kernel before the cut, so that the test knows what the subscriber got.
        await new Promise((resolve) => connection.socket.send(next.data, resolve));
        connection.socket.terminate();
        break;
      }
      connection.socket.send(next.data);
      if (options.frameDelayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.frameDelayMs));
    }
    subscriber.pumping = false;
  };

  const accept = (ws: WebSocket, query: URLSearchParams) => {
    const connection: JetstreamConnection = { query, sent: 0, socket: ws };
    const first = connections.length === 0;
    connections.push(connection);
    // Without a cursor the fake plays its whole history as if it were happening now; with one, it replays
    // from the cursor in time order. A cursor in the future means live-tail only.
    const cursor = query.has('cursor') ? Number(query.get('cursor')) : null;
    const outbox =
      cursor === null || !Number.isFinite(cursor) ? history.slice() : history.filter((item) => item.timeUs >= cursor).sort((a, b) => a.timeUs - b.timeUs);
    const subscriber: Subscriber = { connection, outbox, pumping: false, ...(first && options.dropFirstConnectionAfter !== undefined ? { dropAfter: options.dropFirstConnectionAfter } : {}) };
    subscribers.add(subscriber);
    ws.on('close', () => subscribers.delete(subscriber));
    ws.on('error', () => subscribers.delete(subscriber));
    void pump(subscriber);
  };

  const port = await listen(server);
  return {
    url: `ws://127.0.0.1:${port}`,
    connections,
    publish(frame, timeUs) {
      const item = entry(typeof frame === 'string' ? frame : JSON.stringify(frame), timeUs);
      history.push(item);
      for (const subscriber of subscribers) {
        subscriber.outbox.push(item);
        void pump(subscriber);
      }
    },
    sendRaw(data) {
      for (const subscriber of subscribers) if (subscriber.connection.socket.readyState === WebSocket.OPEN) subscriber.connection.socket.send(data);
    },
    dropConnections() {
      for (const subscriber of subscribers) subscriber.connection.socket.terminate();
    },
    waitForConnections(count, timeoutMs = 5000) {
      return waitUntil(() => (connections.length >= count ? connections.slice() : undefined), timeoutMs, `${count} Jetstream connections (got ${connections.length})`);
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface FakeAppView {
  /** The base URL a source is configured with (`http://127.0.0.1:<port>`). */
  url: string;
  /** The `actors` of every getProfiles request, in order. */
  requests: string[][];
  /** How it answers from now on: normally, with a 500, or never (the request hangs until closed). */
  mode: 'answer' | 'fail' | 'hang';
  close(): Promise<void>;
}

/** An AppView that knows these profiles (the ones written for the tests by default). */
export async function startFakeAppView(profiles: ProfileView[] = writtenProfiles()): Promise<FakeAppView> {
  const known = new Map(profiles.map((profile) => [profile.did, profile]));
  const appView: FakeAppView = { url: '', requests: [], mode: 'answer', close: async () => undefined };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://appview.invalid');
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (request.method !== 'GET' || url.pathname !== '/xrpc/app.bsky.actor.getProfiles') {
      json(404, { error: 'MethodNotImplemented', message: 'Method Not Implemented' });
      return;
    }
    const actors = url.searchParams.getAll('actors');
    appView.requests.push(actors);
    if (appView.mode === 'hang') return;
    if (appView.mode === 'fail') {
      json(500, { error: 'InternalServerError', message: 'Internal Server Error' });
      return;
    }
    // The lexicon allows 1 to 25 actors; the real AppView refuses more with this error.
    if (actors.length === 0 || actors.length > 25) {
      json(400, { error: 'InvalidRequest', message: 'Error: Params must have the property "actors" with at most 25 items' });
      return;
    }
    // Unknown actors are left out of the answer, as the AppView does for deleted or unknown accounts.
    json(200, { profiles: actors.flatMap((actor) => (known.has(actor) ? [known.get(actor)] : [])) });
  });
  const port = await listen(server);
  appView.url = `http://127.0.0.1:${port}`;
  appView.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return appView;
}
