//! Threads: lock and unlock, see what closed by age, unpin, and set a thread's title and
//! address (the owner's then stay: readers' pages no longer change them).

use colloquy_core::console::{Done, OwnerThread, ThreadChange, ThreadList};
use colloquy_core::endpoint::AdminOp;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ConsoleError};
use crate::app::Ctx;

#[component]
pub fn Threads() -> impl IntoView {
    let ctx = Ctx::get();
    let threads = RwSignal::new(None::<Vec<OwnerThread>>);
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
    view! {
        {move || match threads.get() {
            None => view! { <p>"Loading…"</p> }.into_any(),
            Some(list) if list.is_empty() => view! { <p>"No threads yet."</p> }.into_any(),
            Some(list) => view! {
                <table class="threads">
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
                                move |_| change(
                                    ThreadChange { key: key.clone(), unpin: true, ..ThreadChange::default() },
                                    "Unpinned.".into(),
                                )
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
                                    <td>{t.comments}</td>
                                    <td>{t.pending}</td>
                                    <td>{state}</td>
                                    <td>
                                        {t.pinned_id.map(|p| view! {
                                            "#" {p.0} " "
                                            <button type="button" on:click=unpin.clone()>"Unpin"</button>
                                        })}
                                    </td>
                                    <td>
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
            }.into_any(),
        }}
        <p class="hint">"Pin a top-level comment from its Pin button in the comment lists. Closing threads by age is a setting."</p>
    }
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
                    return "The title is too long (at most 300 characters).".into()
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
                <input id=format!("{field_id}-title") type="text" maxlength="300" node_ref=first
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
