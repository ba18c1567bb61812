//! HTTP routing: parse the request, enforce the write guards, call the core service,
//! serialize the answer. Every error leaves through [`error_response`].

use colloquy_core::api::{CreatedComment, NewComment, API_PREFIX};
use colloquy_core::service::Service;
use colloquy_core::validate::limits;
use colloquy_core::ErrorCode;
use serde::Serialize;
use worker::{console_error, Date, Env, Headers, Method, Request, Response, Result};

use crate::config::Config;
use crate::cors;
use crate::d1_store::D1Store;
use crate::error::WorkerError;

/// The D1 binding name in wrangler.toml.
const DB_BINDING: &str = "DB";

/// Entry point for every request that is not a static asset.
pub async fn handle(req: Request, env: &Env) -> Result<Response> {
    let config = Config::from_env(env);
    let origin = req.headers().get("Origin")?;
    let write_origin = origin.filter(|o| config.origin_allowed(o));
    let is_read = req.method() == Method::Get;

    let outcome = route(req, env, &config, write_origin.as_deref()).await;
    let mut response = match outcome {
        Ok(response) => response,
        Err(err) => error_response(&err)?,
    };
    let headers = response.headers_mut();
    if is_read {
        cors::public_read_headers(headers)?;
    } else if let Some(origin) = write_origin.as_deref() {
        cors::allowed_write_headers(headers, origin)?;
    }
    Ok(response)
}

async fn route(
    mut req: Request,
    env: &Env,
    config: &Config,
    write_origin: Option<&str>,
) -> std::result::Result<Response, WorkerError> {
    let path = req.path();
    let Some(endpoint) = path.strip_prefix(API_PREFIX) else {
        return Err(WorkerError::Request(ErrorCode::NotFound));
    };
    match (req.method(), endpoint) {
        (Method::Get, "/health") => json(200, &serde_json::json!({ "ok": true })),
        (Method::Options, _) => {
            // Preflight: answered with CORS headers only for allowed origins (added by
            // `handle`), so other sites' browsers refuse to send the write at all.
            Ok(Response::empty()?.with_status(204))
        }
        (Method::Get, "/comments") => {
            let thread = req
                .url()?
                .query_pairs()
                .find(|(k, _)| k == "thread")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let store = D1Store::new(env.d1(DB_BINDING)?);
            let page = Service::new(&store, &config.site_id)
                .thread(&thread)
                .await?;
            json(200, &page)
        }
        (Method::Post, "/comments") => {
            if write_origin.is_none() {
                return Err(WorkerError::Request(ErrorCode::OriginNotAllowed));
            }
            let input: NewComment = read_json(&mut req).await?;
            let store = D1Store::new(env.d1(DB_BINDING)?);
            let now = i64::try_from(Date::now().as_millis()).unwrap_or(i64::MAX);
            let comment = Service::new(&store, &config.site_id)
                .create(&input, now)
                .await?;
            json(201, &CreatedComment { comment })
        }
        (_, "/comments" | "/health") => Err(WorkerError::Request(ErrorCode::MethodNotAllowed)),
        _ => Err(WorkerError::Request(ErrorCode::NotFound)),
    }
}

/// Read a JSON body with the CSRF and size guards: only `application/json` is accepted
/// (an HTML form cannot send it cross-site without a preflight), and never more than
/// [`limits::REQUEST_BYTES`].
async fn read_json<T: serde::de::DeserializeOwned>(
    req: &mut Request,
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
    if declared.is_some_and(|n| n > limits::REQUEST_BYTES) {
        return Err(WorkerError::Request(ErrorCode::PayloadTooLarge));
    }
    let bytes = req.bytes().await?;
    if bytes.len() > limits::REQUEST_BYTES {
        return Err(WorkerError::Request(ErrorCode::PayloadTooLarge));
    }
    serde_json::from_slice(&bytes).map_err(|_| WorkerError::Request(ErrorCode::InvalidJson))
}

fn json<T: Serialize>(status: u16, value: &T) -> std::result::Result<Response, WorkerError> {
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
fn error_response(err: &WorkerError) -> Result<Response> {
    if err.is_internal() {
        console_error!("colloquy: {err}");
    }
    let body = err.body();
    match json(body.error.code.status(), &body) {
        Ok(response) => Ok(response),
        Err(WorkerError::Runtime(e)) => Err(e),
        Err(other) => Err(worker::Error::RustError(other.to_string())),
    }
}
