//! The storage interface the business layer needs, shaped by request structs so that
//! adding a filter later does not change every call site. D1 implements it in the Worker;
//! the unit tests here use an in-memory implementation.

use crate::model::{CommentId, CommentRecord, CommentStatus, ThreadRecord};

/// Storage failures. The message is for the operator's log, never for the reader.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage backend failed: {0}")]
    Backend(String),
    #[error("stored row could not be decoded: {0}")]
    Decode(String),
}

/// Find or create a thread by key.
#[derive(Debug, Clone)]
pub struct UpsertThread<'a> {
    pub site_id: &'a str,
    pub key: &'a str,
    pub title: Option<&'a str>,
    pub url: Option<&'a str>,
    pub now_ms: i64,
}

/// Comments of one thread with any of the given statuses, oldest first.
#[derive(Debug, Clone)]
pub struct ListComments<'a> {
    pub thread_id: i64,
    pub statuses: &'a [CommentStatus],
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
}

/// New text for an existing comment.
#[derive(Debug, Clone)]
pub struct UpdateBody<'a> {
    pub id: CommentId,
    pub body_markdown: &'a str,
    pub body_html: &'a str,
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

/// Async because D1 is; not `Send` because Workers are single-threaded wasm.
#[allow(async_fn_in_trait)]
pub trait CommentStore {
    async fn find_thread(
        &self,
        site_id: &str,
        key: &str,
    ) -> Result<Option<ThreadRecord>, StoreError>;
    /// Returns the existing thread, creating it first if the key is new.
    async fn upsert_thread(&self, req: UpsertThread<'_>) -> Result<ThreadRecord, StoreError>;
    async fn list_comments(&self, req: ListComments<'_>) -> Result<Vec<CommentRecord>, StoreError>;
    async fn find_comment(&self, id: CommentId) -> Result<Option<CommentRecord>, StoreError>;
    async fn insert_comment(&self, req: InsertComment<'_>) -> Result<CommentRecord, StoreError>;
    async fn update_body(&self, req: UpdateBody<'_>) -> Result<CommentRecord, StoreError>;
    /// Mark deleted and wipe what the author wrote (text, name, email, website).
    async fn delete_comment(&self, id: CommentId, now_ms: i64) -> Result<(), StoreError>;
    async fn hit_rate_limit(&self, req: HitRateLimit<'_>) -> Result<u32, StoreError>;
}
