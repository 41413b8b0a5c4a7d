import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';

export interface SocketPolicy {
  /** How often every socket is pinged; a socket that has not answered the previous ping is dropped. */
  heartbeatMs: number;
  /** Above this many buffered bytes a viewer counts as slow… */
  softLimitBytes: number;
  /** …and is dropped when it stays slow this long, or at once above the hard limit. */
  slowForMs: number;
  hardLimitBytes: number;
}

export const DEFAULT_SOCKET_POLICY: SocketPolicy = {
  heartbeatMs: 30_000,
  softLimitBytes: 256 * 1024,
  slowForMs: 10_000,
  hardLimitBytes: 4 * 1024 * 1024,
};

/** Close codes sent to clients (RFC 6455 §7.4; 4000–4999 are ours). */
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_TRY_AGAIN_LATER = 1013;
/** The session or user behind a moderator socket has ended: log in again. */
export const CLOSE_SESSION_ENDED = 4401;

/**
 * A WebSocket text frame as a server sends it (RFC 6455 §5.2: FIN, opcode 1, no mask, the payload length
 * in 7, 7+16 or 7+64 bits), header and payload in one buffer. A wall event is framed once and the same
 * bytes are written to every viewer's TCP socket: ws's `send` would build a header and make two writes per
 * viewer, which is most of what a broadcast costs besides the kernel's own write.
 */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, header);
  return frame;
}

/**
 * One connected socket: writes frames under the slow-viewer policy. What is buffered stays at zero until
 * the kernel's send buffer is full, so a high-water mark alone would react late; a viewer that stays above
 * the soft mark for too long, or passes the hard one, is closed and resumes with `since`.
 *
 * Frames are written to the TCP socket under the WebSocket (`stream`), already framed. ws writes each of
 * its own frames (pings, close) whole and without compression (permessage-deflate is off), so the two
 * never interleave inside a frame; and what is queued on the TCP socket is what ws counts as buffered.
 */
export class SocketConnection {
  alive = true;
  /** Who opened it, for sockets that need an account: closed when that session or user ends. */
  owner: { username: string; sessionHash?: string } | null = null;
  /** What the socket is a viewer of (a wall's feed): left when the socket closes. */
  group: ViewerGroup | null = null;
  private slowSince: number | null = null;

  constructor(
    readonly socket: WebSocket,
    private readonly stream: Writable,
    private readonly policy: SocketPolicy,
    private readonly now: () => number,
    /** Told when the policy drops this socket for being slow, for the metrics. */
    private readonly onSlowDrop: () => void = () => undefined,
  ) {}

  /** Frames and writes one JSON message (moderator sockets, presence). */
  deliver(json: Buffer): void {
    this.send(textFrame(json));
  }

  /** Writes bytes that are already WebSocket frames (a wall's events, framed once for every viewer). */
  send(framed: Buffer): void {
    const socket = this.socket;
    if (socket.readyState !== socket.OPEN) return;
    const buffered = this.stream.writableLength;
    if (buffered > this.policy.hardLimitBytes) {
      socket.terminate();
      this.onSlowDrop();
      return;
    }
    if (buffered > this.policy.softLimitBytes) {
      this.slowSince ??= this.now();
      if (this.now() - this.slowSince > this.policy.slowForMs) {
        socket.close(CLOSE_TRY_AGAIN_LATER, 'too slow; reconnect with since');
        socket.terminate();
        this.onSlowDrop();
        return;
      }
    } else {
      this.slowSince = null;
    }
    this.stream.write(framed);
  }
}

/** Viewers that a connection leaves when its socket closes. */
export interface ViewerGroup {
  remove(connection: SocketConnection): void;
}

/**
 * Every socket of the app, for the heartbeat and for closing them all with 1001 on shutdown. A socket
 * costs an entry in the map and its connection object: its close and pong listeners are two functions
 * shared by every socket (ws calls them with the socket as `this`), not closures of its own, because at
 * 10,000 idle viewers each closure is a measurable share of what a connection weighs.
 */
export class SocketRegistry {
  private readonly connections = new Map<WebSocket, SocketConnection>();
  private readonly timer: NodeJS.Timeout;
  private slowDropped = 0;
  /** One function for every connection, rather than a closure per socket. */
  private readonly countSlowDrop = () => {
    this.slowDropped += 1;
  };
  private readonly onClose: (this: WebSocket) => void;
  private readonly onPong: (this: WebSocket) => void;

  constructor(private readonly policy: SocketPolicy, private readonly now: () => number = Date.now) {
    this.timer = setInterval(() => this.heartbeat(), policy.heartbeatMs);
    this.timer.unref();
    const connections = this.connections;
    this.onClose = function onClose(this: WebSocket) {
      const connection = connections.get(this);
      if (!connection) return;
      connections.delete(this);
      connection.group?.remove(connection);
    };
    this.onPong = function onPong(this: WebSocket) {
      const connection = connections.get(this);
      if (connection) connection.alive = true;
    };
  }

  get size(): number {
    return this.connections.size;
  }

  /** How many sockets the slow-viewer policy has dropped since the app started, read by the metrics. */
  get slowDroppedCount(): number {
    return this.slowDropped;
  }

  /** Registers a socket that ws has just taken over `stream`, the TCP socket of its upgrade request. */
  add(socket: WebSocket, stream: Writable): SocketConnection {
    const connection = new SocketConnection(socket, stream, this.policy, this.now, this.countSlowDrop);
    this.connections.set(socket, connection);
    socket.on('close', this.onClose);
    socket.on('pong', this.onPong);
    return connection;
  }

  /** Closes the moderator sockets of a session that ended, or of every session of a deleted user. */
  endSessions(match: { username?: string; sessionHash?: string }): void {
    for (const connection of this.connections.values()) {
      const owner = connection.owner;
      if (!owner) continue;
      if ((match.sessionHash !== undefined && owner.sessionHash === match.sessionHash) || (match.username !== undefined && owner.username === match.username)) {
        connection.socket.close(CLOSE_SESSION_ENDED, 'session ended');
      }
    }
  }

  heartbeat(): void {
    for (const connection of [...this.connections.values()]) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      try {
        connection.socket.ping();
      } catch {
        connection.socket.terminate();
      }
    }
  }

  closeAll(reason: string): void {
    clearInterval(this.timer);
    for (const connection of this.connections.values()) connection.socket.close(CLOSE_GOING_AWAY, reason);
  }

  terminateAll(): void {
    for (const connection of this.connections.values()) connection.socket.terminate();
  }
}
