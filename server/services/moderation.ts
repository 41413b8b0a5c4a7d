import type { StoredEvent } from '../db/repositories/events.js';
import type { StoredMessage } from '../db/repositories/messages.js';
import { DELETED_BY_AUTHOR, transition, type ModerationAction } from '../domain/moderation.js';
import { toWallMessage } from '../domain/views.js';
import { conflict, notFound, wallArchived } from '../errors.js';
import type { ServiceContext } from './context.js';
import { publishChange } from './publisher.js';

/**
 * Applies one moderator decision: checks the expected version (two moderators on one card get a 409,
 * never a silent overwrite), changes the state, appends the wall event and the audit row in one
 * transaction, and publishes after commit.
 */
export function createModeration(ctx: ServiceContext, onFirstDecision: (message: StoredMessage, seconds: number) => void = () => undefined) {
  const { repos } = ctx;

  return function moderate(id: number, action: ModerationAction, actor: string, expectedVersion?: number): StoredMessage {
    return repos.transaction(() => {
      const current = messageAtVersion(repos, id, expectedVersion);
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
      // How long moderators take, for the metrics: a person's first decision on what waited for one.
      if (decides && current.status === 'pending' && actor !== 'system') {
        const seconds = Math.max(0, (Date.parse(now) - Date.parse(updated.receivedAt)) / 1000);
        repos.afterCommit(() => onFirstDecision(updated, seconds));
      }
      return updated;
    });
  };
}

export type Moderate = ReturnType<typeof createModeration>;

/**
 * A moderator's choice to show a post behind its author's content warning on the wall, or to hide it behind
 * the warning again. Checked, audited (`message.reveal`) and published like a decision: the moderators'
 * queues see the change, and an approved post on screen is announced again as an `approved` event with the
 * same id, so that every screen redraws it in place. (An approved post further back is not announced: an
 * `approved` event for an id a screen does not hold would put an old message back on it.) A post deleted by
 * its author is never shown again; an author's edit puts the post back behind its warning (see `revise`).
 */
export function createReveal(ctx: ServiceContext) {
  const { repos } = ctx;

  return function reveal(id: number, revealed: boolean, actor: string, expectedVersion?: number): StoredMessage {
    return repos.transaction(() => {
      const current = messageAtVersion(repos, id, expectedVersion);
      if (current.reasons.includes(DELETED_BY_AUTHOR)) {
        throw conflict('deleted_by_author', `Message ${id} was deleted by its author; it cannot be shown again.`);
      }
      if (current.contentWarning === null) {
        throw conflict('no_content_warning', `Message ${id} has no content warning: there is nothing to show or hide behind one.`);
      }
      // Asking for what already is changes nothing, and is not audited.
      if (current.contentRevealed === revealed) return current;
      if (!repos.messages.setRevealed(id, current.version, revealed)) {
        throw conflict('version_conflict', `Message ${id} was changed by someone else; reload it before deciding.`);
      }
      const updated = repos.messages.byId(id)!;
      const now = ctx.now().toISOString();
      const wall = repos.walls.byId(updated.wallId)!;
      const onScreen =
        updated.status === 'approved' && repos.messages.visible(wall.id, wall.settings.displayLimit).some((message) => message.id === id);
      const wallEvent = onScreen
        ? repos.events.append(wall.id, 'approved', (seq) => ({ type: 'approved', seq, message: toWallMessage(updated) }), now)
        : null;
      repos.audit.append(
        { actor, action: 'message.reveal', wallId: updated.wallId, targetType: 'message', targetId: id, detail: { revealed, status: updated.status, version: updated.version } },
        now,
      );
      repos.afterCommit(() => publishChange(ctx.hub, updated, wallEvent));
      return updated;
    });
  };
}

export type Reveal = ReturnType<typeof createReveal>;

/**
 * The message a moderator acts on, as they last saw it: 404 when unknown, 409 when someone changed it since
 * or when its wall is archived (the record of the event is not edited; unarchive the wall first).
 */
function messageAtVersion(repos: ServiceContext['repos'], id: number, expectedVersion: number | undefined): StoredMessage {
  const current = repos.messages.byId(id);
  if (!current) throw notFound(`Message ${id}`);
  const wall = repos.walls.byId(current.wallId);
  if (wall && wall.archivedAt !== null) throw wallArchived(wall.slug);
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw conflict(
      'version_conflict',
      `Message ${id} was changed by ${current.decidedBy ?? 'someone else'} (now ${current.status}, version ${current.version}); reload it before deciding.`,
    );
  }
  return current;
}
