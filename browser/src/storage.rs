//! What the widget remembers in the host page's `localStorage`: the reader's own edit
//! tokens, drafts, name/email/website (only when the reader asks), sort order, likes and a
//! random reader id. Nothing is a cookie and nothing leaves the browser except to the
//! comment server, when used. Every key names the comment server, so two Colloquy
//! deployments on one site do not mix. `localStorage` is readable by every script of the
//! host page: the README says so, and the email is kept only on request.
//! Browser storage stays out of the domain types: this module is its only user.

use colloquy_core::wire::api::CommentId;
use colloquy_core::wire::storage_keys;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        // Full or disabled storage (private mode) must never break commenting.
        let _ = s.set_item(key, value);
    }
}

fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// What this browser needs to edit or delete one of its comments.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnComment {
    pub token: String,
    /// Milliseconds since the epoch when the server stops accepting the token.
    pub expires_ms: i64,
    /// The Markdown as written, to prefill the edit box.
    pub markdown: String,
}

fn own_key(api_base: &str, id: CommentId) -> String {
    format!("colloquy:own:{api_base}:{id}")
}

pub fn save_own(api_base: &str, id: CommentId, own: &OwnComment) {
    set(
        &own_key(api_base, id),
        &format!("{}\n{}\n{}", own.token, own.expires_ms, own.markdown),
    );
}

/// The stored entry if it is still within its window; expired entries are removed.
pub fn load_own(api_base: &str, id: CommentId) -> Option<OwnComment> {
    let value = get(&own_key(api_base, id))?;
    let mut parts = value.splitn(3, '\n');
    let own = OwnComment {
        token: parts.next()?.to_owned(),
        expires_ms: parts.next()?.parse().ok()?,
        markdown: parts.next().unwrap_or_default().to_owned(),
    };
    if own.expires_ms <= crate::now_ms() {
        remove(&own_key(api_base, id));
        return None;
    }
    Some(own)
}

pub fn forget_own(api_base: &str, id: CommentId) {
    remove(&own_key(api_base, id));
}

fn identity_key(api_base: &str) -> String {
    format!("colloquy:identity:{api_base}")
}

/// Name, email and website for the next comment, if the reader asked to be remembered.
pub fn load_identity(api_base: &str) -> Option<(String, String, String)> {
    let value = get(&identity_key(api_base))?;
    let mut parts = value.splitn(3, '\n');
    Some((
        parts.next()?.to_owned(),
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
    ))
}

pub fn save_identity(api_base: &str, name: &str, email: &str, website: &str) {
    set(
        &identity_key(api_base),
        &format!("{name}\n{email}\n{website}"),
    );
}

pub fn forget_identity(api_base: &str) {
    remove(&identity_key(api_base));
    // Written by versions before the key named the server.
    remove("colloquy:identity");
}

fn draft_key(api_base: &str, thread: &str, parent: Option<CommentId>) -> String {
    let slot = parent.map_or_else(|| "new".to_owned(), |p| p.to_string());
    format!("colloquy:draft:{api_base}:{thread}:{slot}")
}

/// The unsent text of a form, kept until it is posted successfully.
pub fn load_draft(api_base: &str, thread: &str, parent: Option<CommentId>) -> String {
    get(&draft_key(api_base, thread, parent)).unwrap_or_default()
}

pub fn save_draft(api_base: &str, thread: &str, parent: Option<CommentId>, text: &str) {
    let key = draft_key(api_base, thread, parent);
    if text.trim().is_empty() {
        remove(&key);
    } else {
        set(&key, text);
    }
}

fn attempt_key(api_base: &str, thread: &str, parent: Option<CommentId>) -> String {
    let slot = parent.map_or_else(|| "new".to_owned(), |p| p.to_string());
    format!("colloquy:attempt:{api_base}:{thread}:{slot}")
}

/// The `Idempotency-Key` a form's comment was last sent with, and a fingerprint of what
/// was sent: kept with the draft, so that after a lost answer and a reload, sending the
/// same comment again gets the first answer instead of posting it twice.
pub fn load_attempt(
    api_base: &str,
    thread: &str,
    parent: Option<CommentId>,
) -> Option<(String, String)> {
    let stored = get(&attempt_key(api_base, thread, parent))?;
    let (fingerprint, key) = stored.split_once('|')?;
    Some((fingerprint.to_owned(), key.to_owned()))
}

pub fn save_attempt(
    api_base: &str,
    thread: &str,
    parent: Option<CommentId>,
    attempt: Option<(&str, &str)>,
) {
    let key = attempt_key(api_base, thread, parent);
    match attempt {
        Some((fingerprint, idempotency_key)) => {
            set(&key, &format!("{fingerprint}|{idempotency_key}"))
        }
        None => remove(&key),
    }
}

/// A short fingerprint of a text (FNV-1a, hex): enough to tell "the same comment" from a
/// changed one without keeping a second copy of the draft.
pub fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn edit_draft_key(api_base: &str, id: CommentId) -> String {
    format!("colloquy:edit:{api_base}:{id}")
}

/// The unsaved text of an edit, kept until it is saved or cancelled.
pub fn load_edit_draft(api_base: &str, id: CommentId) -> Option<String> {
    get(&edit_draft_key(api_base, id))
}

pub fn save_edit_draft(api_base: &str, id: CommentId, text: &str) {
    set(&edit_draft_key(api_base, id), text);
}

pub fn forget_edit_draft(api_base: &str, id: CommentId) {
    remove(&edit_draft_key(api_base, id));
}

pub fn load_sort(api_base: &str) -> Option<String> {
    get(&format!("{}{api_base}", storage_keys::SORT))
}

pub fn save_sort(api_base: &str, sort: &str) {
    set(&format!("{}{api_base}", storage_keys::SORT), sort);
}

/// A random id for this browser, so likes count once per reader without an account.
/// From the browser's cryptographic generator: `Math.random` is predictable.
pub fn reader_id(api_base: &str) -> String {
    random_id(&format!("colloquy:reader:{api_base}"))
}

/// A random key this browser sends with its comments: with the same email, it makes
/// the commenter trusted under first-time moderation (an email alone is public).
/// Separate from the reader id, which goes out with every like.
pub fn author_key(api_base: &str) -> String {
    random_id(&format!("colloquy:author:{api_base}"))
}

/// 128 random bits as lowercase hex, from the browser's cryptographic generator (`None`
/// without one).
pub fn random_hex() -> Option<String> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = [0u8; 16];
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())?;
    let mut hex = String::with_capacity(32);
    for b in bytes {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    Some(hex)
}

/// The random id stored under `key`, made on first use.
fn random_id(key: &str) -> String {
    let key = key.to_owned();
    if let Some(id) = get(&key).filter(|id| id.len() >= 32) {
        return id;
    }
    // No crypto (an ancient browser): no id, so no like, rather than a guessable one.
    let Some(id) = random_hex() else {
        return String::new();
    };
    set(&key, &id);
    id
}

fn liked_key(api_base: &str, id: CommentId) -> String {
    format!("colloquy:liked:{api_base}:{id}")
}

pub fn liked(api_base: &str, id: CommentId) -> bool {
    get(&liked_key(api_base, id)).is_some()
}

pub fn set_liked(api_base: &str, id: CommentId, on: bool) {
    if on {
        set(&liked_key(api_base, id), "1");
    } else {
        remove(&liked_key(api_base, id));
    }
}

fn pending_prefix(api_base: &str, thread: &str) -> String {
    format!("colloquy:pending:{api_base}:{thread}:")
}

/// One of this reader's comments still awaiting moderation (only they see it): the HTML
/// the server rendered for it, and the token that asks whether it still waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCopy {
    pub id: CommentId,
    pub token: String,
    pub saved_ms: i64,
    pub html: String,
}

/// How long a copy is kept at most, whatever the server says (a queue is looked at in
/// days, not months).
pub const PENDING_KEEP_MS: i64 = 30 * 24 * 3600 * 1000;

/// This reader's pending copies for a thread, oldest first. Copies without a token (kept
/// by an older widget, which nothing can check) and copies past [`PENDING_KEEP_MS`] are
/// forgotten here.
pub fn load_pending(api_base: &str, thread: &str) -> Vec<PendingCopy> {
    let prefix = pending_prefix(api_base, thread);
    let Some(s) = storage() else {
        return Vec::new();
    };
    let keys: Vec<String> = (0..s.length().unwrap_or(0))
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(&prefix))
        .collect();
    let mut out = Vec::new();
    for key in keys {
        let id = key.strip_prefix(&prefix).and_then(|id| id.parse().ok());
        let parsed = get(&key).and_then(|value| {
            let rest = value.strip_prefix("v2|")?;
            let (saved, rest) = rest.split_once('|')?;
            let (token, html) = rest.split_once('|')?;
            Some((
                saved.parse::<i64>().ok()?,
                token.to_owned(),
                html.to_owned(),
            ))
        });
        match (id, parsed) {
            (Some(id), Some((saved_ms, token, html)))
                if crate::now_ms() - saved_ms < PENDING_KEEP_MS =>
            {
                // In order of id as they come (a reader has a few at most): a general
                // sort would add kilobytes to the wasm every reader downloads.
                let at = out
                    .iter()
                    .position(|c: &PendingCopy| c.id > id)
                    .unwrap_or(out.len());
                out.insert(
                    at,
                    PendingCopy {
                        id,
                        token,
                        saved_ms,
                        html,
                    },
                );
            }
            _ => remove(&key),
        }
    }
    out
}

pub fn save_pending(api_base: &str, thread: &str, id: CommentId, token: &str, html: &str) {
    set(
        &format!("{}{id}", pending_prefix(api_base, thread)),
        &format!("v2|{}|{token}|{html}", crate::now_ms()),
    );
}

pub fn forget_pending(api_base: &str, thread: &str, id: CommentId) {
    remove(&format!("{}{id}", pending_prefix(api_base, thread)));
}

/// The site owner's key, stored by the loader when a page is opened with
/// `#colloquy-owner=<key>` (and removed from the address bar at once).
pub fn owner_key(api_base: &str) -> Option<String> {
    get(&format!("{}{api_base}", storage_keys::OWNER))
}
