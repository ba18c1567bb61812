//! The D1 binding behind core's SQL store: statements in, rows out. The SQL itself lives
//! in `colloquy_core::db`, where it is tested against SQLite.

use colloquy_core::db::exec::{Arg, Query, Row, SqlExec, SqlStore};
use colloquy_core::db::store::StoreError;
use colloquy_core::domain::replica;
use colloquy_core::wire::sites::FIRST_SHARD;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1DatabaseSession, D1PreparedStatement, D1Result};

use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The comment store this Worker uses.
pub type D1Store = SqlStore<D1Exec>;

/// One request's D1 session (see `colloquy_core::domain::replica`) and how much it asked
/// of D1: statements, and round trips (a batch is one). Shared by every store the request
/// opens.
#[derive(Clone, Default)]
pub struct Usage {
    pub statements: Rc<Cell<u32>>,
    pub round_trips: Rc<Cell<u32>>,
    /// Rows D1 read and wrote (what it bills), and its time running the SQL (µs).
    pub rows_read: Rc<Cell<u64>>,
    pub rows_written: Rc<Cell<u64>>,
    pub sql_us: Rc<Cell<u64>>,
    /// Where the next query's session starts (a constraint or a bookmark); taken when
    /// the session opens. `None` with no session yet: anywhere.
    start: Rc<RefCell<Option<String>>>,
    /// The newest bookmark the request's queries have seen.
    bookmark: Rc<RefCell<Option<String>>>,
    /// The database the request's site is in (bookmarks are of one database).
    shard: Rc<RefCell<String>>,
}

impl Usage {
    fn count(&self, statements: usize) {
        self.statements
            .set(self.statements.get() + statements as u32);
        self.round_trips.set(self.round_trips.get() + 1);
    }

    /// Start (or start again) the session at `constraint_or_bookmark`: a bookmark after
    /// the session began restarts it there (a replica that holds that write).
    pub fn start_at(&self, constraint_or_bookmark: &str) {
        *self.start.borrow_mut() = Some(constraint_or_bookmark.to_owned());
    }

    /// The bookmark of the request's last query (after a write: the point a reader must
    /// read from to see it).
    pub fn bookmark(&self) -> Option<String> {
        self.bookmark.borrow().clone()
    }

    /// The site's database, once the request knows its site.
    pub fn set_shard(&self, shard: &str) {
        *self.shard.borrow_mut() = shard.to_owned();
    }

    /// [`bookmark`](Self::bookmark), with its database, to keep beside a page version.
    pub fn kept_bookmark(&self) -> Option<String> {
        let shard = self.shard.borrow();
        let shard = if shard.is_empty() {
            FIRST_SHARD
        } else {
            shard.as_str()
        };
        self.bookmark().map(|b| replica::tag(shard, &b))
    }

    /// Start at a bookmark kept beside a page version, if it is of the site's database
    /// (a site that moved since starts anywhere).
    pub fn start_after(&self, kept: &str) {
        let shard = self.shard.borrow().clone();
        let shard = if shard.is_empty() {
            FIRST_SHARD
        } else {
            shard.as_str()
        };
        if let Some(bookmark) = replica::of_shard(kept, shard) {
            self.start_at(bookmark);
        }
    }
}

/// The executor alone (for the directory of sites, which is no site's store).
pub fn exec(db: D1Database, usage: Usage) -> D1Exec {
    D1Exec {
        db,
        usage,
        failing: false,
        session: RefCell::default(),
    }
}

/// The executor over the deployment's first database (the directory of sites).
pub fn exec_for(env: &worker::Env) -> worker::Result<D1Exec> {
    exec_on(env, FIRST_SHARD)
}

/// The executor over one of the deployment's databases (`DB`, `DB1`, …).
pub fn exec_on(env: &worker::Env, shard: &str) -> worker::Result<D1Exec> {
    Ok(exec(env.d1(shard)?, Usage::default()))
}

/// The same at the primary: what a site's move reads must be the latest (a replica
/// behind it could make it copy or compare an older state).
pub fn primary_on(env: &worker::Env, shard: &str) -> worker::Result<D1Exec> {
    let usage = Usage::default();
    usage.start_at(replica::FIRST_PRIMARY);
    Ok(exec(env.d1(shard)?, usage))
}

/// The most databases one deployment lists (`DB`, then `DB1` … `DB63`).
const SHARDS_MAX: i64 = 64;

/// The deployment's databases: `DB`, then `DB1`, `DB2`, … for as long as `wrangler.toml`
/// binds them (numbered from 1 without a gap).
pub fn shards(env: &worker::Env) -> Vec<String> {
    let mut out = vec![FIRST_SHARD.to_owned()];
    for k in 1..SHARDS_MAX {
        let name = format!("{FIRST_SHARD}{k}");
        if env.d1(&name).is_err() {
            break;
        }
        out.push(name);
    }
    out
}

/// Whether a database is ready to hold sites (bound, and migrated as far as the newest
/// table), and how many bytes it holds as D1 reports (`None` if it cannot say). One
/// small statement.
pub async fn ready_size(env: &worker::Env, shard: &str) -> Result<Option<u64>, String> {
    let db = env.d1(shard).map_err(|e| e.to_string())?;
    let result = db
        .prepare("SELECT COUNT(*) AS n FROM sealed_sites")
        .all()
        .await
        .map_err(|e| e.to_string())?;
    Ok(result
        .meta()
        .ok()
        .flatten()
        .and_then(|m| m.size_after)
        .map(|n| n as u64))
}

/// The store of one site (every statement names it).
pub fn store(db: D1Database, usage: Usage, site: &str) -> D1Store {
    SqlStore::new(
        D1Exec {
            db,
            usage,
            failing: false,
            session: RefCell::default(),
        },
        site,
    )
}

/// A store whose every statement fails as if D1 were down (the test-only fault switch,
/// see `faults.rs`).
pub fn failing_store(db: D1Database, usage: Usage, site: &str) -> D1Store {
    SqlStore::new(
        D1Exec {
            db,
            usage,
            failing: true,
            session: RefCell::default(),
        },
        site,
    )
}

pub struct D1Exec {
    db: D1Database,
    usage: Usage,
    failing: bool,
    /// The request's session (opened at the first query, again after `start_at`).
    session: RefCell<Option<Rc<D1DatabaseSession>>>,
}

fn injected() -> StoreError {
    StoreError::Backend("D1 unavailable (fault injected by the test switch)".into())
}

fn backend(e: worker::Error) -> StoreError {
    StoreError::backend(e.to_string())
}

/// D1 numbers arrive and leave as JS numbers; ids and millisecond times stay below 2^53.
fn js(arg: &Arg) -> JsValue {
    match arg {
        Arg::Null => JsValue::NULL,
        Arg::Int(n) => JsValue::from_f64(*n as f64),
        Arg::Text(s) => JsValue::from_str(s),
    }
}

impl D1Exec {
    /// The session to run the next statement in: a new one where the request asked for
    /// one (its start, or a bookmark learned since), else the open one.
    fn session(&self) -> Result<Rc<D1DatabaseSession>, StoreError> {
        let start = self.usage.start.borrow_mut().take();
        if let (None, Some(open)) = (&start, self.session.borrow().as_ref()) {
            return Ok(open.clone());
        }
        let session = Rc::new(self.db.with_session(start.as_deref()).map_err(backend)?);
        *self.session.borrow_mut() = Some(session.clone());
        Ok(session)
    }

    fn prepare(
        &self,
        session: &D1DatabaseSession,
        q: &Query,
    ) -> Result<D1PreparedStatement, StoreError> {
        let args: Vec<JsValue> = q.args.iter().map(js).collect();
        session.prepare(&q.sql).bind(&args).map_err(backend)
    }

    /// Remember where the session got to.
    fn seen(&self, session: &D1DatabaseSession) {
        if let Ok(Some(bookmark)) = session.get_bookmark() {
            *self.usage.bookmark.borrow_mut() = Some(bookmark);
        }
    }
}

impl Usage {
    /// Add what D1 says one statement read, wrote and took.
    fn meter(&self, result: &D1Result) {
        if let Ok(Some(meta)) = result.meta() {
            let add = |cell: &Cell<u64>, n: u64| cell.set(cell.get().saturating_add(n));
            add(&self.rows_read, meta.rows_read.unwrap_or(0) as u64);
            add(&self.rows_written, meta.rows_written.unwrap_or(0) as u64);
            add(&self.sql_us, (meta.duration.unwrap_or(0.0) * 1000.0) as u64);
        }
    }
}

fn rows_of(result: &D1Result) -> Result<Vec<Row>, StoreError> {
    result
        .results::<Row>()
        .map_err(|e| StoreError::Decode(e.to_string()))
}

impl SqlExec for D1Exec {
    async fn rows(&self, query: Query) -> Result<Vec<Row>, StoreError> {
        if self.failing {
            return Err(injected());
        }
        self.usage.count(1);
        let session = self.session()?;
        let result = self
            .prepare(&session, &query)?
            .all()
            .await
            .map_err(backend)?;
        self.seen(&session);
        self.usage.meter(&result);
        rows_of(&result)
    }

    async fn batch(&self, queries: Vec<Query>) -> Result<Vec<Vec<Row>>, StoreError> {
        if self.failing {
            return Err(injected());
        }
        let session = self.session()?;
        let statements = queries
            .iter()
            .map(|q| self.prepare(&session, q))
            .collect::<Result<Vec<_>, _>>()?;
        self.usage.count(statements.len());
        let results = session.batch(statements).await.map_err(backend)?;
        self.seen(&session);
        for result in &results {
            self.usage.meter(result);
        }
        results.iter().map(rows_of).collect()
    }
}
