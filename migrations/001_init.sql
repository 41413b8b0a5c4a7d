-- Toile's first schema. Forward-only: once landed, this file is never edited; changes go in 002_….

-- One row: the identity of this database. A restored or replaced database has another epoch, so a wall
-- that resumes with `since` from another database gets a fresh snapshot instead of wrong events.
CREATE TABLE meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE walls (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  -- Public settings as JSON (hashtags, layout, theme, display, numbers, addresses, limits).
  settings TEXT NOT NULL DEFAULT '{}',
  moderation TEXT NOT NULL DEFAULT 'pre' CHECK (moderation IN ('pre', 'post')),
  is_default INTEGER NOT NULL DEFAULT 0,
  -- The last seq handed out on this wall's event log; bumped in the same transaction as the event row.
  last_seq INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- The private side of a contributor: how to reach them. Never leaves the server except to moderators.
CREATE TABLE contributors (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('phone', 'email', 'account', 'client')),
  address TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (kind, address)
);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  wall_id INTEGER NOT NULL REFERENCES walls (id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  source TEXT NOT NULL,
  provider_message_id TEXT NOT NULL,
  contributor_id INTEGER REFERENCES contributors (id) ON DELETE SET NULL,
  -- The public label shown on the wall: a given name, or a masked one. Never the address.
  author_name TEXT NOT NULL,
  author_handle TEXT,
  author_avatar_url TEXT,
  text TEXT NOT NULL,
  media TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'hidden')),
  reasons TEXT NOT NULL DEFAULT '[]',
  pinned INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  decided_at TEXT,
  decided_by TEXT,
  -- Post-moderation with a broadcast delay: approved at this time unless a moderator decides first.
  publish_at TEXT,
  raw TEXT,
  UNIQUE (source, provider_message_id)
);
CREATE INDEX messages_wall_status ON messages (wall_id, status, id);
CREATE INDEX messages_publish_at ON messages (publish_at) WHERE publish_at IS NOT NULL AND status = 'pending';

-- The per-wall event log: what every wall socket replays with `since`. (wall_id, seq) is gap-free.
CREATE TABLE wall_events (
  wall_id INTEGER NOT NULL REFERENCES walls (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (wall_id, seq)
) WITHOUT ROWID;

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'moderator', 'ingest')),
  created_at TEXT NOT NULL
);

-- Session ids and API tokens are stored as SHA-256 hashes: a copy of the database logs nobody in.
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'moderator', 'ingest')),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT
);

-- Append-only: who did what to which target, and when.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  wall_id INTEGER REFERENCES walls (id) ON DELETE SET NULL,
  target_type TEXT,
  target_id TEXT,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_wall ON audit_log (wall_id, id);

-- Rows are never changed or deleted. The one update allowed is SQLite's own ON DELETE SET NULL when a
-- wall is deleted: its entries stay, without the wall.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OF id, at, actor, action, target_type, target_id, detail ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_rewall BEFORE UPDATE OF wall_id ON audit_log WHEN NEW.wall_id IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
