//! Listening: the reader's clicks, keys, focus and typing inside the widget, the writing
//! half's events and the address's fragment, each handed to the module that acts on it;
//! and what was touched before the takeover, done again.

use std::rc::Rc;

use colloquy_browser::bridge::Outcome;
use colloquy_browser::{json, storage};
use colloquy_core::const_concat;
use colloquy_core::wire::dom::{class, Action, ACTION_ATTR, SORT_FIELD};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event};

use crate::compose::{compose_box, mark_drafts, open_compose, toggle_reply, typed};
use crate::dom::{self, find, sel};
use crate::likes::{like, mark_likes};
use crate::own::{open_delete, open_edit, show_own_controls};
use crate::paging::{collapse, load_more, load_replies, sort_by};
use crate::pending::show_pending;
use crate::permalink::permalink;
use crate::reports::{send_report, toggle_report};
use crate::thread::Reader;
use crate::written::{closed, from_writer};

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
    for name in Outcome::NAMES {
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

pub fn click(reader: &Rc<Reader>, event: &Event) {
    let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    if let Some(more) = dom::closest(&target, sel::MORE_LINK) {
        event.prevent_default();
        load_more(reader, more);
        return;
    }
    let Some(actor) = dom::closest(&target, const_concat!("[", ACTION_ATTR, "]")) else {
        return;
    };
    let action = dom::attr(&actor, ACTION_ATTR).and_then(|a| Action::parse(&a));
    let li = dom::closest(&actor, sel::ITEM);
    let id = li.as_ref().and_then(dom::item_id);
    match (action, li, id) {
        (Some(Action::Like), Some(li), Some(id)) => {
            // "Try again" after a failed like repeats it on the comment's like button.
            let button = if actor.class_list().contains(class::LIKE) {
                Some(actor)
            } else {
                find(&li, const_concat!(":scope > article .", class::LIKE))
            };
            if let Some(button) = button {
                like(reader, button, id);
            }
        }
        (Some(Action::Reply), Some(li), Some(id)) => toggle_reply(reader, &li, actor, id),
        (Some(Action::Collapse), Some(li), _) => collapse(reader, &li, &actor),
        (Some(Action::Replies), Some(li), Some(id)) => {
            event.prevent_default();
            load_replies(reader, li, id);
        }
        (Some(Action::Edit), Some(li), Some(id)) => open_edit(reader, &li, id),
        (Some(Action::Report), Some(li), Some(_)) => toggle_report(reader, &li),
        (Some(Action::ReportSend), Some(li), Some(id)) => send_report(reader, li, id),
        (Some(Action::Delete), Some(li), Some(id)) => open_delete(reader, &li, id),
        (Some(Action::RetryMore), _, _) => {
            if let Some(more) = find(&reader.section, sel::MORE_LINK) {
                dom::remove(&actor.parent_element().unwrap_or(actor));
                load_more(reader, more);
            }
        }
        _ => {}
    }
}

pub fn change(reader: &Rc<Reader>, event: &Event) {
    let Some(select) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
    else {
        return;
    };
    if select.name() != SORT_FIELD {
        return;
    }
    sort_by(reader, &select.value());
}

pub fn focus_in(reader: &Rc<Reader>, event: &Event) {
    let on_box = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|el| el.class_list().contains(class::COMPOSE_BOX));
    if on_box {
        open_compose(reader);
    }
}

/// Escape closes what is open around the focus — a reply, edit or delete form, the report
/// box — and puts the focus back on the button that opened it. Nothing typed is lost: a
/// reply's draft and an unsaved edit stay stored (only the edit form's Cancel forgets).
pub fn escape(reader: &Rc<Reader>, event: &Event) {
    // Read as a plain field: web-sys's KeyboardEvent would grow the reader for one string.
    let key = json::field(event.as_ref(), "key").as_string();
    if key.as_deref() != Some("Escape") || event.default_prevented() {
        return;
    }
    let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    if let Some(host) = dom::closest(
        &target,
        const_concat!(
            ".",
            class::REPLY_HOST,
            ", .",
            class::EDIT_HOST,
            ", .",
            class::DELETE_HOST
        ),
    ) {
        closed(reader, &host);
    } else if let Some(li) = dom::closest(&target, const_concat!(".", class::REPORT_BOX))
        .and_then(|b| b.parent_element())
    {
        toggle_report(reader, &li);
    } else {
        return;
    }
    event.prevent_default();
}
