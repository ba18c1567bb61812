//! More of the thread in place, as HTML the server rendered: "Show more comments", the
//! rest of a subtree ("Show N more replies"), the whole list again in another order (only
//! the newest load applies); and hiding a comment's replies.

use std::rc::Rc;

use colloquy_browser::storage;
use colloquy_core::const_concat;
use colloquy_core::wire::api::Sort;
use colloquy_core::wire::dom::{class, Action};
use colloquy_core::wire::endpoint::Endpoint;
use colloquy_core::CommentId;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::compose::mark_drafts;
use crate::dom::{self, failure, find, find_all, sel};
use crate::likes::mark_likes;
use crate::net;
use crate::own::show_own_controls;
use crate::pending::show_pending;
use crate::thread::Reader;

/// The reader chose an order: kept for their next visit, and the thread again in it.
pub fn sort_by(reader: &Rc<Reader>, value: &str) {
    if let Some(sort) = Sort::parse(value) {
        if sort == reader.sort.get() {
            return;
        }
        storage::save_sort(reader.base(), sort.as_str());
        reader.sort.set(sort);
        reload(reader);
    }
}

/// Hide or show the replies under a comment.
pub fn collapse(reader: &Reader, li: &Element, button: &Element) {
    let expanded = dom::attr(button, "aria-expanded").as_deref() == Some("true");
    for part in find_all(
        li,
        const_concat!(
            ":scope > ol.",
            class::REPLIES,
            ", :scope > .",
            class::MORE_REPLIES
        ),
    ) {
        dom::set_hidden(&part, expanded);
    }
    dom::set_attr(
        button,
        "aria-expanded",
        if expanded { "false" } else { "true" },
    );
    let hidden = find_all(
        li,
        const_concat!(
            ":scope > ol.",
            class::REPLIES,
            " li.",
            class::ITEM,
            ":not(.",
            class::DELETED,
            ")"
        ),
    )
    .len();
    let label = if expanded {
        reader.t.plural(&reader.t.show_replies, hidden)
    } else {
        reader.t.hide_replies.to_owned()
    };
    dom::set_text(button, &label);
}

/// "Show more comments": the next page appended, focus on its first comment.
pub fn load_more(reader: &Rc<Reader>, link: Element) {
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
                    class::MORE_ERROR,
                    Action::RetryMore,
                );
                if let Some(p) = link.parent_element() {
                    let _ = p.after_with_node_1(&note);
                }
            }
        }
    });
}

/// Add a page fragment (items and its own "Show more") to the list; the first new item.
pub fn append_page(reader: &Rc<Reader>, html: &str) -> Option<Element> {
    let list = reader.list()?;
    let mut first = None;
    for part in dom::parse(html) {
        if part.class_list().contains(class::LIST) {
            for li in find_all(&part, const_concat!(":scope > li.", class::ITEM)) {
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
    if let Some(old) = find(&reader.section, const_concat!(".", class::MORE)) {
        dom::remove(&old);
    }
    if let Some(next) = dom::parse(html)
        .into_iter()
        .find(|e| e.class_list().contains(class::MORE))
    {
        let _ = list.after_with_node_1(&next);
    }
    first
}

/// The list again from its first page, in the order just chosen. Only the newest
/// answer is applied: an order chosen and left again cannot land last.
pub fn reload(reader: &Rc<Reader>) {
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
pub fn load_replies(reader: &Rc<Reader>, li: Element, id: CommentId) {
    let reader = reader.clone();
    spawn_local(async move {
        let _ = fetch_replies(&reader, &li, id, true).await;
    });
}

pub async fn fetch_replies(
    reader: &Rc<Reader>,
    li: &Element,
    id: CommentId,
    focus: bool,
) -> Result<(), net::Failed> {
    let url = reader
        .query(None)
        .url(reader.base(), Endpoint::EmbedReplies(id));
    let before: Vec<String> = find_all(li, sel::ITEM)
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
            match find(li, const_concat!(":scope > ol.", class::REPLIES)) {
                Some(old) => {
                    let _ = old.replace_with_with_node_1(&replies);
                }
                None => {
                    if let Some(article) = find(li, ":scope > article") {
                        let _ = article.after_with_node_1(&replies);
                    }
                }
            }
            if let Some(more) = find(li, const_concat!(":scope > .", class::MORE_REPLIES)) {
                dom::remove(&more);
            }
            let first_new = find_all(&replies, sel::ITEM)
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
            if let Some(more) = find(li, const_concat!(":scope > .", class::MORE_REPLIES)) {
                let note = failure(
                    reader.t.replies_failed,
                    reader.t.retry,
                    class::REPLIES_ERROR,
                    Action::Replies,
                );
                if find(&more, const_concat!(".", class::REPLIES_ERROR)).is_none() {
                    let _ = more.append_with_str_1(" ");
                    dom::append(&more, &note);
                }
            }
            Err(e)
        }
    }
}
