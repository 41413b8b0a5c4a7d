import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { initialModerationState, reduceModeration, upsertMessage, type ModerationState } from './moderation-reducer.js';
import { ReconnectingSocket } from './reconnecting-socket.js';
import type { ModerationFrame, ModeratorMessage } from './types.js';

export interface ModerationConnectionOptions {
  /**
   * Called when the socket closes or its handshake is refused. The browser does not say why an upgrade
   * failed, so the host checks its session (an expired one is the usual cause) rather than guessing.
   */
  onDown?(opened: boolean): void;
}

/**
 * The moderator socket of one wall (`WS /ws/moderate/:slug`, authenticated by the session cookie): a
 * snapshot of the queue, then every change any moderator makes. Each reconnection starts from a fresh
 * snapshot, so nothing is missed while the socket is down.
 */
export class ModerationConnection implements ReactiveController {
  state: ModerationState = initialModerationState();
  live = false;

  private readonly host: ReactiveControllerHost;
  private readonly options: ModerationConnectionOptions;
  private readonly socket: ReconnectingSocket;
  private currentSlug = '';
  private hostIsConnected = false;

  constructor(host: ReactiveControllerHost, options: ModerationConnectionOptions = {}) {
    this.host = host;
    this.options = options;
    this.socket = new ReconnectingSocket({
      url: () => {
        const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
        return `${scheme}//${location.host}/ws/moderate/${encodeURIComponent(this.currentSlug)}`;
      },
      onOpen: () => {
        this.live = true;
        this.host.requestUpdate();
      },
      onFrame: (frame) => {
        if (typeof frame !== 'object' || frame === null) return;
        this.setState(reduceModeration(this.state, frame as ModerationFrame));
      },
      onClose: (opened) => {
        this.live = false;
        this.host.requestUpdate();
        this.options.onDown?.(opened);
      },
    });
    host.addController(this);
  }

  get slug(): string {
    return this.currentSlug;
  }

  /** Follows another wall's queue; an empty slug disconnects (e.g. after logging out). */
  set slug(slug: string) {
    if (slug === this.currentSlug) return;
    this.currentSlug = slug;
    this.socket.stop();
    this.live = false;
    this.setState(initialModerationState());
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

  /** Folds a decision's HTTP answer at once, before its echo arrives on the socket. */
  apply(message: ModeratorMessage): void {
    this.setState(upsertMessage(this.state, message));
  }

  private setState(state: ModerationState): void {
    if (state === this.state) return;
    this.state = state;
    this.host.requestUpdate();
  }
}
