/**
 * How a wall's rules decide the fate of a new message, once each rule has been read: the one place where the
 * rules' precedence is written down. Pure, so that the precedence is tested without a database.
 */
import type { MessageStatus } from './message.js';
import { isWordReason } from './rules.js';
import type { ModerationMode } from './wall.js';

/** A wall's list of senders: trusted ones are approved at once, blocked ones are stored rejected. */
export const SENDER_RULES = ['trusted', 'blocked'] as const;
export type SenderRule = (typeof SENDER_RULES)[number];
/** The public mark of a trusted sender on the wall: the audience sees who speaks for the event. */
export const SENDER_BADGES = ['speaker', 'organiser'] as const;
export type SenderBadge = (typeof SENDER_BADGES)[number];

export interface RuleFindings {
  moderation: ModerationMode;
  /** The caller's own rejection (throttled, opted out, missing keyword): it stands whatever the rules say. */
  reject?: readonly string[];
  /** Nothing visible is left of the text and there is no picture. */
  unusable: boolean;
  /** The caller's holds (an incomplete long SMS, a picture that could not be fetched). */
  hold: readonly string[];
  /** What the text rules found: `blocked-term:…`, `profanity:…`, `link`. */
  content: readonly string[];
  duplicate: boolean;
  senderRate: boolean;
  /** The wall's list entry for the sender, if any. */
  sender: SenderRule | null;
}

export interface RuleDecision {
  status: MessageStatus;
  reasons: string[];
  /** Approved because the sender is trusted: recorded with the decision. */
  trusted: boolean;
}

/**
 * A blocked sender's message is stored rejected (`blocked-sender`), where moderators still see it. A trusted
 * sender's message is approved at once on any wall, unless a word rule (blocked term, profanity) or the
 * caller holds it. Otherwise every rule that holds adds its reason, and a post-moderated wall approves only a
 * message that no rule holds. The broadcast delay is applied after this, to approvals that are not a trust.
 */
export function decide(findings: RuleFindings): RuleDecision {
  if (findings.reject !== undefined) return { status: 'rejected', reasons: [...findings.reject], trusted: false };
  if (findings.unusable) return { status: 'rejected', reasons: ['empty'], trusted: false };
  if (findings.sender === 'blocked') return { status: 'rejected', reasons: ['blocked-sender'], trusted: false };
  if (findings.sender === 'trusted') {
    const held = [...findings.content.filter(isWordReason), ...findings.hold];
    return held.length === 0 ? { status: 'approved', reasons: [], trusted: true } : { status: 'pending', reasons: held, trusted: false };
  }
  const reasons = [
    ...findings.content,
    ...(findings.duplicate ? ['duplicate'] : []),
    ...(findings.senderRate ? ['sender-rate'] : []),
    ...findings.hold,
  ];
  const status = findings.moderation === 'post' && reasons.length === 0 ? 'approved' : 'pending';
  return { status, reasons, trusted: false };
}
