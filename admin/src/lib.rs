//! Colloquy's moderation console, served at `/admin` on the Worker's own origin. Its own
//! wasm bundle: nothing here ships to readers, and the reader's widget carries none of it.
//!
//! Everything shown is text, except comment bodies, which the server rendered and
//! sanitized with the same allowlist as for readers.

mod api;
mod app;
mod audit;
mod bulk;
mod comments;
mod context;
mod focus;
mod import;
mod people;
mod problems;
mod settings;
mod sites;
mod stats;
mod threads;
mod webhooks;

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("colloquy console: {info}").into());
    }));
    leptos::mount::mount_to_body(app::App);
}
