import type { StoredMessage } from '../db/repositories/messages.js';
import type { Channel, Contribution, MediaItem, MessageStatus } from '../domain/message.js';
import { authorLabel } from '../domain/mask.js';
import { maskContactData } from '../domain/mask.js';
import { normalizeLabel, normalizeText } from '../domain/normalize.js';
import { decide } from '../domain/rule-decision.js';
import { contentReasons, readText, textKey } from '../domain/rules.js';
import { toWallMessage } from '../domain/views.js';
import type { Wall } from '../domain/wall.js';
import { badRequest, wallArchived } from '../errors.js';
import type { ServiceContext } from './context.js';
import { MEDIA_PREFIX } from './media.js';
import { publishChange } from './publisher.js';
import { SlidingWindow } from './sliding-window.js';
import { routeToWall } from './routing.js';

export interface IngestResult {
  message: StoredMessage;
  /** False when the provider message was already stored: a retry stores nothing new. */
  created: boolean;
}

export interface IngestOptions {
  /**
   * Interactive channels (the web form, the API) answer an unusable contribution with a 400 that says
   * why. Signed providers instead get it stored as rejected with a reason, so that they stop retrying.
   */
  refuseUnusable?: boolean;
  /** The wall, when the caller already routed the contribution (an SMS checked against its wall's keyword). */
  wall?: Wall;
  /** Store it rejected, with these reasons, whatever the wall's rules (throttled, opted out…). */
  reject?: string[];
  /** Hold it for a moderator with these reasons even on a post-moderated wall (an incomplete long SMS…). */
  hold?: string[];
  /** A control message (STOP, START, HELP): stored for the record, shown to nobody, not even moderators. */
  control?: boolean;
  /** The caller looked the provider id up in this same transaction: no need to look again. */
  deduped?: boolean;
}

/** What became of a contribution: the status it was stored with, or `duplicate` for a provider's retry. */
export type IngestOutcome = MessageStatus | 'duplicate';

/** Hears each contribution's outcome once it is committed, for the metrics. */
export type IngestObserver = (channel: Channel, outcome: IngestOutcome) => void;

/** Channels whose text is private writing: addresses and phone numbers typed in it are masked before anyone sees it. */
const MASKED_CHANNELS = new Set(['sms', 'email', 'web']);

/** The sender-rate rule counts a contributor's messages over this window. */
const SENDER_RATE_WINDOW_MS = 60_000;

/** The longest text a wall shows, in grapheme clusters (what a reader counts as characters). */
export const MAX_TEXT_GRAPHEMES = 500;
/** Alt text describes a picture; a longer one is a second post in disguise. */
const MAX_ALT_GRAPHEMES = 420;
/** A content warning is a line, not a second post. */
export const CONTENT_WARNING_GRAPHEMES = 120;

/** Alt text is contributed text like any other: normalized, and dropped when nothing visible is left. */
export function withCleanAlt(item: MediaItem): MediaItem {
  if (item.alt === undefined) return item;
  const alt = normalizeText(item.alt, { maxGraphemes: MAX_ALT_GRAPHEMES });
  return alt === '' ? { kind: item.kind, url: item.url } : { kind: item.kind, url: item.url, alt };
}

/**
 * The one ingest pipeline every channel calls: route to a wall, normalize, dedupe, mask the author,
 * apply the wall's moderation mode, store (message, event and audit in one transaction), then publish.
 * It knows nothing of providers.
 */
export function createIngest(ctx: ServiceContext, observe: IngestObserver = () => undefined) {
  const { repos } = ctx;

  /** Whether the wall received the same folded text within its duplicate window (0: the rule is off). */
  function isDuplicate(wall: Wall, key: string): boolean {
    const minutes = wall.settings.duplicateWindowMinutes;
    if (minutes <= 0) return false;
    return repos.rules.hasRecentText(wall.id, key, new Date(ctx.now().getTime() - minutes * 60_000).toISOString());
  }

  /** Each sender's recent messages per wall, for the sender-rate rule (`wallId:contributorId`). */
  const recentSenders = new SlidingWindow(SENDER_RATE_WINDOW_MS);

  /** Whether the contributor already sent the wall its limit of messages in the last minute (0: the rule is off). */
  function sendsTooFast(wall: Wall, contributorId: number): boolean {
    const limit = wall.settings.senderPerMinute;
    return limit > 0 && recentSenders.count(`${wall.id}:${contributorId}`, ctx.now().getTime()) >= limit;
  }

  /**
   * The stored message when this contribution is a provider's retry of one already stored (counted as a
   * duplicate), undefined for a new one. Callers that must know before deciding how to store it (the SMS
   * keywords) ask here, then pass `deduped`.
   */
  function alreadyStored(c: Pick<Contribution, 'channel' | 'source' | 'providerMessageId'>): StoredMessage | undefined {
    const existing = repos.messages.byProviderId(c.source, c.providerMessageId);
    if (existing) observe(c.channel, 'duplicate');
    return existing;
  }

  function ingest(c: Contribution, options: IngestOptions = {}): IngestResult {
    const existing = options.deduped ? undefined : alreadyStored(c);
    if (existing) return { message: existing, created: false };

    const normalized = normalizeText(c.text, { maxGraphemes: MAX_TEXT_GRAPHEMES });
    const text = MASKED_CHANNELS.has(c.channel) ? maskContactData(normalized) : normalized;
    const media = (c.media ?? []).map(withCleanAlt);
    const unusable = text === '' && media.length === 0;
    if (unusable && options.refuseUnusable) {
      throw badRequest('empty_text', 'text is empty once invisible and control characters are removed');
    }
    const wall = options.wall ?? routeToWall(repos, { wallSlug: c.wallSlug, to: c.to, text });
    const now = ctx.now().toISOString();
    // An archived wall takes nothing new. Someone at a form or an API client is told so (409); a provider is
    // answered like for any signed but unusable message: stored rejected with the reason, never shown, so that
    // it does not retry for hours. It stays on the wall the sender chose: another event's screen is not theirs.
    // A control message (STOP, HELP) is still honoured: an opt-out outlives the event.
    const archived = wall.archivedAt !== null && !options.control;
    if (archived && options.refuseUnusable) throw wallArchived(wall.slug);
    const reject = archived ? [...(options.reject ?? []), 'wall-archived'] : options.reject;

    // The text rules are pure and read outside the write lock; the rules that read the wall's recent
    // messages and its sender lists run in the transaction, so that they see every message stored before.
    const rejected = reject !== undefined || unusable;
    const reading = options.control ? null : readText(text, c.text, true);
    const content = rejected || reading === null ? [] : contentReasons(text, wall.settings, reading);
    const key = reading === null ? null : textKey(text, reading);

    return repos.transaction((): IngestResult => {
      const sender = c.author.address !== undefined && c.author.addressKind !== undefined ? { kind: c.author.addressKind, address: c.author.address } : null;
      const contributorId = sender === null ? null : repos.contributors.idFor(sender.kind, sender.address, now);
      const standing = contributorId === null ? null : repos.senders.standingOf(wall.id, contributorId);
      const decision = decide({
        moderation: wall.moderation,
        reject,
        unusable,
        hold: options.hold ?? [],
        content,
        // A caption under pictures repeats innocently ("Photo !"), and a message the caller holds (a picture
        // that could not be fetched) is seen by a moderator anyway: the duplicate rule reads text-only messages.
        duplicate: !rejected && key !== null && media.length === 0 && (options.hold ?? []).length === 0 && isDuplicate(wall, key),
        // A web client is an IP's hash, and a whole venue shares one IP behind its Wi-Fi: the form's own
        // per-client limit applies to it instead, so that a room of attendees is not held as one sender.
        senderRate: !rejected && contributorId !== null && sender?.kind !== 'client' && sendsTooFast(wall, contributorId),
        sender: standing?.rule ?? null,
      });
      let status: MessageStatus = decision.status;
      const reasons = decision.reasons;
      // The broadcast delay: a post-moderated message waits N seconds, during which a moderator can veto it.
      // A trusted sender's message is approved at once: the delay guards against strangers.
      let publishAt: string | null = null;
      if (status === 'approved' && !decision.trusted && wall.settings.publishDelaySeconds > 0) {
        status = 'pending';
        reasons.push('publish-delay');
        publishAt = new Date(ctx.now().getTime() + wall.settings.publishDelaySeconds * 1000).toISOString();
      }
      const decided = status !== 'pending';
      const message = repos.messages.insert({
        wallId: wall.id,
        channel: c.channel,
        source: c.source,
        providerMessageId: c.providerMessageId,
        contributorId,
        authorName: authorLabel(c.author),
        authorHandle: c.author.handle === undefined ? null : normalizeLabel(c.author.handle) || null,
        authorAvatarUrl: c.author.avatarUrl ?? null,
        text,
        media,
        contentWarning: c.contentWarning === undefined ? null : normalizeLabel(c.contentWarning, { maxGraphemes: CONTENT_WARNING_GRAPHEMES }) || null,
        textKey: key,
        status,
        reasons,
        createdAt: (c.createdAt ?? ctx.now()).toISOString(),
        receivedAt: now,
        decidedAt: decided ? now : null,
        decidedBy: decided ? 'system' : null,
        publishAt,
        raw: c.raw === undefined ? null : JSON.stringify(c.raw),
        control: options.control ?? false,
        // A speaker's or an organiser's message carries their badge from the start, whatever its fate.
        badge: standing?.badge ?? null,
      }, wall.slug, sender);
      if (message === null) {
        // Another request stored the same provider message between our check and this insert.
        observe(c.channel, 'duplicate');
        return { message: repos.messages.byProviderId(c.source, c.providerMessageId)!, created: false };
      }
      const id = message.id;
      // What the SMS throttle rejects and control messages are not the sender's contributions to the wall.
      if (contributorId !== null && sender?.kind !== 'client' && !options.control && !(reject ?? []).includes('throttled')) {
        // Counted inside the transaction: a rollback leaves one message too many counted for one window,
        // which can only hold a message for review.
        recentSenders.record(`${wall.id}:${contributorId}`, ctx.now().getTime());
      }
      repos.messages.linkMedia(id, media.flatMap((item) => (item.url.startsWith(MEDIA_PREFIX) ? [item.url.slice(MEDIA_PREFIX.length)] : [])));
      const wallEvent =
        status === 'approved'
          ? repos.events.append(wall.id, 'approved', (seq) => ({ type: 'approved', seq, message: toWallMessage(message) }), now)
          : null;
      // Published once committed; a control message (STOP…) is shown to nobody.
      if (!options.control) repos.afterCommit(() => publishChange(ctx.hub, message, wallEvent));
      // Counted once committed too: inside an SMS group commit, this transaction is only a savepoint.
      repos.afterCommit(() => observe(c.channel, message.status));
      if (decided) {
        repos.audit.append(
          {
            actor: 'system',
            action: status === 'approved' ? 'auto-approve' : 'auto-reject',
            wallId: wall.id,
            targetType: 'message',
            targetId: id,
            detail: decision.trusted ? { reasons, rule: 'trusted-sender' } : { reasons },
          },
          now,
        );
      }
      return { message, created: true };
    });
  }

  return Object.assign(ingest, { alreadyStored });
}

export type Ingest = ReturnType<typeof createIngest>;
