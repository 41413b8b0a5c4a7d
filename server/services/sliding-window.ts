/**
 * Counts events per key within the last window, in memory: for limits read on every request or message,
 * where a query each time would cost more than the work it guards. One process writes the database (the
 * single-writer design), so it sees every event; a restart forgets at most one window, which only lets a
 * sender through early once. Cluster mode must share it.
 */
export class SlidingWindow {
  private readonly times = new Map<string, number[]>();

  constructor(
    private readonly windowMs: number,
    /** Past this many keys, those quiet for a whole window are forgotten, so the map stays bounded. */
    private readonly maxKeys = 50_000,
  ) {}

  /** How many events the key had within the window before `now`. */
  count(key: string, now: number): number {
    const times = this.times.get(key);
    if (times === undefined) return 0;
    const since = now - this.windowMs;
    while (times.length > 0 && times[0]! <= since) times.shift();
    return times.length;
  }

  /** Counts one more event for the key. */
  record(key: string, now: number): void {
    const times = this.times.get(key);
    if (times === undefined) {
      if (this.times.size >= this.maxKeys) this.forgetQuiet(now);
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
