//! What only the owner's console lists and counts across the site: the queue by tab and
//! search, counts, statistics, threads and blocks. SQL only (the console is
//! never tested on the in-memory fake); its statements run on SQLite in the unit tests.

use serde::Deserialize;

use crate::db::exec::{decode_all, one, Arg, Query, SqlExec, SqlStore};
use crate::db::rows::{comments, ThreadRow, COMMENT_COLUMNS, THREAD_COLUMNS};
use crate::db::store::StoreError;
use crate::domain::model::{CommentRecord, ThreadRecord};
use crate::wire::api::CommentId;
use crate::wire::console::{Tab, TabCounts};
use crate::wire::moderation::BlockKind;
use crate::wire::moderation::CommentStatus;
use crate::wire::moderation::ListedStatus;

/// A comment with its thread, as the console lists them.
pub type Listed = (CommentRecord, ThreadRecord);

/// A thread with its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadStats {
    pub thread: ThreadRecord,
    pub comments: u32,
    pub pending: u32,
}

/// One stored block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlock {
    pub kind: BlockKind,
    pub hash: String,
    pub label: String,
    pub created_at_ms: i64,
}

/// What the statistics view reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredStats {
    /// (days since the epoch, comments).
    pub per_day: Vec<(i64, u32)>,
    pub top_threads: Vec<(String, Option<String>, u32)>,
    pub pending: u32,
    pub oldest_pending_ms: Option<i64>,
}

/// `%` and `_` are LIKE's wildcards: searched for literally.
fn like_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Columns of a comment and of its thread in one row (thread columns prefixed `t_`).
/// Which comments a console list holds (the `WHERE` after `c.site_id = ?1`), for the
/// list, its count and its ids alike; a search adds its pattern to `args`.
fn list_filter(tab: Tab, search: Option<&str>, args: &mut Vec<Arg>) -> String {
    let deleted = CommentStatus::Deleted.as_str();
    let mut filter = match tab {
        Tab::Pending => format!("c.status = '{}'", CommentStatus::Pending.as_str()),
        Tab::Spam => format!("c.status = '{}'", CommentStatus::Spam.as_str()),
        Tab::Reported => format!("c.reports > 0 AND c.status <> '{deleted}'"),
        Tab::All => format!("c.status <> '{deleted}'"),
        // `trashed_at` is set exactly when `trashed_from` is (the partial index's column).
        Tab::Trash => "c.trashed_at IS NOT NULL".to_owned(),
        Tab::Published => format!("c.status = '{}'", CommentStatus::Approved.as_str()),
    };
    if let Some(q) = search.map(str::trim).filter(|q| !q.is_empty()) {
        args.push(like_pattern(&q.to_lowercase()).as_str().into());
        let n = args.len();
        filter.push_str(&format!(
            " AND (lower(c.body_markdown) LIKE ?{n} ESCAPE '\\' \
               OR lower(c.author_name) LIKE ?{n} ESCAPE '\\' \
               OR lower(c.author_email) LIKE ?{n} ESCAPE '\\' \
               OR lower(t.key) LIKE ?{n} ESCAPE '\\' \
               OR lower(COALESCE(t.title, '')) LIKE ?{n} ESCAPE '\\')"
        ));
    }
    filter
}

/// One `COUNT(*) AS n`.
#[derive(Deserialize)]
pub(crate) struct Count {
    pub(crate) n: u32,
}

pub(crate) fn listed_columns() -> String {
    let comment = COMMENT_COLUMNS
        .split(',')
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let thread = THREAD_COLUMNS
        .split(',')
        .map(|c| format!("t.{0} AS t_{0}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{comment}, {thread}")
}

/// Split rows of [`listed_columns`] into comments and threads.
pub(crate) fn listed(rows: Vec<crate::db::exec::Row>) -> Result<Vec<Listed>, StoreError> {
    let mut threads = Vec::with_capacity(rows.len());
    let mut plain = Vec::with_capacity(rows.len());
    for row in rows {
        let mut comment = crate::db::exec::Row::new();
        let mut thread = crate::db::exec::Row::new();
        for (k, v) in row {
            match k.strip_prefix("t_") {
                Some(name) => thread.insert(name.to_owned(), v),
                None => comment.insert(k, v),
            };
        }
        plain.push(comment);
        threads.push(thread);
    }
    let comments = comments(plain)?;
    let threads = decode_all::<ThreadRow>(threads)?;
    Ok(comments
        .into_iter()
        .zip(threads.into_iter().map(Into::into))
        .collect())
}

/// The console's lists and counts.
#[allow(async_fn_in_trait)]
pub trait ConsoleStore {
    /// Newest first; `before` pages to older ones.
    async fn list_comments(
        &self,
        tab: Tab,
        search: Option<&str>,
        before: Option<CommentId>,
        limit: u32,
    ) -> Result<Vec<Listed>, StoreError>;
    /// How many comments a list holds (its "Select all N matching").
    async fn count_comments(&self, tab: Tab, search: Option<&str>) -> Result<u32, StoreError>;
    /// Every comment a list holds, newest first, up to `limit`: id and what it is now
    /// (so a bulk action can be undone).
    async fn matching_ids(
        &self,
        tab: Tab,
        search: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(CommentId, ListedStatus)>, StoreError>;
    /// Comments written per UTC day since `since_ms` (published or waiting), the threads
    /// with the most published ones since then, and the waiting ones (count, oldest).
    async fn stats(&self, since_ms: i64) -> Result<StoredStats, StoreError>;
    /// Readers' report reasons for these comments: (comment, reason, how many).
    async fn report_reasons(
        &self,
        ids: &[CommentId],
    ) -> Result<Vec<(CommentId, String, u32)>, StoreError>;
    /// These comments' authors and first words, for replies shown in context: (id,
    /// author, first 160 characters, deleted).
    async fn excerpts(
        &self,
        ids: &[CommentId],
    ) -> Result<Vec<(CommentId, String, String, bool)>, StoreError>;
    /// How many comments wait in each of the queue tabs (pending, reported, spam, trash).
    async fn tab_counts(&self) -> Result<TabCounts, StoreError>;
    /// The site's comments trashed before `before_ms`, at most `limit` of them: the Trash
    /// empties by age.
    async fn trashed_before(
        &self,
        before_ms: i64,
        limit: u32,
    ) -> Result<Vec<CommentId>, StoreError>;
    async fn list_threads(&self, limit: u32) -> Result<Vec<ThreadStats>, StoreError>;
    /// The newest published comments of one thread (by key) or of the whole site (the
    /// Atom feeds).
    async fn latest_published(
        &self,
        thread_key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Listed>, StoreError>;
    async fn list_blocks(&self) -> Result<Vec<StoredBlock>, StoreError>;
}

impl<E: SqlExec> ConsoleStore for SqlStore<E> {
    async fn list_comments(
        &self,
        tab: Tab,
        search: Option<&str>,
        before: Option<CommentId>,
        limit: u32,
    ) -> Result<Vec<Listed>, StoreError> {
        let mut args = vec![
            self.site(),
            Arg::from(limit),
            Arg::from(before.map_or(i64::MAX, |b| b.0)),
        ];
        let status = list_filter(tab, search, &mut args);
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT {} FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE c.site_id = ?1 AND {status} AND c.id < ?3 \
                     ORDER BY c.id DESC LIMIT ?2",
                    listed_columns()
                ),
                args,
            ))
            .await?;
        listed(rows)
    }

    async fn count_comments(&self, tab: Tab, search: Option<&str>) -> Result<u32, StoreError> {
        let mut args = vec![self.site()];
        let filter = list_filter(tab, search, &mut args);
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT COUNT(*) AS n FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE c.site_id = ?1 AND {filter}"
                ),
                args,
            ))
            .await?;
        Ok(decode_all::<Count>(rows)?.first().map_or(0, |r| r.n))
    }

    async fn matching_ids(
        &self,
        tab: Tab,
        search: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(CommentId, ListedStatus)>, StoreError> {
        let mut args = vec![self.site(), Arg::from(limit)];
        let filter = list_filter(tab, search, &mut args);
        #[derive(Deserialize)]
        struct IdState {
            id: i64,
            state: ListedStatus,
        }
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT c.id AS id, CASE WHEN c.trashed_from IS NOT NULL THEN 'trash' \
                       ELSE c.status END AS state \
                     FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE c.site_id = ?1 AND {filter} ORDER BY c.id DESC LIMIT ?2"
                ),
                args,
            ))
            .await?;
        Ok(decode_all::<IdState>(rows)?
            .into_iter()
            .map(|r| (CommentId(r.id), r.state))
            .collect())
    }

    async fn stats(&self, since_ms: i64) -> Result<StoredStats, StoreError> {
        let approved = CommentStatus::Approved.as_str();
        let pending = CommentStatus::Pending.as_str();
        let args = || vec![self.site(), Arg::from(since_ms)];
        let results = self
            .exec()
            .batch(vec![
                Query::new(
                    format!(
                        "SELECT c.created_at / 86400000 AS day, COUNT(*) AS n FROM comments c \
                         JOIN threads t ON t.id = c.thread_id WHERE c.site_id = ?1 \
                           AND c.created_at >= ?2 AND c.status IN ('{approved}', '{pending}') \
                         GROUP BY day ORDER BY day"
                    ),
                    args(),
                ),
                Query::new(
                    format!(
                        "SELECT t.key AS key, t.title AS title, COUNT(*) AS n FROM comments c \
                         JOIN threads t ON t.id = c.thread_id WHERE c.site_id = ?1 \
                           AND c.created_at >= ?2 AND c.status = '{approved}' \
                         GROUP BY t.id ORDER BY n DESC, t.key LIMIT 10"
                    ),
                    args(),
                ),
                Query::new(
                    format!(
                        "SELECT COUNT(*) AS n, MIN(c.created_at) AS oldest FROM comments c \
                         JOIN threads t ON t.id = c.thread_id WHERE c.site_id = ?1 \
                           AND c.status = '{pending}' AND ?2 = ?2"
                    ),
                    args(),
                ),
            ])
            .await?;
        #[derive(Deserialize)]
        struct Day {
            day: i64,
            n: u32,
        }
        #[derive(Deserialize)]
        struct Top {
            key: String,
            title: Option<String>,
            n: u32,
        }
        #[derive(Deserialize)]
        struct Waiting {
            n: u32,
            oldest: Option<i64>,
        }
        let mut results = results.into_iter();
        let per_day = decode_all::<Day>(results.next().unwrap_or_default())?
            .into_iter()
            .map(|d| (d.day, d.n))
            .collect();
        let top_threads = decode_all::<Top>(results.next().unwrap_or_default())?
            .into_iter()
            .map(|t| (t.key, t.title, t.n))
            .collect();
        let waiting = decode_all::<Waiting>(results.next().unwrap_or_default())?
            .into_iter()
            .next();
        Ok(StoredStats {
            per_day,
            top_threads,
            pending: waiting.as_ref().map_or(0, |w| w.n),
            oldest_pending_ms: waiting.and_then(|w| w.oldest),
        })
    }

    async fn report_reasons(
        &self,
        ids: &[CommentId],
    ) -> Result<Vec<(CommentId, String, u32)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        #[derive(Deserialize)]
        struct Reason {
            id: i64,
            reason: String,
            n: u32,
        }
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT comment_id AS id, reason, COUNT(*) AS n FROM reports \
                     WHERE comment_id IN (SELECT id FROM comments WHERE site_id = ?1 AND id IN ({})) \
                     GROUP BY comment_id, reason ORDER BY n DESC, reason",
                    crate::db::exec::placeholders(2, ids.len())
                ),
                self.site_and(ids),
            ))
            .await?;
        Ok(decode_all::<Reason>(rows)?
            .into_iter()
            .map(|r| (CommentId(r.id), r.reason, r.n))
            .collect())
    }

    async fn excerpts(
        &self,
        ids: &[CommentId],
    ) -> Result<Vec<(CommentId, String, String, bool)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        #[derive(Deserialize)]
        struct Excerpt {
            id: i64,
            author: String,
            excerpt: String,
            status: String,
        }
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT id, author_name AS author, substr(body_markdown, 1, 160) AS excerpt, \
                       status FROM comments WHERE site_id = ?1 AND id IN ({})",
                    crate::db::exec::placeholders(2, ids.len())
                ),
                self.site_and(ids),
            ))
            .await?;
        let deleted = CommentStatus::Deleted.as_str();
        Ok(decode_all::<Excerpt>(rows)?
            .into_iter()
            .map(|r| (CommentId(r.id), r.author, r.excerpt, r.status == deleted))
            .collect())
    }

    async fn tab_counts(&self) -> Result<TabCounts, StoreError> {
        let count = |tab: Tab| {
            let mut args = vec![self.site()];
            let filter = list_filter(tab, None, &mut args);
            Query::new(
                format!(
                    "SELECT COUNT(*) AS n FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE c.site_id = ?1 AND {filter}"
                ),
                args,
            )
        };
        let results = self
            .exec()
            .batch(vec![
                count(Tab::Pending),
                count(Tab::Reported),
                count(Tab::Spam),
                count(Tab::Trash),
            ])
            .await?;
        let mut n = Vec::with_capacity(4);
        for rows in results {
            n.push(decode_all::<Count>(rows)?.first().map_or(0, |r| r.n));
        }
        n.resize(4, 0);
        Ok(TabCounts {
            pending: n[0],
            reported: n[1],
            spam: n[2],
            trash: n[3],
        })
    }

    async fn trashed_before(
        &self,
        before_ms: i64,
        limit: u32,
    ) -> Result<Vec<CommentId>, StoreError> {
        #[derive(Deserialize)]
        struct Id {
            id: i64,
        }
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT c.id AS id FROM comments c JOIN threads t ON t.id = c.thread_id \
                 WHERE c.trashed_at IS NOT NULL AND c.trashed_at < ?1 AND c.site_id = ?3 \
                 ORDER BY c.trashed_at LIMIT ?2",
                vec![before_ms.into(), limit.into(), self.site()],
            ))
            .await?;
        Ok(decode_all::<Id>(rows)?
            .into_iter()
            .map(|r| CommentId(r.id))
            .collect())
    }

    async fn latest_published(
        &self,
        thread_key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Listed>, StoreError> {
        let (filter, mut args) = match thread_key {
            Some(key) => (" AND t.key = ?3", vec![Arg::from(key)]),
            None => ("", Vec::new()),
        };
        args.insert(0, Arg::from(limit));
        args.insert(0, self.site());
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT {} FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE c.site_id = ?1 AND c.status = '{}'{filter} \
                     ORDER BY c.created_at DESC, c.id DESC LIMIT ?2",
                    listed_columns(),
                    CommentStatus::Approved.as_str()
                ),
                args,
            ))
            .await?;
        listed(rows)
    }

    async fn list_threads(&self, limit: u32) -> Result<Vec<ThreadStats>, StoreError> {
        let columns = THREAD_COLUMNS
            .split(',')
            .map(|c| format!("t.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT {columns}, \
                       (SELECT COUNT(*) FROM comments c WHERE c.thread_id = t.id AND c.status = '{}') AS n_comments, \
                       (SELECT COUNT(*) FROM comments c WHERE c.thread_id = t.id AND c.status = '{}') AS n_pending \
                     FROM threads t WHERE t.site_id = ?1 ORDER BY t.id DESC LIMIT ?2",
                    CommentStatus::Approved.as_str(),
                    CommentStatus::Pending.as_str()
                ),
                vec![self.site(), limit.into()],
            ))
            .await?;
        let mut out = Vec::new();
        for mut row in rows {
            let count = |row: &mut crate::db::exec::Row, k: &str| {
                row.remove(k).and_then(|v| v.as_u64()).unwrap_or(0) as u32
            };
            let comments = count(&mut row, "n_comments");
            let pending = count(&mut row, "n_pending");
            let thread: ThreadRecord = one(decode_all::<ThreadRow>(vec![row])?, "thread")?.into();
            out.push(ThreadStats {
                thread,
                comments,
                pending,
            });
        }
        Ok(out)
    }

    async fn list_blocks(&self) -> Result<Vec<StoredBlock>, StoreError> {
        #[derive(Deserialize)]
        struct Row {
            kind: String,
            hash: String,
            label: String,
            created_at: i64,
        }
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT kind, hash, label, created_at FROM site_blocks WHERE site_id = ?1 \
                 ORDER BY created_at DESC",
                vec![self.site()],
            ))
            .await?;
        Ok(decode_all::<Row>(rows)?
            .into_iter()
            .map(|r| StoredBlock {
                kind: if r.kind == "email" {
                    BlockKind::Email
                } else {
                    BlockKind::Client
                },
                hash: r.hash,
                label: r.label,
                created_at_ms: r.created_at,
            })
            .collect())
    }
}
