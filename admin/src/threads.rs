//! Threads: lock and unlock, see what closed by age, unpin, and set a thread's title and
//! address (the owner's then stay: readers' pages no longer change them).

use colloquy_core::wire::console::{Done, OwnerThread, ThreadChange, ThreadList};
use colloquy_core::wire::endpoint::AdminOp;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ConsoleError};
use crate::context::Ctx;

#[component]
pub fn Threads() -> impl IntoView {
    let ctx = Ctx::get();
    let threads = RwSignal::new(None::<Vec<OwnerThread>>);
    // A search over titles and addresses, and how many rows are shown (50 more a click).
    let search = RwSignal::new(String::new());
    let shown = RwSignal::new(PAGE);
    // The thread whose title and address are being edited.
    let editing = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            match api::get::<ThreadList>(AdminOp::Threads, "").await {
                Ok(list) => threads.set(Some(list.threads)),
                Err(e) => ctx.fail(e),
            }
        });
    };
    load();
    let change = move |change: ThreadChange, said: String| {
        spawn_local(async move {
            match api::post::<_, Done>(AdminOp::ChangeThread, &change).await {
                Ok(_) => {
                    ctx.done(said);
                    editing.set(None);
                    load();
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    let matching = move || {
        let q = search.get().trim().to_lowercase();
        threads.get().map(|list| {
            list.into_iter()
                .filter(|t| {
                    q.is_empty()
                        || t.key.to_lowercase().contains(&q)
                        || t.title
                            .as_deref()
                            .is_some_and(|x| x.to_lowercase().contains(&q))
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <form class="search" role="search" on:submit=|ev: leptos::ev::SubmitEvent| ev.prevent_default()>
            <label for="threads-search">"Find a thread by title or address"</label>
            <input id="threads-search" type="search" bind:value=search
                on:input=move |_| shown.set(PAGE)/>
        </form>
        {move || match matching() {
            None => view! { <p>"Loading…"</p> }.into_any(),
            Some(list) if list.is_empty() => view! {
                <p>{if search.with(|s| s.trim().is_empty()) { "No threads yet." } else { "No thread matches." }}</p>
            }.into_any(),
            Some(list) => {
                let total = list.len();
                let list: Vec<OwnerThread> = list.into_iter().take(shown.get()).collect();
                view! {
                <p class="hint">{format!("{} of {}", list.len(), colloquy_core::domain::words::count_s(total, "thread"))}</p>
                <table class="threads stack">
                    <thead>
                        <tr>
                            <th scope="col">"Thread"</th>
                            <th scope="col">"Comments"</th>
                            <th scope="col">"Pending"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Pinned"</th>
                            <th scope="col">"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().enumerate().map(|(i, t)| {
                            let title = t.title.clone().unwrap_or_else(|| t.key.clone());
                            let state = if t.locked {
                                "Locked"
                            } else if t.auto_closed {
                                "Closed by age"
                            } else {
                                "Open"
                            };
                            let key = t.key.clone();
                            let lock_label = if t.locked { "Unlock" } else { "Lock" };
                            let locked = t.locked;
                            let said = format!(
                                "{} “{}”.",
                                if locked { "Unlocked" } else { "Locked" },
                                title
                            );
                            let lock = {
                                let key = key.clone();
                                move |_| change(
                                    ThreadChange { key: key.clone(), locked: Some(!locked), ..ThreadChange::default() },
                                    said.clone(),
                                )
                            };
                            let unpin = {
                                let key = key.clone();
                                // The Unpin button goes with the pin: the focus moves to the
                                // row's Edit button.
                                let opener = format!("thread-edit-{i}-open");
                                move |_| {
                                    change(
                                        ThreadChange { key: key.clone(), unpin: true, ..ThreadChange::default() },
                                        "Unpinned: the thread keeps its order.".into(),
                                    );
                                    focus_later(opener.clone());
                                }
                            };
                            let edit_key = key.clone();
                            let is_editing = {
                                let key = key.clone();
                                move || editing.get().as_deref() == Some(key.as_str())
                            };
                            let toggle_edit = {
                                let key = key.clone();
                                move |_| editing.update(|e| {
                                    *e = if e.as_deref() == Some(key.as_str()) { None } else { Some(key.clone()) };
                                })
                            };
                            let field_id = format!("thread-edit-{i}");
                            view! {
                                <tr>
                                    <th scope="row">
                                        {match t.url.clone() {
                                            Some(url) => view! { <a href=url target="_blank" rel="noopener">{title.clone()}</a> }.into_any(),
                                            None => view! { <span>{title.clone()}</span> }.into_any(),
                                        }}
                                        <br/><small>{t.key.clone()}</small>
                                    </th>
                                    <td data-label="Comments">{t.comments}</td>
                                    <td data-label="Pending">{t.pending}</td>
                                    <td data-label="State">{state}</td>
                                    <td data-label="Pinned">
                                        {t.pinned_id.map(|p| view! {
                                            {match t.url.clone() {
                                                Some(url) => view! {
                                                    <a href=format!("{}#comment-{}", url.split('#').next().unwrap_or(&url), p.0)
                                                        target="_blank" rel="noopener">"the pinned comment"</a>
                                                }.into_any(),
                                                None => view! { <span>"a comment"</span> }.into_any(),
                                            }}
                                            " "
                                            <button type="button" aria-label=format!("Unpin the pinned comment of “{title}”")
                                                on:click=unpin.clone()>"Unpin"</button>
                                        })}
                                    </td>
                                    <td data-label="Actions">
                                        <button type="button" aria-label=format!("{lock_label} “{title}”") on:click=lock>
                                            {lock_label}
                                        </button>
                                        " "
                                        <button type="button" id=format!("{field_id}-open")
                                            aria-label=format!("Edit the title and address of “{title}”")
                                            aria-expanded={let e = is_editing.clone(); move || e().to_string()} on:click=toggle_edit>
                                            "Edit"
                                        </button>
                                        <Show when=is_editing.clone()>
                                            <ThreadEdit
                                                key=edit_key.clone()
                                                title=t.title.clone().unwrap_or_default()
                                                url=t.url.clone().unwrap_or_default()
                                                field_id=field_id.clone()
                                                done={
                                                    let opener = format!("{field_id}-open");
                                                    Callback::new(move |saved: bool| {
                                                        editing.set(None);
                                                        if saved { load(); }
                                                        focus_later(opener.clone());
                                                    })
                                                }
                                            />
                                        </Show>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                {(total > list_len(shown.get_untracked(), total)).then(|| view! {
                    <button type="button" class="more" on:click=move |_| shown.update(|n| *n += PAGE)>
                        "More threads"
                    </button>
                })}
                }.into_any()
            }
        }}
        <p class="hint">"Pin a top-level comment from its Pin button in the comment lists. Closing threads by age is a setting."</p>
    }
}

/// Rows shown at first, and added by "More threads".
const PAGE: usize = colloquy_core::wire::limits::THREADS_PAGE;

fn list_len(shown: usize, total: usize) -> usize {
    shown.min(total)
}

/// Focus the element with `id` once the list has been drawn again — unless the owner has
/// put the focus somewhere meanwhile (an Edit pressed again at once keeps its title field).
fn focus_later(id: String) {
    spawn_local(async move {
        for _ in 0..20 {
            gloo_timers_sleep(50).await;
            let Some(document) = web_sys::window().and_then(|w| w.document()) else {
                return;
            };
            let lost = document
                .active_element()
                .is_none_or(|a| Some(a) == document.body().map(Into::into));
            if !lost {
                return;
            }
            let el = document
                .get_element_by_id(&id)
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
            if let Some(el) = el {
                let _ = el.focus();
                return;
            }
        }
    });
}

async fn gloo_timers_sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// What the owner sees when the server refuses a title or an address.
fn edit_error(e: &ConsoleError) -> String {
    use colloquy_core::{ErrorCode, Field};
    if let ConsoleError::Api(body) = e {
        for f in &body.error.fields {
            match (f.field, f.code) {
                (Field::ThreadUrl, _) => {
                    return "The page address must be a web address starting with https:// or http://.".into()
                }
                (Field::ThreadTitle, ErrorCode::TitleTooLong) => {
                    return format!("The title is too long (at most {} characters).", colloquy_core::wire::limits::THREAD_TITLE)
                }
                (Field::ThreadTitle, _) => return "The title must be one line of text.".into(),
                _ => {}
            }
        }
    }
    e.to_string()
}

/// A thread's title and page address, as the owner sets them: then readers' pages no
/// longer change them. Focus starts in the title; Escape or Cancel closes without saving.
#[component]
fn ThreadEdit(
    key: String,
    title: String,
    url: String,
    field_id: String,
    done: Callback<bool>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let title = RwSignal::new(title);
    let url = RwSignal::new(url);
    let error = RwSignal::new(None::<String>);
    let first = NodeRef::<leptos::html::Input>::new();
    let error_ref = NodeRef::<leptos::html::P>::new();
    Effect::new(move |_| {
        if let Some(input) = first.get() {
            let _ = input.focus();
        }
    });
    let show_error = move |message: String| {
        error.set(Some(message));
        spawn_local(async move {
            gloo_timers_sleep(0).await;
            if let Some(p) = error_ref.get_untracked() {
                let _ = p.focus();
            }
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (t, u) = (title.get_untracked(), url.get_untracked());
        if t.trim().is_empty() && u.trim().is_empty() {
            show_error("Write a title or a page address, or press Cancel.".into());
            return;
        }
        let lower = u.trim().to_ascii_lowercase();
        let web = lower.starts_with("https://") || lower.starts_with("http://");
        if !(u.trim().is_empty() || web) {
            show_error(
                "The page address must be a web address starting with https:// or http://.".into(),
            );
            return;
        }
        let change = ThreadChange {
            key: key.clone(),
            title: Some(t).filter(|t| !t.trim().is_empty()),
            url: Some(u).filter(|u| !u.trim().is_empty()),
            ..ThreadChange::default()
        };
        spawn_local(async move {
            match api::post::<_, Done>(AdminOp::ChangeThread, &change).await {
                Ok(_) => {
                    ctx.done("Saved the title and address.");
                    done.run(true);
                }
                Err(e) if e.is_unauthorized() => ctx.fail(e),
                Err(e) => show_error(edit_error(&e)),
            }
        });
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            done.run(false);
        }
    };
    view! {
        <form class="thread-edit" on:submit=save on:keydown=keydown>
            <div class="field">
                <label for=format!("{field_id}-title")>"Title"</label>
                <input id=format!("{field_id}-title") type="text" maxlength=colloquy_core::wire::limits::THREAD_TITLE.to_string() node_ref=first
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for=format!("{field_id}-url")>"Page address"</label>
                <input id=format!("{field_id}-url") type="url" placeholder="https://blog.example.org/post/"
                    aria-invalid=move || error.get().is_some().to_string()
                    prop:value=move || url.get()
                    on:input=move |ev| url.set(event_target_value(&ev))/>
            </div>
            <p class="error" role="alert" tabindex="-1" node_ref=error_ref hidden=move || error.get().is_none()>
                {move || error.get().unwrap_or_default()}
            </p>
            <button type="submit" class="primary">"Save"</button>
            " "
            <button type="button" on:click=move |_| done.run(false)>"Cancel"</button>
        </form>
    }
}
