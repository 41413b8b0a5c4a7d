import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { ClusterKeys, connectRedis, type StoredSnapshot } from './cluster/redis.js';
import { edgeShares } from './cluster/screens-share.js';
import { StreamPublisher } from './cluster/stream-publisher.js';
import type { Config } from './config.js';
import { openDatabase } from './db/database.js';
import { loadMigrations, migrate } from './db/migrate.js';
import { createRepositories, type Repositories } from './db/repositories/index.js';
import { toWallMessage } from './domain/views.js';
import { publicWall, type Wall } from './domain/wall.js';
import { loggerOptions } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { defaultClientDir, defaultMigrationsDir } from './paths.js';
import { registerAuth } from './plugins/auth.js';
import { registerErrorHandler } from './plugins/error-handler.js';
import { registerWebsocket } from './plugins/websocket.js';
import { registerValidation } from './plugins/validation.js';
import { createInProcessHub, type Hub, type HubEvent } from './realtime/hub.js';
import { DEFAULT_SCREEN_LIMITS, ScreenRegistry, type ScreenLimits } from './realtime/screens.js';
import { DEFAULT_SOCKET_POLICY, SocketRegistry, type SocketPolicy } from './realtime/sockets.js';
import { DEFAULT_FAN_OUT, WallFeeds, type FanOutOptions, type WallStateSource } from './realtime/wall-feed.js';
import { authRoutes } from './routes/auth.js';
import { contributeUrlRoutes } from './routes/contribute-url.js';
import { displayRoutes } from './routes/display.js';
import { exportRoutes } from './routes/export.js';
import { healthRoutes } from './routes/health.js';
import { ingestApiRoutes } from './routes/ingest-api.js';
import { mailgunRoutes } from './routes/ingest-mailgun.js';
import { postmarkRoutes } from './routes/ingest-postmark.js';
import { sendgridRoutes } from './routes/ingest-sendgrid.js';
import { smsGatewayRoutes } from './routes/ingest-sms-gateway.js';
import { sourceRoutes } from './routes/sources.js';
import { twilioRoutes } from './routes/ingest-twilio.js';
import { vonageRoutes } from './routes/ingest-vonage.js';
import { mediaRoutes } from './routes/media.js';
import { metricsRoutes } from './routes/metrics.js';
import { moderationRoutes } from './routes/moderation.js';
import { pageRoutes } from './routes/pages.js';
import { realtimeRoutes } from './routes/realtime.js';
import { registerRetention } from './routes/retention.js';
import { registerErasure } from './routes/erasure.js';
import { wallEventsRoutes } from './routes/wall-events.js';
import { wallSocketRoutes } from './routes/wall-socket.js';
import { screenRoutes } from './routes/screens.js';
import { statsRoutes } from './routes/stats.js';
import { senderRoutes } from './routes/senders.js';
import { wallImageRoutes } from './routes/wall-images.js';
import { wallRoutes } from './routes/walls.js';
import { createAuth, randomToken, type Auth } from './services/auth.js';
import type { ServiceContext } from './services/context.js';
import { createEmailReceiver, type EmailReceiver } from './services/email-receiver.js';
import { createIngest, type Ingest } from './services/ingest.js';
import { createMediaStore, DEFAULT_MEDIA_LIMITS, type MediaLimits, type MediaStore } from './services/media.js';
import { createModeration, type Moderate } from './services/moderation.js';
import { createPublishDelay } from './services/publish-delay.js';
import { createSmsReceiver, type SmsReceiver } from './services/sms.js';
import { createStats, type WallStats } from './services/stats.js';
import { createSocialIntake, type SocialIntake } from './services/social.js';
import { createWalls, type Walls } from './services/walls.js';
import { registerSmtpReceiver } from './smtp/receiver.js';
import { SourceManager } from './sources/manager.js';
import { SOURCE_RUNNERS } from './sources/runners.js';
import { DEFAULT_SOURCE_TIMING, type SourceTiming } from './sources/types.js';

export interface Limits {
  /** Login attempts per client IP per minute. */
  loginPerMinute: number;
  /** Web form contributions per browser per minute (per IP for a client without the form's cookie). */
  contributePerMinute: number;
  /** Web form contributions per IP per minute, all browsers together: a venue's Wi-Fi is one IP. */
  contributePerIpPerMinute: number;
}

/**
 * How many connections may wait to be accepted. Node's default (511) overflows when a room's phones all
 * reconnect after a network blip: the kernel then drops the surplus, and each retries a second later.
 * Linux caps it at net.core.somaxconn (4096 on current kernels).
 */
export const LISTEN_BACKLOG = 4096;

export interface AppOptions {
  config: Config;
  /** Fastify logger options; defaults to pino at the configured level with Toile's redaction. */
  logger?: FastifyServerOptions['logger'];
  /** The clock, replaceable in tests. */
  now?: () => Date;
  migrationsDir?: string;
  clientDir?: string;
  socketPolicy?: Partial<SocketPolicy>;
  /** How wall events reach viewers (ring size, slice size), replaceable in tests. */
  fanOut?: Partial<FanOutOptions>;
  /** How screens' heartbeats are taken and kept; tests shrink the intervals. */
  screenLimits?: Partial<ScreenLimits>;
  limits?: Partial<Limits>;
  mediaLimits?: Partial<MediaLimits>;
  /** How fast social sources poll and retry; tests shrink it. */
  sourceTiming?: Partial<SourceTiming>;
}

/** What the first start created, so that main can tell the organiser once. */
export interface Bootstrap {
  createdAdmin: boolean;
  /** Set only when the admin password was generated rather than configured. */
  generatedPassword?: string;
  createdWall?: string;
}

export interface Toile {
  config: Config;
  /** The clock every service uses (replaceable in tests): signature windows must use it too. */
  now: () => Date;
  repos: Repositories;
  hub: Hub<HubEvent>;
  /** Cluster mode (`REDIS_URL`): what appends every wall event to Redis for the edges; null otherwise. */
  cluster: StreamPublisher | null;
  feeds: WallFeeds;
  sockets: SocketRegistry;
  /** Prometheus metrics, read from the feeds and sockets at scrape time (`GET /metrics`). */
  metrics: Metrics;
  /** The wall screens that report themselves (heartbeats on the wall socket), for the console. */
  screens: ScreenRegistry;
  ingest: Ingest;
  /** The SMS providers' common path: keywords, throttling, then `ingest`. */
  sms: SmsReceiver;
  /** The email intakes' common path: automatic mail refused, images stored, then `ingest`. */
  email: EmailReceiver;
  media: MediaStore;
  /** The social sources of every wall (Mastodon, Bluesky, X), run under the app's lifecycle. */
  sources: SourceManager;
  /** How posts enter, change and are retracted by their authors (social sources and API bridges). */
  social: SocialIntake;
  moderate: Moderate;
  /** A wall's numbers now (`GET /api/walls/:slug/stats`). */
  stats: (wall: Wall) => Promise<WallStats>;
  /** Approves the delayed messages that are due; runs every second, callable directly in tests. */
  publishDue: () => number;
  walls: Walls;
  auth: Auth;
  epoch: string;
  clientDir: string;
  limits: Limits;
  bootstrap: Bootstrap;
}

declare module 'fastify' {
  interface FastifyInstance {
    toile: Toile;
  }
}

const DEFAULT_LIMITS: Limits = { loginPerMinute: 10, contributePerMinute: 6, contributePerIpPerMinute: 120 };

/**
 * Builds Toile: opens and migrates the database, wires the services and routes, and creates the admin
 * and the first wall on an empty database. It never listens; `main.ts` and the tests do.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const now = options.now ?? (() => new Date());
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.logLevel),
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Shut down promptly: idle keep-alive connections are closed at once, in-flight requests finish.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  registerValidation(app);
  // An empty body sent as JSON (a script's `POST …/approve` with the header but no data) means "no body";
  // anything else goes through Fastify's own parser, with its prototype-poisoning protection.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body as string, done);
  });

  const db = openDatabase(join(config.dataDir, 'toile.db'));
  try {
    migrate(db, loadMigrations(options.migrationsDir ?? defaultMigrationsDir()));
  } catch (error) {
    db.close();
    throw error;
  }
  const repos = createRepositories(db, (error) => app.log.error({ err: error }, 'publishing a committed change failed'));
  const epoch = repos.meta.epoch(now().toISOString());
  const fanOut: FanOutOptions = { ...DEFAULT_FAN_OUT, ...options.fanOut };
  const snapshotOf = (wall: Wall): StoredSnapshot => ({
    epoch,
    wall: publicWall(wall),
    seq: wall.lastSeq,
    items: repos.messages.visible(wall.id, wall.settings.displayLimit).map(toWallMessage),
  });
  const source: WallStateSource = {
    load(slug) {
      const wall = repos.walls.bySlug(slug);
      return wall && { ...snapshotOf(wall), recent: repos.events.recent(wall.id, fanOut.ringSize) };
    },
  };
  const localHub = createInProcessHub<HubEvent>((error, channel) => app.log.error({ err: error, channel }, 'hub listener failed'));
  let cluster: StreamPublisher | null = null;
  if (config.redisUrl !== undefined) {
    const log = app.log.child({ component: 'cluster' });
    const redis = connectRedis(config.redisUrl, 'toile-primary', log, { commandTimeout: 5000 });
    cluster = new StreamPublisher(redis, new ClusterKeys(config.redisPrefix), repos, epoch, snapshotOf, log);
    const publisher = cluster;
    app.addHook('onClose', async () => {
      publisher.close();
      await redis.quit().catch(() => redis.disconnect());
    });
  }
  const hub = cluster ? cluster.tap(localHub) : localHub;
  const ctx: ServiceContext = { repos, hub, now };
  const sockets = new SocketRegistry({ ...DEFAULT_SOCKET_POLICY, ...options.socketPolicy });
  const feeds = new WallFeeds(source, hub, fanOut, (error) => app.log.warn({ err: error }, 'dropped a wall viewer that failed'));
  const metrics = createMetrics({ feeds, sockets, messageCounts: () => repos.stats.counts() });
  const moderate = createModeration(ctx, (message, seconds) => metrics.decided(message.wallSlug, seconds));
  const ingest = createIngest(ctx, metrics.ingested);
  const social = createSocialIntake(ctx, ingest, (error, source) =>
    app.log.warn({ err: error, source: source.id, kind: source.kind }, 'skipped a social post that could not be stored'),
  );
  const media = createMediaStore(repos, config.dataDir, { ...DEFAULT_MEDIA_LIMITS, ...options.mediaLimits }, now);
  const toile: Toile = {
    config,
    now,
    repos,
    hub,
    cluster,
    feeds,
    sockets,
    metrics,
    screens: new ScreenRegistry(() => now().getTime(), { ...DEFAULT_SCREEN_LIMITS, ...options.screenLimits }),
    ingest,
    sms: createSmsReceiver(ctx, ingest, { perSenderPerMinute: config.smsPerMinute }),
    media,
    email: createEmailReceiver(ctx, ingest, media),
    social,
    sources: new SourceManager(ctx, social, SOURCE_RUNNERS, { ...DEFAULT_SOURCE_TIMING, ...options.sourceTiming }, app.log.child({ component: 'sources' })),
    moderate,
    publishDue: createPublishDelay(ctx, moderate),
    // In cluster mode most viewers watch through the edges, which report their counts through Redis.
    stats: createStats(ctx, async (slug) => {
      const here = feeds.peek(slug)?.viewerCount ?? 0;
      return cluster ? here + (await edgeShares(cluster.redis, cluster.keys, slug)).viewers : here;
    }),
    walls: createWalls(ctx),
    auth: createAuth(ctx),
    epoch,
    clientDir: options.clientDir ?? defaultClientDir(),
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    bootstrap: { createdAdmin: false },
  };
  app.decorate('toile', toile);
  const publishTimer = setInterval(() => {
    try {
      toile.publishDue();
    } catch (error) {
      app.log.error({ err: error }, 'publish-delay lane failed; retrying in a second');
    }
  }, 1000);
  publishTimer.unref();
  // Sources start once the app is ready to serve (not while tests build it only to inject requests) and
  // stop before the database closes, so that what they were storing is committed or not started.
  app.addHook('onReady', async () => toile.sources.startAll());
  app.addHook('onClose', async () => {
    await toile.sources.close();
    clearInterval(publishTimer);
    toile.feeds.close();
    db.close();
  });

  registerErrorHandler(app);
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  await registerWebsocket(app, sockets);
  registerAuth(app, toile.auth);

  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  await app.register(authRoutes);
  await app.register(wallRoutes);
  await app.register(contributeUrlRoutes, { config, wallExists: (slug) => repos.walls.bySlug(slug) !== undefined });
  await app.register(displayRoutes);
  await app.register(ingestApiRoutes);
  // Each provider's plugin registers its own body parsers, encapsulated: nothing else takes form bodies.
  await app.register(twilioRoutes);
  await app.register(vonageRoutes);
  await app.register(smsGatewayRoutes);
  await app.register(mailgunRoutes);
  await app.register(sendgridRoutes);
  await app.register(postmarkRoutes);
  registerSmtpReceiver(app);
  await app.register(sourceRoutes);
  await app.register(mediaRoutes);
  await app.register(wallImageRoutes);
  await app.register(moderationRoutes);
  await app.register(senderRoutes);
  await app.register(exportRoutes);
  await app.register(realtimeRoutes);
  await app.register(wallSocketRoutes, { feeds, sockets, screens: toile.screens });
  await app.register(wallEventsRoutes, {
    feeds,
    olderEvents: (slug, since, limit) => {
      const wall = repos.walls.bySlug(slug);
      return wall ? repos.events.since(wall.id, since, limit).map((event) => event.json) : [];
    },
  });
  await app.register(screenRoutes);
  registerRetention(app);
  registerErasure(app);
  await app.register(statsRoutes);
  await app.register(pageRoutes, { clientDir: toile.clientDir });

  toile.bootstrap = await bootstrap(toile, config.adminPassword);
  return app;
}

/** On an empty database: the `admin` user and the `capcomnet` wall, so a new organiser can start at once. */
async function bootstrap(toile: Toile, configuredPassword: string | undefined): Promise<Bootstrap> {
  const result: Bootstrap = { createdAdmin: false };
  if (toile.repos.users.count() === 0) {
    const password = configuredPassword ?? randomToken().slice(0, 20);
    await toile.auth.createUser('admin', password, 'admin', 'system');
    result.createdAdmin = true;
    if (configuredPassword === undefined) result.generatedPassword = password;
  }
  if (toile.repos.walls.count() === 0) {
    toile.walls.create({ slug: 'capcomnet', title: 'Cap’Com', hashtags: ['capcomnet'], moderation: 'pre' }, 'system', true);
    result.createdWall = 'capcomnet';
  }
  return result;
}
