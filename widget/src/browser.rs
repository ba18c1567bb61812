//! Small wrappers over browser APIs the views and the state share: timers, the clock, the
//! page's `#comment-…` fragment, and the owner key passed in the URL once.

use colloquy_core::CommentId;
use leptos::prelude::on_cleanup;

/// Milliseconds since the epoch. Integers throughout: a float formatted or parsed
/// anywhere in the widget would pull Rust's float printing (kilobytes) into the wasm.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Resolve after `ms` milliseconds (at once for `ms <= 0`).
pub async fn sleep_ms(ms: i64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                ms.clamp(0, i64::from(i32::MAX)) as i32,
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// `#comment-123` → 123.
pub fn permalink_target() -> Option<CommentId> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix("#comment-")?.parse().ok()
}

/// Call `reveal` whenever the page's fragment becomes a permalink (a link inside the page,
/// or the back button). The listener goes when the widget does.
pub fn on_permalink(reveal: impl Fn(CommentId) + 'static) {
    let handle = leptos::prelude::window_event_listener(leptos::ev::hashchange, move |_| {
        if let Some(id) = permalink_target() {
            reveal(id);
        }
    });
    on_cleanup(move || handle.remove());
}

/// The site owner opens any page once with `#colloquy-owner=<OWNER_KEY>`: the key is kept
/// on that device (never in the page URL afterwards) and marks their comments as the author's.
pub fn adopt_owner_key(api_base: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let Ok(hash) = location.hash() else {
        return;
    };
    if let Some(key) = hash
        .strip_prefix("#colloquy-owner=")
        .filter(|k| !k.is_empty())
    {
        crate::storage::save_owner_key(api_base, key);
        let clean = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
        }
    }
}
