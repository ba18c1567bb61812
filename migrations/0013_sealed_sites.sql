-- While a site moves to another database, the database it leaves refuses every new row
-- and every change of the site's rows: a Worker that has not heard of the move yet (or
-- kept an old copy of the directory because D1 could not be read) gets an error, which
-- the reader sees as "moving, try again", instead of writing where the write would be
-- lost. A thread's pin may still be taken off with nothing else changed, and once the
-- move removes the old copy (`removing`), its rows deleted. (Console sessions may always
-- be deleted: expired ones are pruned across sites.) See colloquy_core::db::shards::moving.
CREATE TABLE sealed_sites (
  site_id  TEXT PRIMARY KEY,
  removing INTEGER NOT NULL DEFAULT 0
);
-- (Each trigger is one line with one statement in its body: D1's remote migration path
-- splits on ';'.)
CREATE TRIGGER sealed_comments_insert BEFORE INSERT ON comments WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = (SELECT site_id FROM threads WHERE id = NEW.thread_id)) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_comments_update BEFORE UPDATE ON comments WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = OLD.site_id) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_threads_insert BEFORE INSERT ON threads WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = NEW.site_id) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_threads_update BEFORE UPDATE ON threads WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = OLD.site_id) AND NOT (NEW.pinned_id IS NULL AND OLD.pinned_id IS NOT NULL AND NEW.locked IS OLD.locked AND NEW.title IS OLD.title AND NEW.url IS OLD.url) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_blocks_insert BEFORE INSERT ON site_blocks WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = NEW.site_id) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_blocks_update BEFORE UPDATE ON site_blocks WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = OLD.site_id) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_sessions_insert BEFORE INSERT ON admin_sessions WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = NEW.site_id) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_audit_insert BEFORE INSERT ON audit WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = NEW.site_id) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_outbox_insert BEFORE INSERT ON outbox WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = NEW.site_id) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_outbox_update BEFORE UPDATE ON outbox WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = OLD.site_id) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_subscriptions_insert BEFORE INSERT ON subscriptions WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = NEW.site_id) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_subscriptions_update BEFORE UPDATE ON subscriptions WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = OLD.site_id) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_blocks_delete BEFORE DELETE ON site_blocks WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = OLD.site_id AND removing = 0) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_outbox_delete BEFORE DELETE ON outbox WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = OLD.site_id AND removing = 0) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
CREATE TRIGGER sealed_subscriptions_delete BEFORE DELETE ON subscriptions WHEN EXISTS (SELECT 1 FROM sealed_sites WHERE site_id = OLD.site_id AND removing = 0) BEGIN SELECT RAISE(ABORT, 'colloquy: the site is moving'); END;
