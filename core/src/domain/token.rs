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

    /// `sha256=<hex>`: the signature of a webhook delivery at `timestamp` (seconds).
    pub fn sign_webhook(&self, timestamp: i64, body: &str) -> String {
        let secret = self.webhook_secret();
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
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::derive("test secret")
    }

    #[test]
    fn an_edit_token_works_for_its_comment_until_it_expires() {
        let t = keys().edit_token(CommentId(7), 1_000);
        assert_eq!(keys().verify_edit_token(&t, CommentId(7), 999), Ok(()));
        assert_eq!(keys().verify_edit_token(&t, CommentId(7), 1_000), Ok(()));
        assert_eq!(
            keys().verify_edit_token(&t, CommentId(7), 1_001),
            Err(TokenError::Expired)
        );
        assert_eq!(
            keys().verify_edit_token(&t, CommentId(8), 999),
            Err(TokenError::WrongComment)
        );
    }

    #[test]
    fn tampered_or_foreign_edit_tokens_are_forged() {
        let t = keys().edit_token(CommentId(7), 1_000);
        let longer = t.replacen(".1000.", ".9999999.", 1);
        assert_eq!(
            keys().verify_edit_token(&longer, CommentId(7), 999),
            Err(TokenError::Forged)
        );
        let other = Keys::derive("another deployment").edit_token(CommentId(7), 1_000);
        assert_eq!(
            keys().verify_edit_token(&other, CommentId(7), 999),
            Err(TokenError::Forged)
        );
        for junk in ["", "abc", "7.1000", "7.x.00", "7.1000.zz"] {
            assert_eq!(
                keys().verify_edit_token(junk, CommentId(7), 0),
                Err(TokenError::Malformed),
                "{junk}"
            );
        }
    }

    const SCOPE: FormScope = FormScope {
        site: "default",
        thread: "/post/",
        client: "4:203.0.113.9",
    };

    #[test]
    fn form_tokens_enforce_a_minimum_and_maximum_age() {
        let t = keys().form_token(&SCOPE, 10_000);
        let check = |now| keys().verify_form_token(&t, &SCOPE, now, 3_000, 60_000);
        assert_eq!(check(11_000), Err(TokenError::TooFast));
        assert_eq!(check(12_999), Err(TokenError::TooFast));
        assert!(check(13_000).is_ok(), "old enough to the millisecond");
        assert!(check(70_000).is_ok(), "still valid at its maximum age");
        assert_eq!(check(70_001), Err(TokenError::Expired));
        assert_eq!(check(80_000), Err(TokenError::Expired));
    }

    /// Keyed hashes are stored (trust, blocks, reports, sessions): each purpose keeps its
    /// label across releases, or every stored hash silently stops matching.
    #[test]
    fn keyed_hashes_keep_their_purpose_labels_and_never_mix() {
        let k = keys();
        let all = [
            (Purpose::Email, "email"),
            (Purpose::AuthorKey, "author-key"),
            (Purpose::Session, "session"),
            (Purpose::Badge, "badge"),
            (Purpose::Subscription, "subscription"),
            (Purpose::Reporter, "reporter"),
            (Purpose::Idempotency, "idempotency"),
            (Purpose::ConsoleKey, "console-key"),
            (Purpose::Pending, "pending"),
        ];
        let mut seen = std::collections::HashSet::new();
        for (purpose, label) in all {
            let h = k.hash(purpose, "ana@example.org");
            let by_label =
                hex::encode(&mac(&k.named, &[label.as_bytes(), b"|ana@example.org"])[..16]);
            assert_eq!(h, by_label, "{purpose:?}");
            assert!(
                seen.insert(h),
                "{purpose:?} shares its hashes with another purpose"
            );
        }
    }

    /// What the owner's receiver checks: HMAC-SHA256 of `timestamp.body` under the secret
    /// the console shows (computed here the way a receiver would, from the secret alone).
    #[test]
    fn webhook_signatures_check_out_with_the_shown_secret() {
        use hmac::{Hmac, Mac};
        let k = keys();
        let secret = k.webhook_secret();
        assert_eq!(secret.len(), 64);
        assert_eq!(secret, keys().webhook_secret(), "stable for a deployment");
        assert_ne!(secret, Keys::derive("another deployment").webhook_secret());
        let mut receiver = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        receiver.update(b"1700000000.{\"event\":\"new_comment\"}");
        let expected = format!("sha256={}", hex::encode(receiver.finalize().into_bytes()));
        assert_eq!(
            k.sign_webhook(1_700_000_000, "{\"event\":\"new_comment\"}"),
            expected
        );
        assert_ne!(
            k.sign_webhook(1_700_000_001, "{\"event\":\"new_comment\"}"),
            expected
        );
    }

    #[test]
    fn form_tokens_are_bound_to_their_site_thread_and_client() {
        let t = keys().form_token(&SCOPE, 10_000);
        let check = |scope: FormScope| keys().verify_form_token(&t, &scope, 13_000, 3_000, 60_000);
        let id = check(SCOPE).unwrap();
        assert_eq!(id.len(), 32);
        assert_eq!(
            check(FormScope {
                thread: "/other/",
                ..SCOPE
            }),
            Err(TokenError::WrongThread)
        );
        assert_eq!(
            check(FormScope {
                client: "4:198.51.100.1",
                ..SCOPE
            }),
            Err(TokenError::WrongClient)
        );
        assert_eq!(
            check(FormScope {
                site: "other-site",
                ..SCOPE
            }),
            Err(TokenError::Forged)
        );
        let later = keys().form_token(&SCOPE, 10_001);
        assert_ne!(
            keys().verify_form_token(&later, &SCOPE, 13_000, 3_000, 60_000),
            Ok(id),
            "each token has its own id"
        );
        let mut forged = t.clone();
        forged.replace_range(..5, "10500");
        assert_eq!(
            keys().verify_form_token(&forged, &SCOPE, 13_000, 3_000, 60_000),
            Err(TokenError::Forged)
        );
    }

    #[test]
    fn only_secrets_of_32_random_bytes_are_accepted() {
        assert!(Keys::from_secret(&"0123456789abcdef".repeat(4)).is_ok());
        assert!(Keys::from_secret("dGhpcyBpcyBhIGJhc2U2NCBzZWNyZXQgb2YgMzIgYnl0ZXMhIQ").is_ok());
        for weak in [
            "",
            "hunter2",
            &"ab".repeat(32),
            &"a".repeat(100),
            "0123456789abcdef",
            // 63 hex digits: 31.5 bytes.
            &"0123456789abcdef".repeat(4)[1..],
            // A long password of few characters.
            &"hunter2".repeat(10),
            // 41 base64 characters: 30 bytes, not 32.
            "dGhpcyBpcyBhIGJhc2U2NCBzZWNyZXQgb2YgMzIgY",
        ] {
            assert_eq!(Keys::from_secret(weak).err(), Some(WeakSecret), "{weak:?}");
        }
        let unusable = Keys::unusable();
        assert!(!unusable.usable());
        assert_eq!(unusable.avatar_hash(1, "ana@example.org"), "");
    }

    #[test]
    fn constant_time_comparison_needs_equal_length_and_bytes() {
        assert!(constant_time_eq(b"owner-key", b"owner-key"));
        assert!(!constant_time_eq(b"owner-key", b"owner-kex"));
        assert!(!constant_time_eq(b"owner", b"owner-key"));
        assert!(!constant_time_eq(b"", b"x"));
        // Differences that cancel out when combined carelessly still differ.
        assert!(!constant_time_eq(b"ab", b"ba"));
    }

    #[test]
    fn gravatar_hashes_follow_gravatars_normalization() {
        // Gravatar's documented example address.
        assert_eq!(
            gravatar_hash(" MyEmailAddress@example.com "),
            "0bc83cb571cd1c50ba6f3e8a78ef1346"
        );
    }

    #[test]
    fn purposes_do_not_mix() {
        // A form token's signature is not an edit token's, even over the same digits.
        let form = keys().form_token(&SCOPE, 5);
        let sig = form.rsplit('.').next().unwrap();
        assert!(keys()
            .verify_edit_token(&format!("1.5.{sig}"), CommentId(1), 0)
            .is_err());
        assert_ne!(keys().reader_hash("x"), keys().client_hash("x"));
    }

    #[test]
    fn client_and_avatar_hashes_are_stable_keyed_and_normalized() {
        let k = keys();
        assert_eq!(k.client_hash("203.0.113.9"), k.client_hash(" 203.0.113.9 "));
        assert_ne!(
            k.client_hash("203.0.113.9"),
            Keys::derive("x").client_hash("203.0.113.9")
        );
        assert_eq!(
            k.avatar_hash(1, "Ana@Example.org"),
            k.avatar_hash(1, "ana@example.org ")
        );
        assert_eq!(k.avatar_hash(1, "a@b.org").len(), 32);
        assert!(!k.avatar_hash(1, "ana@example.org").contains("ana"));
        assert_ne!(
            k.avatar_hash(1, "ana@example.org"),
            k.avatar_hash(2, "ana@example.org"),
            "one person is not linked across threads"
        );
    }
}
