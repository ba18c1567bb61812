//! Moving a whole site in and out in SQL: the export page by page, import statements,
//! and hashing imported addresses afterwards.

use serde::Deserialize;

use crate::db::console::Count;
use crate::db::exec::{decode_all, Arg, Query, SqlExec, SqlStore};
use crate::db::rows::{ThreadRow, THREAD_COLUMNS};
use crate::db::store::StoreError;
use crate::domain::model::ThreadRecord;

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

/// A whole site in and out.
#[allow(async_fn_in_trait)]
pub trait ImportStore {
    /// Comments (any state) in these threads of the site: an import counts what it added.
    async fn count_in_threads(&self, keys: &[String]) -> Result<u32, StoreError>;
    /// Up to `limit` threads after thread id `after`, each with all its comments (the
    /// site export, one page).
    async fn export_page(
        &self,
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

impl<E: SqlExec> ImportStore for SqlStore<E> {
    async fn count_in_threads(&self, keys: &[String]) -> Result<u32, StoreError> {
        if keys.is_empty() {
            return Ok(0);
        }
        let mut args = vec![self.site()];
        args.extend(keys.iter().map(|k| Arg::from(k.as_str())));
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT COUNT(*) AS n FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE t.site_id = ?1 AND t.key IN ({})",
                    crate::db::exec::placeholders(2, keys.len())
                ),
                args,
            ))
            .await?;
        Ok(decode_all::<Count>(rows)?.first().map_or(0, |r| r.n))
    }

    async fn export_page(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(ThreadRecord, Vec<ExportRow>)>, StoreError> {
        let args = vec![self.site(), Arg::from(after), Arg::from(limit)];
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
                 WHERE site_id = ?2 AND email_hash IS NULL AND author_email <> '' \
                 ORDER BY id LIMIT ?1",
                vec![Arg::from(limit), self.site()],
            ))
            .await?;
        Ok(decode_all::<Unhashed>(rows)?
            .into_iter()
            .map(|u| (u.id, u.author_email))
            .collect())
    }

    async fn set_email_hashes(&self, hashes: &[(i64, String)]) -> Result<(), StoreError> {
        if hashes.is_empty() {
            return Ok(());
        }
        let queries = hashes
            .iter()
            .map(|(id, hash)| {
                Query::new(
                    "UPDATE comments SET email_hash = ?2 WHERE id = ?1 AND site_id = ?3",
                    vec![Arg::from(*id), Arg::from(hash.as_str()), self.site()],
                )
            })
            .collect();
        self.exec().batch(queries).await?;
        Ok(())
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
}
