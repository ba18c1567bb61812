-- Many sites from one deployment, kept apart. Every row a site owns says which site it
-- belongs to, so each statement can say "and this site" — a comment id, an email hash, a
-- session or an outbox row of another site is then simply not there. Rows written before
-- this migration belong to the site their threads belong to (the deployment's SITE_ID,
-- `default` unless the operator changed it).

-- The origins a site's pages are served from (one per line, exactly as browsers send
-- them): a request from one of them is for this site. An origin belongs to one site only.
ALTER TABLE sites ADD COLUMN origins TEXT NOT NULL DEFAULT '';
-- …and one row per origin, so two sites can never claim one (not even when created at
-- the same moment).
CREATE TABLE site_origins (
  origin  TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id)
);
-- A keyed hash of the site owner's console key (the operator's OWNER_KEY opens every
-- site; a site's own key opens only that site). NULL: only the operator's key.
ALTER TABLE sites ADD COLUMN key_hash TEXT;

-- Rows without a thread (blocks, sessions, the audit list) were the site that held the
-- most threads: `(SELECT site_id FROM threads GROUP BY site_id ORDER BY COUNT(*) DESC
-- LIMIT 1)`, or `default` on an empty database — written out below where it is needed.

ALTER TABLE comments ADD COLUMN site_id TEXT NOT NULL DEFAULT '';
UPDATE comments SET site_id = (SELECT site_id FROM threads WHERE threads.id = comments.thread_id);
-- A comment is always in its thread's site: one written without naming a site (the
-- demo's seed, tools of the operator's own) takes its thread's; one naming another
-- site than its thread's is refused.
-- (Each trigger is one line with one statement in its body: D1's remote migration path
-- splits on ';' and would cut a longer one.)
CREATE TRIGGER comments_take_their_threads_site AFTER INSERT ON comments WHEN NEW.site_id = '' BEGIN UPDATE comments SET site_id = (SELECT site_id FROM threads WHERE id = NEW.thread_id) WHERE id = NEW.id; END;
CREATE TRIGGER comments_stay_in_their_threads_site BEFORE INSERT ON comments WHEN NEW.site_id <> '' AND NEW.site_id IS NOT (SELECT site_id FROM threads WHERE id = NEW.thread_id) BEGIN SELECT RAISE(ABORT, 'a comment belongs to the site of its thread'); END;
-- Lookups by id, by email and the console's lists, each within one site.
CREATE INDEX comments_by_site ON comments (site_id, id);
DROP INDEX comments_by_email_hash;
CREATE INDEX comments_by_email_hash ON comments (site_id, email_hash, author_key_hash, status);
DROP INDEX comments_by_status;
CREATE INDEX comments_by_status ON comments (site_id, status, created_at);

-- Blocks are per site, and their key changes with that: a new table with the site in its
-- key takes them over (the old `blocks` table is no longer read or written; migrations
-- never drop a table, so its rows stay where they were).
CREATE TABLE site_blocks (
  site_id    TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('email', 'client')),
  hash       TEXT NOT NULL,
  label      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  email_hash TEXT,
  PRIMARY KEY (site_id, kind, hash)
);
INSERT INTO site_blocks (site_id, kind, hash, label, created_at, email_hash)
  SELECT COALESCE((SELECT site_id FROM threads GROUP BY site_id ORDER BY COUNT(*) DESC LIMIT 1), 'default'), kind, hash, label, created_at, email_hash FROM blocks;
-- Copied: the old rows go (an erasure must find a blocked person's name in one place).
DELETE FROM blocks;

-- Console sessions end: the owner logs in again, into the site they mean.
ALTER TABLE admin_sessions ADD COLUMN site_id TEXT NOT NULL DEFAULT '';
DELETE FROM admin_sessions;

ALTER TABLE audit ADD COLUMN site_id TEXT NOT NULL DEFAULT '';
UPDATE audit SET site_id = COALESCE((SELECT site_id FROM threads GROUP BY site_id ORDER BY COUNT(*) DESC LIMIT 1), 'default');
CREATE INDEX audit_by_site ON audit (site_id, id);

ALTER TABLE outbox ADD COLUMN site_id TEXT NOT NULL DEFAULT '';
UPDATE outbox SET site_id = COALESCE(
  (SELECT c.site_id FROM comments c WHERE c.id = outbox.comment_id),
  COALESCE((SELECT site_id FROM threads GROUP BY site_id ORDER BY COUNT(*) DESC LIMIT 1), 'default'));
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (site_id, sent_at, next_at);

ALTER TABLE subscriptions ADD COLUMN site_id TEXT NOT NULL DEFAULT '';
UPDATE subscriptions SET site_id = COALESCE(
  (SELECT c.site_id FROM comments c WHERE c.id = subscriptions.comment_id),
  COALESCE((SELECT site_id FROM threads GROUP BY site_id ORDER BY COUNT(*) DESC LIMIT 1), 'default'));
DROP INDEX subscriptions_by_email;
CREATE INDEX subscriptions_by_email ON subscriptions (site_id, email_hash);

