/**
 * The wall protocol folded into state by a pure function: no socket, no DOM, no Lit, so that the unit
 * tests can replay any sequence of frames and the wall and its tests share one implementation.
 * The protocol is DESIGN.md's "Wall realtime protocol": a snapshot, then events whose `seq` increases by
 * exactly one.
 */
import type { PublicWall, WallFrame, WallMessage } from './types.js';

/**
 * `connecting` before the first snapshot, `live` while the socket is open, `stale` while it is down or
 * while the server says what it sends may be behind (a cluster edge that lost Redis).
 */
export type ConnectionStatus = 'connecting' | 'live' | 'stale';

export interface WallState {
  /** Identifies the server's database; a resume from another epoch gets a snapshot instead of events. */
  epoch: string | null;
  /** The seq of the last event folded in; 0 before any. */
  seq: number;
  wall: PublicWall | null;
  /** The visible approved messages, oldest first, as the server orders them. */
  items: readonly WallMessage[];
  /** The ids of the pinned items, in the order they were pinned. */
  pinnedIds: readonly number[];
  /**
   * While the wall's display is `freeze`, the items the screen keeps showing; null otherwise. Removals
   * still apply to it, because a moderator who hides something during a freeze means it.
   */
  frozen: readonly WallMessage[] | null;
  status: ConnectionStatus;
}

export interface WallStep {
  state: WallState;
  /**
   * True when the frame's seq skipped ahead: some events were missed, so the frame was not applied and
   * the connection must resume with `since` = `state.seq`.
   */
  gap: boolean;
}

/** What a wall shows when its settings do not say. */
export const DEFAULT_DISPLAY_LIMIT = 50;

export function initialWallState(): WallState {
  return { epoch: null, seq: 0, wall: null, items: [], pinnedIds: [], frozen: null, status: 'connecting' };
}

/**
 * Folds one frame. Duplicates (seq ≤ state.seq) leave the state as it is; a skipped seq reports a gap
 * without applying anything. An event before any snapshot is also a gap: there is nothing to apply it to.
 */
export function reduceWall(state: WallState, frame: WallFrame): WallStep {
  if (frame.type === 'snapshot') return { state: applySnapshot(state, frame), gap: false };
  // A reload is for the page (WallConnection), not an event of the wall; a status is the connection's news.
  if (frame.type === 'reload') return { state, gap: false };
  if (frame.type === 'status') return { state: withStatus(state, frame.stale === true ? 'stale' : 'live'), gap: false };
  const seq: unknown = frame.seq;
  if (typeof seq !== 'number' || !Number.isInteger(seq)) return { state, gap: false };
  if (state.wall === null) return { state, gap: true };
  if (seq <= state.seq) return { state, gap: false };
  if (seq > state.seq + 1) return { state, gap: true };
  return { state: applyEvent({ ...state, seq }, frame), gap: false };
}

/** The connection's own news (open, closed), kept in the same state so the wall renders one object. */
export function withStatus(state: WallState, status: ConnectionStatus): WallState {
  return state.status === status ? state : { ...state, status };
}

/**
 * What the screen shows, newest first with the pinned items ahead of the rest: the frozen items during
 * a freeze, nothing when blanked.
 */
export function shownItems(state: WallState): WallMessage[] {
  if (state.wall?.display === 'blank') return [];
  const newestFirst = [...(state.frozen ?? state.items)].reverse();
  return [...newestFirst.filter((m) => m.pinned), ...newestFirst.filter((m) => !m.pinned)];
}

function applySnapshot(state: WallState, frame: Extract<WallFrame, { type: 'snapshot' }>): WallState {
  const items = trim(frame.items, frame.wall);
  const sameEpoch = state.epoch === frame.epoch;
  let frozen: readonly WallMessage[] | null = null;
  if (frame.wall.display === 'freeze') {
    // A resume during a freeze keeps the frozen screen, minus what was removed meanwhile. From another
    // epoch the ids mean other messages, so the snapshot's items are shown as they are.
    const current = new Map(items.map((m) => [m.id, m]));
    frozen =
      state.frozen !== null && sameEpoch
        ? state.frozen.flatMap((m) => {
            const fresh = current.get(m.id);
            return fresh ? [fresh] : [];
          })
        : items;
  }
  return {
    epoch: frame.epoch,
    seq: frame.seq,
    wall: frame.wall,
    items,
    pinnedIds: items.filter((m) => m.pinned).map((m) => m.id),
    frozen,
    status: 'live',
  };
}

function applyEvent(state: WallState, frame: WallFrame): WallState {
  switch (frame.type) {
    case 'approved': {
      const message = frame.message;
      const known = state.items.some((m) => m.id === message.id);
      const items = known ? state.items.map((m) => (m.id === message.id ? message : m)) : [...state.items, message];
      return {
        ...state,
        items: trim(items, state.wall),
        pinnedIds: setPinned(state.pinnedIds, message.id, message.pinned),
        // An item already on a frozen screen may be corrected in place; a new one waits for `live`.
        frozen: state.frozen?.map((m) => (m.id === message.id ? message : m)) ?? null,
      };
    }
    case 'removed':
      return {
        ...state,
        items: state.items.filter((m) => m.id !== frame.id),
        pinnedIds: state.pinnedIds.filter((id) => id !== frame.id),
        frozen: state.frozen?.filter((m) => m.id !== frame.id) ?? null,
      };
    case 'pinned':
    case 'unpinned': {
      const pinned = frame.type === 'pinned';
      const flag = (m: WallMessage) => (m.id === frame.id ? { ...m, pinned } : m);
      if (!state.items.some((m) => m.id === frame.id)) return state;
      return {
        ...state,
        items: state.items.map(flag),
        pinnedIds: setPinned(state.pinnedIds, frame.id, pinned),
        frozen: state.frozen?.map(flag) ?? null,
      };
    }
    case 'wall': {
      const wall = frame.wall;
      const items = trim(state.items, wall);
      const frozen = wall.display === 'freeze' ? (state.frozen ?? items) : null;
      const ids = new Set(items.map((m) => m.id));
      return { ...state, wall, items, frozen, pinnedIds: state.pinnedIds.filter((id) => ids.has(id)) };
    }
    default:
      // An event type this client does not know yet still takes its seq, so that a newer server does
      // not send an older wall into a loop of gap-and-resume.
      return state;
  }
}

function setPinned(pinnedIds: readonly number[], id: number, pinned: boolean): readonly number[] {
  const without = pinnedIds.filter((p) => p !== id);
  return pinned ? [...without, id] : without.length === pinnedIds.length ? pinnedIds : without;
}

/**
 * Keeps at most the wall's display limit, dropping the oldest unpinned items first, as the server does
 * for its snapshots, so that a resumed wall and a freshly loaded one show the same items.
 */
function trim(items: readonly WallMessage[], wall: PublicWall | null): readonly WallMessage[] {
  const limit = wall?.displayLimit ?? DEFAULT_DISPLAY_LIMIT;
  let excess = items.length - limit;
  if (excess <= 0) return items;
  const kept = items.filter((m) => {
    if (excess > 0 && !m.pinned) {
      excess -= 1;
      return false;
    }
    return true;
  });
  return kept.length > limit ? kept.slice(-limit) : kept;
}
