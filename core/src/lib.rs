//! Colloquy's pure logic, shared by the Worker (server) and the widget (browser).
//!
//! Nothing here touches the network, a database binding or the DOM: the Worker and the
//! widget are thin adapters around these types and functions, and everything in this crate
//! is tested natively with `cargo test`.

pub mod api;
pub mod client;
pub mod console;
#[cfg(feature = "server")]
pub mod console_store;
pub mod defaults;
pub mod endpoint;
#[cfg(feature = "server")]
pub mod feed;
#[cfg(all(test, feature = "import"))]
mod fuzz;
#[cfg(feature = "server")]
pub mod idempotency;
#[cfg(any(feature = "server", feature = "import-client"))]
pub mod import;
#[cfg(feature = "server")]
pub mod kv_keys;
#[cfg(any(test, feature = "test-support"))]
pub mod memstore;
#[cfg(all(test, feature = "server"))]
mod migrations_test;
pub mod model;
#[cfg(feature = "server")]
pub mod muted;
#[cfg(feature = "server")]
pub mod notify;
#[cfg(feature = "server")]
pub mod outbox;
pub mod ratelimit;
#[cfg(feature = "server")]
pub mod render;
pub mod rules;
#[cfg(feature = "server")]
pub mod service;
pub mod settings;
#[cfg(feature = "server")]
pub mod site;
#[cfg(feature = "server")]
pub mod sql;
pub mod storage_keys;
pub mod store;
#[cfg(all(test, feature = "server"))]
mod store_contract;
pub mod thread;
#[cfg(feature = "server")]
pub mod token;
pub mod validate;
pub mod words;

pub use api::{CommentId, ErrorCode, Field};
