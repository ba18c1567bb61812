-- Abuse limits. Clients are identified only by a keyed hash of their IP
-- (colloquy-core::token::Keys::client_hash); the IP itself is never stored.

-- Fixed-window counters: one row per (client+action key, window).
CREATE TABLE rate_limits (
  key          TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  count        INTEGER NOT NULL,
  -- When the row may be purged (the window's end).
  expires_at   INTEGER NOT NULL,
  PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_by_expiry ON rate_limits (expires_at);

-- Who wrote a comment, as far as moderation needs to know: the same keyed client hash.
ALTER TABLE comments ADD COLUMN client_hash TEXT;
