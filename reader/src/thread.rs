//! The thread on the page: one widget's reading state (where it lives, its order and
//! total, the writing half once loaded) and the lookups every action starts from.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use colloquy_browser::json;
use colloquy_core::const_concat;
use colloquy_core::wire::api::Sort;
use colloquy_core::wire::dom::{class, COMMENT_ANCHOR};
use colloquy_core::wire::endpoint::{EmbedQuery, ThreadQuery};
use colloquy_core::CommentId;
use colloquy_i18n::Strings;
use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::dom::{self, find, sel};
use crate::Page;

/// One widget's reading state: what the page shows, and the writing half once loaded.
pub struct Reader {
    pub section: Element,
    pub t: &'static Strings<'static>,
    pub page: Page,
    pub thread: String,
    /// The state JSON the server embedded (handed to the writing half as it is).
    pub state: String,
    pub sort: Cell<Sort>,
    pub total: Cell<u32>,
    pub max_depth: usize,
    /// Bumped by every reload of the list (a sort change): an older answer is dropped.
    pub generation: Cell<u32>,
    pub load_writer: Function,
    pub strings: Array,
    pub writer: RefCell<Option<JsValue>>,
    /// What sending a report needs: the form timer, and Turnstile where the site uses it.
    pub min_submit_ms: i64,
    pub turnstile: Option<(String, String)>,
    /// This reader's form token for reports in this thread, and when it was issued.
    pub report_token: RefCell<Option<(String, i64)>>,
    /// The last solved Turnstile challenge (reports only).
    pub challenge: Rc<RefCell<Option<String>>>,
}

impl Reader {
    pub fn new(
        section: Element,
        t: &'static Strings<'static>,
        page: Page,
        load_writer: Function,
        strings: Array,
    ) -> Option<Reader> {
        let state = find(&section, const_concat!("script.", class::STATE))?.text_content()?;
        let parsed = js_sys::JSON::parse(&state).ok()?;
        let thread = json::field(&parsed, "thread").as_string()?;
        let sort = json::field(&parsed, "sort")
            .as_string()
            .and_then(|s| Sort::parse(&s))
            .unwrap_or_default();
        let total = json::number(&parsed, "total").unwrap_or(0) as u32;
        let max_depth = json::number(&parsed, "max_depth").unwrap_or(5) as usize;
        let settings = json::field(&parsed, "settings");
        let min_submit_ms = json::number(&settings, "min_submit_secs").unwrap_or(0) * 1000;
        let turnstile = json::field(&settings, "turnstile_site_key")
            .as_string()
            .zip(json::field(&settings, "turnstile_script_url").as_string());
        Some(Reader {
            section,
            t,
            page,
            thread,
            state,
            sort: Cell::new(sort),
            total: Cell::new(total),
            max_depth,
            generation: Cell::new(0),
            load_writer,
            strings,
            writer: RefCell::new(None),
            min_submit_ms,
            turnstile,
            report_token: RefCell::new(None),
            challenge: Rc::new(RefCell::new(None)),
        })
    }

    pub fn base(&self) -> &str {
        &self.page.api_base
    }

    /// The query for more of this thread, in the current order, after `cursor`.
    pub fn query(&self, cursor: Option<String>) -> EmbedQuery {
        EmbedQuery {
            thread: ThreadQuery {
                thread: self.thread.clone(),
                sort: self.sort.get(),
                cursor,
            },
            lang: self.page.lang.clone(),
            title: self.page.title.clone(),
            theme: self.page.theme.clone(),
            depth: self.page.depth,
            root: None,
            page: self.page.page_url.clone(),
        }
    }

    pub fn list(&self) -> Option<Element> {
        find(&self.section, const_concat!("ol.", class::LIST))
    }

    /// A comment's list item, by the id of its article: an id lookup (a hash table in
    /// the browser), so merging a page costs the same however much is loaded.
    pub fn item(&self, id: CommentId) -> Option<Element> {
        let root = self
            .section
            .get_root_node()
            .dyn_into::<web_sys::DocumentFragment>()
            .ok()?;
        root.get_element_by_id(&format!("{COMMENT_ANCHOR}{id}"))?
            .parent_element()
            .filter(|li| li.class_list().contains(class::ITEM))
    }

    pub fn notice(&self, text: Option<&str>) {
        if let Some(n) = find(&self.section, const_concat!(".", class::NOTICE)) {
            dom::set_text(&n, text.unwrap_or(""));
        }
    }

    /// A notice the reader must see (they followed a link to it): brought into view with
    /// the focus on it, not left at the top of a page scrolled elsewhere.
    pub fn notice_shown(&self, text: &str) {
        self.notice(Some(text));
        if let Some(n) = find(&self.section, const_concat!(".", class::NOTICE)) {
            dom::set_attr(&n, "tabindex", "-1");
            dom::reveal(&n);
        }
    }

    pub fn set_total(&self, total: u32) {
        self.total.set(total);
        if let Some(h) = find(&self.section, sel::HEADING) {
            dom::set_text(&h, &self.t.heading(Some(total as usize), &self.title()));
        }
        if let Some(empty) = find(&self.section, const_concat!(".", class::EMPTY)) {
            dom::set_hidden(
                &empty,
                total > 0 || self.list().is_some_and(|l| l.child_element_count() > 0),
            );
        }
    }

    pub fn title(&self) -> String {
        js_sys::JSON::parse(&self.state)
            .ok()
            .and_then(|s| json::field(&s, "title").as_string())
            .unwrap_or_default()
    }
}
