//! The reader's own edit tokens, kept in `localStorage` of the host page. Nothing here is
//! a cookie and nothing is sent anywhere except back to the comment server on edit/delete.
//! Browser storage stays out of the domain types: this module is its only user.

use colloquy_core::model::CommentId;

/// What this browser needs to edit or delete one of its comments.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnComment {
    pub token: String,
    /// Milliseconds since the epoch when the server stops accepting the token.
    pub expires_ms: f64,
    /// The Markdown as written, to prefill the edit box.
    pub markdown: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn key(api_base: &str, id: CommentId) -> String {
    format!("colloquy:own:{api_base}:{id}")
}

pub fn save_own(api_base: &str, id: CommentId, own: &OwnComment) {
    if let Some(s) = storage() {
        let value = format!("{}\n{}\n{}", own.token, own.expires_ms, own.markdown);
        let _ = s.set_item(&key(api_base, id), &value);
    }
}

/// The stored entry if it is still within its window; expired entries are removed.
pub fn load_own(api_base: &str, id: CommentId) -> Option<OwnComment> {
    let s = storage()?;
    let value = s.get_item(&key(api_base, id)).ok()??;
    let mut parts = value.splitn(3, '\n');
    let own = OwnComment {
        token: parts.next()?.to_owned(),
        expires_ms: parts.next()?.parse().ok()?,
        markdown: parts.next().unwrap_or_default().to_owned(),
    };
    if own.expires_ms <= js_sys::Date::now() {
        let _ = s.remove_item(&key(api_base, id));
        return None;
    }
    Some(own)
}

pub fn forget_own(api_base: &str, id: CommentId) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&key(api_base, id));
    }
}
