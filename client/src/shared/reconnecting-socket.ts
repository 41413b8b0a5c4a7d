/**
 * A WebSocket that keeps coming back. A projector left on for a day sees Wi-Fi drops, server restarts
 * and proxies that cut idle connections; each time it reconnects after an exponential backoff with
 * jitter, so that a room full of phones does not hammer a restarting server all in the same second.
 */

export interface ReconnectingSocketOptions {
  /** The URL to open, asked again at every attempt so that it can carry the latest `since`. */
  url(): string;
  onOpen(): void;
  /** Every text frame, parsed from JSON; frames that are not JSON are dropped. */
  onFrame(frame: unknown): void;
  /** After every close while running, whether the socket had opened or the handshake failed. */
  onClose(opened: boolean): void;
}

/** The first retry comes after about this long… */
const BASE_DELAY_MS = 500;
/** …and no retry waits longer than this, so a wall is back within seconds of its server. */
const MAX_DELAY_MS = 10_000;
/** A connection that lived this long was a success: the next failure starts the backoff over. */
const HEALTHY_AFTER_MS = 5_000;

/**
 * The delay before retry number `attempt` (0-based): exponential up to the cap, then "equal jitter"
 * (half fixed, half random), which spreads clients out while never retrying in a tight loop.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 16));
  return ceiling / 2 + random() * (ceiling / 2);
}

export class ReconnectingSocket {
  private readonly options: ReconnectingSocketOptions;
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private openedAt: number | null = null;
  private running = false;
  // The browser knows when the network comes back before any backoff timer does.
  private readonly onOnline = () => {
    if (this.running && this.socket === null) this.connectNow();
  };

  constructor(options: ReconnectingSocketOptions) {
    this.options = options;
  }

  get isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    window.addEventListener('online', this.onOnline);
    this.connectNow();
  }

  /**
   * Sends one JSON frame if the socket is open, and says whether it did. Nothing is queued while the
   * socket is down: a caller whose frame describes its current state sends it again from `onOpen`.
   */
  send(frame: unknown): boolean {
    if (this.socket === null || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  stop(): void {
    this.running = false;
    window.removeEventListener('online', this.onOnline);
    this.clearTimer();
    this.drop(1000, 'closed by the page');
  }

  /**
   * Closes the current socket and opens a new one, e.g. to resume with `since` after a gap: at once the
   * first time, with the usual backoff when restarts follow each other, so that a confused server
   * cannot pull the page into a tight loop.
   */
  restart(reason: string): void {
    if (!this.running) return;
    if (this.wasHealthy()) this.attempt = 0;
    this.drop(4000, reason);
    if (this.attempt <= 1) this.connectNow();
    else this.scheduleRetry();
  }

  private connectNow(): void {
    this.clearTimer();
    this.attempt += 1;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.options.url());
    } catch {
      // A malformed URL cannot get better by retrying, but a page must not die of it either.
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    this.openedAt = null;
    // Every handler first checks that this socket is still the current one: a socket that was replaced
    // (after a gap, or a restart) may still deliver a frame or two that must not be folded.
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      this.openedAt = Date.now();
      this.options.onOpen();
    });
    socket.addEventListener('message', (event: MessageEvent) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      this.options.onFrame(frame);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      const opened = this.openedAt !== null;
      if (this.wasHealthy()) this.attempt = 0;
      this.options.onClose(opened);
      if (this.running) this.scheduleRetry();
    });
  }

  private scheduleRetry(): void {
    this.clearTimer();
    this.timer = setTimeout(() => this.connectNow(), backoffDelay(Math.max(0, this.attempt - 1)));
  }

  private wasHealthy(): boolean {
    return this.openedAt !== null && Date.now() - this.openedAt >= HEALTHY_AFTER_MS;
  }

  /** Forgets the current socket before closing it, so that its close event does not schedule a retry. */
  private drop(code: number, reason: string): void {
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState !== WebSocket.CLOSED) socket.close(code, reason);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
