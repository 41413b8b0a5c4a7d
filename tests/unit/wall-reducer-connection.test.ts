import type { AddressInfo } from 'node:net';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { ScreenReport, WallFrame } from '../../client/src/shared/types.js';
import { WallConnection } from '../../client/src/shared/wall-connection.js';
import { until } from '../helpers/wait.js';
import { publicWall } from '../helpers/wall-data.js';

/**
 * The wall's connection against a real WebSocket server (ws), as the browser would hold it: the page
 * reloads on a `reload` frame and on a snapshot from another epoch, not on its first snapshot, and every
 * open carries a heartbeat with the screen's report. Node 20 has no WebSocket global: ws's client, which
 * has the same event interface, stands in for the browser's.
 */
beforeAll(() => {
  const globals = globalThis as Record<string, unknown>;
  globals.WebSocket ??= NodeWebSocket;
  globals.window ??= new EventTarget();
});

const WALL = publicWall();

const REPORT: ScreenReport = {
  screen: 'screen-1',
  layout: 'grid',
  width: 1920,
  height: 1080,
  seq: 0,
  heapMb: null,
  cards: 0,
  mode: 'wall',
  language: 'en',
};

/** What the element hosting the connection would be, reduced to what a controller talks to. */
class Host implements ReactiveControllerHost {
  controllers: ReactiveController[] = [];
  updates = 0;
  readonly updateComplete = Promise.resolve(true);
  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }
  removeController(): void {}
  requestUpdate(): void {
    this.updates += 1;
  }
}

interface Wire {
  server: WebSocketServer;
  origin: string;
  sockets: ServerSocket[];
  urls: string[];
  received: unknown[];
}

let wire: Wire | null = null;
let connection: WallConnection | null = null;

async function startWire(onConnect: (socket: ServerSocket, url: string) => void): Promise<Wire> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const w: Wire = { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets: [], urls: [], received: [] };
  server.on('connection', (socket, request) => {
    w.sockets.push(socket);
    w.urls.push(request.url ?? '');
    socket.on('message', (data) => w.received.push(JSON.parse(String(data))));
    onConnect(socket, request.url ?? '');
  });
  wire = w;
  return w;
}

function send(socket: ServerSocket, frame: WallFrame): void {
  socket.send(JSON.stringify(frame));
}

function connect(w: Wire, reloads: string[]): WallConnection {
  const host = new Host();
  const c = new WallConnection(host, { server: () => w.origin, report: () => REPORT, reload: () => reloads.push('reload') });
  connection = c;
  c.slug = 'capcomnet';
  for (const controller of host.controllers) controller.hostConnected?.();
  return c;
}

afterEach(async () => {
  connection?.hostDisconnected();
  connection = null;
  if (wire) {
    for (const socket of wire.sockets) socket.terminate();
    await new Promise((resolve) => wire!.server.close(resolve));
  }
  wire = null;
});

describe('the wall connection', () => {
  it('folds a first snapshot without reloading, and sends a heartbeat with the screen report on open', async () => {
    const w = await startWire((socket) => send(socket, { type: 'snapshot', epoch: 'e1', seq: 3, wall: WALL, items: [] }));
    const reloads: string[] = [];
    const c = connect(w, reloads);
    await until(() => c.state.epoch === 'e1', 'the snapshot');
    await until(() => w.received.length > 0, 'a heartbeat');
    expect(w.received[0]).toEqual({ type: 'heartbeat', ...REPORT });
    expect(w.urls[0]).toBe('/ws/walls/capcomnet');
    expect(reloads).toEqual([]);
  });

  it('reloads the page when the server sends a reload frame', async () => {
    const w = await startWire((socket) => {
      send(socket, { type: 'snapshot', epoch: 'e1', seq: 3, wall: WALL, items: [] });
      setTimeout(() => send(socket, { type: 'reload' }), 50);
    });
    const reloads: string[] = [];
    connect(w, reloads);
    await until(() => reloads.length === 1, 'the reload');
  });

  it('resumes with since after a drop, and reloads when the snapshot comes from another epoch', async () => {
    let connections = 0;
    const w = await startWire((socket) => {
      connections += 1;
      if (connections === 1) {
        send(socket, { type: 'snapshot', epoch: 'e1', seq: 7, wall: WALL, items: [] });
        setTimeout(() => socket.close(1001, 'going away'), 50);
      } else {
        // The database was replaced while the screen was away: same wall, another epoch.
        send(socket, { type: 'snapshot', epoch: 'e2', seq: 1, wall: WALL, items: [] });
      }
    });
    const reloads: string[] = [];
    connect(w, reloads);
    await until(() => reloads.length === 1, 'the reload after the new epoch', 8000);
    expect(w.urls[1]).toBe('/ws/walls/capcomnet?since=7&epoch=e1');
  });

  it('does not reload when it resumes into the same epoch', async () => {
    let connections = 0;
    const w = await startWire((socket) => {
      connections += 1;
      if (connections === 1) {
        send(socket, { type: 'snapshot', epoch: 'e1', seq: 7, wall: WALL, items: [] });
        setTimeout(() => socket.close(1001, 'going away'), 50);
      } else {
        send(socket, { type: 'snapshot', epoch: 'e1', seq: 9, wall: WALL, items: [] });
      }
    });
    const reloads: string[] = [];
    const c = connect(w, reloads);
    await until(() => c.state.seq === 9, 'the second snapshot', 8000);
    expect(reloads).toEqual([]);
  });
});
