//! The reader's own comments while their edit window is open: Edit and Delete beside them
//! (gone when the window closes), and the writing half's edit box or delete confirmation
//! opened in place.

use std::rc::Rc;

use colloquy_browser::bridge::Form;
use colloquy_browser::{now_ms, sleep_ms, storage};
use colloquy_core::const_concat;
use colloquy_core::wire::dom::{class, Action};
use colloquy_core::CommentId;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::dom::{self, find, find_all, sel};
use crate::thread::Reader;
use crate::writer::open_writer;

/// Edit and Delete on this browser's own comments while their window is open; they go
/// when it closes.
pub fn show_own_controls(reader: &Rc<Reader>, within: &Element) {
    for li in find_all(within, sel::ITEM).into_iter().chain(
        within
            .matches(sel::ITEM)
            .unwrap_or(false)
            .then(|| within.clone()),
    ) {
        let Some(id) = dom::item_id(&li) else {
            continue;
        };
        if li.class_list().contains(class::DELETED) {
            continue;
        }
        let Some(own) = storage::load_own(reader.base(), id) else {
            continue;
        };
        let Some(slot) = find(&li, const_concat!(":scope > article .", class::OWN)) else {
            continue;
        };
        if slot.child_element_count() > 0 {
            continue;
        }
        dom::append(
            &slot,
            &dom::button(
                const_concat!("cq-link ", class::EDIT_BUTTON),
                Action::Edit,
                reader.t.edit,
            ),
        );
        dom::append(
            &slot,
            &dom::button(
                const_concat!("cq-link ", class::DELETE_BUTTON),
                Action::Delete,
                reader.t.delete,
            ),
        );
        // An edit left unsaved reopens with its text.
        if storage::load_edit_draft(reader.base(), id).is_some() {
            open_edit(reader, &li, id);
        }
        let slot = slot.clone();
        spawn_local(async move {
            sleep_ms(own.expires_ms - now_ms()).await;
            for b in find_all(
                &slot,
                const_concat!(".", class::EDIT_BUTTON, ", .", class::DELETE_BUTTON),
            ) {
                dom::remove(&b);
            }
        });
    }
}

pub fn open_edit(reader: &Rc<Reader>, li: &Element, id: CommentId) {
    let Some(article) = find(li, ":scope > article") else {
        return;
    };
    if find(&article, const_concat!(".", class::EDIT_HOST)).is_some() {
        return;
    }
    let host = dom::element("div", class::EDIT_HOST, "");
    if let Some(body) = find(&article, const_concat!(":scope > .", class::BODY)) {
        dom::set_hidden(&body, true);
        let _ = body.after_with_node_1(&host);
    }
    // While the edit form is open it has its own Save and Cancel: Edit and Delete wait.
    own_buttons(&article, false);
    open_writer(reader, Form::Edit(id), host);
}

/// Show or hide a comment's own Edit and Delete.
pub fn own_buttons(article: &Element, shown: bool) {
    for b in find_all(article, const_concat!(".", class::OWN, " button")) {
        dom::set_hidden(&b, !shown);
    }
}

pub fn open_delete(reader: &Rc<Reader>, li: &Element, id: CommentId) {
    let Some(slot) = find(li, const_concat!(":scope > article .", class::OWN)) else {
        return;
    };
    if find(&slot, const_concat!(".", class::DELETE_HOST)).is_some() {
        return;
    }
    for b in find_all(&slot, "button") {
        dom::set_hidden(&b, true);
    }
    let host = dom::element("span", class::DELETE_HOST, "");
    dom::append(&slot, &host);
    open_writer(reader, Form::Delete(id), host);
}
