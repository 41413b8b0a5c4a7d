/**
 * The moderation queue folded by a pure function: `{type:"snapshot", items}` replaces everything, then
 * `{type:"message", message}` brings every new or changed message (DESIGN.md, "Moderation"). Keyed by id,
 * a message is replaced only by a higher version, so that a late frame or a slow HTTP answer never
 * undoes a newer decision. No DOM, no Lit: the unit tests import it directly.
 */
import type { MessageStatus, ModerationFrame, ModeratorMessage } from './types.js';

export interface ModerationState {
  messages: ReadonlyMap<number, ModeratorMessage>;
}

export function initialModerationState(): ModerationState {
  return { messages: new Map() };
}

export function reduceModeration(state: ModerationState, frame: ModerationFrame): ModerationState {
  switch (frame.type) {
    case 'snapshot':
      return { messages: new Map(frame.items.map((m) => [m.id, m])) };
    case 'message':
      return upsertMessage(state, frame.message);
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
  return { messages };
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
