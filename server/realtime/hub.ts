/**
 * The realtime hub: named channels, listeners, and nothing else — no sockets, no database. Routes adapt
 * sockets to listeners; the ingest pipeline and moderation publish. A Redis-backed bus implements the same
 * interface so that edges in cluster mode receive the same events.
 */
export type Listener<T> = (event: T) => void;

export interface Hub<T> {
  /** Registers a listener; the returned function removes it. */
  subscribe(channel: string, listener: Listener<T>): () => void;
  publish(channel: string, event: T): void;
  /** How many listeners a channel has, for metrics and tests. */
  listenerCount(channel: string): number;
}

/** Events cross the hub already serialized, so that a bus never serializes twice. */
export interface HubEvent {
  /** The wall event's seq; absent on moderator channels. */
  seq?: number;
  json: string;
}

export const wallChannel = (slug: string) => `wall:${slug}`;
export const moderatorChannel = (slug: string) => `moderate:${slug}`;

/**
 * The in-process hub. Publishing iterates a copy of the listener set, so a listener may unsubscribe
 * itself; each listener runs in its own try/catch, so one failing viewer never stops the others.
 */
export function createInProcessHub<T>(onListenerError: (error: unknown, channel: string) => void): Hub<T> {
  const channels = new Map<string, Set<Listener<T>>>();
  return {
    subscribe(channel, listener) {
      let listeners = channels.get(channel);
      if (!listeners) {
        listeners = new Set();
        channels.set(channel, listeners);
      }
      listeners.add(listener);
      return () => {
        const current = channels.get(channel);
        if (!current) return;
        current.delete(listener);
        if (current.size === 0) channels.delete(channel);
      };
    },
    publish(channel, event) {
      const listeners = channels.get(channel);
      if (!listeners) return;
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (error) {
          onListenerError(error, channel);
        }
      }
    },
    listenerCount(channel) {
      return channels.get(channel)?.size ?? 0;
    },
  };
}
