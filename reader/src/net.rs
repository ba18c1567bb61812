//! Fetch, as little of it as the reading half needs: HTML fragments in, small JSON
//! answers read with the browser's own parser (no JSON library in this wasm).

use colloquy_browser::json;
use js_sys::JSON;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// A request that failed: offline (0), or the server said no (its status, and the error
/// code of its `{"error": {"code"}}` answer, empty when there is none).
#[derive(Debug, Clone)]
pub struct Failed(pub u16, pub String);

fn offline<T>(_: T) -> Failed {
    Failed(0, String::new())
}

async fn send(request: Request) -> Result<String, Failed> {
    let window = web_sys::window().ok_or(Failed(0, String::new()))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(offline)?
        .dyn_into()
        .map_err(offline)?;
    let status = response.status();
    let text = match response.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
        Err(_) => None,
    }
    .unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        let code = JSON::parse(&text)
            .ok()
            .and_then(|v| json::text(&json::field(&v, "error"), "code"))
            .unwrap_or_default();
        Err(Failed(status, code))
    }
}

/// `GET` a URL's text.
pub async fn get(url: &str) -> Result<String, Failed> {
    send(Request::new_with_str(url).map_err(offline)?).await
}

/// A JSON write (the server's CSRF guard wants `application/json`).
pub async fn write(method: &str, url: &str, body: &str) -> Result<JsValue, Failed> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_body(&JsValue::from_str(body));
    let request = Request::new_with_str_and_init(url, &init).map_err(offline)?;
    let _ = request.headers().set("Content-Type", "application/json");
    JSON::parse(&send(request).await?).map_err(offline)
}

/// `GET` a small JSON answer.
pub async fn get_json(url: &str) -> Result<JsValue, Failed> {
    let text = get(url).await?;
    JSON::parse(&text).map_err(offline)
}
