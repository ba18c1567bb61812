//! CORS: anyone may read public threads; only allowed origins may write, and only they get
//! CORS headers on write responses, so browsers on other sites cannot even see the answer.

use worker::{Headers, Result};

/// Headers for a response to a read (`GET`): public data, any origin.
pub fn public_read_headers(headers: &Headers) -> Result<()> {
    headers.set("Access-Control-Allow-Origin", "*")
}

/// Headers for a write response or a preflight, for an origin that is allowed to write.
pub fn allowed_write_headers(headers: &Headers, origin: &str) -> Result<()> {
    headers.set("Access-Control-Allow-Origin", origin)?;
    headers.set(
        "Access-Control-Allow-Methods",
        "GET, POST, PATCH, DELETE, OPTIONS",
    )?;
    headers.set(
        "Access-Control-Allow-Headers",
        "Content-Type, Idempotency-Key",
    )?;
    headers.set("Access-Control-Max-Age", "86400")?;
    headers.append("Vary", "Origin")
}
