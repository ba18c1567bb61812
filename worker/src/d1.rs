//! The D1 binding behind core's SQL store: statements in, rows out. The SQL itself lives
//! in `colloquy_core::db`, where it is tested against SQLite.

use colloquy_core::db::exec::{Arg, Query, Row, SqlExec, SqlStore};
use colloquy_core::db::store::StoreError;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

use std::cell::Cell;
use std::rc::Rc;

/// The comment store this Worker uses.
pub type D1Store = SqlStore<D1Exec>;

/// How much one request asked of D1: statements, and round trips (a batch is one).
#[derive(Clone, Default)]
pub struct Usage {
    pub statements: Rc<Cell<u32>>,
    pub round_trips: Rc<Cell<u32>>,
}

impl Usage {
    fn count(&self, statements: usize) {
        self.statements
            .set(self.statements.get() + statements as u32);
        self.round_trips.set(self.round_trips.get() + 1);
    }
}

/// The executor alone (for the directory of sites, which is no site's store).
pub fn exec(db: D1Database, usage: Usage) -> D1Exec {
    D1Exec {
        db,
        usage,
        failing: false,
    }
}

/// The executor over the deployment's database binding.
pub fn exec_for(env: &worker::Env) -> worker::Result<D1Exec> {
    Ok(exec(
        env.d1(colloquy_core::wire::vars::DB_BINDING)?,
        Usage::default(),
    ))
}

/// The store of one site (every statement names it).
pub fn store(db: D1Database, usage: Usage, site: &str) -> D1Store {
    SqlStore::new(
        D1Exec {
            db,
            usage,
            failing: false,
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
        },
        site,
    )
}

pub struct D1Exec {
    db: D1Database,
    usage: Usage,
    failing: bool,
}

fn injected() -> StoreError {
    StoreError::Backend("D1 unavailable (fault injected by the test switch)".into())
}

fn backend(e: worker::Error) -> StoreError {
    StoreError::Backend(e.to_string())
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
    fn prepare(&self, q: &Query) -> Result<D1PreparedStatement, StoreError> {
        let args: Vec<JsValue> = q.args.iter().map(js).collect();
        self.db.prepare(&q.sql).bind(&args).map_err(backend)
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
        let result = self.prepare(&query)?.all().await.map_err(backend)?;
        rows_of(&result)
    }

    async fn batch(&self, queries: Vec<Query>) -> Result<Vec<Vec<Row>>, StoreError> {
        if self.failing {
            return Err(injected());
        }
        let statements = queries
            .iter()
            .map(|q| self.prepare(q))
            .collect::<Result<Vec<_>, _>>()?;
        self.usage.count(statements.len());
        let results = self.db.batch(statements).await.map_err(backend)?;
        results.iter().map(rows_of).collect()
    }
}
