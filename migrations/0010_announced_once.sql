-- Reported comments, counted on the console's tab (checked every minute while it is open):
-- an index of the few, instead of reading every comment of the site each time.
CREATE INDEX comments_reported ON comments (reports) WHERE reports > 0;

-- When the comment was first published and its notifications went: approving it again
-- (after Unapprove, an Undo, or reports that hid it) notifies nobody twice.
ALTER TABLE comments ADD COLUMN notified_at INTEGER;
UPDATE comments SET notified_at = created_at WHERE status = 'approved';
