import type { Db } from '../database.js';
import type { AddressKind, Channel, MediaItem, MessageStatus, Source } from '../../domain/message.js';
import type { SenderBadge } from '../../domain/rule-decision.js';

/** A message as stored, with its private sender joined in. Only the domain turns it into views. */
export interface StoredMessage {
  id: number;
  wallId: number;
  wallSlug: string;
  channel: Channel;
  source: Source;
  providerMessageId: string;
  authorName: string;
  authorHandle: string | null;
  authorAvatarUrl: string | null;
  text: string;
  media: MediaItem[];
  /** A content warning the author put on the post: the wall shows it instead of the post. */
  contentWarning: string | null;
  /** A moderator chose to show the post behind its content warning (the wall shows the warning as a label). */
  contentRevealed: boolean;
  status: MessageStatus;
  reasons: string[];
  pinned: boolean;
  version: number;
  createdAt: string;
  receivedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  /** A control message (STOP, START, HELP): kept for the record, never shown to moderators or walls. */
  control: boolean;
  contributorId: number | null;
  sender: { kind: AddressKind; address: string } | null;
  /** The badge of the sender's entry on the wall's list (a trusted speaker or organiser). */
  badge: SenderBadge | null;
}

export interface NewMessage {
  wallId: number;
  channel: Channel;
  source: Source;
  providerMessageId: string;
  contributorId: number | null;
  authorName: string;
  authorHandle: string | null;
  authorAvatarUrl: string | null;
  text: string;
  media: MediaItem[];
  contentWarning?: string | null;
  /** The folded text's hash that the duplicate rule looks up (null when the text has no word). */
  textKey?: string | null;
  status: MessageStatus;
  reasons: string[];
  createdAt: string;
  receivedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  publishAt: string | null;
  raw: string | null;
  control?: boolean;
  badge?: SenderBadge | null;
}

interface MessageRow {
  id: number;
  wall_id: number;
  wall_slug: string;
  channel: Channel;
  source: Source;
  provider_message_id: string;
  author_name: string;
  author_handle: string | null;
  author_avatar_url: string | null;
  text: string;
  media: string;
  content_warning: string | null;
  content_revealed: number;
  status: MessageStatus;
  reasons: string;
  pinned: number;
  version: number;
  created_at: string;
  received_at: string;
  decided_at: string | null;
  decided_by: string | null;
  control: number;
  contributor_id: number | null;
  sender_kind: AddressKind | null;
  sender_address: string | null;
  badge: SenderBadge | null;
}

function toMessage(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    wallId: row.wall_id,
    wallSlug: row.wall_slug,
    channel: row.channel,
    source: row.source,
    providerMessageId: row.provider_message_id,
    authorName: row.author_name,
    authorHandle: row.author_handle,
    authorAvatarUrl: row.author_avatar_url,
    text: row.text,
    media: JSON.parse(row.media) as MediaItem[],
    contentWarning: row.content_warning,
    contentRevealed: row.content_revealed === 1,
    status: row.status,
    reasons: JSON.parse(row.reasons) as string[],
    pinned: row.pinned === 1,
    version: row.version,
    createdAt: row.created_at,
    receivedAt: row.received_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    control: row.control === 1,
    contributorId: row.contributor_id,
    sender: row.sender_kind && row.sender_address !== null ? { kind: row.sender_kind, address: row.sender_address } : null,
    badge: row.badge,
  };
}

const SELECT = `
  SELECT m.id, m.wall_id, w.slug AS wall_slug, m.channel, m.source, m.provider_message_id, m.author_name,
         m.author_handle, m.author_avatar_url, m.text, m.media, m.content_warning, m.content_revealed, m.status, m.reasons, m.pinned, m.version,
         m.created_at, m.received_at, m.decided_at, m.decided_by, m.control, m.contributor_id,
         c.kind AS sender_kind, c.address AS sender_address, m.badge
  FROM messages m
  JOIN walls w ON w.id = m.wall_id
  LEFT JOIN contributors c ON c.id = m.contributor_id`;

export interface StateChange {
  status: MessageStatus;
  pinned: boolean;
  decidedAt: string | null;
  decidedBy: string | null;
}

export function messagesRepository(db: Db) {
  const insert = db.prepare(
    `INSERT INTO messages (wall_id, channel, source, provider_message_id, contributor_id, author_name, author_handle,
       author_avatar_url, text, media, content_warning, text_key, status, reasons, created_at, received_at, decided_at,
       decided_by, publish_at, raw, control, badge)
     VALUES (@wallId, @channel, @source, @providerMessageId, @contributorId, @authorName, @authorHandle,
       @authorAvatarUrl, @text, @media, @contentWarning, @textKey, @status, @reasons, @createdAt, @receivedAt, @decidedAt,
       @decidedBy, @publishAt, @raw, @control, @badge)
     ON CONFLICT (source, provider_message_id) DO NOTHING
     RETURNING id`,
  );
  const byId = db.prepare<[number], MessageRow>(`${SELECT} WHERE m.id = ?`);
  const byProviderId = db.prepare<[string, string], MessageRow>(`${SELECT} WHERE m.source = ? AND m.provider_message_id = ?`);
  const list = db.prepare<{ wallId: number; status: string | null; before: number | null; limit: number }, MessageRow>(
    `${SELECT}
     WHERE m.wall_id = @wallId AND m.control = 0 AND (@status IS NULL OR m.status = @status) AND (@before IS NULL OR m.id < @before)
     ORDER BY m.id DESC LIMIT @limit`,
  );
  const queue = db.prepare<[number, number], MessageRow>(
    `${SELECT} WHERE m.wall_id = ? AND m.status = 'pending' AND m.control = 0 ORDER BY m.id ASC LIMIT ?`,
  );
  const recentDecided = db.prepare<[number, number], MessageRow>(
    `${SELECT} WHERE m.wall_id = ? AND m.status <> 'pending' AND m.control = 0 ORDER BY m.decided_at DESC, m.id DESC LIMIT ?`,
  );
  const visible = db.prepare<[number, number], MessageRow>(
    `${SELECT} WHERE m.wall_id = ? AND m.status = 'approved'
     ORDER BY m.pinned DESC, m.decided_at DESC, m.id DESC LIMIT ?`,
  );
  // Read from the (wall_id, status, id) index alone, so that listing the walls stays cheap on a large database.
  const countsByWall = db.prepare<[], { wall_id: number; status: MessageStatus; n: number }>(
    'SELECT wall_id, status, COUNT(*) AS n FROM messages GROUP BY wall_id, status',
  );
  const due = db.prepare<[string, number], { id: number; version: number }>(
    // An archived wall's delayed messages wait: the lane would only be refused (and, a batch of them, block
    // every other wall's). They are published when the wall is unarchived.
    `SELECT id, version FROM messages WHERE publish_at IS NOT NULL AND status = 'pending' AND publish_at <= ?
       AND wall_id NOT IN (SELECT id FROM walls WHERE archived_at IS NOT NULL)
     ORDER BY publish_at, id LIMIT ?`,
  );
  // A message sent back to the queue (the console's undo) leaves the publish-delay lane: it waits for a
  // human, rather than being published again at once because its time has passed.
  const changeState = db.prepare<[string, number, string | null, string | null, string, number, number], { version: number }>(
    `UPDATE messages SET status = ?, pinned = ?, decided_at = ?, decided_by = ?,
       publish_at = CASE WHEN ? = 'pending' THEN NULL ELSE publish_at END, version = version + 1
     WHERE id = ? AND version = ? RETURNING version`,
  );

  const recentFrom = db.prepare<[number, string, number], { n: number }>(
    `SELECT COUNT(*) AS n FROM (
       SELECT 1 FROM messages
       WHERE contributor_id = ? AND received_at > ? AND control = 0 AND reasons NOT LIKE '%"throttled"%'
       LIMIT ?)`,
  );
  // A pending message is never a control message nor throttled: those terms let it use the same index.
  const pendingFrom = db.prepare<[number], { id: number; version: number; reasons: string }>(
    `SELECT id, version, reasons FROM messages
     WHERE contributor_id = ? AND status = 'pending' AND control = 0 AND reasons NOT LIKE '%"throttled"%'
     ORDER BY id`,
  );
  const reject = db.prepare<[string, string, string, number, number], { version: number }>(
    `UPDATE messages SET status = 'rejected', pinned = 0, reasons = ?, decided_at = ?, decided_by = ?, version = version + 1
     WHERE id = ? AND version = ? RETURNING version`,
  );
  const revise = db.prepare<
    { id: number; version: number; text: string; media: string; contentWarning: string | null; status: string; reasons: string;
      pinned: number; decidedAt: string | null; decidedBy: string | null; raw: string | null; keepPublishAt: number;
      textKey: string | null },
    { version: number }
  >(
    `UPDATE messages SET text = @text, text_key = @textKey, media = @media, content_warning = @contentWarning, content_revealed = 0,
       status = @status,
       reasons = @reasons,
       pinned = @pinned, decided_at = @decidedAt, decided_by = @decidedBy, raw = @raw,
       publish_at = CASE WHEN @keepPublishAt = 1 THEN publish_at END, version = version + 1
     WHERE id = @id AND version = @version RETURNING version`,
  );
  // A moderator's choice about what the wall shows, like a decision: the version moves, so that a moderator
  // deciding on the card meanwhile is told the card changed.
  const setRevealed = db.prepare<[number, number, number], { version: number }>(
    'UPDATE messages SET content_revealed = ?, version = version + 1 WHERE id = ? AND version = ? RETURNING version',
  );
  const linkMedia = db.prepare<[number, string]>('INSERT OR IGNORE INTO message_media (message_id, name) VALUES (?, ?)');
  // The version is left alone: a badge is not a decision, and a moderator deciding on the card meanwhile
  // must not get a conflict for it.
  const setBadge = db.prepare<[SenderBadge | null, number, number, SenderBadge | null], { id: number }>(
    'UPDATE messages SET badge = ? WHERE wall_id = ? AND contributor_id = ? AND badge IS NOT ? RETURNING id',
  );

  return {
    /**
     * Inserts unless (source, providerMessageId) is already stored; returns the stored message (built from
     * what was written, without reading it back) or null.
     */
    insert(message: NewMessage, wallSlug: string, sender: StoredMessage['sender']): StoredMessage | null {
      const row = insert.get({
        ...message,
        media: JSON.stringify(message.media),
        reasons: JSON.stringify(message.reasons),
        contentWarning: message.contentWarning ?? null,
        textKey: message.textKey ?? null,
        control: message.control ? 1 : 0,
        badge: message.badge ?? null,
      }) as { id: number } | undefined;
      if (row === undefined) return null;
      return {
        id: row.id,
        wallId: message.wallId,
        wallSlug,
        channel: message.channel,
        source: message.source,
        providerMessageId: message.providerMessageId,
        authorName: message.authorName,
        authorHandle: message.authorHandle,
        authorAvatarUrl: message.authorAvatarUrl,
        text: message.text,
        media: message.media,
        contentWarning: message.contentWarning ?? null,
        contentRevealed: false,
        status: message.status,
        reasons: message.reasons,
        pinned: false,
        version: 1,
        createdAt: message.createdAt,
        receivedAt: message.receivedAt,
        decidedAt: message.decidedAt,
        decidedBy: message.decidedBy,
        control: message.control ?? false,
        contributorId: message.contributorId,
        sender: message.contributorId === null ? null : sender,
        badge: message.badge ?? null,
      };
    },
    byId(id: number): StoredMessage | undefined {
      const row = byId.get(id);
      return row && toMessage(row);
    },
    byProviderId(source: Source, providerMessageId: string): StoredMessage | undefined {
      const row = byProviderId.get(source, providerMessageId);
      return row && toMessage(row);
    },
    /** Newest first, for the moderation API's pages. */
    list(wallId: number, options: { status?: MessageStatus; before?: number; limit: number }): StoredMessage[] {
      return list
        .all({ wallId, status: options.status ?? null, before: options.before ?? null, limit: options.limit })
        .map(toMessage);
    },
    /** The moderation queue, oldest first, then the latest decisions so a console can show and undo them. */
    moderatorSnapshot(wallId: number, limit: number): StoredMessage[] {
      return [...queue.all(wallId, limit), ...recentDecided.all(wallId, limit)].map(toMessage);
    },
    /** What a wall shows: the newest approved items (pinned ones first to be kept), oldest first. */
    visible(wallId: number, limit: number): StoredMessage[] {
      return visible
        .all(wallId, limit)
        .map(toMessage)
        .sort((a, b) => (a.decidedAt ?? '').localeCompare(b.decidedAt ?? '') || a.id - b.id);
    },
    /** Delayed messages whose time has come and that no moderator has decided on. */
    duePublications(now: string, limit: number): { id: number; version: number }[] {
      return due.all(now, limit);
    },
    /**
     * Replaces what the author wrote (an edited or deleted post) and the state that follows from it, as an
     * optimistic update: returns false when the version moved on since it was read. The post goes back behind
     * its content warning, if it has one: a moderator chose to show other words.
     */
    revise(
      id: number,
      expectedVersion: number,
      change: Pick<StoredMessage, 'text' | 'media' | 'contentWarning' | 'status' | 'reasons' | 'pinned' | 'decidedAt' | 'decidedBy'> & {
        raw: string | null;
        /** A pending post on the broadcast-delay lane keeps its time, unless a rule now holds it. */
        keepPublishAt: boolean;
        /** The new text's key for the duplicate rule (null for a text without a word). */
        textKey: string | null;
      },
    ): boolean {
      return (
        revise.get({
          id,
          version: expectedVersion,
          text: change.text,
          media: JSON.stringify(change.media),
          contentWarning: change.contentWarning,
          status: change.status,
          reasons: JSON.stringify(change.reasons),
          pinned: change.pinned ? 1 : 0,
          decidedAt: change.decidedAt,
          decidedBy: change.decidedBy,
          raw: change.raw,
          keepPublishAt: change.keepPublishAt ? 1 : 0,
          textKey: change.textKey,
        }) !== undefined
      );
    },
    /** Optimistic update: returns false when the version moved on since it was read. */
    changeState(id: number, expectedVersion: number, change: StateChange): boolean {
      return (
        changeState.get(change.status, change.pinned ? 1 : 0, change.decidedAt, change.decidedBy, change.status, id, expectedVersion) !==
        undefined
      );
    },
    /** How many messages each wall holds in each status (control messages count as rejected, as stored). */
    countsByWall(): Map<number, Record<MessageStatus, number>> {
      const counts = new Map<number, Record<MessageStatus, number>>();
      for (const row of countsByWall.all()) {
        const wall = counts.get(row.wall_id) ?? { pending: 0, approved: 0, rejected: 0, hidden: 0 };
        wall[row.status] = row.n;
        counts.set(row.wall_id, wall);
      }
      return counts;
    },
    /**
     * How many messages a contributor sent since `since`, not counting control and throttled ones, up to
     * `atMost` (counting further would only tell what is already known: over the limit).
     */
    countRecentFrom(contributorId: number, since: string, atMost: number): number {
      return recentFrom.get(contributorId, since, atMost)!.n;
    },
    pendingFrom(contributorId: number): { id: number; version: number; reasons: string[] }[] {
      return pendingFrom.all(contributorId).map((row) => ({ ...row, reasons: JSON.parse(row.reasons) as string[] }));
    },
    /** The system's own rejection (a withdrawal), with its reasons; false when the version moved on. */
    reject(id: number, expectedVersion: number, reasons: string[], at: string, by: string): boolean {
      return reject.get(JSON.stringify(reasons), at, by, id, expectedVersion) !== undefined;
    },
    /** Shows a post behind its content warning, or hides it again; false when the version moved on. */
    setRevealed(id: number, expectedVersion: number, revealed: boolean): boolean {
      return setRevealed.get(revealed ? 1 : 0, id, expectedVersion) !== undefined;
    },
    /** Gives a contributor's messages on a wall a badge (or none); returns the ids of those that changed. */
    setBadge(wallId: number, contributorId: number, badge: SenderBadge | null): number[] {
      return setBadge.all(badge, wallId, contributorId, badge).map((row) => row.id);
    },
    /** Records which stored media files a message carries (they are served once it is approved). */
    linkMedia(messageId: number, names: string[]): void {
      for (const name of names) linkMedia.run(messageId, name);
    },
  };
}
