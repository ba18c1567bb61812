//! [`CommentStore`] over Cloudflare D1. SQL lives here and only here.

use std::collections::HashMap;

use colloquy_core::api::Sort;
use colloquy_core::model::{CommentId, CommentRecord, CommentStatus, ThreadRecord};
use colloquy_core::store::{
    CommentStore, HitRateLimit, InsertComment, ListReplies, ListTopLevel, StoreError, UpdateBody,
    UpsertThread, VISIBLE,
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

    async fn all<T: for<'de> Deserialize<'de>>(
        &self,
        sql: &str,
        binds: &[JsValue],
    ) -> Result<Vec<T>, StoreError> {
        self.statement(sql, binds)?
            .all()
            .await
            .map_err(backend)?
            .results()
            .map_err(|e| StoreError::Decode(e.to_string()))
    }

    async fn rows(&self, sql: &str, binds: &[JsValue]) -> Result<Vec<CommentRecord>, StoreError> {
        let rows: Vec<CommentRow> = self.all(sql, binds).await?;
        rows.into_iter().map(TryInto::try_into).collect()
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
const COMMENT_COLUMNS: &str = "id, thread_id, parent_id, root_id, status, author_name, \
     author_email, author_url, body_markdown, body_html, created_at, updated_at, likes, is_owner";

/// `IN (...)` over the visible statuses. They are a closed enum, so inlining their names is
/// safe and keeps bind slots (D1 allows 100) for ids.
fn visible_statuses() -> String {
    let names: Vec<String> = VISIBLE
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    names.join(", ")
}

/// `?2, ?3, …` for `n` values bound after `first - 1` others.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

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

    async fn list_top_level(&self, req: ListTopLevel) -> Result<Vec<CommentRecord>, StoreError> {
        // Row-value comparisons follow the ORDER BY exactly, so pages never overlap.
        let (key, order, cmp) = match req.sort {
            Sort::Oldest => ("created_at", "created_at, id", ">"),
            Sort::Newest => ("created_at", "created_at DESC, id DESC", "<"),
            Sort::Liked => ("likes", "likes DESC, id DESC", "<"),
        };
        let mut binds = vec![int(req.thread_id), JsValue::from_f64(f64::from(req.limit))];
        let after = match req.after {
            Some(pos) => {
                binds.push(int(pos.key));
                binds.push(int(pos.id));
                format!("AND ({key}, id) {cmp} (?3, ?4)")
            }
            None => String::new(),
        };
        let sql = format!(
            "SELECT {COMMENT_COLUMNS} FROM comments WHERE thread_id = ?1 AND parent_id IS NULL \
             AND status IN ({}) {after} ORDER BY {order} LIMIT ?2",
            visible_statuses()
        );
        self.rows(&sql, &binds).await
    }

    async fn list_replies(&self, req: ListReplies<'_>) -> Result<Vec<CommentRecord>, StoreError> {
        if req.root_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds = vec![JsValue::from_f64(f64::from(
            req.per_root.unwrap_or(u32::MAX),
        ))];
        binds.extend(req.root_ids.iter().map(|id| int(id.0)));
        let sql = format!(
            "SELECT {COMMENT_COLUMNS} FROM ( \
               SELECT *, ROW_NUMBER() OVER (PARTITION BY root_id ORDER BY created_at, id) AS n \
               FROM comments WHERE root_id IN ({}) AND status IN ({}) \
             ) WHERE n <= ?1 ORDER BY created_at, id",
            placeholders(2, req.root_ids.len()),
            visible_statuses()
        );
        self.rows(&sql, &binds).await
    }

    async fn count_replies(
        &self,
        root_ids: &[CommentId],
    ) -> Result<HashMap<CommentId, u32>, StoreError> {
        #[derive(Deserialize)]
        struct Row {
            root_id: i64,
            n: u32,
        }
        if root_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let binds: Vec<JsValue> = root_ids.iter().map(|id| int(id.0)).collect();
        let sql = format!(
            "SELECT root_id, COUNT(*) AS n FROM comments WHERE root_id IN ({}) AND status = 'approved' \
             GROUP BY root_id",
            placeholders(1, root_ids.len())
        );
        let rows: Vec<Row> = self.all(&sql, &binds).await?;
        Ok(rows
            .into_iter()
            .map(|r| (CommentId(r.root_id), r.n))
            .collect())
    }

    async fn count_visible(
        &self,
        site_id: &str,
        keys: &[&str],
    ) -> Result<HashMap<String, u32>, StoreError> {
        #[derive(Deserialize)]
        struct Row {
            key: String,
            n: u32,
        }
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let mut binds = vec![text(site_id)];
        binds.extend(keys.iter().map(|k| text(k)));
        let sql = format!(
            "SELECT t.key AS key, COUNT(c.id) AS n FROM threads t \
             LEFT JOIN comments c ON c.thread_id = t.id AND c.status = 'approved' \
             WHERE t.site_id = ?1 AND t.key IN ({}) GROUP BY t.key",
            placeholders(2, keys.len())
        );
        let rows: Vec<Row> = self.all(&sql, &binds).await?;
        Ok(rows.into_iter().map(|r| (r.key, r.n)).collect())
    }

    async fn set_like(
        &self,
        id: CommentId,
        reader_hash: &str,
        liked: bool,
        now_ms: i64,
    ) -> Result<u32, StoreError> {
        let change = if liked {
            self.statement(
                "INSERT OR IGNORE INTO likes (comment_id, reader_hash, created_at) VALUES (?1, ?2, ?3)",
                &[int(id.0), text(reader_hash), int(now_ms)],
            )?
        } else {
            self.statement(
                "DELETE FROM likes WHERE comment_id = ?1 AND reader_hash = ?2",
                &[int(id.0), text(reader_hash)],
            )?
        };
        let recount = self.statement(
            "UPDATE comments SET likes = (SELECT COUNT(*) FROM likes WHERE comment_id = ?1) \
             WHERE id = ?1 RETURNING likes",
            &[int(id.0)],
        )?;
        // One batch is one transaction: the counter always matches the rows.
        let results = self
            .db
            .batch(vec![change, recount])
            .await
            .map_err(backend)?;
        #[derive(Deserialize)]
        struct Row {
            likes: u32,
        }
        let rows: Vec<Row> = results
            .last()
            .ok_or_else(|| StoreError::Backend("like batch returned nothing".into()))?
            .results()
            .map_err(|e| StoreError::Decode(e.to_string()))?;
        rows.first()
            .map(|r| r.likes)
            .ok_or_else(|| StoreError::Backend("like recount returned no row".into()))
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
               author_url, body_markdown, body_html, created_at, client_hash, root_id, is_owner) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING {COMMENT_COLUMNS}"
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
                    req.root_id.map_or(JsValue::NULL, |r| int(r.0)),
                    int(i64::from(req.is_owner)),
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
