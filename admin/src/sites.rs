//! The operator's Sites section (a session opened with `OWNER_KEY` only): the
//! deployment's sites, a new one, a new console key for a site's owner (shown once), and
//! opening another site's console.

use colloquy_core::wire::console::SessionInfo;
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::sites::{NewSite, SiteEntry, SiteKey, SiteList, SiteRef};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::context::Ctx;

#[component]
pub fn Sites() -> impl IntoView {
    let ctx = Ctx::get();
    let sites = RwSignal::new(None::<Vec<SiteEntry>>);
    // The list again; then the focus to `focus` (a new site's "New key").
    let reload = move |focus: Option<String>| {
        spawn_local(async move {
            match api::get::<SiteList>(AdminOp::Sites, "").await {
                Ok(list) => {
                    sites.set(Some(list.sites));
                    if let Some(css) = focus {
                        crate::focus::when_drawn(&css);
                    }
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    reload(None);
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let origins = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    // A new key is shown once, beside its site, until another action.
    let new_key = RwSignal::new(None::<SiteKey>);
    let id_input = NodeRef::<leptos::html::Input>::new();
    let name_input = NodeRef::<leptos::html::Input>::new();
    let origins_input = NodeRef::<leptos::html::Textarea>::new();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let new = NewSite {
            id: id.get_untracked(),
            name: name.get_untracked(),
            origins: origins
                .get_untracked()
                .split([',', '\n', ' '])
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        spawn_local(async move {
            match api::post::<_, SiteEntry>(AdminOp::CreateSite, &new).await {
                Ok(made) => {
                    ctx.done(format!(
                        "Created the site {}. Give its owner a console key with “New key”.",
                        made.id
                    ));
                    id.set(String::new());
                    name.set(String::new());
                    origins.set(String::new());
                    // The next step is the new site's key.
                    reload(Some(format!("#site-key-{}", made.id)));
                }
                Err(e) => {
                    // The focus goes to the field the problem is about.
                    let message = e.to_string();
                    ctx.fail(e);
                    let focused = if message.contains("origin") {
                        origins_input.get_untracked().map(|el| el.focus())
                    } else if message.contains("name") {
                        name_input.get_untracked().map(|el| el.focus())
                    } else {
                        id_input.get_untracked().map(|el| el.focus())
                    };
                    let _ = focused;
                }
            }
            busy.set(false);
        });
    };
    let key_for = move |site: String| {
        spawn_local(async move {
            match api::post::<_, SiteKey>(AdminOp::SiteKey, &SiteRef { site }).await {
                Ok(key) => {
                    ctx.done(format!(
                        "A new console key for {}: shown below once. Keys given before no longer work.",
                        key.site
                    ));
                    // The list is not drawn again (that would take the key and the focus
                    // away): only this site's row learns it has a key now.
                    sites.update(|list| {
                        if let Some(s) = list
                            .as_mut()
                            .and_then(|l| l.iter_mut().find(|s| s.id == key.site))
                        {
                            s.has_key = true;
                        }
                    });
                    new_key.set(Some(key));
                    crate::focus::when_drawn("#new-site-key");
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    let open = move |site: String| {
        spawn_local(async move {
            match api::post::<_, SessionInfo>(AdminOp::SwitchSite, &SiteRef { site }).await {
                Ok(info) => {
                    let said = format!("Opened the site {}.", info.site);
                    ctx.session.set(Some(info));
                    // Every section reloads for the site now open; the queue first. The
                    // change of section clears the status line, so it is said after.
                    ctx.comments_changed();
                    let _ = window().location().set_hash("pending");
                    set_timeout(
                        move || ctx.done(said),
                        std::time::Duration::from_millis(100),
                    );
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    let console_url = move |site: &str| {
        let origin = window().location().origin().unwrap_or_default();
        format!("{origin}/admin/?site={site}")
    };
    view! {
        <form class="site-new" on:submit=create aria-labelledby="site-new-heading">
            <h3 id="site-new-heading">"Add a site"</h3>
            <label for="site-id">"Id"</label>
            <input id="site-id" required node_ref=id_input bind:value=id
                pattern="[a-z0-9][a-z0-9\\-]{0,39}" autocomplete="off"
                aria-describedby="site-id-hint"/>
            <p class="hint" id="site-id-hint">
                "Lowercase letters, digits and -; its pages use data-colloquy-site=\"id\"."
            </p>
            <label for="site-name">"Name"</label>
            <input id="site-name" required bind:value=name maxlength="100" node_ref=name_input/>
            <label for="site-origins">"Origins"</label>
            <textarea id="site-origins" required bind:value=origins rows="2" node_ref=origins_input
                aria-describedby="site-origins-hint"></textarea>
            <p class="hint" id="site-origins-hint">
                "Where its pages are served from, one per line: https://blog.example.org"
            </p>
            <button type="submit" class="primary" disabled=move || busy.get()>"Add the site"</button>
        </form>
        {move || match sites.get() {
            None => view! { <p>"Loading…"</p> }.into_any(),
            Some(list) => view! {
                <table class="sites stack">
                    <thead>
                        <tr><th>"Site"</th><th>"Origins"</th><th>"Database"</th><th>"Owner's key"</th><th><span class="sr-only">"Actions"</span></th></tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|s| {
                            let for_key = s.id.clone();
                            let for_open = s.id.clone();
                            let shown = s.id.clone();
                            let key_id = format!("site-key-{}", s.id);
                            let open_label = format!("Open {}", s.name);
                            let key_label = format!("New console key for {}", s.name);
                            let url = console_url(&s.id);
                            view! {
                                <tr>
                                    <td>
                                        <strong>{s.name.clone()}</strong> " " <small>{s.id.clone()}</small>
                                        {s.main.then(|| view! { " " <small>"(this deployment's own)"</small> })}
                                    </td>
                                    <td data-label="Origins">{s.origins.join(", ")}</td>
                                    <td data-label="Database">
                                        {s.shard.clone()}
                                        {s.moving_to.clone().map(|to| {
                                            let note = if to == s.shard {
                                                "(just moved here: writes wait a minute more)".to_owned()
                                            } else {
                                                format!("(moving to {to}: writes wait)")
                                            };
                                            view! { " " <small>{note}</small> }
                                        })}
                                    </td>
                                    <td data-label="Owner's key">{if s.has_key { "given" } else { "none (only yours opens it)" }}</td>
                                    <td class="actions">
                                        <button type="button" aria-label=open_label
                                            on:click=move |_| open(for_open.clone())>
                                            "Open"
                                        </button>
                                        " "
                                        <button type="button" id=key_id aria-label=key_label
                                            on:click=move |_| key_for(for_key.clone())>
                                            "New key"
                                        </button>
                                        {move || new_key.get().filter(|k| k.site == shown).map(|k| view! {
                                            <p class="site-key">
                                                <label for="new-site-key">"Console key for " {k.site.clone()}</label>
                                                <input id="new-site-key" readonly value=k.key.clone()
                                                    on:focus=|ev| {
                                                        use wasm_bindgen::JsCast;
                                                        if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                                            el.select();
                                                        }
                                                    }/>
                                                <span class="hint">"Its owner logs in at " <code>{url.clone()}</code></span>
                                            </p>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
    }
}
