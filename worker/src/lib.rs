//! Colloquy's Cloudflare Worker: a thin HTTP adapter around `colloquy-core`.
//!
//! Static files (embed.js, the widget's wasm) are served by Workers static assets before
//! this code runs; everything that matches no asset arrives here.

mod admin;
mod cache;
mod config;
mod cors;
mod d1;
mod error;
mod routes;
mod site_settings;
mod turnstile;
mod views;

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    routes::handle(req, &env).await
}
