//! Import from the console: the owner picks an export file; it is read and prepared here
//! in the browser (core's importers, the same as the `colloquy` command) and sent in
//! request-sized batches, which the Worker cleans again and stores — nothing twice.

use colloquy_core::console::Done;
use colloquy_core::endpoint::AdminOp;
use colloquy_core::import::{self, Options};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api;
use crate::app::Ctx;

async fn file_text(input: &web_sys::HtmlInputElement) -> Option<String> {
    let file = input.files()?.get(0)?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?;
    text.as_string()
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
            let Some(text) = file_text(&input).await else {
                ctx.error.set("Choose an export file first.".into());
                busy.set(false);
                return;
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
                Ok(read) => import::prepare(read),
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
            for batch in &batches {
                ctx.done(format!("Importing: {sent} of {total} comments sent…"));
                if let Err(e) = api::post::<_, Done>(AdminOp::Import, batch).await {
                    ctx.fail(e);
                    ctx.error.update(|m| {
                        m.push_str(&format!(
                            " {sent} of {total} comments were sent; importing the file again is safe."
                        ))
                    });
                    busy.set(false);
                    return;
                }
                sent += batch.comments.len();
            }
            ctx.done(format!(
                "Imported: {}",
                plan.summary.to_string().trim_end().replace('\n', "; ")
            ));
            busy.set(false);
        });
    };
    view! {
        <section aria-labelledby="import-heading">
            <h3 id="import-heading">"Import comments"</h3>
            <p>"From a WordPress, Disqus or Remark42 export, or another Colloquy's export. Importing the same file again adds nothing. (Isso keeps its comments in a database file: use the colloquy command.)"</p>
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
