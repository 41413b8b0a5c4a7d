import type { StoredEvent } from '../db/repositories/events.js';
import type { StoredMessage } from '../db/repositories/messages.js';
import type { StoredSource } from '../db/repositories/sources.js';
import type { Contribution, MediaItem, MessageStatus } from '../domain/message.js';
import { httpsUrl, MAX_URL_LENGTH } from '../domain/urls.js';
import { DELETED_BY_AUTHOR, EDITED } from '../domain/moderation.js';
import { normalizeLabel, normalizeText } from '../domain/normalize.js';
import { contentReasons, textKey } from '../domain/rules.js';
import { toWallMessage } from '../domain/views.js';
import type { Wall } from '../domain/wall.js';
import type { SocialPost } from '../sources/types.js';
import type { ServiceContext } from './context.js';
import { CONTENT_WARNING_GRAPHEMES, MAX_TEXT_GRAPHEMES, withCleanAlt, type Ingest } from './ingest.js';
import { publishChange } from './publisher.js';

const MAX_IMAGES = 4;
const MAX_ID_LENGTH = 512;

/** A database failure: the whole batch must fail, so that the source retries it rather than skipping posts. */
function isDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

function images(media: readonly MediaItem[]): MediaItem[] {
  const kept: MediaItem[] = [];
  for (const item of media) {
    const url = httpsUrl(item.url);
    if (url === undefined || kept.length === MAX_IMAGES) continue;
    kept.push(typeof item.alt === 'string' ? { kind: 'image', url, alt: item.alt } : { kind: 'image', url });
  }
  return kept;
}

function validDate(date: Date, fallback: Date): Date {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date : fallback;
}

/**
 * The way social posts enter Toile: each post is stored on its source's wall through the one ingest
 * pipeline, with the source's cursor in the same transaction; an edit sends a post back through
 * moderation; a deletion takes it off every screen and erases what its author wrote.
 */
export function createSocialIntake(ctx: ServiceContext, ingest: Ingest, onSkippedPost: (error: unknown, source: StoredSource) => void) {
  const { repos } = ctx;

  /**
   * One post is stored once per wall: the same post reached through two sources of one wall (two Mastodon
   * instances) is one message, while two walls following the same hashtag each get their own.
   */
  const postKey = (wall: Wall, post: Pick<SocialPost, 'id'>) => `${wall.id}:${post.id}`;

  function contribution(source: StoredSource, wall: Wall, post: SocialPost): Contribution {
    const handle = normalizeLabel(post.author.handle);
    return {
      channel: 'social',
      source: source.kind,
      providerMessageId: postKey(wall, post),
      wallSlug: wall.slug,
      author: {
        name: normalizeLabel(post.author.name) || handle || undefined,
        ...(handle === '' ? {} : { handle }),
        ...(httpsUrl(post.author.avatarUrl) === undefined ? {} : { avatarUrl: httpsUrl(post.author.avatarUrl) }),
        address: `${source.kind}:${post.author.account}`.slice(0, MAX_URL_LENGTH),
        addressKind: 'account',
      },
      text: post.text,
      media: images(post.media),
      ...(post.contentWarning ? { contentWarning: post.contentWarning } : {}),
      createdAt: validDate(post.createdAt, ctx.now()),
      raw: post.raw,
    };
  }

  function usable(post: SocialPost): boolean {
    return typeof post.id === 'string' && post.id !== '' && post.id.length <= MAX_ID_LENGTH && typeof post.remoteId === 'string' && post.remoteId.length <= MAX_ID_LENGTH;
  }

  /** The message a source's post became, found by the source's own id or by the post's identity. */
  function find(source: StoredSource, wall: Wall, remoteId: string): StoredMessage | undefined {
    const id = repos.sources.messageFor(source.id, remoteId);
    if (id !== undefined) return repos.messages.byId(id);
    return repos.messages.byProviderId(source.kind, postKey(wall, { id: remoteId }));
  }

  function wallOf(source: StoredSource): Wall {
    const wall = repos.walls.byId(source.wallId);
    if (!wall) throw new Error(`source ${source.id} has no wall`);
    return wall;
  }

  /** Stores one post (or finds it stored) and remembers the source's id for it; true when it is new. */
  function storeOne(source: StoredSource, wall: Wall, post: SocialPost): boolean {
    const { message, created } = ingest(contribution(source, wall, post), { wall });
    repos.sources.linkPost(source.id, post.remoteId, message.id);
    return created;
  }

  function appendEvent(message: StoredMessage, type: 'approved' | 'removed', now: string): StoredEvent {
    return repos.events.append(
      message.wallId,
      type,
      (seq) => (type === 'approved' ? { type, seq, message: toWallMessage(message) } : { type, seq, id: message.id }),
      now,
    );
  }

  /**
   * Takes a message off every screen and erases what its author wrote, for good (see `retract`).
   * Returns false when it was already retracted.
   */
  function retractMessage(message: StoredMessage, detail: Record<string, unknown>): boolean {
    return repos.transaction(() => {
      // Read again under the write lock: a moderator's decision since `message` was read must not make the
      // author's deletion fail its version check.
      const current = repos.messages.byId(message.id);
      if (!current || current.reasons.includes(DELETED_BY_AUTHOR)) return false;
      const now = ctx.now().toISOString();
      const wasApproved = current.status === 'approved';
      const changed = repos.messages.revise(current.id, current.version, {
        text: '',
        media: [],
        contentWarning: null,
        status: current.status === 'rejected' ? 'rejected' : 'hidden',
        reasons: [...current.reasons.filter((r) => r !== 'publish-delay'), DELETED_BY_AUTHOR],
        pinned: false,
        decidedAt: now,
        decidedBy: 'author',
        raw: null,
        keepPublishAt: false,
        textKey: null,
      });
      if (!changed) return false;
      const updated = repos.messages.byId(current.id)!;
      const event = wasApproved ? appendEvent(updated, 'removed', now) : null;
      repos.audit.append(
        { actor: 'author', action: 'retract', wallId: updated.wallId, targetType: 'message', targetId: String(updated.id), detail: { from: current.status, ...detail } },
        now,
      );
      repos.afterCommit(() => publishChange(ctx.hub, updated, event));
      return true;
    });
  }

  return {
    /**
     * Stores posts and moves the cursor, in one transaction; returns how many posts were new. A post that
     * cannot be stored for a reason of its own is skipped and reported, so one hostile post never blocks its
     * source; a database failure fails the whole batch, cursor included, so that the source retries it.
     * `cursor` undefined leaves the stored cursor as it is.
     */
    store(source: StoredSource, posts: readonly SocialPost[], cursor: string | null | undefined): number {
      return repos.transaction(() => {
        const wall = wallOf(source);
        let created = 0;
        for (const post of posts) {
          if (!usable(post)) {
            onSkippedPost(new Error('a post without a usable id was skipped'), source);
            continue;
          }
          try {
            if (repos.transaction(() => storeOne(source, wall, post))) created += 1;
          } catch (error) {
            if (isDatabaseError(error)) throw error;
            onSkippedPost(error, source);
          }
        }
        const current = repos.sources.byId(source.id);
        repos.sources.advance(source.id, cursor === undefined ? (current?.cursor ?? null) : cursor, created, ctx.now().toISOString());
        return created;
      });
    },

    /**
     * The author edited a post. A pending post simply shows its new text to moderators (its version moves,
     * so a moderator deciding on the old text gets a 409). An approved post is moderated again: on a
     * post-moderated wall it is corrected in place if no rule holds it; otherwise it leaves the wall and
     * waits in the queue with the reason `edited`, since a moderator approved other words. A post never
     * stored (a hashtag added by the edit) is stored as new.
     */
    update(source: StoredSource, post: SocialPost): void {
      if (!usable(post)) return;
      repos.transaction(() => {
        const wall = wallOf(source);
        const current = find(source, wall, post.remoteId) ?? find(source, wall, post.id);
        if (!current) {
          if (storeOne(source, wall, post)) repos.sources.advance(source.id, repos.sources.byId(source.id)?.cursor ?? null, 1, ctx.now().toISOString());
          return;
        }
        if (current.reasons.includes(DELETED_BY_AUTHOR)) return;
        const revised = contribution(source, wall, post);
        const text = normalizeText(revised.text, { maxGraphemes: MAX_TEXT_GRAPHEMES });
        const media = (revised.media ?? []).map(withCleanAlt);
        const contentWarning = revised.contentWarning === undefined ? null : normalizeLabel(revised.contentWarning, { maxGraphemes: CONTENT_WARNING_GRAPHEMES }) || null;
        if (text === current.text && contentWarning === current.contentWarning && JSON.stringify(media) === JSON.stringify(current.media)) return;

        const now = ctx.now().toISOString();
        // The wall's text rules read the new words as they read any message: blocked terms, profanity, links.
        const held = contentReasons(text, wall.settings);
        let status: MessageStatus = current.status;
        let reasons = current.reasons;
        let wallEvent: 'approved' | 'removed' | null = null;
        if (current.status === 'approved') {
          if (wall.moderation === 'post' && held.length === 0) {
            wallEvent = 'approved';
          } else {
            status = 'pending';
            reasons = [...held, EDITED];
            wallEvent = 'removed';
          }
        } else if (current.status === 'pending') {
          // The broadcast delay lets a post through unless a rule holds it: an edit that now trips one stops it.
          const stale = (r: string) => r.startsWith('blocked-term:') || r.startsWith('profanity:') || r === 'link';
          reasons = [...new Set([...reasons.filter((r) => !stale(r) && (held.length === 0 || r !== 'publish-delay')), ...held, EDITED])];
        }
        const changed = repos.messages.revise(current.id, current.version, {
          text,
          media,
          contentWarning,
          status,
          reasons,
          pinned: status === 'approved' && current.pinned,
          decidedAt: status === 'pending' ? null : current.decidedAt,
          decidedBy: status === 'pending' ? null : current.decidedBy,
          raw: JSON.stringify(post.raw ?? null),
          keepPublishAt: status === 'pending' && current.status === 'pending' && held.length === 0,
          // The duplicate rule compares new messages with what the post says now.
          textKey: textKey(text),
        });
        if (!changed) return;
        const updated = repos.messages.byId(current.id)!;
        const event = wallEvent === null ? null : appendEvent(updated, wallEvent, now);
        repos.audit.append(
          { actor: 'author', action: 'edit', wallId: wall.id, targetType: 'message', targetId: String(updated.id), detail: { from: current.status, to: updated.status, source: source.id } },
          now,
        );
        repos.afterCommit(() => publishChange(ctx.hub, updated, event));
      });
    },

    /**
     * The author deleted a post: it leaves the wall and the queue, and what they wrote is erased. The row
     * stays, so that a replay of the stream never brings the post back; a moderator cannot approve it again.
     * Returns false when no stored message matches (most deletions on a firehose are of other posts).
     */
    retract(source: StoredSource, remoteId: string): boolean {
      if (typeof remoteId !== 'string' || remoteId === '' || remoteId.length > MAX_ID_LENGTH) return false;
      // Most deletions on a firehose are of posts never stored: they are looked up without taking the write lock.
      const current = find(source, wallOf(source), remoteId);
      return current !== undefined && retractMessage(current, { source: source.id });
    },

    retractMessage,
  };
}

export type SocialIntake = ReturnType<typeof createSocialIntake>;
