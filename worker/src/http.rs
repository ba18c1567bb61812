//! Request plumbing every handler shares: the client's address, JSON bodies read with the
//! CSRF and size guards, JSON answers, the one place an error becomes a response, and the
//! security headers on every answer.

use colloquy_core::wire::limits;
use colloquy_core::ErrorCode;
use serde::Serialize;
use worker::{console_error, Headers, Request, Response, Result};

use crate::error::WorkerError;

/// Cloudflare sets `CF-Connecting-IP` on every request (and overwrites any client value).
pub fn client_ip(req: &Request) -> std::result::Result<String, WorkerError> {
    Ok(req
        .headers()
        .get("CF-Connecting-IP")?
        .unwrap_or_else(|| "unknown".to_owned()))
}

/// Read a JSON body with the CSRF and size guards: only `application/json` is accepted
/// (an HTML form cannot send it cross-site without a preflight), and never more than
/// [`limits::REQUEST_BYTES`].
pub async fn read_json<T: serde::de::DeserializeOwned>(
    req: &mut Request,
) -> std::result::Result<T, WorkerError> {
    read_json_up_to(req, limits::REQUEST_BYTES).await
}

/// [`read_json`] with its own size limit (the console's import batches are larger).
pub async fn read_json_up_to<T: serde::de::DeserializeOwned>(
    req: &mut Request,
    max_bytes: usize,
) -> std::result::Result<T, WorkerError> {
    let content_type = req.headers().get("Content-Type")?.unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err(WorkerError::Request(ErrorCode::UnsupportedMediaType));
    }
    let declared = req
        .headers()
        .get("Content-Length")?
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max_bytes) {
        return Err(WorkerError::Request(ErrorCode::PayloadTooLarge));
    }
    let bytes = req.bytes().await?;
    if bytes.len() > max_bytes {
        return Err(WorkerError::Request(ErrorCode::PayloadTooLarge));
    }
    serde_json::from_slice(&bytes).map_err(|_| WorkerError::Request(ErrorCode::InvalidJson))
}

pub fn json<T: Serialize>(status: u16, value: &T) -> std::result::Result<Response, WorkerError> {
    let body = serde_json::to_vec(value).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let headers = Headers::new();
    headers.set("Content-Type", "application/json; charset=utf-8")?;
    headers.set("Cache-Control", "no-store")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    Ok(Response::from_bytes(body)?
        .with_status(status)
        .with_headers(headers))
}

/// The single place an error becomes a response: a public body with a stable code, and for
/// internal failures a detailed log line for the operator instead of details for the client.
pub fn error_response(err: &WorkerError) -> Result<Response> {
    if err.is_internal() {
        console_error!("colloquy: {err}");
    }
    let body = err.body();
    let response = match json(body.error.code.status(), &body) {
        Ok(response) => response,
        Err(WorkerError::Runtime(e)) => return Err(e),
        Err(other) => return Err(worker::Error::RustError(other.to_string())),
    };
    if let Some(secs) = err.retry_after_secs() {
        response.headers().set("Retry-After", &secs.to_string())?;
    }
    Ok(response)
}

/// On every answer: no MIME sniffing, no referrer sent onwards, no framing of what this
/// Worker renders as a page (the widget's HTML is fetched, never framed); the plain pages
/// (`/view`) load only this Worker's stylesheet and no script at all.
pub fn secure(headers: &mut Headers) -> Result<()> {
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("Referrer-Policy", "no-referrer")?;
    let is_html = headers
        .get("Content-Type")?
        .is_some_and(|t| t.starts_with("text/html"));
    if is_html && !headers.has("Content-Security-Policy")? {
        headers.set(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self' data: https:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        )?;
    }
    Ok(())
}
