import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { parseHost } from '../../server/routes/contribute-url.js';
import { mergeScreens } from '../../server/cluster/screens-share.js';
import { DEFAULT_SCREEN_LIMITS, parseHeartbeat, ScreenRegistry, type ScreenInfo } from '../../server/realtime/screens.js';

/** The registry only listens for a socket's `close`: an emitter stands in for one. */
const fakeSocket = () => new EventEmitter() as unknown as WebSocket;
const close = (socket: WebSocket) => (socket as unknown as EventEmitter).emit('close');

function frame(screen: string, overrides: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ type: 'heartbeat', screen, layout: 'ticker', width: 3840, height: 2160, seq: 0, heapMb: null, cards: 0, mode: 'embed', language: 'en', ...overrides }));
}

function registry(limits: Partial<typeof DEFAULT_SCREEN_LIMITS> = {}) {
  let now = 1_000_000;
  const screens = new ScreenRegistry(() => now, { ...DEFAULT_SCREEN_LIMITS, ...limits });
  return { screens, advance: (ms: number) => (now += ms) };
}

describe('parseHeartbeat', () => {
  it('keeps only the known fields of a valid heartbeat', () => {
    expect(parseHeartbeat(frame('s1', { extra: 'dropped' }).toString())).toEqual({
      screen: 's1', layout: 'ticker', width: 3840, height: 2160, seq: 0, heapMb: null, cards: 0, mode: 'embed', language: 'en',
    });
  });

  it('refuses other types, wrong fields and what is not an object', () => {
    for (const text of ['', '1', '"heartbeat"', '{"type":"heartbeat"}', frame('s', { width: 1e9 }).toString(), frame('s', { seq: -1 }).toString(), frame('s/1').toString()]) {
      expect(parseHeartbeat(text), text).toBeNull();
    }
  });
});

describe('ScreenRegistry', () => {
  it('drops a disconnected screen after five minutes, and not before', () => {
    const { screens, advance } = registry();
    const socket = fakeSocket();
    expect(screens.receive('wall', socket, frame('s1'), false)).toBe(true);
    close(socket);
    advance(5 * 60_000 - 1);
    expect(screens.list('wall')).toMatchObject([{ screen: 's1', connected: false }]);
    advance(1);
    expect(screens.list('wall')).toEqual([]);
  });

  it('keeps walls apart', () => {
    const { screens } = registry();
    screens.receive('a', fakeSocket(), frame('s1'), false);
    screens.receive('b', fakeSocket(), frame('s2'), false);
    expect(screens.list('a').map((row) => row.screen)).toEqual(['s1']);
    expect(screens.socketOf('b', 's1')).toBeNull();
  });

  it('makes room at the cap by dropping the oldest disconnected screen first', () => {
    const { screens, advance } = registry({ maxPerWall: 3 });
    const sockets = [fakeSocket(), fakeSocket(), fakeSocket()];
    sockets.forEach((socket, i) => {
      screens.receive('wall', socket, frame(`s${i}`), false);
      advance(10);
    });
    // s2 is the most recently seen, but the only disconnected one: it goes first.
    close(sockets[2]!);
    screens.receive('wall', fakeSocket(), frame('s3'), false);
    expect(screens.list('wall').map((row) => row.screen).sort()).toEqual(['s0', 's1', 's3']);
    // With none disconnected, the connected screen heard from longest ago makes room.
    advance(10);
    screens.receive('wall', fakeSocket(), frame('s4'), false);
    expect(screens.list('wall').map((row) => row.screen).sort()).toEqual(['s1', 's3', 's4']);
  });

  it('ignores frames over the size limit, binary frames, and frames sooner than the interval', () => {
    const { screens, advance } = registry();
    const socket = fakeSocket();
    expect(screens.receive('wall', socket, Buffer.concat([frame('s1'), Buffer.alloc(2048, 32)]), false)).toBe(false);
    expect(screens.receive('wall', socket, frame('s1'), true)).toBe(false);
    expect(screens.receive('wall', socket, frame('s1'), false)).toBe(true);
    advance(1999);
    expect(screens.receive('wall', socket, frame('s1', { seq: 2 }), false)).toBe(false);
    advance(1);
    expect(screens.receive('wall', socket, frame('s1', { seq: 2 }), false)).toBe(true);
    expect(screens.list('wall')[0]!.seq).toBe(2);
  });
});

describe('parseHost', () => {
  it('tells loopback hosts from others', () => {
    expect(parseHost('localhost:3000')).toEqual({ host: 'localhost', port: '3000', loopback: true });
    expect(parseHost('127.0.0.1')).toEqual({ host: '127.0.0.1', port: undefined, loopback: true });
    expect(parseHost('[::1]:3000')).toEqual({ host: '[::1]', port: '3000', loopback: true });
    expect(parseHost('wall.localhost')?.loopback).toBe(true);
    expect(parseHost('192.168.0.12:3000')).toEqual({ host: '192.168.0.12', port: '3000', loopback: false });
    expect(parseHost('Toile.Example.org')).toEqual({ host: 'toile.example.org', port: undefined, loopback: false });
  });

  it('refuses what a browser would never send as a Host', () => {
    for (const value of [undefined, '', 'a b', 'a/b', 'user@host', 'host:0', 'host:65536', '[::1', 'host.', '.host', 'ex_ample.org', 'a'.repeat(300)]) {
      expect(parseHost(value), String(value)).toBeNull();
    }
  });
});

describe('merging the screens of the primary and its edges', () => {
  const info = (screen: string, connected: boolean, lastSeenAt: string): ScreenInfo => ({
    screen,
    layout: 'grid',
    width: 1920,
    height: 1080,
    seq: 1,
    heapMb: null,
    cards: 0,
    mode: 'wall',
    language: 'en',
    connectedAt: '2026-06-01T09:00:00.000Z',
    lastSeenAt,
    connected,
  });

  it('lists a screen that moved to another edge once, where it is connected now', () => {
    const left = info('room-b', false, '2026-06-01T10:00:05.000Z');
    const now = info('room-b', true, '2026-06-01T10:00:01.000Z');
    expect(mergeScreens([[left], [now]])).toEqual([now]);
    expect(mergeScreens([[now], [left]])).toEqual([now]);
  });

  it('puts the connected screens first, then the most recently seen', () => {
    const a = info('a', false, '2026-06-01T10:00:09.000Z');
    const b = info('b', true, '2026-06-01T10:00:01.000Z');
    const c = info('c', true, '2026-06-01T10:00:03.000Z');
    const d = info('d', false, '2026-06-01T10:00:02.000Z');
    expect(mergeScreens([[a, b], [c], [d]]).map((screen) => screen.screen)).toEqual(['c', 'b', 'a', 'd']);
  });
});
