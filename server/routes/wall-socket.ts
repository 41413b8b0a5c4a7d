import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { ScreenRegistry } from '../realtime/screens.js';
import type { SocketRegistry } from '../realtime/sockets.js';
import type { WallFeeds } from '../realtime/wall-feed.js';
import { slugPattern } from './schemas.js';

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

const WALL_SOCKET = /^\/ws\/walls\/([^/?#]*)(?:\?(.*))?$/;
const SLUG = new RegExp(slugPattern);
const SEQ = /^(0|[1-9][0-9]{0,15})$/;
const EPOCH_MAX_LENGTH = 64;

/** A viewer's request: the wall and where it resumes from, or the HTTP error to refuse it with. */
type ViewerRequest = { slug: string; since?: number; epoch?: string } | { status: number; code: string; message: string };

/** Reads `/ws/walls/:slug?since=&epoch=`; null for any other path. */
export function parseViewerRequest(url: string | undefined): ViewerRequest | null {
  const match = WALL_SOCKET.exec(url ?? '');
  if (!match) return null;
  const slug = match[1]!;
  if (!SLUG.test(slug)) return { status: 400, code: 'invalid_request', message: `params/slug must match pattern "${slugPattern}"` };
  const query = new URLSearchParams(match[2] ?? '');
  const since = query.get('since');
  const epoch = query.get('epoch');
  if (since !== null && !SEQ.test(since)) return { status: 400, code: 'invalid_request', message: 'querystring/since must be an integer ≥ 0' };
  if (epoch !== null && epoch.length > EPOCH_MAX_LENGTH) {
    return { status: 400, code: 'invalid_request', message: `querystring/epoch must NOT have more than ${EPOCH_MAX_LENGTH} characters` };
  }
  return { slug, ...(since === null ? {} : { since: Number(since) }), ...(epoch === null ? {} : { epoch }) };
}

/** Answers an upgrade that will not happen with a JSON error, as the rest of the API does, and hangs up. */
function refuse(socket: Duplex, status: number, body: { code: string; message: string }, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  const reason = { 400: 'Bad Request', 404: 'Not Found', 503: 'Service Unavailable' }[status] ?? 'Error';
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(json)}`,
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${json}`);
}

/** What the wall socket serves from: the primary's feeds, or an edge's (fed from Redis). */
export interface WallSocketOptions {
  feeds: WallFeeds;
  sockets: SocketRegistry;
  screens: ScreenRegistry;
}

/**
 * The wall socket, `GET /ws/walls/:slug?since=&epoch=`: public, from any origin (a `<toile-wall>` on an
 * event's site opens it), carrying no cookie-backed power.
 *
 * Its upgrades are taken on Node's `upgrade` event, ahead of Fastify's router: a viewer needs none of what
 * a Fastify request brings (hooks, a child logger, a request and reply kept for the connection's life by
 * @fastify/websocket, a placeholder response tied to the TCP socket by Node). Through the router, a
 * reconnection cost the server 40 % more CPU than a bare ws server's (the reconnect-storm benchmark), and an
 * idle viewer 2.4 times the heap. Every other upgrade (the moderator socket) goes on to the router as before.
 * A handler attaches everything synchronously, so no frame can be missed.
 */
export async function wallSocketRoutes(app: FastifyInstance, { feeds, sockets, screens }: WallSocketOptions): Promise<void> {
  const onViewerError = (error: Error) => app.log.debug({ err: error }, 'wall socket error');
  /**
   * One listener per wall, shared by all its sockets (ws calls it with the socket as `this`): a viewer that
   * never sends anything costs no closure and no work; a screen's heartbeat goes to the screen registry.
   */
  const screenListeners = new Map<string, (this: WebSocket, data: RawData, isBinary: boolean) => void>();
  const screenListener = (slug: string) => {
    let listener = screenListeners.get(slug);
    if (!listener) {
      listener = function onScreenFrame(this: WebSocket, data: RawData, isBinary: boolean) {
        screens.receive(slug, this, data, isBinary);
      };
      screenListeners.set(slug, listener);
    }
    return listener;
  };
  let closing = false;

  /** Until ws takes the socket over, a reset by the client must not become an uncaught error. */
  function destroyOnError(this: Duplex): void {
    this.destroy();
  }

  function acceptViewer(request: IncomingMessage, socket: Duplex, head: Buffer, viewer: ViewerRequest): void {
    socket.on('error', destroyOnError);
    if ('status' in viewer) return refuse(socket, viewer.status, { code: viewer.code, message: viewer.message });
    if (closing) return refuse(socket, 503, { code: 'unavailable', message: 'Temporarily unavailable; retry shortly.' }, { 'Retry-After': '5' });
    const feed = feeds.get(viewer.slug);
    if (!feed) return refuse(socket, 404, { code: 'not_found', message: `Wall "${viewer.slug}" not found.` });
    app.websocketServer.handleUpgrade(request, socket, head, (ws) => {
      socket.removeListener('error', destroyOnError);
      const connection = sockets.add(ws, socket);
      const missed = feed.resumeFrame(viewer.since, viewer.epoch);
      if (missed.length > 0) connection.send(missed);
      const notice = feeds.notice;
      if (notice !== null) connection.send(notice);
      feed.add(connection);
      connection.group = feed;
      // Viewers mostly listen: a screen's heartbeat is recorded, anything else is ignored.
      ws.on('message', screenListener(feed.slug));
      ws.on('error', onViewerError);
    });
  }

  // @fastify/websocket has added its listener by now: it is called for every upgrade that is not a viewer's.
  app.addHook('onReady', async () => {
    const server = app.server;
    const others = server.listeners('upgrade') as UpgradeListener[];
    server.removeAllListeners('upgrade');
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const viewer = parseViewerRequest(request.url);
      if (viewer !== null) acceptViewer(request, socket, head, viewer);
      else for (const listener of others) listener.call(server, request, socket, head);
    });
  });
  app.addHook('preClose', async () => {
    closing = true;
  });
}
