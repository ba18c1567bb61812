//! What the widget's reading half (`reader/`) and writing half (`widget/`) share in the
//! browser: what they say to each other ([`bridge`]), everything kept in `localStorage`,
//! the clock, and timers. No UI here.

pub mod bridge;
pub mod json;
pub mod storage;
pub mod turnstile;

use colloquy_core::wire::dom::COMMENT_ANCHOR;
use colloquy_core::CommentId;

/// Milliseconds since the epoch. Integers throughout: a float formatted or parsed
/// anywhere in the wasm would pull Rust's float printing (kilobytes) into it.
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
    hash.strip_prefix('#')?
        .strip_prefix(COMMENT_ANCHOR)?
        .parse()
        .ok()
}
