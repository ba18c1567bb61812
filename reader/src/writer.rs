//! The bridge to the writing half: loaded once, on the reader's first step towards writing,
//! and asked to open one of its forms in a host element (a note says it is coming meanwhile).

use std::rc::Rc;

use colloquy_browser::bridge::{Form, Handover};
use colloquy_core::const_concat;
use colloquy_core::wire::dom::class;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::Element;

use crate::dom::{self, find};
use crate::thread::Reader;

/// The writing half, loaded once, on the reader's first step towards writing.
pub async fn writer(reader: &Rc<Reader>) -> Option<JsValue> {
    if let Some(w) = reader.writer.borrow().clone() {
        return Some(w);
    }
    let promise: Promise = reader
        .load_writer
        .call0(&JsValue::NULL)
        .ok()?
        .dyn_into()
        .ok()?;
    let module = JsFuture::from(promise).await.ok()?;
    *reader.writer.borrow_mut() = Some(module.clone());
    Some(module)
}

/// Ask the writing half to open `form` in `host`.
pub fn open_writer(reader: &Rc<Reader>, form: Form, host: Element) {
    let reader = reader.clone();
    // Until the writing half is here (seconds on a slow network), the form's place says
    // it is coming; the box to leave a comment shows its own box meanwhile.
    let waiting = (!matches!(form, Form::Compose)).then(|| {
        let tag = if matches!(form, Form::Delete(_)) {
            "span"
        } else {
            "p"
        };
        let note = dom::element(tag, "cq-status cq-loading-form", reader.t.loading_form);
        dom::set_attr(&note, "role", "status");
        dom::append(&host, &note);
        note
    });
    let (kind, options) = (form.kind(), form.options());
    spawn_local(async move {
        let module = writer(&reader).await;
        if let Some(note) = &waiting {
            dom::remove(note);
        }
        let Some(module) = module else {
            if let Some(note) = find(&reader.section, const_concat!(".", class::NEEDS_SCRIPT)) {
                dom::set_hidden(&note, false);
            }
            return;
        };
        let Ok(open) = Reflect::get(&module, &"open".into()).and_then(|f| f.dyn_into::<Function>())
        else {
            return;
        };
        let context = Handover {
            api_base: reader.page.api_base.as_str(),
            page_url: &reader.page.page_url,
            page_title: &reader.page.title,
            state: &reader.state,
        };
        let args = Array::of5(
            &JsValue::from_str(kind),
            &host,
            &JsValue::from_str(&context.to_json()),
            &reader.strings,
            &JsValue::from_str(&options),
        );
        if let Err(e) = open.apply(&JsValue::NULL, &args) {
            web_sys::console::error_2(&"colloquy: the writing half failed:".into(), &e);
        }
    });
}
