import type { ListedSender } from '../db/repositories/senders.js';
import type { StoredMessage } from '../db/repositories/messages.js';
import { authorLabel } from '../domain/mask.js';
import type { AddressKind } from '../domain/message.js';
import type { SenderBadge, SenderRule } from '../domain/rule-decision.js';
import { toWallMessage } from '../domain/views.js';
import type { Wall } from '../domain/wall.js';
import { badRequest, conflict, notFound, wallArchived } from '../errors.js';
import type { ServiceContext } from './context.js';
import { publishChange } from './publisher.js';

/** Who to list: the sender of a message a moderator is looking at, or an address typed in. */
export type SenderTarget = { messageId: number } | { kind: AddressKind; address: string };

export interface SenderListing {
  sender: ListedSender;
  /** False when the sender already had this rule: nothing changed, nothing was audited. */
  changed: boolean;
}

/**
 * Phone numbers are stored as the provider sent them ("+33612345678"); a number typed by a moderator loses
 * its spaces, dots, dashes and parentheses to match. Other addresses are taken as typed, trimmed.
 */
function addressAsStored(kind: AddressKind, address: string): string {
  const trimmed = address.trim();
  return kind === 'phone' ? trimmed.replace(/[\s.()-]/g, '') : trimmed;
}

/**
 * The trusted and blocked senders of a wall. A trusted sender may carry a badge (speaker, organiser) that
 * their messages show on the wall: giving, changing or taking it away (removing the entry, blocking the
 * sender) changes their messages on that wall at once, and the ones on screen are announced again as
 * `approved` events with the same id, so that every screen redraws them. Blocking a sender also rejects what they have waiting on the wall,
 * with the reason `blocked-sender`, and every moderator's queue shows it at once. Removing an entry is the undo;
 * what was rejected stays rejected (a moderator can still approve it).
 */
export function createSenders(ctx: ServiceContext) {
  const { repos } = ctx;

  function wallBySlug(slug: string) {
    const wall = repos.walls.bySlug(slug);
    if (!wall) throw notFound(`Wall "${slug}"`);
    return wall;
  }

  /** The wall whose lists change: an archived wall's are kept as they were (409), like its messages. */
  function liveWallBySlug(slug: string) {
    const wall = wallBySlug(slug);
    if (wall.archivedAt !== null) throw wallArchived(slug);
    return wall;
  }

  /** The contributor to list and the label they are known by, from a message of this wall or from an address. */
  function resolve(wallId: number, target: SenderTarget, now: string): { contributorId: number; label: string } {
    if ('messageId' in target) {
      const message: StoredMessage | undefined = repos.messages.byId(target.messageId);
      if (!message || message.wallId !== wallId) throw notFound(`Message ${target.messageId} on this wall`);
      if (message.contributorId === null || message.sender === null) {
        throw conflict('no_sender', `Message ${target.messageId} has no sender to list (it came through the API or a bridge).`);
      }
      return { contributorId: message.contributorId, label: message.authorName };
    }
    const address = addressAsStored(target.kind, target.address);
    if (address === '') throw badRequest('invalid_address', 'address is empty once spaces are removed');
    return {
      contributorId: repos.contributors.idFor(target.kind, address, now),
      label: authorLabel({ address, addressKind: target.kind }),
    };
  }

  /**
   * Gives a contributor's messages on a wall their sender's badge (or none). Moderators see every changed
   * message; the wall hears of those on screen, the visible approved ones a snapshot would carry. An
   * approved message further back is updated but not announced: an `approved` event for an id a screen
   * does not hold would put an old message back on it.
   */
  function applyBadge(wall: Wall, contributorId: number, badge: SenderBadge | null, now: string): number[] {
    const changed = repos.messages.setBadge(wall.id, contributorId, badge);
    if (changed.length === 0) return changed;
    const onScreen = new Set(
      repos.messages
        .visible(wall.id, wall.settings.displayLimit)
        .filter((message) => message.contributorId === contributorId)
        .map((message) => message.id),
    );
    for (const id of changed) {
      const updated = repos.messages.byId(id)!;
      const wallEvent =
        updated.status === 'approved' && onScreen.has(id)
          ? repos.events.append(wall.id, 'approved', (seq) => ({ type: 'approved', seq, message: toWallMessage(updated) }), now)
          : null;
      repos.afterCommit(() => publishChange(ctx.hub, updated, wallEvent));
    }
    return changed;
  }

  return {
    list(slug: string): ListedSender[] {
      return repos.senders.list(wallBySlug(slug).id);
    },

    /**
     * Lists a sender as trusted or blocked. `badge` is for a trusted sender only; left out, a sender already
     * trusted keeps theirs. Listing a sender exactly as they already are changes nothing.
     */
    put(slug: string, target: SenderTarget, rule: SenderRule, actor: string, badge?: SenderBadge | null): SenderListing {
      if (rule !== 'trusted' && badge !== undefined && badge !== null) {
        throw badRequest('badge_needs_trusted', 'badge: only a trusted sender can be shown as a speaker or an organiser.');
      }
      return repos.transaction(() => {
        const wall = liveWallBySlug(slug);
        const now = ctx.now().toISOString();
        const { contributorId, label } = resolve(wall.id, target, now);
        const before = repos.senders.byContributor(wall.id, contributorId);
        const nextBadge = rule !== 'trusted' ? null : badge !== undefined ? badge : before?.rule === 'trusted' ? before.badge : null;
        if (before?.rule === rule && before.badge === nextBadge) return { sender: before, changed: false };
        const sender = repos.senders.put({ wallId: wall.id, contributorId, rule, label, badge: nextBadge, createdBy: actor }, now);
        const rebadged = applyBadge(wall, contributorId, nextBadge, now);
        const rejected: number[] = [];
        if (rule === 'blocked') {
          for (const pending of repos.messages.pendingFrom(contributorId)) {
            const message = repos.messages.byId(pending.id);
            if (!message || message.wallId !== wall.id) continue;
            if (!repos.messages.reject(pending.id, pending.version, [...pending.reasons.filter((r) => r !== 'publish-delay'), 'blocked-sender'], now, actor)) continue;
            const updated = repos.messages.byId(pending.id)!;
            rejected.push(updated.id);
            // Pending messages were never on the wall: only the moderators' queues change.
            repos.afterCommit(() => publishChange(ctx.hub, updated, null));
          }
        }
        repos.audit.append(
          {
            actor,
            action: rule === 'blocked' ? 'sender.block' : 'sender.trust',
            wallId: wall.id,
            targetType: 'sender',
            targetId: sender.id,
            detail: {
              kind: sender.kind,
              label: sender.label,
              ...(before ? { from: before.rule } : {}),
              ...(rule === 'blocked' ? { rejected } : {}),
              ...(nextBadge !== null || (before?.badge ?? null) !== null ? { badge: nextBadge, fromBadge: before?.badge ?? null, rebadged } : {}),
            },
          },
          now,
        );
        return { sender, changed: true };
      });
    },

    /** Gives a trusted sender a badge, changes it, or takes it away (null); audited as `sender.badge`. */
    setBadge(slug: string, id: number, badge: SenderBadge | null, actor: string): SenderListing {
      return repos.transaction(() => {
        const wall = liveWallBySlug(slug);
        const sender = repos.senders.byId(id);
        if (!sender || sender.wallId !== wall.id) throw notFound(`Sender ${id} of wall "${slug}"`);
        if (badge !== null && sender.rule !== 'trusted') {
          throw badRequest('badge_needs_trusted', 'badge: only a trusted sender can be shown as a speaker or an organiser; trust them first.');
        }
        if (sender.badge === badge) return { sender, changed: false };
        const now = ctx.now().toISOString();
        const updated = repos.senders.setBadge(sender, badge);
        const rebadged = applyBadge(wall, sender.contributorId, badge, now);
        repos.audit.append(
          {
            actor,
            action: 'sender.badge',
            wallId: wall.id,
            targetType: 'sender',
            targetId: id,
            detail: { kind: sender.kind, label: sender.label, from: sender.badge, to: badge, rebadged },
          },
          now,
        );
        return { sender: updated, changed: true };
      });
    },

    /** Takes a sender off the list; their messages lose the badge the entry gave them. */
    remove(slug: string, id: number, actor: string): void {
      repos.transaction(() => {
        const wall = liveWallBySlug(slug);
        const sender = repos.senders.byId(id);
        if (!sender || sender.wallId !== wall.id) throw notFound(`Sender ${id} of wall "${slug}"`);
        repos.senders.remove(id);
        const now = ctx.now().toISOString();
        const rebadged = applyBadge(wall, sender.contributorId, null, now);
        repos.audit.append(
          {
            actor,
            action: 'sender.remove',
            wallId: wall.id,
            targetType: 'sender',
            targetId: id,
            detail: { rule: sender.rule, kind: sender.kind, label: sender.label, ...(sender.badge !== null ? { badge: sender.badge, rebadged } : {}) },
          },
          now,
        );
      });
    },
  };
}

export type Senders = ReturnType<typeof createSenders>;
