import type { StoredMessage } from '../db/repositories/messages.js';
import type { Contribution, MediaItem } from '../domain/message.js';
import { normalizeText } from '../domain/normalize.js';
import { controlKeyword, splitNamePrefix, stripKeyword, type ControlKeyword } from '../domain/sms.js';
import type { Wall } from '../domain/wall.js';
import { createCommitBatcher } from './commit-batcher.js';
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
  const commit = createCommitBatcher(repos);

  function control(keyword: ControlKeyword, base: Contribution, wall: Wall): SmsOutcome {
    const now = ctx.now().toISOString();
    const contributorId = repos.contributors.idFor('phone', base.author.address!, now);
    if (keyword === 'opt-out') {
      repos.contributors.setOptedOut(contributorId, now);
      for (const pending of repos.messages.pendingFrom(contributorId)) {
        if (repos.messages.reject(pending.id, pending.version, [...pending.reasons, 'opted-out'], now, 'system')) {
          const withdrawn = repos.messages.byId(pending.id)!;
          repos.audit.append({ actor: 'system', action: 'opt-out-withdraw', wallId: withdrawn.wallId, targetType: 'message', targetId: pending.id }, now);
          // Moderators' queues drop it; it was never on a wall.
          repos.afterCommit(() => publishChange(ctx.hub, withdrawn, null));
        }
      }
    } else if (keyword === 'opt-in') {
      repos.contributors.setOptedOut(contributorId, null);
    }
    const { message } = ingest(base, { wall, reject: [keyword], control: true, deduped: true });
    return { kind: keyword, message, reply: keyword === 'help' ? helpText(wall) : null };
  }

  /** Why a sender's message is kept off the queue whatever it says: they opted out, or send too fast. */
  function refusal(from: string): 'opted-out-sender' | 'throttled' | null {
    // Read only: a first-time sender is created with their message, in its transaction.
    const contributor = repos.contributors.find('phone', from);
    if (contributor === undefined) return null;
    if (contributor.optedOut) return 'opted-out-sender';
    const since = new Date(ctx.now().getTime() - WINDOW_MS).toISOString();
    return repos.messages.countRecentFrom(contributor.id, since, limits.perSenderPerMinute) >= limits.perSenderPerMinute ? 'throttled' : null;
  }

  /** The wall's keyword removed (null when it is required and missing), and the name the sender gave. */
  function shape(text: string, wall: Wall): { text: string; name?: string } | null {
    let body = text;
    if (wall.settings.smsKeyword !== null) {
      const stripped = stripKeyword(body, wall.settings.smsKeyword);
      if (stripped === null) return null;
      body = stripped;
    }
    const named = wall.settings.smsNamePrefix ? splitNamePrefix(body) : null;
    return named ? { text: named.text, name: named.name } : { text: body };
  }

  /** Everything that decides and stores one SMS; runs inside a group commit, so it sees every earlier one. */
  function store(sms: InboundSms, base: Contribution, loaded: { media: MediaItem[]; problems: string[] }): SmsOutcome {
    const existing = ingest.alreadyStored(base);
    if (existing) return { kind: 'duplicate', message: existing, reply: null };
    const wall = routeToWall(repos, { to: sms.to, text: base.text });
    const keyword = controlKeyword(base.text);
    if (keyword !== null) return control(keyword, base, wall);
    const refused = refusal(sms.from);
    if (refused !== null) {
      const reason = refused === 'throttled' ? 'throttled' : 'opted-out';
      return { kind: refused, message: ingest(base, { wall, reject: [reason], deduped: true }).message, reply: null };
    }
    // Rejected by the ingest pipeline (`wall-archived`), without the wall's thank-you answer.
    if (wall.archivedAt !== null) return { kind: 'stored', message: ingest(base, { wall, deduped: true }).message, reply: null };
    const shaped = shape(base.text, wall);
    if (shaped === null) return { kind: 'stored', message: ingest(base, { wall, reject: ['missing-keyword'], deduped: true }).message, reply: null };
    const contribution: Contribution = {
      ...base,
      text: shaped.text,
      author: shaped.name === undefined ? base.author : { ...base.author, name: shaped.name },
      media: loaded.media,
    };
    const result = ingest(contribution, { wall, hold: [...(sms.hold ?? []), ...loaded.problems], deduped: true });
    return { kind: result.created ? 'stored' : 'duplicate', message: result.message, reply: result.created ? wall.settings.smsReply : null };
  }

  return async function receive(sms: InboundSms, options: ReceiveOptions = {}): Promise<SmsOutcome> {
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
    let loaded: { media: MediaItem[]; problems: string[] } = { media: [], problems: [] };
    // Pictures are fetched only for a new message that may be shown (all checked again when it is stored).
    if (options.loadMedia && !repos.messages.byProviderId(sms.source, sms.providerMessageId) && controlKeyword(text) === null && refusal(sms.from) === null) {
      const wall = routeToWall(repos, { to: sms.to, text });
      if (wall.archivedAt === null && shape(text, wall) !== null) loaded = await options.loadMedia();
    }
    return commit(() => store(sms, base, loaded));
  };
}

export type SmsReceiver = ReturnType<typeof createSmsReceiver>;
