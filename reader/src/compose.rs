//! Starting to write: the collapsed box to leave a comment (what is typed into it kept as
//! the draft at once) and the Reply forms, one at a time, whose buttons say when a reply
//! was started here and kept.

use std::rc::Rc;

use colloquy_browser::bridge::{Form, ReplyTo};
use colloquy_browser::storage;
use colloquy_core::const_concat;
use colloquy_core::wire::dom::class;
use colloquy_core::CommentId;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event};

use crate::dom::{self, find, find_all, sel};
use crate::thread::Reader;
use crate::writer::open_writer;

pub fn compose_box(reader: &Reader) -> Option<web_sys::HtmlTextAreaElement> {
    find(
        &reader.section,
        const_concat!("textarea.", class::COMPOSE_BOX),
    )?
    .dyn_into()
    .ok()
}

/// Text typed into the box before the form has arrived is kept as the draft at once:
/// a reload, or a writing half that never loads, loses none of it.
pub fn typed(reader: &Rc<Reader>, event: &Event) {
    let Some(area) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .filter(|a| a.class_list().contains(class::COMPOSE_BOX))
    else {
        return;
    };
    storage::save_draft(reader.base(), &reader.thread, None, &area.value());
}

pub fn open_compose(reader: &Rc<Reader>) {
    let Some(compose) = find(&reader.section, const_concat!(".", class::COMPOSE)) else {
        return;
    };
    if dom::attr(&compose, "data-open").is_some() {
        return;
    }
    dom::set_attr(&compose, "data-open", "");
    // The writer reads what is in the box when its form replaces it, so nothing typed
    // while it loads is lost.
    open_writer(reader, Form::Compose, compose);
}

pub fn toggle_reply(reader: &Rc<Reader>, li: &Element, button: Element, id: CommentId) {
    let open = find(li, const_concat!(":scope > .", class::REPLY_HOST));
    // One reply form at a time, like a blog.
    for host in find_all(&reader.section, const_concat!(".", class::REPLY_HOST)) {
        close_reply(reader, &host);
    }
    if open.is_some() {
        dom::focus(&button);
        return;
    }
    dom::set_attr(&button, "aria-expanded", "true");
    dom::set_text(&button, reader.t.cancel_reply);
    let host = dom::element("div", class::REPLY_HOST, "");
    if let Some(article) = find(li, ":scope > article") {
        let _ = article.after_with_node_1(&host);
    }
    let depth: usize = dom::attr(li, "data-depth")
        .and_then(|d| d.parse().ok())
        .unwrap_or(1);
    let name = find(li, const_concat!(":scope > article .", class::AUTHOR))
        .and_then(|a| a.text_content())
        .unwrap_or_default();
    let to = ReplyTo {
        id,
        name,
        depth: (depth + 1).min(reader.max_depth),
        flat: depth >= reader.max_depth,
    };
    open_writer(reader, Form::Reply(to), host);
}

/// Close a reply form (its host goes; its draft stays in storage); its button says
/// "Reply" again, or "Continue your reply" while a draft waits.
pub fn close_reply(reader: &Reader, host: &Element) {
    if let Some(li) = host.parent_element() {
        if let Some(button) = find(&li, sel::REPLY_BUTTON) {
            dom::set_attr(&button, "aria-expanded", "false");
            label_reply(reader, &li, &button);
        }
    }
    dom::remove(host);
}

/// A Reply button says whether a reply to its comment was started and kept here.
pub fn label_reply(reader: &Reader, li: &Element, button: &Element) {
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
pub fn mark_drafts(reader: &Reader, within: &Element) {
    for button in find_all(within, const_concat!("button.", class::REPLY)) {
        if let Some(li) = dom::closest(&button, sel::ITEM) {
            if dom::attr(&button, "aria-expanded").as_deref() != Some("true") {
                label_reply(reader, &li, &button);
            }
        }
    }
}
