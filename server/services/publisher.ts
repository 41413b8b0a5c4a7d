import type { StoredEvent } from '../db/repositories/events.js';
import type { StoredMessage } from '../db/repositories/messages.js';
import { toModeratorMessage } from '../domain/views.js';
import { moderatorChannel, wallChannel, type Hub, type HubEvent } from '../realtime/hub.js';

/**
 * Publishes what a committed transaction changed: the wall event (already serialized and stored in the
 * log) to the wall's viewers, and the message's new state to its moderators. Called only after commit,
 * so that nobody ever sees a change that could still roll back.
 */
export function publishChange(hub: Hub<HubEvent>, message: StoredMessage, wallEvent: StoredEvent | null): void {
  const moderators = moderatorChannel(message.wallSlug);
  // Moderator sockets are served by this process; with none open, the view is not worth building.
  if (hub.listenerCount(moderators) > 0) {
    hub.publish(moderators, { json: JSON.stringify({ type: 'message', message: toModeratorMessage(message, true) }) });
  }
  if (wallEvent) hub.publish(wallChannel(message.wallSlug), wallEvent);
}
