-- The site owner's side: settings changed from the console, closed and pinned threads,
-- the commenter identities spam rules need, reports, blocks, admin sessions, the audit
-- list, the notification outbox and reply subscriptions.

-- Settings saved from the console (JSON); wrangler.toml's vars stay the defaults.
ALTER TABLE sites ADD COLUMN settings TEXT;
-- Keyed hash of the badge token the console issued (the author badge on the host page).
ALTER TABLE sites ADD COLUMN badge_hash TEXT;

-- A locked thread takes no new comments; one top-level comment may be pinned first.
ALTER TABLE threads ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE threads ADD COLUMN pinned_id INTEGER REFERENCES comments (id);

-- Keyed hashes (never the values) of the commenter's email and of a random key kept in
-- their browser: a commenter is trusted only when both match earlier approved comments.
ALTER TABLE comments ADD COLUMN email_hash TEXT;
ALTER TABLE comments ADD COLUMN author_key_hash TEXT;
-- Why a comment waits in the queue: moderation, first_time, links, muted, blocked,
-- reported, reporter (its author was reported too often).
ALTER TABLE comments ADD COLUMN held_for TEXT;
-- Reports by readers, counted (the rows say who, as keyed hashes, and why).
ALTER TABLE comments ADD COLUMN reports INTEGER NOT NULL DEFAULT 0;
CREATE INDEX comments_by_status ON comments (status, created_at);
CREATE INDEX comments_by_email_hash ON comments (email_hash, author_key_hash, status);
CREATE INDEX comments_by_client ON comments (client_hash);

CREATE TABLE reports (
  comment_id    INTEGER NOT NULL REFERENCES comments (id),
  reporter_hash TEXT NOT NULL,
  reason        TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (comment_id, reporter_hash)
);

-- Blocked commenters: by keyed email hash or keyed client hash.
CREATE TABLE blocks (
  kind       TEXT NOT NULL CHECK (kind IN ('email', 'client')),
  hash       TEXT NOT NULL,
  label      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (kind, hash)
);

-- Console sessions: the hash of the cookie's random value, never the value.
CREATE TABLE admin_sessions (
  id         TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

-- Every admin action: who, what, when.
CREATE TABLE audit (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  at     INTEGER NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT
);

-- Notifications waiting to be sent (webhooks, emails), retried with backoff by the cron.
CREATE TABLE outbox (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL,
  target     TEXT NOT NULL,
  body       TEXT NOT NULL,
  headers    TEXT NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  next_at    INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  sent_at    INTEGER
);
CREATE INDEX outbox_due ON outbox (sent_at, next_at);

-- Reply emails: asked for with a comment, confirmed by a link in the first email.
CREATE TABLE subscriptions (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  comment_id   INTEGER NOT NULL REFERENCES comments (id),
  email        TEXT NOT NULL,
  email_hash   TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  confirmed_at INTEGER
);
CREATE INDEX subscriptions_by_comment ON subscriptions (comment_id);
CREATE INDEX subscriptions_by_email ON subscriptions (email_hash);
