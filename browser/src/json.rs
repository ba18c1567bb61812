//! JSON without a JSON library (the reading half carries none): objects written field by
//! field with serde_json's escapes, byte for byte, and answers read with the browser's own
//! parser.

use std::fmt::Write;

use js_sys::{Reflect, JSON};
use wasm_bindgen::JsValue;

/// A text as a JSON string literal, quotes included, escaped exactly as serde_json escapes
/// it (`"`, `\`, and control characters; nothing else).
pub fn quote(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        let short = match c {
            '"' => '"',
            '\\' => '\\',
            '\n' => 'n',
            '\r' => 'r',
            '\t' => 't',
            '\u{8}' => 'b',
            '\u{c}' => 'f',
            '\0'..='\u{1f}' => 'u',
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push('\\');
        out.push(short);
        if short == 'u' {
            out.push_str("00");
            out.push(char::from(HEX[c as usize >> 4]));
            out.push(char::from(HEX[c as usize & 0xf]));
        }
    }
    out.push('"');
    out
}

/// A JSON object written field by field, in the order the fields are given.
#[derive(Default)]
pub struct Object(String);

impl Object {
    pub fn new() -> Object {
        Object(String::new())
    }

    fn key(mut self, name: &str) -> Object {
        self.0.push(if self.0.is_empty() { '{' } else { ',' });
        self.0.push('"');
        self.0.push_str(name);
        self.0.push_str("\":");
        self
    }

    /// `json` as it is: already JSON.
    pub fn raw(self, name: &str, json: &str) -> Object {
        let mut o = self.key(name);
        o.0.push_str(json);
        o
    }

    pub fn text(self, name: &str, value: &str) -> Object {
        self.raw(name, &quote(value))
    }

    pub fn number(self, name: &str, value: i64) -> Object {
        let mut o = self.key(name);
        let _ = write!(o.0, "{value}");
        o
    }

    pub fn flag(self, name: &str, value: bool) -> Object {
        self.raw(name, if value { "true" } else { "false" })
    }

    /// A text, or `null`.
    pub fn text_or_null(self, name: &str, value: Option<&str>) -> Object {
        match value {
            Some(v) => self.text(name, v),
            None => self.raw(name, "null"),
        }
    }

    /// A number, or `null`.
    pub fn number_or_null(self, name: &str, value: Option<i64>) -> Object {
        match value {
            Some(v) => self.number(name, v),
            None => self.raw(name, "null"),
        }
    }

    pub fn end(mut self) -> String {
        if self.0.is_empty() {
            self.0.push('{');
        }
        self.0.push('}');
        self.0
    }
}

/// Parse JSON with the browser's parser (`undefined` when it is not JSON).
pub fn parse(json: &str) -> JsValue {
    JSON::parse(json).unwrap_or(JsValue::UNDEFINED)
}

/// A field of a parsed JSON object.
pub fn field(v: &JsValue, name: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A whole number field (ids, counts) of a parsed JSON object.
pub fn number(v: &JsValue, name: &str) -> Option<i64> {
    field(v, name).as_f64().map(|n| n as i64)
}

/// A text field of a parsed JSON object.
pub fn text(v: &JsValue, name: &str) -> Option<String> {
    field(v, name).as_string()
}

/// A field that is `true` (absent, or anything else, is `false`).
pub fn is_true(v: &JsValue, name: &str) -> bool {
    field(v, name).as_bool() == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_as_serde_json_escapes_it() {
        let all_controls: String = (0u8..0x20).map(char::from).collect();
        for text in [
            "",
            "plain",
            "\"quoted\" and \\ back",
            "line\nbreak\r\ttab\u{8}\u{c}",
            &all_controls,
            "<p>čšž — 日本語 😀 \u{7f} \u{2028} / </script></p>",
        ] {
            assert_eq!(
                quote(text),
                serde_json::to_string(text).unwrap(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn objects_keep_their_field_order() {
        let json = Object::new()
            .text("b", "x")
            .number("a", -3)
            .flag("c", true)
            .text_or_null("d", None)
            .number_or_null("e", Some(7))
            .raw("f", "{\"g\":1}")
            .end();
        assert_eq!(
            json,
            r#"{"b":"x","a":-3,"c":true,"d":null,"e":7,"f":{"g":1}}"#
        );
        assert_eq!(Object::new().end(), "{}");
    }
}
