import type { FastifyInstance } from 'fastify';
import { requireRole } from '../plugins/auth.js';
import { createRetention, type Retention } from '../services/retention.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The retention pass (see services/retention.ts), run hourly and by `POST /api/retention/run`. */
    retention: Retention;
  }
}

/** How often the retention pass runs: walls reach their date at any hour, and a pass that finds nothing is cheap. */
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

const wallReport = {
  type: 'object',
  properties: {
    slug: { type: 'string' },
    erasedAddresses: { type: 'integer' },
    deletedPayloads: { type: 'integer' },
    removedImages: { type: 'integer' },
  },
} as const;

const report = {
  type: 'object',
  properties: { walls: { type: 'array', items: wallReport }, at: { type: 'string' } },
} as const;

/**
 * Retention's schedule and its route, on the root instance like the SMTP receiver: a pass once the app is
 * ready (a server that was down on the day still erases), then every hour until the app closes. A failing
 * pass (the database busy, a disk error) is logged and tried again at the next one; it never throws out of
 * the timer.
 */
export function registerRetention(app: FastifyInstance): void {
  const { toile } = app;
  const log = app.log.child({ component: 'retention' });
  const retention = createRetention({ repos: toile.repos, hub: toile.hub, now: toile.now }, toile.media.dir, log);
  app.decorate('retention', retention);

  let timer: NodeJS.Timeout | undefined;
  function runLogged(): void {
    try {
      retention.run();
    } catch (error) {
      log.error({ err: error }, 'retention failed; retrying at the next run');
    }
  }
  app.addHook('onReady', async () => {
    runLogged();
    timer = setInterval(runLogged, RETENTION_INTERVAL_MS);
    timer.unref();
  });
  // Before onClose closes the database.
  app.addHook('preClose', async () => clearInterval(timer));

  app.post(
    '/api/retention/run',
    { onRequest: requireRole('admin'), schema: { response: { 200: report } } },
    async () => retention.run(),
  );
}
