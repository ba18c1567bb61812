//! Running SQL with no database binding in sight: statements with positional arguments,
//! rows as JSON maps, and the [`SqlExec`] that runs them — D1 in the Worker, SQLite (which
//! D1 is) in the unit tests, with the same `migrations/*.sql`. So the SQL is tested natively
//! in seconds, and the Worker's adapter only moves values in and rows out.

use serde::de::DeserializeOwned;

use crate::db::store::StoreError;
use crate::wire::api::CommentId;

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

/// One executor serves several stores (one per site over one database).
impl<T: SqlExec> SqlExec for &T {
    async fn rows(&self, query: Query) -> Result<Vec<Row>, StoreError> {
        (**self).rows(query).await
    }

    async fn batch(&self, queries: Vec<Query>) -> Result<Vec<Vec<Row>>, StoreError> {
        (**self).batch(queries).await
    }
}

/// One site's store over any [`SqlExec`]. Every statement about what a site owns (its
/// threads, comments, blocks, sessions, audit, outbox, subscriptions) says "and this
/// site", so an id, an email or a key of another site finds nothing — isolation is a
/// property of the store, not something each caller has to remember.
pub struct SqlStore<E> {
    exec: E,
    site: String,
}

impl<E> SqlStore<E> {
    pub fn new(exec: E, site: &str) -> Self {
        SqlStore {
            exec,
            site: site.to_owned(),
        }
    }

    /// The site this store reads and writes.
    pub fn site_id(&self) -> &str {
        &self.site
    }

    /// The site as a bound value.
    pub(crate) fn site(&self) -> Arg {
        Arg::Text(self.site.clone())
    }

    /// `?1` the site, then the ids.
    pub(crate) fn site_and(&self, ids: &[CommentId]) -> Vec<Arg> {
        let mut args = vec![self.site()];
        args.extend(ids.iter().map(|id| Arg::from(*id)));
        args
    }

    /// The executor, for the console's statements (`db::console`).
    pub(crate) fn exec(&self) -> &E {
        &self.exec
    }
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

pub(crate) fn one<T>(mut rows: Vec<T>, what: &str) -> Result<T, StoreError> {
    if rows.is_empty() {
        return Err(StoreError::Backend(format!("{what} returned no row")));
    }
    Ok(rows.swap_remove(0))
}
