//! Threads: lock and unlock, see what closed by age, unpin.

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
                        {list.into_iter().map(|t| {
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
                            let unpin = move |_| change(
                                ThreadChange { key: key.clone(), unpin: true, ..ThreadChange::default() },
                                "Unpinned.".into(),
                            );
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
