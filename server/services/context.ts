import type { FastifyBaseLogger } from 'fastify';
import type { Repositories } from '../db/repositories/index.js';
import type { Hub, HubEvent } from '../realtime/hub.js';

/** What every service is built from: the repositories, the hub, the clock and a logger. */
export interface ServiceContext {
  repos: Repositories;
  hub: Hub<HubEvent>;
  now: () => Date;
  log: FastifyBaseLogger;
}
