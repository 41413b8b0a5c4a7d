import { describe, expect, it } from 'vitest';
import { Presence, type PresenceMember } from '../../server/realtime/presence.js';

/** A moderator socket as presence sees it, recording the presence frames it was sent. */
function member(username: string): PresenceMember & { frames: { moderators: { username: string; claimed: number | null }[] }[] } {
  const frames: { type: string; moderators: { username: string; claimed: number | null }[] }[] = [];
  return {
    username,
    frames,
    deliver(frame: Buffer) {
      const parsed = JSON.parse(frame.toString());
      expect(parsed.type).toBe('presence');
      frames.push(parsed);
    },
  };
}

const last = (m: ReturnType<typeof member>) => m.frames.at(-1)?.moderators;

describe('moderator presence', () => {
  it('tells every moderator of a wall who arrives, sorted by name, and tells the newcomer too', () => {
    const presence = new Presence();
    const marie = member('marie');
    const alex = member('alex');
    presence.join('capcomnet', marie);
    expect(last(marie)).toEqual([{ username: 'marie', claimed: null }]);
    presence.join('capcomnet', alex);
    expect(last(marie)).toEqual([
      { username: 'alex', claimed: null },
      { username: 'marie', claimed: null },
    ]);
    expect(last(alex)).toEqual(last(marie));
  });

  it('keeps walls apart', () => {
    const presence = new Presence();
    const marie = member('marie');
    const alex = member('alex');
    presence.join('capcomnet', marie);
    presence.join('atelier', alex);
    expect(marie.frames).toHaveLength(1);
    expect(last(alex)).toEqual([{ username: 'alex', claimed: null }]);
    expect(presence.moderators('capcomnet')).toEqual([{ username: 'marie', claimed: null }]);
  });

  it('shows a claim and its release to the others, and sends nothing when a claim changes nothing', () => {
    const presence = new Presence();
    const marie = member('marie');
    const alex = member('alex');
    const seat = presence.join('capcomnet', marie);
    presence.join('capcomnet', alex);
    seat.claim(42);
    expect(last(alex)).toContainEqual({ username: 'marie', claimed: 42 });
    const count = alex.frames.length;
    seat.claim(42);
    expect(alex.frames).toHaveLength(count);
    seat.release();
    expect(last(alex)).toContainEqual({ username: 'marie', claimed: null });
    seat.release();
    expect(alex.frames).toHaveLength(count + 1);
  });

  it('merges the tabs of one user into one entry, whose latest claim still held wins', () => {
    const presence = new Presence();
    const watcher = member('alex');
    presence.join('capcomnet', watcher);
    const laptop = presence.join('capcomnet', member('marie'));
    const tablet = presence.join('capcomnet', member('marie'));
    expect(last(watcher)).toEqual([
      { username: 'alex', claimed: null },
      { username: 'marie', claimed: null },
    ]);
    laptop.claim(1);
    tablet.claim(2);
    expect(last(watcher)).toContainEqual({ username: 'marie', claimed: 2 });
    laptop.claim(3);
    expect(last(watcher)).toContainEqual({ username: 'marie', claimed: 3 });
    laptop.release();
    expect(last(watcher)).toContainEqual({ username: 'marie', claimed: 2 });
    tablet.leave();
    expect(last(watcher)).toContainEqual({ username: 'marie', claimed: null });
    laptop.leave();
    expect(last(watcher)).toEqual([{ username: 'alex', claimed: null }]);
  });

  it('gives a second tab of a user the list at once, even though the others see no change', () => {
    const presence = new Presence();
    const watcher = member('alex');
    presence.join('capcomnet', watcher);
    presence.join('capcomnet', member('marie'));
    const before = watcher.frames.length;
    const secondTab = member('marie');
    presence.join('capcomnet', secondTab);
    expect(watcher.frames).toHaveLength(before);
    expect(last(secondTab)).toEqual(last(watcher));
  });

  it('ends the claim of a moderator who leaves, and ignores anything a departed seat does', () => {
    const presence = new Presence();
    const watcher = member('alex');
    presence.join('capcomnet', watcher);
    const seat = presence.join('capcomnet', member('marie'));
    seat.claim(7);
    seat.leave();
    expect(last(watcher)).toEqual([{ username: 'alex', claimed: null }]);
    const count = watcher.frames.length;
    seat.claim(8);
    seat.leave();
    expect(watcher.frames).toHaveLength(count);
    expect(presence.seats()).toHaveLength(1);
  });

  it('keeps telling the others when one socket throws while taking a frame', () => {
    const presence = new Presence();
    presence.join('capcomnet', { username: 'broken', deliver: () => {} });
    const broken = presence.seats()[0]!;
    Object.assign(broken.member, { deliver: () => { throw new Error('socket gone'); } });
    const watcher = member('alex');
    presence.join('capcomnet', watcher);
    expect(last(watcher)).toEqual([
      { username: 'alex', claimed: null },
      { username: 'broken', claimed: null },
    ]);
  });
});
