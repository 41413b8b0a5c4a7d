import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSocket } from '../helpers/ws.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close({ removeData: true });
  server = undefined;
});

/** A WebSocket client that completes the handshake and then never answers anything, pings included. */
function silentViewer(port: number, path: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const key = randomBytes(16).toString('base64');
    const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.once('data', (chunk) => {
      const head = chunk.toString('latin1');
      if (!head.startsWith('HTTP/1.1 101') || !head.includes(expected)) reject(new Error(`no upgrade: ${head.slice(0, 80)}`));
      else resolve({ socket, closed });
    });
  });
}

describe('viewer liveness', () => {
  it('drops a viewer that stops answering pings, and keeps one that answers', async () => {
    server = await startServer({ socketPolicy: { heartbeatMs: 150 } });
    const port = Number(new URL(server.url).port);
    const silent = await silentViewer(port, '/ws/walls/capcomnet');
    const healthy = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    await healthy.next();
    const started = Date.now();
    await silent.closed;
    // Dropped after the first unanswered ping, at the second beat.
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 500));
    expect(healthy.socket.readyState).toBe(healthy.socket.OPEN);
    healthy.close();
  });
});
