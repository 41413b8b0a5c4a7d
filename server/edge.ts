import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { Gauge } from 'prom-client';
import { EdgeMirror } from './cluster/edge-mirror.js';
import { ClusterKeys, connectRedis, type PrimaryBeat } from './cluster/redis.js';
import { shareScreens } from './cluster/screens-share.js';
import type { Config } from './config.js';
import { loggerOptions } from './logger.js';
import { createMetrics } from './metrics.js';
import { defaultClientDir } from './paths.js';
import { registerErrorHandler } from './plugins/error-handler.js';
import { registerValidation } from './plugins/validation.js';
import { registerWebsocket } from './plugins/websocket.js';
import { createInProcessHub, type HubEvent } from './realtime/hub.js';
import { DEFAULT_SCREEN_LIMITS, ScreenRegistry, type ScreenLimits } from './realtime/screens.js';
import { DEFAULT_SOCKET_POLICY, SocketRegistry, type SocketPolicy } from './realtime/sockets.js';
import { DEFAULT_FAN_OUT, type FanOutOptions } from './realtime/wall-feed.js';
import { notFound } from './errors.js';
import { contributeUrlRoutes } from './routes/contribute-url.js';
import { bearer } from './routes/metrics.js';
import { pageRoutes } from './routes/pages.js';
import { slugParams, type SlugParams } from './routes/schemas.js';
import { reloadScreens } from './routes/screens.js';
import { wallEventsRoutes } from './routes/wall-events.js';
import { wallSocketRoutes } from './routes/wall-socket.js';
import { safeEqual } from './services/auth.js';

export interface EdgeOptions {
  config: Config;
  logger?: FastifyServerOptions['logger'];
  clientDir?: string;
  socketPolicy?: Partial<SocketPolicy>;
  fanOut?: Partial<FanOutOptions>;
  screenLimits?: Partial<ScreenLimits>;
}

/** The routes an edge serves, as its 404s name them. */
const EDGE_ROUTES = '/w/:slug, /ws/walls/:slug, /api/walls/:slug/events, GET /api/walls/:slug and its contribute-url';

/**
 * An edge (`TOILE_ROLE=edge`, `npm run start:edge`): walls only, read from Redis, no database. It serves
 * `/ws/walls/:slug`, `/api/walls/:slug/events`, `/w/:slug` and the built client (and the wall's public
 * settings and form address, which the wall page asks for), with the same protocol and
 * resume semantics as the primary, and answers everything else with a 404 that names the primary. A load
 * balancer in front sends those routes to the edges and the rest to the primary (docker-compose.yml).
 */
export async function buildEdgeApp(options: EdgeOptions): Promise<FastifyInstance> {
  const { config } = options;
  if (config.redisUrl === undefined) throw new Error('an edge needs REDIS_URL');
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.logLevel),
    trustProxy: config.trustProxy,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  registerValidation(app);
  const primary = config.primaryUrl === undefined ? 'the primary' : `the primary (${config.primaryUrl})`;
  registerErrorHandler(app, (method, path) => `This is a Toile edge: it serves ${EDGE_ROUTES} only. ${method} ${path} is served by ${primary}.`);

  const log = app.log.child({ component: 'edge' });
  const keys = new ClusterKeys(config.redisPrefix);
  // Blocking reads hold their connection; the metrics ask on a second one.
  const redis = connectRedis(config.redisUrl, 'toile-edge', log);
  const queries = connectRedis(config.redisUrl, 'toile-edge-queries', { warn: () => undefined, info: () => undefined }, { commandTimeout: 2000 });
  const sockets = new SocketRegistry({ ...DEFAULT_SOCKET_POLICY, ...options.socketPolicy });
  const screens = new ScreenRegistry(() => Date.now(), { ...DEFAULT_SCREEN_LIMITS, ...options.screenLimits });
  const hub = createInProcessHub<HubEvent>((error, channel) => app.log.error({ err: error, channel }, 'hub listener failed'));
  const mirror = new EdgeMirror(
    redis,
    keys,
    hub,
    log,
    (slug, screen) => reloadScreens(mirror.feeds, screens, slug, screen),
    { ...DEFAULT_FAN_OUT, ...options.fanOut },
    (error) => app.log.warn({ err: error }, 'dropped a wall viewer that failed'),
  );
  const { feeds } = mirror;
  const metrics = createMetrics({ feeds, sockets });
  registerEdgeMetrics(metrics.registry, mirror, queries, keys);

  // The console lists every screen and counts every viewer, this edge's too: it copies them to Redis.
  const stopSharing = shareScreens(queries, keys, screens, feeds, `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`);
  let running: Promise<void> | null = null;
  app.addHook('onReady', async () => {
    running = mirror.run();
  });
  app.addHook('onClose', async () => {
    stopSharing();
    mirror.close();
    redis.disconnect();
    queries.disconnect();
    await running;
  });

  await registerWebsocket(app, sockets);
  await app.register(wallSocketRoutes, { feeds, sockets, screens });
  await app.register(wallEventsRoutes, { feeds });
  // What a wall page asks besides its socket, so that it opens on an edge even while the primary is away.
  await app.register(contributeUrlRoutes, { config, wallExists: (slug) => feeds.get(slug) !== undefined });
  app.get<{ Params: SlugParams }>('/api/walls/:slug', { schema: { params: slugParams } }, async (request, reply) => {
    const feed = feeds.get(request.params.slug);
    if (!feed) throw notFound(`Wall "${request.params.slug}"`);
    return reply.header('access-control-allow-origin', '*').send(feed.wall);
  });
  await app.register(pageRoutes, { clientDir: options.clientDir ?? defaultClientDir(), wallsOnly: true });

  // Ready once every wall is loaded: a load balancer sends no viewer to an edge that would refuse it. Once
  // ready it stays so while Redis is away, since it keeps serving what it has (marked stale).
  app.get('/healthz', async (_request, reply) => {
    const state = { role: 'edge', redis: mirror.redisUp ? 'up' : 'down', primary: mirror.primaryUp ? 'up' : 'silent', stale: mirror.isStale };
    if (!mirror.loaded) return reply.code(503).send({ status: 'starting', ...state });
    return { status: 'ok', ...state };
  });
  // No accounts here: only a scraper holding TOILE_METRICS_TOKEN may read the edge's metrics.
  app.get('/metrics', async (request, reply) => {
    const token = bearer(request);
    if (config.metricsToken === undefined || token === undefined || !safeEqual(token, config.metricsToken)) {
      return reply.code(401).send({ code: 'unauthorized', message: 'An edge\'s metrics need "Authorization: Bearer" with TOILE_METRICS_TOKEN.' });
    }
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
  app.get('/', async (_request, reply) => reply.code(404).send({ code: 'not_found', message: `This is a Toile edge: walls are at /w/:slug; the console is on ${primary}.` }));
  return app;
}

/**
 * What an edge adds to the usual metrics: whether it reads Redis, and per wall how far behind the primary
 * it is, in events (the stream's last seq against the feed's, read at scrape time) and in time (how long its
 * last event took from the primary's publish to this edge).
 */
function registerEdgeMetrics(registry: import('prom-client').Registry, mirror: EdgeMirror, queries: import('ioredis').Redis, keys: ClusterKeys): void {
  const registers = [registry];
  new Gauge({
    name: 'toile_edge_redis_up',
    help: 'Whether this edge reads the walls from Redis (1), or serves them stale because Redis is unreachable (0).',
    registers,
    collect() {
      this.set(mirror.redisUp ? 1 : 0);
    },
  });
  new Gauge({
    name: 'toile_edge_stale',
    help: 'Whether this edge tells its viewers that what they see may be behind (1): Redis or the primary is away, or it is catching up.',
    registers,
    collect() {
      this.set(mirror.isStale ? 1 : 0);
    },
  });
  new Gauge({
    name: 'toile_edge_lag_seq',
    help: 'Events of a wall the primary has committed (its heartbeat in Redis) that this edge has not yet handed to its viewers.',
    labelNames: ['wall'],
    registers,
    async collect() {
      this.reset();
      if (queries.status !== 'ready') return;
      const stored = await queries.get(keys.primary).catch(() => null);
      if (stored === null) return;
      const beat = JSON.parse(stored) as PrimaryBeat;
      for (const [slug, seq] of Object.entries(beat.seqs)) {
        const feed = mirror.feeds.peek(slug);
        if (feed && feed.epoch === beat.epoch) this.set({ wall: slug }, Math.max(0, seq - feed.seq));
      }
    },
  });
  new Gauge({
    name: 'toile_edge_lag_seconds',
    help: 'How long the last event of a wall took from the primary publishing it to this edge.',
    labelNames: ['wall'],
    registers,
    collect() {
      this.reset();
      for (const slug of mirror.slugs) {
        const delay = mirror.lastDelayMs(slug);
        if (delay !== undefined) this.set({ wall: slug }, delay / 1000);
      }
    },
  });
}
