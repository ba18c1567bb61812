//! Harness for the end-to-end suite. `cargo xtask test` starts the deployments listed in
//! [`deployments`] (each `wrangler dev` on its own copy of a local D1, with its demo page)
//! and ChromeDriver, then runs the suite's one binary (`tests/e2e/`) with their addresses
//! in the variables that table names; [`fixtures::Deployment`] finds them there.
//!
//! Every test builds its own data in a thread of its own ([`unique_thread`]) from clients
//! of its own ([`http::fresh_client_ip`]), so tests run in parallel and never depend on
//! each other's leftovers; the few that change what a whole deployment's users see take
//! that deployment's lock ([`fixtures::Deployment::lock`]).

pub mod browser;
pub mod console;
pub mod d1;
pub mod deployments;
pub mod fixtures;
pub mod http;
pub mod payloads;
pub mod seed;
pub mod sites;

use std::sync::atomic::{AtomicU32, Ordering};

/// An address handed over by `cargo xtask test`. Missing means the suite was started the
/// wrong way, which must fail loudly rather than skip.
pub fn env_url(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the end-to-end tests through `cargo xtask test`")
    })
}

/// A thread key no other test (or run) uses.
pub fn unique_thread(label: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("/e2e/{label}-{:x}-{n}/", http::random_u64())
}
