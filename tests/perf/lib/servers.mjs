// The two servers every wall benchmark compares, each run in a server process of its own:
// - Toile, the compiled app (dist/server) as `npm start` runs it, with its production logger writing to
//   the process's stdout (a sink here) and a fresh SQLite file (in cluster mode when `env` has REDIS_URL);
//   and, for the cluster benchmark, a Toile edge reading the walls from Redis (`startEdge`);
// - the baseline: a bare `ws` server that broadcasts what it is posted, framed once with ws's own
//   `Sender.frame` and written as the same bytes to every socket: the floor that no wall server can beat.
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Sender, WebSocketServer } from 'ws';
import { processHandlers } from './processes.mjs';

export const WALL = 'capcomnet';

/** The handlers of a Toile server process; `url` is where it listens. */
export async function startToile({ root, dataDir, env = {} }) {
  const load = (path) => import(pathToFileURL(join(root, 'dist', 'server', path)).href);
  const [{ buildApp, LISTEN_BACKLOG }, { parseConfig }, { loggerOptions }] = await Promise.all([load('app.js'), load('config.js'), load('logger.js')]);
  const config = parseConfig({ TOILE_DATA_DIR: dataDir, TOILE_ADMIN_PASSWORD: 'bench admin password', PORT: '0', ...env });
  const app = await buildApp({ config, logger: loggerOptions('info') });
  // As server/main.ts listens.
  await app.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG });
  const url = `http://127.0.0.1:${app.server.address().port}`;
  app.toile.config.publicUrl = url;
  const token = app.toile.auth.createToken('bench', 'admin', 'bench').token;
  const auth = { authorization: `Bearer ${token}` };
  let seeded = 0;
  return {
    url,
    handlers: {
      ...processHandlers,
      info: () => ({ url, token, wall: WALL }),
      /**
       * Stores `count` pending messages through the API bridge; returns their ids, oldest first. `long`
       * makes each as long as Toile keeps (500 graphemes, accents and emoji: about 1.3 KB on the wire).
       */
      async seed({ count, textLength = 120, long = false }) {
        const ids = [];
        for (let i = 0; i < count; i += 1) {
          const n = seeded++;
          // Distinct senders and texts, so that no moderation rule holds them; a typical post's length.
          const text = long
            ? longText(`Message ${n} : bravo pour la table ronde sur la communication publique 👏🎤 `)
            : `Message ${n} from the room: ${'the keynote on public service communication was great #capcomnet '.repeat(4)}`.slice(0, textLength);
          const response = await app.inject({
            method: 'POST',
            url: `/api/walls/${WALL}/messages`,
            headers: auth,
            payload: { externalId: `bench-${n}`, author: { name: `Attendee ${n}` }, text },
          });
          if (response.statusCode !== 201) throw new Error(`seeding was answered ${response.statusCode}: ${response.body}`);
          ids.push(response.json().id);
        }
        return ids;
      },
      viewers: () => app.toile.feeds.viewerCount(),
      async close() {
        await app.close();
      },
    },
  };
}

/**
 * The handlers of a Toile edge (`TOILE_ROLE=edge`), the compiled app as `npm run start:edge` runs it, with
 * its production logger writing to a sink: walls only, read from Redis. `env` carries REDIS_URL and
 * TOILE_REDIS_PREFIX. Resolves once the edge answers /healthz 200 and serves the benchmark's wall: start
 * the primary first, and the edge once the primary has published the wall to Redis.
 */
export async function startEdge({ root, env = {}, timeoutMs = 20_000 }) {
  const load = (path) => import(pathToFileURL(join(root, 'dist', 'server', path)).href);
  const [{ buildEdgeApp }, { LISTEN_BACKLOG }, { parseConfig }, { loggerOptions }] = await Promise.all([
    load('edge.js'),
    load('app.js'),
    load('config.js'),
    load('logger.js'),
  ]);
  const metricsToken = 'bench-metrics-token-0123456789';
  const config = parseConfig({ TOILE_ROLE: 'edge', PORT: '0', TOILE_METRICS_TOKEN: metricsToken, ...env });
  const app = await buildEdgeApp({ config, logger: loggerOptions('info') });
  await app.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG });
  const url = `http://127.0.0.1:${app.server.address().port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    const wall = health.statusCode === 200 ? await app.inject({ method: 'GET', url: `/api/walls/${WALL}/events` }) : null;
    if (wall?.statusCode === 200) break;
    if (Date.now() > deadline) throw new Error(`the edge did not serve wall ${WALL} within ${timeoutMs} ms (healthz ${health.statusCode} ${health.body})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    handlers: {
      ...processHandlers,
      info: () => ({ url, wall: WALL }),
      /** The viewers of the wall, from the edge's own metrics. */
      async viewers() {
        const response = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } });
        const line = response.body.split('\n').find((l) => l.startsWith(`toile_wall_viewers{wall="${WALL}"}`));
        return line ? Number(line.split(' ').pop()) : 0;
      },
      async close() {
        await app.close();
      },
    },
  };
}

/** `phrase` repeated to the 500 graphemes a contribution may hold. */
function longText(phrase) {
  const graphemes = [...new Intl.Segmenter('fr', { granularity: 'grapheme' }).segment(phrase.repeat(20))].map((g) => g.segment);
  return graphemes.slice(0, 500).join('');
}

/** The handlers of the bare `ws` baseline. `POST /broadcast` sends its body, framed once, to every socket. */
export async function startBare() {
  const sockets = new Set();
  let greetingFrame = null;
  const frame = (data) =>
    Buffer.concat(Sender.frame(Buffer.from(data), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false }));
  const broadcast = (bytes) => {
    for (const socket of sockets) socket.write(bytes);
  };
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/broadcast') broadcast(frame(Buffer.concat(chunks)));
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok');
    });
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws, request) => {
    const socket = request.socket;
    sockets.add(socket);
    ws.once('close', () => sockets.delete(socket));
    if (greetingFrame) for (const bytes of greetingFrame) socket.write(bytes);
  });
  // The same accept queue as Toile's (server/app.ts, LISTEN_BACKLOG).
  await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    handlers: {
      ...processHandlers,
      info: () => ({ url }),
      /** What every new socket is sent first (a reconnecting viewer's missed events), framed once, in one write. */
      greet({ frames }) {
        greetingFrame = [Buffer.concat(frames.map((text) => frame(text)))];
      },
      viewers: () => sockets.size,
      close: () =>
        new Promise((resolve) => {
          for (const socket of sockets) socket.destroy();
          wss.close();
          server.close(resolve);
        }),
    },
  };
}
