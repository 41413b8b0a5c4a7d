import type { Db } from '../database.js';

/** One part of a long SMS that its provider delivered separately, as stored until it is assembled. */
export interface SmsPart {
  source: string;
  providerMessageId: string;
  /** The sender's number: private, like a contributor's address. */
  sender: string;
  recipient: string | null;
  /** The sender's reference shared by the parts of one long SMS. */
  ref: string;
  total: number;
  part: number;
  text: string;
  /** The provider's payload for this part, as JSON. */
  raw: string | null;
  receivedAt: string;
  assembledAt: string | null;
}

export type NewSmsPart = Omit<SmsPart, 'assembledAt'>;

/** What identifies the parts of one long SMS: the same sender's reference, with the same number of parts. */
export interface SmsPartGroup {
  source: string;
  sender: string;
  ref: string;
  total: number;
}

interface PartRow {
  source: string;
  provider_message_id: string;
  sender: string;
  recipient: string | null;
  ref: string;
  total: number;
  part: number;
  text: string;
  raw: string | null;
  received_at: string;
  assembled_at: string | null;
}

const toPart = (row: PartRow): SmsPart => ({
  source: row.source,
  providerMessageId: row.provider_message_id,
  sender: row.sender,
  recipient: row.recipient,
  ref: row.ref,
  total: row.total,
  part: row.part,
  text: row.text,
  raw: row.raw,
  receivedAt: row.received_at,
  assembledAt: row.assembled_at,
});

const COLUMNS = 'source, provider_message_id, sender, recipient, ref, total, part, text, raw, received_at, assembled_at';
/** Parts in the order their texts are joined; a part delivered twice under two ids counts once, the first. */
const IN_ORDER = 'ORDER BY part, received_at, provider_message_id';

/** The parts of long SMS (`sms_parts`), kept after assembly so that a retried part is recognized. */
export function smsPartsRepository(db: Db) {
  const insert = db.prepare<NewSmsPart>(
    `INSERT INTO sms_parts (source, provider_message_id, sender, recipient, ref, total, part, text, raw, received_at)
     VALUES (@source, @providerMessageId, @sender, @recipient, @ref, @total, @part, @text, @raw, @receivedAt)
     ON CONFLICT (source, provider_message_id) DO NOTHING`,
  );
  const byProviderId = db.prepare<[string, string], PartRow>(
    `SELECT ${COLUMNS} FROM sms_parts WHERE source = ? AND provider_message_id = ?`,
  );
  const open = db.prepare<SmsPartGroup, PartRow>(
    `SELECT ${COLUMNS} FROM sms_parts
     WHERE source = @source AND sender = @sender AND ref = @ref AND total = @total AND assembled_at IS NULL ${IN_ORDER}`,
  );
  const assembledWith = db.prepare<SmsPartGroup & { at: string }, PartRow>(
    `SELECT ${COLUMNS} FROM sms_parts
     WHERE source = @source AND sender = @sender AND ref = @ref AND total = @total AND assembled_at = @at ${IN_ORDER}`,
  );
  const markAssembled = db.prepare<[string, string, string]>(
    'UPDATE sms_parts SET assembled_at = ? WHERE source = ? AND provider_message_id = ? AND assembled_at IS NULL',
  );
  const overdue = db.prepare<[string, string], SmsPartGroup>(
    `SELECT source, sender, ref, total FROM sms_parts
     WHERE source = ? AND assembled_at IS NULL
     GROUP BY sender, ref, total HAVING MIN(received_at) <= ?`,
  );
  // A group whose parts were marked but whose message is not stored: the hand-over failed (the database
  // was busy) after the mark committed. One pass over the window's parts, each looked up by the messages'
  // unique (source, provider_message_id) index: a delivered group has a message under one of its parts' ids.
  const undelivered = db.prepare<[string, string, string], SmsPartGroup & { at: string }>(
    `SELECT p.source, p.sender, p.ref, p.total, p.assembled_at AS at
     FROM sms_parts p LEFT JOIN messages m ON m.source = p.source AND m.provider_message_id = p.provider_message_id
     WHERE p.source = ? AND p.assembled_at > ? AND p.assembled_at <= ?
     GROUP BY p.sender, p.ref, p.total, p.assembled_at
     HAVING MAX(m.id) IS NULL`,
  );

  return {
    /** Stores a part unless (source, providerMessageId) is already stored; returns whether it was new. */
    add(part: NewSmsPart): boolean {
      return insert.run(part).changes === 1;
    },
    byProviderId(source: string, providerMessageId: string): SmsPart | undefined {
      const row = byProviderId.get(source, providerMessageId);
      return row && toPart(row);
    },
    /** The parts of a group that are not assembled yet, in text order. */
    open(group: SmsPartGroup): SmsPart[] {
      return open.all(group).map(toPart);
    },
    /** The parts one assembly marked, found again by the group and the time of the mark. */
    assembledWith(group: SmsPartGroup, at: string): SmsPart[] {
      return assembledWith.all({ ...group, at }).map(toPart);
    },
    /**
     * Marks these parts assembled at `at`, each only if no one else did first; returns those it marked.
     * Run it in the transaction that read them, so that exactly one caller assembles a group.
     */
    markAssembled(parts: SmsPart[], at: string): SmsPart[] {
      return parts.filter((part) => markAssembled.run(at, part.source, part.providerMessageId).changes === 1);
    },
    /** Groups still waiting for parts whose first part arrived at or before `before`. */
    overdue(source: string, before: string): SmsPartGroup[] {
      return overdue.all(source, before);
    },
    /** Groups marked assembled between `after` (excluded) and `before` whose message was never stored. */
    undelivered(source: string, after: string, before: string): (SmsPartGroup & { at: string })[] {
      return undelivered.all(source, after, before);
    },
  };
}

export type SmsPartsRepository = ReturnType<typeof smsPartsRepository>;
