-- The owner's side under attack, round 3: reports that cannot censor, sessions tied to the
-- console key, notifications and idempotent answers that erasure can find, and import ids
-- that are unique per thread (a site's export re-imported into another site is new there).

-- The owner approved this comment after readers reported it: reports never hide it again
-- (the owner is told about new ones instead).
ALTER TABLE comments ADD COLUMN reports_reviewed INTEGER NOT NULL DEFAULT 0;

-- The owner set the thread's title and address in the console: pages no longer change them.
ALTER TABLE threads ADD COLUMN meta_by_owner INTEGER NOT NULL DEFAULT 0;

-- A keyed hash of the console key a session was opened with: a new key ends every session.
ALTER TABLE admin_sessions ADD COLUMN key_hash TEXT;

-- The comment an outbox row is about, so erasing a person removes their notifications.
ALTER TABLE outbox ADD COLUMN comment_id INTEGER;
CREATE INDEX outbox_by_comment ON outbox (comment_id);
CREATE INDEX outbox_by_target ON outbox (target);
CREATE INDEX outbox_by_age ON outbox (created_at);

-- The comment a stored idempotent answer carries: deleted or erased, the answer goes too.
ALTER TABLE idempotency ADD COLUMN comment_id INTEGER;
CREATE INDEX idempotency_by_comment ON idempotency (comment_id);

-- Whose comment a block was made from (by keyed email hash): erasure takes their name
-- out of its label.
ALTER TABLE blocks ADD COLUMN email_hash TEXT;

-- An import id is unique within its thread (threads belong to one site), no longer across
-- the deployment: another site's export imports into this one in full.
DROP INDEX comments_by_import_id;
CREATE UNIQUE INDEX comments_by_import_id ON comments (import_id, thread_id) WHERE import_id IS NOT NULL;

-- The owner's console replies were stored with an empty email hash, which made them all
-- one "author" ("delete everything from this author" took every one): they have none.
UPDATE comments SET email_hash = NULL WHERE email_hash = '';
