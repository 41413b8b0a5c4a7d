import type { ListedSender } from '../db/repositories/senders.js';
import type { StoredMessage } from '../db/repositories/messages.js';
import { authorLabel } from '../domain/mask.js';
import type { AddressKind } from '../domain/message.js';
import type { SenderRule } from '../domain/rule-decision.js';
import { badRequest, conflict, notFound } from '../errors.js';
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
 * The trusted and blocked senders of a wall. Blocking a sender also rejects what they have waiting on the wall,
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

  return {
    list(slug: string): ListedSender[] {
      return repos.senders.list(wallBySlug(slug).id);
    },

    put(slug: string, target: SenderTarget, rule: SenderRule, actor: string): SenderListing {
      return repos.transaction(() => {
        const wall = wallBySlug(slug);
        const now = ctx.now().toISOString();
        const { contributorId, label } = resolve(wall.id, target, now);
        const before = repos.senders.byContributor(wall.id, contributorId);
        if (before?.rule === rule) return { sender: before, changed: false };
        const sender = repos.senders.put({ wallId: wall.id, contributorId, rule, label, createdBy: actor }, now);
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
            detail: { kind: sender.kind, label: sender.label, ...(before ? { from: before.rule } : {}), ...(rule === 'blocked' ? { rejected } : {}) },
          },
          now,
        );
        return { sender, changed: true };
      });
    },

    remove(slug: string, id: number, actor: string): void {
      repos.transaction(() => {
        const wall = wallBySlug(slug);
        const sender = repos.senders.byId(id);
        if (!sender || sender.wallId !== wall.id) throw notFound(`Sender ${id} of wall "${slug}"`);
        repos.senders.remove(id);
        repos.audit.append(
          { actor, action: 'sender.remove', wallId: wall.id, targetType: 'sender', targetId: id, detail: { rule: sender.rule, kind: sender.kind, label: sender.label } },
          ctx.now().toISOString(),
        );
      });
    },
  };
}

export type Senders = ReturnType<typeof createSenders>;
