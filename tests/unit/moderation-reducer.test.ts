import { describe, expect, it } from 'vitest';
import {
  claimsByOthers,
  decidedMessages,
  filtersActive,
  initialModerationState,
  noFilters,
  pendingMessages,
  queueItems,
  reduceModeration,
  tabCounts,
  undoOf,
  upsertMessage,
  type ModerationState,
  type QueueFilters,
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

  it('takes away the messages an admin erased, and ignores ids it does not hold', () => {
    const before = fold([{ type: 'snapshot', items: [message(1), message(2), message(3)] }]);
    const state = fold([{ type: 'erased', ids: [1, 3, 99] }], before);
    expect([...state.messages.keys()]).toEqual([2]);
    expect(fold([{ type: 'erased', ids: [99] }], state)).toBe(state);
    expect(fold([{ type: 'erased', ids: 'all' } as unknown as ModerationFrame], state)).toBe(state);
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

describe('who is moderating, and which card each has open', () => {
  const presence = (moderators: { username: string; claimed: number | null }[]): ModerationFrame => ({ type: 'presence', moderators });

  it('lists the moderators of the latest presence frame, and keeps the queue as it was', () => {
    const queued = fold([{ type: 'snapshot', items: [message(1)] }]);
    const state = fold([presence([{ username: 'ada', claimed: 1 }]), presence([{ username: 'ada', claimed: null }, { username: 'grace', claimed: 1 }])], queued);
    expect(state.moderators).toEqual([
      { username: 'ada', claimed: null },
      { username: 'grace', claimed: 1 },
    ]);
    expect(state.messages).toBe(queued.messages);
  });

  it('marks a card open by someone else, never by this moderator', () => {
    const state = fold([
      { type: 'snapshot', items: [message(1), message(2)] },
      presence([
        { username: 'me', claimed: 1 },
        { username: 'ada', claimed: 2 },
        { username: 'grace', claimed: 2 },
        { username: 'linus', claimed: null },
      ]),
    ]);
    const claims = claimsByOthers(state, 'me');
    expect(claims.get(1)).toBeUndefined();
    expect(claims.get(2)).toEqual(['ada', 'grace']);
    expect([...claims.keys()]).toEqual([2]);
  });

  it('forgets who was there when a new socket starts with a snapshot, until its presence frame comes', () => {
    const state = fold([presence([{ username: 'ada', claimed: 1 }]), { type: 'snapshot', items: [message(1)] }]);
    expect(state.moderators).toEqual([]);
  });

  it('drops presence entries it cannot read rather than breaking the queue', () => {
    const state = fold([
      presence([{ username: 'ada', claimed: 3 }, null, { claimed: 2 }, { username: 'grace', claimed: 'seven' }] as unknown as {
        username: string;
        claimed: number | null;
      }[]),
    ]);
    expect(state.moderators).toEqual([
      { username: 'ada', claimed: 3 },
      { username: 'grace', claimed: null },
    ]);
    expect(fold([{ type: 'presence', moderators: 'everyone' } as unknown as ModerationFrame]).moderators).toEqual([]);
  });
});

describe('the queue’s filters', () => {
  const state = fold([
    {
      type: 'snapshot',
      items: [
        message(1, { channel: 'sms', source: 'twilio', text: 'Bravo pour le Café !', sender: { kind: 'phone', address: '+33612345678' }, author: { name: 'Texto ••78' } }),
        message(2, { channel: 'email', source: 'smtp', text: 'Great talk', sender: { kind: 'email', address: 'zoe@example.org' }, author: { name: 'Zoé' } }),
        message(3, { channel: 'social', source: 'mastodon', text: 'Live from the keynote', author: { name: 'Claire', handle: '@claire@piaille.fr' }, sender: null }),
        message(4, { channel: 'sms', source: 'twilio', text: 'Merci', status: 'approved', decidedAt: '2026-11-29T10:01:00.000Z' }),
        message(5, { channel: 'web', text: 'Spoiler', contentWarning: 'game results', status: 'hidden', decidedAt: '2026-11-29T10:02:00.000Z' }),
      ],
    },
  ]);
  const filters = (patch: Partial<QueueFilters>): QueueFilters => ({ ...noFilters(), ...patch });

  it('shows everything of the tab when nothing is set, pending oldest first', () => {
    expect(filtersActive(noFilters())).toBe(false);
    expect(ids(queueItems(state, 'pending', noFilters()))).toEqual([1, 2, 3]);
    expect(ids(queueItems(state, 'approved', noFilters()))).toEqual([4]);
    expect(ids(queueItems(state, 'rejected', noFilters()))).toEqual([5]);
  });

  it('puts the newest pending message first when asked, which hides nothing', () => {
    expect(ids(queueItems(state, 'pending', filters({ order: 'newest' })))).toEqual([3, 2, 1]);
    expect(filtersActive(filters({ order: 'newest' }))).toBe(false);
  });

  it('keeps one channel', () => {
    expect(ids(queueItems(state, 'pending', filters({ channel: 'sms' })))).toEqual([1]);
    expect(ids(queueItems(state, 'approved', filters({ channel: 'sms' })))).toEqual([4]);
  });

  it('finds words in the text whatever their case and accents, and in a content warning', () => {
    expect(ids(queueItems(state, 'pending', filters({ text: 'CAFE' })))).toEqual([1]);
    expect(ids(queueItems(state, 'pending', filters({ text: 'great\u200b' })))).toEqual([2]);
    expect(ids(queueItems(state, 'rejected', filters({ text: 'results' })))).toEqual([5]);
    expect(ids(queueItems(state, 'pending', filters({ text: 'nowhere' })))).toEqual([]);
  });

  it('finds a sender by private address, by name or by handle', () => {
    expect(ids(queueItems(state, 'pending', filters({ sender: '5678' })))).toEqual([1]);
    expect(ids(queueItems(state, 'pending', filters({ sender: 'zoe' })))).toEqual([2]);
    expect(ids(queueItems(state, 'pending', filters({ sender: '@claire' })))).toEqual([3]);
  });

  it('combines filters: every one must match', () => {
    expect(ids(queueItems(state, 'pending', filters({ channel: 'sms', text: 'café', sender: '+336' })))).toEqual([1]);
    expect(ids(queueItems(state, 'pending', filters({ channel: 'email', text: 'café' })))).toEqual([]);
  });

  it('counts each tab under the filters and in all', () => {
    expect(tabCounts(state, noFilters())).toEqual({
      pending: { shown: 3, total: 3 },
      approved: { shown: 1, total: 1 },
      rejected: { shown: 1, total: 1 },
    });
    expect(tabCounts(state, filters({ channel: 'sms' }))).toEqual({
      pending: { shown: 1, total: 3 },
      approved: { shown: 1, total: 1 },
      rejected: { shown: 0, total: 1 },
    });
  });
});

describe('what U undoes', () => {
  it('sends an approved, rejected or hidden message back to pending, expecting the version the decision produced', () => {
    expect(undoOf({ action: 'approve', id: 7, version: 2 })).toEqual({ id: 7, action: 'requeue', expectedVersion: 2 });
    expect(undoOf({ action: 'reject', id: 7, version: 4 })).toEqual({ id: 7, action: 'requeue', expectedVersion: 4 });
    expect(undoOf({ action: 'hide', id: 7, version: 5 })).toEqual({ id: 7, action: 'requeue', expectedVersion: 5 });
  });

  it('unpins what was pinned and pins again what was unpinned', () => {
    expect(undoOf({ action: 'pin', id: 7, version: 3 })).toEqual({ id: 7, action: 'unpin', expectedVersion: 3 });
    expect(undoOf({ action: 'unpin', id: 7, version: 4 })).toEqual({ id: 7, action: 'pin', expectedVersion: 4 });
  });

  it('has nothing to undo for an undo', () => {
    expect(undoOf({ action: 'requeue', id: 7, version: 3 })).toBeNull();
  });
});
