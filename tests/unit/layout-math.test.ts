import { describe, expect, it } from 'vitest';
import {
  assignColumns,
  columnCount,
  columnGroups,
  columnsCapacity,
  estimateCardEm,
  gridCapacity,
  groupKeyOf,
  rowsThatFit,
  TICKER_CAPACITY,
  tickerDurationSeconds,
  tickerOrder,
} from '../../client/src/wall/layout-math.js';
import type { Channel } from '../../client/src/shared/types.js';

/** The shell's type size on a 1080p projector, and the layouts' on a 4K one (2.35 vmin). */
const FONT_1080P = 25.7;
const FONT_4K = 50.8;

describe('the masonry’s columns and capacity', () => {
  it('fits three columns of at least 22 em on a 1080p and on a 4K screen, one on a phone', () => {
    expect(columnCount(1840, FONT_1080P)).toBe(3);
    expect(columnCount(3700, FONT_4K)).toBe(3);
    expect(columnCount(360, 15)).toBe(1);
  });

  it('always shows at least one column and one row, even in a window too small or not laid out yet', () => {
    expect(columnCount(0, FONT_1080P)).toBe(1);
    expect(rowsThatFit(0, FONT_1080P)).toBe(1);
    expect(rowsThatFit(100, FONT_1080P)).toBe(1);
    expect(gridCapacity(0, 0, 0)).toBe(1);
  });

  it('shows about nine cards on a 1080p screen below a title, and more rows on a taller window', () => {
    expect(gridCapacity(1840, 850, FONT_1080P)).toBe(9);
    expect(gridCapacity(1840, 1600, FONT_1080P)).toBeGreaterThan(gridCapacity(1840, 850, FONT_1080P));
  });
});

describe('which column a card goes to', () => {
  const item = (id: number, estimate = 100) => ({ id, estimate });

  it('puts a new card in the shortest column and leaves the others where they are', () => {
    const before = new Map([
      [1, 0],
      [2, 1],
      [3, 2],
    ]);
    const after = assignColumns(before, [item(4), item(3), item(2), item(1)], [300, 120, 250], 3);
    expect(after.get(4)).toBe(1);
    expect(after.get(1)).toBe(0);
    expect(after.get(2)).toBe(1);
    expect(after.get(3)).toBe(2);
  });

  it('spreads a batch that arrives at once instead of stacking it in one column', () => {
    const after = assignColumns(new Map(), [item(3), item(2), item(1)], [0, 0, 0], 3);
    expect(new Set(after.values())).toEqual(new Set([0, 1, 2]));
    // Placed newest first: the newest (or the pinned one, which comes first) takes the first column.
    expect(after.get(3)).toBe(0);
  });

  it('forgets cards that left, and places again those of a column that no longer exists', () => {
    const before = new Map([
      [1, 0],
      [2, 2],
    ]);
    const after = assignColumns(before, [item(2), item(3)], [50, 400], 2);
    expect(after.has(1)).toBe(false);
    expect(after.get(2)).toBe(0);
    expect(after.get(3)).toBe(0);
    expect([...after.values()].every((column) => column < 2)).toBe(true);
  });

  it('guesses a taller card for a long text or a picture than for a short line', () => {
    const short = estimateCardEm({ text: 'Bravo !', media: [] });
    const long = estimateCardEm({ text: 'word '.repeat(90), media: [] });
    const picture = estimateCardEm({ text: 'Bravo !', media: [{ kind: 'image', url: '/media/a.png' }] });
    expect(long).toBeGreaterThan(short);
    expect(picture).toBeGreaterThan(short);
    expect(estimateCardEm({ text: 'word '.repeat(90), media: [], contentWarning: 'spoilers' })).toBeLessThan(long);
  });
});

describe('the columns layout', () => {
  const message = (channel: Channel, text = 'hello') => ({ channel, text });

  it('makes one column per followed hashtag, and a last one for messages carrying none', () => {
    const pool = [message('social', 'At #Paris20'), message('sms', 'Hi #capcomnet'), message('web', 'no tag')];
    const groups = columnGroups(pool, ['capcomnet', 'paris20']);
    expect(groups.map((group) => group.key)).toEqual(['tag:capcomnet', 'tag:paris20', 'other']);
    expect(groupKeyOf(pool[0]!, ['capcomnet', 'paris20'])).toBe('tag:paris20');
    expect(groupKeyOf(pool[2]!, ['capcomnet', 'paris20'])).toBe('other');
  });

  it('keeps a hashtag’s column while none of its messages is in the pool, and drops “Messages” when every one has a tag', () => {
    expect(columnGroups([message('sms', '#capcomnet')], ['capcomnet', 'paris20']).map((group) => group.key)).toEqual([
      'tag:capcomnet',
      'tag:paris20',
    ]);
  });

  it('groups by channel family, in a fixed order, when the wall follows one hashtag or none', () => {
    const pool = [message('web'), message('email'), message('api'), message('social'), message('email')];
    expect(columnGroups(pool, ['capcomnet']).map((group) => group.key)).toEqual(['family:social', 'family:email', 'family:web']);
    expect(groupKeyOf(message('api'), [])).toBe('family:web');
    expect(columnGroups([], []).map((group) => group.key)).toEqual(['family:social']);
  });

  it('can show the rows that fit in every column', () => {
    expect(columnsCapacity(4, 780, FONT_1080P)).toBe(12);
    expect(columnsCapacity(0, 0, FONT_1080P)).toBe(1);
  });
});

describe('the ticker', () => {
  it('scrolls at the same speed however long its loop is', () => {
    expect(tickerDurationSeconds(2000, 100)).toBe(20);
    expect(tickerDurationSeconds(4000, 100)).toBe(40);
    expect(tickerDurationSeconds(0, 100)).toBeGreaterThan(0);
    expect(TICKER_CAPACITY).toBe(12);
  });

  it('reads newest first when it starts', () => {
    expect(tickerOrder([], [5, 4, 3], null)).toEqual([5, 4, 3]);
  });

  it('puts a newcomer right after what is on screen, so that it comes in next, and keeps the others’ order', () => {
    expect(tickerOrder([5, 4, 3, 2], [6, 5, 4, 3, 2], 4)).toEqual([5, 4, 6, 3, 2]);
    expect(tickerOrder([5, 4, 3], [8, 7, 5, 4, 3], 5)).toEqual([5, 7, 8, 4, 3]);
  });

  it('drops what left without moving the rest', () => {
    expect(tickerOrder([5, 4, 3, 2], [5, 3, 2], 3)).toEqual([5, 3, 2]);
  });
});
