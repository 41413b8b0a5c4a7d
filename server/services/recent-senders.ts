/**
 * How many messages each sender gave each wall within the last window, kept in memory for the sender-rate
 * rule, which reads it for every message: a query per message cost about a tenth of the SMS ingest path.
 * One process writes the database (the single-writer design), so it sees every message; a restart forgets
 * at most one window, which only lets a sender through early once. Cluster mode must share it.
 */
export class RecentSenders {
  private readonly times = new Map<string, number[]>();

  constructor(
    private readonly windowMs: number,
    /** Past this many senders, those quiet for a whole window are forgotten, so the map stays bounded. */
    private readonly maxSenders = 50_000,
  ) {}

  /** How many messages the sender gave the wall within the window before `now`. */
  count(wallId: number, contributorId: number, now: number): number {
    const times = this.times.get(`${wallId}:${contributorId}`);
    if (times === undefined) return 0;
    const since = now - this.windowMs;
    while (times.length > 0 && times[0]! <= since) times.shift();
    return times.length;
  }

  /**
   * Counts one more message. It is called as the message is stored, inside its transaction: a rollback
   * then leaves one message too many counted for one window, which can only hold a message for review.
   */
  record(wallId: number, contributorId: number, now: number): void {
    const key = `${wallId}:${contributorId}`;
    const times = this.times.get(key);
    if (times === undefined) {
      if (this.times.size >= this.maxSenders) this.forgetQuiet(now);
      this.times.set(key, [now]);
    } else {
      times.push(now);
    }
  }

  private forgetQuiet(now: number): void {
    const since = now - this.windowMs;
    for (const [key, times] of this.times) {
      if (times.length === 0 || times[times.length - 1]! <= since) this.times.delete(key);
    }
  }
}
