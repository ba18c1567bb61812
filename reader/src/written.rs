//! What the writing half reports, applied to the thread: a comment posted (the server's
//! HTML put where it belongs), edited, deleted, or a form closed (focus back on the button
//! that opened it).

use std::rc::Rc;

use colloquy_browser::bridge::{Edited, Outcome, Posted};
use colloquy_browser::storage;
use colloquy_core::const_concat;
use colloquy_core::wire::api::Sort;
use colloquy_core::wire::dom::class;
use colloquy_core::CommentId;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event};

use crate::compose::{close_reply, label_reply};
use crate::dom::{self, find, find_all, sel};
use crate::own::{own_buttons, show_own_controls};
use crate::thread::Reader;

/// What the writing half reports: a comment posted, edited, deleted, or a form closed.
pub fn from_writer(reader: &Rc<Reader>, event: &Event) {
    let Some(outcome) = Outcome::read(event) else {
        return;
    };
    let host = event.target().and_then(|t| t.dyn_into::<Element>().ok());
    match outcome {
        Outcome::Posted(comment) => posted(reader, comment, host),
        Outcome::Edited(comment) => edited(reader, comment),
        Outcome::Deleted(id) => {
            if let Some(li) = reader.item(id) {
                deleted(reader, &li, id);
            }
        }
        Outcome::Closed => {
            if let Some(host) = host {
                closed(reader, &host);
            }
        }
    }
}

/// The reader's comment has its new text (the server's HTML), and the edit form goes.
fn edited(reader: &Reader, comment: Edited) {
    let Some(li) = reader.item(comment.id) else {
        return;
    };
    if let Some(body) = find(&li, sel::BODY) {
        body.set_inner_html(&comment.body_html);
        dom::set_hidden(&body, false);
    }
    if let Some(edited) = find(&li, const_concat!(":scope > article .", class::EDITED)) {
        dom::set_hidden(&edited, false);
    }
    if let Some(host) = find(&li, const_concat!(".", class::EDIT_HOST)) {
        dom::remove(&host);
    }
    if let Some(article) = find(&li, ":scope > article") {
        own_buttons(&article, true);
        dom::focus(&article);
    }
}

/// A form of the writer closed (its Cancel, or Escape): the host goes and the focus
/// returns to the button that opened it.
pub fn closed(reader: &Rc<Reader>, host: &Element) {
    let li = dom::closest(host, sel::ITEM);
    if host.class_list().contains(class::REPLY_HOST) {
        close_reply(reader, host);
        if let Some(b) = li.as_ref().and_then(|li| find(li, sel::REPLY_BUTTON)) {
            dom::focus(&b);
        }
    } else if host.class_list().contains(class::EDIT_HOST) {
        if let Some(body) = li.as_ref().and_then(|li| find(li, sel::BODY)) {
            dom::set_hidden(&body, false);
        }
        if let Some(article) = li.as_ref().and_then(|li| find(li, ":scope > article")) {
            own_buttons(&article, true);
        }
        dom::remove(host);
        if let Some(b) = li
            .as_ref()
            .and_then(|li| find(li, const_concat!(".", class::EDIT_BUTTON)))
        {
            dom::focus(&b);
        }
    } else if host.class_list().contains(class::DELETE_HOST) {
        let slot = host.parent_element();
        dom::remove(host);
        if let Some(slot) = slot {
            for b in find_all(&slot, "button") {
                dom::set_hidden(&b, false);
            }
            if let Some(b) = find(&slot, const_concat!(".", class::DELETE_BUTTON)) {
                dom::focus(&b);
            }
        }
    }
}

/// A comment was published (or is awaiting moderation): the server's HTML for it goes
/// where it belongs, without reloading.
pub fn posted(reader: &Rc<Reader>, comment: Posted, host: Option<Element>) {
    let Some(html) = comment.html else {
        return;
    };
    let parent = comment.parent_id;
    let pending = comment.pending;
    let Some(li) = dom::parse(&html).into_iter().next() else {
        return;
    };
    if let Some(id) = dom::item_id(&li) {
        if let (true, Some(token)) = (pending, comment.pending_token) {
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
                let list = match find(&parent_li, const_concat!(":scope > ol.", class::REPLIES)) {
                    Some(list) => list,
                    None => {
                        let list = dom::element("ol", class::REPLIES, "");
                        match find(&parent_li, const_concat!(":scope > .", class::REPLY_HOST))
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
    if let Some(host) = host.filter(|h| h.class_list().contains(class::REPLY_HOST)) {
        close_reply(reader, &host);
        if let Some(p) = parent.and_then(|p| reader.item(p)) {
            if let Some(b) = find(&p, sel::REPLY_BUTTON) {
                label_reply(reader, &p, &b);
            }
        }
    }
    if !pending && shown.is_none() {
        reader.set_total(reader.total.get() + 1);
    } else {
        reader.set_total(reader.total.get());
    }
    for old in find_all(&reader.section, sel::TARGETED) {
        dom::remove_class(&old, class::TARGET);
    }
    dom::add_class(&li, class::TARGET);
    if let Some(article) = find(&li, "article") {
        dom::reveal(&article);
    }
}

/// The reader deleted their comment: it stays as "[deleted]" if replies hang under it,
/// else it goes; focus moves to the next comment, the previous, the parent, or the heading.
pub fn deleted(reader: &Rc<Reader>, li: &Element, id: CommentId) {
    storage::forget_pending(reader.base(), &reader.thread, id);
    let has_replies = !find_all(
        li,
        const_concat!(":scope > ol.", class::REPLIES, " > li.", class::ITEM),
    )
    .is_empty();
    if !li.has_attribute("data-pending") {
        reader.set_total(reader.total.get().saturating_sub(1));
    }
    if has_replies {
        dom::add_class(li, class::DELETED);
        if let Some(article) = find(li, ":scope > article") {
            dom::set_attr(&article, "aria-label", reader.t.deleted);
            for part in find_all(
                &article,
                const_concat!(
                    ":scope > header, :scope > .",
                    class::BODY,
                    ", :scope > .",
                    class::EDIT_HOST
                ),
            ) {
                dom::remove(&part);
            }
            let placeholder = dom::element(
                "p",
                const_concat!(class::BODY, " cq-placeholder"),
                reader.t.deleted,
            );
            let _ = article.prepend_with_node_1(&placeholder);
            for b in find_all(
                &article,
                const_concat!(
                    ".",
                    class::LIKE,
                    ", .",
                    class::REPLY,
                    ", .",
                    class::OWN,
                    " > *"
                ),
            ) {
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
                .and_then(|ol| dom::closest(&ol, sel::ITEM))
        });
    let parent_list = li.parent_element();
    dom::remove(li);
    if let Some(list) = parent_list
        .filter(|l| l.class_list().contains(class::REPLIES) && l.child_element_count() == 0)
    {
        if let Some(collapse) = list
            .parent_element()
            .and_then(|p| find(&p, const_concat!(":scope > article .", class::COLLAPSE)))
        {
            dom::remove(&collapse);
        }
        dom::remove(&list);
    }
    match next.and_then(|n| find(&n, "article")) {
        Some(article) => dom::focus(&article),
        None => {
            if let Some(h) = find(&reader.section, sel::HEADING) {
                dom::focus(&h);
            }
        }
    }
}
