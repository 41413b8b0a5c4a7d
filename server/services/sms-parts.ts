import type { Repositories } from '../db/repositories/index.js';
import type { SmsPart, SmsPartGroup } from '../db/repositories/sms-parts.js';
import type { InboundSms, SmsOutcome, SmsReceiver } from './sms.js';

/** Stands where a part of a long SMS never arrived, so that a moderator sees that words are missing. */
export const MISSING_PART = '[…]';

/** The reason an assembled SMS with a missing part is held for a moderator whatever the wall's mode. */
export const INCOMPLETE = 'incomplete';

/**
 * A marked group whose message is still not stored after this long is handed over again. The hand-over
 * follows the mark at once in this process; the grace leaves room for another process sharing the file.
 */
const HANDOVER_GRACE_MS = 10_000;
/** How far back undelivered groups are looked for: as long as Vonage itself keeps retrying. */
const RECOVERY_HORIZON_MS = 24 * 60 * 60 * 1000;

/** One part of a long SMS as a provider adapter hands it over, after its signature was checked. */
export interface InboundSmsPart {
  source: InboundSms['source'];
  /** The provider's id for this part; a retry of the same id stores nothing new. */
  providerMessageId: string;
  /** The sender's number: private, never shown, logged or echoed. */
  from: string;
  to?: string;
  /** The sender's reference shared by the parts of one long SMS. */
  ref: string;
  total: number;
  /** This part's number, from 1 to `total`. */
  part: number;
  text: string;
  /** The provider's payload for this part, kept private. */
  raw: unknown;
}

export type PartOutcome =
  /** This part was already stored: a provider retry. */
  | { kind: 'duplicate-part' }
  /** Stored; the message is handed over when its other parts arrive or the wait times out. */
  | { kind: 'waiting' }
  /** This part completed its message, which was handed to the SMS path. */
  | { kind: 'assembled'; outcome: SmsOutcome };

export interface SmsPartsDeps {
  repos: Repositories;
  now: () => Date;
  receive: SmsReceiver;
  source: InboundSms['source'];
  /** How long a group waits for its missing parts, from the arrival of its first part. */
  timeoutSeconds: number;
}

/**
 * The text of a long SMS from the parts that arrived, in part order and without separator (a phone splits
 * a long text wherever the limit falls, often mid-word), with `MISSING_PART` for each part that did not.
 * A part delivered twice under two ids counts once: the first of `parts` with that number.
 */
export function joinSmsParts(parts: readonly Pick<SmsPart, 'part' | 'text'>[], total: number): { text: string; missing: number[] } {
  const byNumber = new Map<number, string>();
  for (const { part, text } of parts) if (!byNumber.has(part)) byNumber.set(part, text);
  const missing: number[] = [];
  let text = '';
  for (let n = 1; n <= total; n += 1) {
    const piece = byNumber.get(n);
    if (piece === undefined) missing.push(n);
    text += piece ?? MISSING_PART;
  }
  return { text, missing };
}

function groupOf(part: Pick<SmsPart, 'source' | 'sender' | 'ref' | 'total'>): SmsPartGroup {
  return { source: part.source, sender: part.sender, ref: part.ref, total: part.total };
}

function distinctPartCount(parts: readonly SmsPart[]): number {
  return new Set(parts.map((p) => p.part)).size;
}

/**
 * Reassembles long SMS delivered in parts (Vonage `concat`): each part is stored in `sms_parts`; when the
 * last one arrives, or when the wait times out, the group is marked assembled and handed to the SMS path
 * as one message. Marking happens in the transaction that found the group complete (or overdue), so a group
 * is assembled once even when its last parts race. The message's id is its first part's, so a repeated
 * hand-over stores nothing twice.
 */
export function createSmsParts(deps: SmsPartsDeps) {
  const { repos, source } = deps;

  function handOver(parts: SmsPart[]): Promise<SmsOutcome> {
    const leader = parts[0]!;
    const { text, missing } = joinSmsParts(parts, leader.total);
    return deps.receive({
      source,
      providerMessageId: leader.providerMessageId,
      from: leader.sender,
      to: leader.recipient ?? undefined,
      text,
      raw: parts.map((part) => (part.raw === null ? null : (JSON.parse(part.raw) as unknown))),
      ...(missing.length > 0 ? { hold: [INCOMPLETE] } : {}),
    });
  }

  /** Marks what is still open of a group, in one transaction; returns the parts this caller marked. */
  function claim(group: SmsPartGroup, at: string, when: (open: SmsPart[]) => boolean): SmsPart[] {
    return repos.transaction(() => {
      const open = repos.smsParts.open(group);
      return open.length > 0 && when(open) ? repos.smsParts.markAssembled(open, at) : [];
    });
  }

  /** Stores one part; hands the whole message over when this part completes it. */
  async function accept(part: InboundSmsPart): Promise<PartOutcome> {
    const at = deps.now().toISOString();
    const stored = {
      source,
      providerMessageId: part.providerMessageId,
      sender: part.from,
      recipient: part.to ?? null,
      ref: part.ref,
      total: part.total,
      part: part.part,
      text: part.text,
      raw: part.raw === undefined ? null : JSON.stringify(part.raw),
      receivedAt: at,
    };
    // Storing the part and checking its group commit together: if the check fails, so does the store, and
    // the provider's retry of this part finds the group as it was.
    const claimed = repos.transaction((): SmsPart[] | null => {
      if (!repos.smsParts.add(stored)) return null;
      return claim(groupOf(stored), at, (open) => distinctPartCount(open) >= part.total);
    });
    if (claimed === null) return { kind: 'duplicate-part' };
    if (claimed.length === 0) return { kind: 'waiting' };
    return { kind: 'assembled', outcome: await handOver(claimed) };
  }

  /**
   * Hands over what is due: groups whose hand-over failed after they were marked, then groups that waited
   * longer than the timeout, with what arrived (held for a moderator). Everything it needs is in SQLite, so
   * it picks up after a restart where the last process stopped. Returns how many messages it handed over.
   */
  async function sweep(): Promise<number> {
    const now = deps.now().getTime();
    const iso = (ms: number) => new Date(ms).toISOString();
    let handed = 0;
    for (const group of repos.smsParts.undelivered(source, iso(now - RECOVERY_HORIZON_MS), iso(now - HANDOVER_GRACE_MS))) {
      await handOver(repos.smsParts.assembledWith(group, group.at));
      handed += 1;
    }
    for (const group of repos.smsParts.overdue(source, iso(now - deps.timeoutSeconds * 1000))) {
      const claimed = claim(group, iso(now), () => true);
      if (claimed.length === 0) continue;
      await handOver(claimed);
      handed += 1;
    }
    return handed;
  }

  return { accept, sweep };
}

export type SmsParts = ReturnType<typeof createSmsParts>;
