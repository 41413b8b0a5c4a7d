import type { StoredMessage } from '../db/repositories/messages.js';
import type { Contribution, MediaItem } from '../domain/message.js';
import { normalizeText } from '../domain/normalize.js';
import { controlKeyword, splitNamePrefix, stripKeyword, type ControlKeyword } from '../domain/sms.js';
import type { Wall } from '../domain/wall.js';
import type { ServiceContext } from './context.js';
import { MAX_TEXT_GRAPHEMES, type Ingest } from './ingest.js';
import { publishChange } from './publisher.js';
import { routeToWall } from './routing.js';

/** One SMS as a provider adapter hands it over, after its signature was checked. */
export interface InboundSms {
  source: 'twilio' | 'vonage' | 'sms-gateway';
  /** The provider's id for this SMS (Twilio MessageSid, Vonage messageId, the gateway's envelope id). */
  providerMessageId: string;
  /** The sender's number: private, never shown, logged or echoed. */
  from: string;
  /** The number it was sent to, for routing. */
  to?: string;
  text: string;
  createdAt?: Date;
  /** The provider's payload, kept private. */
  raw: unknown;
  /** Reasons to hold it for a moderator whatever the wall's mode (a long SMS with a missing part). */
  hold?: string[];
}

export interface ReceiveOptions {
  /**
   * Fetches the SMS's pictures (MMS). Called only for a message that will be stored and may be shown: not
   * for a retry, a keyword, a throttled or an opted-out sender.
   */
  loadMedia?: () => Promise<{ media: MediaItem[]; problems: string[] }>;
}

export type SmsOutcomeKind =
  | 'stored'
  | 'duplicate'
  | 'throttled'
  /** From a sender who opted out earlier: stored rejected, shown to nobody. */
  | 'opted-out-sender'
  | ControlKeyword;

export interface SmsOutcome {
  kind: SmsOutcomeKind;
  message: StoredMessage;
  /** What to answer the sender, where the provider lets a webhook answer (Twilio); null for nothing. */
  reply: string | null;
}

export interface SmsLimits {
  /** Messages per sender per minute before the rest are stored as throttled. */
  perSenderPerMinute: number;
}

const WINDOW_MS = 60_000;

function helpText(wall: Wall): string {
  return wall.settings.smsHelp ?? `${wall.title}: text your message to see it on the wall once a moderator approves it. Reply STOP to opt out.`;
}

/**
 * What every SMS provider shares once its signature is checked: the opt-out and help keywords, per-sender
 * throttling, a wall's required keyword and "Name: message" form, then the common ingest pipeline. The
 * sender's number is the contributor's private address; the wall only ever sees a masked label.
 */
export function createSmsReceiver(ctx: ServiceContext, ingest: Ingest, limits: SmsLimits) {
  const { repos } = ctx;

  function control(keyword: ControlKeyword, base: Contribution, wall: Wall): SmsOutcome {
    const now = ctx.now().toISOString();
    const withdrawn: number[] = [];
    const { message } = repos.transaction(() => {
      const contributorId = repos.contributors.idFor('phone', base.author.address!, now);
      if (keyword === 'opt-out') {
        repos.contributors.setOptedOut(contributorId, now);
        for (const pending of repos.messages.pendingFrom(contributorId)) {
          if (repos.messages.reject(pending.id, pending.version, [...pending.reasons, 'opted-out'], now, 'system')) {
            repos.audit.append(
              { actor: 'system', action: 'opt-out-withdraw', wallId: repos.messages.byId(pending.id)!.wallId, targetType: 'message', targetId: pending.id },
              now,
            );
            withdrawn.push(pending.id);
          }
        }
      } else if (keyword === 'opt-in') {
        repos.contributors.setOptedOut(contributorId, null);
      }
      return ingest(base, { wall, reject: [keyword], control: true });
    });
    // Moderators' queues drop the withdrawn messages; none of them was on a wall.
    for (const id of withdrawn) publishChange(ctx.hub, repos.messages.byId(id)!, null);
    return { kind: keyword, message, reply: keyword === 'help' ? helpText(wall) : null };
  }

  return async function receive(sms: InboundSms, options: ReceiveOptions = {}): Promise<SmsOutcome> {
    const existing = repos.messages.byProviderId(sms.source, sms.providerMessageId);
    if (existing) return { kind: 'duplicate', message: existing, reply: null };

    const text = normalizeText(sms.text, { maxGraphemes: MAX_TEXT_GRAPHEMES });
    const base: Contribution = {
      channel: 'sms',
      source: sms.source,
      providerMessageId: sms.providerMessageId,
      to: sms.to,
      author: { address: sms.from, addressKind: 'phone' },
      text,
      createdAt: sms.createdAt,
      raw: sms.raw,
    };
    const wall = routeToWall(repos, { to: sms.to, text });
    const keyword = controlKeyword(text);
    if (keyword !== null) return control(keyword, base, wall);

    const now = ctx.now();
    const contributorId = repos.contributors.idFor('phone', sms.from, now.toISOString());
    if (repos.contributors.isOptedOut(contributorId)) {
      return { kind: 'opted-out-sender', message: ingest(base, { wall, reject: ['opted-out'] }).message, reply: null };
    }
    const since = new Date(now.getTime() - WINDOW_MS).toISOString();
    if (repos.messages.countRecentFrom(contributorId, since) >= limits.perSenderPerMinute) {
      return { kind: 'throttled', message: ingest(base, { wall, reject: ['throttled'] }).message, reply: null };
    }

    let body = text;
    const reject: string[] = [];
    if (wall.settings.smsKeyword !== null) {
      const stripped = stripKeyword(body, wall.settings.smsKeyword);
      if (stripped === null) reject.push('missing-keyword');
      else body = stripped;
    }
    const contribution: Contribution = { ...base, text: body };
    if (wall.settings.smsNamePrefix) {
      const named = splitNamePrefix(body);
      if (named) contribution.author = { ...base.author, name: named.name };
      if (named) contribution.text = named.text;
    }
    const hold = [...(sms.hold ?? [])];
    if (reject.length === 0 && options.loadMedia) {
      const { media, problems } = await options.loadMedia();
      contribution.media = media;
      hold.push(...problems);
    }
    const result = ingest(contribution, { wall, hold, ...(reject.length > 0 ? { reject } : {}) });
    return {
      kind: result.created ? 'stored' : 'duplicate',
      message: result.message,
      reply: result.created ? wall.settings.smsReply : null,
    };
  };
}

export type SmsReceiver = ReturnType<typeof createSmsReceiver>;
