import type { Repositories } from '../db/repositories/index.js';
import type { Hub, HubEvent } from '../realtime/hub.js';

/** What every service is built from: the repositories, the hub and the clock. */
export interface ServiceContext {
  repos: Repositories;
  hub: Hub<HubEvent>;
  now: () => Date;
}
