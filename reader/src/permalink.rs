//! Permalinks (`#comment-…`): this thread's comment is loaded, page by page and then its
//! subtree, scrolled to and highlighted; another thread's is never pulled in.

use std::rc::Rc;

use colloquy_browser::json;
use colloquy_core::wire::dom::class;
use colloquy_core::wire::endpoint::Endpoint;
use colloquy_core::CommentId;
use wasm_bindgen_futures::spawn_local;

use crate::dom::{self, find, find_all, sel};
use crate::net;
use crate::paging::{append_page, fetch_replies};
use crate::thread::Reader;

/// Most pages loaded to reach a permalinked comment.
const MAX_PERMALINK_PAGES: usize = 50;

/// A `#comment-…` link: this thread's comment is loaded (page by page, then its
/// subtree), scrolled to and highlighted. Another thread's (or none) is never pulled in.
pub fn permalink(reader: &Rc<Reader>) {
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
                    if json::field(&c, "thread").as_string().as_deref()
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
            let root = json::number(&context, "root_id").map(CommentId);
            let mut pages = 0;
            while let Some(root) = root.filter(|r| reader.item(*r).is_none()) {
                let _ = root;
                let Some(link) = find(&reader.section, sel::MORE_LINK) else {
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
                for old in find_all(&reader.section, sel::TARGETED) {
                    dom::remove_class(&old, class::TARGET);
                }
                if let Some(li) = article.parent_element() {
                    dom::add_class(&li, class::TARGET);
                }
                dom::reveal(&article);
            }
            None => reader.notice_shown(reader.t.permalink_gone),
        }
    });
}
