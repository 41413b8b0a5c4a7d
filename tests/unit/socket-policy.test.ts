import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Writable } from 'node:stream';
import { SocketConnection, textFrame, type SocketPolicy } from '../../server/realtime/sockets.js';
import type { WebSocket } from 'ws';

const policy: SocketPolicy = { heartbeatMs: 30_000, softLimitBytes: 1000, slowForMs: 5000, hardLimitBytes: 10_000 };

/**
 * Stands in for a ws socket and the TCP socket under it, whose send buffer the test controls, as a
 * viewer's slow network would: `writableLength` is what the TCP socket holds unsent.
 */
class BufferedSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  sent: Buffer[] = [];
  closedWith: number | null = null;
  terminated = false;
  /** The TCP socket: what the connection writes, already framed. */
  readonly stream = {
    write: (bytes: Buffer) => {
      this.sent.push(bytes);
      return true;
    },
    writableLength: 0,
  };
  close(code: number) {
    this.closedWith = code;
  }
  terminate() {
    this.terminated = true;
    this.readyState = 3;
  }
}

function connection(now: { t: number }, onSlowDrop?: () => void) {
  const socket = new BufferedSocket();
  return { socket, connection: new SocketConnection(socket as unknown as WebSocket, socket.stream as unknown as Writable, policy, () => now.t, onSlowDrop) };
}

describe('the slow-viewer policy', () => {
  it('writes the very same framed bytes for every viewer while the viewer keeps up', () => {
    const now = { t: 0 };
    const { socket, connection: c } = connection(now);
    const framed = textFrame(Buffer.from('{"type":"approved"}'));
    c.send(framed);
    expect(socket.sent).toHaveLength(1);
    expect(socket.sent[0]).toBe(framed);
  });

  it('frames a JSON message it is handed as a text frame', () => {
    const now = { t: 0 };
    const { socket, connection: c } = connection(now);
    c.deliver(Buffer.from('{"type":"snapshot"}'));
    expect(socket.sent).toEqual([textFrame(Buffer.from('{"type":"snapshot"}'))]);
  });

  it('keeps a viewer that is briefly behind and catches up', () => {
    const now = { t: 0 };
    const { socket, connection: c } = connection(now);
    socket.stream.writableLength = 5000;
    c.deliver(Buffer.from('a'));
    now.t = 4000;
    c.deliver(Buffer.from('b'));
    socket.stream.writableLength = 0;
    now.t = 9000;
    c.deliver(Buffer.from('c'));
    expect(socket.terminated).toBe(false);
    expect(socket.sent).toHaveLength(3);
  });

  it('disconnects a viewer that stays behind longer than the limit, with 1013 so it resumes later', () => {
    const now = { t: 0 };
    const { socket, connection: c } = connection(now);
    socket.stream.writableLength = 5000;
    c.deliver(Buffer.from('a'));
    now.t = 5001;
    c.deliver(Buffer.from('b'));
    expect(socket.closedWith).toBe(1013);
    expect(socket.terminated).toBe(true);
    expect(socket.sent).toHaveLength(1);
  });

  it('disconnects at once a viewer past the hard limit', () => {
    const now = { t: 0 };
    const { socket, connection: c } = connection(now);
    socket.stream.writableLength = 10_001;
    c.deliver(Buffer.from('a'));
    expect(socket.terminated).toBe(true);
    expect(socket.sent).toEqual([]);
  });

  it('reports each viewer it drops for being slow, once, for the metrics', () => {
    const now = { t: 0 };
    let dropped = 0;
    const slow = connection(now, () => (dropped += 1));
    slow.socket.stream.writableLength = 5000;
    slow.connection.deliver(Buffer.from('a'));
    expect(dropped).toBe(0);
    now.t = 5001;
    slow.connection.deliver(Buffer.from('b'));
    slow.connection.deliver(Buffer.from('c'));
    expect(dropped).toBe(1);

    const stuck = connection(now, () => (dropped += 1));
    stuck.socket.stream.writableLength = 10_001;
    stuck.connection.deliver(Buffer.from('a'));
    expect(dropped).toBe(2);
  });

  it('sends nothing to a socket that is no longer open', () => {
    const now = { t: 0 };
    const { socket, connection: c } = connection(now);
    socket.readyState = 2;
    c.deliver(Buffer.from('a'));
    expect(socket.sent).toEqual([]);
  });
});
