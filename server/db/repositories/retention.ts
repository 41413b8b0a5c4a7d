import type { Db } from '../database.js';

/** A picture link of a message that is not approved: what retention takes off it. */
export interface HeldImage {
  messageId: number;
  name: string;
}

/**
 * What retention erases from a wall once its event is long over (services/retention.ts): the links from its
 * messages to contributors' private addresses, the providers' raw payloads, and the stored pictures of what
 * was never shown. Each statement touches only rows that still hold something, so a repeated pass finds
 * nothing to do and writes nothing.
 */
export function retentionRepository(db: Db) {
  const contributorsOf = db.prepare<[number, number], { id: number }>(
    `SELECT contributor_id AS id FROM messages WHERE wall_id = ? AND contributor_id IS NOT NULL
     UNION SELECT contributor_id AS id FROM senders WHERE wall_id = ?`,
  );
  const unlink = db.prepare<[number]>('UPDATE messages SET contributor_id = NULL WHERE wall_id = ? AND contributor_id IS NOT NULL');
  // The contributors no message and no sender list of any wall refers to any more. A contributor who also
  // wrote to a wall whose data is still kept stays, with that wall's messages. The subqueries are read
  // once each (SQLite builds a temporary index of them), not once per contributor.
  const deleteOrphans = db.prepare<[string]>(
    `DELETE FROM contributors
     WHERE id IN (SELECT value FROM json_each(?))
       AND id NOT IN (SELECT contributor_id FROM messages WHERE contributor_id IS NOT NULL)
       AND id NOT IN (SELECT contributor_id FROM senders)`,
  );
  const dropRaw = db.prepare<[number]>('UPDATE messages SET raw = NULL WHERE wall_id = ? AND raw IS NOT NULL');
  // The parts of long SMS assembled into this wall's messages: a group's message carries the id of one of
  // its parts (its first), and the group's parts share their sender, reference, count and time of assembly.
  const dropParts = db.prepare<[number]>(
    `DELETE FROM sms_parts
     WHERE (source, sender, ref, total, assembled_at) IN (
       SELECT p.source, p.sender, p.ref, p.total, p.assembled_at
       FROM messages m JOIN sms_parts p ON p.source = m.source AND p.provider_message_id = m.provider_message_id
       WHERE m.wall_id = ? AND p.assembled_at IS NOT NULL)`,
  );
  const heldImages = db.prepare<[number], { message_id: number; name: string; media: string }>(
    `SELECT mm.message_id, mm.name, m.media FROM message_media mm JOIN messages m ON m.id = mm.message_id
     WHERE m.wall_id = ? AND m.status <> 'approved' ORDER BY mm.message_id, mm.name`,
  );
  const unlinkImage = db.prepare<[number, string]>('DELETE FROM message_media WHERE message_id = ? AND name = ?');
  const setMedia = db.prepare<[string, number]>('UPDATE messages SET media = ? WHERE id = ?');
  const deleteUnusedFile = db.prepare<[string, string, string]>(
    `DELETE FROM media_files WHERE name = ?
       AND NOT EXISTS (SELECT 1 FROM message_media WHERE name = ?)
       AND NOT EXISTS (SELECT 1 FROM wall_images WHERE name = ?)`,
  );

  return {
    /** The contributors a wall's messages or sender list refer to. */
    contributorsOf(wallId: number): number[] {
      return contributorsOf.all(wallId, wallId).map((row) => row.id);
    },
    /** Takes the contributor off every message of the wall (the label stays); how many messages changed. */
    unlinkContributors(wallId: number): number {
      return unlink.run(wallId).changes;
    },
    /** Deletes those of these contributors that nothing refers to any more; how many. */
    deleteUnreferencedContributors(ids: number[]): number {
      return ids.length === 0 ? 0 : deleteOrphans.run(JSON.stringify(ids)).changes;
    },
    /** Deletes the providers' payloads of the wall's messages; how many messages had one. */
    dropRawPayloads(wallId: number): number {
      return dropRaw.run(wallId).changes;
    },
    /** Deletes the parts (sender, text, payload) of the long SMS assembled into the wall's messages; how many. */
    dropSmsParts(wallId: number): number {
      return dropParts.run(wallId).changes;
    },
    /** The stored pictures of the wall's messages that are not approved, with each message's media list. */
    heldImages(wallId: number): (HeldImage & { media: string })[] {
      return heldImages.all(wallId).map((row) => ({ messageId: row.message_id, name: row.name, media: row.media }));
    },
    unlinkImage(image: HeldImage): void {
      unlinkImage.run(image.messageId, image.name);
    },
    /** Rewrites a message's media list (JSON) without touching its version: no decision changed. */
    setMedia(messageId: number, media: string): void {
      setMedia.run(media, messageId);
    },
    /** Deletes a stored file's row when no message and no wall uses it any more; whether it did. */
    deleteUnusedFile(name: string): boolean {
      return deleteUnusedFile.run(name, name, name).changes === 1;
    },
  };
}

export type RetentionRepository = ReturnType<typeof retentionRepository>;
