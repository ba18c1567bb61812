//! Keyed hashes and signed tokens, all derived from one deployment secret
//! (`COLLOQUY_SECRET`, set with `wrangler secret put`; generated per checkout in dev).
//!
//! - edit tokens: prove "I wrote comment N" for a limited time, without accounts;
//! - form tokens: prove the form was shown at least a few seconds before it was sent;
//! - client hashes: rate-limit by IP without storing the IP;
//! - avatar hashes: identicons that do not reveal the email (a plain MD5/SHA of an address
//!   is reversible by dictionary; a keyed hash is not without the secret).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::api::CommentId;

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
}

/// Per-purpose keys, so a token made for one purpose is never valid for another.
#[derive(Clone)]
pub struct Keys {
    edit: Vec<u8>,
    form: Vec<u8>,
    client: Vec<u8>,
    avatar: Vec<u8>,
}

impl Keys {
    /// Derive the purpose keys from the deployment secret (HMAC as a KDF).
    pub fn derive(secret: &str) -> Self {
        let sub =
            |label: &str| mac(secret.as_bytes(), &[b"colloquy/v1/", label.as_bytes()]).to_vec();
        Keys {
            edit: sub("edit"),
            form: sub("form"),
            client: sub("client"),
            avatar: sub("avatar"),
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

    /// `"<issued_ms>.<hex mac>"`, bound to one site.
    pub fn form_token(&self, site_id: &str, issued_ms: i64) -> String {
        let signed = format!("{site_id}|{issued_ms}");
        format!(
            "{issued_ms}.{}",
            hex::encode(mac(&self.form, &[signed.as_bytes()]))
        )
    }

    /// A form token is valid from `min_age_ms` after it was issued until `max_age_ms`.
    pub fn verify_form_token(
        &self,
        token: &str,
        site_id: &str,
        now_ms: i64,
        min_age_ms: i64,
        max_age_ms: i64,
    ) -> Result<(), TokenError> {
        let (issued, sig) = token.split_once('.').ok_or(TokenError::Malformed)?;
        let issued_ms: i64 = issued.parse().map_err(|_| TokenError::Malformed)?;
        verify(&self.form, format!("{site_id}|{issued}").as_bytes(), sig)?;
        let age = now_ms - issued_ms;
        if age < min_age_ms {
            Err(TokenError::TooFast)
        } else if age > max_age_ms {
            Err(TokenError::Expired)
        } else {
            Ok(())
        }
    }

    /// A stable, non-reversible id for a client address (for rate limits).
    pub fn client_hash(&self, ip: &str) -> String {
        hex::encode(&mac(&self.client, &[ip.trim().as_bytes()])[..16])
    }

    /// A stable, non-reversible seed for an author's identicon.
    pub fn avatar_hash(&self, email: &str) -> String {
        hex::encode(&mac(&self.avatar, &[email.trim().to_lowercase().as_bytes()])[..16])
    }
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

    #[test]
    fn form_tokens_enforce_a_minimum_and_maximum_age_per_site() {
        let t = keys().form_token("default", 10_000);
        let check = |site: &str, now| keys().verify_form_token(&t, site, now, 3_000, 60_000);
        assert_eq!(check("default", 11_000), Err(TokenError::TooFast));
        assert_eq!(check("default", 13_000), Ok(()));
        assert_eq!(check("default", 80_000), Err(TokenError::Expired));
        assert_eq!(check("other-site", 13_000), Err(TokenError::Forged));
    }

    #[test]
    fn constant_time_comparison_needs_equal_length_and_bytes() {
        assert!(constant_time_eq(b"owner-key", b"owner-key"));
        assert!(!constant_time_eq(b"owner-key", b"owner-kex"));
        assert!(!constant_time_eq(b"owner", b"owner-key"));
        assert!(!constant_time_eq(b"", b"x"));
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
        let form = keys().form_token("default", 5);
        assert!(keys()
            .verify_edit_token(&format!("1.{form}"), CommentId(1), 0)
            .is_err());
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
            k.avatar_hash("Ana@Example.org"),
            k.avatar_hash("ana@example.org ")
        );
        assert_eq!(k.avatar_hash("a@b.org").len(), 32);
        assert!(!k.avatar_hash("ana@example.org").contains("ana"));
    }
}
