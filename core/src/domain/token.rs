//! Keyed hashes and signed tokens, all derived from one deployment secret
//! (`COLLOQUY_SECRET`, set with `wrangler secret put`; generated per checkout in dev).
//!
//! - edit tokens: prove "I wrote comment N" for a limited time, without accounts;
//! - form tokens: prove the form was shown to this client, for this thread, at least a few
//!   seconds before it was sent (and, stored once used, that it was not used before);
//! - client hashes: rate-limit by IP (or IPv6 /64) without storing the IP;
//! - reader hashes: one like per browser without storing its random id;
//! - avatar hashes: identicons that do not reveal the email (a plain MD5/SHA of an address
//!   is reversible by dictionary; a keyed hash is not without the secret), per thread so
//!   they do not link one person across threads.
//!
//! The secret must be at least 32 random bytes: a short one can be guessed offline from any
//! form token, and then every token forged.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::wire::api::CommentId;

type HmacSha256 = Hmac<Sha256>;

/// Why a token was refused. Each maps to its own error code so the widget can explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is malformed")]
    Malformed,
    #[error("token signature does not match")]
    Forged,
    #[error("token has expired")]
    Expired,
    #[error("token belongs to another comment")]
    WrongComment,
    #[error("form was submitted too soon after it was shown")]
    TooFast,
    #[error("form token was issued to another client")]
    WrongClient,
    #[error("form token was issued for another thread")]
    WrongThread,
    #[error("form token was used before")]
    Used,
}

/// `COLLOQUY_SECRET` is missing or too weak to keep tokens unforgeable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("COLLOQUY_SECRET must be at least 32 random bytes (e.g. `openssl rand -hex 32`)")]
pub struct WeakSecret;

/// The least secret material, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// Per-purpose keys, so a token made for one purpose is never valid for another.
#[derive(Clone)]
pub struct Keys {
    edit: Vec<u8>,
    form: Vec<u8>,
    client: Vec<u8>,
    reader: Vec<u8>,
    avatar: Vec<u8>,
    /// The base of the keyed hashes named by [`Purpose`].
    named: Vec<u8>,
    /// False without a usable secret: then nothing keyed is published (no avatar hashes),
    /// since anyone could compute it.
    usable: bool,
}

impl Keys {
    /// Derive the purpose keys from a deployment secret that is strong enough.
    pub fn from_secret(secret: &str) -> Result<Self, WeakSecret> {
        if !strong_enough(secret) {
            return Err(WeakSecret);
        }
        Ok(Self::derive(secret))
    }

    /// Keys for a deployment without a usable secret: reads work, writes must be refused
    /// by the caller, and no keyed hash is published.
    pub fn unusable() -> Self {
        Keys {
            usable: false,
            ..Self::derive("")
        }
    }

    /// Whether writes may be accepted with these keys.
    pub fn usable(&self) -> bool {
        self.usable
    }

    /// Derive the purpose keys (HMAC as a KDF). Tests use it with short secrets.
    pub fn derive(secret: &str) -> Self {
        let sub =
            |label: &str| mac(secret.as_bytes(), &[b"colloquy/v1/", label.as_bytes()]).to_vec();
        Keys {
            edit: sub("edit"),
            form: sub("form"),
            client: sub("client"),
            reader: sub("reader"),
            avatar: sub("avatar"),
            named: sub("named"),
            usable: true,
        }
    }

    /// `"<id>.<expires_ms>.<hex mac>"`: lets its holder edit or delete comment `id` until
    /// `expires_ms`.
    pub fn edit_token(&self, id: CommentId, expires_ms: i64) -> String {
        let payload = format!("{}.{}", id.0, expires_ms);
        format!(
            "{payload}.{}",
            hex::encode(mac(&self.edit, &[payload.as_bytes()]))
        )
    }

    /// Check an edit token for comment `id` at time `now_ms`.
    pub fn verify_edit_token(
        &self,
        token: &str,
        id: CommentId,
        now_ms: i64,
    ) -> Result<(), TokenError> {
        let (payload, sig) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let (token_id, expires) = payload.split_once('.').ok_or(TokenError::Malformed)?;
        let token_id: i64 = token_id.parse().map_err(|_| TokenError::Malformed)?;
        let expires: i64 = expires.parse().map_err(|_| TokenError::Malformed)?;
        verify(&self.edit, payload.as_bytes(), sig)?;
        if token_id != id.0 {
            return Err(TokenError::WrongComment);
        }
        if now_ms > expires {
            return Err(TokenError::Expired);
        }
        Ok(())
    }

    /// `"<issued_ms>.<client tag>.<thread tag>.<hex mac>"`, bound to one site, thread and
    /// client (see [`crate::domain::client::ClientKeys`]). The tags (keyed, reveal nothing) let a
    /// refusal say which binding failed.
    pub fn form_token(&self, scope: &FormScope<'_>, issued_ms: i64) -> String {
        format!(
            "{issued_ms}.{}.{}.{}",
            self.tag("client", scope.client),
            self.tag("thread", scope.thread),
            hex::encode(mac(&self.form, &[scope.signed(issued_ms).as_bytes()]))
        )
    }

    fn tag(&self, what: &str, value: &str) -> String {
        hex::encode(&mac(&self.form, &[what.as_bytes(), b"|", value.as_bytes()])[..4])
    }

    /// A form token is valid from `min_age_ms` after it was issued until `max_age_ms`, for
    /// the thread and client it was issued to. Returns the token's id, to be stored once
    /// used so it cannot be used again.
    pub fn verify_form_token(
        &self,
        token: &str,
        scope: &FormScope<'_>,
        now_ms: i64,
        min_age_ms: i64,
        max_age_ms: i64,
    ) -> Result<String, TokenError> {
        let mut parts = token.split('.');
        let (Some(issued), Some(client), Some(thread), Some(sig), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(TokenError::Malformed);
        };
        let issued_ms: i64 = issued.parse().map_err(|_| TokenError::Malformed)?;
        if !constant_time_eq(
            thread.as_bytes(),
            self.tag("thread", scope.thread).as_bytes(),
        ) {
            return Err(TokenError::WrongThread);
        }
        if !constant_time_eq(
            client.as_bytes(),
            self.tag("client", scope.client).as_bytes(),
        ) {
            return Err(TokenError::WrongClient);
        }
        verify(&self.form, scope.signed(issued_ms).as_bytes(), sig)?;
        let age = now_ms - issued_ms;
        if age < min_age_ms {
            Err(TokenError::TooFast)
        } else if age > max_age_ms {
            Err(TokenError::Expired)
        } else {
            Ok(sig.get(..32).unwrap_or(sig).to_owned())
        }
    }

    /// A keyed, non-reversible id of `value` for one [`Purpose`] (32 hex digits): the same
    /// value hashed for two purposes gives unrelated ids.
    pub fn hash(&self, purpose: Purpose, value: &str) -> String {
        hex::encode(
            &mac(
                &self.named,
                &[purpose.label().as_bytes(), b"|", value.as_bytes()],
            )[..16],
        )
    }

    /// The secret webhooks are signed with (HMAC-SHA256 over `timestamp.body`), shown to
    /// the owner in the console so their receiver can check it.
    pub fn webhook_secret(&self) -> String {
        hex::encode(mac(&self.named, &[b"webhook-signing"]))
    }

    /// The webhook secret of one site: the deployment's own site keeps the one above;
    /// every other site has its own, so no site's owner can sign another site's deliveries.
    pub fn site_webhook_secret(&self, other_site: Option<&str>) -> String {
        match other_site {
            None => self.webhook_secret(),
            Some(site) => hex::encode(mac(
                &self.named,
                &[b"webhook-signing", b"\0", site.as_bytes()],
            )),
        }
    }

    /// `sha256=<hex>`: the signature of a webhook delivery at `timestamp` (seconds).
    pub fn sign_webhook(&self, timestamp: i64, body: &str) -> String {
        self.sign_site_webhook(None, timestamp, body)
    }

    /// [`Keys::sign_webhook`] with the secret of [`Keys::site_webhook_secret`].
    pub fn sign_site_webhook(
        &self,
        other_site: Option<&str>,
        timestamp: i64,
        body: &str,
    ) -> String {
        let secret = self.site_webhook_secret(other_site);
        format!(
            "sha256={}",
            hex::encode(mac(
                secret.as_bytes(),
                &[timestamp.to_string().as_bytes(), b".", body.as_bytes()]
            ))
        )
    }

    /// A stable, non-reversible id for a client key (for rate limits and likes).
    pub fn client_hash(&self, client_key: &str) -> String {
        hex::encode(&mac(&self.client, &[client_key.trim().as_bytes()])[..16])
    }

    /// A stable, non-reversible id for a browser's random reader id (one like each).
    pub fn reader_hash(&self, reader: &str) -> String {
        hex::encode(&mac(&self.reader, &[reader.trim().as_bytes()])[..16])
    }

    /// A seed for an author's identicon in one thread: keyed, so it reveals nothing about
    /// the email without the secret, and per thread, so it does not link one person's
    /// comments across threads. Empty without a usable secret.
    pub fn avatar_hash(&self, thread_id: i64, email: &str) -> String {
        if !self.usable || email.trim().is_empty() {
            return String::new();
        }
        let email = email.trim().to_lowercase();
        hex::encode(
            &mac(
                &self.avatar,
                &[thread_id.to_string().as_bytes(), b"|", email.as_bytes()],
            )[..16],
        )
    }
}

/// What a keyed hash from [`Keys::hash`] is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A commenter's email, lower-cased (blocks, trust, erasure).
    Email,
    /// The random key a commenter's browser keeps (trust needs it with the email).
    AuthorKey,
    /// A console session cookie's value.
    Session,
    /// The owner's badge token (posting with the author badge from the host page).
    Badge,
    /// A reply subscription's confirm/unsubscribe token.
    Subscription,
    /// A reader who reported a comment.
    Reporter,
    /// An `Idempotency-Key` with its client (a retried post).
    Idempotency,
    /// The console key a session was opened with (a new key ends old sessions).
    ConsoleKey,
    /// A pending comment's author asking whether it still waits.
    Pending,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::Email => "email",
            Purpose::AuthorKey => "author-key",
            Purpose::Session => "session",
            Purpose::Badge => "badge",
            Purpose::Subscription => "subscription",
            Purpose::Reporter => "reporter",
            Purpose::Idempotency => "idempotency",
            Purpose::ConsoleKey => "console-key",
            Purpose::Pending => "pending",
        }
    }
}

/// The keyed hash of an email address as stored (trimmed, lower-cased).
pub fn normal_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// What a form token is bound to.
#[derive(Debug, Clone, Copy)]
pub struct FormScope<'a> {
    pub site: &'a str,
    pub thread: &'a str,
    /// [`crate::domain::client::ClientKeys::client`] of the reader.
    pub client: &'a str,
}

impl FormScope<'_> {
    fn signed(&self, issued_ms: i64) -> String {
        // Lengths first, so no field can borrow characters from its neighbour.
        format!(
            "{}:{}|{}:{}|{}:{}|{issued_ms}",
            self.site.len(),
            self.site,
            self.thread.len(),
            self.thread,
            self.client.len(),
            self.client
        )
    }
}

/// Whether a secret carries at least [`MIN_SECRET_BYTES`] of randomness: 64+ hex digits,
/// 43+ base64 characters, or any 32+ bytes that are not one short pattern repeated.
fn strong_enough(secret: &str) -> bool {
    let s = secret.trim();
    let distinct = {
        let mut chars: Vec<char> = s.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        chars.len()
    };
    let hex_like = s.chars().all(|c| c.is_ascii_hexdigit());
    if hex_like {
        return s.len() >= MIN_SECRET_BYTES * 2 && distinct >= 8;
    }
    s.len() >= MIN_SECRET_BYTES * 4 / 3 && distinct >= 16
}

/// Gravatar's id for an address: MD5 of the trimmed, lower-cased email. Not keyed, so it is
/// only ever published when the site owner opts into Gravatar.
pub fn gravatar_hash(email: &str) -> String {
    use md5::{Digest, Md5};
    hex::encode(Md5::digest(email.trim().to_lowercase().as_bytes()))
}

/// Compare two secrets without leaking, through timing, where they first differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

fn verify(key: &[u8], payload: &[u8], sig_hex: &str) -> Result<(), TokenError> {
    let given = hex::decode(sig_hex).map_err(|_| TokenError::Malformed)?;
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    m.update(payload);
    m.verify_slice(&given).map_err(|_| TokenError::Forged)
}

#[cfg(test)]
mod tests;
