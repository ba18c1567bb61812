//! Colloquy's writing half: Leptos (client-side rendering) compiled to WebAssembly. The
//! reading half loads it on a reader's first step towards writing and asks it to open one
//! of its forms in place — the "Leave a comment" form, a reply form, an edit box, a delete
//! confirmation. It reports what happened as events; the reading half, which owns the
//! thread on the page, inserts the HTML the server rendered.
//!
//! Everything the reader sees here is rendered as text and attributes; the only HTML
//! inserted as HTML is the server's preview, rendered and sanitized with an allowlist.

mod api;
mod form;
mod own;
mod session;

use std::cell::RefCell;

use colloquy_browser::bridge::{Form, Handover};
use colloquy_i18n::Strings;
use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

use session::{Context, Session};

thread_local! {
    /// The widget's session (one per page, shared by its forms) and the forms' handles,
    /// kept while their hosts are on the page.
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
    static MOUNTED: RefCell<Vec<(web_sys::HtmlElement, Box<dyn std::any::Any>)>> = const { RefCell::new(Vec::new()) };
}

/// Open a form in `host`: `kind` and `extra` are a [`Form`]'s kind and options, `context`
/// the reading half's [`Handover`] (JSON), `strings` the reader's language table.
#[wasm_bindgen]
pub fn open(
    kind: &str,
    host: web_sys::HtmlElement,
    context: &str,
    strings: js_sys::Array,
    extra: &str,
) {
    // A bug should say where it is in the console, not only "unreachable".
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            web_sys::console::error_1(&format!("colloquy: {info}").into());
        }))
    });
    let session = SESSION.with(|s| *s.borrow()).or_else(|| {
        let context = Handover::read(context)?;
        let context = Context {
            state: serde_json::from_str(&context.state).ok()?,
            api_base: context.api_base,
            page_url: context.page_url,
            page_title: context.page_title,
        };
        let texts = strings
            .iter()
            .map(|v| &*Box::leak(v.as_string().unwrap_or_default().into_boxed_str()));
        let t: &'static Strings<'static> = Box::leak(Box::new(Strings::from_list(texts)?));
        // The session outlives every form: it lives under its own owner.
        let owner = Owner::new();
        let session = owner.with(|| Session::new(context, t));
        std::mem::forget(owner);
        SESSION.with(|s| *s.borrow_mut() = Some(session));
        Some(session)
    });
    let (Some(session), Some(opened)) = (session, Form::read(kind, extra)) else {
        return;
    };
    // Forms whose hosts left the page are unmounted.
    MOUNTED.with(|m| m.borrow_mut().retain(|(h, _)| h.is_connected()));
    // What was typed into the collapsed box up to this moment goes into the form.
    let typed = host
        .query_selector("textarea")
        .ok()
        .flatten()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlTextAreaElement>(t).ok())
        .map(|t| t.value())
        .unwrap_or_default();
    host.set_inner_html("");
    let mount_host = host.clone();
    let keep = host.clone();
    let handle: Box<dyn std::any::Any> = match opened {
        Form::Compose => Box::new(leptos::mount::mount_to(mount_host, move || {
            provide_context(session);
            form::CommentForm(form::CommentFormProps {
                host,
                parent: None,
                initial: typed,
            })
        })),
        Form::Reply(parent) => Box::new(leptos::mount::mount_to(mount_host, move || {
            provide_context(session);
            form::CommentForm(form::CommentFormProps {
                host,
                parent: Some(parent),
                initial: String::new(),
            })
        })),
        Form::Edit(id) => Box::new(leptos::mount::mount_to(mount_host, move || {
            provide_context(session);
            own::EditBox(own::EditBoxProps { host, id })
        })),
        Form::Delete(id) => Box::new(leptos::mount::mount_to(mount_host, move || {
            provide_context(session);
            own::ConfirmDelete(own::ConfirmDeleteProps { host, id })
        })),
    };
    MOUNTED.with(|m| m.borrow_mut().push((keep, handle)));
}
