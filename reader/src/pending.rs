//! The reader's comments still awaiting moderation: kept in this browser and shown to
//! them alone, until the page has them or the server says they were published or removed.

use std::rc::Rc;

use colloquy_browser::{json, storage};
use colloquy_core::const_concat;
use colloquy_core::wire::dom::class;
use colloquy_core::wire::endpoint::Endpoint;
use wasm_bindgen_futures::spawn_local;

use crate::dom::{self, find};
use crate::net;
use crate::own::show_own_controls;
use crate::thread::Reader;

/// This reader's comments still awaiting moderation (only they see them). Each copy is
/// kept only while the comment waits: once it is in the page, or the server says it was
/// published or removed, the copy goes.
pub fn show_pending(reader: &Rc<Reader>) {
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
                Ok(answer) => json::field(&answer, "state").as_string(),
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
                        if let Some(badge) =
                            find(li, const_concat!(".", class::BADGE, ".", class::PENDING))
                        {
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
