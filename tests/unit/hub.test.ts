import { describe, expect, it } from 'vitest';
import { createInProcessHub, moderatorChannel, wallChannel } from '../../server/realtime/hub.js';

/** A hub of strings whose listener errors are collected for assertions. */
function hubWithErrors() {
  const errors: { error: unknown; channel: string }[] = [];
  const hub = createInProcessHub<string>((error, channel) => errors.push({ error, channel }));
  return { hub, errors };
}

describe('the in-process hub', () => {
  it('delivers an event to every listener of its channel and to no other channel', () => {
    const { hub } = hubWithErrors();
    const mainA: string[] = [];
    const mainB: string[] = [];
    const other: string[] = [];
    hub.subscribe(wallChannel('main'), (e) => mainA.push(e));
    hub.subscribe(wallChannel('main'), (e) => mainB.push(e));
    hub.subscribe(wallChannel('other'), (e) => other.push(e));

    hub.publish(wallChannel('main'), 'hello');

    expect(mainA).toEqual(['hello']);
    expect(mainB).toEqual(['hello']);
    expect(other).toEqual([]);
  });

  it('keeps a wall and its moderators on separate channels', () => {
    expect(wallChannel('main')).not.toBe(moderatorChannel('main'));
    const { hub } = hubWithErrors();
    const moderators: string[] = [];
    hub.subscribe(moderatorChannel('main'), (e) => moderators.push(e));
    hub.publish(wallChannel('main'), 'for the wall');
    expect(moderators).toEqual([]);
  });

  it('publishing to a channel nobody listens to does nothing', () => {
    const { hub, errors } = hubWithErrors();
    expect(() => hub.publish(wallChannel('empty'), 'lost')).not.toThrow();
    expect(errors).toEqual([]);
  });

  it('stops delivering after unsubscribe and counts the listener out', () => {
    const { hub } = hubWithErrors();
    const received: string[] = [];
    const unsubscribe = hub.subscribe('c', (e) => received.push(e));
    expect(hub.listenerCount('c')).toBe(1);

    hub.publish('c', 'one');
    unsubscribe();
    hub.publish('c', 'two');

    expect(received).toEqual(['one']);
    expect(hub.listenerCount('c')).toBe(0);
  });

  it('tolerates an unsubscribe called twice', () => {
    const { hub } = hubWithErrors();
    const unsubscribe = hub.subscribe('c', () => {});
    const stays: string[] = [];
    hub.subscribe('c', (e) => stays.push(e));
    unsubscribe();
    unsubscribe();
    hub.publish('c', 'still here');
    expect(hub.listenerCount('c')).toBe(1);
    expect(stays).toEqual(['still here']);
  });

  it('keeps delivering to the other listeners when one throws, and reports the error with its channel', () => {
    const { hub, errors } = hubWithErrors();
    const before: string[] = [];
    const after: string[] = [];
    const boom = new Error('socket gone');
    hub.subscribe('wall:main', (e) => before.push(e));
    hub.subscribe('wall:main', () => {
      throw boom;
    });
    hub.subscribe('wall:main', (e) => after.push(e));

    expect(() => hub.publish('wall:main', 'event')).not.toThrow();

    expect(before).toEqual(['event']);
    expect(after).toEqual(['event']);
    expect(errors).toEqual([{ error: boom, channel: 'wall:main' }]);
  });

  it('lets a listener unsubscribe itself during publish without the next listener missing the event', () => {
    const { hub } = hubWithErrors();
    const first: string[] = [];
    const once: string[] = [];
    const last: string[] = [];
    hub.subscribe('c', (e) => first.push(e));
    const unsubscribe = hub.subscribe('c', (e) => {
      once.push(e);
      unsubscribe();
    });
    hub.subscribe('c', (e) => last.push(e));

    hub.publish('c', 'a');
    hub.publish('c', 'b');

    expect(first).toEqual(['a', 'b']);
    expect(once).toEqual(['a']);
    expect(last).toEqual(['a', 'b']);
    expect(hub.listenerCount('c')).toBe(2);
  });

  it('delivers events to a listener in the order they were published', () => {
    const { hub } = hubWithErrors();
    const received: string[] = [];
    hub.subscribe('c', (e) => received.push(e));
    const sent = Array.from({ length: 100 }, (_, i) => `event-${i}`);
    for (const event of sent) hub.publish('c', event);
    expect(received).toEqual(sent);
  });

  it('calls listeners in the order they subscribed', () => {
    const { hub } = hubWithErrors();
    const calls: string[] = [];
    hub.subscribe('c', () => calls.push('first'));
    hub.subscribe('c', () => calls.push('second'));
    hub.subscribe('c', () => calls.push('third'));
    hub.publish('c', 'x');
    expect(calls).toEqual(['first', 'second', 'third']);
  });
});
