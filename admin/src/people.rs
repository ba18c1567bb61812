//! People: the block list, and a commenter's data rights (export as JSON, erase).

use colloquy_core::wire::console::query::{PersonQuery, SiteExportQuery};
use colloquy_core::wire::console::{
    BlockChange, BlockEntry, BlockList, ByEmail, Done, Export, ExportFile, SiteExportPage,
};
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::moderation::BlockKind;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{self};
use crate::context::Ctx;

#[component]
pub fn People() -> impl IntoView {
    let ctx = Ctx::get();
    let blocks = RwSignal::new(None::<Vec<BlockEntry>>);
    let load = move || {
        spawn_local(async move {
            match api::get::<BlockList>(AdminOp::Blocks, "").await {
                Ok(list) => blocks.set(Some(list.blocks)),
                Err(e) => ctx.fail(e),
            }
        });
    };
    load();
    let unblock = move |entry: BlockEntry| {
        spawn_local(async move {
            let label = entry.label.clone();
            let change = BlockChange {
                unblock: Some(entry),
                ..BlockChange::default()
            };
            match api::post::<_, Done>(AdminOp::ChangeBlock, &change).await {
                Ok(_) => {
                    ctx.done(format!("Unblocked {label}."));
                    load();
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    view! {
        <section aria-labelledby="blocked-heading">
            <h3 id="blocked-heading">"Blocked commenters"</h3>
            {move || match blocks.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <p>"Nobody is blocked. Block an author from their comment (“Block author…”)."</p>
                }.into_any(),
                Some(list) => view! {
                    <ul class="blocks">
                        {list.into_iter().map(|entry| {
                            let kind = match entry.kind {
                                BlockKind::Email => "by email",
                                BlockKind::Client => "by network address",
                            };
                            let label = entry.label.clone();
                            let since = crate::api::local_time(&entry.created_at);
                            view! {
                                <li>
                                    <span>{label.clone()} " (" {kind} ", since " {since} ")"</span>
                                    " "
                                    <button type="button" aria-label=format!("Unblock {label} {kind}")
                                        on:click=move |_| unblock(entry.clone())>"Unblock"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
        <DataRights/>
        <SiteExport/>
        <crate::import::ImportForm/>
    }
}

/// The whole site as `colloquy export` writes it (and `colloquy import colloquy` reads).
#[component]
fn SiteExport() -> impl IntoView {
    let ctx = Ctx::get();
    let busy = RwSignal::new(false);
    let export = move |_| {
        busy.set(true);
        spawn_local(async move {
            let mut file = ExportFile::new();
            let mut next = Some(SiteExportQuery::default());
            while let Some(query) = next {
                match api::get::<SiteExportPage>(AdminOp::SiteExport, &query.to_query()).await {
                    Ok(page) => next = file.add_page(page),
                    Err(e) => {
                        ctx.fail(e);
                        busy.set(false);
                        return;
                    }
                }
            }
            file.exported_at = String::from(js_sys::Date::new_0().to_iso_string());
            let comments = file.comments();
            match serde_json::to_string_pretty(&file) {
                Ok(json) => {
                    download("colloquy-export.json", &json);
                    ctx.done(format!(
                        "Exported {} and {} as colloquy-export.json.",
                        plural(file.threads.len(), "thread"),
                        plural(comments, "comment")
                    ));
                }
                Err(_) => ctx.error.set("The export could not be written.".into()),
            }
            busy.set(false);
        });
    };
    view! {
        <section aria-labelledby="site-export-heading">
            <h3 id="site-export-heading">"Everything on this site"</h3>
            <p>"Every thread and comment with its state, as JSON: what the command " <code>"colloquy export"</code> " writes and " <code>"colloquy import colloquy"</code> " reads."</p>
            <button type="button" on:click=export disabled=move || busy.get()>"Download everything (JSON)"</button>
        </section>
    }
}

/// A person's export, named apart from the whole site's.
const PERSON_FILE: &str = "colloquy-person-export.json";

use colloquy_core::domain::words::count_s as plural;

/// Export or erase everything stored under one email address.
#[component]
fn DataRights() -> impl IntoView {
    let ctx = Ctx::get();
    let email = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let export = move |_| {
        let address = email.get_untracked().trim().to_owned();
        spawn_local(async move {
            let query = PersonQuery {
                email: address.clone(),
            }
            .to_query();
            match api::get::<Export>(AdminOp::Export, &query).await {
                Ok(data) if data.comments.is_empty() && data.subscriptions.is_empty() => {
                    // An address typed wrong is not answered with an empty file.
                    ctx.done(format!(
                        "Nothing is stored under {address}: no file was made."
                    ));
                }
                Ok(data) => {
                    let n = data.comments.len();
                    match serde_json::to_string_pretty(&data) {
                        Ok(json) => {
                            download(PERSON_FILE, &json);
                            ctx.done(format!(
                                "Exported {} and {} as {PERSON_FILE}.",
                                plural(n, "comment"),
                                plural(data.subscriptions.len(), "subscription")
                            ));
                        }
                        Err(_) => ctx.error.set("The export could not be written.".into()),
                    }
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    let erase = move |_| {
        let address = email.get_untracked().trim().to_owned();
        spawn_local(async move {
            match api::post::<_, Done>(AdminOp::Erase, &ByEmail { email: address }).await {
                Ok(_) => {
                    confirming.set(false);
                    email.set(String::new());
                    ctx.done("Erased: their comments are “[deleted]”, their email, hashes and subscriptions are gone.");
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    view! {
        <section aria-labelledby="rights-heading">
            <h3 id="rights-heading">"A commenter's data"</h3>
            <form class="rights" on:submit=|ev| ev.prevent_default()>
                <label for="rights-email">"Their email address"</label>
                <input id="rights-email" type="email" bind:value=email
                    on:input=move |_| confirming.set(false)/>
                <button type="button" on:click=export disabled=move || email.with(|e| e.trim().is_empty())>
                    "Export as JSON"
                </button>
                <button type="button" class="danger" disabled=move || email.with(|e| e.trim().is_empty())
                    on:click=move |_| confirming.set(true)>"Erase…"</button>
            </form>
            {move || confirming.get().then(|| view! {
                <div class="panel" role="group" aria-label="Confirm erasing">
                    <p>"Their comments become “[deleted]” (replies stay); their email, hashes and reply subscriptions are removed. This cannot be undone."</p>
                    <button type="button" class="danger" on:click=erase>"Erase everything from this commenter"</button>
                    <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </div>
            })}
        </section>
    }
}

/// Offer `text` as a file download.
fn download(name: &str, text: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = window()
        .document()
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    // The download starts after this task; free the blob a while later.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
}
