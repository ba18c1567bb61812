//! The widget's reading half. The loader (`embed.js`) has already painted the thread the
//! Worker rendered; this takes it over without fetching it again and without changing a
//! pixel: likes, collapsing, "Show more", sorting, permalinks, the reader's own comments.
//! Every comment it adds is HTML the Worker rendered; writing (forms, preview, edits) is
//! the Leptos half, loaded on the reader's first step towards it.
//!
//! No UI framework and no JSON library live here, so this is what every reader downloads
//! and it stays small.

mod compose;
mod dom;
mod events;
mod likes;
mod net;
mod own;
mod paging;
mod pending;
mod permalink;
mod reports;
mod thread;
mod writer;
mod written;

use std::cell::RefCell;
use std::rc::Rc;

use colloquy_i18n::Strings;
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use thread::Reader;

/// What the loader knows about the page (an object of strings and numbers).
pub struct Page {
    /// Where the comment server is, ending in `/`.
    pub api_base: String,
    pub page_url: String,
    /// The page's own title (`data-colloquy-title`, og:title, document.title).
    pub title: String,
    pub theme: String,
    pub lang: String,
    pub depth: usize,
}

fn text_of(v: &JsValue, name: &str) -> String {
    Reflect::get(v, &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

thread_local! {
    /// The widget on this page (the loader mounts one per thread).
    static READERS: RefCell<Vec<Rc<Reader>>> = const { RefCell::new(Vec::new()) };
}

/// Take over the painted thread in `section`. `strings` is the reader's language table
/// (its texts in order), `page` what the loader knows, `load_writer` a function that loads
/// the writing half and resolves to its module, and `touched` the elements the reader
/// clicked (or the box they focused) before this arrived, in order: done again now, so no
/// click is lost.
#[wasm_bindgen]
pub fn take_over(
    section: Element,
    strings: Array,
    page: JsValue,
    load_writer: Function,
    touched: Array,
) {
    let texts = strings
        .iter()
        .map(|v| &*Box::leak(v.as_string().unwrap_or_default().into_boxed_str()));
    let Some(t) = Strings::from_list(texts) else {
        return;
    };
    let t: &'static Strings<'static> = Box::leak(Box::new(t));
    let page = Page {
        api_base: text_of(&page, "api_base"),
        page_url: text_of(&page, "page_url"),
        title: text_of(&page, "title"),
        theme: text_of(&page, "theme"),
        lang: text_of(&page, "lang"),
        depth: Reflect::get(&page, &"depth".into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0) as usize,
    };
    let Some(reader) = Reader::new(section, t, page, load_writer, strings) else {
        return;
    };
    let reader = Rc::new(reader);
    let touched = touched
        .iter()
        .filter_map(|e| e.dyn_into::<Element>().ok())
        .collect();
    events::start(&reader, touched);
    READERS.with(|r| r.borrow_mut().push(reader));
}
