import type { StoredEvent } from '../db/repositories/events.js';
import type { StoredMessage } from '../db/repositories/messages.js';
import { DELETED_BY_AUTHOR, transition, type ModerationAction } from '../domain/moderation.js';
import { toWallMessage } from '../domain/views.js';
import { conflict, notFound } from '../errors.js';
import type { ServiceContext } from './context.js';
import { publishChange } from './publisher.js';

/**
 * Applies one moderator decision: checks the expected version (two moderators on one card get a 409,
 * never a silent overwrite), changes the state, appends the wall event and the audit row in one
 * transaction, and publishes after commit.
 */
export function createModeration(ctx: ServiceContext) {
  const { repos } = ctx;

  return function moderate(id: number, action: ModerationAction, actor: string, expectedVersion?: number): StoredMessage {
    return repos.transaction(() => {
      const current = repos.messages.byId(id);
      if (!current) throw notFound(`Message ${id}`);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw conflict(
          'version_conflict',
          `Message ${id} was changed by ${current.decidedBy ?? 'someone else'} (now ${current.status}, version ${current.version}); reload it before deciding.`,
        );
      }
      // Its author took it back: neither showing it again nor queueing it for a decision would honour that.
      if ((action === 'approve' || action === 'requeue') && current.reasons.includes(DELETED_BY_AUTHOR)) {
        throw conflict('deleted_by_author', `Message ${id} was deleted by its author; it cannot be shown again.`);
      }
      const step = transition(current, action);
      if (!step.ok) throw conflict('invalid_transition', step.reason);
      const now = ctx.now().toISOString();
      const decides = action === 'approve' || action === 'reject' || action === 'hide';
      // A requeued message is undecided again (no decision time), but keeps the name of who sent it back,
      // so that a moderator whose decision then conflicts is told who changed it.
      const requeues = action === 'requeue';
      const changed = repos.messages.changeState(id, current.version, {
        status: step.next.status,
        pinned: step.next.pinned,
        decidedAt: decides ? now : requeues ? null : current.decidedAt,
        decidedBy: decides || requeues ? actor : current.decidedBy,
      });
      if (!changed) throw conflict('version_conflict', `Message ${id} was changed by someone else; reload it before deciding.`);
      const updated = repos.messages.byId(id)!;
      let wallEvent: StoredEvent | null = null;
      if (step.wallEvent !== null) {
        const type = step.wallEvent;
        wallEvent = repos.events.append(
          updated.wallId,
          type,
          (seq) => (type === 'approved' ? { type, seq, message: toWallMessage(updated) } : { type, seq, id }),
          now,
        );
      }
      repos.audit.append(
        { actor, action, wallId: updated.wallId, targetType: 'message', targetId: id, detail: { from: current.status, to: updated.status, version: updated.version } },
        now,
      );
      repos.afterCommit(() => publishChange(ctx.hub, updated, wallEvent));
      return updated;
    });
  };
}

export type Moderate = ReturnType<typeof createModeration>;

