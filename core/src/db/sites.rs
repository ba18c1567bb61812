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
    /// The binding of the D1 database that holds its rows (`DB`, `DB1`, …).
    pub shard: String,
    /// Where it is moving to: writes to it wait until the move is done.
    pub move_to: Option<String>,
    /// How far the move has got (see [`crate::db::shards::moving`]).
    pub move_state: Option<String>,
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
    shard: String,
    move_to: Option<String>,
    move_state: Option<String>,
}

/// Every column [`Stored`] reads.
const COLUMNS: &str = "id, name, origins, key_hash, created_at, shard, move_to, move_state";

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
            shard: s.shard,
            move_to: s.move_to,
            move_state: s.move_state,
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
                format!("SELECT {COLUMNS} FROM sites ORDER BY created_at, id"),
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
                format!("SELECT {COLUMNS} FROM sites WHERE id = ?1"),
                vec![Arg::from(id)],
            ))
            .await?;
        Ok(decode_all::<Stored>(rows)?
            .into_iter()
            .next()
            .map(Into::into))
    }

    /// A new site with its origins, its rows kept in the database `shard`, in one
    /// transaction: an id or an origin another site has already fails it all (`Err`: the
    /// caller says which).
    pub async fn create(
        &self,
        id: &str,
        name: &str,
        origins: &[String],
        shard: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut queries = vec![Query::new(
            "INSERT INTO sites (id, name, origins, created_at, shard) VALUES (?1, ?2, ?3, ?4, ?5)",
            vec![
                Arg::from(id),
                Arg::from(name),
                Arg::from(origins.join("\n").as_str()),
                Arg::from(now_ms),
                Arg::from(shard),
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

    /// How many sites each database holds (the directory's count; databases with none
    /// are not listed).
    pub async fn sites_per_shard(&self) -> Result<Vec<(String, i64)>, StoreError> {
        #[derive(Deserialize)]
        struct Count {
            shard: String,
            n: i64,
        }
        let rows = self
            .exec
            .rows(Query::new(
                "SELECT shard, COUNT(*) AS n FROM sites GROUP BY shard",
                vec![],
            ))
            .await?;
        Ok(decode_all::<Count>(rows)?
            .into_iter()
            .map(|c| (c.shard, c.n))
            .collect())
    }

    /// Start moving `id` to `to` (writes to it wait from now on); `false` when a move of
    /// it is under way (or its old copy is still being removed), or it does not exist.
    pub async fn begin_move(&self, id: &str, to: &str, state: &str) -> Result<bool, StoreError> {
        let rows = self
            .exec
            .rows(Query::new(
                "UPDATE sites SET move_to = ?2, move_state = ?3 \
                 WHERE id = ?1 AND move_to IS NULL AND move_state IS NULL RETURNING id",
                vec![Arg::from(id), Arg::from(to), Arg::from(state)],
            ))
            .await?;
        Ok(!rows.is_empty())
    }

    /// Where the move of `id` has got (`state`), if it was still at `was` — two
    /// requests driving one move cannot both take it on (`false`: another one did).
    /// With `shard`, the site is read from there on; with `release`, its writes go on.
    pub async fn save_move(
        &self,
        id: &str,
        was: &str,
        state: Option<&str>,
        shard: Option<&str>,
        release: bool,
    ) -> Result<bool, StoreError> {
        let rows = self
            .exec
            .rows(Query::new(
                "UPDATE sites SET move_state = ?3, shard = COALESCE(?4, shard), \
                 move_to = CASE WHEN ?5 = 1 OR ?3 IS NULL THEN NULL ELSE move_to END \
                 WHERE id = ?1 AND move_state = ?2 RETURNING id",
                vec![
                    Arg::from(id),
                    Arg::from(was),
                    state.map_or(Arg::Null, Arg::from),
                    shard.map_or(Arg::Null, Arg::from),
                    Arg::from(i64::from(release)),
                ],
            ))
            .await?;
        Ok(!rows.is_empty())
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
