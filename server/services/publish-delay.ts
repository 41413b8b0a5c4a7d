import type { ServiceContext } from './context.js';
import type { Moderate } from './moderation.js';
import { AppError } from '../errors.js';

/** The actor recorded in the audit log for messages the delay lane published. */
export const PUBLISH_DELAY_ACTOR = 'system:publish-delay';
const BATCH = 100;

/**
 * The publish-delay lane: approves the delayed messages whose time has come. A moderator who rejected
 * (or approved) one in the meantime changed its status, so it is no longer due: that is the veto.
 */
export function createPublishDelay(ctx: ServiceContext, moderate: Moderate) {
  return function publishDue(): number {
    let published = 0;
    for (const { id, version } of ctx.repos.messages.duePublications(ctx.now().toISOString(), BATCH)) {
      try {
        moderate(id, 'approve', PUBLISH_DELAY_ACTOR, version);
        published += 1;
      } catch (error) {
        // A moderator decided between the query and the approval: their decision stands.
        if (!(error instanceof AppError && error.statusCode === 409)) throw error;
      }
    }
    return published;
  };
}
