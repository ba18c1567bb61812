-- Past one database: a deployment may keep its sites in several D1 databases (its
-- shards: the binding DB, then DB1, DB2, … in wrangler.toml). The first database (DB)
-- holds the directory — every site's row — and says here which database holds each
-- site's threads, comments and everything else it owns.
ALTER TABLE sites ADD COLUMN shard TEXT NOT NULL DEFAULT 'DB';
-- While a site moves to another database: where to (writes to it wait meanwhile), and
-- how far the move has got (JSON, see colloquy_core::db::shards::moving).
ALTER TABLE sites ADD COLUMN move_to TEXT;
ALTER TABLE sites ADD COLUMN move_state TEXT;
