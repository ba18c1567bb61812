//! Import from the console: the owner picks an export file; it is read and prepared here
//! in the browser (core's importers, the same as the `colloquy` command) and sent in
//! request-sized batches, which the Worker cleans again and stores — nothing twice.

use colloquy_core::import::{self, Options};
use colloquy_core::wire::console::Done;
use colloquy_core::wire::endpoint::AdminOp;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api;
use crate::context::Ctx;

/// The chosen file's text. A gzipped file (Disqus sends `.xml.gz`) is unpacked by the
/// browser's own `DecompressionStream`, as it is read: no inflater in this bundle.
async fn file_text(input: &web_sys::HtmlInputElement) -> Option<Result<String, String>> {
    use wasm_bindgen_futures::JsFuture;
    let file = input.files()?.get(0)?;
    let head = JsFuture::from(file.slice_with_i32_and_i32(0, 2).ok()?.array_buffer())
        .await
        .ok()?;
    let head = js_sys::Uint8Array::new(&head).to_vec();
    if head != [0x1f, 0x8b] {
        return Some(
            JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|t| t.as_string())
                .ok_or_else(|| "the file could not be read".to_owned()),
        );
    }
    Some(
        gunzip(&file).await.map_err(|_| {
            "the file looks gzipped but could not be unpacked (is it whole?)".to_owned()
        }),
    )
}

/// `new Response(file.stream().pipeThrough(new DecompressionStream("gzip"))).text()`,
/// through `Reflect` so the console needs no more web-sys bindings for it.
async fn gunzip(file: &web_sys::File) -> Result<String, wasm_bindgen::JsValue> {
    use js_sys::{Array, Function, Reflect};
    let global = js_sys::global();
    let call = |target: &wasm_bindgen::JsValue, method: &str, args: &Array| {
        let f: Function = Reflect::get(target, &method.into())?.dyn_into()?;
        Reflect::apply(&f, target, args)
    };
    let ctor = |name: &str, arg: &wasm_bindgen::JsValue| {
        let f: Function = Reflect::get(&global, &name.into())?.dyn_into()?;
        Reflect::construct(&f, &Array::of1(arg))
    };
    let stream = call(file, "stream", &Array::new())?;
    let inflate = ctor("DecompressionStream", &"gzip".into())?;
    let plain = call(&stream, "pipeThrough", &Array::of1(&inflate))?;
    let response = ctor("Response", &plain)?;
    let text = call(&response, "text", &Array::new())?;
    let text = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(text)).await?;
    text.as_string().ok_or_else(|| "not text".into())
}

#[component]
pub fn ImportForm() -> impl IntoView {
    let ctx = Ctx::get();
    let format = RwSignal::new("wordpress".to_owned());
    let keep_going = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let file = NodeRef::<leptos::html::Input>::new();
    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(input) = file.get_untracked() else {
            return;
        };
        let input: web_sys::HtmlInputElement = input.unchecked_into();
        busy.set(true);
        spawn_local(async move {
            let text = match file_text(&input).await {
                Some(Ok(text)) => text,
                Some(Err(why)) => {
                    ctx.status.set(String::new());
                    ctx.error.set(format!("Nothing was imported: {why}."));
                    busy.set(false);
                    return;
                }
                None => {
                    ctx.error.set("Choose an export file first.".into());
                    busy.set(false);
                    return;
                }
            };
            let options = Options {
                keep_going: keep_going.get_untracked(),
            };
            let read = match format.get_untracked().as_str() {
                "disqus" => import::disqus::read(&text, options),
                "remark42" => import::remark42::read(&text, options),
                "colloquy" => import::colloquy::read(&text, options),
                _ => import::wordpress::read(&text, options),
            };
            let plan = match read {
                Ok(read) => import::plan::prepare(read),
                Err(e) => {
                    ctx.status.set(String::new());
                    ctx.error.set(format!("Nothing was imported: {e}."));
                    busy.set(false);
                    return;
                }
            };
            let batches = plan.batches();
            let total = plan.comments.len();
            let mut sent = 0;
            let mut added = 0;
            for batch in &batches {
                ctx.done(format!("Importing: {sent} of {total} comments sent…"));
                match api::post::<_, Done>(AdminOp::Import, batch).await {
                    Ok(done) => added += done.changed as usize,
                    Err(e) => {
                        ctx.fail(e);
                        ctx.error.update(|m| {
                        m.push_str(&format!(
                            " {sent} of {total} comments were sent; importing the file again is safe."
                        ))
                    });
                        busy.set(false);
                        return;
                    }
                }
                sent += batch.comments.len();
            }
            // What changed on the site first; what the file held after.
            let new = match added {
                0 => "nothing new (every comment was already here)".to_owned(),
                n if n == total => colloquy_core::domain::words::count_s(n, "new comment"),
                n => format!(
                    "{} ({} already here)",
                    colloquy_core::domain::words::count_s(n, "new comment"),
                    total - n
                ),
            };
            ctx.done(format!(
                "Imported: {new}. In the file: {}",
                plan.summary.to_string().trim_end().replace('\n', "; ")
            ));
            busy.set(false);
        });
    };
    view! {
        <section aria-labelledby="import-heading">
            <h3 id="import-heading">"Import comments"</h3>
            <p>"From a WordPress, Disqus or Remark42 export (gzipped too, as Disqus sends it), or another Colloquy's export. Importing the same file again adds nothing. (Isso keeps its comments in a database file: use the colloquy command.)"</p>
            <form class="rights" on:submit=run>
                <label for="import-format">"Exported from"</label>
                <select id="import-format" bind:value=format>
                    <option value="wordpress">"WordPress (Tools → Export)"</option>
                    <option value="disqus">"Disqus (XML export)"</option>
                    <option value="remark42">"Remark42 (backup)"</option>
                    <option value="colloquy">"Colloquy (JSON export)"</option>
                </select>
                <label for="import-file">"Export file"</label>
                <input id="import-file" type="file" node_ref=file/>
                <label><input type="checkbox" bind:checked=keep_going/> " Skip what cannot be read"</label>
                <button type="submit" disabled=move || busy.get()>"Import"</button>
            </form>
        </section>
    }
}
