-- Archived walls: the record of an event that is over.

-- When an admin archived the wall (null: it is live). An archived wall is read-only: its sources are stopped,
-- new contributions are not taken, moderation and settings are refused; its page keeps showing what was
-- approved, and it can still be exported. Unarchiving sets it back to null.
ALTER TABLE walls ADD COLUMN archived_at TEXT;
