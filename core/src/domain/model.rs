//! Domain records as stored. These hold private data (email, IP hash) and are never
//! serialized to the public; [`CommentRecord::to_public`] is the only way out.

use crate::wire::api::{CommentId, PublicComment};
use crate::wire::moderation::{CommentStatus, HeldFor};

/// A thread: one page's discussion, identified by its key within a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadRecord {
    pub id: i64,
    pub site_id: String,
    pub key: String,
    pub title: Option<String>,
    pub url: Option<String>,
    /// When its first comment was written (auto-close counts from here).
    pub created_at_ms: i64,
    /// Closed to new comments by the owner.
    pub locked: bool,
    /// The top-level comment shown first, marked "Pinned".
    pub pinned_id: Option<CommentId>,
    /// The owner set the title and address: readers' pages no longer change them.
    pub meta_by_owner: bool,
}

impl ThreadRecord {
    /// A comment's permalink: the thread's page with the comment's fragment (feeds,
    /// notifications and the console link to the same place).
    pub fn permalink(&self, id: CommentId) -> Option<String> {
        self.url.as_ref().map(|u| {
            let page = u.split('#').next().unwrap_or(u);
            format!("{page}#{}{}", crate::wire::dom::COMMENT_ANCHOR, id.0)
        })
    }
}

/// A comment as stored, private fields included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRecord {
    pub id: CommentId,
    pub thread_id: i64,
    pub parent_id: Option<CommentId>,
    /// The top-level comment of this reply's subtree (`None` for top-level comments).
    pub root_id: Option<CommentId>,
    pub status: CommentStatus,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body_markdown: String,
    pub body_html: String,
    /// Milliseconds since the Unix epoch, UTC.
    pub created_at_ms: i64,
    /// When the author last edited the text.
    pub updated_at_ms: Option<i64>,
    pub likes: u32,
    /// Posted with the site owner's key.
    pub is_owner: bool,
    /// Why it waits in the queue, when it does.
    pub held_for: Option<HeldFor>,
    /// Readers' reports against it.
    pub reports: u32,
    /// The owner approved it after readers reported it: reports never hide it again.
    pub reports_reviewed: bool,
    /// Keyed hash of the client's address (blocking, "everything from this commenter").
    pub client_hash: Option<String>,
    /// Keyed hash of the email (blocking, trust, erasure).
    pub email_hash: Option<String>,
    /// Keyed hash of the random key the author's browser keeps (trust, subscriptions).
    pub author_key_hash: Option<String>,
    /// In the owner's Trash: the status it had before (restored from here). Its status
    /// is then `Deleted`, so readers see only the placeholder, but the words are kept.
    pub trashed_from: Option<CommentStatus>,
}

impl CommentRecord {
    /// The public view: every private field is dropped here, and only here. A deleted
    /// comment keeps only its place in the tree. Times are formatted by the caller so this
    /// stays free of date libraries; `avatar` is the caller's keyed hash of the email.
    pub fn to_public(&self, format_time: impl Fn(i64) -> String, avatar: String) -> PublicComment {
        let mut public = PublicComment {
            id: self.id,
            parent_id: self.parent_id,
            root_id: self.root_id,
            author: self.author_name.clone(),
            website: self.author_url.clone(),
            body_html: self.body_html.clone(),
            created_at: format_time(self.created_at_ms),
            edited_at: self.updated_at_ms.map(&format_time),
            deleted: false,
            avatar,
            gravatar: None,
            likes: self.likes,
            descendants: 0,
            owner: self.is_owner,
            pending: self.status == CommentStatus::Pending,
            pinned: false,
        };
        if self.status == CommentStatus::Deleted {
            public.mark_deleted();
        }
        public
    }
}
