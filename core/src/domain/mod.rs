//! Pure logic over the wire types: validation, the reply tree, spam rules, rendering,
//! tokens, feeds and notification planning. No SQL and no I/O; uses only [`crate::wire`]
//! and itself.

pub mod client;
#[cfg(feature = "server")]
pub mod dates;
#[cfg(feature = "server")]
pub mod feed;
#[cfg(feature = "server")]
pub mod kv_keys;
pub mod mail_words;
pub mod model;
#[cfg(feature = "server")]
pub mod muted;
#[cfg(feature = "server")]
pub mod notify;
pub mod ratelimit;
#[cfg(feature = "server")]
pub mod render;
pub mod replica;
pub mod rules;
#[cfg(feature = "server")]
pub mod site;
pub mod thread;
#[cfg(feature = "server")]
pub mod token;
pub mod validate;
pub mod words;
