-- Social sources: each wall follows hashtags on Mastodon instances, Bluesky's Jetstream or X. A source's
-- settings hold its credentials (never returned by the API); its cursor is written in the same transaction
-- as the posts it covers, so that a restart resumes exactly after what was stored.
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  wall_id INTEGER NOT NULL REFERENCES walls (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('mastodon', 'bluesky', 'x')),
  settings TEXT NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
  cursor TEXT,
  items_ingested INTEGER NOT NULL DEFAULT 0,
  last_event_at TEXT,
  last_error TEXT,
  last_error_at TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE INDEX sources_wall ON sources (wall_id);

-- The id each source's API uses for a stored post (a Mastodon instance's local status id), so that a delete
-- or an edit arriving from that source finds the message, even when another source stored it first.
CREATE TABLE source_posts (
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  remote_id TEXT NOT NULL,
  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  PRIMARY KEY (source_id, remote_id)
) WITHOUT ROWID;
CREATE INDEX source_posts_message ON source_posts (message_id);

-- A content warning (Mastodon's spoiler text, a sensitive flag): the wall shows the warning, not the post.
ALTER TABLE messages ADD COLUMN content_warning TEXT;
