//! Cloudflare Turnstile, only when the site owner turned it on: then (and only then) a
//! half of the widget loads Turnstile's script, the one third-party request a site can
//! opt into. Shared by the writer (comments) and the reader (reports).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// Load the script once per page, then render a challenge into `el`; each solved
/// challenge's token goes to `on_token`. Returns the Turnstile widget id (for `reset`).
pub async fn render(
    el: &web_sys::Element,
    site_key: &str,
    script_url: &str,
    on_token: impl Fn(String) + 'static,
) -> Option<JsValue> {
    let window = web_sys::window()?;
    let api = match loaded(&window) {
        Some(api) => api,
        None => {
            inject_script(&window, script_url)?;
            // Poll rather than hook onload: another embed on the page may be loading it too.
            let mut api = None;
            for _ in 0..100 {
                crate::sleep_ms(100).await;
                api = loaded(&window);
                if api.is_some() {
                    break;
                }
            }
            api?
        }
    };
    let options = js_sys::Object::new();
    let callback = Closure::<dyn Fn(String)>::new(on_token);
    js_sys::Reflect::set(&options, &"sitekey".into(), &site_key.into()).ok()?;
    js_sys::Reflect::set(&options, &"callback".into(), callback.as_ref()).ok()?;
    // Turnstile keeps calling back for as long as the page lives.
    callback.forget();
    let render: js_sys::Function = js_sys::Reflect::get(&api, &"render".into())
        .ok()?
        .dyn_into()
        .ok()?;
    render.call2(&api, el, &options).ok()
}

/// Ask for a new challenge: a token is good for one submission only.
pub fn reset(widget_id: &JsValue) {
    let Some(api) = web_sys::window().as_ref().and_then(loaded) else {
        return;
    };
    if let Some(reset) = js_sys::Reflect::get(&api, &"reset".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        let _ = reset.call1(&api, widget_id);
    }
}

fn loaded(window: &web_sys::Window) -> Option<JsValue> {
    js_sys::Reflect::get(window, &"turnstile".into())
        .ok()
        .filter(|v| v.is_object())
}

fn inject_script(window: &web_sys::Window, url: &str) -> Option<()> {
    let document = window.document()?;
    let id = "colloquy-turnstile-script";
    if document.get_element_by_id(id).is_some() {
        return Some(());
    }
    let script: web_sys::HtmlScriptElement =
        document.create_element("script").ok()?.dyn_into().ok()?;
    script.set_id(id);
    script.set_src(url);
    script.set_async(true);
    document.head()?.append_child(&script).ok()?;
    Some(())
}
