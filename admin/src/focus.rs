//! Where the keyboard goes after an action: the element is often drawn only on the next
//! frame (a list reloaded, a form that replaced a button), so the focus waits for it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Focus the first element matching `css` once the next frame is drawn.
pub fn when_drawn(css: impl Into<String>) {
    let css = css.into();
    request_animation_frame(move || {
        if let Some(el) = document()
            .query_selector(&css)
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}
