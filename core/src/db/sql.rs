//! [`CommentStore`] in SQL, with no database binding in sight: every statement is built
//! here and handed to a [`SqlExec`] — D1 in the Worker, SQLite (which D1 is) in the unit
//! tests, with the same `migrations/*.sql`. So the SQL is tested natively in seconds, and
//! the Worker's adapter only moves values in and rows out.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::db::store::{
    CommentStore, HitRateLimit, InsertComment, ListReplies, ModeratedComment, PageQuery, PageRows,
    Report, Reported, SetBlock, SetLike, StoreError, ThreadFlags, ThreadMeta, UpdateBody,
    UpsertThread, WhoQuery, VISIBLE,
};
use crate::domain::model::{CommentRecord, CommentStatus, ThreadRecord};
use crate::domain::rules::Standing;
use crate::wire::api::{CommentId, Sort};
use crate::wire::moderation::Decision;
use crate::wire::moderation::HeldFor;

/// A bound value. Integers stay below 2^53, so D1's JS numbers carry them exactly.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Null,
    Int(i64),
    Text(String),
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Int(n)
    }
}

impl From<u32> for Arg {
    fn from(n: u32) -> Self {
        Arg::Int(i64::from(n))
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}

impl<T: Into<Arg>> From<Option<T>> for Arg {
    fn from(v: Option<T>) -> Self {
        v.map_or(Arg::Null, Into::into)
    }
}

impl From<CommentId> for Arg {
    fn from(id: CommentId) -> Self {
        Arg::Int(id.0)
    }
}

/// One statement with positional arguments `?1`, `?2`, … (exactly as many as it uses).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub sql: String,
    pub args: Vec<Arg>,
}

impl Query {
    pub fn new(sql: impl Into<String>, args: Vec<Arg>) -> Self {
        Query {
            sql: sql.into(),
            args,
        }
    }
}

/// A result row: column name → JSON value (D1 hands rows over as JS objects).
pub type Row = serde_json::Map<String, serde_json::Value>;

/// Runs statements. Implemented over D1 by the Worker and over SQLite by the tests.
#[allow(async_fn_in_trait)]
pub trait SqlExec {
    /// One statement's rows (none for statements without `RETURNING`).
    async fn rows(&self, query: Query) -> Result<Vec<Row>, StoreError>;
    /// Several statements as one transaction and one round trip (D1 `batch`); the rows of
    /// each, in order.
    async fn batch(&self, queries: Vec<Query>) -> Result<Vec<Vec<Row>>, StoreError>;
}

/// The comment store over any [`SqlExec`].
pub struct SqlStore<E> {
    exec: E,
}

impl<E> SqlStore<E> {
    pub fn new(exec: E) -> Self {
        SqlStore { exec }
    }

    /// The executor, for the console's statements (`db::console`).
    pub(crate) fn exec(&self) -> &E {
        &self.exec
    }
}

pub(crate) const THREAD_COLUMNS: &str =
    "id, site_id, key, title, url, created_at, locked, pinned_id, meta_by_owner";
/// The one list of comment columns every query reads, matching [`CommentRow`].
pub(crate) const COMMENT_COLUMNS: &str = "id, thread_id, parent_id, root_id, status, author_name, \
     author_email, author_url, body_markdown, body_html, created_at, updated_at, likes, is_owner, \
     held_for, reports, client_hash, email_hash, reports_reviewed, author_key_hash, trashed_from";

/// `'approved', 'deleted'`: the statuses readers see, from [`VISIBLE`]. They are a closed
/// enum, so inlining them is safe and keeps bind slots (D1 allows 100) for ids.
fn visible_statuses() -> String {
    VISIBLE
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `'approved'`, for counts of published comments.
fn approved() -> String {
    format!("'{}'", CommentStatus::Approved.as_str())
}

/// `?first, ?first+1, …` for `n` values.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn decode<T: DeserializeOwned>(row: Row) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::Object(row))
        .map_err(|e| StoreError::Decode(e.to_string()))
}

pub(crate) fn decode_all<T: DeserializeOwned>(rows: Vec<Row>) -> Result<Vec<T>, StoreError> {
    rows.into_iter().map(decode).collect()
}

pub(crate) fn comments(rows: Vec<Row>) -> Result<Vec<CommentRecord>, StoreError> {
    decode_all::<CommentRow>(rows)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

pub(crate) fn one<T>(mut rows: Vec<T>, what: &str) -> Result<T, StoreError> {
    if rows.is_empty() {
        return Err(StoreError::Backend(format!("{what} returned no row")));
    }
    Ok(rows.swap_remove(0))
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

/// The statements of one thread page. They share their first arguments — `?1` site,
/// `?2` key, `?3` limit, then the cursor's `?4` key and `?5` id when paging — so each
/// statement can select "the page's top-level comments" as the same subquery.
struct PageSql {
    args: Vec<Arg>,
    top_where: String,
    order: &'static str,
    first_page: bool,
}

impl PageSql {
    fn new(req: &PageQuery<'_>) -> Self {
        // Row-value comparisons follow the ORDER BY exactly, so pages never overlap.
        let (key, order, cmp) = match req.sort {
            Sort::Oldest => ("created_at", "created_at, id", ">"),
            Sort::Newest => ("created_at", "created_at DESC, id DESC", "<"),
            Sort::Liked => ("likes", "likes DESC, id DESC", "<"),
        };
        let mut args = vec![Arg::from(req.site_id), req.key.into(), req.limit.into()];
        let after = match req.after {
            Some(pos) => {
                args.push(pos.key.into());
                args.push(pos.id.into());
                format!(" AND ({key}, id) {cmp} (?4, ?5)")
            }
            None => String::new(),
        };
        // The pinned comment is not in the ordered list: the first page shows it first.
        let top_where = format!(
            "thread_id = (SELECT id FROM threads WHERE site_id = ?1 AND key = ?2) \
             AND parent_id IS NULL AND status IN ({}){after} \
             AND id IS NOT (SELECT pinned_id FROM threads WHERE site_id = ?1 AND key = ?2)",
            visible_statuses()
        );
        PageSql {
            args,
            top_where,
            order,
            first_page: req.after.is_none(),
        }
    }

    /// The pinned top-level comment, on the first page only.
    fn pinned(&self) -> Query {
        let only_first = if self.first_page { "" } else { " AND 0" };
        Query::new(
            format!(
                "SELECT {COMMENT_COLUMNS} FROM comments WHERE id = \
                   (SELECT pinned_id FROM threads WHERE site_id = ?1 AND key = ?2) \
                 AND parent_id IS NULL AND status IN ({}){only_first}",
                visible_statuses()
            ),
            self.args[..2].to_vec(),
        )
    }

    fn top(&self) -> Query {
        Query::new(
            format!(
                "SELECT {COMMENT_COLUMNS} FROM comments WHERE {} ORDER BY {} LIMIT ?3",
                self.top_where, self.order
            ),
            self.args.clone(),
        )
    }

    /// The page's top-level ids (the pinned one included on the first page).
    fn top_ids(&self) -> String {
        let pinned = if self.first_page {
            " UNION SELECT pinned_id FROM threads WHERE site_id = ?1 AND key = ?2 \
              AND pinned_id IS NOT NULL"
        } else {
            ""
        };
        format!(
            "SELECT id FROM (SELECT id FROM comments WHERE {} ORDER BY {} LIMIT ?3){pinned}",
            self.top_where, self.order
        )
    }

    fn replies(&self, per_root: u32) -> Query {
        let n = self.args.len() + 1;
        let mut args = self.args.clone();
        args.push(per_root.into());
        Query::new(
            format!(
                "SELECT {COMMENT_COLUMNS} FROM ( \
                   SELECT *, ROW_NUMBER() OVER (PARTITION BY root_id ORDER BY created_at, id) AS n \
                   FROM comments WHERE root_id IN ({}) AND status IN ({}) \
                 ) WHERE n <= ?{n} ORDER BY created_at, id",
                self.top_ids(),
                visible_statuses()
            ),
            args,
        )
    }

    fn reply_counts(&self) -> Query {
        Query::new(
            format!(
                "SELECT root_id, COUNT(*) AS n FROM comments WHERE root_id IN ({}) \
                 AND status = {} GROUP BY root_id",
                self.top_ids(),
                approved()
            ),
            self.args.clone(),
        )
    }
}

impl<E: SqlExec> CommentStore for SqlStore<E> {
    async fn find_thread(
        &self,
        site_id: &str,
        key: &str,
    ) -> Result<Option<ThreadRecord>, StoreError> {
        let rows = self
            .exec
            .rows(Query::new(
                format!("SELECT {THREAD_COLUMNS} FROM threads WHERE site_id = ?1 AND key = ?2"),
                vec![site_id.into(), key.into()],
            ))
            .await?;
        Ok(decode_all::<ThreadRow>(rows)?
            .into_iter()
            .next()
            .map(Into::into))
    }

    async fn upsert_thread(&self, req: UpsertThread<'_>) -> Result<ThreadRecord, StoreError> {
        // One round trip: insert, or keep the existing row and fill in a title/url that an
        // earlier comment did not know.
        let rows = self
            .exec
            .rows(Query::new(
                format!(
                    "INSERT INTO threads (site_id, key, title, url, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT (site_id, key) DO UPDATE SET \
                       title = COALESCE(threads.title, excluded.title), \
                       url = COALESCE(threads.url, excluded.url) \
                     RETURNING {THREAD_COLUMNS}"
                ),
                vec![
                    req.site_id.into(),
                    req.key.into(),
                    req.title.into(),
                    req.url.into(),
                    req.now_ms.into(),
                ],
            ))
            .await?;
        Ok(one(decode_all::<ThreadRow>(rows)?, "thread upsert")?.into())
    }

    async fn thread_page(&self, req: PageQuery<'_>) -> Result<PageRows, StoreError> {
        let page = PageSql::new(&req);
        let site_and_key = vec![Arg::from(req.site_id), req.key.into()];
        let results = self
            .exec
            .batch(vec![
                Query::new(
                    format!("SELECT {THREAD_COLUMNS} FROM threads WHERE site_id = ?1 AND key = ?2"),
                    site_and_key.clone(),
                ),
                page.top(),
                page.pinned(),
                page.replies(req.reply_preview),
                page.reply_counts(),
                Query::new(
                    format!(
                        "SELECT COUNT(*) AS n FROM comments WHERE status = {} AND thread_id = \
                         (SELECT id FROM threads WHERE site_id = ?1 AND key = ?2)",
                        approved()
                    ),
                    site_and_key,
                ),
            ])
            .await?;
        let [thread, top, pinned, replies, counts, total]: [Vec<Row>; 6] = results
            .try_into()
            .map_err(|_| StoreError::Backend("page batch returned the wrong count".into()))?;
        #[derive(Deserialize)]
        struct RootCount {
            root_id: i64,
            n: u32,
        }
        Ok(PageRows {
            thread: decode_all::<ThreadRow>(thread)?
                .into_iter()
                .next()
                .map(Into::into),
            top: comments(pinned)?
                .into_iter()
                .chain(comments(top)?)
                .collect(),
            replies: comments(replies)?,
            reply_counts: decode_all::<RootCount>(counts)?
                .into_iter()
                .map(|r| (CommentId(r.root_id), r.n))
                .collect(),
            total: one(decode_all::<CountRow>(total)?, "thread total")?.n,
        })
    }

    async fn list_replies(&self, req: ListReplies<'_>) -> Result<Vec<CommentRecord>, StoreError> {
        if req.root_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec![Arg::from(req.per_root.map(i64::from).unwrap_or(i64::MAX))];
        args.extend(req.root_ids.iter().map(|id| Arg::from(*id)));
        let rows = self
            .exec
            .rows(Query::new(
                format!(
                    "SELECT {COMMENT_COLUMNS} FROM ( \
                       SELECT *, ROW_NUMBER() OVER (PARTITION BY root_id ORDER BY created_at, id) AS n \
                       FROM comments WHERE root_id IN ({}) AND status IN ({}) \
                     ) WHERE n <= ?1 ORDER BY created_at, id",
                    placeholders(2, req.root_ids.len()),
                    visible_statuses()
                ),
                args,
            ))
            .await?;
        comments(rows)
    }

    async fn count_visible(
        &self,
        site_id: &str,
        keys: &[&str],
    ) -> Result<HashMap<String, u32>, StoreError> {
        #[derive(Deserialize)]
        struct KeyCount {
            key: String,
            n: u32,
        }
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let mut args = vec![Arg::from(site_id)];
        args.extend(keys.iter().map(|k| Arg::from(*k)));
        let rows = self
            .exec
            .rows(Query::new(
                format!(
                    "SELECT t.key AS key, COUNT(c.id) AS n FROM threads t \
                     LEFT JOIN comments c ON c.thread_id = t.id AND c.status = {} \
                     WHERE t.site_id = ?1 AND t.key IN ({}) GROUP BY t.key",
                    approved(),
                    placeholders(2, keys.len())
                ),
                args,
            ))
            .await?;
        Ok(decode_all::<KeyCount>(rows)?
            .into_iter()
            .map(|r| (r.key, r.n))
            .collect())
    }

    async fn set_like(&self, req: SetLike<'_>) -> Result<(u32, bool), StoreError> {
        let change = if req.liked {
            // Not when this client already likes it under another reader id.
            Query::new(
                "INSERT OR IGNORE INTO likes (comment_id, reader_hash, client_hash, created_at) \
                 SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM likes \
                   WHERE comment_id = ?1 AND client_hash = ?3 AND reader_hash <> ?2)",
                vec![
                    req.id.into(),
                    req.reader_hash.into(),
                    req.client_hash.into(),
                    req.now_ms.into(),
                ],
            )
        } else {
            Query::new(
                "DELETE FROM likes WHERE comment_id = ?1 AND reader_hash = ?2",
                vec![req.id.into(), req.reader_hash.into()],
            )
        };
        let recount = Query::new(
            "UPDATE comments SET likes = (SELECT COUNT(*) FROM likes WHERE comment_id = ?1) \
             WHERE id = ?1 RETURNING likes AS n",
            vec![req.id.into()],
        );
        let mine = Query::new(
            "SELECT COUNT(*) AS n FROM likes WHERE comment_id = ?1 AND reader_hash = ?2",
            vec![req.id.into(), req.reader_hash.into()],
        );
        // One batch is one transaction: the counter always matches the rows.
        let results = self.exec.batch(vec![change, recount, mine]).await?;
        let [_, count, mine]: [Vec<Row>; 3] = results
            .try_into()
            .map_err(|_| StoreError::Backend("like batch returned the wrong count".into()))?;
        Ok((
            one(decode_all::<CountRow>(count)?, "like recount")?.n,
            one(decode_all::<CountRow>(mine)?, "own like")?.n > 0,
        ))
    }

    async fn use_form_token(
        &self,
        token_id: &str,
        expires_at_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let results = self
            .exec
            .batch(vec![
                Query::new(
                    "DELETE FROM form_token_uses WHERE expires_at < ?1",
                    vec![now_ms.into()],
                ),
                Query::new(
                    "INSERT INTO form_token_uses (token, expires_at) VALUES (?1, ?2) \
                     ON CONFLICT (token) DO NOTHING RETURNING 1 AS n",
                    vec![token_id.into(), expires_at_ms.into()],
                ),
            ])
            .await?;
        Ok(results.last().is_some_and(|rows| !rows.is_empty()))
    }

    async fn find_comment(&self, id: CommentId) -> Result<Option<CommentRecord>, StoreError> {
        let rows = self
            .exec
            .rows(Query::new(
                format!("SELECT {COMMENT_COLUMNS} FROM comments WHERE id = ?1"),
                vec![id.into()],
            ))
            .await?;
        Ok(comments(rows)?.into_iter().next())
    }

    async fn find_comment_in_thread(
        &self,
        id: CommentId,
    ) -> Result<Option<(CommentRecord, ThreadRecord)>, StoreError> {
        let Some(comment) = self.find_comment(id).await? else {
            return Ok(None);
        };
        let rows = self
            .exec
            .rows(Query::new(
                format!("SELECT {THREAD_COLUMNS} FROM threads WHERE id = ?1"),
                vec![comment.thread_id.into()],
            ))
            .await?;
        Ok(decode_all::<ThreadRow>(rows)?
            .into_iter()
            .next()
            .map(|t| (comment, t.into())))
    }

    async fn insert_comment(&self, req: InsertComment<'_>) -> Result<CommentRecord, StoreError> {
        let rows = self
            .exec
            .rows(Query::new(
                format!(
                    "INSERT INTO comments (thread_id, parent_id, status, author_name, author_email, \
                       author_url, body_markdown, body_html, created_at, client_hash, root_id, is_owner, \
                       email_hash, author_key_hash, held_for, notified_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
                       CASE WHEN ?3 = 'approved' THEN ?9 END) \
                     RETURNING {COMMENT_COLUMNS}"
                ),
                vec![
                    req.thread_id.into(),
                    req.parent_id.into(),
                    req.status.as_str().into(),
                    req.author_name.into(),
                    req.author_email.into(),
                    req.author_url.into(),
                    req.body_markdown.into(),
                    req.body_html.into(),
                    req.created_at_ms.into(),
                    req.client_hash.into(),
                    req.root_id.into(),
                    i64::from(req.is_owner).into(),
                    req.email_hash.into(),
                    req.author_key_hash.into(),
                    req.held_for.map(HeldFor::as_str).into(),
                ],
            ))
            .await?;
        one(comments(rows)?, "comment insert")
    }

    async fn update_body(&self, req: UpdateBody<'_>) -> Result<Option<CommentRecord>, StoreError> {
        let rows = self
            .exec
            .rows(Query::new(
                format!(
                    "UPDATE comments SET body_markdown = ?2, body_html = ?3, updated_at = ?4, \
                       status = COALESCE(?5, status), held_for = COALESCE(?6, held_for), \
                       reports_reviewed = 0 \
                     WHERE id = ?1 AND status <> '{}' RETURNING {COMMENT_COLUMNS}",
                    CommentStatus::Deleted.as_str()
                ),
                vec![
                    req.id.into(),
                    req.body_markdown.into(),
                    req.body_html.into(),
                    req.now_ms.into(),
                    req.status.map(|s| s.as_str()).into(),
                    req.held_for.map(HeldFor::as_str).into(),
                ],
            ))
            .await?;
        Ok(comments(rows)?.into_iter().next())
    }

    async fn delete_comment(&self, id: CommentId, now_ms: i64) -> Result<(), StoreError> {
        // What the author wrote goes; the row stays so replies keep their parent. A kept
        // idempotent answer (which repeats the words) goes with it.
        self.exec
            .batch(vec![
                Query::new(
                    format!(
                        "UPDATE comments SET status = '{}', body_markdown = '', body_html = '', \
                           author_name = '', author_email = '', author_url = NULL, updated_at = ?2, \
                           trashed_from = NULL, trashed_at = NULL \
                         WHERE id = ?1",
                        CommentStatus::Deleted.as_str()
                    ),
                    vec![id.into(), now_ms.into()],
                ),
                Query::new(
                    "DELETE FROM idempotency WHERE comment_id = ?1",
                    vec![id.into()],
                ),
            ])
            .await?;
        Ok(())
    }

    async fn hit_rate_limit(&self, req: HitRateLimit<'_>) -> Result<u32, StoreError> {
        let rows = self
            .exec
            .rows(Query::new(
                "INSERT INTO rate_limits (key, window_start, count, expires_at) VALUES (?1, ?2, 1, ?3) \
                 ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1 \
                 RETURNING count AS n",
                vec![req.key.into(), req.window_start_ms.into(), req.expires_at_ms.into()],
            ))
            .await?;
        let count = one(decode_all::<CountRow>(rows)?, "rate limit upsert")?.n;
        if count == 1 {
            // A new window began: a cheap moment to purge windows that have ended.
            self.exec
                .rows(Query::new(
                    "DELETE FROM rate_limits WHERE expires_at < ?1",
                    vec![req.window_start_ms.into()],
                ))
                .await?;
        }
        Ok(count)
    }

    async fn rate_limit_count(&self, key: &str, window_start_ms: i64) -> Result<u32, StoreError> {
        let rows = self
            .exec
            .rows(Query::new(
                "SELECT COALESCE(MAX(count), 0) AS n FROM rate_limits WHERE key = ?1 AND window_start = ?2",
                vec![key.into(), window_start_ms.into()],
            ))
            .await?;
        Ok(one(decode_all::<CountRow>(rows)?, "rate limit count")?.n)
    }

    async fn standing(&self, req: WhoQuery<'_>) -> Result<Standing, StoreError> {
        #[derive(Deserialize)]
        struct StandingRow {
            trusted: u32,
            blocked: u32,
            reports: u32,
        }
        let rows = self
            .exec
            .rows(Query::new(
                format!(
                    "SELECT \
                       (SELECT COUNT(*) FROM comments WHERE email_hash = ?1 \
                          AND author_key_hash = ?2 AND status = {}) AS trusted, \
                       (SELECT COUNT(*) FROM blocks WHERE (kind = 'email' AND hash = ?1) \
                          OR (kind = 'client' AND hash = ?3)) AS blocked, \
                       (SELECT COALESCE(SUM(reports), 0) FROM comments WHERE email_hash = ?1 \
                          AND (author_key_hash = ?2 OR client_hash = ?3)) AS reports",
                    approved()
                ),
                vec![
                    req.email_hash.into(),
                    req.author_key_hash.into(),
                    req.client_hash.into(),
                ],
            ))
            .await?;
        let row = one(decode_all::<StandingRow>(rows)?, "standing")?;
        Ok(Standing {
            trusted_comments: row.trusted,
            blocked: row.blocked > 0,
            reports_against: row.reports,
        })
    }

    async fn set_thread(&self, req: ThreadFlags<'_>) -> Result<Option<ThreadRecord>, StoreError> {
        let (change_pin, pin) = match req.pinned {
            Some(p) => (1, p),
            None => (0, None),
        };
        let rows = self
            .exec
            .rows(Query::new(
                format!(
                    "UPDATE threads SET locked = COALESCE(?3, locked), \
                       pinned_id = CASE WHEN ?4 = 1 THEN ?5 ELSE pinned_id END \
                     WHERE site_id = ?1 AND key = ?2 RETURNING {THREAD_COLUMNS}"
                ),
                vec![
                    req.site_id.into(),
                    req.key.into(),
                    req.locked.map(i64::from).into(),
                    Arg::Int(change_pin),
                    pin.into(),
                ],
            ))
            .await?;
        Ok(decode_all::<ThreadRow>(rows)?
            .into_iter()
            .next()
            .map(Into::into))
    }

    async fn set_thread_meta(
        &self,
        req: ThreadMeta<'_>,
    ) -> Result<Option<ThreadRecord>, StoreError> {
        let rows = self
            .exec
            .rows(Query::new(
                format!(
                    "UPDATE threads SET title = COALESCE(?3, title), url = COALESCE(?4, url), \
                       meta_by_owner = MAX(meta_by_owner, ?5) \
                     WHERE site_id = ?1 AND key = ?2 AND (?5 = 1 OR meta_by_owner = 0) \
                     RETURNING {THREAD_COLUMNS}"
                ),
                vec![
                    req.site_id.into(),
                    req.key.into(),
                    req.title.into(),
                    req.url.into(),
                    i64::from(req.by_owner).into(),
                ],
            ))
            .await?;
        Ok(decode_all::<ThreadRow>(rows)?
            .into_iter()
            .next()
            .map(Into::into))
    }

    async fn set_block(&self, req: SetBlock<'_>) -> Result<(), StoreError> {
        let query = if req.on {
            Query::new(
                "INSERT INTO blocks (kind, hash, label, created_at, email_hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (kind, hash) DO UPDATE SET label = excluded.label, \
                   email_hash = excluded.email_hash",
                vec![
                    req.kind.as_str().into(),
                    req.hash.into(),
                    req.label.into(),
                    req.now_ms.into(),
                    req.email_hash.into(),
                ],
            )
        } else {
            Query::new(
                "DELETE FROM blocks WHERE kind = ?1 AND hash = ?2",
                vec![req.kind.as_str().into(), req.hash.into()],
            )
        };
        self.exec.rows(query).await?;
        Ok(())
    }

    async fn moderate(
        &self,
        ids: &[CommentId],
        decision: Decision,
        now_ms: i64,
    ) -> Result<Vec<ModeratedComment>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec![Arg::from(now_ms)];
        args.extend(ids.iter().map(|id| Arg::from(*id)));
        let list = placeholders(2, ids.len());
        let deleted = CommentStatus::Deleted.as_str();
        let in_queue_or_public = format!("id IN ({list}) AND status <> '{deleted}' AND ?1 = ?1");
        let change = match decision {
            Decision::Approve => format!(
                "UPDATE comments SET status = '{}', held_for = NULL, reports = 0, \
                   notified_at = COALESCE(notified_at, ?1), \
                   reports_reviewed = CASE WHEN reports > 0 OR held_for = '{}' THEN 1 \
                     ELSE reports_reviewed END \
                 WHERE {in_queue_or_public} AND (status <> '{}' OR reports > 0)",
                CommentStatus::Approved.as_str(),
                HeldFor::Reported.as_str(),
                CommentStatus::Approved.as_str(),
            ),
            Decision::Spam => format!(
                "UPDATE comments SET status = '{}', held_for = NULL \
                 WHERE {in_queue_or_public} AND status <> '{}'",
                CommentStatus::Spam.as_str(),
                CommentStatus::Spam.as_str()
            ),
            Decision::Hold => format!(
                "UPDATE comments SET status = '{}', held_for = NULL \
                 WHERE {in_queue_or_public} AND status <> '{}'",
                CommentStatus::Pending.as_str(),
                CommentStatus::Pending.as_str()
            ),
            // Out of sight as a placeholder, words kept for a restore.
            Decision::Trash => format!(
                "UPDATE comments SET trashed_from = status, trashed_at = ?1, \
                   status = '{deleted}', held_for = NULL \
                 WHERE id IN ({list}) AND status <> '{deleted}'"
            ),
            Decision::Restore => format!(
                "UPDATE comments SET status = trashed_from, trashed_from = NULL, \
                   trashed_at = NULL \
                 WHERE id IN ({list}) AND trashed_from IS NOT NULL AND ?1 = ?1"
            ),
            // What the author wrote goes; the row stays so replies keep their parent.
            Decision::Delete => format!(
                "UPDATE comments SET status = '{deleted}', held_for = NULL, body_markdown = '', \
                   body_html = '', author_name = '', author_email = '', author_url = NULL, \
                   updated_at = ?1, trashed_from = NULL, trashed_at = NULL \
                 WHERE id IN ({list}) AND trashed_from IS NOT NULL"
            ),
        };
        // What each was before, read in the same transaction as the change.
        let mut queries = vec![
            Query::new(
                format!(
                    "SELECT c.id AS id, t.key AS key, c.status AS status, \
                       c.notified_at IS NULL AS never_published FROM comments c \
                     JOIN threads t ON t.id = c.thread_id WHERE c.id IN ({list}) AND ?1 = ?1"
                ),
                args.clone(),
            ),
            Query::new(format!("{change} RETURNING id"), args.clone()),
        ];
        // A kept idempotent answer repeats the words: a retry must not show them again.
        // Notifications about it not sent yet stay unsent (a trashed comment announces
        // nothing); deleted for good, none of them keeps its words.
        if matches!(decision, Decision::Delete | Decision::Trash) {
            queries.push(Query::new(
                format!("DELETE FROM idempotency WHERE comment_id IN ({list}) AND ?1 = ?1"),
                args.clone(),
            ));
        }
        // Out of sight again (Unapprove, an Undo, the Trash): what was queued about it and
        // not sent yet stays unsent; deleted for good, none of it is kept.
        if matches!(
            decision,
            Decision::Delete | Decision::Trash | Decision::Hold
        ) {
            let unsent = if decision == Decision::Delete {
                ""
            } else {
                " AND sent_at IS NULL"
            };
            queries.push(Query::new(
                format!("DELETE FROM outbox WHERE comment_id IN ({list}) AND ?1 = ?1{unsent}"),
                args.clone(),
            ));
        }
        if decision == Decision::Approve {
            queries.push(Query::new(
                format!(
                    "DELETE FROM reports WHERE comment_id IN ({list}) AND ?1 = ?1 \
                       AND comment_id IN (SELECT id FROM comments WHERE status = '{}')",
                    CommentStatus::Approved.as_str()
                ),
                args,
            ));
        }
        #[derive(Deserialize)]
        struct Before {
            id: i64,
            key: String,
            status: String,
            never_published: i64,
        }
        #[derive(Deserialize)]
        struct Id {
            id: i64,
        }
        let mut results = self.exec.batch(queries).await?.into_iter();
        let before = decode_all::<Before>(results.next().unwrap_or_default())?;
        let changed: std::collections::HashSet<i64> =
            decode_all::<Id>(results.next().unwrap_or_default())?
                .into_iter()
                .map(|r| r.id)
                .collect();
        let mut out: Vec<ModeratedComment> = before
            .into_iter()
            .filter(|b| changed.contains(&b.id))
            .map(|b| ModeratedComment {
                id: CommentId(b.id),
                thread: b.key,
                was: CommentStatus::parse(&b.status).unwrap_or(CommentStatus::Deleted),
                first_publication: decision == Decision::Approve && b.never_published != 0,
            })
            .collect();
        out.sort_by_key(|c| c.id);
        Ok(out)
    }

    async fn report(&self, req: Report<'_>) -> Result<Reported, StoreError> {
        let results = self
            .exec
            .batch(vec![
                Query::new(
                    "INSERT INTO reports (comment_id, reporter_hash, reason, created_at) \
                     SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM comments WHERE id = ?1) \
                     ON CONFLICT (comment_id, reporter_hash) DO NOTHING RETURNING 1 AS n",
                    vec![
                        req.id.into(),
                        req.reporter_hash.into(),
                        req.reason.into(),
                        req.now_ms.into(),
                    ],
                ),
                Query::new(
                    "UPDATE comments SET reports = (SELECT COUNT(*) FROM reports WHERE comment_id = ?1) \
                     WHERE id = ?1 RETURNING reports AS n",
                    vec![req.id.into()],
                ),
                Query::new(
                    format!(
                        "UPDATE comments SET status = '{}', held_for = '{}' \
                         WHERE id = ?1 AND status = {} AND reports >= ?2 \
                           AND is_owner = 0 AND reports_reviewed = 0 RETURNING 1 AS n",
                        CommentStatus::Pending.as_str(),
                        HeldFor::Reported.as_str(),
                        approved()
                    ),
                    vec![req.id.into(), req.threshold.max(1).into()],
                ),
            ])
            .await?;
        let [inserted, count, hidden]: [Vec<Row>; 3] = results
            .try_into()
            .map_err(|_| StoreError::Backend("report batch returned the wrong count".into()))?;
        Ok(Reported {
            reports: decode_all::<CountRow>(count)?
                .into_iter()
                .next()
                .map_or(0, |r| r.n),
            hidden: !hidden.is_empty(),
            counted: !inserted.is_empty(),
        })
    }
}
