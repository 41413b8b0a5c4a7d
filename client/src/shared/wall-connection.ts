import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ReconnectingSocket } from './reconnecting-socket.js';
import type { ScreenReport, WallFrame, WallScreenFrame } from './types.js';
import { initialWallState, reduceWall, withStatus, type WallState } from './wall-reducer.js';

/** How often a screen tells the server it is alive and what it shows (DESIGN.md, issue 7: screens). */
export const HEARTBEAT_MS = 30_000;
/**
 * The heartbeat on open goes out before the snapshot (seq 0, no cards); one more this long after each
 * snapshot, once the screen has rendered it, gives the console a true picture without waiting 30 s. Longer
 * than the 2 s the server asks between two heartbeats of one socket, or it would be dropped.
 */
const REPORT_AFTER_SNAPSHOT_MS = 2_500;

export interface WallConnectionOptions {
  /**
   * The origin of the Toile server (`https://wall.example.org`), for a wall embedded in another site;
   * the page's own origin when absent or ''. Asked at every connection, so an attribute set late counts.
   */
  server?: () => string;
  /** What the screen reports on open and every 30 s; no heartbeat when absent or when it returns null. */
  report?: () => ScreenReport | null;
  /**
   * Called on a `reload` frame and on a snapshot from another epoch, after the socket stopped; reloads the
   * page when absent. The embed on another site starts over instead (that page is not ours to reload).
   */
  reload?: () => void;
}

/**
 * Owns one wall's socket for the element that hosts it: connects when the element is connected and a
 * slug is set, closes when it leaves, folds every frame with the pure reducer, and comes back after a
 * drop with `since` and `epoch`, so that a viewer misses nothing and sees nothing twice. A gap in the
 * seqs (a frame lost between two sockets, in theory) is repaired the same way: close, resume with since.
 *
 * Two frames reload the whole page instead: `{type:'reload'}`, which a moderator sends to refresh the
 * screens after an update, and a snapshot whose epoch differs from the one this page already had (the
 * database was replaced, or the server came back from an upgrade): the code or the data under the page
 * changed, and a fresh page is the only state that is sure to match. The first snapshot is not a change.
 *
 * While open, the socket carries a heartbeat (`ScreenReport`) on open, shortly after each snapshot, and
 * every 30 s, so that the console lists each screen with its layout, size, last seq and memory.
 *
 * The host renders `state`; it is asked to update whenever the state changes.
 */
export class WallConnection implements ReactiveController {
  state: WallState = initialWallState();

  private readonly host: ReactiveControllerHost;
  private readonly socket: ReconnectingSocket;
  private readonly options: WallConnectionOptions;
  private currentSlug = '';
  private hostIsConnected = false;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private settledReport: ReturnType<typeof setTimeout> | null = null;

  constructor(host: ReactiveControllerHost, options: WallConnectionOptions = {}) {
    this.host = host;
    this.options = options;
    this.socket = new ReconnectingSocket({
      url: () => this.url(),
      onOpen: () => {
        this.update(withStatus(this.state, this.state.wall === null ? 'connecting' : 'live'));
        this.sendHeartbeat();
      },
      onFrame: (frame) => this.fold(frame),
      onClose: () => this.update(withStatus(this.state, this.state.wall === null ? 'connecting' : 'stale')),
    });
    host.addController(this);
  }

  get slug(): string {
    return this.currentSlug;
  }

  /** Follows another wall: its state starts over from a snapshot. An empty slug disconnects. */
  set slug(slug: string) {
    if (slug === this.currentSlug) return;
    this.currentSlug = slug;
    this.socket.stop();
    this.update(initialWallState());
    if (this.hostIsConnected && slug !== '') this.socket.start();
  }

  hostConnected(): void {
    this.hostIsConnected = true;
    if (this.currentSlug !== '') this.socket.start();
    this.heartbeat ??= setInterval(() => this.sendHeartbeat(), HEARTBEAT_MS);
  }

  hostDisconnected(): void {
    this.hostIsConnected = false;
    this.socket.stop();
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    if (this.settledReport !== null) clearTimeout(this.settledReport);
    this.heartbeat = null;
    this.settledReport = null;
  }

  /** Sends the screen's report now, if the socket is open (the next open sends one anyway). */
  sendHeartbeat(): void {
    const report = this.options.report?.();
    if (report == null) return;
    const frame: WallScreenFrame = { type: 'heartbeat', ...report };
    this.socket.send(frame);
  }

  private url(): string {
    const base = new URL(this.options.server?.() || location.href);
    const scheme = base.protocol === 'https:' ? 'wss:' : 'ws:';
    const params = new URLSearchParams();
    // Without an epoch there is nothing to resume from: the server starts with a snapshot.
    if (this.state.epoch !== null) {
      params.set('since', String(this.state.seq));
      params.set('epoch', this.state.epoch);
    }
    const query = params.toString() === '' ? '' : `?${params.toString()}`;
    return `${scheme}//${base.host}/ws/walls/${encodeURIComponent(this.currentSlug)}${query}`;
  }

  private fold(frame: unknown): void {
    if (!isFrame(frame)) return;
    if (frame.type === 'reload' || (frame.type === 'snapshot' && this.state.epoch !== null && frame.epoch !== this.state.epoch)) {
      this.socket.stop();
      (this.options.reload ?? (() => location.reload()))();
      return;
    }
    const step = reduceWall(this.state, frame);
    if (step.gap) {
      this.socket.restart('gap in seq; resuming with since');
      return;
    }
    this.update(step.state);
    if (frame.type === 'snapshot' && this.hostIsConnected) {
      if (this.settledReport !== null) clearTimeout(this.settledReport);
      this.settledReport = setTimeout(() => this.sendHeartbeat(), REPORT_AFTER_SNAPSHOT_MS);
    }
  }

  private update(state: WallState): void {
    if (state === this.state) return;
    this.state = state;
    this.host.requestUpdate();
  }
}

function isFrame(value: unknown): value is WallFrame {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
