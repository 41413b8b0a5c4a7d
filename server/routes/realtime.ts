import type { FastifyInstance } from 'fastify';
import { toModeratorMessage } from '../domain/views.js';
import { forbidden, notFound } from '../errors.js';
import { originAllowed, requireRole } from '../plugins/auth.js';
import { moderatorChannel } from '../realtime/hub.js';
import { Presence, type Seat } from '../realtime/presence.js';
import { slugParams, type SlugParams } from './schemas.js';

const MODERATOR_SNAPSHOT_LIMIT = 500;
/** How often moderator sockets are checked against their sessions, which other processes may end. */
const SESSION_SWEEP_MS = 2000;

/**
 * The moderator socket with its presence and claims (the wall socket is in wall-socket.ts, the wall's HTTP
 * fallback in wall-events.ts). Handlers attach everything synchronously (no await before the socket is wired), so no
 * frame can be missed.
 */
export async function realtimeRoutes(app: FastifyInstance): Promise<void> {
  const { repos, hub, sockets, config, now } = app.toile;
  // Presence is this process's own, like the sockets it describes; cluster mode will carry it over the bus
  // (see realtime/presence.ts).
  const presence = new Presence();
  /** The session behind each moderator seat (undefined for an API token), for the sweep below. */
  const seated = new Map<Seat, string | undefined>();

  app.get<{ Params: SlugParams }>(
    '/ws/moderate/:slug',
    {
      websocket: true,
      schema: { params: slugParams },
      preValidation: [
        async (request) => {
          if (!originAllowed(request, config.publicUrl)) throw forbidden('origin', 'This origin may not open a moderator socket.');
        },
        requireRole('moderator'),
        async (request) => {
          const { slug } = request.params as SlugParams;
          if (!repos.walls.bySlug(slug)) throw notFound(`Wall "${slug}"`);
        },
      ],
    },
    (socket, request) => {
      const wall = repos.walls.bySlug(request.params.slug)!;
      const connection = sockets.add(socket, request.raw.socket);
      const principal = request.principal!;
      connection.owner = { username: principal.username, sessionHash: principal.sessionHash };
      const log = request.log.child({ moderator: request.principal!.username, wall: wall.slug });
      // The snapshot is read and the subscription made in the same tick: no change can fall between.
      const items = repos.messages.moderatorSnapshot(wall.id, MODERATOR_SNAPSHOT_LIMIT).map((m) => toModeratorMessage(m, true));
      connection.deliver(Buffer.from(JSON.stringify({ type: 'snapshot', items })));
      const unsubscribe = hub.subscribe(moderatorChannel(wall.slug), (event) => connection.deliver(Buffer.from(event.json)));
      const seat = presence.join(wall.slug, { username: principal.username, deliver: (frame) => connection.deliver(frame) });
      seated.set(seat, principal.sessionHash);
      socket.once('close', () => {
        unsubscribe();
        seated.delete(seat);
        seat.leave();
      });
      socket.on('message', (data, isBinary) => {
        const frame = isBinary ? null : parseClientFrame(data.toString());
        if (frame === null) return;
        if (frame.type === 'release') seat.release();
        // A claim names a message of this wall; anything else would mark a card that nobody can see.
        else if (repos.messages.byId(frame.id)?.wallId === wall.id) seat.claim(frame.id);
      });
      socket.on('error', (error) => log.debug({ err: error }, 'moderator socket error'));
    },
  );

  /**
   * Sessions also end in other processes: the CLI's `user delete` and `user passwd`, or the reset of the
   * admin password; and a session expires. Every few seconds, a moderator socket whose session is gone is
   * closed, so that a removed moderator is out of the console within seconds, not at their next reconnect.
   */
  const sweep = setInterval(() => {
    if (seated.size === 0) return;
    const at = now().toISOString();
    try {
      for (const sessionHash of new Set(seated.values())) {
        if (sessionHash !== undefined && !repos.sessions.find(sessionHash, at)) sockets.endSessions({ sessionHash });
      }
    } catch (error) {
      // A timer must never throw: a busy or closing database is retried at the next sweep.
      app.log.warn({ err: error }, 'could not check moderator sessions; retrying');
    }
  }, SESSION_SWEEP_MS);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
}

/** What a console may send on its moderator socket; anything else is ignored, never an error. */
type ClientFrame = { type: 'claim'; id: number } | { type: 'release' };

function parseClientFrame(text: string): ClientFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const frame = value as { type?: unknown; id?: unknown };
  if (frame.type === 'release') return { type: 'release' };
  if (frame.type === 'claim' && typeof frame.id === 'number' && Number.isSafeInteger(frame.id) && frame.id > 0) return { type: 'claim', id: frame.id };
  return null;
}
