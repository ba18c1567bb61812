//! The thread on the page and what a reader does with it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use colloquy_browser::{now_ms, sleep_ms, storage};
use colloquy_core::wire::api::Sort;
use colloquy_core::wire::endpoint::{EmbedQuery, Endpoint, ThreadQuery};
use colloquy_core::CommentId;
use colloquy_i18n::Strings;
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Element, Event};

use crate::dom::{self, find, find_all};
use crate::net;
use crate::Page;

/// Most pages loaded to reach a permalinked comment.
const MAX_PERMALINK_PAGES: usize = 50;

/// One widget's reading state: what the page shows, and the writing half once loaded.
pub struct Reader {
    section: Element,
    t: &'static Strings<'static>,
    page: Page,
    thread: String,
    /// The state JSON the server embedded (handed to the writing half as it is).
    state: String,
    sort: Cell<Sort>,
    total: Cell<u32>,
    max_depth: usize,
    /// Bumped by every reload of the list (a sort change): an older answer is dropped.
    generation: Cell<u32>,
    load_writer: Function,
    strings: Array,
    writer: RefCell<Option<JsValue>>,
    /// What sending a report needs: the form timer, and Turnstile where the site uses it.
    min_submit_ms: i64,
    turnstile: Option<(String, String)>,
    /// This reader's form token for reports in this thread, and when it was issued.
    report_token: RefCell<Option<(String, i64)>>,
    /// The last solved Turnstile challenge (reports only).
    challenge: Rc<RefCell<Option<String>>>,
}

impl Reader {
    pub fn new(
        section: Element,
        t: &'static Strings<'static>,
        page: Page,
        load_writer: Function,
        strings: Array,
    ) -> Option<Reader> {
        let state = find(&section, "script.cq-state")?.text_content()?;
        let parsed = js_sys::JSON::parse(&state).ok()?;
        let thread = net::field(&parsed, "thread").as_string()?;
        let sort = net::field(&parsed, "sort")
            .as_string()
            .and_then(|s| Sort::parse(&s))
            .unwrap_or_default();
        let total = net::number(&parsed, "total").unwrap_or(0) as u32;
        let max_depth = net::number(&parsed, "max_depth").unwrap_or(5) as usize;
        let settings = net::field(&parsed, "settings");
        let min_submit_ms = net::number(&settings, "min_submit_secs").unwrap_or(0) * 1000;
        let turnstile = net::field(&settings, "turnstile_site_key")
            .as_string()
            .zip(net::field(&settings, "turnstile_script_url").as_string());
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

    fn base(&self) -> &str {
        &self.page.api_base
    }

    /// The query for more of this thread, in the current order, after `cursor`.
    fn query(&self, cursor: Option<String>) -> EmbedQuery {
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

    fn list(&self) -> Option<Element> {
        find(&self.section, "ol.cq-list")
    }

    /// A comment's list item, by the id of its article: an id lookup (a hash table in
    /// the browser), so merging a page costs the same however much is loaded.
    fn item(&self, id: CommentId) -> Option<Element> {
        let root = self
            .section
            .get_root_node()
            .dyn_into::<web_sys::DocumentFragment>()
            .ok()?;
        root.get_element_by_id(&format!("comment-{id}"))?
            .parent_element()
            .filter(|li| li.class_list().contains("cq-item"))
    }

    fn notice(&self, text: Option<&str>) {
        if let Some(n) = find(&self.section, ".cq-notice") {
            dom::set_text(&n, text.unwrap_or(""));
        }
    }

    /// A notice the reader must see (they followed a link to it): brought into view with
    /// the focus on it, not left at the top of a page scrolled elsewhere.
    fn notice_shown(&self, text: &str) {
        self.notice(Some(text));
        if let Some(n) = find(&self.section, ".cq-notice") {
            dom::set_attr(&n, "tabindex", "-1");
            dom::reveal(&n);
        }
    }

    fn set_total(&self, total: u32) {
        self.total.set(total);
        if let Some(h) = find(&self.section, "h2.cq-heading") {
            dom::set_text(&h, &self.t.heading(Some(total as usize), &self.title()));
        }
        if let Some(empty) = find(&self.section, ".cq-empty") {
            dom::set_hidden(
                &empty,
                total > 0 || self.list().is_some_and(|l| l.child_element_count() > 0),
            );
        }
    }

    fn title(&self) -> String {
        js_sys::JSON::parse(&self.state)
            .ok()
            .and_then(|s| net::field(&s, "title").as_string())
            .unwrap_or_default()
    }
}

/// Wire the reader to the painted thread.
pub fn start(reader: &Rc<Reader>, touched: Vec<Element>) {
    let on_click = {
        let reader = reader.clone();
        Closure::<dyn Fn(Event)>::new(move |event: Event| click(&reader, &event))
    };
    let on_change = {
        let reader = reader.clone();
        Closure::<dyn Fn(Event)>::new(move |event: Event| change(&reader, &event))
    };
    let on_focus = {
        let reader = reader.clone();
        Closure::<dyn Fn(Event)>::new(move |event: Event| focus_in(&reader, &event))
    };
    let on_input = {
        let reader = reader.clone();
        Closure::<dyn Fn(Event)>::new(move |event: Event| typed(&reader, &event))
    };
    let on_writer = {
        let reader = reader.clone();
        Closure::<dyn Fn(Event)>::new(move |event: Event| from_writer(&reader, &event))
    };
    let on_key = {
        let reader = reader.clone();
        Closure::<dyn Fn(Event)>::new(move |event: Event| escape(&reader, &event))
    };
    let section = &reader.section;
    let _ = section.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    let _ = section.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
    let _ = section.add_event_listener_with_callback("focusin", on_focus.as_ref().unchecked_ref());
    let _ = section.add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref());
    let _ = section.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    for name in [
        "colloquy:posted",
        "colloquy:edited",
        "colloquy:deleted",
        "colloquy:closed",
    ] {
        let _ = section.add_event_listener_with_callback(name, on_writer.as_ref().unchecked_ref());
    }
    if let Some(window) = web_sys::window() {
        let on_hash = {
            let reader = reader.clone();
            Closure::<dyn Fn()>::new(move || permalink(&reader))
        };
        let _ =
            window.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
        on_hash.forget();
    }
    // The widget lives as long as the page.
    on_click.forget();
    on_change.forget();
    on_focus.forget();
    on_input.forget();
    on_writer.forget();
    on_key.forget();

    // A comment left unsent on an earlier visit is back in the box, as it was typed.
    let draft = storage::load_draft(reader.base(), &reader.thread, None);
    if let Some(area) = compose_box(reader).filter(|a| a.value().is_empty()) {
        area.set_value(&draft);
    }

    // Taken over: what is shown now works (styles and tests can tell).
    dom::set_attr(&reader.section, "data-live", "");
    mark_likes(reader, &reader.section);
    mark_drafts(reader, &reader.section);
    show_own_controls(reader, &reader.section);
    show_pending(reader);
    permalink(reader);
    // What the reader did before this loaded, done again now that it can be.
    for element in touched.iter().filter(|e| e.is_connected()) {
        if element.matches("textarea").unwrap_or(false) {
            dom::focus(element);
            open_compose(reader);
        } else if let Some(select) = element.dyn_ref::<web_sys::HtmlSelectElement>() {
            // An order chosen while this loaded (a slow network, the keyboard).
            sort_by(reader, &select.value());
        } else if let Some(b) = element.dyn_ref::<web_sys::HtmlElement>() {
            b.click();
        }
    }
}

fn click(reader: &Rc<Reader>, event: &Event) {
    let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    if let Some(more) = dom::closest(&target, ".cq-more a") {
        event.prevent_default();
        load_more(reader, more);
        return;
    }
    let Some(actor) = dom::closest(&target, "[data-action]") else {
        return;
    };
    let action = dom::attr(&actor, "data-action").unwrap_or_default();
    let li = dom::closest(&actor, "li.cq-item");
    let id = li.as_ref().and_then(dom::item_id);
    match (action.as_str(), li, id) {
        ("like", Some(li), Some(id)) => {
            // "Try again" after a failed like repeats it on the comment's like button.
            let button = if actor.class_list().contains("cq-like") {
                Some(actor)
            } else {
                find(&li, ":scope > article .cq-like")
            };
            if let Some(button) = button {
                like(reader, button, id);
            }
        }
        ("reply", Some(li), Some(id)) => toggle_reply(reader, &li, actor, id),
        ("collapse", Some(li), _) => collapse(reader, &li, &actor),
        ("replies", Some(li), Some(id)) => {
            event.prevent_default();
            load_replies(reader, li, id);
        }
        ("edit", Some(li), Some(id)) => open_edit(reader, &li, id),
        ("report", Some(li), Some(_)) => toggle_report(reader, &li),
        ("report-send", Some(li), Some(id)) => send_report(reader, li, id),
        ("delete", Some(li), Some(id)) => open_delete(reader, &li, id),
        ("retry-more", _, _) => {
            if let Some(more) = find(&reader.section, ".cq-more a") {
                dom::remove(&actor.parent_element().unwrap_or(actor));
                load_more(reader, more);
            }
        }
        _ => {}
    }
}

fn change(reader: &Rc<Reader>, event: &Event) {
    let Some(select) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
    else {
        return;
    };
    if select.name() != "sort" {
        return;
    }
    sort_by(reader, &select.value());
}

/// The reader chose an order: kept for their next visit, and the thread again in it.
fn sort_by(reader: &Rc<Reader>, value: &str) {
    if let Some(sort) = Sort::parse(value) {
        if sort == reader.sort.get() {
            return;
        }
        storage::save_sort(reader.base(), sort.as_str());
        reader.sort.set(sort);
        reload(reader);
    }
}

fn compose_box(reader: &Reader) -> Option<web_sys::HtmlTextAreaElement> {
    find(&reader.section, "textarea.cq-compose-box")?
        .dyn_into()
        .ok()
}

/// Text typed into the box before the form has arrived is kept as the draft at once:
/// a reload, or a writing half that never loads, loses none of it.
fn typed(reader: &Rc<Reader>, event: &Event) {
    let Some(area) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .filter(|a| a.class_list().contains("cq-compose-box"))
    else {
        return;
    };
    storage::save_draft(reader.base(), &reader.thread, None, &area.value());
}

fn focus_in(reader: &Rc<Reader>, event: &Event) {
    let on_box = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|el| el.class_list().contains("cq-compose-box"));
    if on_box {
        open_compose(reader);
    }
}

/// Likes: this browser's own, shown pressed; a click sends it, and a failure says so.
fn mark_likes(reader: &Reader, within: &Element) {
    for button in find_all(within, "button.cq-like") {
        let id = dom::closest(&button, "li.cq-item").and_then(|li| dom::item_id(&li));
        if id.is_some_and(|id| storage::liked(reader.base(), id)) {
            // A cached page may predate this browser's like (likes do not renew cached
            // pages): the count is at least this one.
            let shown: i64 = find(&button, ".cq-count")
                .and_then(|c| c.text_content())
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            set_like(reader, &button, true, (shown == 0).then_some(1));
        }
    }
}

fn set_like(reader: &Reader, button: &Element, on: bool, likes: Option<i64>) {
    dom::set_attr(button, "aria-pressed", if on { "true" } else { "false" });
    if let Some(heart) = find(button, ".cq-heart") {
        dom::set_text(&heart, if on { "♥ " } else { "♡ " });
    }
    if let Some(n) = likes {
        if let Some(count) = find(button, ".cq-count") {
            dom::set_text(&count, &n.to_string());
        }
        dom::set_attr(
            button,
            "title",
            &reader.t.plural(&reader.t.likes, n.max(0) as usize),
        );
    }
}

fn like(reader: &Rc<Reader>, button: Element, id: CommentId) {
    let on = dom::attr(&button, "aria-pressed").as_deref() != Some("true");
    set_like(reader, &button, on, None);
    if let Some(old) = button
        .next_element_sibling()
        .filter(|e| e.class_list().contains("cq-like-error"))
    {
        dom::remove(&old);
    }
    let reader = reader.clone();
    spawn_local(async move {
        let reader_id = storage::reader_id(reader.base());
        let endpoint = if on {
            Endpoint::Like(id)
        } else {
            Endpoint::Unlike(id)
        };
        let body = format!("{{\"reader\":{}}}", net::json_string(&reader_id));
        match net::write(
            endpoint.method().as_str(),
            &endpoint.url(reader.base()),
            &body,
        )
        .await
        {
            Ok(state) => {
                let liked = net::field(&state, "liked").as_bool().unwrap_or(on);
                storage::set_liked(reader.base(), id, liked);
                set_like(&reader, &button, liked, net::number(&state, "likes"));
            }
            Err(_) => {
                set_like(&reader, &button, !on, None);
                let note = failure(
                    reader.t.like_failed,
                    reader.t.retry,
                    "cq-like-error",
                    "like",
                );
                let _ = button.after_with_node_1(&note);
            }
        }
    });
}

/// "Something failed — Try again": the retry button repeats `action` on the same comment.
fn failure(message: &str, retry: &str, class: &str, action: &str) -> Element {
    let note = dom::element("span", &format!("cq-form-error {class}"), message);
    dom::set_attr(&note, "role", "alert");
    let _ = note.append_with_str_1(" ");
    dom::append(&note, &dom::button("cq-link cq-retry", action, retry));
    note
}

/// Hide or show the replies under a comment.
fn collapse(reader: &Reader, li: &Element, button: &Element) {
    let expanded = dom::attr(button, "aria-expanded").as_deref() == Some("true");
    for part in find_all(li, ":scope > ol.cq-replies, :scope > .cq-more-replies") {
        dom::set_hidden(&part, expanded);
    }
    dom::set_attr(
        button,
        "aria-expanded",
        if expanded { "false" } else { "true" },
    );
    let hidden = find_all(li, ":scope > ol.cq-replies li.cq-item:not(.cq-deleted)").len();
    let label = if expanded {
        reader.t.plural(&reader.t.show_replies, hidden)
    } else {
        reader.t.hide_replies.to_owned()
    };
    dom::set_text(button, &label);
}

/// "Show more comments": the next page appended, focus on its first comment.
fn load_more(reader: &Rc<Reader>, link: Element) {
    if dom::attr(&link, "aria-busy").is_some() {
        return;
    }
    let cursor = dom::attr(&link, "data-cursor");
    dom::set_attr(&link, "aria-busy", "true");
    let generation = reader.generation.get();
    let reader = reader.clone();
    spawn_local(async move {
        let url = reader.query(cursor).url(reader.base(), Endpoint::EmbedMore);
        let result = net::get(&url).await;
        let _ = link.remove_attribute("aria-busy");
        if reader.generation.get() != generation {
            return;
        }
        match result {
            Ok(html) => {
                let first = append_page(&reader, &html);
                if let Some(article) = first.and_then(|li| find(&li, "article")) {
                    dom::focus(&article);
                }
            }
            Err(_) => {
                let note = failure(
                    reader.t.more_failed,
                    reader.t.retry,
                    "cq-more-error",
                    "retry-more",
                );
                if let Some(p) = link.parent_element() {
                    let _ = p.after_with_node_1(&note);
                }
            }
        }
    });
}

/// Add a page fragment (items and its own "Show more") to the list; the first new item.
fn append_page(reader: &Rc<Reader>, html: &str) -> Option<Element> {
    let list = reader.list()?;
    let mut first = None;
    for part in dom::parse(html) {
        if part.class_list().contains("cq-list") {
            for li in find_all(&part, ":scope > li.cq-item") {
                let duplicate = dom::item_id(&li).and_then(|id| reader.item(id)).is_some();
                if duplicate {
                    continue;
                }
                mark_likes(reader, &li);
                mark_drafts(reader, &li);
                show_own_controls(reader, &li);
                dom::append(&list, &li);
                first.get_or_insert(li);
            }
        }
    }
    if let Some(old) = find(&reader.section, ".cq-more") {
        dom::remove(&old);
    }
    if let Some(next) = dom::parse(html)
        .into_iter()
        .find(|e| e.class_list().contains("cq-more"))
    {
        let _ = list.after_with_node_1(&next);
    }
    first
}

/// The list again from its first page, in the order just chosen. Only the newest
/// answer is applied: an order chosen and left again cannot land last.
fn reload(reader: &Rc<Reader>) {
    let generation = reader.generation.get() + 1;
    reader.generation.set(generation);
    let reader = reader.clone();
    spawn_local(async move {
        let url = reader.query(None).url(reader.base(), Endpoint::EmbedMore);
        let result = net::get(&url).await;
        if reader.generation.get() != generation {
            return;
        }
        match result {
            Ok(html) => {
                if let Some(list) = reader.list() {
                    list.set_inner_html("");
                }
                append_page(&reader, &html);
                show_pending(&reader);
            }
            Err(_) => reader.notice(Some(reader.t.load_failed)),
        }
    });
}

/// "Show N more replies": the whole subtree in place, focus on its first new reply.
fn load_replies(reader: &Rc<Reader>, li: Element, id: CommentId) {
    let reader = reader.clone();
    spawn_local(async move {
        let _ = fetch_replies(&reader, &li, id, true).await;
    });
}

async fn fetch_replies(
    reader: &Rc<Reader>,
    li: &Element,
    id: CommentId,
    focus: bool,
) -> Result<(), net::Failed> {
    let url = reader
        .query(None)
        .url(reader.base(), Endpoint::EmbedReplies(id));
    let before: Vec<String> = find_all(li, "li.cq-item")
        .iter()
        .filter_map(|l| dom::attr(l, "data-id"))
        .collect();
    match net::get(&url).await {
        Ok(html) => {
            let Some(replies) = dom::parse(&html).into_iter().next() else {
                return Ok(());
            };
            mark_likes(reader, &replies);
            mark_drafts(reader, &replies);
            show_own_controls(reader, &replies);
            match find(li, ":scope > ol.cq-replies") {
                Some(old) => {
                    let _ = old.replace_with_with_node_1(&replies);
                }
                None => {
                    if let Some(article) = find(li, ":scope > article") {
                        let _ = article.after_with_node_1(&replies);
                    }
                }
            }
            if let Some(more) = find(li, ":scope > .cq-more-replies") {
                dom::remove(&more);
            }
            let first_new = find_all(&replies, "li.cq-item")
                .into_iter()
                .find(|l| !dom::attr(l, "data-id").is_some_and(|id| before.contains(&id)));
            if focus {
                if let Some(article) = first_new.and_then(|l| find(&l, "article")) {
                    dom::focus(&article);
                }
            }
            Ok(())
        }
        Err(e) => {
            if let Some(more) = find(li, ":scope > .cq-more-replies") {
                let note = failure(
                    reader.t.replies_failed,
                    reader.t.retry,
                    "cq-replies-error",
                    "replies",
                );
                if find(&more, ".cq-replies-error").is_none() {
                    let _ = more.append_with_str_1(" ");
                    dom::append(&more, &note);
                }
            }
            Err(e)
        }
    }
}

/// A `#comment-…` link: this thread's comment is loaded (page by page, then its
/// subtree), scrolled to and highlighted. Another thread's (or none) is never pulled in.
fn permalink(reader: &Rc<Reader>) {
    let Some(id) = colloquy_browser::permalink_target() else {
        return;
    };
    let reader = reader.clone();
    spawn_local(async move {
        reader.notice(None);
        if reader.item(id).is_none() {
            let context = net::get_json(&Endpoint::CommentContext(id).url(reader.base())).await;
            let context = match context {
                Ok(c)
                    if net::field(&c, "thread").as_string().as_deref()
                        == Some(reader.thread.as_str()) =>
                {
                    c
                }
                // Found, but in another thread: nothing of it is pulled in here.
                Ok(_) => {
                    reader.notice_shown(reader.t.permalink_missing);
                    return;
                }
                Err(_) => {
                    reader.notice_shown(reader.t.permalink_gone);
                    return;
                }
            };
            let root = net::number(&context, "root_id").map(CommentId);
            let mut pages = 0;
            while let Some(root) = root.filter(|r| reader.item(*r).is_none()) {
                let _ = root;
                let Some(link) = find(&reader.section, ".cq-more a") else {
                    break;
                };
                let cursor = dom::attr(&link, "data-cursor");
                let url = reader.query(cursor).url(reader.base(), Endpoint::EmbedMore);
                match net::get(&url).await {
                    Ok(html) if pages < MAX_PERMALINK_PAGES => {
                        append_page(&reader, &html);
                        pages += 1;
                    }
                    _ => break,
                }
            }
            if let Some(root) = root.filter(|r| *r != id) {
                if let Some(li) = reader.item(root) {
                    let _ = fetch_replies(&reader, &li, root, false).await;
                }
            }
        }
        match reader.item(id).and_then(|li| find(&li, "article")) {
            Some(article) => {
                for old in find_all(&reader.section, "li.cq-target") {
                    dom::remove_class(&old, "cq-target");
                }
                if let Some(li) = article.parent_element() {
                    dom::add_class(&li, "cq-target");
                }
                dom::reveal(&article);
            }
            None => reader.notice_shown(reader.t.permalink_gone),
        }
    });
}

/// Edit and Delete on this browser's own comments while their window is open; they go
/// when it closes.
fn show_own_controls(reader: &Rc<Reader>, within: &Element) {
    for li in find_all(within, "li.cq-item").into_iter().chain(
        within
            .matches("li.cq-item")
            .unwrap_or(false)
            .then(|| within.clone()),
    ) {
        let Some(id) = dom::item_id(&li) else {
            continue;
        };
        if li.class_list().contains("cq-deleted") {
            continue;
        }
        let Some(own) = storage::load_own(reader.base(), id) else {
            continue;
        };
        let Some(slot) = find(&li, ":scope > article .cq-own") else {
            continue;
        };
        if slot.child_element_count() > 0 {
            continue;
        }
        dom::append(
            &slot,
            &dom::button("cq-link cq-edit-button", "edit", reader.t.edit),
        );
        dom::append(
            &slot,
            &dom::button("cq-link cq-delete-button", "delete", reader.t.delete),
        );
        // An edit left unsaved reopens with its text.
        if storage::load_edit_draft(reader.base(), id).is_some() {
            open_edit(reader, &li, id);
        }
        let slot = slot.clone();
        spawn_local(async move {
            sleep_ms(own.expires_ms - now_ms()).await;
            for b in find_all(&slot, ".cq-edit-button, .cq-delete-button") {
                dom::remove(&b);
            }
        });
    }
}

/// This reader's comments still awaiting moderation (only they see them). Each copy is
/// kept only while the comment waits: once it is in the page, or the server says it was
/// published or removed, the copy goes.
fn show_pending(reader: &Rc<Reader>) {
    let Some(list) = reader.list() else { return };
    for copy in storage::load_pending(reader.base(), &reader.thread) {
        if reader.item(copy.id).is_some() {
            storage::forget_pending(reader.base(), &reader.thread, copy.id);
            continue;
        }
        let shown = dom::parse(&copy.html);
        for li in &shown {
            show_own_controls(reader, li);
            dom::append(&list, li);
        }
        let reader = reader.clone();
        spawn_local(async move {
            let url = format!(
                "{}?token={}",
                Endpoint::PendingState(copy.id).url(reader.base()),
                copy.token
            );
            let state = match net::get_json(&url).await {
                Ok(answer) => net::field(&answer, "state").as_string(),
                // Unknown to the server (the token is not this comment's): gone.
                Err(net::Failed(404, _)) => Some("gone".into()),
                // Offline, or the server is down: ask again next time.
                Err(_) => None,
            };
            match state.as_deref() {
                Some("published") => {
                    // Published: readers see it now (this view's copy stays until reload).
                    storage::forget_pending(reader.base(), &reader.thread, copy.id);
                    for li in &shown {
                        if let Some(badge) = find(li, ".cq-badge.cq-pending") {
                            dom::remove(&badge);
                        }
                    }
                }
                Some("gone") => {
                    storage::forget_pending(reader.base(), &reader.thread, copy.id);
                    for li in &shown {
                        dom::remove(li);
                    }
                }
                _ => {}
            }
        });
    }
}

/// The writing half, loaded once, on the reader's first step towards writing.
async fn writer(reader: &Rc<Reader>) -> Option<JsValue> {
    if let Some(w) = reader.writer.borrow().clone() {
        return Some(w);
    }
    let promise: Promise = reader
        .load_writer
        .call0(&JsValue::NULL)
        .ok()?
        .dyn_into()
        .ok()?;
    let module = JsFuture::from(promise).await.ok()?;
    *reader.writer.borrow_mut() = Some(module.clone());
    Some(module)
}

/// Ask the writing half to open `kind` in `host`; `extra` is its JSON options.
fn open_writer(reader: &Rc<Reader>, kind: &'static str, host: Element, extra: String) {
    let reader = reader.clone();
    // Until the writing half is here (seconds on a slow network), the form's place says
    // it is coming; the box to leave a comment shows its own box meanwhile.
    let waiting = (kind != "compose").then(|| {
        let tag = if kind == "delete" { "span" } else { "p" };
        let note = dom::element(tag, "cq-status cq-loading-form", reader.t.loading_form);
        dom::set_attr(&note, "role", "status");
        dom::append(&host, &note);
        note
    });
    spawn_local(async move {
        let module = writer(&reader).await;
        if let Some(note) = &waiting {
            dom::remove(note);
        }
        let Some(module) = module else {
            if let Some(note) = find(&reader.section, ".cq-needs-script") {
                dom::set_hidden(&note, false);
            }
            return;
        };
        let Ok(open) = Reflect::get(&module, &"open".into()).and_then(|f| f.dyn_into::<Function>())
        else {
            return;
        };
        let context = format!(
            "{{\"api_base\":{},\"page_url\":{},\"page_title\":{},\"state\":{}}}",
            net::json_string(&reader.page.api_base),
            net::json_string(&reader.page.page_url),
            net::json_string(&reader.page.title),
            reader.state
        );
        let args = Array::of5(
            &JsValue::from_str(kind),
            &host,
            &JsValue::from_str(&context),
            &reader.strings,
            &JsValue::from_str(&extra),
        );
        if let Err(e) = open.apply(&JsValue::NULL, &args) {
            web_sys::console::error_2(&"colloquy: the writing half failed:".into(), &e);
        }
    });
}

fn open_compose(reader: &Rc<Reader>) {
    let Some(compose) = find(&reader.section, ".cq-compose") else {
        return;
    };
    if dom::attr(&compose, "data-open").is_some() {
        return;
    }
    dom::set_attr(&compose, "data-open", "");
    // The writer reads what is in the box when its form replaces it, so nothing typed
    // while it loads is lost.
    open_writer(reader, "compose", compose, "{}".into());
}

fn toggle_reply(reader: &Rc<Reader>, li: &Element, button: Element, id: CommentId) {
    let open = find(li, ":scope > .cq-reply-host");
    // One reply form at a time, like a blog.
    for host in find_all(&reader.section, ".cq-reply-host") {
        close_reply(reader, &host);
    }
    if open.is_some() {
        dom::focus(&button);
        return;
    }
    dom::set_attr(&button, "aria-expanded", "true");
    dom::set_text(&button, reader.t.cancel_reply);
    let host = dom::element("div", "cq-reply-host", "");
    if let Some(article) = find(li, ":scope > article") {
        let _ = article.after_with_node_1(&host);
    }
    let depth: usize = dom::attr(li, "data-depth")
        .and_then(|d| d.parse().ok())
        .unwrap_or(1);
    let name = find(li, ":scope > article .cq-author")
        .and_then(|a| a.text_content())
        .unwrap_or_default();
    let extra = format!(
        "{{\"parent_id\":{id},\"parent_name\":{},\"depth\":{},\"flat\":{}}}",
        net::json_string(&name),
        (depth + 1).min(reader.max_depth),
        depth >= reader.max_depth
    );
    open_writer(reader, "reply", host, extra);
}

/// Close a reply form (its host goes; its draft stays in storage); its button says
/// "Reply" again, or "Continue your reply" while a draft waits.
fn close_reply(reader: &Reader, host: &Element) {
    if let Some(li) = host.parent_element() {
        if let Some(button) = find(&li, ":scope > article button.cq-reply") {
            dom::set_attr(&button, "aria-expanded", "false");
            label_reply(reader, &li, &button);
        }
    }
    dom::remove(host);
}

/// A Reply button says whether a reply to its comment was started and kept here.
fn label_reply(reader: &Reader, li: &Element, button: &Element) {
    let draft = dom::item_id(li)
        .map(|id| storage::load_draft(reader.base(), &reader.thread, Some(id)))
        .is_some_and(|d| !d.trim().is_empty());
    dom::set_text(
        button,
        if draft {
            reader.t.reply_draft
        } else {
            reader.t.reply
        },
    );
}

/// On the takeover (and for comments added later): replies started on an earlier visit
/// show on their comment's Reply button.
fn mark_drafts(reader: &Reader, within: &Element) {
    for button in find_all(within, "button.cq-reply") {
        if let Some(li) = dom::closest(&button, "li.cq-item") {
            if dom::attr(&button, "aria-expanded").as_deref() != Some("true") {
                label_reply(reader, &li, &button);
            }
        }
    }
}

fn open_edit(reader: &Rc<Reader>, li: &Element, id: CommentId) {
    let Some(article) = find(li, ":scope > article") else {
        return;
    };
    if find(&article, ".cq-edit-host").is_some() {
        return;
    }
    let host = dom::element("div", "cq-edit-host", "");
    if let Some(body) = find(&article, ":scope > .cq-body") {
        dom::set_hidden(&body, true);
        let _ = body.after_with_node_1(&host);
    }
    // While the edit form is open it has its own Save and Cancel: Edit and Delete wait.
    own_buttons(&article, false);
    open_writer(reader, "edit", host, format!("{{\"id\":{id}}}"));
}

/// Show or hide a comment's own Edit and Delete.
fn own_buttons(article: &Element, shown: bool) {
    for b in find_all(article, ".cq-own button") {
        dom::set_hidden(&b, !shown);
    }
}

fn open_delete(reader: &Rc<Reader>, li: &Element, id: CommentId) {
    let Some(slot) = find(li, ":scope > article .cq-own") else {
        return;
    };
    if find(&slot, ".cq-delete-host").is_some() {
        return;
    }
    for b in find_all(&slot, "button") {
        dom::set_hidden(&b, true);
    }
    let host = dom::element("span", "cq-delete-host", "");
    dom::append(&slot, &host);
    open_writer(reader, "delete", host, format!("{{\"id\":{id}}}"));
}

/// What the writing half reports: a comment posted, edited, deleted, or a form closed.
fn from_writer(reader: &Rc<Reader>, event: &Event) {
    let Some(event) = event.dyn_ref::<web_sys::CustomEvent>() else {
        return;
    };
    let detail = event
        .detail()
        .as_string()
        .and_then(|d| js_sys::JSON::parse(&d).ok())
        .unwrap_or(JsValue::NULL);
    let id = net::number(&detail, "id").map(CommentId);
    let host = event.target().and_then(|t| t.dyn_into::<Element>().ok());
    match event.type_().as_str() {
        "colloquy:posted" => posted(reader, &detail, host),
        "colloquy:edited" => {
            if let (Some(id), Some(li)) = (id, id.and_then(|id| reader.item(id))) {
                if let Some(body) = find(&li, ":scope > article > .cq-body") {
                    body.set_inner_html(
                        &net::field(&detail, "body_html")
                            .as_string()
                            .unwrap_or_default(),
                    );
                    dom::set_hidden(&body, false);
                }
                if let Some(edited) = find(&li, ":scope > article .cq-edited") {
                    dom::set_hidden(&edited, false);
                }
                if let Some(host) = find(&li, ".cq-edit-host") {
                    dom::remove(&host);
                }
                if let Some(article) = find(&li, ":scope > article") {
                    own_buttons(&article, true);
                }
                let _ = id;
                if let Some(article) = find(&li, ":scope > article") {
                    dom::focus(&article);
                }
            }
        }
        "colloquy:deleted" => {
            if let Some(li) = id.and_then(|id| reader.item(id)) {
                deleted(
                    reader,
                    &li,
                    id.unwrap_or(CommentId(0)),
                    net::field(&detail, "pending").as_bool() == Some(true),
                );
            }
        }
        "colloquy:closed" => {
            if let Some(host) = host {
                closed(reader, &host);
            }
        }
        _ => {}
    }
}

/// Escape closes what is open around the focus — a reply, edit or delete form, the report
/// box — and puts the focus back on the button that opened it. Nothing typed is lost: a
/// reply's draft and an unsaved edit stay stored (only the edit form's Cancel forgets).
fn escape(reader: &Rc<Reader>, event: &Event) {
    // Read as a plain field: web-sys's KeyboardEvent would grow the reader for one string.
    let key = net::field(event.as_ref(), "key").as_string();
    if key.as_deref() != Some("Escape") || event.default_prevented() {
        return;
    }
    let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    if let Some(host) = dom::closest(&target, ".cq-reply-host, .cq-edit-host, .cq-delete-host") {
        closed(reader, &host);
    } else if let Some(li) =
        dom::closest(&target, ".cq-report-box").and_then(|b| b.parent_element())
    {
        toggle_report(reader, &li);
    } else {
        return;
    }
    event.prevent_default();
}

/// A form of the writer closed (its Cancel, or Escape): the host goes and the focus
/// returns to the button that opened it.
fn closed(reader: &Rc<Reader>, host: &Element) {
    let li = dom::closest(host, "li.cq-item");
    if host.class_list().contains("cq-reply-host") {
        close_reply(reader, host);
        if let Some(b) = li
            .as_ref()
            .and_then(|li| find(li, ":scope > article button.cq-reply"))
        {
            dom::focus(&b);
        }
    } else if host.class_list().contains("cq-edit-host") {
        if let Some(body) = li
            .as_ref()
            .and_then(|li| find(li, ":scope > article > .cq-body"))
        {
            dom::set_hidden(&body, false);
        }
        if let Some(article) = li.as_ref().and_then(|li| find(li, ":scope > article")) {
            own_buttons(&article, true);
        }
        dom::remove(host);
        if let Some(b) = li.as_ref().and_then(|li| find(li, ".cq-edit-button")) {
            dom::focus(&b);
        }
    } else if host.class_list().contains("cq-delete-host") {
        let slot = host.parent_element();
        dom::remove(host);
        if let Some(slot) = slot {
            for b in find_all(&slot, "button") {
                dom::set_hidden(&b, false);
            }
            if let Some(b) = find(&slot, ".cq-delete-button") {
                dom::focus(&b);
            }
        }
    }
}

/// A comment was published (or is awaiting moderation): the server's HTML for it goes
/// where it belongs, without reloading.
fn posted(reader: &Rc<Reader>, detail: &JsValue, host: Option<Element>) {
    let Some(html) = net::field(detail, "html").as_string() else {
        return;
    };
    let parent = net::number(detail, "parent_id").map(CommentId);
    let pending = net::field(detail, "pending").as_bool() == Some(true);
    let Some(li) = dom::parse(&html).into_iter().next() else {
        return;
    };
    if let Some(id) = dom::item_id(&li) {
        let token = net::field(detail, "pending_token").as_string();
        if let (true, Some(token)) = (pending, token) {
            storage::save_pending(reader.base(), &reader.thread, id, &token, &html);
        }
    }
    show_own_controls(reader, &li);
    // Already shown (a retried post after a reload: the server answered with the comment
    // it had stored the first time): in its place, once, with its own controls.
    let shown = dom::item_id(&li).and_then(|id| reader.item(id));
    if let Some(existing) = &shown {
        let _ = existing.replace_with_with_node_1(&li);
    }
    match parent
        .and_then(|p| reader.item(p))
        .filter(|_| shown.is_none())
    {
        Some(parent_li) => {
            // Below the depth cap a reply joins its parent's level, after it.
            let flat = li.has_attribute("data-flat");
            if flat {
                let _ = parent_li.after_with_node_1(&li);
            } else {
                let list = match find(&parent_li, ":scope > ol.cq-replies") {
                    Some(list) => list,
                    None => {
                        let list = dom::element("ol", "cq-replies", "");
                        match find(&parent_li, ":scope > .cq-reply-host")
                            .or_else(|| find(&parent_li, ":scope > article"))
                        {
                            Some(anchor) => {
                                let _ = anchor.after_with_node_1(&list);
                            }
                            None => dom::append(&parent_li, &list),
                        }
                        list
                    }
                };
                dom::append(&list, &li);
            }
        }
        None if shown.is_some() => {}
        None => {
            if let Some(list) = reader.list() {
                if reader.sort.get() == Sort::Newest {
                    let _ = list.prepend_with_node_1(&li);
                } else {
                    dom::append(&list, &li);
                }
            }
        }
    }
    if let Some(host) = host.filter(|h| h.class_list().contains("cq-reply-host")) {
        close_reply(reader, &host);
        if let Some(p) = parent.and_then(|p| reader.item(p)) {
            if let Some(b) = find(&p, ":scope > article button.cq-reply") {
                label_reply(reader, &p, &b);
            }
        }
    }
    if !pending && shown.is_none() {
        reader.set_total(reader.total.get() + 1);
    } else {
        reader.set_total(reader.total.get());
    }
    for old in find_all(&reader.section, "li.cq-target") {
        dom::remove_class(&old, "cq-target");
    }
    dom::add_class(&li, "cq-target");
    if let Some(article) = find(&li, "article") {
        dom::reveal(&article);
    }
}

/// The reader deleted their comment: it stays as "[deleted]" if replies hang under it,
/// else it goes; focus moves to the next comment, the previous, the parent, or the heading.
fn deleted(reader: &Rc<Reader>, li: &Element, id: CommentId, was_pending: bool) {
    storage::forget_pending(reader.base(), &reader.thread, id);
    let has_replies = !find_all(li, ":scope > ol.cq-replies > li.cq-item").is_empty();
    if !was_pending && !li.has_attribute("data-pending") {
        reader.set_total(reader.total.get().saturating_sub(1));
    }
    if has_replies {
        dom::add_class(li, "cq-deleted");
        if let Some(article) = find(li, ":scope > article") {
            dom::set_attr(&article, "aria-label", reader.t.deleted);
            for part in find_all(
                &article,
                ":scope > header, :scope > .cq-body, :scope > .cq-edit-host",
            ) {
                dom::remove(&part);
            }
            let placeholder = dom::element("p", "cq-body cq-placeholder", reader.t.deleted);
            let _ = article.prepend_with_node_1(&placeholder);
            for b in find_all(&article, ".cq-like, .cq-reply, .cq-own > *") {
                dom::remove(&b);
            }
            dom::focus(&article);
        }
        return;
    }
    let next = li
        .next_element_sibling()
        .or_else(|| li.previous_element_sibling())
        .or_else(|| {
            li.parent_element()
                .and_then(|ol| dom::closest(&ol, "li.cq-item"))
        });
    let parent_list = li.parent_element();
    dom::remove(li);
    if let Some(list) = parent_list
        .filter(|l| l.class_list().contains("cq-replies") && l.child_element_count() == 0)
    {
        if let Some(collapse) = list
            .parent_element()
            .and_then(|p| find(&p, ":scope > article .cq-collapse"))
        {
            dom::remove(&collapse);
        }
        dom::remove(&list);
    }
    match next.and_then(|n| find(&n, "article")) {
        Some(article) => dom::focus(&article),
        None => {
            if let Some(h) = find(&reader.section, "h2.cq-heading") {
                dom::focus(&h);
            }
        }
    }
}

/// "Report": a short question with the reasons under the comment, or away again.
fn toggle_report(reader: &Rc<Reader>, li: &Element) {
    let Some(button) = find(li, ":scope > article .cq-report") else {
        return;
    };
    if let Some(open) = find(li, ":scope > .cq-report-box") {
        dom::remove(&open);
        dom::set_attr(&button, "aria-expanded", "false");
        dom::focus(&button);
        return;
    }
    let t = reader.t;
    let id = dom::attr(li, "data-id").unwrap_or_default();
    let question_id = format!("cq-report-q-{id}");
    let boxed = dom::element("div", "cq-report-box", "");
    dom::set_attr(&boxed, "role", "group");
    dom::set_attr(&boxed, "aria-labelledby", &question_id);
    let question = dom::element("p", "cq-report-question", t.report_why);
    dom::set_attr(&question, "id", &question_id);
    dom::append(&boxed, &question);
    let select = dom::element("select", "cq-report-reason", "");
    dom::set_attr(&select, "aria-labelledby", &question_id);
    for (value, label) in [
        ("spam", t.report_spam),
        ("abuse", t.report_abuse),
        ("off_topic", t.report_off_topic),
        ("other", t.report_other),
    ] {
        let option = dom::element("option", "", label);
        dom::set_attr(&option, "value", value);
        dom::append(&select, &option);
    }
    dom::append(&boxed, &select);
    // A report is a form like a comment: a form token (the form timer runs while the
    // reader chooses) and, where the site uses it, a Turnstile challenge.
    if reader.report_token.borrow().is_none() {
        let reader = reader.clone();
        spawn_local(async move {
            let _ = report_token(&reader).await;
        });
    }
    if let Some((site_key, script)) = reader.turnstile.clone() {
        let challenge = dom::element("div", "cq-challenge", "");
        dom::append(&boxed, &challenge);
        let solved = reader.challenge.clone();
        spawn_local(async move {
            let _ = colloquy_browser::turnstile::render(&challenge, &site_key, &script, move |t| {
                *solved.borrow_mut() = Some(t);
            })
            .await;
        });
    }
    dom::append(
        &boxed,
        &dom::button("cq-button cq-report-send", "report-send", t.report_send),
    );
    dom::append(&boxed, &dom::button("cq-link", "report", t.cancel));
    if let Some(article) = find(li, ":scope > article") {
        let _ = article.after_with_node_1(&boxed);
    }
    dom::set_attr(&button, "aria-expanded", "true");
    dom::focus(&select);
}

/// This reader's form token for reports (fetched once, then each answer brings the next).
async fn report_token(reader: &Reader) -> Option<(String, i64)> {
    if let Some(t) = reader.report_token.borrow().clone() {
        return Some(t);
    }
    let url = colloquy_core::wire::endpoint::form_token_url(reader.base(), &reader.thread);
    let token = net::field(&net::get_json(&url).await.ok()?, "form_token").as_string()?;
    let fresh = (token, now_ms());
    *reader.report_token.borrow_mut() = Some(fresh.clone());
    Some(fresh)
}

/// Send a report: sent too soon after the token came, wait out the form timer and send
/// again; with a stale token (the page was open for hours), fetch a new one and send again.
async fn report(reader: &Reader, id: CommentId, reason: &str) -> Result<(), net::Failed> {
    let endpoint = Endpoint::Report(id);
    let (mut waited, mut renewed) = (false, false);
    loop {
        let (token, issued) = report_token(reader)
            .await
            .ok_or(net::Failed(0, String::new()))?;
        // The form timer: a report sent sooner than a person could would be refused.
        if !waited {
            sleep_ms(issued + reader.min_submit_ms + 100 - now_ms()).await;
        }
        let challenge = reader.challenge.borrow().clone();
        let body = format!(
            "{{\"reason\":{},\"form_token\":{}{}}}",
            net::json_string(reason),
            net::json_string(&token),
            challenge
                .map(|c| format!(",\"turnstile_token\":{}", net::json_string(&c)))
                .unwrap_or_default()
        );
        let sent = net::write(
            endpoint.method().as_str(),
            &endpoint.url(reader.base()),
            &body,
        )
        .await;
        // Each token and each solved challenge is good for one report.
        *reader.challenge.borrow_mut() = None;
        match sent {
            Ok(answer) => {
                *reader.report_token.borrow_mut() = net::field(&answer, "form_token")
                    .as_string()
                    .filter(|t| !t.is_empty())
                    .map(|t| (t, now_ms()));
                return Ok(());
            }
            // (The error codes as the server names them.)
            Err(net::Failed(_, code)) if code == "too_fast" && !waited => {
                waited = true;
                sleep_ms(issued + reader.min_submit_ms + 250 - now_ms()).await;
            }
            Err(net::Failed(_, code)) if code == "form_expired" && !renewed => {
                renewed = true;
                *reader.report_token.borrow_mut() = None;
            }
            Err(e) => {
                *reader.report_token.borrow_mut() = None;
                return Err(e);
            }
        }
    }
}

/// Send the chosen reason; thanks in place of the question, or a failure to retry.
fn send_report(reader: &Rc<Reader>, li: Element, id: CommentId) {
    let Some(boxed) = find(&li, ":scope > .cq-report-box") else {
        return;
    };
    // One report at a time: a second click (or Enter) while one is on its way does nothing.
    let Some(send) = find(&boxed, ".cq-report-send") else {
        return;
    };
    if dom::attr(&send, "aria-disabled").as_deref() == Some("true") {
        return;
    }
    let reason = find(&boxed, "select")
        .and_then(|s| s.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_else(|| "other".into());
    for old in find_all(&boxed, ".cq-report-error, .cq-report-sending") {
        dom::remove(&old);
    }
    dom::set_attr(&send, "aria-disabled", "true");
    let sending = dom::element("p", "cq-status cq-report-sending", reader.t.report_sending);
    dom::set_attr(&sending, "role", "status");
    dom::append(&boxed, &sending);
    let reader = reader.clone();
    spawn_local(async move {
        let sent = report(&reader, id, &reason).await;
        dom::remove(&sending);
        dom::set_attr(&send, "aria-disabled", "false");
        match sent {
            Ok(()) => {
                let thanks = dom::element("p", "cq-status", reader.t.report_thanks);
                dom::set_attr(&thanks, "role", "status");
                dom::set_attr(&thanks, "tabindex", "-1");
                boxed.set_inner_html("");
                dom::append(&boxed, &thanks);
                if let Some(b) = find(&li, ":scope > article .cq-report") {
                    dom::remove(&b);
                }
                dom::focus(&thanks);
            }
            Err(net::Failed(status, _)) => {
                // Too many reports from here: say so (a retry at once would fail again).
                let message = if status == 429 {
                    reader.t.errors.rate_limited
                } else {
                    reader.t.report_failed
                };
                let note = failure(message, reader.t.retry, "cq-report-error", "report-send");
                dom::set_attr(&note, "tabindex", "-1");
                dom::append(&boxed, &note);
                dom::focus(&note);
            }
        }
    });
}
