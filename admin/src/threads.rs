//! Threads: lock and unlock, see what closed by age, unpin, and set a thread's title and
//! address (the owner's then stay: readers' pages no longer change them).

use colloquy_core::console::{Done, OwnerThread, ThreadChange, ThreadList};
use colloquy_core::endpoint::AdminOp;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
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
                            let edit_title = RwSignal::new(t.title.clone().unwrap_or_default());
                            let edit_url = RwSignal::new(t.url.clone().unwrap_or_default());
                            let save = {
                                let key = edit_key.clone();
                                move |ev: leptos::ev::SubmitEvent| {
                                    ev.prevent_default();
                                    change(
                                        ThreadChange {
                                            key: key.clone(),
                                            title: Some(edit_title.get_untracked()),
                                            url: Some(edit_url.get_untracked()),
                                            ..ThreadChange::default()
                                        },
                                        "Saved the title and address.".into(),
                                    )
                                }
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
                                        <button type="button" aria-label=format!("Edit the title and address of “{title}”")
                                            aria-expanded={let e = is_editing.clone(); move || e().to_string()} on:click=toggle_edit>
                                            "Edit"
                                        </button>
                                        <Show when=is_editing.clone()>
                                            <form class="thread-edit" on:submit=save.clone()>
                                                <label for=format!("{field_id}-title")>"Title"</label>
                                                <input id=format!("{field_id}-title") type="text" maxlength="300"
                                                    prop:value=move || edit_title.get()
                                                    on:input=move |ev| edit_title.set(event_target_value(&ev))/>
                                                <label for=format!("{field_id}-url")>"Page address"</label>
                                                <input id=format!("{field_id}-url") type="url"
                                                    prop:value=move || edit_url.get()
                                                    on:input=move |ev| edit_url.set(event_target_value(&ev))/>
                                                <button type="submit">"Save"</button>
                                            </form>
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
