//! HTTP routing: parse the request, enforce the write guards, call the core service,
//! serialize the answer. Every error leaves through [`error_response`].

use colloquy_core::api::{
    DeleteComment, EditComment, LikeRequest, NewComment, PreviewRequest, Sort, UpdatedComment,
    API_PREFIX,
};
use colloquy_core::model::CommentId;
use colloquy_core::service::Service;
use colloquy_core::token::Keys;
use colloquy_core::validate::limits;
use colloquy_core::ErrorCode;
use serde::Serialize;
use worker::{console_error, Date, Env, Headers, Method, Request, Response, Result};

use crate::config::Config;
use crate::cors;
use crate::d1_store::D1Store;
use crate::error::WorkerError;
use crate::turnstile;

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

fn now_ms() -> i64 {
    i64::try_from(Date::now().as_millis()).unwrap_or(i64::MAX)
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
    let method = req.method();
    if method == Method::Options {
        // Preflight: answered with CORS headers only for allowed origins (added by
        // `handle`), so other sites' browsers refuse to send the write at all.
        return Ok(Response::empty()?.with_status(204));
    }
    if endpoint == "/health" {
        return match method {
            Method::Get => json(200, &serde_json::json!({ "ok": true })),
            _ => Err(WorkerError::Request(ErrorCode::MethodNotAllowed)),
        };
    }
    // `/comments`, `/comments/{id}`, `/comments/{id}/replies`, `/comments/{id}/like`,
    // `/preview`, `/counts`.
    let segments: Vec<&str> = endpoint.trim_start_matches('/').split('/').collect();
    let route = match segments.as_slice() {
        ["comments"] => Route::Comments,
        ["comments", id] => Route::Comment(parse_id(id)?),
        ["comments", id, "replies"] => Route::Replies(parse_id(id)?),
        ["comments", id, "like"] => Route::Like(parse_id(id)?),
        ["preview"] => Route::Preview,
        ["counts"] => Route::Counts,
        _ => return Err(WorkerError::Request(ErrorCode::NotFound)),
    };

    // Reads need no secret; the form token needs the keys, so without them reads still
    // work and writes are refused.
    let store = D1Store::new(env.d1(DB_BINDING)?);
    let fallback_keys;
    let keys = match (&config.keys, method == Method::Get) {
        (Some(keys), _) => keys,
        (None, true) => {
            fallback_keys = Keys::derive("");
            &fallback_keys
        }
        (None, false) => {
            console_error!("colloquy: COLLOQUY_SECRET is not set; refusing writes (wrangler secret put COLLOQUY_SECRET)");
            return Err(WorkerError::Request(ErrorCode::Unavailable));
        }
    };
    let service = Service::new(&store, &config.site, keys);

    let query = |name: &str| -> std::result::Result<Vec<String>, WorkerError> {
        Ok(req
            .url()?
            .query_pairs()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .collect())
    };
    match (method, route) {
        (Method::Get, Route::Comments) => {
            let thread = query("thread")?.into_iter().next().unwrap_or_default();
            let sort = match query("sort")?.first() {
                None => Sort::default(),
                Some(s) => Sort::parse(s).ok_or(WorkerError::Request(ErrorCode::CursorInvalid))?,
            };
            let cursor = query("cursor")?.into_iter().next();
            json(
                200,
                &service
                    .thread(&thread, sort, cursor.as_deref(), now_ms())
                    .await?,
            )
        }
        (Method::Get, Route::Comment(id)) => json(200, &service.context(id).await?),
        (Method::Get, Route::Replies(id)) => json(200, &service.replies(id).await?),
        (Method::Get, Route::Counts) => json(200, &service.counts(&query("thread")?).await?),
        (Method::Post, Route::Comments) => {
            require_origin(write_origin)?;
            let input: NewComment = read_json(&mut req).await?;
            let now = now_ms();
            let valid = service.precheck(&input, now)?;
            let ip = client_ip(&req)?;
            if let Some(turnstile) = &config.turnstile {
                check_turnstile(turnstile, input.turnstile_token.as_deref(), &ip).await?;
            }
            let created = service.create(&valid, &keys.client_hash(&ip), now).await?;
            json(201, &created)
        }
        (Method::Patch, Route::Comment(id)) => {
            require_origin(write_origin)?;
            let input: EditComment = read_json(&mut req).await?;
            let comment = service.edit(id, &input, now_ms()).await?;
            json(200, &UpdatedComment { comment })
        }
        (Method::Delete, Route::Comment(id)) => {
            require_origin(write_origin)?;
            let input: DeleteComment = read_json(&mut req).await?;
            service.delete(id, &input, now_ms()).await?;
            Ok(Response::empty()?.with_status(204))
        }
        (method @ (Method::Post | Method::Delete), Route::Like(id)) => {
            require_origin(write_origin)?;
            let input: LikeRequest = read_json(&mut req).await?;
            let client = keys.client_hash(&client_ip(&req)?);
            json(
                200,
                &service
                    .like(id, &input, method == Method::Post, &client, now_ms())
                    .await?,
            )
        }
        (Method::Post, Route::Preview) => {
            require_origin(write_origin)?;
            let input: PreviewRequest = read_json(&mut req).await?;
            json(200, &service.preview(&input.body)?)
        }
        _ => Err(WorkerError::Request(ErrorCode::MethodNotAllowed)),
    }
}

/// The API's resources (see the README's API section).
enum Route {
    Comments,
    Comment(CommentId),
    Replies(CommentId),
    Like(CommentId),
    Preview,
    Counts,
}

fn require_origin(write_origin: Option<&str>) -> std::result::Result<(), WorkerError> {
    write_origin
        .map(|_| ())
        .ok_or(WorkerError::Request(ErrorCode::OriginNotAllowed))
}

/// `123` → comment 123; anything else is a path that does not exist.
fn parse_id(segment: &str) -> std::result::Result<CommentId, WorkerError> {
    segment
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(CommentId)
        .ok_or(WorkerError::Request(ErrorCode::NotFound))
}

/// Cloudflare sets `CF-Connecting-IP` on every request (and overwrites any client value).
fn client_ip(req: &Request) -> std::result::Result<String, WorkerError> {
    Ok(req
        .headers()
        .get("CF-Connecting-IP")?
        .unwrap_or_else(|| "unknown".to_owned()))
}

async fn check_turnstile(
    config: &crate::config::Turnstile,
    token: Option<&str>,
    ip: &str,
) -> std::result::Result<(), WorkerError> {
    let token = token
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(WorkerError::Request(ErrorCode::CaptchaRequired))?;
    match turnstile::verify(config, token, ip).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(WorkerError::Request(ErrorCode::CaptchaFailed)),
        Err(e) => {
            console_error!("colloquy: Turnstile verification failed to run: {e}");
            Err(WorkerError::Request(ErrorCode::Unavailable))
        }
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
