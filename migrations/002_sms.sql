-- SMS: opt-out, control messages, throttling, media fetched from providers, and long messages in parts.

-- A contributor who texted STOP (or an equivalent): nothing of theirs is queued or shown until START.
ALTER TABLE contributors ADD COLUMN opted_out_at TEXT;

-- A control message (STOP, START, HELP…): kept for the record, never shown to a moderator or a wall.
ALTER TABLE messages ADD COLUMN control INTEGER NOT NULL DEFAULT 0;

-- Per-sender throttling counts a sender's recent messages that count toward the limit, from this index
-- alone. (A query uses a partial index only when its WHERE repeats the index's terms: see messages.ts.)
CREATE INDEX messages_sender_recent ON messages (contributor_id, received_at)
  WHERE control = 0 AND reasons NOT LIKE '%"throttled"%';

-- Files fetched from a provider (MMS images) and stored under data/media, by content hash. A file is served
-- to the public only while a message that carries it is approved; moderators see it before.
CREATE TABLE media_files (
  name TEXT PRIMARY KEY,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE message_media (
  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  name TEXT NOT NULL REFERENCES media_files (name),
  PRIMARY KEY (message_id, name)
);
CREATE INDEX message_media_name ON message_media (name);

-- The parts of a long SMS delivered separately (Vonage `concat`), kept until the whole message is stored.
-- `sender` is private, like a contributor's address. A part stays after assembly so that a retried part is
-- recognized as already received.
CREATE TABLE sms_parts (
  source TEXT NOT NULL,
  provider_message_id TEXT NOT NULL,
  sender TEXT NOT NULL,
  recipient TEXT,
  ref TEXT NOT NULL,
  total INTEGER NOT NULL,
  part INTEGER NOT NULL,
  text TEXT NOT NULL,
  raw TEXT,
  received_at TEXT NOT NULL,
  assembled_at TEXT,
  PRIMARY KEY (source, provider_message_id)
) WITHOUT ROWID;
CREATE INDEX sms_parts_open ON sms_parts (source, sender, ref) WHERE assembled_at IS NULL;
