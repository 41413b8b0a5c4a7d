import type { Db } from '../database.js';
import type { AddressKind } from '../../domain/message.js';

/** A message to erase, with what its erasure needs: its wall and whether the wall shows it now. */
export interface ErasableMessage {
  id: number;
  wallId: number;
  wallSlug: string;
  status: string;
  source: string;
  providerMessageId: string;
}

/**
 * What erasure deletes (services/erasure.ts): a contributor's rows, their messages and everything hanging
 * off them, and the copies of those messages in the walls' event logs. Retention's statements
 * (repositories/retention.ts) are reused for what they share: the stored files no message uses any more.
 */
export function erasureRepository(db: Db) {
  const contributorsMatching = db.prepare<[string], { id: number; kind: AddressKind; address: string }>(
    `SELECT c.id, c.kind, c.address FROM contributors c
     JOIN json_each(?) want ON want.value ->> 'kind' = c.kind
       AND (c.address = want.value ->> 'address' OR (c.kind = 'email' AND lower(c.address) = lower(want.value ->> 'address')))
     ORDER BY c.id`,
  );
  const messagesOf = db.prepare<[string], { id: number; wall_id: number; wall_slug: string; status: string; source: string; provider_message_id: string }>(
    `SELECT m.id, m.wall_id, w.slug AS wall_slug, m.status, m.source, m.provider_message_id
     FROM messages m JOIN walls w ON w.id = m.wall_id
     WHERE m.contributor_id IN (SELECT value FROM json_each(?)) ORDER BY m.id`,
  );
  const messageById = db.prepare<[number], { id: number; wall_id: number; wall_slug: string; status: string; source: string; provider_message_id: string }>(
    `SELECT m.id, m.wall_id, w.slug AS wall_slug, m.status, m.source, m.provider_message_id
     FROM messages m JOIN walls w ON w.id = m.wall_id WHERE m.id = ?`,
  );
  const picturesOf = db.prepare<[string], { name: string }>(
    'SELECT DISTINCT name FROM message_media WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY name',
  );
  // The parts of the long SMS assembled into these messages (a group's message carries its first part's
  // id, and the group's parts share their sender, reference, count and time of assembly).
  const deletePartsOf = db.prepare<[string]>(
    `DELETE FROM sms_parts
     WHERE (source, sender, ref, total, assembled_at) IN (
       SELECT p.source, p.sender, p.ref, p.total, p.assembled_at
       FROM messages m JOIN sms_parts p ON p.source = m.source AND p.provider_message_id = m.provider_message_id
       WHERE m.id IN (SELECT value FROM json_each(?)) AND p.assembled_at IS NOT NULL)`,
  );
  // Whatever else these numbers sent in parts: a long SMS still waiting for its other parts.
  const deletePartsFrom = db.prepare<[string]>('DELETE FROM sms_parts WHERE sender IN (SELECT value FROM json_each(?))');
  const deleteMessages = db.prepare<[string]>('DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))');
  const sendersOf = db.prepare<[string], { id: number; wall_id: number }>(
    'SELECT id, wall_id FROM senders WHERE contributor_id IN (SELECT value FROM json_each(?)) ORDER BY id',
  );
  const deleteContributors = db.prepare<[string]>('DELETE FROM contributors WHERE id IN (SELECT value FROM json_each(?))');
  // An `approved` event is the only one that carries a message (its text, label, pictures); `removed`,
  // `pinned` and `unpinned` carry its id only. Rewritten in place with the same seq: the log stays gap-free.
  const scrubEvents = db.prepare<[string], { wall_id: number; seq: number }>(
    `UPDATE wall_events
     SET type = 'removed', payload = json_object('type', 'removed', 'seq', seq, 'id', payload ->> '$.message.id')
     WHERE type = 'approved' AND payload ->> '$.message.id' IN (SELECT value FROM json_each(?))
     RETURNING wall_id, seq`,
  );

  const toErasable = (row: { id: number; wall_id: number; wall_slug: string; status: string; source: string; provider_message_id: string }): ErasableMessage => ({
    id: row.id,
    wallId: row.wall_id,
    wallSlug: row.wall_slug,
    status: row.status,
    source: row.source,
    providerMessageId: row.provider_message_id,
  });

  return {
    /** The contributors stored under any of these (kind, address) forms; an email address matches whatever its case. */
    contributorsMatching(candidates: { kind: AddressKind; address: string }[]): { id: number; kind: AddressKind; address: string }[] {
      return candidates.length === 0 ? [] : contributorsMatching.all(JSON.stringify(candidates));
    },
    /** Every message of these contributors, on every wall (control messages included). */
    messagesOf(contributorIds: number[]): ErasableMessage[] {
      return contributorIds.length === 0 ? [] : messagesOf.all(JSON.stringify(contributorIds)).map(toErasable);
    },
    message(id: number): ErasableMessage | undefined {
      const row = messageById.get(id);
      return row && toErasable(row);
    },
    /** The stored pictures these messages carry. */
    picturesOf(messageIds: number[]): string[] {
      return messageIds.length === 0 ? [] : picturesOf.all(JSON.stringify(messageIds)).map((row) => row.name);
    },
    /** Deletes the stored parts of the long SMS these messages were assembled from, and any part these numbers sent; how many. */
    deleteSmsParts(messageIds: number[], phoneNumbers: string[]): number {
      let n = messageIds.length === 0 ? 0 : deletePartsOf.run(JSON.stringify(messageIds)).changes;
      if (phoneNumbers.length > 0) n += deletePartsFrom.run(JSON.stringify(phoneNumbers)).changes;
      return n;
    },
    /** Rewrites the events that carried these messages into removals of them; the (wall, seq) of each. */
    scrubEvents(messageIds: number[]): { wallId: number; seq: number }[] {
      return messageIds.length === 0 ? [] : scrubEvents.all(JSON.stringify(messageIds)).map((row) => ({ wallId: row.wall_id, seq: row.seq }));
    },
    /** Deletes the messages; their picture links and social posts' records go with them (ON DELETE CASCADE). */
    deleteMessages(messageIds: number[]): number {
      return messageIds.length === 0 ? 0 : deleteMessages.run(JSON.stringify(messageIds)).changes;
    },
    /** The entries of these contributors on the walls' trusted and blocked lists. */
    sendersOf(contributorIds: number[]): { id: number; wallId: number }[] {
      return contributorIds.length === 0 ? [] : sendersOf.all(JSON.stringify(contributorIds)).map((row) => ({ id: row.id, wallId: row.wall_id }));
    },
    deleteContributors(contributorIds: number[]): number {
      return contributorIds.length === 0 ? 0 : deleteContributors.run(JSON.stringify(contributorIds)).changes;
    },
  };
}

export type ErasureRepository = ReturnType<typeof erasureRepository>;
