/**
 * The moderation queue folded by a pure function: `{type:"snapshot", items}` replaces everything, then
 * `{type:"message", message}` brings every new or changed message (DESIGN.md, "Moderation"), and
 * `{type:"presence", moderators}` says who else is moderating the wall and which card each has open, and
 * `{type:"erased", ids}` takes away what an admin erased.
 * Keyed by id, a message is replaced only by a higher version, so that a late frame or a slow HTTP answer
 * never undoes a newer decision. The queue's views (tabs, filters, order, claims) and what "undo" means
 * for each decision are pure functions of that state too. No DOM, no Lit: the unit tests import it directly.
 */
import type { Channel, MessageStatus, ModerationAction, ModerationFrame, ModeratorMessage, ModeratorPresence } from './types.js';

export interface ModerationState {
  messages: ReadonlyMap<number, ModeratorMessage>;
  /** Every moderator connected to this wall (this one included), as the latest presence frame said. */
  moderators: readonly ModeratorPresence[];
}

export function initialModerationState(): ModerationState {
  return { messages: new Map(), moderators: [] };
}

export function reduceModeration(state: ModerationState, frame: ModerationFrame): ModerationState {
  switch (frame.type) {
    case 'snapshot':
      // A snapshot starts a new socket; the presence frame that follows it says who is there now.
      return { messages: new Map(frame.items.map((m) => [m.id, m])), moderators: [] };
    case 'message':
      return upsertMessage(state, frame.message);
    case 'presence':
      return { ...state, moderators: validPresence(frame.moderators) };
    case 'erased': {
      if (!Array.isArray(frame.ids) || !frame.ids.some((id) => state.messages.has(id))) return state;
      const messages = new Map(state.messages);
      for (const id of frame.ids) messages.delete(id);
      return { ...state, messages };
    }
    default:
      // A frame type this console does not know yet changes nothing.
      return state;
  }
}

/** Folds one message, from the socket or from a decision's HTTP answer, if it is newer than ours. */
export function upsertMessage(state: ModerationState, message: ModeratorMessage): ModerationState {
  const current = state.messages.get(message.id);
  if (current !== undefined && current.version >= message.version) return state;
  const messages = new Map(state.messages);
  messages.set(message.id, message);
  return { ...state, messages };
}

/** Pending messages, oldest first: the order in which a moderator works through them. */
export function pendingMessages(state: ModerationState): ModeratorMessage[] {
  return [...state.messages.values()]
    .filter((m) => m.status === 'pending')
    .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.id - b.id);
}

/** Decided messages with one of the given statuses, the latest decision first. */
export function decidedMessages(state: ModerationState, statuses: readonly MessageStatus[]): ModeratorMessage[] {
  return [...state.messages.values()]
    .filter((m) => statuses.includes(m.status))
    .sort((a, b) => (b.decidedAt ?? '').localeCompare(a.decidedAt ?? '') || b.id - a.id);
}

/** The queue's tabs: what is waiting, what is on the wall, and what was kept off it. */
export type QueueTab = 'pending' | 'approved' | 'rejected';
export const QUEUE_TABS: readonly QueueTab[] = ['pending', 'approved', 'rejected'];

/**
 * What narrows the queue. Every filter combines with the others; an empty one matches everything.
 * `order` applies to the pending tab (decided tabs always show the latest decision first).
 */
export interface QueueFilters {
  channel: Channel | '';
  /** Words to find in the text or the content warning. */
  text: string;
  /** Part of the private address, the author's name or the author's handle. */
  sender: string;
  order: 'oldest' | 'newest';
}

export function noFilters(): QueueFilters {
  return { channel: '', text: '', sender: '', order: 'oldest' };
}

/** Whether any filter hides something: the order alone hides nothing. */
export function filtersActive(filters: QueueFilters): boolean {
  return filters.channel !== '' || searchKey(filters.text) !== '' || searchKey(filters.sender) !== '';
}

/**
 * Text as a search compares it: lower case, accents and other combining marks dropped, zero-width and
 * other format characters dropped, so that "cafe" finds "Café" and a zero-width space hides nothing.
 */
export function searchKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\p{M}\p{Cf}]/gu, '')
    .toLowerCase()
    .trim();
}

export function matchesFilters(message: ModeratorMessage, filters: QueueFilters): boolean {
  if (filters.channel !== '' && message.channel !== filters.channel) return false;
  const text = searchKey(filters.text);
  if (text !== '' && !searchKey(`${message.text}\n${message.contentWarning ?? ''}`).includes(text)) return false;
  const sender = searchKey(filters.sender);
  if (sender !== '') {
    const who = [message.sender?.address, message.author.name, message.author.handle].filter((part) => part !== undefined);
    if (!who.some((part) => searchKey(part).includes(sender))) return false;
  }
  return true;
}

/** The messages of one tab that pass the filters, in the order the moderator reads them. */
export function queueItems(state: ModerationState, tab: QueueTab, filters: QueueFilters): ModeratorMessage[] {
  const all = tab === 'pending' ? pendingMessages(state) : decidedMessages(state, tab === 'approved' ? ['approved'] : ['rejected', 'hidden']);
  const shown = all.filter((m) => matchesFilters(m, filters));
  return tab === 'pending' && filters.order === 'newest' ? shown.reverse() : shown;
}

/** How many messages each tab shows under the filters, and how many it holds in all. */
export function tabCounts(state: ModerationState, filters: QueueFilters): Record<QueueTab, { shown: number; total: number }> {
  const counts = { pending: { shown: 0, total: 0 }, approved: { shown: 0, total: 0 }, rejected: { shown: 0, total: 0 } };
  for (const m of state.messages.values()) {
    const count = counts[m.status === 'hidden' ? 'rejected' : m.status];
    count.total += 1;
    if (matchesFilters(m, filters)) count.shown += 1;
  }
  return counts;
}

/** Which messages other moderators have open, and who: the console marks those cards. */
export function claimsByOthers(state: ModerationState, me: string | null): ReadonlyMap<number, string[]> {
  const claims = new Map<number, string[]>();
  for (const { username, claimed } of state.moderators) {
    if (claimed === null || username === me) continue;
    claims.set(claimed, [...(claims.get(claimed) ?? []), username]);
  }
  return claims;
}

/** A decision this moderator made, as its HTTP answer left the message. */
export interface Decision {
  action: ModerationAction;
  id: number;
  /** The version the decision produced: the one its undo expects. */
  version: number;
}

/**
 * What undoes a decision: approve, reject and hide send the message back to pending; pin and unpin
 * undo each other. The undo carries the version the decision produced, so that undoing a message
 * someone has changed since is refused (409) rather than undoing their decision too. Null for a
 * decision that is itself an undo.
 */
export function undoOf(decision: Decision): { id: number; action: ModerationAction; expectedVersion: number } | null {
  const inverse: Partial<Record<ModerationAction, ModerationAction>> = {
    approve: 'requeue',
    reject: 'requeue',
    hide: 'requeue',
    pin: 'unpin',
    unpin: 'pin',
  };
  const action = inverse[decision.action];
  return action === undefined ? null : { id: decision.id, action, expectedVersion: decision.version };
}

/** The status a decision leaves a message in: a batch skips the messages already there. */
export function statusAfter(action: 'approve' | 'reject'): MessageStatus {
  return action === 'approve' ? 'approved' : 'rejected';
}

/** Presence comes from the server, but a malformed entry must not break the queue: those are dropped. */
function validPresence(moderators: unknown): ModeratorPresence[] {
  if (!Array.isArray(moderators)) return [];
  return moderators.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { username, claimed } = entry as Record<string, unknown>;
    if (typeof username !== 'string') return [];
    return [{ username, claimed: typeof claimed === 'number' && Number.isInteger(claimed) ? claimed : null }];
  });
}
