//! Rows to records: the one list of columns each query reads and how a row becomes a
//! [`CommentRecord`] or a [`ThreadRecord`].

use crate::db::exec::{decode_all, Row};

use serde::Deserialize;

use crate::db::store::{StoreError, VISIBLE};
use crate::domain::model::{CommentRecord, ThreadRecord};
use crate::wire::api::CommentId;
use crate::wire::moderation::CommentStatus;
use crate::wire::moderation::HeldFor;

pub(crate) const THREAD_COLUMNS: &str =
    "id, site_id, key, title, url, created_at, locked, pinned_id, meta_by_owner";

/// The one list of comment columns every query reads, matching [`CommentRow`].
pub(crate) const COMMENT_COLUMNS: &str = "id, thread_id, parent_id, root_id, status, author_name, \
     author_email, author_url, body_markdown, body_html, created_at, updated_at, likes, is_owner, \
     held_for, reports, client_hash, email_hash, reports_reviewed, author_key_hash, trashed_from";

/// `'approved', 'deleted'`: the statuses readers see, from [`VISIBLE`]. They are a closed
/// enum, so inlining them is safe and keeps bind slots (D1 allows 100) for ids.
pub(crate) fn visible_statuses() -> String {
    VISIBLE
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `'approved'`, for counts of published comments.
pub(crate) fn approved() -> String {
    format!("'{}'", CommentStatus::Approved.as_str())
}

pub(crate) fn comments(rows: Vec<Row>) -> Result<Vec<CommentRecord>, StoreError> {
    decode_all::<CommentRow>(rows)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

#[derive(Deserialize)]
pub(crate) struct ThreadRow {
    id: i64,
    site_id: String,
    key: String,
    title: Option<String>,
    url: Option<String>,
    created_at: i64,
    locked: i64,
    pinned_id: Option<i64>,
    meta_by_owner: i64,
}

impl From<ThreadRow> for ThreadRecord {
    fn from(r: ThreadRow) -> Self {
        ThreadRecord {
            id: r.id,
            site_id: r.site_id,
            key: r.key,
            title: r.title,
            url: r.url,
            created_at_ms: r.created_at,
            locked: r.locked != 0,
            pinned_id: r.pinned_id.map(CommentId),
            meta_by_owner: r.meta_by_owner != 0,
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct CommentRow {
    id: i64,
    thread_id: i64,
    parent_id: Option<i64>,
    root_id: Option<i64>,
    status: String,
    author_name: String,
    author_email: String,
    author_url: Option<String>,
    body_markdown: String,
    body_html: String,
    created_at: i64,
    updated_at: Option<i64>,
    likes: i64,
    is_owner: i64,
    held_for: Option<String>,
    reports: i64,
    client_hash: Option<String>,
    email_hash: Option<String>,
    reports_reviewed: i64,
    author_key_hash: Option<String>,
    trashed_from: Option<String>,
}

impl TryFrom<CommentRow> for CommentRecord {
    type Error = StoreError;

    fn try_from(r: CommentRow) -> Result<Self, StoreError> {
        let status = CommentStatus::parse(&r.status)
            .ok_or_else(|| StoreError::Decode(format!("unknown comment status {:?}", r.status)))?;
        Ok(CommentRecord {
            id: CommentId(r.id),
            thread_id: r.thread_id,
            parent_id: r.parent_id.map(CommentId),
            root_id: r.root_id.map(CommentId),
            status,
            author_name: r.author_name,
            author_email: r.author_email,
            author_url: r.author_url,
            body_markdown: r.body_markdown,
            body_html: r.body_html,
            created_at_ms: r.created_at,
            updated_at_ms: r.updated_at,
            likes: u32::try_from(r.likes).unwrap_or(0),
            is_owner: r.is_owner != 0,
            held_for: r.held_for.as_deref().and_then(HeldFor::parse),
            reports: u32::try_from(r.reports).unwrap_or(0),
            client_hash: r.client_hash,
            email_hash: r.email_hash,
            reports_reviewed: r.reports_reviewed != 0,
            author_key_hash: r.author_key_hash,
            trashed_from: r.trashed_from.as_deref().and_then(CommentStatus::parse),
        })
    }
}

#[derive(Deserialize)]
pub(crate) struct CountRow {
    pub(crate) n: u32,
}
