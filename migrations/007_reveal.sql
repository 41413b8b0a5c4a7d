-- A moderator's choice to show a post behind its author's content warning.

-- 1 when a moderator chose to show the text and images of a post behind a content warning (the wall then shows
-- the warning as a label above them); 0, the default, keeps them hidden behind it. An author's edit sets it back
-- to 0: a moderator chose to show other words.
ALTER TABLE messages ADD COLUMN content_revealed INTEGER NOT NULL DEFAULT 0;
