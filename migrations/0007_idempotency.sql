-- A retried POST of a new comment (lost answer, timeout, double click) carries the same
-- Idempotency-Key: the first answer is kept here and given again, so nothing is posted
-- twice. Keyed by a keyed hash of the key and the client; purged after a day.
CREATE TABLE idempotency (
  key_hash   TEXT PRIMARY KEY,
  response   TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX idempotency_by_age ON idempotency (created_at);
