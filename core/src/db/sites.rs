//! The deployment's directory of sites: which sites there are, where their pages are
//! served from and whose key opens their console. The one store that is not a site's own
//! (it reads only the `sites` table, never a site's rows), used to tell which site a
//! request is for and by the operator's console.

use serde::Deserialize;

use crate::db::exec::{decode_all, Arg, Query, SqlExec};
use crate::db::store::StoreError;

/// One site as the directory keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRow {
    pub id: String,
    pub name: String,
    /// `scheme://host[:port]`, one per line in the table.
    pub origins: Vec<String>,
    /// Keyed hash of the site owner's console key.
    pub key_hash: Option<String>,
    pub created_at_ms: i64,
}

impl SiteRow {
    pub fn serves(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == origin)
    }
}

#[derive(Deserialize)]
struct Stored {
    id: String,
    name: String,
    origins: String,
    key_hash: Option<String>,
    created_at: i64,
}

impl From<Stored> for SiteRow {
    fn from(s: Stored) -> Self {
        SiteRow {
            id: s.id,
            name: s.name,
            origins: s
                .origins
                .lines()
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect(),
            key_hash: s.key_hash,
            created_at_ms: s.created_at,
        }
    }
}

pub struct Directory<E> {
    exec: E,
}

impl<E: SqlExec> Directory<E> {
    pub fn new(exec: E) -> Self {
        Directory { exec }
    }

    /// Every site, oldest first.
    pub async fn list(&self) -> Result<Vec<SiteRow>, StoreError> {
        let rows = self
            .exec
            .rows(Query::new(
                "SELECT id, name, origins, key_hash, created_at FROM sites ORDER BY created_at, id",
                vec![],
            ))
            .await?;
        Ok(decode_all::<Stored>(rows)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub async fn find(&self, id: &str) -> Result<Option<SiteRow>, StoreError> {
        let rows = self
            .exec
            .rows(Query::new(
                "SELECT id, name, origins, key_hash, created_at FROM sites WHERE id = ?1",
                vec![Arg::from(id)],
            ))
            .await?;
        Ok(decode_all::<Stored>(rows)?
            .into_iter()
            .next()
            .map(Into::into))
    }

    /// A new site with its origins, in one transaction: an id or an origin another site
    /// has already fails it all (`Err`: the caller says which).
    pub async fn create(
        &self,
        id: &str,
        name: &str,
        origins: &[String],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut queries = vec![Query::new(
            "INSERT INTO sites (id, name, origins, created_at) VALUES (?1, ?2, ?3, ?4)",
            vec![
                Arg::from(id),
                Arg::from(name),
                Arg::from(origins.join("\n").as_str()),
                Arg::from(now_ms),
            ],
        )];
        queries.extend(origins.iter().map(|origin| {
            Query::new(
                "INSERT INTO site_origins (origin, site_id) VALUES (?1, ?2)",
                vec![Arg::from(origin.as_str()), Arg::from(id)],
            )
        }));
        self.exec.batch(queries).await?;
        Ok(())
    }

    /// Whether any site claimed `origin` (in the table that keeps origins unique).
    pub async fn origin_taken(&self, origin: &str) -> Result<bool, StoreError> {
        let rows = self
            .exec
            .rows(Query::new(
                "SELECT 1 AS n FROM site_origins WHERE origin = ?1",
                vec![Arg::from(origin)],
            ))
            .await?;
        Ok(!rows.is_empty())
    }

    /// The sites with notifications due now (the Cron Trigger visits these first).
    pub async fn with_due_outbox(
        &self,
        now_ms: i64,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        #[derive(Deserialize)]
        struct Site {
            site_id: String,
        }
        let rows = self
            .exec
            .rows(Query::new(
                "SELECT DISTINCT site_id FROM outbox WHERE sent_at IS NULL AND next_at <= ?1 \
                 LIMIT ?2",
                vec![Arg::from(now_ms), Arg::from(limit)],
            ))
            .await?;
        Ok(decode_all::<Site>(rows)?
            .into_iter()
            .map(|s| s.site_id)
            .collect())
    }

    /// The keyed hash of the site owner's new console key; `false` when there is no such
    /// site.
    pub async fn set_key(&self, id: &str, key_hash: &str) -> Result<bool, StoreError> {
        let rows = self
            .exec
            .rows(Query::new(
                "UPDATE sites SET key_hash = ?2 WHERE id = ?1 RETURNING id",
                vec![Arg::from(id), Arg::from(key_hash)],
            ))
            .await?;
        Ok(!rows.is_empty())
    }
}
