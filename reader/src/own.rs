//! The reader's own comments while their edit window is open: Edit and Delete beside them
//! (gone when the window closes), and the writing half's edit box or delete confirmation
//! opened in place.

use std::rc::Rc;

use colloquy_browser::{now_ms, sleep_ms, storage};
use colloquy_core::CommentId;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::dom::{self, find, find_all};
use crate::thread::Reader;
use crate::writer::open_writer;

/// Edit and Delete on this browser's own comments while their window is open; they go
/// when it closes.
pub fn show_own_controls(reader: &Rc<Reader>, within: &Element) {
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

pub fn open_edit(reader: &Rc<Reader>, li: &Element, id: CommentId) {
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
pub fn own_buttons(article: &Element, shown: bool) {
    for b in find_all(article, ".cq-own button") {
        dom::set_hidden(&b, !shown);
    }
}

pub fn open_delete(reader: &Rc<Reader>, li: &Element, id: CommentId) {
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
