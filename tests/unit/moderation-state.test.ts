import { describe, expect, it } from 'vitest';
import { MESSAGE_STATUSES, type MessageStatus } from '../../server/domain/message.js';
import {
  MODERATION_ACTIONS,
  transition,
  type ModerationAction,
  type ModerationState,
  type WallEventType,
} from '../../server/domain/moderation.js';

/** What a moderator's click leads to: a refusal, or the next state and what the wall is told. */
type Outcome = 'refused' | { status: MessageStatus; pinned: boolean; wallEvent: WallEventType | null };

const to = (status: MessageStatus, pinned: boolean, wallEvent: WallEventType | null): Outcome => ({ status, pinned, wallEvent });

/**
 * Every (status × pinned × action), written out so that a change to any rule shows up here. States where a
 * non-approved message is pinned cannot be reached (see the reachability test below); their rows record
 * what the function answers today so that a change there is a deliberate one too.
 */
const TABLE: [MessageStatus, boolean, ModerationAction, Outcome][] = [
  // A pending message waits for a decision; the audience has not seen it.
  ['pending', false, 'approve', to('approved', false, 'approved')],
  ['pending', false, 'reject', to('rejected', false, null)],
  ['pending', false, 'hide', 'refused'],
  ['pending', false, 'pin', 'refused'],
  ['pending', false, 'unpin', 'refused'],
  ['pending', true, 'approve', to('approved', false, 'approved')],
  ['pending', true, 'reject', to('rejected', false, null)],
  ['pending', true, 'hide', 'refused'],
  ['pending', true, 'pin', 'refused'],
  ['pending', true, 'unpin', to('pending', false, 'unpinned')],
  ['pending', false, 'requeue', 'refused'],
  ['pending', true, 'requeue', 'refused'],

  // An approved message is on the wall: taking it off tells the wall to remove it.
  ['approved', false, 'approve', 'refused'],
  ['approved', false, 'reject', to('rejected', false, 'removed')],
  ['approved', false, 'hide', to('hidden', false, 'removed')],
  ['approved', false, 'pin', to('approved', true, 'pinned')],
  ['approved', false, 'unpin', 'refused'],
  ['approved', true, 'approve', 'refused'],
  ['approved', true, 'reject', to('rejected', false, 'removed')],
  ['approved', true, 'hide', to('hidden', false, 'removed')],
  ['approved', true, 'pin', 'refused'],
  ['approved', true, 'unpin', to('approved', false, 'unpinned')],
  ['approved', false, 'requeue', to('pending', false, 'removed')],
  ['approved', true, 'requeue', to('pending', false, 'removed')],

  // A rejected message can be approved again, to undo a decision.
  ['rejected', false, 'approve', to('approved', false, 'approved')],
  ['rejected', false, 'reject', 'refused'],
  ['rejected', false, 'hide', 'refused'],
  ['rejected', false, 'pin', 'refused'],
  ['rejected', false, 'unpin', 'refused'],
  ['rejected', true, 'approve', to('approved', false, 'approved')],
  ['rejected', true, 'reject', 'refused'],
  ['rejected', true, 'hide', 'refused'],
  ['rejected', true, 'pin', 'refused'],
  ['rejected', true, 'unpin', to('rejected', false, 'unpinned')],
  ['rejected', false, 'requeue', to('pending', false, null)],
  ['rejected', true, 'requeue', to('pending', false, null)],

  // A hidden message is off the wall; approving brings it back, rejecting it changes nothing on screen.
  ['hidden', false, 'approve', to('approved', false, 'approved')],
  ['hidden', false, 'reject', to('rejected', false, null)],
  ['hidden', false, 'hide', 'refused'],
  ['hidden', false, 'pin', 'refused'],
  ['hidden', false, 'unpin', 'refused'],
  ['hidden', true, 'approve', to('approved', false, 'approved')],
  ['hidden', true, 'reject', to('rejected', false, null)],
  ['hidden', true, 'hide', 'refused'],
  ['hidden', true, 'pin', 'refused'],
  ['hidden', true, 'unpin', to('hidden', false, 'unpinned')],
  ['hidden', false, 'requeue', to('pending', false, null)],
  ['hidden', true, 'requeue', to('pending', false, null)],
];

describe('the moderation state machine', () => {
  it('has a row in the table for every status, pinned flag and action', () => {
    const covered = new Set(TABLE.map(([status, pinned, action]) => `${status}/${pinned}/${action}`));
    const all = MESSAGE_STATUSES.flatMap((status) =>
      [false, true].flatMap((pinned) => MODERATION_ACTIONS.map((action) => `${status}/${pinned}/${action}`)),
    );
    expect([...covered].sort()).toEqual([...all].sort());
    expect(TABLE).toHaveLength(all.length);
  });

  it.each(TABLE)('%s (pinned: %s) + %s → %j', (status, pinned, action, expected) => {
    const result = transition({ status, pinned }, action);
    if (expected === 'refused') {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/^[A-Z].+\.$/);
    } else {
      expect(result).toEqual({ ok: true, next: { status: expected.status, pinned: expected.pinned }, wallEvent: expected.wallEvent });
    }
  });

  it('explains a refusal in terms of the message state', () => {
    expect(transition({ status: 'pending', pinned: false }, 'hide')).toEqual({
      ok: false,
      reason: 'Only an approved message can be hidden; this one is pending.',
    });
    expect(transition({ status: 'rejected', pinned: false }, 'pin')).toEqual({
      ok: false,
      reason: 'Only an approved message can be pinned; this one is rejected.',
    });
    expect(transition({ status: 'approved', pinned: true }, 'pin')).toEqual({ ok: false, reason: 'The message is already pinned.' });
    expect(transition({ status: 'approved', pinned: false }, 'approve')).toEqual({ ok: false, reason: 'The message is already approved.' });
  });

  it('clears the pin when a pinned message is hidden or rejected, so that re-approving it does not pin it again', () => {
    const pinned: ModerationState = { status: 'approved', pinned: true };
    for (const action of ['hide', 'reject'] as const) {
      const removed = transition(pinned, action);
      expect(removed.ok && removed.next.pinned).toBe(false);
      const back = removed.ok ? transition(removed.next, 'approve') : removed;
      expect(back).toEqual({ ok: true, next: { status: 'approved', pinned: false }, wallEvent: 'approved' });
    }
  });

  it('never leads to a pinned message that is not approved, from any state a message can arrive in', () => {
    // Messages arrive pending (pre-moderation) or approved (post-moderation), never pinned.
    const seen = new Map<string, ModerationState>();
    const queue: ModerationState[] = [
      { status: 'pending', pinned: false },
      { status: 'approved', pinned: false },
    ];
    while (queue.length > 0) {
      const state = queue.shift()!;
      const key = `${state.status}/${state.pinned}`;
      if (seen.has(key)) continue;
      seen.set(key, state);
      for (const action of MODERATION_ACTIONS) {
        const result = transition(state, action);
        if (result.ok) queue.push(result.next);
      }
    }
    expect([...seen.keys()].sort()).toEqual(['approved/false', 'approved/true', 'hidden/false', 'pending/false', 'rejected/false']);
  });

  it('undoes approve, reject and hide by sending the message back to the queue, unpinned and off the wall', () => {
    for (const decision of ['approve', 'reject'] as const) {
      const decided = transition({ status: 'pending', pinned: false }, decision);
      if (!decided.ok) throw new Error(`${decision} was refused`);
      expect(transition(decided.next, 'requeue')).toMatchObject({ ok: true, next: { status: 'pending', pinned: false } });
    }
    const hidden = transition({ status: 'approved', pinned: true }, 'hide');
    if (!hidden.ok) throw new Error('hide was refused');
    expect(transition(hidden.next, 'requeue')).toEqual({ ok: true, next: { status: 'pending', pinned: false }, wallEvent: null });
    expect(transition({ status: 'pending', pinned: false }, 'requeue')).toEqual({ ok: false, reason: 'The message is already pending.' });
  });

  it('tells the wall about a change exactly when the message enters, leaves or changes on the wall', () => {
    for (const [status, pinned, action, expected] of TABLE) {
      if (expected === 'refused') continue;
      const wasVisible = status === 'approved';
      const isVisible = expected.status === 'approved';
      const result = transition({ status, pinned }, action);
      if (!result.ok) throw new Error(`${status}/${pinned}/${action} was refused`);
      if (!wasVisible && isVisible) expect(result.wallEvent).toBe('approved');
      if (wasVisible && !isVisible) expect(result.wallEvent).toBe('removed');
    }
  });
});
