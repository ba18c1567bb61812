//! Colloquy's pure logic, shared by the Worker (server) and the widget (browser).
//!
//! Nothing here touches the network, a database binding or the DOM: the Worker and the
//! widget are thin adapters around these types and functions, and everything in this crate
//! is tested natively with `cargo test`.

pub mod api;
pub mod model;
pub mod ratelimit;
#[cfg(feature = "server")]
pub mod render;
#[cfg(feature = "server")]
pub mod service;
pub mod store;
pub mod thread;
#[cfg(feature = "server")]
pub mod token;
pub mod validate;

pub use api::{ErrorCode, Field};
pub use model::CommentId;
