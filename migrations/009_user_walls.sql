-- Per-wall moderators: the walls a moderator may moderate. A moderator with no row here moderates every
-- wall (as before this migration); with rows, only those walls. Admins always have every wall, and rows
-- for a user of another role are ignored. Deleting the user removes its rows; a wall that a moderator is
-- limited to cannot be deleted while the row exists (no cascade), so that a limited moderator never
-- silently becomes an unlimited one.
CREATE TABLE user_walls (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  wall_id INTEGER NOT NULL REFERENCES walls (id),
  PRIMARY KEY (user_id, wall_id)
);
CREATE INDEX user_walls_wall ON user_walls (wall_id);
