//! Dates for the reader's locale, through the browser's own `Intl` (no date library in
//! the wasm).

use wasm_bindgen::JsValue;

/// `2026-11-20T10:04:00Z` → e.g. "November 20, 2026 at 10:04 AM" in the reader's locale.
pub fn date_time(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    let locale = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".to_owned());
    date.to_locale_string(&locale, &options).into()
}
