import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ErasableMessage } from '../db/repositories/erasure.js';
import type { StoredEvent } from '../db/repositories/events.js';
import type { AddressKind } from '../domain/message.js';
import { badRequest, notFound } from '../errors.js';
import { moderatorChannel, wallChannel } from '../realtime/hub.js';
import type { ServiceContext } from './context.js';
import { compactDatabase } from './retention.js';

/** What an erasure removed: counts and the walls it touched, never an address. */
export interface ErasureReport {
  /** Contributors (a phone number, an email address, an account) deleted. */
  contributors: number;
  /** Messages deleted, on every wall. */
  messages: number;
  /** Stored picture files deleted (a picture another message or a wall still uses stays). */
  pictures: number;
  /** The walls whose messages or lists changed. */
  walls: string[];
}

/** Where erasure's warnings go (Fastify's pino logger fits); never an address. */
export interface ErasureLog {
  warn(object: object, message: string): void;
}

export interface ErasureOptions {
  mediaDir: string;
  log: ErasureLog;
  /** The open walls' feeds: each affected wall's is reloaded from SQLite, so that its memory holds no copy. */
  feeds: { peek(slug: string): { reload(): void } | undefined };
  /** Cluster mode: rewrites the wall's Redis stream and snapshot from the scrubbed log (the edges' copies). */
  cluster: { rewrite?(slug: string): void } | null;
}

/** What one erasure deletes, and how it is audited. */
interface Selection {
  messages: ErasableMessage[];
  contributorIds: number[];
  /** The contributors' phone numbers as stored: the parts of long SMS they sent go too. */
  phoneNumbers: string[];
  audit: { action: string; targetType: string; targetId?: string | number; actor: string; detail?: Record<string, unknown> };
}

/** The longest address accepted (an email address's limit). */
export const MAX_ADDRESS_LENGTH = 320;

/**
 * The stored forms an address typed by an admin may have, as ingest stores them: a phone number as its
 * provider sent it, with or without its "+" (Twilio and the SMS gateway send "+33612345678", Vonage
 * "33612345678"), typed with or without spaces, dots, dashes, parentheses, or "00" for "+"; an email address
 * whatever its case (matched case-insensitively); an account as the console shows it (`mastodon:…`,
 * `bluesky:did:…`, `x:…`).
 */
export function addressCandidates(input: string): { kind: AddressKind; address: string }[] {
  const typed = input.normalize('NFC').trim();
  if (typed === '') return [];
  const candidates: { kind: AddressKind; address: string }[] = [{ kind: 'account', address: typed }];
  const email = typed.replace(/^mailto:/i, '').replace(/^<(.*)>$/, '$1').trim();
  if (email.includes('@')) candidates.push({ kind: 'email', address: email });
  const compact = typed.replace(/[\s.()/-]/g, '');
  if (/^(\+|00)?\d{3,20}$/.test(compact)) {
    const digits = compact.startsWith('+') ? compact.slice(1) : compact.startsWith('00') ? compact.slice(2) : compact;
    candidates.push({ kind: 'phone', address: `+${digits}` }, { kind: 'phone', address: digits });
  }
  return candidates;
}

/**
 * Erasure: an admin forgets a contributor (every message they sent, on every wall, and every row holding
 * their address) or one message. In one transaction, each erased message that a wall shows gets a `removed`
 * event; the wall's event log keeps no copy of it (each `approved` event that carried it is rewritten in
 * place, same seq, as its removal); its pictures, its long SMS's parts and its provider payload go with it;
 * the contributor's entries on the trusted and blocked lists and the contributor go too. The audit row holds
 * counts only. Once committed: the removals are published, every open feed of the walls reloads from SQLite
 * (its memory held copies), the cluster's streams are rewritten, the files deleted, and the database
 * compacted so that the bytes do not linger in free pages or in the WAL.
 */
export function createErasure(ctx: ServiceContext, options: ErasureOptions) {
  const { repos } = ctx;

  /**
   * Erases what `select` picks, read inside the same transaction (so that nothing arrives between the read
   * and the deletion); then deletes the files and compacts, outside it.
   */
  function erase(select: () => Selection): ErasureReport {
    const files: string[] = [];
    const report = repos.transaction((): ErasureReport => {
      const { messages, contributorIds, phoneNumbers, audit } = select();
      const now = ctx.now().toISOString();
      const ids = messages.map((message) => message.id);
      const walls = new Map<number, string>(messages.map((message) => [message.wallId, message.wallSlug]));
      const pictures = repos.erasure.picturesOf(ids);
      repos.erasure.deleteSmsParts(ids, phoneNumbers);
      for (const { wallId } of repos.erasure.scrubEvents(ids)) {
        walls.set(wallId, walls.get(wallId) ?? repos.walls.byId(wallId)!.slug);
      }
      const removals: { slug: string; event: StoredEvent }[] = [];
      for (const message of messages) {
        if (message.status !== 'approved') continue;
        const event = repos.events.append(message.wallId, 'removed', (seq) => ({ type: 'removed', seq, id: message.id }), now);
        removals.push({ slug: message.wallSlug, event });
      }
      const deleted = repos.erasure.deleteMessages(ids);
      // A picture another message or a wall still uses stays (the same bytes are stored once).
      files.push(...pictures.filter((name) => repos.retention.deleteUnusedFile(name)));
      for (const sender of repos.erasure.sendersOf(contributorIds)) {
        walls.set(sender.wallId, walls.get(sender.wallId) ?? repos.walls.byId(sender.wallId)!.slug);
        // Through the senders repository, which forgets its copy of the lists.
        repos.senders.remove(sender.id);
      }
      const contributors = repos.erasure.deleteContributors(contributorIds);
      const result: ErasureReport = { contributors, messages: deleted, pictures: files.length, walls: [...walls.values()].sort() };
      repos.audit.append(
        {
          actor: audit.actor,
          action: audit.action,
          wallId: walls.size === 1 ? [...walls.keys()][0]! : null,
          targetType: audit.targetType,
          ...(audit.targetId === undefined ? {} : { targetId: audit.targetId }),
          detail: { ...audit.detail, contributors: result.contributors, messages: result.messages, pictures: result.pictures, walls: result.walls },
        },
        now,
      );
      repos.afterCommit(() => {
        for (const { slug, event } of removals) ctx.hub.publish(wallChannel(slug), event);
        const bySlug = new Map<string, number[]>();
        for (const message of messages) bySlug.set(message.wallSlug, [...(bySlug.get(message.wallSlug) ?? []), message.id]);
        for (const [slug, erased] of bySlug) ctx.hub.publish(moderatorChannel(slug), { json: JSON.stringify({ type: 'erased', ids: erased }) });
        // The feeds' rings (and the cluster's streams) still hold the events as they were before the scrub.
        for (const slug of result.walls) {
          options.feeds.peek(slug)?.reload();
          options.cluster?.rewrite?.(slug);
        }
      });
      return result;
    });
    for (const name of files) {
      try {
        rmSync(join(options.mediaDir, name), { force: true });
      } catch (error) {
        options.log.warn({ err: error, file: name }, 'erasure could not delete a stored picture');
      }
    }
    if (report.messages + report.contributors > 0) {
      compactDatabase(repos.db, (error) => options.log.warn({ err: error }, 'erasure could not compact the database; erased rows may linger in free space'));
    }
    return report;
  }

  return {
    /**
     * Forgets everyone stored under this address (a phone number, an email address, an account): their
     * messages on every wall and every row that holds the address. Nobody matching is not an error: the
     * answer is zeros (and the attempt is audited all the same).
     */
    forgetContributor(address: string, actor: string): ErasureReport {
      if (address.length === 0 || address.length > MAX_ADDRESS_LENGTH) {
        throw badRequest('invalid_address', `address: from 1 to ${MAX_ADDRESS_LENGTH} characters.`);
      }
      const candidates = addressCandidates(address);
      if (candidates.length === 0) throw badRequest('invalid_address', 'address is empty once spaces are removed.');
      return erase(() => {
        const found = repos.erasure.contributorsMatching(candidates);
        const contributorIds = found.map((contributor) => contributor.id);
        return {
          messages: repos.erasure.messagesOf(contributorIds),
          contributorIds,
          phoneNumbers: found.filter((contributor) => contributor.kind === 'phone').map((contributor) => contributor.address),
          audit: { actor, action: 'contributor.forget', targetType: 'contributor' },
        };
      });
    },

    /** Erases one message (its data, its copies in the event log, its pictures); 404 when unknown. */
    forgetMessage(id: number, actor: string): ErasureReport {
      return erase(() => {
        const message = repos.erasure.message(id);
        if (!message) throw notFound(`Message ${id}`);
        return {
          messages: [message],
          contributorIds: [],
          phoneNumbers: [],
          audit: { actor, action: 'message.erase', targetType: 'message', targetId: id, detail: { from: message.status } },
        };
      });
    },
  };
}

export type Erasure = ReturnType<typeof createErasure>;
