//! Colloquy's Cloudflare Worker: a thin HTTP adapter around `colloquy-core`.
//!
//! Static files (embed.js, the widget's wasm) are served by Workers static assets before
//! this code runs; everything that matches no asset arrives here.

mod api;
mod cache;
mod config;
mod console;
mod console_sites;
mod context;
mod cors;
mod d1;
mod env;
mod error;
mod faults;
mod http;
mod language;
mod links;
mod notify;
mod routes;
mod session_cookie;
mod site_settings;
mod sites;
mod turnstile;
mod views;

use worker::{event, Context, Env, Request, Response, Result, ScheduleContext, ScheduledEvent};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    if req.path().starts_with("/__faults/") {
        if let Some(answer) = faults::switch(&env, req.clone()?).await {
            return answer;
        }
    }
    let outgoing = notify::Outgoing::default();
    let response = routes::handle(req, &env, &outgoing).await;
    // Notifications go after the response: a slow or failing webhook never holds up
    // or fails the commenter's request.
    if let Some((site, ids)) = outgoing.take() {
        ctx.wait_until(notify::deliver(env.clone(), site, ids));
    }
    response
}

/// The Cron Trigger (wrangler.toml `[triggers]`): retries and the queue digest.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    notify::scheduled(env).await;
}
