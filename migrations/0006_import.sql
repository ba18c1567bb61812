-- Imported comments keep the id they had in the system they came from
-- (`wordpress:18:2`, `disqus:299619020`, …): importing the same file again inserts nothing.
ALTER TABLE comments ADD COLUMN import_id TEXT;
CREATE UNIQUE INDEX comments_by_import_id ON comments (import_id) WHERE import_id IS NOT NULL;
