import type { MessageStatus } from './message.js';

/**
 * The moderation state machine. A message arrives pending (or approved, on a post-moderated wall);
 * a moderator approves or rejects it; an approved message can be hidden, pinned and unpinned. Rejected
 * and hidden messages can be approved again, and any decided message can be requeued (sent back to
 * pending), so that a decision can be undone whichever it was.
 */
/** The reason a message is off every screen for good: its author deleted the post. */
export const DELETED_BY_AUTHOR = 'deleted-by-author';
/** The reason an approved post is back in the queue: its author changed it after a moderator saw it. */
export const EDITED = 'edited';

/**
 * `requeue` is the console's undo of approve, reject and hide: the message goes back to the queue for a
 * human, off the wall if it was on it. (The undo of pin is unpin, and of unpin is pin.)
 */
export const MODERATION_ACTIONS = ['approve', 'reject', 'hide', 'pin', 'unpin', 'requeue'] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

/** What a wall is told about a change; null when the change is invisible to the audience. */
export type WallEventType = 'approved' | 'removed' | 'pinned' | 'unpinned';

export interface ModerationState {
  status: MessageStatus;
  pinned: boolean;
}

export type Transition =
  | { ok: true; next: ModerationState; wallEvent: WallEventType | null }
  | { ok: false; reason: string };

export function transition(state: ModerationState, action: ModerationAction): Transition {
  const { status, pinned } = state;
  switch (action) {
    case 'approve':
      if (status === 'approved') return { ok: false, reason: 'The message is already approved.' };
      return { ok: true, next: { status: 'approved', pinned: false }, wallEvent: 'approved' };
    case 'reject':
      if (status === 'rejected') return { ok: false, reason: 'The message is already rejected.' };
      return {
        ok: true,
        next: { status: 'rejected', pinned: false },
        wallEvent: status === 'approved' ? 'removed' : null,
      };
    case 'hide':
      if (status !== 'approved') return { ok: false, reason: `Only an approved message can be hidden; this one is ${status}.` };
      return { ok: true, next: { status: 'hidden', pinned: false }, wallEvent: 'removed' };
    case 'pin':
      if (status !== 'approved') return { ok: false, reason: `Only an approved message can be pinned; this one is ${status}.` };
      if (pinned) return { ok: false, reason: 'The message is already pinned.' };
      return { ok: true, next: { status, pinned: true }, wallEvent: 'pinned' };
    case 'unpin':
      if (!pinned) return { ok: false, reason: 'The message is not pinned.' };
      return { ok: true, next: { status, pinned: false }, wallEvent: 'unpinned' };
    case 'requeue':
      if (status === 'pending') return { ok: false, reason: 'The message is already pending.' };
      return {
        ok: true,
        next: { status: 'pending', pinned: false },
        wallEvent: status === 'approved' ? 'removed' : null,
      };
  }
}
