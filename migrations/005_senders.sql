-- Moderation rules: trusted and blocked senders per wall, and what the duplicate rule compares.

-- A moderator's list of senders for one wall: a trusted sender's messages are approved at once (unless a word
-- rule holds them), a blocked sender's are stored rejected. One entry per sender and wall; removing it is the undo.
CREATE TABLE senders (
  id INTEGER PRIMARY KEY,
  wall_id INTEGER NOT NULL REFERENCES walls (id) ON DELETE CASCADE,
  contributor_id INTEGER NOT NULL REFERENCES contributors (id) ON DELETE CASCADE,
  rule TEXT NOT NULL CHECK (rule IN ('trusted', 'blocked')),
  -- The public label the sender was known by when listed (never the address).
  label TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (wall_id, contributor_id)
);

-- The folded text of a message, hashed (case, accents, spacing and punctuation ignored): the duplicate rule
-- looks a text up in this index instead of reading the wall's recent texts.
ALTER TABLE messages ADD COLUMN text_key TEXT;
CREATE INDEX messages_text_key ON messages (wall_id, text_key, received_at) WHERE text_key IS NOT NULL;
