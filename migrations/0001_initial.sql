-- Colloquy's initial schema. D1 (SQLite) is the source of truth for comments.
-- Times are INTEGER milliseconds since the Unix epoch, UTC.

-- A site is one owner's installation; threads belong to a site.
CREATE TABLE sites (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- The deployment's own site; SITE_ID in wrangler.toml selects it.
INSERT INTO sites (id, name, created_at) VALUES ('default', 'Default site', 0);

-- A thread is one page's discussion, keyed by data-colloquy-thread or the canonical path.
CREATE TABLE threads (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id    TEXT NOT NULL REFERENCES sites (id),
  key        TEXT NOT NULL,
  title      TEXT,
  url        TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (site_id, key)
);

-- Comments and replies. parent_id points at the comment a reply answers (same thread).
-- author_email is private: it never leaves the Worker in a public response.
CREATE TABLE comments (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  thread_id     INTEGER NOT NULL REFERENCES threads (id),
  parent_id     INTEGER REFERENCES comments (id),
  status        TEXT NOT NULL CHECK (status IN ('approved', 'pending', 'spam', 'deleted')),
  author_name   TEXT NOT NULL,
  author_email  TEXT NOT NULL,
  author_url    TEXT,
  body_markdown TEXT NOT NULL,
  body_html     TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER
);

-- Reading a thread: visible comments of one thread in time order, from the index alone.
CREATE INDEX comments_by_thread ON comments (thread_id, status, created_at, id);
-- Finding a comment's replies (moderation, deletion that keeps replies).
CREATE INDEX comments_by_parent ON comments (parent_id);
