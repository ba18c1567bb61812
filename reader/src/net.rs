//! Fetch, as little of it as the reading half needs: HTML fragments in, small JSON
//! answers read with the browser's own parser (no JSON library in this wasm).

use js_sys::{Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// A request that failed: offline (0), or the server said no (its status).
#[derive(Debug, Clone, Copy)]
pub struct Failed(#[allow(dead_code)] pub u16);

async fn send(request: Request) -> Result<(u16, String), Failed> {
    let window = web_sys::window().ok_or(Failed(0))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| Failed(0))?
        .dyn_into()
        .map_err(|_| Failed(0))?;
    let status = response.status();
    let text = JsFuture::from(response.text().map_err(|_| Failed(status))?)
        .await
        .map_err(|_| Failed(status))?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        Ok((status, text))
    } else {
        Err(Failed(status))
    }
}

/// `GET` a URL's text.
pub async fn get(url: &str) -> Result<String, Failed> {
    let request = Request::new_with_str(url).map_err(|_| Failed(0))?;
    send(request).await.map(|(_, text)| text)
}

/// A JSON write (the server's CSRF guard wants `application/json`).
pub async fn write(method: &str, url: &str, body: &str) -> Result<JsValue, Failed> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_body(&JsValue::from_str(body));
    let request = Request::new_with_str_and_init(url, &init).map_err(|_| Failed(0))?;
    let _ = request.headers().set("Content-Type", "application/json");
    let (_, text) = send(request).await?;
    JSON::parse(&text).map_err(|_| Failed(0))
}

/// A JSON write whose refusal says why: the status and the error code of the answer's
/// `{"error": {"code"}}` (empty when offline or not JSON).
pub async fn write_coded(method: &str, url: &str, body: &str) -> Result<JsValue, (u16, String)> {
    let window = web_sys::window().ok_or((0, String::new()))?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_body(&JsValue::from_str(body));
    let request = Request::new_with_str_and_init(url, &init).map_err(|_| (0, String::new()))?;
    let _ = request.headers().set("Content-Type", "application/json");
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| (0, String::new()))?
        .dyn_into()
        .map_err(|_| (0, String::new()))?;
    let status = response.status();
    let text = match response.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
        Err(_) => None,
    }
    .unwrap_or_default();
    let parsed = JSON::parse(&text).unwrap_or(JsValue::NULL);
    if response.ok() {
        Ok(parsed)
    } else {
        let code = field(&field(&parsed, "error"), "code")
            .as_string()
            .unwrap_or_default();
        Err((status, code))
    }
}

/// `GET` a small JSON answer.
pub async fn get_json(url: &str) -> Result<JsValue, Failed> {
    let text = get(url).await?;
    JSON::parse(&text).map_err(|_| Failed(0))
}

/// A field of a parsed JSON object.
pub fn field(v: &JsValue, name: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A whole number field (ids, counts) of a parsed JSON object.
pub fn number(v: &JsValue, name: &str) -> Option<i64> {
    field(v, name).as_f64().map(|n| n as i64)
}

/// A text as a JSON string literal, quotes and escapes included.
pub fn json_string(s: &str) -> String {
    JSON::stringify(&JsValue::from_str(s))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "\"\"".into())
}
