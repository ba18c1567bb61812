//! Tokens and keyed hashes: what they bind, and what breaks them.

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
        let by_label = hex::encode(&mac(&k.named, &[label.as_bytes(), b"|ana@example.org"])[..16]);
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

#[test]
fn each_site_signs_its_webhooks_with_its_own_secret() {
    let k = keys();
    // The deployment's own site keeps the secret it always had.
    assert_eq!(k.site_webhook_secret(None), k.webhook_secret());
    let a = k.site_webhook_secret(Some("a"));
    assert_ne!(a, k.webhook_secret());
    assert_ne!(a, k.site_webhook_secret(Some("b")));
    assert_ne!(
        k.sign_site_webhook(Some("a"), 1, "{}"),
        k.sign_site_webhook(Some("b"), 1, "{}")
    );
    assert_eq!(k.sign_site_webhook(None, 1, "{}"), k.sign_webhook(1, "{}"));
}
