//! HTTP routing: parse the request into core's [`Endpoint`], enforce the write guards, call
//! the core service, serialize the answer. Every error leaves through [`error_response`].

use colloquy_core::service::Service;
use colloquy_core::wire::api::{
    DeleteComment, EditComment, LikeRequest, NewComment, PreviewRequest, ReportRequest,
    UpdatedComment,
};
use colloquy_core::wire::endpoint::{
    query_values, Endpoint, Method, RouteError, ThreadQuery, API_PREFIX,
};
use colloquy_core::wire::limits;
use colloquy_core::ErrorCode;
use serde::Serialize;
use worker::{console_error, Date, Env, Headers, Request, Response, Result};

use crate::cache;
use crate::config::Config;
use crate::cors;
use crate::d1;
use crate::error::WorkerError;
use crate::notify::{queued, Outgoing};
use crate::{admin, site_settings, views};

/// The D1 binding name in wrangler.toml.
pub(crate) use colloquy_core::wire::vars::DB_BINDING;

/// Entry point for every request that is not a static asset.
pub async fn handle(req: Request, env: &Env, outgoing: &Outgoing) -> Result<Response> {
    let mut config = Config::from_env(env);
    let usage = d1::Usage::default();
    let store = if crate::faults::d1_down(env, &req).await {
        d1::failing_store(env.d1(DB_BINDING)?, usage.clone())
    } else {
        d1::store(env.d1(DB_BINDING)?, usage.clone())
    };
    site_settings::apply(env, &mut config, &store).await;
    let origin = req.headers().get("Origin")?;
    // The console answers only its own origin (its pages are served by this Worker);
    // the public API, the sites allowed to post.
    let is_admin = req.path().starts_with(&format!("{API_PREFIX}/admin/"));
    let own_origin = req.url()?.origin().ascii_serialization();
    let write_origin = origin.filter(|o| {
        if is_admin {
            *o == own_origin
        } else {
            config.origin_allowed(o)
        }
    });
    let is_read = req.method() == worker::Method::Get;

    let outcome = route(req, env, &config, write_origin.as_deref(), &store, outgoing).await;
    let mut response = match outcome {
        Ok(response) => response,
        Err(err) => error_response(&err)?,
    };
    let headers = response.headers_mut();
    // What this request cost D1, for operators and for the tests that hold it to one
    // round trip per view and none on a cache hit.
    headers.append(
        "Server-Timing",
        &format!(
            "d1;desc=\"{} statements in {} round trips\"",
            usage.statements.get(),
            usage.round_trips.get()
        ),
    )?;
    // On every answer: no MIME sniffing, no referrer sent onwards, no framing of what
    // this Worker renders as a page (the widget's HTML is fetched, never framed).
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("Referrer-Policy", "no-referrer")?;
    let is_html = headers
        .get("Content-Type")?
        .is_some_and(|t| t.starts_with("text/html"));
    if is_html && !headers.has("Content-Security-Policy")? {
        // The plain pages (`/view`) load only this Worker's stylesheet; no script at all.
        headers.set(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self' data: https:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        )?;
    }
    if is_admin {
        // Same origin only: no CORS headers at all, and never cached.
        headers.set("Cache-Control", "no-store")?;
    } else if is_read {
        cors::public_read_headers(headers)?;
    } else if let Some(origin) = write_origin.as_deref() {
        cors::allowed_write_headers(headers, origin)?;
    }
    Ok(response)
}

pub(crate) fn now_ms() -> i64 {
    i64::try_from(Date::now().as_millis()).unwrap_or(i64::MAX)
}

async fn route(
    mut req: Request,
    env: &Env,
    config: &Config,
    write_origin: Option<&str>,
    store: &d1::D1Store,
    outgoing: &Outgoing,
) -> std::result::Result<Response, WorkerError> {
    let path = req.path();
    if req.method() == worker::Method::Options {
        // Preflight: answered with CORS headers only for allowed origins (added by
        // `handle`), so other sites' browsers refuse to send the write at all.
        return match Endpoint::parse(Method::Get, &path) {
            Err(RouteError::NotFound) => Err(WorkerError::Request(ErrorCode::NotFound)),
            _ => Ok(Response::empty()?.with_status(204)),
        };
    }
    let endpoint = match Method::parse(req.method().as_ref()) {
        Some(method) => Endpoint::parse(method, &path),
        None => Endpoint::parse(Method::Get, &path).and(Err(RouteError::MethodNotAllowed)),
    }
    .map_err(|e| {
        WorkerError::Request(match e {
            RouteError::NotFound => ErrorCode::NotFound,
            RouteError::MethodNotAllowed => ErrorCode::MethodNotAllowed,
        })
    })?;
    if endpoint == Endpoint::Health {
        return json(200, &serde_json::json!({ "ok": true }));
    }
    if endpoint.is_write() && !endpoint.is_link_write() && write_origin.is_none() {
        return Err(WorkerError::Request(ErrorCode::OriginNotAllowed));
    }

    // Without a usable secret the keys are unusable: reads work, the service refuses
    // every write and publishes no keyed hash.
    let service = Service::new(store, &config.site, &config.keys).with_check(&config.turnstile);
    let url = req.url()?;
    let query = url.query().unwrap_or_default().to_owned();
    let site = &config.site.id;
    let base = url.origin().ascii_serialization();
    let views = views::Ctx {
        env,
        req: &req,
        config,
        base: url.origin().ascii_serialization(),
        query: &query,
    };

    match endpoint {
        Endpoint::Admin(op) => {
            admin::handle(op, req, env, config, &service, &query, outgoing).await
        }
        Endpoint::Report(id) => {
            let input: ReportRequest = read_json(&mut req).await?;
            let ip = client_ip(&req)?;
            let now = now_ms();
            let report = service.report(id, &input, &ip, now).await?;
            if let Some(thread) = &report.hidden_in {
                cache::bump(env, site, thread, now).await;
            }
            // A reader repeating a report changes nothing and tells the owner nothing.
            if report.notify {
                queued(
                    outgoing,
                    service
                        .notify_report(id, input.reason.trim(), report.kept_visible, now)
                        .await,
                );
            }
            json(200, &report.state)
        }
        Endpoint::ConfirmPage
        | Endpoint::UnsubscribePage
        | Endpoint::ConfirmSubscription
        | Endpoint::Unsubscribe => subscription_link(endpoint, &service, &url).await,
        Endpoint::Embed => views::embed(&views, &service).await,
        Endpoint::EmbedMore => views::more(&views, &service).await,
        Endpoint::EmbedReplies(id) => views::replies(&views, &service, id).await,
        Endpoint::View => views::document(&views, &service).await,
        Endpoint::Feed => views::feed(&views, &service).await,
        Endpoint::Health => json(200, &serde_json::json!({ "ok": true })),
        Endpoint::ListThread => {
            let q =
                ThreadQuery::parse(&query).ok_or(WorkerError::Request(ErrorCode::CursorInvalid))?;
            json(
                200,
                &service
                    .thread(&q.thread, q.sort, q.cursor.as_deref(), now_ms())
                    .await?,
            )
        }
        Endpoint::CommentContext(id) => json(200, &service.context(id).await?),
        Endpoint::Replies(id) => json(200, &service.replies(id).await?),
        Endpoint::PendingState(id) => {
            let token = query_values(&query, "token")
                .into_iter()
                .next()
                .unwrap_or_default();
            json(200, &service.pending_state(id, &token).await?)
        }
        Endpoint::Counts => json(200, &service.counts(&query_values(&query, "thread")).await?),
        Endpoint::PostComment => {
            let input: NewComment = read_json(&mut req).await?;
            let now = now_ms();
            let ip = client_ip(&req)?;
            // A retry with the same Idempotency-Key gets the first answer, not a second
            // comment.
            let claimed = match req.headers().get("Idempotency-Key")? {
                Some(key) => {
                    use colloquy_core::db::idempotency::Claim;
                    match service.claim_post(&key, &ip, now).await? {
                        (_, Claim::Done(body)) => {
                            let mut replay = Response::ok(body)?.with_status(201);
                            replay
                                .headers_mut()
                                .set("Content-Type", "application/json")?;
                            replay.headers_mut().set("Idempotent-Replayed", "true")?;
                            return Ok(replay);
                        }
                        (_, Claim::InProgress) => {
                            return Err(
                                colloquy_core::service::error::ServiceError::InProgress.into()
                            )
                        }
                        (hash, Claim::New) => Some(hash),
                    }
                }
                None => None,
            };
            let mut created = match service.post(&input, &ip, now).await {
                Ok(created) => created,
                Err(e) => {
                    if let Some(hash) = &claimed {
                        let _ = service.release_post(hash).await;
                    }
                    return Err(e.into());
                }
            };
            if !created.comment.pending {
                cache::bump(env, site, input.thread.trim(), now).await;
            }
            let notified = service
                .notify_posted(created.comment.id, input.notify_replies, &base, now)
                .await
                .map(|(ids, reply_emails)| {
                    created.reply_emails = reply_emails;
                    ids
                });
            queued(outgoing, notified);
            // Shown beside its parent (past the depth cap), it names whom it answers.
            let parent_name = match created.comment.parent_id {
                Some(parent) => service.public_author(parent).await.ok().flatten(),
                None => None,
            };
            created.html =
                views::rendered_comment(&query, config, &created.comment, parent_name.as_deref());
            if let Some(hash) = &claimed {
                let body = serde_json::to_string(&created)
                    .map_err(|e| worker::Error::RustError(e.to_string()))?;
                if let Err(e) = service.finish_post(hash, &body, created.comment.id).await {
                    console_error!("colloquy: keeping the idempotent answer failed: {e}");
                }
            }
            json(201, &created)
        }
        Endpoint::FormToken => {
            let thread = query_values(&query, "thread")
                .into_iter()
                .next()
                .unwrap_or_default();
            json(
                200,
                &service.form_token(&thread, &client_ip(&req)?, now_ms())?,
            )
        }
        Endpoint::EditComment(id) => {
            let input: EditComment = read_json(&mut req).await?;
            let ip = client_ip(&req)?;
            let now = now_ms();
            let changed = service.edit(id, &input, &ip, now).await?;
            cache::bump(env, site, &changed.thread, now).await;
            json(
                200,
                &UpdatedComment {
                    comment: changed.value,
                },
            )
        }
        Endpoint::DeleteComment(id) => {
            let input: DeleteComment = read_json(&mut req).await?;
            let now = now_ms();
            let changed = service.delete(id, &input, now).await?;
            cache::bump(env, site, &changed.thread, now).await;
            Ok(Response::empty()?.with_status(204))
        }
        Endpoint::Like(id) | Endpoint::Unlike(id) => {
            let input: LikeRequest = read_json(&mut req).await?;
            let on = matches!(endpoint, Endpoint::Like(_));
            let ip = client_ip(&req)?;
            // Likes do not bump the thread's version: cached pages may show a count up
            // to a minute old, rather than a hot thread's cache being emptied by every like.
            json(
                200,
                &service.like(id, &input, on, &ip, now_ms()).await?.value,
            )
        }
        Endpoint::Preview => {
            let input: PreviewRequest = read_json(&mut req).await?;
            let ip = client_ip(&req)?;
            json(200, &service.preview(&input.body, &ip, now_ms()).await?)
        }
    }
}

/// Cloudflare sets `CF-Connecting-IP` on every request (and overwrites any client value).
pub(crate) fn client_ip(req: &Request) -> std::result::Result<String, WorkerError> {
    Ok(req
        .headers()
        .get("CF-Connecting-IP")?
        .unwrap_or_else(|| "unknown".to_owned()))
}

/// Read a JSON body with the CSRF and size guards: only `application/json` is accepted
/// (an HTML form cannot send it cross-site without a preflight), and never more than
/// [`limits::REQUEST_BYTES`].
/// The links in subscription emails: a page with one button (`GET`), and what the
/// button — or a mail client's one-click unsubscribe (RFC 8058) — sends (`POST`). The
/// token in the link authorizes it; the answer is a small HTML page.
async fn subscription_link<H: colloquy_core::service::HumanCheck>(
    endpoint: Endpoint,
    service: &Service<'_, d1::D1Store, H>,
    url: &worker::Url,
) -> std::result::Result<Response, WorkerError> {
    use colloquy_core::service::notify::LinkAction;
    let pairs: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    let id = pairs.get("id").and_then(|i| i.parse::<i64>().ok());
    let token = pairs.get("token").cloned().unwrap_or_default();
    let action = match endpoint {
        Endpoint::ConfirmPage | Endpoint::ConfirmSubscription => LinkAction::Confirm,
        _ => LinkAction::Unsubscribe,
    };
    let here = url.as_str();
    let (status, page) = match (endpoint, id) {
        (_, None) => (404, invalid_link()),
        (Endpoint::ConfirmPage, Some(_)) => (
            200,
            colloquy_markup::link_page(
                "Confirm reply emails",
                "Press the button to be emailed when someone replies to your comment.",
                Some((here, "Confirm")),
            ),
        ),
        (Endpoint::UnsubscribePage, Some(_)) => (
            200,
            colloquy_markup::link_page(
                "Stop reply emails",
                "Press the button and no more replies to this comment will be emailed to you.",
                Some((here, "Stop these emails")),
            ),
        ),
        (_, Some(id)) => match service.follow_link(action, id, &token, now_ms()).await {
            Ok(()) if action == LinkAction::Confirm => (
                200,
                colloquy_markup::link_page(
                    "Confirmed",
                    "You will get an email when someone replies to your comment. Each email has a link to stop them.",
                    None,
                ),
            ),
            Ok(()) => (
                200,
                colloquy_markup::link_page(
                    "Unsubscribed",
                    "No more replies to this comment will be emailed to you.",
                    None,
                ),
            ),
            Err(colloquy_core::service::error::ServiceError::LinkInvalid) => (404, invalid_link()),
            Err(e) => return Err(e.into()),
        },
    };
    let mut response = Response::from_html(page)?.with_status(status);
    let headers = response.headers_mut();
    // The token is in the address: never sent onwards.
    headers.set("Referrer-Policy", "no-referrer")?;
    headers.set(
        "Content-Security-Policy",
        "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response)
}

fn invalid_link() -> String {
    colloquy_markup::link_page(
        "This link does not work",
        "It is not complete, or the subscription it was for is gone.",
        None,
    )
}

pub(crate) async fn read_json<T: serde::de::DeserializeOwned>(
    req: &mut Request,
) -> std::result::Result<T, WorkerError> {
    read_json_up_to(req, limits::REQUEST_BYTES).await
}

/// [`read_json`] with its own size limit (the console's import batches are larger).
pub(crate) async fn read_json_up_to<T: serde::de::DeserializeOwned>(
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

pub(crate) fn json<T: Serialize>(
    status: u16,
    value: &T,
) -> std::result::Result<Response, WorkerError> {
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
