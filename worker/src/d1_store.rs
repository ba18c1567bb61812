//! [`CommentStore`] over Cloudflare D1. SQL lives here and only here.

use colloquy_core::model::{CommentId, CommentRecord, CommentStatus, ThreadRecord};
use colloquy_core::store::{
    CommentStore, HitRateLimit, InsertComment, ListComments, StoreError, UpdateBody, UpsertThread,
};
use serde::Deserialize;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

pub struct D1Store {
    db: D1Database,
}

impl D1Store {
    pub fn new(db: D1Database) -> Self {
        D1Store { db }
    }

    fn statement(&self, sql: &str, binds: &[JsValue]) -> Result<D1PreparedStatement, StoreError> {
        self.db.prepare(sql).bind(binds).map_err(backend)
    }
}

fn backend(e: worker::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

fn opt_text(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}

/// D1 numbers arrive as JS numbers; ids and millisecond times stay far below 2^53.
fn int(n: i64) -> JsValue {
    JsValue::from_f64(n as f64)
}

const THREAD_COLUMNS: &str = "id, site_id, key, title, url";
const COMMENT_COLUMNS: &str = "id, thread_id, parent_id, status, author_name, author_email, \
     author_url, body_markdown, body_html, created_at, updated_at";

#[derive(Deserialize)]
struct ThreadRow {
    id: i64,
    site_id: String,
    key: String,
    title: Option<String>,
    url: Option<String>,
}

impl From<ThreadRow> for ThreadRecord {
    fn from(r: ThreadRow) -> Self {
        ThreadRecord {
            id: r.id,
            site_id: r.site_id,
            key: r.key,
            title: r.title,
            url: r.url,
        }
    }
}

#[derive(Deserialize)]
struct CommentRow {
    id: i64,
    thread_id: i64,
    parent_id: Option<i64>,
    status: String,
    author_name: String,
    author_email: String,
    author_url: Option<String>,
    body_markdown: String,
    body_html: String,
    created_at: i64,
    updated_at: Option<i64>,
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
            status,
            author_name: r.author_name,
            author_email: r.author_email,
            author_url: r.author_url,
            body_markdown: r.body_markdown,
            body_html: r.body_html,
            created_at_ms: r.created_at,
            updated_at_ms: r.updated_at,
        })
    }
}

impl CommentStore for D1Store {
    async fn find_thread(
        &self,
        site_id: &str,
        key: &str,
    ) -> Result<Option<ThreadRecord>, StoreError> {
        let sql = format!("SELECT {THREAD_COLUMNS} FROM threads WHERE site_id = ?1 AND key = ?2");
        let row: Option<ThreadRow> = self
            .statement(&sql, &[text(site_id), text(key)])?
            .first(None)
            .await
            .map_err(backend)?;
        Ok(row.map(Into::into))
    }

    async fn upsert_thread(&self, req: UpsertThread<'_>) -> Result<ThreadRecord, StoreError> {
        // One round trip: insert, or keep the existing row and fill in a title/url that an
        // earlier comment did not know.
        let sql = format!(
            "INSERT INTO threads (site_id, key, title, url, created_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (site_id, key) DO UPDATE SET \
               title = COALESCE(threads.title, excluded.title), \
               url = COALESCE(threads.url, excluded.url) \
             RETURNING {THREAD_COLUMNS}"
        );
        let row: Option<ThreadRow> = self
            .statement(
                &sql,
                &[
                    text(req.site_id),
                    text(req.key),
                    opt_text(req.title),
                    opt_text(req.url),
                    int(req.now_ms),
                ],
            )?
            .first(None)
            .await
            .map_err(backend)?;
        row.map(Into::into)
            .ok_or_else(|| StoreError::Backend("thread upsert returned no row".into()))
    }

    async fn list_comments(&self, req: ListComments<'_>) -> Result<Vec<CommentRecord>, StoreError> {
        // Statuses are a closed enum, so inlining their names is safe and keeps one query
        // plan per status set.
        let statuses: Vec<String> = req
            .statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let sql = format!(
            "SELECT {COMMENT_COLUMNS} FROM comments WHERE thread_id = ?1 AND status IN ({}) \
             ORDER BY created_at, id",
            statuses.join(", ")
        );
        let rows: Vec<CommentRow> = self
            .statement(&sql, &[int(req.thread_id)])?
            .all()
            .await
            .map_err(backend)?
            .results()
            .map_err(|e| StoreError::Decode(e.to_string()))?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn find_comment(&self, id: CommentId) -> Result<Option<CommentRecord>, StoreError> {
        let sql = format!("SELECT {COMMENT_COLUMNS} FROM comments WHERE id = ?1");
        let row: Option<CommentRow> = self
            .statement(&sql, &[int(id.0)])?
            .first(None)
            .await
            .map_err(backend)?;
        row.map(TryInto::try_into).transpose()
    }

    async fn insert_comment(&self, req: InsertComment<'_>) -> Result<CommentRecord, StoreError> {
        let sql = format!(
            "INSERT INTO comments (thread_id, parent_id, status, author_name, author_email, \
               author_url, body_markdown, body_html, created_at, client_hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING {COMMENT_COLUMNS}"
        );
        let row: Option<CommentRow> = self
            .statement(
                &sql,
                &[
                    int(req.thread_id),
                    req.parent_id.map_or(JsValue::NULL, |p| int(p.0)),
                    text(req.status.as_str()),
                    text(req.author_name),
                    text(req.author_email),
                    opt_text(req.author_url),
                    text(req.body_markdown),
                    text(req.body_html),
                    int(req.created_at_ms),
                    text(req.client_hash),
                ],
            )?
            .first(None)
            .await
            .map_err(backend)?;
        row.ok_or_else(|| StoreError::Backend("comment insert returned no row".into()))?
            .try_into()
    }

    async fn update_body(&self, req: UpdateBody<'_>) -> Result<CommentRecord, StoreError> {
        let sql = format!(
            "UPDATE comments SET body_markdown = ?2, body_html = ?3, updated_at = ?4 \
             WHERE id = ?1 RETURNING {COMMENT_COLUMNS}"
        );
        let row: Option<CommentRow> = self
            .statement(
                &sql,
                &[
                    int(req.id.0),
                    text(req.body_markdown),
                    text(req.body_html),
                    int(req.now_ms),
                ],
            )?
            .first(None)
            .await
            .map_err(backend)?;
        row.ok_or_else(|| StoreError::Backend("comment update returned no row".into()))?
            .try_into()
    }

    async fn delete_comment(&self, id: CommentId, now_ms: i64) -> Result<(), StoreError> {
        // What the author wrote goes; the row stays so replies keep their parent.
        self.statement(
            "UPDATE comments SET status = 'deleted', body_markdown = '', body_html = '', \
               author_name = '', author_email = '', author_url = NULL, updated_at = ?2 \
             WHERE id = ?1",
            &[int(id.0), int(now_ms)],
        )?
        .run()
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn hit_rate_limit(&self, req: HitRateLimit<'_>) -> Result<u32, StoreError> {
        let count: Option<u32> = self
            .statement(
                "INSERT INTO rate_limits (key, window_start, count, expires_at) VALUES (?1, ?2, 1, ?3) \
                 ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1 \
                 RETURNING count",
                &[text(req.key), int(req.window_start_ms), int(req.expires_at_ms)],
            )?
            .first(Some("count"))
            .await
            .map_err(backend)?;
        let count =
            count.ok_or_else(|| StoreError::Backend("rate limit upsert returned no row".into()))?;
        if count == 1 {
            // A new window began: a cheap moment to purge windows that have ended.
            self.statement(
                "DELETE FROM rate_limits WHERE expires_at < ?1",
                &[int(req.window_start_ms)],
            )?
            .run()
            .await
            .map_err(backend)?;
        }
        Ok(count)
    }
}
