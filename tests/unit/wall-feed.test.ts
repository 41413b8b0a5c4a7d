import { describe, expect, it } from 'vitest';
import type { WallMessage } from '../../server/domain/message.js';
import type { PublicWall } from '../../server/domain/wall.js';
import { createInProcessHub, wallChannel, type Hub, type HubEvent } from '../../server/realtime/hub.js';
import { WallFeed, WallFeeds, type Viewer, type WallState, type WallStateSource } from '../../server/realtime/wall-feed.js';

const EPOCH = 'epoch-a';

function publicWall(overrides: Partial<PublicWall> = {}): PublicWall {
  return {
    slug: 'main',
    title: 'Main stage',
    hashtags: ['toile'],
    moderation: 'pre',
    layout: 'grid',
    theme: 'dark',
    display: 'live',
    smsNumbers: [],
    emailAddresses: [],
    smsKeyword: null,
    displayLimit: 50,
    ...overrides,
  };
}

function message(id: number, overrides: Partial<WallMessage> = {}): WallMessage {
  return {
    id,
    channel: 'web',
    source: 'web',
    author: { name: `Guest ${id}` },
    text: `message ${id}`,
    media: [],
    createdAt: `2025-06-01T10:00:0${id % 10}.000Z`,
    pinned: false,
    ...overrides,
  };
}

/** Wall events exactly as the publisher puts them on the hub: already serialized, with their seq. */
const event = {
  approved: (seq: number, msg: WallMessage): HubEvent => ({ seq, json: JSON.stringify({ type: 'approved', seq, message: msg }) }),
  removed: (seq: number, id: number): HubEvent => ({ seq, json: JSON.stringify({ type: 'removed', seq, id }) }),
  pinned: (seq: number, id: number): HubEvent => ({ seq, json: JSON.stringify({ type: 'pinned', seq, id }) }),
  unpinned: (seq: number, id: number): HubEvent => ({ seq, json: JSON.stringify({ type: 'unpinned', seq, id }) }),
  wall: (seq: number, wall: PublicWall): HubEvent => ({ seq, json: JSON.stringify({ type: 'wall', seq, wall }) }),
};

const recent = (events: HubEvent[]) => events.map((e) => ({ seq: e.seq!, json: e.json }));

/**
 * An in-memory stand-in for the SQLite-backed source: it hands out a copy of the state it holds, as the
 * real one builds a fresh object per load, and records each load.
 */
class MemorySource implements WallStateSource {
  readonly loads: string[] = [];
  private readonly states = new Map<string, WallState>();

  set(slug: string, state: WallState): void {
    this.states.set(slug, state);
  }

  load(slug: string): WallState | undefined {
    this.loads.push(slug);
    const state = this.states.get(slug);
    return state === undefined ? undefined : structuredClone(state);
  }
}

/** The text messages in bytes written to a socket, as a WebSocket client reads them (unmasked server frames). */
function unframe(bytes: Buffer): string[] {
  const texts: string[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    expect(bytes[offset]).toBe(0x81); // FIN, text
    let length = bytes[offset + 1]!;
    let header = 2;
    if (length === 126) [length, header] = [bytes.readUInt16BE(offset + 2), 4];
    else if (length === 127) [length, header] = [Number(bytes.readBigUInt64BE(offset + 2)), 10];
    texts.push(bytes.subarray(offset + header, offset + header + length).toString());
    offset += header + length;
  }
  return texts;
}

/** A viewer that keeps every write it is handed, as a socket would send them. */
class RecordingViewer implements Viewer {
  readonly writes: Buffer[] = [];
  send(framed: Buffer): void {
    this.writes.push(framed);
  }
  /** The messages received, in order, whatever writes carried them. */
  get texts(): string[] {
    return this.writes.flatMap(unframe);
  }
}

/** The wall `main` at seq 3: Guest 1 approved then pinned, Guest 2 approved. */
const E1 = event.approved(1, message(1));
const E2 = event.approved(2, message(2));
const E3 = event.pinned(3, 1);

function mainState(overrides: Partial<WallState> = {}): WallState {
  return {
    epoch: EPOCH,
    wall: publicWall(),
    seq: 3,
    items: [message(1, { pinned: true }), message(2)],
    recent: recent([E1, E2, E3]),
    ...overrides,
  };
}

interface Setup {
  hub: Hub<HubEvent>;
  hubErrors: unknown[];
  source: MemorySource;
  feeds: WallFeeds;
  feed: WallFeed;
  publish(e: HubEvent): void;
  items(): WallMessage[];
}

function setup(state: WallState = mainState(), ringSize = 1000, sliceSize = 1000): Setup {
  const hubErrors: unknown[] = [];
  const hub = createInProcessHub<HubEvent>((error) => hubErrors.push(error));
  const source = new MemorySource();
  source.set('main', state);
  const feeds = new WallFeeds(source, hub, { ringSize, sliceSize });
  const feed = feeds.get('main');
  if (!feed) throw new Error('the feed for main did not load');
  return {
    hub,
    hubErrors,
    source,
    feeds,
    feed,
    publish: (e) => hub.publish(wallChannel('main'), e),
    items: () => (JSON.parse(unframe(feed.snapshotFrame())[0]!) as { items: WallMessage[] }).items,
  };
}

describe('the snapshot a viewer receives on connecting', () => {
  it('carries the type, epoch, seq, public wall and visible items', () => {
    const { feed } = setup();
    expect(JSON.parse(unframe(feed.snapshotFrame())[0]!)).toEqual({
      type: 'snapshot',
      epoch: EPOCH,
      seq: 3,
      wall: publicWall(),
      items: [message(1, { pinned: true }), message(2)],
    });
    expect(feed.seq).toBe(3);
    expect(feed.epoch).toBe(EPOCH);
  });

  it('is the very same Buffer for every viewer until an event changes the wall', () => {
    const { feed, publish } = setup();
    const first = feed.snapshotFrame();
    expect(feed.snapshotFrame()).toBe(first);

    publish(event.approved(4, message(4)));
    const second = feed.snapshotFrame();

    expect(second).not.toBe(first);
    expect(JSON.parse(unframe(second)[0]!)).toMatchObject({ seq: 4 });
    expect(feed.snapshotFrame()).toBe(second);
  });

  it('is not re-encoded when an already-seen event is replayed', () => {
    const { feed, publish } = setup();
    const before = feed.snapshotFrame();
    publish(E2);
    expect(feed.snapshotFrame()).toBe(before);
  });
});

describe('folding wall events into the live state', () => {
  it('adds a newly approved message at the end', () => {
    const { publish, items } = setup();
    publish(event.approved(4, message(4)));
    expect(items().map((m) => m.id)).toEqual([1, 2, 4]);
  });

  it('replaces a message that is approved again rather than showing it twice', () => {
    const { publish, items } = setup();
    publish(event.approved(4, message(2, { text: 'edited' })));
    expect(items().map((m) => [m.id, m.text])).toEqual([
      [1, 'message 1'],
      [2, 'edited'],
    ]);
  });

  it('deletes a removed message', () => {
    const { publish, items } = setup();
    publish(event.removed(4, 1));
    expect(items().map((m) => m.id)).toEqual([2]);
  });

  it('pins and unpins a message', () => {
    const { publish, items } = setup();
    publish(event.pinned(4, 2));
    expect(items().map((m) => [m.id, m.pinned])).toEqual([
      [1, true],
      [2, true],
    ]);
    publish(event.unpinned(5, 1));
    expect(items().map((m) => [m.id, m.pinned])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('replaces the wall settings on a wall event', () => {
    const { feed, publish } = setup();
    const renamed = publicWall({ title: 'Keynote', layout: 'spotlight', display: 'freeze' });
    publish(event.wall(4, renamed));
    expect(feed.wall).toEqual(renamed);
    expect(JSON.parse(unframe(feed.snapshotFrame())[0]!).wall).toEqual(renamed);
  });

  it('keeps the display limit by dropping the oldest unpinned message first', () => {
    const { publish, items } = setup(mainState({ wall: publicWall({ displayLimit: 3 }), items: [message(1, { pinned: true }), message(2), message(3)] }));
    publish(event.approved(4, message(4)));
    expect(items().map((m) => m.id)).toEqual([1, 3, 4]);
  });

  it('trims at once when a wall event lowers the display limit', () => {
    const { publish, items } = setup(mainState({ items: [message(1, { pinned: true }), message(2), message(3)] }));
    publish(event.wall(4, publicWall({ displayLimit: 2 })));
    expect(items().map((m) => m.id)).toEqual([1, 3]);
  });

  it('never shows more than the display limit, even when every message is pinned', () => {
    const state = mainState({ wall: publicWall({ displayLimit: 2 }), items: [message(1, { pinned: true }), message(2, { pinned: true })] });
    const { publish, items } = setup(state);
    publish(event.approved(4, message(3, { pinned: true })));
    expect(items().map((m) => m.id)).toEqual([2, 3]);
  });
});

describe('resuming a viewer with since', () => {
  const isSnapshot = (bytes: Buffer) => unframe(bytes).length === 1 && JSON.parse(unframe(bytes)[0]!).type === 'snapshot';

  it('sends exactly the frames the viewer missed, in order, in one buffer', () => {
    const { feed, publish } = setup();
    const e4 = event.approved(4, message(4));
    publish(e4);
    expect(unframe(feed.resumeFrame(1))).toEqual([E2.json, E3.json, e4.json]);
    expect(unframe(feed.resumeFrame(3, EPOCH))).toEqual([e4.json]);
    expect(feed.eventsSince(1)).toEqual([E2.json, E3.json, e4.json]);
  });

  it('hands everyone resuming from the same seq the same bytes, until the next event', () => {
    const { feed, publish } = setup();
    const first = feed.resumeFrame(1);
    expect(feed.resumeFrame(1)).toBe(first);
    const e4 = event.approved(4, message(4));
    publish(e4);
    const next = feed.resumeFrame(1);
    expect(next).not.toBe(first);
    expect(unframe(next)).toEqual([E2.json, E3.json, e4.json]);
  });

  it('sends nothing when the viewer is up to date', () => {
    const { feed } = setup();
    expect(feed.resumeFrame(3).length).toBe(0);
    expect(feed.eventsSince(3)).toEqual([]);
  });

  it('sends a snapshot when the missed frames are older than the ring holds', () => {
    const { feed, publish } = setup(mainState(), 3);
    publish(event.approved(4, message(4)));
    publish(event.approved(5, message(5)));
    // The ring now holds seq 3, 4 and 5 only.
    expect(unframe(feed.resumeFrame(2))).toHaveLength(3);
    expect(isSnapshot(feed.resumeFrame(1))).toBe(true);
    expect(isSnapshot(feed.resumeFrame(0))).toBe(true);
    expect(feed.eventsSince(1)).toBeNull();
  });

  it('sends a snapshot for a seq from the future, from another epoch (a restored database), or that is not a whole number', () => {
    const { feed } = setup();
    expect(isSnapshot(feed.resumeFrame(4))).toBe(true);
    expect(isSnapshot(feed.resumeFrame(1, 'epoch-b'))).toBe(true);
    expect(isSnapshot(feed.resumeFrame(1, EPOCH))).toBe(false);
    for (const since of [-1, 1.5, Number.NaN]) expect(isSnapshot(feed.resumeFrame(since))).toBe(true);
    expect(isSnapshot(feed.resumeFrame(undefined))).toBe(true);
    expect(feed.eventsSince(4)).toBeNull();
  });
});

describe('delivering live events to viewers', () => {
  it('hands every viewer the very same Buffer for an event, holding the bytes that were published', () => {
    const { feed, publish } = setup();
    const viewers = [new RecordingViewer(), new RecordingViewer(), new RecordingViewer()];
    for (const viewer of viewers) feed.add(viewer);
    const e4 = event.approved(4, message(4));

    publish(e4);

    const [frame] = viewers[0]!.writes;
    expect(unframe(frame!)).toEqual([e4.json]);
    for (const viewer of viewers) {
      expect(viewer.writes).toHaveLength(1);
      expect(viewer.writes[0]).toBe(frame);
    }
    // A viewer resuming later is served the same bytes from the ring.
    expect(feed.resumeFrame(3)).toBe(frame);
  });

  it('delivers events in seq order', () => {
    const { feed, publish } = setup();
    const viewer = new RecordingViewer();
    feed.add(viewer);
    const sent = [event.approved(4, message(4)), event.removed(5, 2), event.pinned(6, 4)];
    for (const e of sent) publish(e);
    expect(viewer.texts).toEqual(sent.map((e) => e.json));
  });

  it('ignores a duplicate or older seq', () => {
    const { feed, publish, items } = setup();
    const viewer = new RecordingViewer();
    feed.add(viewer);

    publish(event.removed(3, 1));
    publish(event.removed(2, 2));

    expect(viewer.writes).toEqual([]);
    expect(feed.seq).toBe(3);
    expect(items().map((m) => m.id)).toEqual([1, 2]);
  });

  it('ignores an event that carries no seq', () => {
    const { feed, hub } = setup();
    const viewer = new RecordingViewer();
    feed.add(viewer);
    hub.publish(wallChannel('main'), { json: JSON.stringify({ type: 'removed', id: 1 }) });
    expect(viewer.writes).toEqual([]);
    expect(feed.seq).toBe(3);
  });

  it('stops delivering to a viewer that was removed', () => {
    const { feed, publish } = setup();
    const viewer = new RecordingViewer();
    feed.add(viewer);
    expect(feed.viewerCount).toBe(1);
    feed.remove(viewer);
    publish(event.approved(4, message(4)));
    expect(viewer.writes).toEqual([]);
    expect(feed.viewerCount).toBe(0);
  });

  it('lets a viewer remove itself while being delivered to without the next viewer missing the frame', () => {
    const { feed, publish } = setup();
    const removed: Buffer[] = [];
    const leaving: Viewer = {
      send(frame) {
        removed.push(frame);
        feed.remove(leaving);
      },
    };
    feed.add(leaving);
    const next = new RecordingViewer();
    feed.add(next);

    publish(event.approved(4, message(4)));
    publish(event.approved(5, message(5)));

    expect(removed).toHaveLength(1);
    expect(next.writes).toHaveLength(2);
  });

  it('keeps delivering to the other viewers when one viewer throws', () => {
    const { feed, publish } = setup();
    feed.add({
      send() {
        throw new Error('socket write failed');
      },
    });
    const healthy = new RecordingViewer();
    feed.add(healthy);
    const e4 = event.approved(4, message(4));

    publish(e4);

    expect(healthy.texts).toEqual([e4.json]);
  });
});

/** Lets the event loop turn `n` times, as a sliced broadcast needs. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('broadcasting to more viewers than a slice', () => {
  it('writes over several turns of the event loop, every viewer getting each event once, in order', async () => {
    const { feed, publish } = setup(mainState(), 1000, 2);
    const viewers = Array.from({ length: 5 }, () => new RecordingViewer());
    for (const viewer of viewers) feed.add(viewer);
    const e4 = event.approved(4, message(4));

    publish(e4);
    // Nothing is written while the event is being folded in…
    expect(viewers.map((v) => v.writes.length)).toEqual([0, 0, 0, 0, 0]);
    await turns(1);
    // …then one slice per turn.
    expect(viewers.map((v) => v.writes.length)).toEqual([1, 1, 0, 0, 0]);
    const e5 = event.removed(5, 2);
    publish(e5);
    await turns(10);

    for (const viewer of viewers) expect(viewer.texts).toEqual([e4.json, e5.json]);
    expect(feed.deliveryCount).toBe(10);
  });

  it('sends the events that arrive in one turn together, as one write per viewer', async () => {
    const { feed, publish } = setup(mainState(), 1000, 2);
    const viewers = Array.from({ length: 3 }, () => new RecordingViewer());
    for (const viewer of viewers) feed.add(viewer);
    const sent = [event.approved(4, message(4)), event.approved(5, message(5)), event.pinned(6, 5)];

    for (const e of sent) publish(e);
    await turns(10);

    for (const viewer of viewers) {
      expect(viewer.writes).toHaveLength(1);
      expect(viewer.texts).toEqual(sent.map((e) => e.json));
    }
    expect(viewers[1]!.writes[0]).toBe(viewers[0]!.writes[0]);
  });

  it('does not send a viewer that joined after an event was queued what its snapshot already held', async () => {
    const { feed, publish } = setup(mainState(), 1000, 1);
    const early = [new RecordingViewer(), new RecordingViewer()];
    for (const viewer of early) feed.add(viewer);
    const e4 = event.approved(4, message(4));
    const e5 = event.approved(5, message(5));

    publish(e4);
    // It connects now: its snapshot is taken at seq 4, while event 4 is still queued.
    const late = new RecordingViewer();
    feed.add(late);
    expect(JSON.parse(unframe(feed.snapshotFrame())[0]!)).toMatchObject({ seq: 4 });
    publish(e5);
    await turns(10);

    for (const viewer of early) expect(viewer.texts).toEqual([e4.json, e5.json]);
    expect(late.texts).toEqual([e5.json]);
  });

  it('skips a viewer that left during the pass', async () => {
    const { feed, publish } = setup(mainState(), 1000, 1);
    const stay = new RecordingViewer();
    const leaving = new RecordingViewer();
    feed.add(stay);
    feed.add(leaving);

    publish(event.approved(4, message(4)));
    await turns(1);
    feed.remove(leaving);
    await turns(10);

    expect(stay.texts).toHaveLength(1);
    expect(leaving.writes).toEqual([]);
  });

  it('writes nothing after the feed is closed', async () => {
    const { feed, feeds, publish } = setup(mainState(), 1000, 1);
    const viewers = [new RecordingViewer(), new RecordingViewer()];
    for (const viewer of viewers) feed.add(viewer);

    publish(event.approved(4, message(4)));
    feeds.close();
    await turns(10);

    expect(viewers.map((v) => v.writes.length)).toEqual([0, 0]);
  });
});

describe('catching up after a gap in seq', () => {
  it('reloads from the source and sends viewers the frames they missed, in order', () => {
    const { feed, source, publish, items } = setup();
    const viewer = new RecordingViewer();
    feed.add(viewer);
    const e4 = event.approved(4, message(4));
    const e5 = event.removed(5, 2);
    const e6 = event.approved(6, message(6));
    // Events 4 and 5 were committed by another process and never reached this hub.
    source.set('main', mainState({ seq: 6, items: [message(1, { pinned: true }), message(4), message(6)], recent: recent([E1, E2, E3, e4, e5, e6]) }));

    publish(e6);

    expect(source.loads).toEqual(['main', 'main']);
    expect(viewer.texts).toEqual([e4.json, e5.json, e6.json]);
    expect(feed.seq).toBe(6);
    expect(items().map((m) => m.id)).toEqual([1, 4, 6]);
    expect(feed.eventsSince(3)).toEqual([e4.json, e5.json, e6.json]);
  });

  it('sends a fresh snapshot when the reloaded log no longer reaches back to what viewers saw', () => {
    const { feed, source, publish } = setup();
    const viewer = new RecordingViewer();
    feed.add(viewer);
    const e9 = event.approved(9, message(9));
    source.set('main', mainState({ seq: 9, items: [message(9)], recent: recent([event.removed(8, 1), e9]) }));

    publish(e9);

    expect(viewer.writes).toHaveLength(1);
    expect(JSON.parse(viewer.texts[0]!)).toEqual({ type: 'snapshot', epoch: EPOCH, seq: 9, wall: publicWall(), items: [message(9)] });
    expect(viewer.writes[0]).toBe(feed.snapshotFrame());
  });
});

describe('reloading on demand (an edge that read a newer state from Redis)', () => {
  it('sends viewers what they missed when the source has moved on, with nothing published', () => {
    const { feed, source } = setup();
    const viewer = new RecordingViewer();
    feed.add(viewer);
    const e4 = event.approved(4, message(4));
    source.set('main', mainState({ seq: 4, items: [message(1, { pinned: true }), message(2), message(4)], recent: recent([E1, E2, E3, e4]) }));

    feed.reload();

    expect(viewer.texts).toEqual([e4.json]);
    expect(feed.seq).toBe(4);
  });

  it('sends nothing when the source holds what the feed already has', () => {
    const { feed } = setup();
    const viewer = new RecordingViewer();
    feed.add(viewer);
    feed.reload();
    expect(viewer.writes).toEqual([]);
  });

  it('sends a snapshot of the new epoch when the database behind the source was replaced', () => {
    const { feed, source } = setup();
    const viewer = new RecordingViewer();
    feed.add(viewer);
    source.set('main', mainState({ epoch: 'epoch-b', seq: 1, items: [message(7)], recent: recent([event.approved(1, message(7))]) }));

    feed.reload();

    expect(viewer.texts.map((text) => JSON.parse(text) as { type: string; epoch: string; seq: number })).toEqual([
      expect.objectContaining({ type: 'snapshot', epoch: 'epoch-b', seq: 1 }),
    ]);
  });
});

describe('the stale status of an edge', () => {
  it('tells every viewer of every wall once when the feed goes stale, and once when it is live again', () => {
    const { feeds, feed, source } = setup();
    source.set('side', mainState({ wall: publicWall({ slug: 'side' }) }));
    const side = feeds.get('side')!;
    const [a, b] = [new RecordingViewer(), new RecordingViewer()];
    feed.add(a);
    side.add(b);

    feeds.setStale(true);
    feeds.setStale(true);
    feeds.setStale(false);
    feeds.setStale(false);

    for (const viewer of [a, b]) expect(viewer.texts).toEqual(['{"type":"status","stale":true}', '{"type":"status","stale":false}']);
  });

  it('hands a joining viewer the stale status only while there is one', () => {
    const { feeds } = setup();
    expect(feeds.notice).toBeNull();
    feeds.setStale(true);
    expect(unframe(feeds.notice!)).toEqual(['{"type":"status","stale":true}']);
    feeds.setStale(false);
    expect(feeds.notice).toBeNull();
  });

  it('serves the snapshot as JSON for the HTTP fallback, the same bytes as in its frame', () => {
    const { feed } = setup();
    expect(unframe(feed.snapshotFrame())).toEqual([feed.snapshotJson().toString()]);
  });
});

describe('the feeds of a process', () => {
  it('loads a wall once on first use and hands back the same feed afterwards', () => {
    const { feeds, feed, source, hub } = setup();
    expect(feeds.get('main')).toBe(feed);
    expect(source.loads).toEqual(['main']);
    expect(hub.listenerCount(wallChannel('main'))).toBe(1);
  });

  it('returns undefined for a wall the source does not know, without subscribing', () => {
    const { feeds, hub } = setup();
    expect(feeds.get('nowhere')).toBeUndefined();
    expect(hub.listenerCount(wallChannel('nowhere'))).toBe(0);
  });

  it('counts the viewers of every wall', () => {
    const { feeds, feed, source } = setup();
    source.set('side', mainState({ wall: publicWall({ slug: 'side' }) }));
    const side = feeds.get('side')!;
    feed.add(new RecordingViewer());
    feed.add(new RecordingViewer());
    side.add(new RecordingViewer());
    expect(feeds.viewerCount()).toBe(3);
  });

  it('unsubscribes every feed from the hub on close, so viewers receive nothing more', () => {
    const { feeds, feed, hub, publish } = setup();
    const viewer = new RecordingViewer();
    feed.add(viewer);

    feeds.close();
    publish(event.approved(4, message(4)));

    expect(hub.listenerCount(wallChannel('main'))).toBe(0);
    expect(viewer.writes).toEqual([]);
    expect(feeds.viewerCount()).toBe(0);
  });
});

describe('the counts a feed keeps for the metrics', () => {
  it('counts each event once and each frame handed to a viewer, including the events skipped over by a gap', () => {
    const { feed, feeds, source, publish } = setup();
    const viewers = [new RecordingViewer(), new RecordingViewer()];
    for (const viewer of viewers) feed.add(viewer);

    publish(event.removed(4, 2));
    expect(feed.eventCount).toBe(1);
    expect(feed.deliveryCount).toBe(2);

    // Seq 5 and 6 were stored by another process; 7 reveals the gap and the feed catches up from the source.
    const E5 = event.approved(5, message(5));
    const E6 = event.approved(6, message(6));
    const E7 = event.approved(7, message(7));
    source.set('main', mainState({ seq: 7, items: [message(1, { pinned: true }), message(5), message(6), message(7)], recent: recent([E1, E2, E3, event.removed(4, 2), E5, E6, E7]) }));
    publish(E7);
    expect(feed.eventCount).toBe(4);
    expect(feed.deliveryCount).toBe(2 + 3 * 2);
    // The three missed events go out together, as one write per viewer.
    expect(viewers[0]!.texts).toHaveLength(4);
    expect(viewers[0]!.writes).toHaveLength(2);
    expect([...feeds.all()]).toEqual([feed]);
  });
});
