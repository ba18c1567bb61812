//! Colloquy's pure logic, shared by the Worker (server) and the widget (browser).
//!
//! Nothing here touches the network, a database binding or the DOM: the Worker and the
//! widget are thin adapters around these types and functions, and everything in this crate
//! is tested natively with `cargo test`.
//!
//! Folders by role, and dependencies flow one way (`cargo xtask arch` checks it):
//! - [`wire`]: everything that crosses a process boundary — browser-safe, used by every crate;
//! - [`domain`]: pure logic over those types (validation, reply trees, rules, rendering,
//!   tokens, notification planning);
//! - [`import`]: other systems' export files read into one shape;
//! - [`db`]: the store trait and its SQL (D1 in the Worker, SQLite in tests), the in-memory
//!   store and the contract suite both pass;
//! - [`service`]: the business layer the Worker calls, one file per concept.

pub mod domain;
pub mod wire;

#[cfg(feature = "server")]
pub mod db;
#[cfg(any(feature = "server", feature = "import-client"))]
pub mod import;
#[cfg(feature = "server")]
pub mod service;

#[cfg(all(test, feature = "import"))]
mod fuzz;

pub use wire::api::CommentId;
pub use wire::error::{ErrorCode, Field};
