//! Storage: the [`store::CommentStore`] trait shaped by request structs, its SQL over an
//! [`sql::SqlExec`] (D1 in the Worker, SQLite in tests), one file per concept, the
//! in-memory store and the contract suite both stores pass.

pub mod console;
pub mod idempotency;
#[cfg(any(test, feature = "test-support"))]
pub mod memstore;
pub mod notify;
pub mod sql;
pub mod store;

#[cfg(test)]
pub(crate) mod contract;
#[cfg(test)]
mod migrations_test;
