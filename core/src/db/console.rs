//! What only the owner's console reads and writes: sessions, lists across the site,
//! settings, the audit list, a commenter's data. SQL only (the console is never tested on
//! the in-memory fake); its statements run on SQLite in the unit tests like the rest.

use serde::Deserialize;

use crate::db::sql::{
    comments, decode_all, one, Arg, Query, SqlExec, SqlStore, ThreadRow, COMMENT_COLUMNS,
    THREAD_COLUMNS,
};
use crate::db::store::StoreError;
use crate::domain::model::{CommentRecord, CommentStatus, ThreadRecord};
use crate::wire::api::CommentId;
use crate::wire::console::{Tab, TabCounts};
use crate::wire::moderation::BlockKind;

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

/// One audit line as stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StoredAudit {
    /// Its place in the list (ignored when adding).
    #[serde(default)]
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: Option<String>,
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

/// A reply subscription as stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StoredSubscription {
    pub comment_id: i64,
    pub confirmed_at: Option<i64>,
    pub created_at: i64,
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
/// Which comments a console list holds (the `WHERE` after `t.site_id = ?1`), for the
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

/// Comment ids bound as `?1…?n` (for `IN (…)`).
fn id_args(ids: &[CommentId]) -> Vec<Arg> {
    ids.iter().map(|id| Arg::from(*id)).collect()
}

/// One `COUNT(*) AS n`.
#[derive(Deserialize)]
struct Count {
    n: u32,
}

fn listed_columns() -> String {
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
fn listed(rows: Vec<crate::db::sql::Row>) -> Result<Vec<Listed>, StoreError> {
    let mut threads = Vec::with_capacity(rows.len());
    let mut plain = Vec::with_capacity(rows.len());
    for row in rows {
        let mut comment = crate::db::sql::Row::new();
        let mut thread = crate::db::sql::Row::new();
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

#[allow(async_fn_in_trait)]
pub trait ConsoleStore {
    /// A session (hash of its cookie's value) opened with the console key of `key_hash`.
    async fn create_session(
        &self,
        id: &str,
        key_hash: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), StoreError>;
    /// When the session ends, if it exists, has not ended, and was opened with the
    /// console key of `key_hash`.
    async fn session_expiry(
        &self,
        id: &str,
        key_hash: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError>;
    async fn end_session(&self, id: &str) -> Result<(), StoreError>;
    async fn end_all_sessions(&self) -> Result<(), StoreError>;
    /// Newest first; `before` pages to older ones.
    async fn list_comments(
        &self,
        site_id: &str,
        tab: Tab,
        search: Option<&str>,
        before: Option<CommentId>,
        limit: u32,
    ) -> Result<Vec<Listed>, StoreError>;
    /// How many comments a list holds (its "Select all N matching").
    async fn count_comments(
        &self,
        site_id: &str,
        tab: Tab,
        search: Option<&str>,
    ) -> Result<u32, StoreError>;
    /// Every comment a list holds, newest first, up to `limit`: id and what it is now
    /// (so a bulk action can be undone).
    async fn matching_ids(
        &self,
        site_id: &str,
        tab: Tab,
        search: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(CommentId, String)>, StoreError>;
    /// Comments written per UTC day since `since_ms` (published or waiting), the threads
    /// with the most published ones since then, and the waiting ones (count, oldest).
    async fn stats(&self, site_id: &str, since_ms: i64) -> Result<StoredStats, StoreError>;
    /// Comments (any state) in these threads of the site: an import counts what it added.
    async fn count_in_threads(&self, site_id: &str, keys: &[String]) -> Result<u32, StoreError>;
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
    async fn tab_counts(&self, site_id: &str) -> Result<TabCounts, StoreError>;
    /// The site's comments trashed before `before_ms`, at most `limit` of them: the Trash
    /// empties by age.
    async fn trashed_before(
        &self,
        site_id: &str,
        before_ms: i64,
        limit: u32,
    ) -> Result<Vec<CommentId>, StoreError>;
    async fn list_threads(&self, site_id: &str, limit: u32)
        -> Result<Vec<ThreadStats>, StoreError>;
    /// The newest published comments of one thread (by key) or of the whole site (the
    /// Atom feeds).
    async fn latest_published(
        &self,
        site_id: &str,
        thread_key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Listed>, StoreError>;
    async fn list_blocks(&self) -> Result<Vec<StoredBlock>, StoreError>;
    /// The console's settings (JSON) and the badge token's hash.
    async fn load_settings(
        &self,
        site_id: &str,
    ) -> Result<(Option<String>, Option<String>), StoreError>;
    async fn save_settings(&self, site_id: &str, json: &str) -> Result<(), StoreError>;
    async fn save_badge(&self, site_id: &str, hash: &str) -> Result<(), StoreError>;
    async fn add_audit(&self, entry: &StoredAudit) -> Result<(), StoreError>;
    /// Newest first, older than `before` (an entry's id), only `actions` when given.
    async fn list_audit(
        &self,
        limit: u32,
        before: Option<i64>,
        actions: &[&str],
    ) -> Result<Vec<StoredAudit>, StoreError>;
    /// Every comment with this keyed email hash (any status), oldest first; with `email`,
    /// also those under that address not hashed yet (imported, before the Cron Trigger).
    async fn by_email(
        &self,
        email_hash: &str,
        email: Option<&str>,
    ) -> Result<Vec<Listed>, StoreError>;
    async fn subscriptions_of(
        &self,
        email_hash: &str,
    ) -> Result<Vec<StoredSubscription>, StoreError>;
    /// Erase a commenter: their comments become "[deleted]" placeholders with every
    /// identifying hash gone, their subscriptions and notifications go, blocks of them stay
    /// without their name. Returns the thread keys.
    async fn erase(
        &self,
        email_hash: &str,
        email: &str,
        now_ms: i64,
    ) -> Result<Vec<String>, StoreError>;
    /// Up to `limit` threads after thread id `after`, each with all its comments (the
    /// site export, one page).
    async fn export_page(
        &self,
        site_id: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(ThreadRecord, Vec<ExportRow>)>, StoreError>;
    /// Comments with an email but no keyed hash of it yet (imported ones), oldest first.
    async fn unhashed_emails(&self, limit: u32) -> Result<Vec<(i64, String)>, StoreError>;
    async fn set_email_hashes(&self, hashes: &[(i64, String)]) -> Result<(), StoreError>;
    /// Run an import batch's statements (built by `import::sql`, values escaped there) as
    /// one transaction.
    async fn run_import(&self, statements: Vec<String>) -> Result<(), StoreError>;
}

/// One comment as the export writes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExportRow {
    pub id: i64,
    pub thread_id: i64,
    pub parent_id: Option<i64>,
    pub status: String,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body_markdown: String,
    pub body_html: String,
    pub created_at: i64,
    pub is_owner: i64,
    pub import_id: Option<String>,
    pub updated_at: Option<i64>,
    pub likes: i64,
}

impl<E: SqlExec> ConsoleStore for SqlStore<E> {
    async fn create_session(
        &self,
        id: &str,
        key_hash: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), StoreError> {
        self.exec()
            .batch(vec![
                Query::new(
                    "DELETE FROM admin_sessions WHERE expires_at < ?1",
                    vec![now_ms.into()],
                ),
                Query::new(
                    "INSERT INTO admin_sessions (id, created_at, expires_at, key_hash) \
                     VALUES (?1, ?2, ?3, ?4)",
                    vec![id.into(), now_ms.into(), expires_ms.into(), key_hash.into()],
                ),
            ])
            .await?;
        Ok(())
    }

    async fn session_expiry(
        &self,
        id: &str,
        key_hash: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        #[derive(Deserialize)]
        struct Expiry {
            expires_at: i64,
        }
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT expires_at FROM admin_sessions \
                 WHERE id = ?1 AND expires_at > ?2 AND key_hash = ?3",
                vec![id.into(), now_ms.into(), key_hash.into()],
            ))
            .await?;
        Ok(decode_all::<Expiry>(rows)?.first().map(|e| e.expires_at))
    }

    async fn end_session(&self, id: &str) -> Result<(), StoreError> {
        self.exec()
            .rows(Query::new(
                "DELETE FROM admin_sessions WHERE id = ?1",
                vec![id.into()],
            ))
            .await?;
        Ok(())
    }

    async fn end_all_sessions(&self) -> Result<(), StoreError> {
        self.exec()
            .rows(Query::new("DELETE FROM admin_sessions", vec![]))
            .await?;
        Ok(())
    }

    async fn list_comments(
        &self,
        site_id: &str,
        tab: Tab,
        search: Option<&str>,
        before: Option<CommentId>,
        limit: u32,
    ) -> Result<Vec<Listed>, StoreError> {
        let mut args = vec![
            Arg::from(site_id),
            Arg::from(limit),
            Arg::from(before.map_or(i64::MAX, |b| b.0)),
        ];
        let status = list_filter(tab, search, &mut args);
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT {} FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE t.site_id = ?1 AND {status} AND c.id < ?3 \
                     ORDER BY c.id DESC LIMIT ?2",
                    listed_columns()
                ),
                args,
            ))
            .await?;
        listed(rows)
    }

    async fn count_comments(
        &self,
        site_id: &str,
        tab: Tab,
        search: Option<&str>,
    ) -> Result<u32, StoreError> {
        let mut args = vec![Arg::from(site_id)];
        let filter = list_filter(tab, search, &mut args);
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT COUNT(*) AS n FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE t.site_id = ?1 AND {filter}"
                ),
                args,
            ))
            .await?;
        Ok(decode_all::<Count>(rows)?.first().map_or(0, |r| r.n))
    }

    async fn matching_ids(
        &self,
        site_id: &str,
        tab: Tab,
        search: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(CommentId, String)>, StoreError> {
        let mut args = vec![Arg::from(site_id), Arg::from(limit)];
        let filter = list_filter(tab, search, &mut args);
        #[derive(Deserialize)]
        struct IdState {
            id: i64,
            state: String,
        }
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT c.id AS id, CASE WHEN c.trashed_from IS NOT NULL THEN 'trash' \
                       ELSE c.status END AS state \
                     FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE t.site_id = ?1 AND {filter} ORDER BY c.id DESC LIMIT ?2"
                ),
                args,
            ))
            .await?;
        Ok(decode_all::<IdState>(rows)?
            .into_iter()
            .map(|r| (CommentId(r.id), r.state))
            .collect())
    }

    async fn stats(&self, site_id: &str, since_ms: i64) -> Result<StoredStats, StoreError> {
        let approved = CommentStatus::Approved.as_str();
        let pending = CommentStatus::Pending.as_str();
        let args = || vec![Arg::from(site_id), Arg::from(since_ms)];
        let results = self
            .exec()
            .batch(vec![
                Query::new(
                    format!(
                        "SELECT c.created_at / 86400000 AS day, COUNT(*) AS n FROM comments c \
                         JOIN threads t ON t.id = c.thread_id WHERE t.site_id = ?1 \
                           AND c.created_at >= ?2 AND c.status IN ('{approved}', '{pending}') \
                         GROUP BY day ORDER BY day"
                    ),
                    args(),
                ),
                Query::new(
                    format!(
                        "SELECT t.key AS key, t.title AS title, COUNT(*) AS n FROM comments c \
                         JOIN threads t ON t.id = c.thread_id WHERE t.site_id = ?1 \
                           AND c.created_at >= ?2 AND c.status = '{approved}' \
                         GROUP BY t.id ORDER BY n DESC, t.key LIMIT 10"
                    ),
                    args(),
                ),
                Query::new(
                    format!(
                        "SELECT COUNT(*) AS n, MIN(c.created_at) AS oldest FROM comments c \
                         JOIN threads t ON t.id = c.thread_id WHERE t.site_id = ?1 \
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

    async fn count_in_threads(&self, site_id: &str, keys: &[String]) -> Result<u32, StoreError> {
        if keys.is_empty() {
            return Ok(0);
        }
        let mut args = vec![Arg::from(site_id)];
        args.extend(keys.iter().map(|k| Arg::from(k.as_str())));
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT COUNT(*) AS n FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE t.site_id = ?1 AND t.key IN ({})",
                    crate::db::sql::placeholders(2, keys.len())
                ),
                args,
            ))
            .await?;
        Ok(decode_all::<Count>(rows)?.first().map_or(0, |r| r.n))
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
                     WHERE comment_id IN ({}) GROUP BY comment_id, reason ORDER BY n DESC, reason",
                    crate::db::sql::placeholders(1, ids.len())
                ),
                id_args(ids),
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
                       status FROM comments WHERE id IN ({})",
                    crate::db::sql::placeholders(1, ids.len())
                ),
                id_args(ids),
            ))
            .await?;
        let deleted = CommentStatus::Deleted.as_str();
        Ok(decode_all::<Excerpt>(rows)?
            .into_iter()
            .map(|r| (CommentId(r.id), r.author, r.excerpt, r.status == deleted))
            .collect())
    }

    async fn tab_counts(&self, site_id: &str) -> Result<TabCounts, StoreError> {
        let count = |tab: Tab| {
            let mut args = vec![Arg::from(site_id)];
            let filter = list_filter(tab, None, &mut args);
            Query::new(
                format!(
                    "SELECT COUNT(*) AS n FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE t.site_id = ?1 AND {filter}"
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
        site_id: &str,
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
                 WHERE c.trashed_at IS NOT NULL AND c.trashed_at < ?1 AND t.site_id = ?3 \
                 ORDER BY c.trashed_at LIMIT ?2",
                vec![before_ms.into(), limit.into(), site_id.into()],
            ))
            .await?;
        Ok(decode_all::<Id>(rows)?
            .into_iter()
            .map(|r| CommentId(r.id))
            .collect())
    }

    async fn latest_published(
        &self,
        site_id: &str,
        thread_key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Listed>, StoreError> {
        let (filter, mut args) = match thread_key {
            Some(key) => (" AND t.key = ?3", vec![Arg::from(key)]),
            None => ("", Vec::new()),
        };
        args.insert(0, Arg::from(limit));
        args.insert(0, Arg::from(site_id));
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT {} FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE t.site_id = ?1 AND c.status = '{}'{filter} \
                     ORDER BY c.created_at DESC, c.id DESC LIMIT ?2",
                    listed_columns(),
                    CommentStatus::Approved.as_str()
                ),
                args,
            ))
            .await?;
        listed(rows)
    }

    async fn list_threads(
        &self,
        site_id: &str,
        limit: u32,
    ) -> Result<Vec<ThreadStats>, StoreError> {
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
                vec![site_id.into(), limit.into()],
            ))
            .await?;
        let mut out = Vec::new();
        for mut row in rows {
            let count = |row: &mut crate::db::sql::Row, k: &str| {
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
                "SELECT kind, hash, label, created_at FROM blocks ORDER BY created_at DESC",
                vec![],
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

    async fn load_settings(
        &self,
        site_id: &str,
    ) -> Result<(Option<String>, Option<String>), StoreError> {
        #[derive(Deserialize)]
        struct Row {
            settings: Option<String>,
            badge_hash: Option<String>,
        }
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT settings, badge_hash FROM sites WHERE id = ?1",
                vec![site_id.into()],
            ))
            .await?;
        Ok(decode_all::<Row>(rows)?
            .into_iter()
            .next()
            .map_or((None, None), |r| (r.settings, r.badge_hash)))
    }

    async fn save_settings(&self, site_id: &str, json: &str) -> Result<(), StoreError> {
        // The site row may not exist for a SITE_ID other than the migration's default.
        self.exec()
            .rows(Query::new(
                "INSERT INTO sites (id, name, created_at, settings) VALUES (?1, ?1, 0, ?2) \
                 ON CONFLICT (id) DO UPDATE SET settings = excluded.settings",
                vec![site_id.into(), json.into()],
            ))
            .await?;
        Ok(())
    }

    async fn save_badge(&self, site_id: &str, hash: &str) -> Result<(), StoreError> {
        self.exec()
            .rows(Query::new(
                "INSERT INTO sites (id, name, created_at, badge_hash) VALUES (?1, ?1, 0, ?2) \
                 ON CONFLICT (id) DO UPDATE SET badge_hash = excluded.badge_hash",
                vec![site_id.into(), hash.into()],
            ))
            .await?;
        Ok(())
    }

    async fn add_audit(&self, e: &StoredAudit) -> Result<(), StoreError> {
        self.exec()
            .rows(Query::new(
                "INSERT INTO audit (at, actor, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                vec![
                    e.at.into(),
                    e.actor.as_str().into(),
                    e.action.as_str().into(),
                    e.target.as_str().into(),
                    e.detail.as_deref().into(),
                ],
            ))
            .await?;
        Ok(())
    }

    async fn list_audit(
        &self,
        limit: u32,
        before: Option<i64>,
        actions: &[&str],
    ) -> Result<Vec<StoredAudit>, StoreError> {
        let mut args = vec![Arg::from(limit), Arg::from(before.unwrap_or(i64::MAX))];
        let only = if actions.is_empty() {
            String::new()
        } else {
            args.extend(actions.iter().map(|a| Arg::from(*a)));
            // Thread changes are written joined ("unlock+unpin"): each part counts.
            let any: Vec<String> = (3..3 + actions.len())
                .map(|n| format!("instr('+' || action || '+', '+' || ?{n} || '+') > 0"))
                .collect();
            format!(" AND ({})", any.join(" OR "))
        };
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT id, at, actor, action, target, detail FROM audit \
                     WHERE id < ?2{only} ORDER BY id DESC LIMIT ?1"
                ),
                args,
            ))
            .await?;
        decode_all(rows)
    }

    async fn by_email(
        &self,
        email_hash: &str,
        email: Option<&str>,
    ) -> Result<Vec<Listed>, StoreError> {
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT {} FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE c.email_hash = ?1 OR (?2 IS NOT NULL AND c.email_hash IS NULL \
                       AND c.author_email <> '' AND lower(c.author_email) = ?2) ORDER BY c.id",
                    listed_columns()
                ),
                vec![email_hash.into(), email.into()],
            ))
            .await?;
        listed(rows)
    }

    async fn subscriptions_of(
        &self,
        email_hash: &str,
    ) -> Result<Vec<StoredSubscription>, StoreError> {
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT comment_id, confirmed_at, created_at FROM subscriptions \
                 WHERE email_hash = ?1 ORDER BY id",
                vec![email_hash.into()],
            ))
            .await?;
        decode_all(rows)
    }

    async fn export_page(
        &self,
        site_id: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(ThreadRecord, Vec<ExportRow>)>, StoreError> {
        let args = vec![Arg::from(site_id), Arg::from(after), Arg::from(limit)];
        let page = "SELECT id FROM threads WHERE site_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
        let results = self
            .exec()
            .batch(vec![
                Query::new(
                    format!("SELECT {THREAD_COLUMNS} FROM threads WHERE id IN ({page}) ORDER BY id"),
                    args.clone(),
                ),
                Query::new(
                    format!(
                        "SELECT id, thread_id, parent_id, status, author_name, author_email, author_url, \
                           body_markdown, body_html, created_at, is_owner, import_id, updated_at, likes \
                         FROM comments WHERE thread_id IN ({page}) ORDER BY id"
                    ),
                    args,
                ),
            ])
            .await?;
        let mut results = results.into_iter();
        let threads = decode_all::<ThreadRow>(results.next().unwrap_or_default())?;
        let comments = decode_all::<ExportRow>(results.next().unwrap_or_default())?;
        let mut by_thread: std::collections::HashMap<i64, Vec<ExportRow>> = Default::default();
        for c in comments {
            by_thread.entry(c.thread_id).or_default().push(c);
        }
        Ok(threads
            .into_iter()
            .map(|t| {
                let t: ThreadRecord = t.into();
                let comments = by_thread.remove(&t.id).unwrap_or_default();
                (t, comments)
            })
            .collect())
    }

    async fn unhashed_emails(&self, limit: u32) -> Result<Vec<(i64, String)>, StoreError> {
        #[derive(Deserialize)]
        struct Unhashed {
            id: i64,
            author_email: String,
        }
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT id, author_email FROM comments \
                 WHERE email_hash IS NULL AND author_email <> '' ORDER BY id LIMIT ?1",
                vec![Arg::from(limit)],
            ))
            .await?;
        Ok(decode_all::<Unhashed>(rows)?
            .into_iter()
            .map(|u| (u.id, u.author_email))
            .collect())
    }

    async fn run_import(&self, statements: Vec<String>) -> Result<(), StoreError> {
        if statements.is_empty() {
            return Ok(());
        }
        let queries = statements
            .into_iter()
            .map(|sql| Query::new(sql.trim_end_matches(';').to_owned(), Vec::new()))
            .collect();
        self.exec().batch(queries).await?;
        Ok(())
    }

    async fn set_email_hashes(&self, hashes: &[(i64, String)]) -> Result<(), StoreError> {
        if hashes.is_empty() {
            return Ok(());
        }
        let queries = hashes
            .iter()
            .map(|(id, hash)| {
                Query::new(
                    "UPDATE comments SET email_hash = ?2 WHERE id = ?1",
                    vec![Arg::from(*id), Arg::from(hash.as_str())],
                )
            })
            .collect();
        self.exec().batch(queries).await?;
        Ok(())
    }

    async fn erase(
        &self,
        email_hash: &str,
        email: &str,
        now_ms: i64,
    ) -> Result<Vec<String>, StoreError> {
        #[derive(Deserialize)]
        struct Key {
            key: String,
        }
        // Their comments: by keyed hash, or by address where the Cron Trigger has not
        // hashed an imported one yet.
        let theirs = "SELECT id FROM comments WHERE email_hash = ?1 \
             OR (email_hash IS NULL AND author_email <> '' AND lower(author_email) = ?3)";
        let args = vec![Arg::from(email_hash), Arg::from(now_ms), Arg::from(email)];
        // Every statement names all three values (D1 wants exactly the values used).
        let q = |sql: String| {
            Query::new(
                format!("{sql} AND ?1 = ?1 AND ?2 = ?2 AND ?3 = ?3"),
                args.clone(),
            )
        };
        let results = self
            .exec()
            .batch(vec![
                q(format!(
                    "SELECT DISTINCT t.key AS key FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE c.id IN ({theirs})"
                )),
                // Every notification to them (sent or not) and about their comments or
                // the replies to them (which name them).
                q(format!(
                    "DELETE FROM outbox WHERE (lower(target) = ?3 OR comment_id IN ({theirs}) \
                       OR comment_id IN (SELECT id FROM comments WHERE parent_id IN ({theirs})))"
                )),
                // Kept answers to their posts repeat their words.
                q(format!("DELETE FROM idempotency WHERE comment_id IN ({theirs})")),
                q("DELETE FROM subscriptions WHERE (email_hash = ?1 OR lower(email) = ?3)".into()),
                // Blocks stay (erasure is no way around a block), without their name: a
                // keyed hash is all that is left of them.
                q("UPDATE blocks SET label = 'an erased commenter', email_hash = NULL \
                   WHERE (email_hash = ?1 OR (kind = 'email' AND hash = ?1))"
                    .into()),
                q(format!(
                    "UPDATE comments SET status = '{}', held_for = NULL, body_markdown = '', \
                       body_html = '', author_name = '', author_email = '', author_url = NULL, \
                       client_hash = NULL, author_key_hash = NULL, email_hash = NULL, \
                       trashed_from = NULL, trashed_at = NULL, \
                       updated_at = ?2 WHERE id IN ({theirs})",
                    CommentStatus::Deleted.as_str()
                )),
            ])
            .await?;
        let keys = results.into_iter().next().unwrap_or_default();
        Ok(decode_all::<Key>(keys)?
            .into_iter()
            .map(|k| k.key)
            .collect())
    }
}
