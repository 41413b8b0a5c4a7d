/**
 * Who is moderating each wall right now, and which card each of them has open. Moderators see each
 * other in the console, and a card another moderator has open is marked, so that two people rarely work
 * on the same card. Claims are advisory only: a conflicting decision is still refused by the message's
 * version (409), never silently applied.
 *
 * This is in-process state, like the sockets it describes. In cluster mode, each node will publish its
 * own seats over the bus and merge the other nodes' into what it sends, so that moderators connected to
 * different nodes see each other; the frames below stay the same.
 */

/** What presence needs of a moderator socket: who it is and how to send it a frame. */
export interface PresenceMember {
  readonly username: string;
  deliver(frame: Buffer): void;
}

/** One moderator of a wall as every console sees them: several tabs of one user are one entry. */
export interface ModeratorPresence {
  username: string;
  /** The id of the message this moderator has open, or null. */
  claimed: number | null;
}

/**
 * One moderator socket on one wall. It holds at most one claim; the claim ends when the socket leaves.
 */
export class Seat {
  claimed: number | null = null;
  /** When the claim was made, in the presence's own order, so that the latest of a user's tabs wins. */
  claimOrder = 0;
  left = false;

  constructor(
    private readonly presence: Presence,
    readonly slug: string,
    readonly member: PresenceMember,
  ) {}

  claim(id: number): void {
    this.presence.claim(this, id);
  }

  release(): void {
    this.presence.release(this);
  }

  leave(): void {
    this.presence.leave(this);
  }
}

/**
 * The presence of every wall of this process. A `presence` frame goes to every seat of a wall whenever
 * what it shows changes (a moderator arrives or leaves, a claim changes); a seat that joins always gets
 * one, right after its snapshot, even when the list did not change (a second tab of the same user).
 * The frame is serialized once per change, whatever the number of moderators.
 */
export class Presence {
  private readonly walls = new Map<string, { seats: Set<Seat>; lastFrame: string }>();
  private order = 0;

  join(slug: string, member: PresenceMember): Seat {
    const seat = new Seat(this, slug, member);
    let wall = this.walls.get(slug);
    if (!wall) {
      wall = { seats: new Set(), lastFrame: '' };
      this.walls.set(slug, wall);
    }
    wall.seats.add(seat);
    const frame = this.frame(slug);
    if (frame !== wall.lastFrame) this.send(slug, frame);
    else seat.member.deliver(Buffer.from(frame));
    return seat;
  }

  claim(seat: Seat, id: number): void {
    if (seat.left || seat.claimed === id) return;
    seat.claimed = id;
    seat.claimOrder = ++this.order;
    this.changed(seat.slug);
  }

  release(seat: Seat): void {
    if (seat.left || seat.claimed === null) return;
    seat.claimed = null;
    this.changed(seat.slug);
  }

  leave(seat: Seat): void {
    if (seat.left) return;
    seat.left = true;
    seat.claimed = null;
    const wall = this.walls.get(seat.slug);
    if (!wall) return;
    wall.seats.delete(seat);
    if (wall.seats.size === 0) this.walls.delete(seat.slug);
    else this.changed(seat.slug);
  }

  /** The moderators of a wall, by username; each user's latest claim still held is theirs. */
  moderators(slug: string): ModeratorPresence[] {
    // For each user, the seat holding their latest claim, or null when none of their tabs holds one.
    const byUser = new Map<string, Seat | null>();
    for (const seat of this.walls.get(slug)?.seats ?? []) {
      const username = seat.member.username;
      const best = byUser.get(username);
      if (best === undefined) byUser.set(username, seat.claimed === null ? null : seat);
      else if (seat.claimed !== null && (best === null || seat.claimOrder > best.claimOrder)) byUser.set(username, seat);
    }
    return [...byUser.entries()]
      .map(([username, seat]) => ({ username, claimed: seat?.claimed ?? null }))
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  }

  /** Every seat of a wall, for the sweep that closes the sockets of ended sessions. */
  seats(): Seat[] {
    return [...this.walls.values()].flatMap((wall) => [...wall.seats]);
  }

  private frame(slug: string): string {
    return JSON.stringify({ type: 'presence', moderators: this.moderators(slug) });
  }

  private changed(slug: string): void {
    const wall = this.walls.get(slug);
    if (!wall) return;
    const frame = this.frame(slug);
    if (frame !== wall.lastFrame) this.send(slug, frame);
  }

  private send(slug: string, frame: string): void {
    const wall = this.walls.get(slug)!;
    wall.lastFrame = frame;
    const bytes = Buffer.from(frame);
    for (const seat of [...wall.seats]) {
      // One socket that fails to take a frame must not keep the others from theirs.
      try {
        seat.member.deliver(bytes);
      } catch {
        // The socket's own close handler makes it leave.
      }
    }
  }
}
