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

/// Comments of one thread with the given status, oldest first.
#[derive(Debug, Clone)]
pub struct ListComments {
    pub thread_id: i64,
    pub status: CommentStatus,
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
    async fn list_comments(&self, req: ListComments) -> Result<Vec<CommentRecord>, StoreError>;
    async fn find_comment(&self, id: CommentId) -> Result<Option<CommentRecord>, StoreError>;
    async fn insert_comment(&self, req: InsertComment<'_>) -> Result<CommentRecord, StoreError>;
}
