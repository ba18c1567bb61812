//! Everything that crosses a process boundary (browser ↔ Worker, console ↔ Worker, CLI ↔
//! Worker, D1 rows stored as JSON): browser-safe, so the wasm halves use it without carrying
//! a parser, a sanitizer or SQL. Nothing here uses the other folders.

pub mod api;
pub mod console;
pub mod defaults;
pub mod dom;
pub mod endpoint;
pub mod error;
pub mod limits;
pub mod moderation;
pub mod settings;
pub mod sites;
pub mod storage_keys;
pub mod vars;
