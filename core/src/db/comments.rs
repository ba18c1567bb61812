//! [`CommentStore`] in SQL: threads, pages, replies, likes, form tokens, comments and rate
//! limits, every statement built here and handed to the [`SqlExec`].

use crate::db::exec::{decode_all, one, placeholders, Arg, Query, Row, SqlExec, SqlStore};
use crate::db::pages::PageSql;
use crate::db::rows::{
    approved, comments, visible_statuses, CountRow, ThreadRow, COMMENT_COLUMNS, THREAD_COLUMNS,
};
use std::collections::HashMap;

use serde::Deserialize;

use crate::db::store::{
    CommentStore, HitRateLimit, InsertComment, ListReplies, ModeratedComment, PageQuery, PageRows,
    Report, Reported, SetBlock, SetLike, StoreError, ThreadFlags, ThreadMeta, UpdateBody,
    UpsertThread, WhoQuery,
};
use crate::domain::model::{CommentRecord, ThreadRecord};
use crate::domain::rules::Standing;
use crate::wire::api::CommentId;
use crate::wire::moderation::CommentStatus;
use crate::wire::moderation::Decision;
use crate::wire::moderation::HeldFor;

impl<E: SqlExec> CommentStore for SqlStore<E> {
    async fn find_thread(&self, key: &str) -> Result<Option<ThreadRecord>, StoreError> {
        let rows = self
            .exec()
            .rows(Query::new(
                format!("SELECT {THREAD_COLUMNS} FROM threads WHERE site_id = ?1 AND key = ?2"),
                vec![self.site(), key.into()],
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
            .exec()
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
                    self.site(),
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
        let page = PageSql::new(&req, self.site());
        let site_and_key = vec![self.site(), req.key.into()];
        let results = self
            .exec()
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
        let mut args = vec![
            Arg::from(req.per_root.map(i64::from).unwrap_or(i64::MAX)),
            self.site(),
        ];
        args.extend(req.root_ids.iter().map(|id| Arg::from(*id)));
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT {COMMENT_COLUMNS} FROM ( \
                       SELECT *, ROW_NUMBER() OVER (PARTITION BY root_id ORDER BY created_at, id) AS n \
                       FROM comments WHERE site_id = ?2 AND root_id IN ({}) AND status IN ({}) \
                     ) WHERE n <= ?1 ORDER BY created_at, id",
                    placeholders(3, req.root_ids.len()),
                    visible_statuses()
                ),
                args,
            ))
            .await?;
        comments(rows)
    }

    async fn count_visible(&self, keys: &[&str]) -> Result<HashMap<String, u32>, StoreError> {
        #[derive(Deserialize)]
        struct KeyCount {
            key: String,
            n: u32,
        }
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let mut args = vec![self.site()];
        args.extend(keys.iter().map(|k| Arg::from(*k)));
        let rows = self
            .exec()
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
                 SELECT ?1, ?2, ?3, ?4 \
                 WHERE EXISTS (SELECT 1 FROM comments WHERE id = ?1 AND site_id = ?5) \
                   AND NOT EXISTS (SELECT 1 FROM likes \
                     WHERE comment_id = ?1 AND client_hash = ?3 AND reader_hash <> ?2)",
                vec![
                    req.id.into(),
                    req.reader_hash.into(),
                    req.client_hash.into(),
                    req.now_ms.into(),
                    self.site(),
                ],
            )
        } else {
            Query::new(
                "DELETE FROM likes WHERE comment_id = ?1 AND reader_hash = ?2 \
                 AND comment_id IN (SELECT id FROM comments WHERE id = ?1 AND site_id = ?3)",
                vec![req.id.into(), req.reader_hash.into(), self.site()],
            )
        };
        let recount = Query::new(
            "UPDATE comments SET likes = (SELECT COUNT(*) FROM likes WHERE comment_id = ?1) \
             WHERE id = ?1 AND site_id = ?2 RETURNING likes AS n",
            vec![req.id.into(), self.site()],
        );
        let mine = Query::new(
            "SELECT COUNT(*) AS n FROM likes WHERE comment_id = ?1 AND reader_hash = ?2",
            vec![req.id.into(), req.reader_hash.into()],
        );
        // One batch is one transaction: the counter always matches the rows.
        let results = self.exec().batch(vec![change, recount, mine]).await?;
        let [_, count, mine]: [Vec<Row>; 3] = results
            .try_into()
            .map_err(|_| StoreError::Backend("like batch returned the wrong count".into()))?;
        Ok((
            // Another site's comment (or none): nothing counted, nothing liked.
            decode_all::<CountRow>(count)?.first().map_or(0, |c| c.n),
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
            .exec()
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
            .exec()
            .rows(Query::new(
                format!("SELECT {COMMENT_COLUMNS} FROM comments WHERE id = ?1 AND site_id = ?2"),
                vec![id.into(), self.site()],
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
            .exec()
            .rows(Query::new(
                format!("SELECT {THREAD_COLUMNS} FROM threads WHERE id = ?1 AND site_id = ?2"),
                vec![comment.thread_id.into(), self.site()],
            ))
            .await?;
        Ok(decode_all::<ThreadRow>(rows)?
            .into_iter()
            .next()
            .map(|t| (comment, t.into())))
    }

    async fn insert_comment(&self, req: InsertComment<'_>) -> Result<CommentRecord, StoreError> {
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "INSERT INTO comments (thread_id, parent_id, status, author_name, author_email, \
                       author_url, body_markdown, body_html, created_at, client_hash, root_id, is_owner, \
                       email_hash, author_key_hash, held_for, notified_at, site_id) \
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
                       CASE WHEN ?3 = 'approved' THEN ?9 END, ?16 \
                     WHERE EXISTS (SELECT 1 FROM threads WHERE id = ?1 AND site_id = ?16) \
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
                    self.site(),
                ],
            ))
            .await?;
        one(comments(rows)?, "comment insert")
    }

    async fn update_body(&self, req: UpdateBody<'_>) -> Result<Option<CommentRecord>, StoreError> {
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "UPDATE comments SET body_markdown = ?2, body_html = ?3, updated_at = ?4, \
                       status = COALESCE(?5, status), held_for = COALESCE(?6, held_for), \
                       reports_reviewed = 0 \
                     WHERE id = ?1 AND site_id = ?7 AND status <> '{}' RETURNING {COMMENT_COLUMNS}",
                    CommentStatus::Deleted.as_str()
                ),
                vec![
                    req.id.into(),
                    req.body_markdown.into(),
                    req.body_html.into(),
                    req.now_ms.into(),
                    req.status.map(|s| s.as_str()).into(),
                    req.held_for.map(HeldFor::as_str).into(),
                    self.site(),
                ],
            ))
            .await?;
        Ok(comments(rows)?.into_iter().next())
    }

    async fn delete_comment(&self, id: CommentId, now_ms: i64) -> Result<(), StoreError> {
        // What the author wrote goes; the row stays so replies keep their parent. A kept
        // idempotent answer (which repeats the words) goes with it.
        self.exec()
            .batch(vec![
                Query::new(
                    format!(
                        "UPDATE comments SET status = '{}', body_markdown = '', body_html = '', \
                           author_name = '', author_email = '', author_url = NULL, updated_at = ?2, \
                           trashed_from = NULL, trashed_at = NULL \
                         WHERE id = ?1 AND site_id = ?3",
                        CommentStatus::Deleted.as_str()
                    ),
                    vec![id.into(), now_ms.into(), self.site()],
                ),
                Query::new(
                    "DELETE FROM idempotency WHERE comment_id = ?1 \
                     AND comment_id IN (SELECT id FROM comments WHERE id = ?1 AND site_id = ?2)",
                    vec![id.into(), self.site()],
                ),
            ])
            .await?;
        Ok(())
    }

    async fn hit_rate_limit(&self, req: HitRateLimit<'_>) -> Result<u32, StoreError> {
        let rows = self
            .exec()
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
            self.exec()
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
            .exec()
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
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT \
                       (SELECT COUNT(*) FROM comments WHERE site_id = ?4 AND email_hash = ?1 \
                          AND author_key_hash = ?2 AND status = {}) AS trusted, \
                       (SELECT COUNT(*) FROM site_blocks WHERE site_id = ?4 AND \
                          ((kind = 'email' AND hash = ?1) OR (kind = 'client' AND hash = ?3))) \
                          AS blocked, \
                       (SELECT COALESCE(SUM(reports), 0) FROM comments WHERE site_id = ?4 \
                          AND email_hash = ?1 AND (author_key_hash = ?2 OR client_hash = ?3)) \
                          AS reports",
                    approved()
                ),
                vec![
                    req.email_hash.into(),
                    req.author_key_hash.into(),
                    req.client_hash.into(),
                    self.site(),
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
            .exec()
            .rows(Query::new(
                format!(
                    "UPDATE threads SET locked = COALESCE(?3, locked), \
                       pinned_id = CASE WHEN ?4 = 1 THEN ?5 ELSE pinned_id END \
                     WHERE site_id = ?1 AND key = ?2 RETURNING {THREAD_COLUMNS}"
                ),
                vec![
                    self.site(),
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
            .exec()
            .rows(Query::new(
                format!(
                    "UPDATE threads SET title = COALESCE(?3, title), url = COALESCE(?4, url), \
                       meta_by_owner = MAX(meta_by_owner, ?5) \
                     WHERE site_id = ?1 AND key = ?2 AND (?5 = 1 OR meta_by_owner = 0) \
                     RETURNING {THREAD_COLUMNS}"
                ),
                vec![
                    self.site(),
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
        self.set_block_sql(req).await
    }

    async fn moderate(
        &self,
        ids: &[CommentId],
        decision: Decision,
        now_ms: i64,
    ) -> Result<Vec<ModeratedComment>, StoreError> {
        self.moderate_sql(ids, decision, now_ms).await
    }

    async fn report(&self, req: Report<'_>) -> Result<Reported, StoreError> {
        self.report_sql(req).await
    }
}
