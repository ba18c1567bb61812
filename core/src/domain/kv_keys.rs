//! The keys the worker keeps in KV. KV refuses a key longer than 512 bytes, and a thread
//! key is typed by whoever first comments on a page (up to 300 characters, four bytes each
//! in some scripts): a key built from one is hashed when it would not fit, so every thread
//! gets a version that a write can bump, whatever its key.

use sha2::{Digest, Sha256};

/// The longest key KV stores, in bytes.
pub const MAX_KEY_BYTES: usize = 512;

/// The key of `thread`'s version on `site` (see the worker's `cache` module).
pub fn thread_version(site: &str, thread: &str) -> String {
    let plain = format!("v:{site}:{thread}");
    if plain.len() <= MAX_KEY_BYTES {
        return plain;
    }
    // `#` cannot start a thread key the widget sends (it is a page's path or the owner's
    // id, both without a fragment), and 64 hex digits name the thread beyond doubt.
    let digest = Sha256::digest(thread.as_bytes());
    format!("v:{site}:#{}", hex::encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_kept_as_they_are() {
        assert_eq!(thread_version("demo", "/blog/post/"), "v:demo:/blog/post/");
        let exact = "a".repeat(MAX_KEY_BYTES - "v:demo:".len());
        assert_eq!(thread_version("demo", &exact), format!("v:demo:{exact}"));
    }

    #[test]
    fn long_keys_are_hashed_to_fit_and_stay_apart() {
        let long = "論".repeat(300);
        let key = thread_version("demo", &long);
        assert!(key.len() <= MAX_KEY_BYTES, "{}", key.len());
        assert_eq!(key, thread_version("demo", &long), "stable");
        let other = format!("{}x", "論".repeat(299));
        assert_ne!(key, thread_version("demo", &other));
        let one_over = "a".repeat(MAX_KEY_BYTES - "v:demo:".len() + 1);
        assert!(thread_version("demo", &one_over).starts_with("v:demo:#"));
        assert_eq!(
            thread_version("demo", &one_over).len(),
            "v:demo:#".len() + 64
        );
    }
}
