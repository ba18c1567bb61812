//! The owner's and the rules' vocabulary about a comment's fate: why it waits
//! ([`HeldFor`]), what the owner decided ([`Decision`]) and what a block names
//! ([`BlockKind`]). Stored in D1 and sent to the console under these names, so the console
//! and the CLI share them without the rules or the store.

use serde::{Deserialize, Serialize};

/// Why a comment waits in the queue (stored in `comments.held_for`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeldFor {
    /// The site holds every comment.
    Moderation,
    /// The author is not trusted yet (first-time moderation).
    FirstTime,
    /// More links than the site allows.
    Links,
    /// A muted word in the name, body or website.
    Muted,
    /// The author's email or address is blocked.
    Blocked,
    /// Readers reported the comment.
    Reported,
    /// The author's comments were reported too often.
    Reporter,
}

impl HeldFor {
    pub fn as_str(self) -> &'static str {
        match self {
            HeldFor::Moderation => "moderation",
            HeldFor::FirstTime => "first_time",
            HeldFor::Links => "links",
            HeldFor::Muted => "muted",
            HeldFor::Blocked => "blocked",
            HeldFor::Reported => "reported",
            HeldFor::Reporter => "reporter",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            HeldFor::Moderation,
            HeldFor::FirstTime,
            HeldFor::Links,
            HeldFor::Muted,
            HeldFor::Blocked,
            HeldFor::Reported,
            HeldFor::Reporter,
        ]
        .into_iter()
        .find(|h| h.as_str() == s)
    }
}

/// Which hash a block names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Email,
    Client,
}

impl BlockKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BlockKind::Email => "email",
            BlockKind::Client => "client",
        }
    }
}

/// What the owner decided about comments in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Publish (and clear its reports).
    Approve,
    /// Keep out of sight as spam (restorable).
    Spam,
    /// Back to the queue, unpublished (what undoes an approval).
    Hold,
    /// Into the Trash: readers see the "[deleted]" placeholder at once, the owner can
    /// restore it. Nothing the owner does by one key destroys words.
    Trash,
    /// Out of the Trash, back to the status it had.
    Restore,
    /// Remove what the author wrote for good; a "[deleted]" placeholder keeps replies in
    /// place. Only comments already in the Trash are deleted (the others are untouched).
    Delete,
}

impl Decision {
    pub const ALL: [Decision; 6] = [
        Decision::Approve,
        Decision::Spam,
        Decision::Hold,
        Decision::Trash,
        Decision::Restore,
        Decision::Delete,
    ];

    /// The name in the API and the audit.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Spam => "spam",
            Decision::Hold => "hold",
            Decision::Trash => "trash",
            Decision::Restore => "restore",
            Decision::Delete => "delete",
        }
    }
}

/// Moderation state. Only `Approved` comments are shown to readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentStatus {
    Approved,
    Pending,
    Spam,
    Deleted,
}

impl CommentStatus {
    /// The value stored in the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Approved => "approved",
            CommentStatus::Pending => "pending",
            CommentStatus::Spam => "spam",
            CommentStatus::Deleted => "deleted",
        }
    }

    /// The inverse of [`CommentStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Approved, Self::Pending, Self::Spam, Self::Deleted]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

/// Where a comment stands as the console lists it: its stored status, or in the Trash
/// (whatever it was before, which Restore gives back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListedStatus {
    Approved,
    Pending,
    Spam,
    Trash,
    Deleted,
}

impl ListedStatus {
    /// A stored comment: in the Trash when it has a status to go back to.
    pub fn of(status: CommentStatus, trashed_from: Option<CommentStatus>) -> Self {
        match (trashed_from, status) {
            (Some(_), _) => ListedStatus::Trash,
            (None, CommentStatus::Approved) => ListedStatus::Approved,
            (None, CommentStatus::Pending) => ListedStatus::Pending,
            (None, CommentStatus::Spam) => ListedStatus::Spam,
            (None, CommentStatus::Deleted) => ListedStatus::Deleted,
        }
    }

    /// The word the console shows (the wire's name).
    pub fn as_str(self) -> &'static str {
        match self {
            ListedStatus::Approved => "approved",
            ListedStatus::Pending => "pending",
            ListedStatus::Spam => "spam",
            ListedStatus::Trash => "trash",
            ListedStatus::Deleted => "deleted",
        }
    }
}

/// Compared with its wire name (`status == "trash"`), as tests and logs read it.
impl PartialEq<&str> for ListedStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ListedStatus {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
