/**
 * The screens showing each wall, as they report themselves: a wall page sends a heartbeat on its socket
 * when it opens and every 30 s (its layout, size, last seq, memory, cards), so that the console can tell
 * that the projector in room B is alive, behind, or running out of memory, and reload it from afar.
 *
 * Nothing here runs for a viewer that never reports (an embed, an old page): a screen gets a row on its
 * first heartbeat, and the socket's close is listened to only from then on. Like the sockets it describes,
 * this is one process's state; in cluster mode each edge knows its own screens and copies them to Redis
 * for the console (cluster/screens-share.ts).
 */
import type { WebSocket } from 'ws';
import { LAYOUTS, type Layout } from '../domain/wall.js';

/** What a screen says of itself (client/src/shared/types.ts, `ScreenReport`). */
export interface ScreenReport {
  screen: string;
  layout: Layout;
  width: number;
  height: number;
  seq: number;
  heapMb: number | null;
  cards: number;
  mode: 'wall' | 'a11y' | 'embed';
  language: 'en' | 'fr';
}

/** A screen as moderators read it back (`GET /api/walls/:slug/screens`). */
export interface ScreenInfo extends ScreenReport {
  connectedAt: string;
  lastSeenAt: string;
  /** False once its socket is gone; the row is kept for a few minutes, then dropped. */
  connected: boolean;
}

export interface ScreenLimits {
  /** How long a disconnected screen stays listed. */
  keepDisconnectedMs: number;
  /** The most screens listed per wall; the oldest disconnected ones make room first. */
  maxPerWall: number;
  /** The least time between two heartbeats taken from one socket; those in between are ignored. */
  minIntervalMs: number;
  /** A heartbeat is a few hundred bytes: a larger frame is not one, and is not even parsed. */
  maxFrameBytes: number;
}

export const DEFAULT_SCREEN_LIMITS: ScreenLimits = {
  keepDisconnectedMs: 5 * 60_000,
  maxPerWall: 2000,
  minIntervalMs: 2000,
  maxFrameBytes: 2048,
};

const MODES = ['wall', 'a11y', 'embed'] as const;
const LANGUAGES = ['en', 'fr'] as const;
/** A random id per page load: letters, digits, '-' and '_' (a UUID fits). */
const SCREEN_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Far beyond any screen, yet small enough that nobody stores a number meant to break a console's layout. */
const MAX_PIXELS = 100_000;
const MAX_CARDS = 100_000;
const MAX_HEAP_MB = 1_000_000;

const isCount = (value: unknown, max: number): value is number => Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max;
const isOneOf = <T extends string>(values: readonly T[], value: unknown): value is T => (values as readonly unknown[]).includes(value);

/**
 * A heartbeat frame checked field by field; null for anything else (another type, a missing or wrong
 * field, something that is not JSON). Only the known fields are kept.
 */
export function parseHeartbeat(text: string): ScreenReport | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const frame = value as Record<string, unknown>;
  if (frame.type !== 'heartbeat') return null;
  const { screen, layout, width, height, seq, heapMb, cards, mode, language } = frame;
  if (typeof screen !== 'string' || !SCREEN_ID.test(screen)) return null;
  if (!isOneOf(LAYOUTS, layout) || !isOneOf(MODES, mode) || !isOneOf(LANGUAGES, language)) return null;
  if (!isCount(width, MAX_PIXELS) || !isCount(height, MAX_PIXELS) || !isCount(seq, Number.MAX_SAFE_INTEGER) || !isCount(cards, MAX_CARDS)) return null;
  if (heapMb !== null && !(typeof heapMb === 'number' && Number.isFinite(heapMb) && heapMb >= 0 && heapMb <= MAX_HEAP_MB)) return null;
  return { screen, layout, width, height, seq, heapMb, cards, mode, language };
}

interface ScreenRow {
  report: ScreenReport;
  connectedAt: number;
  lastSeenAt: number;
  /** The socket that reported last; null once it closed. A reload of this screen goes to it. */
  socket: WebSocket | null;
}

/** What is kept per reporting socket: when its last heartbeat was taken, and which screen it is. */
interface SocketState {
  slug: string;
  lastAt: number;
  screen: string | null;
}

/** The screens of every wall of this process. */
export class ScreenRegistry {
  private readonly walls = new Map<string, Map<string, ScreenRow>>();
  /** Only sockets that have sent something are here; the others cost nothing. */
  private readonly sockets = new WeakMap<WebSocket, SocketState>();
  /**
   * Marks a reporting socket's screen disconnected when it closes: one function for every socket (ws calls
   * it with the socket as `this`), as every phone on a wall reports too, and a closure each would weigh.
   */
  private readonly onClose: (this: WebSocket) => void;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly limits: ScreenLimits = DEFAULT_SCREEN_LIMITS,
  ) {
    const disconnect = (socket: WebSocket) => this.disconnect(socket);
    this.onClose = function onClose(this: WebSocket) {
      disconnect(this);
    };
  }

  /**
   * Takes a frame a wall socket sent: at most one per socket every `minIntervalMs`, of at most
   * `maxFrameBytes`, and only a valid heartbeat. Returns whether it was counted; never throws.
   */
  receive(slug: string, socket: WebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): boolean {
    if (isBinary) return false;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (bytes.length > this.limits.maxFrameBytes) return false;
    const at = this.now();
    let state = this.sockets.get(socket);
    if (state && at - state.lastAt < this.limits.minIntervalMs) return false;
    const report = parseHeartbeat(bytes.toString('utf8'));
    if (report === null) return false;
    if (!state) {
      state = { slug, lastAt: at, screen: null };
      this.sockets.set(socket, state);
      socket.on('close', this.onClose);
    }
    state.lastAt = at;
    state.screen = report.screen;
    this.record(slug, report, socket, at);
    return true;
  }

  /** The screens of a wall: connected ones first, then the most recently seen. */
  list(slug: string): ScreenInfo[] {
    const rows = this.walls.get(slug);
    if (!rows) return [];
    this.prune(rows, this.now());
    if (rows.size === 0) this.walls.delete(slug);
    return [...rows.values()]
      .sort((a, b) => Number(b.socket !== null) - Number(a.socket !== null) || b.lastSeenAt - a.lastSeenAt)
      .map((row) => ({
        ...row.report,
        connectedAt: new Date(row.connectedAt).toISOString(),
        lastSeenAt: new Date(row.lastSeenAt).toISOString(),
        connected: row.socket !== null,
      }));
  }

  /** The walls that have screens listed. */
  slugs(): string[] {
    return [...this.walls.keys()];
  }

  /** The open socket of one screen of a wall, if it is connected. */
  socketOf(slug: string, screen: string): WebSocket | null {
    return this.walls.get(slug)?.get(screen)?.socket ?? null;
  }

  private record(slug: string, report: ScreenReport, socket: WebSocket, at: number): void {
    let rows = this.walls.get(slug);
    if (!rows) {
      rows = new Map();
      this.walls.set(slug, rows);
    }
    const row = rows.get(report.screen);
    if (row) {
      // The same page on a new socket (it reconnected): one row, connected since this socket opened.
      if (row.socket !== socket) row.connectedAt = at;
      row.report = report;
      row.lastSeenAt = at;
      row.socket = socket;
      return;
    }
    this.prune(rows, at);
    if (rows.size >= this.limits.maxPerWall) this.evictOne(rows);
    rows.set(report.screen, { report, connectedAt: at, lastSeenAt: at, socket });
  }

  private disconnect(socket: WebSocket): void {
    const state = this.sockets.get(socket);
    if (!state || state.screen === null) return;
    const row = this.walls.get(state.slug)?.get(state.screen);
    // A page that reconnected already reports on its new socket: the old one's close changes nothing.
    if (row && row.socket === socket) {
      row.socket = null;
      row.lastSeenAt = this.now();
    }
  }

  /** Drops the screens disconnected for longer than they are kept. */
  private prune(rows: Map<string, ScreenRow>, at: number): void {
    for (const [screen, row] of rows) {
      if (row.socket === null && at - row.lastSeenAt >= this.limits.keepDisconnectedMs) rows.delete(screen);
    }
  }

  /** Makes room: the disconnected screen seen longest ago, or else the connected one heard from longest ago. */
  private evictOne(rows: Map<string, ScreenRow>): void {
    let oldest: [string, ScreenRow] | null = null;
    for (const entry of rows) {
      const [, row] = entry;
      if (oldest === null) {
        oldest = entry;
        continue;
      }
      const current = oldest[1];
      const better = row.socket === null && current.socket !== null ? true : (row.socket === null) === (current.socket === null) && row.lastSeenAt < current.lastSeenAt;
      if (better) oldest = entry;
    }
    if (oldest) rows.delete(oldest[0]);
  }
}
