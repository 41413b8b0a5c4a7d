import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { initialModerationState, reduceModeration, upsertMessage, type ModerationState } from './moderation-reducer.js';
import { ReconnectingSocket } from './reconnecting-socket.js';
import type { ModerationFrame, ModeratorMessage, ModeratorSocketFrame } from './types.js';

/**
 * Fired (bubbling, composed) by an element inside the connection's host when the moderator opens a card
 * (`id`) or none (`null`); the connection sends the claim on the socket and again after every reconnect.
 */
export const CLAIM_EVENT = 'toile-claim';
/** Fired (bubbling, composed) with a decision's HTTP answer, which the connection folds before its echo. */
export const MODERATED_EVENT = 'toile-moderated';

export interface ModerationConnectionOptions {
  /**
   * Called when the socket closes or its handshake is refused. The browser does not say why an upgrade
   * failed, so the host checks its session (an expired one is the usual cause) rather than guessing.
   */
  onDown?(opened: boolean): void;
}

/**
 * The moderator socket of one wall (`WS /ws/moderate/:slug`, authenticated by the session cookie): a
 * snapshot of the queue, then every change any moderator makes and who is moderating now. Each
 * reconnection starts from a fresh snapshot, so nothing is missed while the socket is down.
 *
 * It listens on its host for `toile-claim` and `toile-moderated` events, so that the elements inside the
 * page (the queue) reach the socket and the shared state without the page wiring each of them by hand.
 */
export class ModerationConnection implements ReactiveController {
  state: ModerationState = initialModerationState();
  live = false;

  private readonly host: ReactiveControllerHost & EventTarget;
  private readonly options: ModerationConnectionOptions;
  private readonly socket: ReconnectingSocket;
  private currentSlug = '';
  private hostIsConnected = false;
  /** The card this moderator has open, claimed again whenever the socket (re)opens. */
  private claimed: number | null = null;
  private readonly onClaim = (event: Event) => this.claim((event as CustomEvent<number | null>).detail);
  private readonly onModerated = (event: Event) => this.apply((event as CustomEvent<ModeratorMessage>).detail);

  constructor(host: ReactiveControllerHost & EventTarget, options: ModerationConnectionOptions = {}) {
    this.host = host;
    this.options = options;
    this.socket = new ReconnectingSocket({
      url: () => {
        const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
        return `${scheme}//${location.host}/ws/moderate/${encodeURIComponent(this.currentSlug)}`;
      },
      onOpen: () => {
        this.live = true;
        if (this.claimed !== null) this.socket.send({ type: 'claim', id: this.claimed } satisfies ModeratorSocketFrame);
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
    // A claim names a message of the wall being left: it does not follow the moderator to another wall.
    this.claimed = null;
    this.socket.stop();
    this.live = false;
    this.setState(initialModerationState());
    if (this.hostIsConnected && slug !== '') this.socket.start();
  }

  hostConnected(): void {
    this.hostIsConnected = true;
    this.host.addEventListener(CLAIM_EVENT, this.onClaim);
    this.host.addEventListener(MODERATED_EVENT, this.onModerated);
    if (this.currentSlug !== '') this.socket.start();
  }

  hostDisconnected(): void {
    this.hostIsConnected = false;
    this.host.removeEventListener(CLAIM_EVENT, this.onClaim);
    this.host.removeEventListener(MODERATED_EVENT, this.onModerated);
    this.socket.stop();
  }

  /**
   * Tells the other moderators which card this one has open (`null`: none). Claims are advisory: they
   * mark the card for the others, and decisions stay guarded by the version they were made on.
   */
  claim(id: number | null): void {
    if (id === this.claimed) return;
    this.claimed = id;
    this.socket.send((id === null ? { type: 'release' } : { type: 'claim', id }) satisfies ModeratorSocketFrame);
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
