import { describe, expect, it } from 'vitest';
import type { PublicWall, WallFrame, WallMessage } from '../../client/src/shared/types.js';
import {
  initialWallState,
  reduceWall,
  shownItems,
  withStatus,
  type WallState,
} from '../../client/src/shared/wall-reducer.js';
import { wallMessage as message, publicWall as wall } from '../helpers/wall-data.js';

function snapshot(seq: number, items: WallMessage[], settings: Partial<PublicWall> = {}, epoch = 'e1'): WallFrame {
  return { type: 'snapshot', epoch, seq, wall: wall(settings), items };
}

/** Folds frames one after the other and fails the test on a gap, which none of these sequences has. */
function fold(frames: WallFrame[], state: WallState = initialWallState()): WallState {
  for (const frame of frames) {
    const step = reduceWall(state, frame);
    expect(step.gap, `unexpected gap at ${JSON.stringify(frame)}`).toBe(false);
    state = step.state;
  }
  return state;
}

const ids = (items: readonly WallMessage[]) => items.map((m) => m.id);

describe('the wall reducer', () => {
  it('starts connecting, with nothing to show', () => {
    const state = initialWallState();
    expect(state).toMatchObject({ epoch: null, seq: 0, wall: null, items: [], pinnedIds: [], status: 'connecting' });
    expect(shownItems(state)).toEqual([]);
  });

  it('replaces everything with a snapshot and goes live', () => {
    const before = fold([snapshot(3, [message(1), message(2)])]);
    const state = fold([snapshot(9, [message(7, { pinned: true })], { title: 'Plénière' }, 'e2')], before);
    expect(state).toMatchObject({ epoch: 'e2', seq: 9, status: 'live', pinnedIds: [7] });
    expect(state.wall?.title).toBe('Plénière');
    expect(ids(state.items)).toEqual([7]);
  });

  it('appends an approved message and shows the newest first', () => {
    const state = fold([snapshot(0, []), { type: 'approved', seq: 1, message: message(1) }, { type: 'approved', seq: 2, message: message(2) }]);
    expect(state.seq).toBe(2);
    expect(ids(state.items)).toEqual([1, 2]);
    expect(ids(shownItems(state))).toEqual([2, 1]);
  });

  it('replaces an approved message in place when its id is already shown', () => {
    const state = fold([
      snapshot(0, [message(1), message(2)]),
      { type: 'approved', seq: 1, message: message(1, { text: 'corrected' }) },
    ]);
    expect(ids(state.items)).toEqual([1, 2]);
    expect(state.items[0]?.text).toBe('corrected');
  });

  it('ignores a frame it has already folded, so a resumed socket never shows a message twice', () => {
    const once = fold([snapshot(0, []), { type: 'approved', seq: 1, message: message(1) }]);
    const step = reduceWall(once, { type: 'approved', seq: 1, message: message(1, { text: 'again' }) });
    expect(step).toEqual({ state: once, gap: false });
    expect(reduceWall(once, { type: 'removed', seq: 0, id: 1 }).state).toBe(once);
  });

  it('reports a gap without applying the frame, so the connection resumes with since', () => {
    const state = fold([snapshot(4, [message(1)])]);
    const step = reduceWall(state, { type: 'approved', seq: 6, message: message(2) });
    expect(step.gap).toBe(true);
    expect(step.state).toBe(state);
  });

  it('reports a gap for an event that arrives before any snapshot', () => {
    const step = reduceWall(initialWallState(), { type: 'approved', seq: 1, message: message(1) });
    expect(step.gap).toBe(true);
  });

  it('removes a message that was hidden after approval', () => {
    const state = fold([snapshot(0, [message(1), message(2, { pinned: true })]), { type: 'removed', seq: 1, id: 2 }]);
    expect(ids(state.items)).toEqual([1]);
    expect(state.pinnedIds).toEqual([]);
  });

  it('pins and unpins, showing pinned messages ahead of newer ones', () => {
    const pinned = fold([snapshot(0, [message(1), message(2), message(3)]), { type: 'pinned', seq: 1, id: 1 }]);
    expect(pinned.pinnedIds).toEqual([1]);
    expect(pinned.items.find((m) => m.id === 1)?.pinned).toBe(true);
    expect(ids(shownItems(pinned))).toEqual([1, 3, 2]);

    const unpinned = fold([{ type: 'unpinned', seq: 2, id: 1 }], pinned);
    expect(unpinned.pinnedIds).toEqual([]);
    expect(ids(shownItems(unpinned))).toEqual([3, 2, 1]);
  });

  it('takes the seq of a pin for a message it does not show, without changing anything else', () => {
    const state = fold([snapshot(0, [message(1)]), { type: 'pinned', seq: 1, id: 99 }]);
    expect(state.seq).toBe(1);
    expect(state.pinnedIds).toEqual([]);
  });

  it('keeps at most the display limit, dropping the oldest unpinned messages first', () => {
    const state = fold([
      snapshot(0, [message(1, { pinned: true }), message(2), message(3)], { displayLimit: 3 }),
      { type: 'approved', seq: 1, message: message(4) },
      { type: 'approved', seq: 2, message: message(5) },
    ]);
    expect(ids(state.items)).toEqual([1, 4, 5]);
  });

  it('keeps the 50 newest when the wall does not say', () => {
    const settings = wall() as Partial<PublicWall>;
    delete settings.displayLimit;
    let state = fold([{ type: 'snapshot', epoch: 'e1', seq: 0, wall: settings as PublicWall, items: [] }]);
    for (let id = 1; id <= 60; id += 1) state = fold([{ type: 'approved', seq: id, message: message(id) }], state);
    expect(state.items).toHaveLength(50);
    expect(state.items[0]?.id).toBe(11);
  });

  it('applies new wall settings, trimming when the display limit shrinks', () => {
    const state = fold([
      snapshot(0, [message(1), message(2), message(3)]),
      { type: 'wall', seq: 1, wall: wall({ title: 'Atelier', layout: 'columns', displayLimit: 2 }) },
    ]);
    expect(state.wall).toMatchObject({ title: 'Atelier', layout: 'columns' });
    expect(ids(state.items)).toEqual([2, 3]);
  });

  it('shows nothing while the wall is blanked, and everything again once live', () => {
    const blank = fold([snapshot(0, [message(1)]), { type: 'wall', seq: 1, wall: wall({ display: 'blank' }) }]);
    expect(shownItems(blank)).toEqual([]);
    const live = fold([{ type: 'wall', seq: 2, wall: wall({ display: 'live' }) }], blank);
    expect(ids(shownItems(live))).toEqual([1]);
  });

  it('keeps a frozen screen as it was until the wall is live again', () => {
    const frozen = fold([
      snapshot(0, [message(1), message(2)]),
      { type: 'wall', seq: 1, wall: wall({ display: 'freeze' }) },
      { type: 'approved', seq: 2, message: message(3) },
    ]);
    expect(ids(shownItems(frozen))).toEqual([2, 1]);
    expect(ids(frozen.items)).toEqual([1, 2, 3]);

    const live = fold([{ type: 'wall', seq: 3, wall: wall({ display: 'live' }) }], frozen);
    expect(live.frozen).toBeNull();
    expect(ids(shownItems(live))).toEqual([3, 2, 1]);
  });

  it('still removes a message from a frozen screen, because a moderator hiding it means it', () => {
    const state = fold([
      snapshot(0, [message(1), message(2)]),
      { type: 'wall', seq: 1, wall: wall({ display: 'freeze' }) },
      { type: 'removed', seq: 2, id: 2 },
    ]);
    expect(ids(shownItems(state))).toEqual([1]);
  });

  it('keeps the frozen screen across a resume from the same epoch, minus what was removed meanwhile', () => {
    const frozen = fold([snapshot(0, [message(1), message(2)]), { type: 'wall', seq: 1, wall: wall({ display: 'freeze' }) }]);
    const resumed = fold([snapshot(5, [message(2), message(3), message(4)], { display: 'freeze' })], frozen);
    expect(ids(shownItems(resumed))).toEqual([2]);

    const elsewhere = fold([snapshot(5, [message(3), message(4)], { display: 'freeze' }, 'e2')], frozen);
    expect(ids(shownItems(elsewhere))).toEqual([4, 3]);
  });

  it('takes the seq of an event type it does not know, so a newer server does not cause a resume loop', () => {
    const state = fold([snapshot(0, [message(1)])]);
    const step = reduceWall(state, { type: 'reaction', seq: 1, id: 1 } as unknown as WallFrame);
    expect(step.gap).toBe(false);
    expect(step.state.seq).toBe(1);
    expect(ids(step.state.items)).toEqual([1]);
    expect(reduceWall(step.state, { type: 'approved', seq: 2, message: message(2) }).gap).toBe(false);
  });

  it('ignores a frame without a numeric seq', () => {
    const state = fold([snapshot(0, [])]);
    expect(reduceWall(state, { type: 'approved', message: message(1) } as unknown as WallFrame)).toEqual({ state, gap: false });
  });

  it('tracks the connection status without touching the rest of the state', () => {
    const live = fold([snapshot(2, [message(1)])]);
    const stale = withStatus(live, 'stale');
    expect(stale).toMatchObject({ status: 'stale', seq: 2, items: live.items });
    expect(withStatus(stale, 'stale')).toBe(stale);
  });

  it('shows the wall as stale while a cluster edge says so, and live again when it says it caught up', () => {
    const live = fold([snapshot(2, [message(1)])]);
    const stale = fold([{ type: 'status', stale: true }], live);
    expect(stale).toMatchObject({ status: 'stale', seq: 2, items: live.items });
    const back = fold([{ type: 'status', stale: false }, { type: 'approved', seq: 3, message: message(2) }], stale);
    expect(back).toMatchObject({ status: 'live', seq: 3 });
    expect(ids(back.items)).toEqual([1, 2]);
  });

  it('never changes the state it was given', () => {
    const state = fold([snapshot(0, [message(1), message(2)])]);
    const copy = structuredClone(state);
    fold(
      [
        { type: 'approved', seq: 1, message: message(3) },
        { type: 'pinned', seq: 2, id: 1 },
        { type: 'removed', seq: 3, id: 2 },
        { type: 'wall', seq: 4, wall: wall({ display: 'freeze' }) },
      ],
      state,
    );
    expect(state).toEqual(copy);
  });

  it('re-announces a message with a badge in place: same id, same position, badge shown', () => {
    const state = fold([
      snapshot(2, [message(1), message(2)]),
      { type: 'approved', seq: 3, message: message(1, { badge: 'speaker' }) },
    ]);
    expect(ids(shownItems(state))).toEqual([2, 1]);
    expect(state.items.find((m) => m.id === 1)?.badge).toBe('speaker');
  });

  it('takes a new layout, language, appearance and pacing from a wall frame', () => {
    const state = fold([
      snapshot(1, [message(1)]),
      {
        type: 'wall',
        seq: 2,
        wall: wall({
          layout: 'spotlight',
          language: 'fr',
          theme: 'light',
          pacing: { minSeconds: 12, perSender: 1, replay: false, replayAfterSeconds: 60 },
        }),
      },
    ]);
    expect(state.wall).toMatchObject({ layout: 'spotlight', language: 'fr', theme: 'light', pacing: { minSeconds: 12 } });
    expect(ids(state.items)).toEqual([1]);
  });

  it('leaves the state alone on a reload frame, which is for the page, not the wall', () => {
    const state = fold([snapshot(4, [message(1)])]);
    const step = reduceWall(state, { type: 'reload' });
    expect(step).toEqual({ state, gap: false });
  });
});
