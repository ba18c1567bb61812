//! Likes: this browser's own shown pressed, a click sent (and taken back), a failure said
//! beside the button with a way to try again.

use std::rc::Rc;

use colloquy_browser::{json, storage};
use colloquy_core::const_concat;
use colloquy_core::wire::dom::{class, Action};
use colloquy_core::wire::endpoint::Endpoint;
use colloquy_core::CommentId;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::dom::{self, failure, find, find_all, sel};
use crate::net;
use crate::thread::Reader;

/// Likes: this browser's own, shown pressed; a click sends it, and a failure says so.
pub fn mark_likes(reader: &Reader, within: &Element) {
    for button in find_all(within, const_concat!("button.", class::LIKE)) {
        let id = dom::closest(&button, sel::ITEM).and_then(|li| dom::item_id(&li));
        if id.is_some_and(|id| storage::liked(reader.base(), id)) {
            // A cached page may predate this browser's like (likes do not renew cached
            // pages): the count is at least this one.
            let shown: i64 = find(&button, const_concat!(".", class::COUNT))
                .and_then(|c| c.text_content())
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            set_like(reader, &button, true, (shown == 0).then_some(1));
        }
    }
}

pub fn set_like(reader: &Reader, button: &Element, on: bool, likes: Option<i64>) {
    dom::set_attr(button, "aria-pressed", if on { "true" } else { "false" });
    if let Some(heart) = find(button, const_concat!(".", class::HEART)) {
        dom::set_text(&heart, if on { "♥ " } else { "♡ " });
    }
    if let Some(n) = likes {
        if let Some(count) = find(button, const_concat!(".", class::COUNT)) {
            dom::set_text(&count, &n.to_string());
        }
        dom::set_attr(
            button,
            "title",
            &reader.t.plural(&reader.t.likes, n.max(0) as usize),
        );
    }
}

pub fn like(reader: &Rc<Reader>, button: Element, id: CommentId) {
    let on = dom::attr(&button, "aria-pressed").as_deref() != Some("true");
    set_like(reader, &button, on, None);
    if let Some(old) = button
        .next_element_sibling()
        .filter(|e| e.class_list().contains(class::LIKE_ERROR))
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
        let body = format!("{{\"reader\":{}}}", json::quote(&reader_id));
        match net::write(
            endpoint.method().as_str(),
            &endpoint.url(reader.base()),
            &body,
        )
        .await
        {
            Ok(state) => {
                let liked = json::field(&state, "liked").as_bool().unwrap_or(on);
                storage::set_liked(reader.base(), id, liked);
                set_like(&reader, &button, liked, json::number(&state, "likes"));
            }
            Err(_) => {
                set_like(&reader, &button, !on, None);
                let note = failure(
                    reader.t.like_failed,
                    reader.t.retry,
                    class::LIKE_ERROR,
                    Action::Like,
                );
                let _ = button.after_with_node_1(&note);
            }
        }
    });
}
