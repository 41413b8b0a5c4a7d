import { describe, expect, it } from 'vitest';
import {
  decidedMessages,
  initialModerationState,
  pendingMessages,
  reduceModeration,
  upsertMessage,
  type ModerationState,
} from '../../client/src/shared/moderation-reducer.js';
import type { ModerationFrame, ModeratorMessage } from '../../client/src/shared/types.js';

function message(id: number, overrides: Partial<ModeratorMessage> = {}): ModeratorMessage {
  return {
    id,
    channel: 'web',
    source: 'web',
    author: { name: `Author ${id}` },
    text: `Message ${id}`,
    media: [],
    createdAt: '2026-11-29T10:00:00.000Z',
    pinned: false,
    wall: 'capcomnet',
    status: 'pending',
    version: 1,
    reasons: [],
    receivedAt: `2026-11-29T10:00:${String(id).padStart(2, '0')}.000Z`,
    decidedAt: null,
    decidedBy: null,
    sender: { kind: 'client', address: 'abc123' },
    ...overrides,
  };
}

function fold(frames: ModerationFrame[], state: ModerationState = initialModerationState()): ModerationState {
  return frames.reduce(reduceModeration, state);
}

const ids = (items: ModeratorMessage[]) => items.map((m) => m.id);

describe('the moderation reducer', () => {
  it('replaces the whole queue with a snapshot', () => {
    const before = fold([{ type: 'snapshot', items: [message(1), message(2)] }]);
    const state = fold([{ type: 'snapshot', items: [message(3)] }], before);
    expect([...state.messages.keys()]).toEqual([3]);
  });

  it('adds a new message to the queue', () => {
    const state = fold([{ type: 'snapshot', items: [message(1)] }, { type: 'message', message: message(2) }]);
    expect(ids(pendingMessages(state))).toEqual([1, 2]);
  });

  it('replaces a message with a higher version, e.g. another moderator approving it', () => {
    const state = fold([
      { type: 'snapshot', items: [message(1)] },
      { type: 'message', message: message(1, { status: 'approved', version: 2, decidedBy: 'ada', decidedAt: '2026-11-29T10:05:00.000Z' }) },
    ]);
    expect(pendingMessages(state)).toEqual([]);
    expect(decidedMessages(state, ['approved'])[0]).toMatchObject({ id: 1, version: 2, decidedBy: 'ada' });
  });

  it('keeps the newer version when an older one arrives late', () => {
    const newer = fold([{ type: 'snapshot', items: [message(1, { status: 'approved', version: 3 })] }]);
    const state = fold([{ type: 'message', message: message(1, { status: 'pending', version: 2 }) }], newer);
    expect(state).toBe(newer);
    expect(state.messages.get(1)?.status).toBe('approved');
  });

  it('keeps what it has when the same version arrives twice', () => {
    const state = fold([{ type: 'snapshot', items: [message(1)] }]);
    expect(upsertMessage(state, message(1, { text: 'same version' }))).toBe(state);
  });

  it('folds a decision answered over HTTP by the same rule as the socket', () => {
    const state = fold([{ type: 'snapshot', items: [message(1)] }]);
    const decided = upsertMessage(state, message(1, { status: 'rejected', version: 2 }));
    expect(decidedMessages(decided, ['rejected', 'hidden']).map((m) => m.id)).toEqual([1]);
    // The socket's echo of the same decision changes nothing.
    expect(reduceModeration(decided, { type: 'message', message: message(1, { status: 'rejected', version: 2 }) })).toBe(decided);
  });

  it('lists pending messages oldest first, the order a moderator works through them', () => {
    const state = fold([
      {
        type: 'snapshot',
        items: [
          message(3, { receivedAt: '2026-11-29T10:00:03.000Z' }),
          message(1, { receivedAt: '2026-11-29T10:00:09.000Z' }),
          message(2, { receivedAt: '2026-11-29T10:00:01.000Z' }),
          message(4, { status: 'approved', version: 2 }),
        ],
      },
    ]);
    expect(ids(pendingMessages(state))).toEqual([2, 3, 1]);
  });

  it('lists decided messages with the latest decision first', () => {
    const state = fold([
      {
        type: 'snapshot',
        items: [
          message(1, { status: 'approved', decidedAt: '2026-11-29T10:01:00.000Z' }),
          message(2, { status: 'approved', decidedAt: '2026-11-29T10:03:00.000Z' }),
          message(3, { status: 'hidden', decidedAt: '2026-11-29T10:02:00.000Z' }),
          message(4, { status: 'rejected', decidedAt: '2026-11-29T10:04:00.000Z' }),
        ],
      },
    ]);
    expect(ids(decidedMessages(state, ['approved']))).toEqual([2, 1]);
    expect(ids(decidedMessages(state, ['rejected', 'hidden']))).toEqual([4, 3]);
  });

  it('ignores a frame type it does not know', () => {
    const state = fold([{ type: 'snapshot', items: [message(1)] }]);
    expect(reduceModeration(state, { type: 'typing', who: 'ada' } as unknown as ModerationFrame)).toBe(state);
  });

  it('never changes the state it was given', () => {
    const state = fold([{ type: 'snapshot', items: [message(1)] }]);
    const before = new Map(state.messages);
    fold([{ type: 'message', message: message(1, { version: 2, status: 'approved' }) }, { type: 'message', message: message(2) }], state);
    expect(state.messages).toEqual(before);
  });
});
