-- Email: Mailgun's signed tokens are single-use. Each token seen is remembered for as long as its
-- timestamp is accepted, across restarts, so that a captured request cannot be replayed.
CREATE TABLE mailgun_tokens (
  token TEXT PRIMARY KEY,
  seen_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX mailgun_tokens_seen ON mailgun_tokens (seen_at);
