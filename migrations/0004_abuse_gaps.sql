-- Closing abuse gaps: single-use form tokens, and likes counted once per client as well
-- as once per browser.

-- Form tokens already used to post (a token is its id: the first 32 hex digits of its
-- signature). Rows are purged once the token would have expired anyway.
CREATE TABLE form_token_uses (
  token      TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX form_token_uses_by_expiry ON form_token_uses (expires_at);

-- Which client (keyed hash of the IP, or IPv6 /64) gave a like: fresh reader ids from one
-- address add nothing. Likes from before this migration have none and stay as they are.
ALTER TABLE likes ADD COLUMN client_hash TEXT;
CREATE INDEX likes_by_client ON likes (comment_id, client_hash);
