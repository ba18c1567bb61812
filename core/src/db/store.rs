//! The storage interface the business layer needs, shaped by request structs so that
//! adding a filter later does not change every call site. The `sql` module implements it
//! over D1 (and over SQLite in the tests); `memstore` is the in-memory fake the unit tests
//! use. One contract suite (`db::contract`) runs against both.

use std::collections::HashMap;

use crate::domain::model::{CommentRecord, ThreadRecord};
use crate::domain::rules::Standing;
use crate::domain::thread::CursorPos;
use crate::wire::api::{CommentId, Sort};
use crate::wire::moderation::CommentStatus;
use crate::wire::moderation::HeldFor;
use crate::wire::moderation::{BlockKind, Decision};

/// Storage failures. The message is for the operator's log, never for the reader.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage backend failed: {0}")]
    Backend(String),
    #[error("stored row could not be decoded: {0}")]
    Decode(String),
    /// The site is moving away from this database, which refuses its writes (migration
    /// 0013's triggers): try again in a moment.
    #[error("the site is moving to another database")]
    Sealed,
}

/// What migration 0013's triggers say when a write reaches a sealed site.
pub const SEALED_MESSAGE: &str = "colloquy: the site is moving";

impl StoreError {
    /// A backend's failure, told apart from a write a sealed site refused.
    pub fn backend(message: String) -> StoreError {
        if message.contains(SEALED_MESSAGE) {
            StoreError::Sealed
        } else {
            StoreError::Backend(message)
        }
    }
}

/// Find or create a thread by key.
#[derive(Debug, Clone)]
pub struct UpsertThread<'a> {
    pub key: &'a str,
    pub title: Option<&'a str>,
    pub url: Option<&'a str>,
    pub now_ms: i64,
}

/// Statuses readers see: published comments and "[deleted]" placeholders.
pub const VISIBLE: &[CommentStatus] = &[CommentStatus::Approved, CommentStatus::Deleted];

/// One page of a thread, read in one round trip: the thread, its top-level comments in
/// `sort` order after `after`, the first replies of each, and the counts to show.
#[derive(Debug, Clone)]
pub struct PageQuery<'a> {
    pub key: &'a str,
    pub sort: Sort,
    pub after: Option<CursorPos>,
    /// Top-level comments to return. Callers ask for one more than a page to learn
    /// whether another page follows.
    pub limit: u32,
    /// Replies to return per top-level comment, oldest first.
    pub reply_preview: u32,
}

/// What [`CommentStore::thread_page`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRows {
    /// `None` when nobody has commented under this key yet.
    pub thread: Option<ThreadRecord>,
    /// Visible top-level comments, in the requested order.
    pub top: Vec<CommentRecord>,
    /// The first `reply_preview` visible replies under each of `top`, oldest first.
    pub replies: Vec<CommentRecord>,
    /// Approved replies under each of `top` (absent: none).
    pub reply_counts: HashMap<CommentId, u32>,
    /// Approved comments in the whole thread, replies included.
    pub total: u32,
}

/// Replies under the given top-level comments, oldest first; at most `per_root` of each
/// subtree when set.
#[derive(Debug, Clone)]
pub struct ListReplies<'a> {
    pub root_ids: &'a [CommentId],
    pub per_root: Option<u32>,
}

/// A comment to insert; the store assigns the id.
#[derive(Debug, Clone)]
pub struct InsertComment<'a> {
    pub thread_id: i64,
    pub parent_id: Option<CommentId>,
    pub status: CommentStatus,
    pub author_name: &'a str,
    pub author_email: &'a str,
    pub author_url: Option<&'a str>,
    pub body_markdown: &'a str,
    pub body_html: &'a str,
    pub created_at_ms: i64,
    /// Keyed hash of the client's IP (never the IP itself), for moderation.
    pub client_hash: &'a str,
    pub root_id: Option<CommentId>,
    pub is_owner: bool,
    /// Keyed hash of the email, and of the browser key the widget sends (trust needs both).
    /// `None` for the owner's console replies: they have no email, and an empty hash would
    /// make every owner reply one "author".
    pub email_hash: Option<&'a str>,
    pub author_key_hash: Option<&'a str>,
    /// Why it waits (with `status` pending).
    pub held_for: Option<HeldFor>,
}

/// Who is asking to post, by keyed hashes: what the spam rules need to know about them.
#[derive(Debug, Clone)]
pub struct WhoQuery<'a> {
    pub email_hash: &'a str,
    pub author_key_hash: Option<&'a str>,
    pub client_hash: &'a str,
}

/// New text for an existing comment. What the owner reviewed after reports was the old
/// text: reports may hide the new one again.
#[derive(Debug, Clone)]
pub struct UpdateBody<'a> {
    pub id: CommentId,
    pub body_markdown: &'a str,
    pub body_html: &'a str,
    pub now_ms: i64,
    /// A new moderation state (an approved comment edited on a moderated site goes back
    /// to the queue); `None` keeps it.
    pub status: Option<CommentStatus>,
    /// Why it goes back to the queue, with `status`.
    pub held_for: Option<HeldFor>,
}

/// One reader's like (or its withdrawal).
#[derive(Debug, Clone)]
pub struct SetLike<'a> {
    pub id: CommentId,
    /// Keyed hash of the browser's random reader id.
    pub reader_hash: &'a str,
    /// Keyed hash of the client's address: one like per comment and client as well, so
    /// fresh reader ids from one address add nothing.
    pub client_hash: &'a str,
    pub liked: bool,
    pub now_ms: i64,
}

/// Count one event against a rate-limit window; the store returns the new count.
#[derive(Debug, Clone)]
pub struct HitRateLimit<'a> {
    pub key: &'a str,
    pub window_start_ms: i64,
    /// When this window's row may be purged.
    pub expires_at_ms: i64,
}

/// One site's comments: every method reads and writes the site the store was opened for
/// (an id of another site's comment is as unknown as one never given).
/// Async because D1 is; not `Send` because Workers are single-threaded wasm.
#[allow(async_fn_in_trait)]
pub trait CommentStore {
    async fn find_thread(&self, key: &str) -> Result<Option<ThreadRecord>, StoreError>;
    /// Returns the existing thread, creating it first if the key is new.
    async fn upsert_thread(&self, req: UpsertThread<'_>) -> Result<ThreadRecord, StoreError>;
    /// One page of a thread in a single round trip.
    async fn thread_page(&self, req: PageQuery<'_>) -> Result<PageRows, StoreError>;
    async fn list_replies(&self, req: ListReplies<'_>) -> Result<Vec<CommentRecord>, StoreError>;
    /// Approved comments per thread key (keys without a thread are absent).
    async fn count_visible(&self, keys: &[&str]) -> Result<HashMap<String, u32>, StoreError>;
    /// Record or withdraw one reader's like; returns the comment's like count and whether
    /// this reader's like is there now.
    async fn set_like(&self, req: SetLike<'_>) -> Result<(u32, bool), StoreError>;
    /// Record that a form token was used; false when it had been used before.
    async fn use_form_token(
        &self,
        token_id: &str,
        expires_at_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
    async fn find_comment(&self, id: CommentId) -> Result<Option<CommentRecord>, StoreError>;
    /// A comment together with its thread (for permalinks, which must stay in their thread).
    async fn find_comment_in_thread(
        &self,
        id: CommentId,
    ) -> Result<Option<(CommentRecord, ThreadRecord)>, StoreError>;
    async fn insert_comment(&self, req: InsertComment<'_>) -> Result<CommentRecord, StoreError>;
    /// `None` when the comment is gone or deleted (a delete that won a race with this
    /// edit): no words are ever written back into a deleted comment.
    async fn update_body(&self, req: UpdateBody<'_>) -> Result<Option<CommentRecord>, StoreError>;
    /// Mark deleted and wipe what the author wrote (text, name, email, website).
    async fn delete_comment(&self, id: CommentId, now_ms: i64) -> Result<(), StoreError>;
    async fn hit_rate_limit(&self, req: HitRateLimit<'_>) -> Result<u32, StoreError>;
    /// The count in a rate-limit window, without counting anything.
    async fn rate_limit_count(&self, key: &str, window_start_ms: i64) -> Result<u32, StoreError>;
    /// The author's standing: trusted comments, block, reports against them (one query).
    async fn standing(&self, req: WhoQuery<'_>) -> Result<Standing, StoreError>;
    /// Lock or unlock a thread, pin or unpin a comment; `None` leaves a flag as it is.
    /// Returns the thread (`None`: no such thread).
    async fn set_thread(&self, req: ThreadFlags<'_>) -> Result<Option<ThreadRecord>, StoreError>;
    /// A thread's title and address: from the page a published comment was written on
    /// (never over the owner's), or from the owner. `None` fields stay as they are.
    async fn set_thread_meta(
        &self,
        req: ThreadMeta<'_>,
    ) -> Result<Option<ThreadRecord>, StoreError>;
    /// Add (`on`) or remove a block by keyed hash.
    async fn set_block(&self, req: SetBlock<'_>) -> Result<(), StoreError>;
    /// An owner's decision on comments (one transaction); returns those it changed.
    async fn moderate(
        &self,
        ids: &[CommentId],
        decision: Decision,
        now_ms: i64,
    ) -> Result<Vec<ModeratedComment>, StoreError>;
    /// One reader's report (once per reporter); at `threshold` reports a published comment
    /// is held for review.
    async fn report(&self, req: Report<'_>) -> Result<Reported, StoreError>;
}

/// Thread flags to change.
#[derive(Debug, Clone)]
pub struct ThreadFlags<'a> {
    pub key: &'a str,
    pub locked: Option<bool>,
    /// `Some(None)` unpins.
    pub pinned: Option<Option<CommentId>>,
}

/// A thread's title and address to set.
#[derive(Debug, Clone)]
pub struct ThreadMeta<'a> {
    pub key: &'a str,
    pub title: Option<&'a str>,
    pub url: Option<&'a str>,
    /// Set by the owner: from then on only the owner changes them.
    pub by_owner: bool,
}

#[derive(Debug, Clone)]
pub struct SetBlock<'a> {
    pub kind: BlockKind,
    pub hash: &'a str,
    /// What the owner sees in the block list (a name, a masked address).
    pub label: &'a str,
    /// The keyed email hash of the commenter it was made from: erasing them takes their
    /// name out of the label.
    pub email_hash: Option<&'a str>,
    pub on: bool,
    pub now_ms: i64,
}

#[derive(Debug, Clone)]
pub struct Report<'a> {
    pub id: CommentId,
    pub reporter_hash: &'a str,
    pub reason: &'a str,
    pub now_ms: i64,
    pub threshold: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported {
    /// Reports against the comment now.
    pub reports: u32,
    /// This report made it wait for review (the thread's pages change).
    pub hidden: bool,
    /// False when this reporter had reported it before (nothing changed).
    pub counted: bool,
}

/// One comment a decision changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeratedComment {
    pub id: CommentId,
    /// Its thread's key (that page changed).
    pub thread: String,
    /// Its status before.
    pub was: CommentStatus,
    /// An approval published it for the first time: its notifications go now (never
    /// twice, whatever Unapprove, Undo or reports did in between).
    pub first_publication: bool,
}
