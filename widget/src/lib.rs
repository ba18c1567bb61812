//! Colloquy's comment widget: Leptos (client-side rendering) compiled to WebAssembly.
//!
//! `embed.js` creates a shadow root on the host page, loads this module and calls
//! [`mount`]. Everything the reader sees is rendered by Leptos as text and attributes; the
//! only HTML inserted as HTML is each comment's `body_html`, which the server rendered and
//! sanitized with an allowlist.

mod api;
mod app;
mod avatar;
mod browser;
mod comment;
mod form;
mod format;
mod retry;
mod state;
mod storage;
mod turnstile;

use serde::Deserialize;
use wasm_bindgen::prelude::wasm_bindgen;

/// What the embedding page asked for, from `data-colloquy-*` attributes (see embed.js).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Base URL of the Colloquy deployment, ending in `/` (where embed.js was loaded from).
    pub api_base: String,
    pub thread: String,
    pub title: String,
    pub page_url: String,
    /// `light`, `dark` or `auto` (follow `prefers-color-scheme`).
    pub theme: String,
    /// Deepest visual nesting; deeper replies stay at this level with "in reply to …".
    pub max_depth: usize,
}

impl Default for Config {
    fn default() -> Self {
        use colloquy_core::defaults;
        Config {
            api_base: String::new(),
            thread: String::new(),
            title: String::new(),
            page_url: String::new(),
            theme: defaults::THEME.into(),
            max_depth: defaults::MAX_DEPTH,
        }
    }
}

/// Mount the widget into `target` (an element inside the shadow root made by embed.js).
/// `options` is the JSON form of [`Config`]; `strings` the reader's language table as the
/// array of its texts, which the loader fetched beside the wasm (so the wasm carries no
/// language at all, and no parser for one).
#[wasm_bindgen]
pub fn mount(target: web_sys::HtmlElement, options: &str, strings: js_sys::Array) {
    let config: Config = serde_json::from_str(options).unwrap_or_default();
    // Kept for the page's lifetime, like the widget itself.
    let texts = strings
        .iter()
        .map(|v| &*Box::leak(v.as_string().unwrap_or_default().into_boxed_str()));
    let Some(t) = colloquy_i18n::Strings::from_list(texts) else {
        target.set_text_content(Some("Comments could not be loaded."));
        return;
    };
    let t: &'static colloquy_i18n::Strings<'static> = Box::leak(Box::new(t));
    leptos::mount::mount_to(target, move || app::App(app::AppProps { config, t })).forget();
}
