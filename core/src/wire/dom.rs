//! The names the thread's HTML and the reader's DOM code share: what a click does
//! (`data-action`), the classes the reader finds and matches elements by, and the anchor
//! of a comment's permalink. The server renders them (`colloquy-markup`), the reader
//! (`colloquy-reader`) queries them; written here once, a renamed class cannot leave one
//! side looking for what the other no longer writes.
//!
//! Classes that only style (read by `widget/style.css` alone) stay where they are written.
//! Selectors are joined from these names at compile time with [`const_concat!`], so they
//! cost the wasm nothing over a literal.

/// What a button or link does when the reader clicks it: its `data-action` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Like a comment, or take the like back (also "Try again" after a failed like).
    Like,
    /// Open the reply form under a comment, or close it.
    Reply,
    /// Hide or show the replies under a comment.
    Collapse,
    /// "Show N more replies": the rest of a subtree (also its "Try again").
    Replies,
    /// Edit one's own comment (a button the reader adds).
    Edit,
    /// Delete one's own comment (a button the reader adds).
    Delete,
    /// Open the report box under a comment, or close it.
    Report,
    /// Send the report chosen in the box (also its "Try again").
    ReportSend,
    /// "Try again" after "Show more comments" failed.
    RetryMore,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::Like,
        Action::Reply,
        Action::Collapse,
        Action::Replies,
        Action::Edit,
        Action::Delete,
        Action::Report,
        Action::ReportSend,
        Action::RetryMore,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Like => "like",
            Action::Reply => "reply",
            Action::Collapse => "collapse",
            Action::Replies => "replies",
            Action::Edit => "edit",
            Action::Delete => "delete",
            Action::Report => "report",
            Action::ReportSend => "report-send",
            Action::RetryMore => "retry-more",
        }
    }

    /// The inverse of [`Action::as_str`] (a match, not a search: it is on every click, and
    /// smaller in the wasm; the test holds the two to each other).
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "like" => Action::Like,
            "reply" => Action::Reply,
            "collapse" => Action::Collapse,
            "replies" => Action::Replies,
            "edit" => Action::Edit,
            "delete" => Action::Delete,
            "report" => Action::Report,
            "report-send" => Action::ReportSend,
            "retry-more" => Action::RetryMore,
            _ => return None,
        })
    }
}

/// The attribute that names an element's [`Action`].
pub const ACTION_ATTR: &str = "data-action";

/// A comment's `<article>` has the id `comment-<id>`; `#comment-<id>` is its permalink.
pub const COMMENT_ANCHOR: &str = "comment-";

/// The `name` of the sort `<select>` (the loader watches it too).
pub const SORT_FIELD: &str = "sort";

/// Classes the reader finds or matches elements by.
pub mod class {
    // Rendered by the server.
    /// The embedded state JSON (`<script type="application/json">`).
    pub const STATE: &str = "cq-state";
    /// The heading ("3 comments on …").
    pub const HEADING: &str = "cq-heading";
    /// The status line the reader writes notices into.
    pub const NOTICE: &str = "cq-notice";
    /// "No comments yet".
    pub const EMPTY: &str = "cq-empty";
    /// The list of top-level comments.
    pub const LIST: &str = "cq-list";
    /// One comment's list item (its article, then its replies).
    pub const ITEM: &str = "cq-item";
    /// A comment deleted while replies hang under it.
    pub const DELETED: &str = "cq-deleted";
    /// The list of replies under a comment.
    pub const REPLIES: &str = "cq-replies";
    /// "Show more comments" (a paragraph around the link).
    pub const MORE: &str = "cq-more";
    /// "Show N more replies" (a paragraph around the link).
    pub const MORE_REPLIES: &str = "cq-more-replies";
    pub const AUTHOR: &str = "cq-author";
    pub const BODY: &str = "cq-body";
    /// "(edited)", hidden until the comment is.
    pub const EDITED: &str = "cq-edited";
    pub const BADGE: &str = "cq-badge";
    /// The "awaiting moderation" badge (with [`BADGE`]).
    pub const PENDING: &str = "cq-pending";
    pub const LIKE: &str = "cq-like";
    /// The like button's heart and count.
    pub const HEART: &str = "cq-heart";
    pub const COUNT: &str = "cq-count";
    /// The Reply, Hide replies and Report buttons.
    pub const REPLY: &str = "cq-reply";
    pub const COLLAPSE: &str = "cq-collapse";
    pub const REPORT: &str = "cq-report";
    /// Where the reader puts Edit and Delete on the reader's own comments.
    pub const OWN: &str = "cq-own";
    /// The collapsed "Leave a comment" box and its textarea.
    pub const COMPOSE: &str = "cq-compose";
    pub const COMPOSE_BOX: &str = "cq-compose-box";
    /// "Commenting needs JavaScript and WebAssembly" (hidden until it does).
    pub const NEEDS_SCRIPT: &str = "cq-needs-script";

    // Added by the reader.
    /// The comment a permalink or a new post points at.
    pub const TARGET: &str = "cq-target";
    /// Where the writing half mounts a reply form, an edit box, a delete confirmation.
    pub const REPLY_HOST: &str = "cq-reply-host";
    pub const EDIT_HOST: &str = "cq-edit-host";
    pub const DELETE_HOST: &str = "cq-delete-host";
    /// Edit and Delete on the reader's own comments.
    pub const EDIT_BUTTON: &str = "cq-edit-button";
    pub const DELETE_BUTTON: &str = "cq-delete-button";
    /// The report box and what is in it.
    pub const REPORT_BOX: &str = "cq-report-box";
    pub const REPORT_SEND: &str = "cq-report-send";
    pub const REPORT_SENDING: &str = "cq-report-sending";
    /// Failure notes, one kind per place (each with a "Try again").
    pub const LIKE_ERROR: &str = "cq-like-error";
    pub const MORE_ERROR: &str = "cq-more-error";
    pub const REPLIES_ERROR: &str = "cq-replies-error";
    pub const REPORT_ERROR: &str = "cq-report-error";
}

/// Joins `&str` constants at compile time: `const_concat!("li.", class::ITEM)` is
/// `"li.cq-item"`, one literal in the binary.
#[macro_export]
macro_rules! const_concat {
    ($($part:expr),+ $(,)?) => {{
        const PARTS: &[&str] = &[$($part),+];
        const LEN: usize = $crate::wire::dom::concat_len(PARTS);
        const BYTES: [u8; LEN] = $crate::wire::dom::concat_bytes::<LEN>(PARTS);
        const JOINED: &str = match ::core::str::from_utf8(&BYTES) {
            Ok(s) => s,
            Err(_) => panic!("not UTF-8"),
        };
        JOINED
    }};
}

/// For [`const_concat!`]: the joined length.
#[doc(hidden)]
pub const fn concat_len(parts: &[&str]) -> usize {
    let (mut n, mut i) = (0, 0);
    while i < parts.len() {
        n += parts[i].len();
        i += 1;
    }
    n
}

/// For [`const_concat!`]: the joined bytes.
#[doc(hidden)]
pub const fn concat_bytes<const N: usize>(parts: &[&str]) -> [u8; N] {
    let mut out = [0u8; N];
    let (mut at, mut i) = (0, 0);
    while i < parts.len() {
        let bytes = parts[i].as_bytes();
        let mut j = 0;
        while j < bytes.len() {
            out[at] = bytes[j];
            at += 1;
            j += 1;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_back_as_written() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        assert_eq!(Action::parse("nothing"), None);
    }

    #[test]
    fn selectors_join_at_compile_time() {
        const SELECTOR: &str =
            crate::const_concat!(":scope > ol.", class::REPLIES, " li.", class::ITEM);
        assert_eq!(SELECTOR, ":scope > ol.cq-replies li.cq-item");
    }
}
