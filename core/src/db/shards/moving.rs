//! Moving one site to another database while readers read it: writes wait, the rows are
//! copied and checked, the directory switches, writes go on, and the old copy goes.
//!
//! Every Worker isolate keeps a copy of the directory for a while (`settle_ms`): a write
//! an isolate takes with an old copy would land in the database the site is leaving. So
//! writes to the site are held from the start, the copy begins only once every isolate
//! can have seen that, and after the switch they stay held as long again (an isolate that
//! still reads the old copy holds them too) — no write lands in the old database after
//! its rows were copied, and none is lost. Reads go on throughout: from the old database
//! until the switch, and after it from either (the old copy stays until writes resume).
//!
//! How far a move has got is kept in the directory (`sites.move_state`), so the operator
//! drives it with one request after another, each a bounded amount of work, and a
//! request that dies half-way is simply made again.

use serde::{Deserialize, Serialize};

use super::{census, copy_step, ensure_seeded, remove_step, Cursor};
use crate::db::exec::{Arg, Query, SqlExec};
use crate::db::sites::Directory;
use crate::db::store::StoreError;
use crate::wire::sites::{shard_index, MoveProgress, FIRST_SHARD};

/// Where a move stands: kept as JSON in the directory's `move_state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveState {
    pub from: String,
    pub to: String,
    pub phase: Phase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Writes wait; copying starts at `until_ms`, when every isolate knows.
    Held { until_ms: i64 },
    /// Copying, table by table (see [`super::copy_step`]).
    Copying { table: usize, after: i64 },
    /// Every row is copied: compare the two databases.
    Verifying,
    /// The directory names the new database; writes wait until `until_ms`.
    Switched { until_ms: i64 },
    /// Writes go to the new database; the old one's rows go.
    Removing { at: usize },
    /// The copy did not match the original: it goes, and the site stays where it was.
    Undoing { at: usize },
}

impl Phase {
    /// The name the operator sees (see [`MoveProgress::phase`]).
    pub fn name(self) -> &'static str {
        match self {
            Phase::Held { .. } => "held",
            Phase::Copying { .. } | Phase::Verifying => "copying",
            Phase::Switched { .. } => "switched",
            Phase::Removing { .. } => "removing",
            Phase::Undoing { .. } => "undoing",
        }
    }
}

/// Why a move cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveRefused {
    #[error("{0} is not one of this deployment's databases ({1})")]
    NoSuchShard(String, String),
    #[error("the site is in {0} already")]
    AlreadyThere(String),
    /// Ids stay unique because each database numbers from its own range, and a row only
    /// ever moves to a database whose range is above its own.
    #[error("a site moves only to a database with a higher number than {from}'s")]
    Downwards { from: String },
    #[error("the deployment's own site stays in the first database (DB)")]
    MainSite,
}

/// Whether a site in `from` may move to `to`, given the deployment's databases.
pub fn check(from: &str, to: &str, shards: &[String], main: bool) -> Result<(), MoveRefused> {
    if main {
        return Err(MoveRefused::MainSite);
    }
    let to_index = shards
        .iter()
        .any(|s| s == to)
        .then(|| shard_index(to))
        .flatten()
        .ok_or_else(|| MoveRefused::NoSuchShard(to.to_owned(), shards.join(", ")))?;
    if from == to {
        return Err(MoveRefused::AlreadyThere(to.to_owned()));
    }
    if shard_index(from).is_some_and(|f| to_index <= f) {
        return Err(MoveRefused::Downwards {
            from: from.to_owned(),
        });
    }
    Ok(())
}

/// The database a new site goes to: the one with the fewest bytes (as D1 reports its
/// size), then the fewest sites; `shards` in the deployment's order, `None` for a size
/// that could not be read (such a database is taken only when none could be).
pub fn emptiest(shards: &[(String, Option<u64>)], sites: &[(String, i64)]) -> String {
    let count = |s: &str| {
        sites
            .iter()
            .find(|(shard, _)| shard == s)
            .map_or(0, |(_, n)| *n)
    };
    shards
        .iter()
        .min_by_key(|(name, bytes)| (bytes.is_none(), bytes.unwrap_or(0), count(name)))
        .map_or_else(|| FIRST_SHARD.to_owned(), |(name, _)| name.clone())
}

/// One site's move, with both databases open.
pub struct Move<'a, D, F, T> {
    pub directory: &'a Directory<D>,
    pub from: &'a F,
    pub to: &'a T,
    pub site: &'a str,
    pub state: MoveState,
    /// How long an isolate may use its copy of the directory (plus a margin).
    pub settle_ms: i64,
}

fn encode(state: &MoveState) -> String {
    serde_json::to_string(state).unwrap_or_default()
}

/// A state read back from the directory (`None`: not one this code wrote).
pub fn decode(text: &str) -> Option<MoveState> {
    serde_json::from_str(text).ok()
}

/// Start moving `site` from `from` (its database, `from_db`) to `to` (checked with
/// [`check`]): from now on writes to it wait, and `from_db` refuses them ([`seal`]).
/// `false` when a move of it is under way already.
pub async fn begin<D: SqlExec, F: SqlExec>(
    directory: &Directory<D>,
    from_db: &F,
    site: &str,
    from: &str,
    to: &str,
    now_ms: i64,
    settle_ms: i64,
) -> Result<bool, StoreError> {
    let state = MoveState {
        from: from.to_owned(),
        to: to.to_owned(),
        phase: Phase::Held {
            until_ms: now_ms + settle_ms,
        },
    };
    let begun = directory.begin_move(site, to, &encode(&state)).await?;
    if begun {
        seal(from_db, site, true).await?;
    }
    Ok(begun)
}

/// The old copy is being removed: the seal lets its rows be deleted (still nothing
/// written). Safe to run again.
async fn removing<E: SqlExec>(db: &E, site: &str) -> Result<(), StoreError> {
    db.rows(Query::new(
        "UPDATE sealed_sites SET removing = 1 WHERE site_id = ?1 RETURNING site_id",
        vec![Arg::from(site)],
    ))
    .await?;
    Ok(())
}

/// Make the database a site is leaving refuse (`true`) or take again (`false`) every
/// write to the site's rows (migration 0013): the directory tells Workers where a site
/// is, but a Worker may act on an older copy; the database itself then says no.
pub async fn seal<E: SqlExec>(db: &E, site: &str, sealed: bool) -> Result<(), StoreError> {
    let sql = if sealed {
        "INSERT OR IGNORE INTO sealed_sites (site_id) VALUES (?1) RETURNING site_id"
    } else {
        "DELETE FROM sealed_sites WHERE site_id = ?1 RETURNING site_id"
    };
    db.rows(Query::new(sql, vec![Arg::from(site)])).await?;
    Ok(())
}

/// Whether two bindings reach one and the same database (an operator who copied a
/// `[[d1_databases]]` block and kept its `database_id`): a row written through one is
/// looked for through the other. A move between them would copy a site onto itself and
/// then remove it.
pub async fn same_database<A: SqlExec, B: SqlExec>(
    a: &A,
    b: &B,
    nonce: &str,
) -> Result<bool, StoreError> {
    let id = format!("~same-{nonce}");
    a.rows(Query::new(
        "INSERT INTO sites (id, name, created_at) VALUES (?1, ?1, 0) RETURNING id",
        vec![Arg::from(id.as_str())],
    ))
    .await?;
    let seen = b
        .rows(Query::new(
            "SELECT id FROM sites WHERE id = ?1",
            vec![Arg::from(id.as_str())],
        ))
        .await;
    a.rows(Query::new(
        "DELETE FROM sites WHERE id = ?1 RETURNING id",
        vec![Arg::from(id.as_str())],
    ))
    .await?;
    Ok(!seen?.is_empty())
}

impl<D: SqlExec, F: SqlExec, T: SqlExec> Move<'_, D, F, T> {
    /// Save `next` over the state this request started from; `false` when another
    /// request took the move on meanwhile (this one then stops).
    async fn save(
        &mut self,
        next: Option<Phase>,
        shard: Option<&str>,
        release: bool,
    ) -> Result<bool, StoreError> {
        let was = encode(&self.state);
        let state = next.map(|phase| MoveState {
            phase,
            ..self.state.clone()
        });
        let text = state.as_ref().map(encode);
        let saved = self
            .directory
            .save_move(self.site, &was, text.as_deref(), shard, release)
            .await?;
        if let (true, Some(state)) = (saved, state) {
            self.state = state;
        }
        Ok(saved)
    }

    /// Go on with the move: at most `budget` steps (each a page of rows, two round trips
    /// at most), or until it has to wait. The state is saved before returning (only over
    /// the state this request started from: a second request driving the same move at
    /// the same time stops instead).
    pub async fn advance(mut self, now_ms: i64, budget: u32) -> Result<MoveProgress, StoreError> {
        let mut phase = self.state.phase;
        let mut wait_ms = 0;
        let mut over = None;
        for _ in 0..budget {
            match phase {
                Phase::Held { until_ms } if now_ms < until_ms => {
                    wait_ms = until_ms - now_ms;
                    break;
                }
                Phase::Held { .. } => {
                    // (Again: a move begun before the seal existed, or half-begun.)
                    seal(self.from, self.site, true).await?;
                    ensure_seeded(self.to, shard_index(&self.state.to).unwrap_or(0)).await?;
                    phase = Phase::Copying { table: 0, after: 0 };
                }
                Phase::Copying { table, after } => {
                    phase = match copy_step(self.from, self.to, self.site, Cursor { table, after })
                        .await?
                    {
                        Some(next) => Phase::Copying {
                            table: next.table,
                            after: next.after,
                        },
                        None => Phase::Verifying,
                    };
                    if phase == Phase::Verifying {
                        // The comparison reads every table twice: a call of its own.
                        break;
                    }
                }
                Phase::Verifying => {
                    let same =
                        census(self.from, self.site).await? == census(self.to, self.site).await?;
                    phase = if same {
                        Phase::Switched {
                            until_ms: now_ms + self.settle_ms,
                        }
                    } else {
                        Phase::Undoing { at: 0 }
                    };
                    if same {
                        let to = self.state.to.clone();
                        if !self.save(Some(phase), Some(&to), false).await? {
                            return Ok(self.busy());
                        }
                    }
                    break;
                }
                Phase::Switched { until_ms } if now_ms < until_ms => {
                    wait_ms = until_ms - now_ms;
                    break;
                }
                Phase::Switched { .. } => {
                    phase = Phase::Removing { at: 0 };
                    // Writes go on (to the new database) while the old rows go.
                    if !self.save(Some(phase), None, true).await? {
                        return Ok(self.busy());
                    }
                }
                Phase::Removing { at } | Phase::Undoing { at } => {
                    // Removing: the old copy, once the site reads from the new database.
                    // Undoing: the copy that did not match; the site stays.
                    let undoing = matches!(phase, Phase::Undoing { .. });
                    if !undoing && at == 0 {
                        // The seal lets the removal delete (and nothing else write).
                        removing(self.from, self.site).await?;
                    }
                    let next = if undoing {
                        remove_step(self.to, self.site, at, self.state.to == FIRST_SHARD).await?
                    } else {
                        remove_step(self.from, self.site, at, self.state.from == FIRST_SHARD)
                            .await?
                    };
                    match next {
                        Some(at) if undoing => phase = Phase::Undoing { at },
                        Some(at) => phase = Phase::Removing { at },
                        None => {
                            // The old database takes the site's writes again (nothing of it
                            // is left there, or it stays there) — before the move is marked
                            // over, so a failed unseal is met again by the next request
                            // instead of leaving a site that refuses writes.
                            seal(self.from, self.site, false).await?;
                            if !self.save(None, None, true).await? {
                                return Ok(self.busy());
                            }
                            over = Some(if undoing { "undone" } else { "done" });
                            break;
                        }
                    }
                }
            }
        }
        if over.is_none()
            && phase != self.state.phase
            && !self.save(Some(phase), None, false).await?
        {
            return Ok(self.busy());
        }
        Ok(MoveProgress {
            site: self.site.to_owned(),
            from: self.state.from.clone(),
            to: self.state.to.clone(),
            phase: over.unwrap_or(phase.name()).to_owned(),
            wait_ms: u64::try_from(wait_ms).unwrap_or(0),
        })
    }
}

impl<D, F, T> Move<'_, D, F, T> {
    /// Another request took the move on while this one worked: ask again in a moment.
    fn busy(&self) -> MoveProgress {
        MoveProgress {
            site: self.site.to_owned(),
            from: self.state.from.clone(),
            to: self.state.to.clone(),
            phase: self.state.phase.name().to_owned(),
            wait_ms: 1000,
        }
    }
}

#[cfg(test)]
mod tests;
