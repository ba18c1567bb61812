-- Paging, likes and the author badge.

-- The top-level comment of each reply's subtree, so a page can carry "the first N replies
-- of each top-level comment" and "show more replies" can fetch one subtree.
ALTER TABLE comments ADD COLUMN root_id INTEGER REFERENCES comments (id);
-- Likes, kept as a counter for sorting and as rows for one-like-per-reader.
ALTER TABLE comments ADD COLUMN likes INTEGER NOT NULL DEFAULT 0;
-- Posted with the site owner's key (author badge).
ALTER TABLE comments ADD COLUMN is_owner INTEGER NOT NULL DEFAULT 0;

-- Backfill root_id for replies that already exist.
UPDATE comments SET root_id = (
  WITH RECURSIVE up (id, parent_id) AS (
    SELECT c.id, c.parent_id FROM comments c WHERE c.id = comments.parent_id
    UNION ALL
    SELECT p.id, p.parent_id FROM comments p JOIN up ON p.id = up.parent_id
  )
  SELECT id FROM up WHERE parent_id IS NULL
)
WHERE parent_id IS NOT NULL;

CREATE INDEX comments_top_level ON comments (thread_id, parent_id, created_at, id);
CREATE INDEX comments_by_likes ON comments (thread_id, likes, id) WHERE parent_id IS NULL;
CREATE INDEX comments_by_root ON comments (root_id, created_at, id);

-- One row per (comment, reader); readers are a keyed hash of a random browser id.
CREATE TABLE likes (
  comment_id  INTEGER NOT NULL REFERENCES comments (id),
  reader_hash TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (comment_id, reader_hash)
);
