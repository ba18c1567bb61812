//! HTTP routing, and nothing else: parse the request into core's [`Endpoint`], enforce the
//! write guards (allowed origin; JSON and size in [`crate::http`]), open one [`Ctx`], and
//! hand the request to the module that serves that endpoint. Every error leaves through
//! [`http::error_response`].

use colloquy_core::domain::replica;
use colloquy_core::service::Service;
use colloquy_core::wire::endpoint::{
    query_value, AdminOp, Endpoint, Method, RouteError, API_PREFIX,
};
use colloquy_core::wire::sites::PATH_PREFIX;
use colloquy_core::ErrorCode;
use worker::{Env, Request, Response, Result};

use crate::context::Ctx;
use crate::error::WorkerError;
use crate::notify::Outgoing;
use crate::{api, config, console, cors, d1, env, http, links, session_cookie, sites, views};

/// Entry point for every request that is not a static asset.
pub async fn handle(req: Request, worker_env: &Env, outgoing: &Outgoing) -> Result<Response> {
    let usage = d1::Usage::default();
    let origin = req.headers().get("Origin")?;
    let is_admin = req.path().starts_with(&format!("{API_PREFIX}/admin/"));
    let is_read = req.method() == worker::Method::Get;
    // Reads from the nearest replica; writes and the console at the primary.
    usage.start_at(replica::session_start(!is_read, is_admin));
    let url = req.url()?;
    let chosen = match choose_site(&req, worker_env, origin.as_deref(), is_admin, &url).await {
        Ok(chosen) => chosen,
        Err(err) => {
            // An address naming no site of this deployment: the same JSON error as any.
            let mut response = http::error_response(&err)?;
            finish(&mut response, &usage, is_admin, is_read, None)?;
            return Ok(response);
        }
    };
    let (config, store) = env::open(worker_env, Some(&req), &chosen, &usage).await?;
    outgoing.for_site(&chosen);
    // The console answers only its own origin (its pages are served by this Worker);
    // the public API, the sites allowed to post.
    let own_origin = url.origin().ascii_serialization();
    let write_origin = origin.filter(|o| {
        if is_admin {
            *o == own_origin
        } else {
            config.origin_allowed(o)
        }
    });
    // Links in what this request gets name the site as the request did (another site
    // than the main one always: a plain page opened from them has no Origin).
    let base = if chosen.main && !chosen.by_address {
        own_origin.clone()
    } else {
        format!("{own_origin}{PATH_PREFIX}{}", config.site.id)
    };
    let ctx = Ctx {
        env: worker_env,
        config: &config,
        service: Service::new(&store, &config.site, &config.keys).with_check(&config.turnstile),
        query: url.query().unwrap_or_default().to_owned(),
        base,
        origin: own_origin,
        path: chosen.path.clone(),
        if_none_match: req.headers().get("If-None-Match")?,
        url,
        outgoing,
        usage: usage.clone(),
    };
    let outcome = route(req, &ctx, write_origin.as_deref(), chosen.writes_wait()).await;
    let mut response = match outcome {
        Ok(response) => response,
        Err(err) => http::error_response(&err)?,
    };
    finish(
        &mut response,
        &usage,
        is_admin,
        is_read,
        write_origin.as_deref(),
    )?;
    Ok(response)
}

/// The site this request is for (see [`sites`]): the console's from its cookie (its
/// login's and the operator's switch from `?site=`), every other request's from its
/// address or its origin.
async fn choose_site(
    req: &Request,
    env: &Env,
    origin: Option<&str>,
    is_admin: bool,
    url: &worker::Url,
) -> std::result::Result<sites::Chosen, WorkerError> {
    let main = config::main_site(env);
    let path = req.path();
    if !is_admin {
        return sites::choose(env, &path, origin, &main, &config::main_origins(env)).await;
    }
    let login = path.ends_with(&Endpoint::Admin(AdminOp::Login).path());
    let named = if login {
        query_value(url.query().unwrap_or_default(), "site")
    } else {
        session_cookie::cookie_site(req)
    };
    let named = named.filter(|s| !s.is_empty());
    sites::for_console(env, named.as_deref(), &main, &path).await
}

/// What every response carries: D1's cost, the security headers, CORS by kind.
fn finish(
    response: &mut Response,
    usage: &d1::Usage,
    is_admin: bool,
    is_read: bool,
    write_origin: Option<&str>,
) -> Result<()> {
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
    // What D1 bills (rows) and how long its SQL ran, for the capacity model
    // (`cargo xtask scale`).
    headers.append(
        "Server-Timing",
        &format!(
            "d1-rows;desc=\"{} read, {} written, {:.3} ms\"",
            usage.rows_read.get(),
            usage.rows_written.get(),
            usage.sql_us.get() as f64 / 1000.0
        ),
    )?;
    // Where in D1's history the request's last query was (a replica's position): what a
    // reader of this write must read from; operators can see replication at work.
    if let Some(bookmark) = usage
        .bookmark()
        .filter(|b| b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
    {
        headers.append("Server-Timing", &format!("d1-bookmark;desc=\"{bookmark}\""))?;
    }
    http::secure(headers)?;
    if is_admin {
        // Same origin only: no CORS headers at all, and never cached.
        headers.set("Cache-Control", "no-store")?;
    } else if is_read {
        cors::public_read_headers(headers)?;
        // The page's origin may pick the site: a copy for one origin is not another's.
        headers.append("Vary", "Origin")?;
    } else if let Some(origin) = write_origin {
        cors::allowed_write_headers(headers, origin)?;
    }
    Ok(())
}

async fn route(
    req: Request,
    ctx: &Ctx<'_>,
    write_origin: Option<&str>,
    writes_wait: Option<ErrorCode>,
) -> std::result::Result<Response, WorkerError> {
    let path = ctx.path.clone();
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
        return http::json(200, &serde_json::json!({ "ok": true }));
    }
    if endpoint.is_write() && !endpoint.is_link_write() && write_origin.is_none() {
        return Err(WorkerError::Request(ErrorCode::OriginNotAllowed));
    }
    if let Some(code) = writes_wait.filter(|_| endpoint.is_write()) {
        // The site is moving to another database (see `sites`), or which database holds
        // it is not known for sure: a write now could land in one it is leaving. The
        // reader's text stays in the form; they retry.
        return Err(WorkerError::Request(code));
    }
    match endpoint {
        Endpoint::Admin(op) => console::handle(op, req, ctx).await,
        Endpoint::ConfirmPage
        | Endpoint::UnsubscribePage
        | Endpoint::ConfirmSubscription
        | Endpoint::Unsubscribe => links::page(endpoint, ctx).await,
        Endpoint::Embed => views::embed(ctx).await,
        Endpoint::EmbedMore => views::more(ctx).await,
        Endpoint::EmbedReplies(id) => views::replies(ctx, id).await,
        Endpoint::View => views::document(ctx).await,
        Endpoint::Feed => views::feed(ctx).await,
        Endpoint::Health => http::json(200, &serde_json::json!({ "ok": true })),
        Endpoint::ListThread => api::list_thread(ctx).await,
        Endpoint::CommentContext(id) => http::json(200, &ctx.service.context(id).await?),
        Endpoint::Replies(id) => http::json(200, &ctx.service.replies(id).await?),
        Endpoint::PendingState(id) => api::pending_state(ctx, id).await,
        Endpoint::Counts => api::counts(ctx).await,
        Endpoint::PostComment => api::post(ctx, req).await,
        Endpoint::FormToken => api::form_token(ctx, &req).await,
        Endpoint::EditComment(id) => api::edit(ctx, req, id).await,
        Endpoint::DeleteComment(id) => api::delete(ctx, req, id).await,
        Endpoint::Like(id) => api::like(ctx, req, id, true).await,
        Endpoint::Unlike(id) => api::like(ctx, req, id, false).await,
        Endpoint::Report(id) => api::report(ctx, req, id).await,
        Endpoint::Preview => api::preview(ctx, req).await,
    }
}
