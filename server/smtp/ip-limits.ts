/**
 * How much one client IP may ask of the SMTP receiver. An MX is open to the whole internet: without these
 * bounds one misbehaving host could hold every connection or fill the moderation queue.
 */
export interface SmtpLimits {
  /** Connections one IP may hold open at once; the next one is answered 421 and closed. */
  connectionsPerIp: number;
  /** Mail transactions (MAIL FROM commands) one IP may start per minute; the next ones get 451. */
  messagesPerIpPerMinute: number;
}


const WINDOW_MS = 60_000;

/**
 * Per-IP counters kept in memory: they only need to live as long as the process, and a restart that
 * forgets them forgives a few senders at worst. The limits object is read at every check, so a change to
 * it applies at once. IPs are used as map keys only and never logged.
 */
export class IpLimiter {
  private readonly connections = new Map<string, number>();
  /** Start times of the transactions of the last minute, per IP, oldest first. */
  private readonly transactions = new Map<string, number[]>();

  constructor(
    private readonly limits: SmtpLimits,
    private readonly now: () => number,
  ) {}

  /** Counts a new connection from `ip`, or returns false (and counts nothing) when it holds too many. */
  openConnection(ip: string): boolean {
    const open = this.connections.get(ip) ?? 0;
    if (open >= this.limits.connectionsPerIp) return false;
    this.connections.set(ip, open + 1);
    return true;
  }

  /** Forgets one connection counted by `openConnection`. */
  closeConnection(ip: string): void {
    const open = (this.connections.get(ip) ?? 0) - 1;
    if (open > 0) this.connections.set(ip, open);
    else this.connections.delete(ip);
  }

  /** Counts a new transaction from `ip`, or returns false (and counts nothing) when its minute is full. */
  startTransaction(ip: string): boolean {
    const now = this.now();
    const recent = (this.transactions.get(ip) ?? []).filter((at) => now - at < WINDOW_MS);
    if (recent.length >= this.limits.messagesPerIpPerMinute) {
      this.transactions.set(ip, recent);
      return false;
    }
    recent.push(now);
    this.transactions.set(ip, recent);
    return true;
  }

  /** Drops the IPs whose last transaction is over a minute old, so that the map does not grow forever. */
  prune(): void {
    const now = this.now();
    for (const [ip, times] of this.transactions) {
      const last = times[times.length - 1];
      if (last === undefined || now - last >= WINDOW_MS) this.transactions.delete(ip);
    }
  }
}
