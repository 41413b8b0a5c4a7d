import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { SocketRegistry } from '../realtime/sockets.js';

/** How long shutdown waits for viewers to answer the 1001 close before cutting them off. */
const CLOSE_GRACE_MS = 2000;

/**
 * @fastify/websocket for the primary and the edges: no compression (each frame is written once, to every
 * viewer, as is), a small cap on what a client may send, and a shutdown that says goodbye (1001) before it
 * cuts off those who do not answer.
 */
export async function registerWebsocket(app: FastifyInstance, sockets: SocketRegistry): Promise<void> {
  await app.register(fastifyWebsocket, {
    // Viewers send nothing of interest; a small cap stops a client from making us buffer 100 MiB.
    options: { maxPayload: 64 * 1024, perMessageDeflate: false },
    preClose(done) {
      sockets.closeAll('server shutting down');
      const server = app.websocketServer;
      const timer = setTimeout(() => sockets.terminateAll(), CLOSE_GRACE_MS);
      server.close(() => {
        clearTimeout(timer);
        done();
      });
    },
  });
}
