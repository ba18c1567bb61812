//! Colloquy's comment widget: Leptos (client-side rendering) compiled to WebAssembly.
//!
//! `embed.js` creates a shadow root on the host page, loads this module and calls
//! [`mount`]. Everything the reader sees is rendered by Leptos as text and attributes; the
//! only HTML inserted as HTML is each comment's `body_html`, which the server rendered and
//! sanitized with an allowlist.

mod api;
mod app;
mod avatar;
mod comment;
mod form;
mod format;
pub mod i18n;
mod storage;
mod turnstile;

use wasm_bindgen::prelude::wasm_bindgen;

/// What the embedding page asked for, from `data-colloquy-*` attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Base URL of the Colloquy deployment, ending in `/` (where embed.js was loaded from).
    pub api_base: String,
    pub thread: String,
    pub title: String,
    pub page_url: String,
}

/// Mount the widget into `target` (an element inside the shadow root made by embed.js).
#[wasm_bindgen]
pub fn mount(
    target: web_sys::HtmlElement,
    api_base: String,
    thread: String,
    title: String,
    page_url: String,
) {
    let config = Config {
        api_base,
        thread,
        title,
        page_url,
    };
    leptos::mount::mount_to(target, move || app::App(app::AppProps { config })).forget();
}
