import { describe, expect, it } from 'vitest';
import type { WallMessage, WallPacing } from '../../client/src/shared/types.js';
import { Pacer } from '../../client/src/wall/pacer.js';
import { wallMessage as message } from '../helpers/wall-data.js';

/**
 * The pacer is driven as the shell drives it: a pool in the reducer's order (pinned first, then newest
 * first), a capacity, and a clock that the test moves by hand.
 */
const PACING: WallPacing = { minSeconds: 8, perSender: 2, replay: false, replayAfterSeconds: 45 };

/** A wall's pool as the reducer orders it: `approved` holds items oldest first, like the server's list. */
class Wall {
  private approved: WallMessage[] = [];
  approve(...items: WallMessage[]): void {
    for (const item of items) {
      const at = this.approved.findIndex((m) => m.id === item.id);
      if (at >= 0) this.approved[at] = item;
      else this.approved.push(item);
    }
  }
  remove(id: number): void {
    this.approved = this.approved.filter((m) => m.id !== id);
  }
  pool(): WallMessage[] {
    const newest = [...this.approved].reverse();
    return [...newest.filter((m) => m.pinned), ...newest.filter((m) => !m.pinned)];
  }
}

function harness(capacity: number, pacing: Partial<WallPacing> = {}) {
  const pacer = new Pacer();
  const wall = new Wall();
  let now = Date.parse('2026-12-03T10:00:00Z');
  const settings = { ...PACING, ...pacing };
  const run = {
    pacer,
    wall,
    capacity,
    frozen: false,
    tick: () => pacer.tick({ pool: wall.pool(), capacity: run.capacity, pacing: settings, now, frozen: run.frozen }),
    /** Advances the clock second by second, ticking each time, as the shell does. */
    wait(seconds: number) {
      for (let i = 0; i < seconds; i += 1) {
        now += 1000;
        run.tick();
      }
    },
    ids: () => pacer.items.map((item) => item.message.id),
    now: () => now,
  };
  return run;
}

describe('the pacer', () => {
  it('fills an empty screen with the newest items at once, the newest first', () => {
    const run = harness(3);
    run.wall.approve(message(1), message(2), message(3), message(4), message(5));
    run.tick();
    expect(run.ids()).toEqual([5, 4, 3]);
    expect(run.pacer.items.every((item) => !item.replay)).toBe(true);
  });

  it('shows a new item at once while there is room', () => {
    const run = harness(3);
    run.wall.approve(message(1));
    run.tick();
    run.wall.approve(message(2));
    run.tick();
    expect(run.ids()).toEqual([2, 1]);
  });

  it('keeps an item on screen for the minimum time before a new one pushes it off', () => {
    const run = harness(2);
    run.wall.approve(message(1), message(2));
    run.tick();
    run.wait(3);
    run.wall.approve(message(3));
    run.tick();
    expect(run.ids()).toEqual([2, 1]);
    run.wait(4); // 7 s on screen: not yet
    expect(run.ids()).toEqual([2, 1]);
    run.wait(1); // 8 s: the oldest leaves, the new one enters
    expect(run.ids()).toEqual([3, 2]);
    expect(run.pacer.items[0]!.enteredAt).toBe(run.now());
  });

  it('lets a burst in as fast as the items on screen have served their time, oldest of the burst first', () => {
    const run = harness(2, { perSender: 0 });
    run.wall.approve(message(1), message(2));
    run.tick();
    run.wait(10);
    run.wall.approve(message(3), message(4), message(5));
    run.tick();
    expect(run.ids()).toEqual([4, 3]);
    run.wait(7);
    expect(run.ids()).toEqual([4, 3]);
    run.wait(1);
    expect(run.ids()).toEqual([5, 4]);
  });

  it('removes a removed item at once, even before its minimum time', () => {
    const run = harness(2);
    run.wall.approve(message(1), message(2));
    run.tick();
    run.wall.remove(2);
    run.tick();
    expect(run.ids()).toEqual([1]);
  });

  it('replaces an edited item in place, keeping its time on screen', () => {
    const run = harness(3);
    run.wall.approve(message(1), message(2), message(3));
    run.tick();
    const entered = run.pacer.items[1]!.enteredAt;
    run.wait(2);
    run.wall.approve(message(2, { text: 'Corrected' }));
    run.tick();
    expect(run.ids()).toEqual([3, 2, 1]);
    expect(run.pacer.items[1]!.message.text).toBe('Corrected');
    expect(run.pacer.items[1]!.enteredAt).toBe(entered);
  });

  it('always shows pinned items first, even when the screen is full of items that have not served their time', () => {
    const run = harness(2);
    run.wall.approve(message(1), message(2));
    run.tick();
    run.wall.approve(message(1, { pinned: true }));
    run.tick();
    expect(run.ids()).toEqual([1, 2]);
    run.wall.approve(message(3, { pinned: true }));
    run.tick();
    expect(run.ids()).toEqual([3, 1]);
    expect(run.pacer.items.every((item) => item.message.pinned)).toBe(true);
  });

  it('takes turns by sender: a loud sender waits while someone else is waiting', () => {
    const run = harness(3, { perSender: 2 });
    const loud = (id: number) => message(id, { author: { name: 'Loud', handle: '@loud' } });
    run.wall.approve(loud(1), loud(2), message(3));
    run.tick();
    run.wait(10);
    // The loud sender's four new items arrived first; a quiet one came after them.
    run.wall.approve(loud(4), loud(5), loud(6), loud(7), message(8, { author: { name: 'Quiet' } }));
    run.tick();
    const shown = run.ids();
    expect(shown).toContain(8);
    // However many the loud sender sent, it never holds the whole screen while the quiet one waited.
    expect(run.pacer.items.filter((item) => item.message.author.name === 'Loud').length).toBeLessThanOrEqual(2);
    // Once nobody else waits, the loud sender's items get their turn.
    run.wait(30);
    expect(run.ids()).toContain(7);
  });

  it('treats the same name on another channel as another sender', () => {
    const run = harness(2, { perSender: 1 });
    const smsMarie = (id: number) => message(id, { author: { name: 'Marie' } });
    const webMarie = message(9, { channel: 'web', source: 'web', author: { name: 'Marie' } });
    run.wall.approve(message(1), message(2));
    run.tick();
    run.wait(10);
    run.wall.approve(smsMarie(3), smsMarie(4), webMarie);
    run.tick();
    expect(run.ids().sort()).toEqual([3, 9]);
  });

  it('replays the least recently shown item when nothing new has entered for a while', () => {
    const run = harness(2, { replay: true, replayAfterSeconds: 20 });
    run.wall.approve(message(1), message(2), message(3), message(4));
    run.tick();
    expect(run.ids()).toEqual([4, 3]);
    run.wait(19);
    expect(run.ids()).toEqual([4, 3]);
    run.wait(1);
    // Items 1 and 2 were never shown; of the two, the newer one comes first.
    expect(run.ids()).toEqual([2, 4]);
    expect(run.pacer.items[0]!.replay).toBe(true);
    run.wait(20);
    expect(run.ids()).toEqual([1, 2]);
    run.wait(20);
    // Item 3 left 40 s ago, item 4 20 s ago: the longer gone comes back.
    expect(run.ids()).toEqual([3, 1]);
  });

  it('rotates a one-item spotlight through the pool when the wall is quiet', () => {
    const run = harness(1, { replay: true, replayAfterSeconds: 10, minSeconds: 5 });
    run.wall.approve(message(1), message(2), message(3));
    run.tick();
    const seen: number[] = [run.ids()[0]!];
    for (let i = 0; i < 6; i += 1) {
      run.wait(10);
      seen.push(run.ids()[0]!);
    }
    expect(seen).toEqual([3, 2, 1, 3, 2, 1, 3]);
  });

  it('does not replay when replay is off', () => {
    const run = harness(1, { replay: false, replayAfterSeconds: 10 });
    run.wall.approve(message(1), message(2));
    run.tick();
    run.wait(120);
    expect(run.ids()).toEqual([2]);
  });

  it('lets nothing new in during a freeze, but still applies removals', () => {
    const run = harness(3);
    run.wall.approve(message(1), message(2));
    run.tick();
    run.frozen = true;
    run.wall.approve(message(3));
    run.wall.remove(1);
    run.wait(30);
    expect(run.ids()).toEqual([2]);
    run.frozen = false;
    run.tick();
    expect(run.ids()).toEqual([3, 2]);
  });

  it('follows the layout when it can show fewer or more items', () => {
    const run = harness(4);
    run.wall.approve(message(1), message(2), message(3), message(4), message(5));
    run.tick();
    run.capacity = 2;
    run.tick();
    expect(run.ids()).toEqual([5, 4]);
    run.capacity = 5;
    run.tick();
    expect(run.ids()).toHaveLength(5);
  });

  it('returns the very same array when nothing changed, so the wall can skip a render', () => {
    const run = harness(3);
    run.wall.approve(message(1), message(2));
    const first = run.tick();
    expect(run.tick()).toBe(first);
    run.wall.approve(message(3));
    expect(run.tick()).not.toBe(first);
  });

  it('starts over after a blank screen instead of queueing the whole pool as news', () => {
    const run = harness(2);
    run.wall.approve(message(1), message(2), message(3));
    run.tick();
    const items = run.wall.pool();
    run.pacer.tick({ pool: [], capacity: 2, pacing: PACING, now: run.now() });
    expect(run.pacer.items).toEqual([]);
    run.pacer.tick({ pool: items, capacity: 2, pacing: PACING, now: run.now() });
    expect(run.ids()).toEqual([3, 2]);
  });

  it('never shows more than the capacity, whatever arrives', () => {
    const run = harness(5, { replay: true, replayAfterSeconds: 10, minSeconds: 2 });
    for (let i = 1; i <= 300; i += 1) {
      run.wall.approve(message(i, { author: { name: `S${i % 7}` }, pinned: i % 50 === 0 }));
      if (i % 3 === 0) run.wall.remove(i - 1);
      run.wait(1);
      expect(run.pacer.items.length).toBeLessThanOrEqual(5);
      expect(new Set(run.ids()).size).toBe(run.ids().length);
    }
  });
});
