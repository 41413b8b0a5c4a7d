import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ReconnectingSocket } from './reconnecting-socket.js';
import type { WallFrame } from './types.js';
import { initialWallState, reduceWall, withStatus, type WallState } from './wall-reducer.js';

/**
 * Owns one wall's socket for the element that hosts it: connects when the element is connected and a
 * slug is set, closes when it leaves, folds every frame with the pure reducer, and comes back after a
 * drop with `since` and `epoch`, so that a viewer misses nothing and sees nothing twice. A gap in the
 * seqs (a frame lost between two sockets, in theory) is repaired the same way: close, resume with since.
 *
 * The host renders `state`; it is asked to update whenever the state changes.
 */
export class WallConnection implements ReactiveController {
  state: WallState = initialWallState();

  private readonly host: ReactiveControllerHost;
  private readonly socket: ReconnectingSocket;
  private currentSlug = '';
  private hostIsConnected = false;

  constructor(host: ReactiveControllerHost) {
    this.host = host;
    this.socket = new ReconnectingSocket({
      url: () => this.url(),
      onOpen: () => this.update(withStatus(this.state, this.state.wall === null ? 'connecting' : 'live')),
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
  }

  hostDisconnected(): void {
    this.hostIsConnected = false;
    this.socket.stop();
  }

  private url(): string {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const params = new URLSearchParams();
    // Without an epoch there is nothing to resume from: the server starts with a snapshot.
    if (this.state.epoch !== null) {
      params.set('since', String(this.state.seq));
      params.set('epoch', this.state.epoch);
    }
    const query = params.toString() === '' ? '' : `?${params.toString()}`;
    return `${scheme}//${location.host}/ws/walls/${encodeURIComponent(this.currentSlug)}${query}`;
  }

  private fold(frame: unknown): void {
    if (!isFrame(frame)) return;
    const step = reduceWall(this.state, frame);
    if (step.gap) {
      this.socket.restart('gap in seq; resuming with since');
      return;
    }
    this.update(step.state);
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
