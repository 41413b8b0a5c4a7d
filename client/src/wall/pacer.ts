/**
 * Decides which of a wall's items are on screen, and since when: the "pacing" of issue 7. A projected
 * wall that simply showed the newest items would flash a burst of approvals past faster than anyone can
 * read, let one enthusiastic sender fill the screen, and freeze into a still picture when the room goes
 * quiet. The pacer fixes the three:
 *
 * - an item stays on screen at least `minSeconds` before a newer one may push it off (removals, which a
 *   moderator means, apply at once; edits replace the item where it stands);
 * - items waiting for a place take turns by sender: the oldest waiting item of the sender with the fewest
 *   items on screen goes first, so a sender already at `perSender` waits while anyone else is waiting;
 * - when nothing has entered for `replayAfterSeconds` (and `replay` is on), the pool item that has been
 *   off screen the longest comes back, marked `replay`; with a capacity of one (the spotlight) that turns
 *   the quiet wall into a slow rotation through the pool.
 *
 * Pinned items are always on screen, ahead of the rest. During a freeze nothing new enters.
 *
 * It is a plain class with no DOM and no timers: the shell calls `tick` every second and whenever its
 * state changes, with the clock as an argument, so that the tests drive it with a fake clock. Each tick
 * is linear in the pool (at most the wall's display limit), plus a scan of the waiting senders for each
 * item that enters.
 */
import type { WallMessage, WallPacing } from '../shared/types.js';
import type { ShownItem } from './layout-types.js';

export interface PacerInput {
  /** Every item the wall holds, pinned first then newest first: `shownItems(state)` of the reducer. */
  pool: readonly WallMessage[];
  /** How many items the layout can show at once (its last `toile-capacity`). */
  capacity: number;
  pacing: WallPacing;
  /** The clock, in ms since the epoch. */
  now: number;
  /** True while the wall's display is `freeze`: removals, edits and pins apply, nothing else enters. */
  frozen?: boolean;
}

/** What the pacer remembers of one pool item. */
interface Seen {
  /** Order of first sight: among waiting items, a lower one is older. */
  arrival: number;
  /** True for an item that arrived after the screen was first filled and has not been shown yet. */
  waiting: boolean;
  /** When it was last on screen (ms); -Infinity if never. */
  lastShownAt: number;
}

/**
 * The sender of an item, for rotation: the same name on two channels, or two people called "Marie" with
 * different handles, are different senders.
 */
export function senderKey(message: WallMessage): string {
  return [message.channel, message.source, message.author.name, message.author.handle ?? ''].join('\u0000');
}

export class Pacer {
  private shown: readonly ShownItem[] = [];
  private readonly seen = new Map<number, Seen>();
  private arrivals = 0;
  /** False until the pacer has seen a non-empty pool: what is there at that moment is history, not news. */
  private hasBaseline = false;
  /** When an item last entered the screen (new, backfilled or replayed); null before the first tick. */
  private lastEntryAt: number | null = null;

  /** What is on screen after the last tick. */
  get items(): readonly ShownItem[] {
    return this.shown;
  }

  /**
   * Moves the screen one step forward. Returns the items on screen: the same array as the previous call
   * when nothing changed, so that the caller can skip a render by comparing references.
   */
  tick(input: PacerInput): readonly ShownItem[] {
    const { pool, now, pacing } = input;
    const capacity = Math.max(0, Math.floor(Number.isFinite(input.capacity) ? input.capacity : 0));
    if (this.lastEntryAt === null) this.lastEntryAt = now;
    if (pool.length === 0) return this.clear(now);

    const byId = new Map<number, WallMessage>();
    const rank = new Map<number, number>();
    pool.forEach((message, i) => {
      byId.set(message.id, message);
      rank.set(message.id, i);
    });
    this.learn(pool, byId);

    // What stays: everything still in the pool, with its latest version (an edit or a pin replaces it in place).
    const previous = new Map<number, ShownItem>();
    for (const item of this.shown) {
      const message = byId.get(item.message.id);
      if (message === undefined) {
        this.markLeft(item.message.id, now);
        continue;
      }
      previous.set(message.id, item.message === message ? item : { ...item, message });
    }

    // Pinned items first, in the pool's order, as many as fit.
    const pinned: ShownItem[] = [];
    for (const message of pool) {
      if (!message.pinned || pinned.length >= capacity) continue;
      const item = previous.get(message.id) ?? this.enter(message, now);
      previous.delete(message.id);
      pinned.push(item);
    }
    // The others, most recently entered first; when the screen shrank, the oldest leave.
    const room = capacity - pinned.length;
    // Items that entered together keep the pool's order (the newest first).
    const byEntryDesc = (a: ShownItem, b: ShownItem) => b.enteredAt - a.enteredAt || rank.get(a.message.id)! - rank.get(b.message.id)!;
    const others = [...previous.values()].filter((item) => !item.message.pinned).sort(byEntryDesc);
    while (others.length > Math.max(0, room)) this.markLeft(others.pop()!.message.id, now);
    for (const item of previous.values()) if (item.message.pinned) this.markLeft(item.message.id, now);

    if (!input.frozen && room > 0) {
      this.admit(others, room, pool, pacing, now);
      others.sort(byEntryDesc);
    }

    for (const item of [...pinned, ...others]) this.seen.get(item.message.id)!.lastShownAt = now;
    return this.publish([...pinned, ...others]);
  }

  /** Fills free room, lets waiting items push out old ones, and replays when the wall has been quiet. */
  private admit(others: ShownItem[], room: number, pool: readonly WallMessage[], pacing: WallPacing, now: number): void {
    const onScreen = new Set(others.map((item) => item.message.id));
    const countBySender = new Map<string, number>();
    for (const item of others) bump(countBySender, senderKey(item.message), 1);
    const queue = new WaitingQueue(pool, this.seen, onScreen);
    const minMs = Math.max(0, pacing.minSeconds) * 1000;
    let entered = false;

    const push = (message: WallMessage, replay: boolean) => {
      others.unshift(this.enter(message, now, replay));
      onScreen.add(message.id);
      bump(countBySender, senderKey(message), 1);
      entered = true;
    };
    const evictOldest = () => {
      const gone = others.pop()!;
      onScreen.delete(gone.message.id);
      bump(countBySender, senderKey(gone.message), -1);
      this.markLeft(gone.message.id, now);
    };
    const oldestHasServed = () => others.length > 0 && now - others[others.length - 1]!.enteredAt >= minMs;

    // New items take free room at once, then may push out items that have had their time.
    const limit = Math.max(0, pacing.perSender);
    for (let next = queue.next(countBySender, limit); next !== null; next = queue.next(countBySender, limit)) {
      if (others.length >= room) {
        if (!oldestHasServed()) break;
        evictOldest();
      }
      queue.take(next);
      push(next, false);
    }
    // Room left and nobody waiting (a removal, a larger screen, the first fill): the newest items not on screen.
    for (const message of pool) {
      if (others.length >= room) break;
      if (message.pinned || onScreen.has(message.id)) continue;
      push(message, this.seen.get(message.id)!.lastShownAt !== -Infinity);
    }
    const quietFor = now - (this.lastEntryAt ?? now);
    if (!entered && pacing.replay && quietFor >= Math.max(0, pacing.replayAfterSeconds) * 1000 && oldestHasServed()) {
      const comeback = this.leastRecentlyShown(pool, onScreen);
      if (comeback !== null) {
        evictOldest();
        push(comeback, true);
      }
    }
    if (entered) this.lastEntryAt = now;
  }

  /** Records the pool's new items; forgets items that left it. */
  private learn(pool: readonly WallMessage[], byId: ReadonlyMap<number, WallMessage>): void {
    for (const id of this.seen.keys()) if (!byId.has(id)) this.seen.delete(id);
    // The pool is newest first: walk it backwards so that arrival numbers grow with age order.
    for (let i = pool.length - 1; i >= 0; i -= 1) {
      const message = pool[i]!;
      if (this.seen.has(message.id)) continue;
      this.seen.set(message.id, { arrival: this.arrivals++, waiting: this.hasBaseline, lastShownAt: -Infinity });
    }
    this.hasBaseline = true;
  }

  private enter(message: WallMessage, now: number, replay = false): ShownItem {
    const seen = this.seen.get(message.id);
    if (seen) {
      seen.waiting = false;
      seen.lastShownAt = now;
    }
    this.lastEntryAt = now;
    return { message, enteredAt: now, replay };
  }

  private markLeft(id: number, now: number): void {
    const seen = this.seen.get(id);
    if (seen) seen.lastShownAt = now;
  }

  /** The non-pinned pool item off screen the longest (never shown counts as longest; ties: the newest). */
  private leastRecentlyShown(pool: readonly WallMessage[], onScreen: ReadonlySet<number>): WallMessage | null {
    let best: WallMessage | null = null;
    let bestAt = Infinity;
    for (const message of pool) {
      if (message.pinned || onScreen.has(message.id)) continue;
      const at = this.seen.get(message.id)!.lastShownAt;
      if (at < bestAt) {
        best = message;
        bestAt = at;
      }
    }
    return best;
  }

  /** An empty pool (a blank wall, or every item removed): the screen empties and the next pool is history. */
  private clear(now: number): readonly ShownItem[] {
    this.seen.clear();
    this.hasBaseline = false;
    this.lastEntryAt = now;
    return this.publish([]);
  }

  private publish(next: ShownItem[]): readonly ShownItem[] {
    const same =
      next.length === this.shown.length &&
      next.every((item, i) => {
        const old = this.shown[i]!;
        return old.message === item.message && old.enteredAt === item.enteredAt && old.replay === item.replay;
      });
    if (!same) this.shown = next;
    return this.shown;
  }
}

/**
 * The items waiting for a place, one queue per sender (oldest first), so that picking the next one costs
 * a scan of the waiting senders rather than of every waiting item.
 */
class WaitingQueue {
  private readonly bySender = new Map<string, WallMessage[]>();
  private readonly arrival: (message: WallMessage) => number;

  constructor(pool: readonly WallMessage[], seen: ReadonlyMap<number, Seen>, onScreen: ReadonlySet<number>) {
    this.arrival = (message) => seen.get(message.id)!.arrival;
    const waiting = pool.filter((m) => !m.pinned && !onScreen.has(m.id) && seen.get(m.id)!.waiting);
    waiting.sort((a, b) => this.arrival(a) - this.arrival(b));
    for (const message of waiting) {
      const key = senderKey(message);
      const list = this.bySender.get(key);
      if (list) list.push(message);
      else this.bySender.set(key, [message]);
    }
  }

  /**
   * The next item to enter, or null when nobody waits: the oldest item of the sender with the fewest
   * items on screen. Fewest first is what makes a sender at the `perSender` limit wait while anyone else
   * is waiting (anyone else has fewer); with no limit (0) the oldest item goes first, whoever sent it.
   */
  next(onScreen: ReadonlyMap<string, number>, limit: number): WallMessage | null {
    let best: WallMessage | null = null;
    let bestCount = Infinity;
    for (const [key, list] of this.bySender) {
      const head = list[0]!;
      const count = limit > 0 ? (onScreen.get(key) ?? 0) : 0;
      if (count < bestCount || (count === bestCount && this.arrival(head) < this.arrival(best!))) {
        best = head;
        bestCount = count;
      }
    }
    return best;
  }

  take(message: WallMessage): void {
    const key = senderKey(message);
    const list = this.bySender.get(key)!;
    list.shift();
    if (list.length === 0) this.bySender.delete(key);
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}
