-- The console's Trash: a comment the owner deletes is out of readers' sight at once (it
-- reads as "[deleted]", like a comment its author deleted) but keeps what was written, so
-- the owner can restore it. Only deleting it from the Trash, or the Trash emptying itself
-- after the site's retention period, removes the words for good.

-- The status the comment had before it went to the Trash (restored from here); NULL when
-- it is not in the Trash.
ALTER TABLE comments ADD COLUMN trashed_from TEXT;
-- When it went to the Trash (milliseconds since the epoch): the Trash empties by age.
ALTER TABLE comments ADD COLUMN trashed_at INTEGER;
CREATE INDEX comments_in_trash ON comments (trashed_at) WHERE trashed_at IS NOT NULL;
