//! Storage: the [`store::CommentStore`] trait shaped by request structs, its SQL over an
//! [`exec::SqlExec`] (D1 in the Worker, SQLite in tests), one file per concept, the
//! in-memory store and the contract suite both stores pass.

pub mod audit;
pub mod comments;
pub mod console;
pub mod exec;
pub mod idempotency;
pub mod import;
#[cfg(any(test, feature = "test-support"))]
pub mod memstore;
pub mod moderation;
pub mod notify;
pub mod pages;
pub mod privacy;
pub mod rows;
pub mod session;
pub mod settings;
pub mod shards;
pub mod sites;
pub mod store;

#[cfg(test)]
pub(crate) mod contract;
#[cfg(test)]
mod migrations_test;
