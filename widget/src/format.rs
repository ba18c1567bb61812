//! Dates for the reader's language, through the browser's own `Intl` (no date library in
//! the wasm): relative text ("3 days ago") with the absolute date for hover.

use wasm_bindgen::JsValue;

/// The unit and signed amount to say "`value` `unit` ago" for a difference in seconds
/// (negative = past), choosing the largest unit that keeps the number meaningful.
pub fn relative_unit(diff_secs: f64) -> (f64, &'static str) {
    let abs = diff_secs.abs();
    let (div, unit) = match abs {
        a if a < 45.0 => (1.0, "second"),
        a if a < 45.0 * 60.0 => (60.0, "minute"),
        a if a < 22.0 * 3600.0 => (3600.0, "hour"),
        a if a < 26.0 * 86400.0 => (86400.0, "day"),
        a if a < 320.0 * 86400.0 => (30.0 * 86400.0, "month"),
        _ => (365.0 * 86400.0, "year"),
    };
    let value = (diff_secs / div).round();
    // "0 seconds ago" reads badly; Intl's numeric:"auto" turns 0 into "now".
    (if unit == "second" { 0.0 } else { value }, unit)
}

fn parse(rfc3339: &str) -> Option<js_sys::Date> {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    (!date.get_time().is_nan()).then_some(date)
}

/// e.g. "3 days ago" / "vor 3 Tagen" / "pred 3 dnevi".
pub fn relative(rfc3339: &str, lang: &str) -> String {
    let Some(date) = parse(rfc3339) else {
        return rfc3339.to_owned();
    };
    let (value, unit) = relative_unit((date.get_time() - js_sys::Date::now()) / 1000.0);
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"numeric".into(), &"auto".into());
    let locales = js_sys::Array::of1(&JsValue::from_str(lang));
    js_sys::Intl::RelativeTimeFormat::new(&locales, &options)
        .format(value, unit)
        .into()
}

/// e.g. "November 20, 2026 at 10:04 AM" in the reader's language, for the hover title.
pub fn absolute(rfc3339: &str, lang: &str) -> String {
    let Some(date) = parse(rfc3339) else {
        return rfc3339.to_owned();
    };
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(lang, &options).into()
}

#[cfg(test)]
mod tests {
    use super::relative_unit;

    #[test]
    fn units_grow_with_the_distance() {
        assert_eq!(relative_unit(-10.0), (0.0, "second"));
        assert_eq!(relative_unit(-90.0), (-2.0, "minute"));
        assert_eq!(relative_unit(-3.0 * 3600.0), (-3.0, "hour"));
        assert_eq!(relative_unit(-3.0 * 86400.0), (-3.0, "day"));
        assert_eq!(relative_unit(-60.0 * 86400.0), (-2.0, "month"));
        assert_eq!(relative_unit(-800.0 * 86400.0), (-2.0, "year"));
    }
}
