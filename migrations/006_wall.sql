-- The wall: trusted voices' badges, and the pictures an organiser uploads for a wall's look.

-- A trusted sender a moderator marked as a speaker or an organiser: their messages carry the badge on the wall.
-- Only a trusted sender has one (a blocked sender's messages are not shown as anyone's voice).
ALTER TABLE senders ADD COLUMN badge TEXT CHECK (badge IS NULL OR (badge IN ('speaker', 'organiser') AND rule = 'trusted'));

-- The badge a message is shown with, copied from its sender's entry when it arrives and kept in step when a
-- moderator changes the entry: a wall reads it with the message, without looking the sender up.
ALTER TABLE messages ADD COLUMN badge TEXT CHECK (badge IN ('speaker', 'organiser'));

-- Pictures uploaded for a wall (logo, background, sponsors). Unlike a message's pictures, they are public from
-- the moment they are uploaded: the wall that shows them is public.
CREATE TABLE wall_images (
  wall_id INTEGER NOT NULL REFERENCES walls (id) ON DELETE CASCADE,
  name TEXT NOT NULL REFERENCES media_files (name),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (wall_id, name)
) WITHOUT ROWID;
CREATE INDEX wall_images_name ON wall_images (name);

