//! The audit list: every console action, who did it and when — narrowed to one kind of
//! action, a page of 200 at a time, times in the owner's own zone.

use colloquy_core::wire::console::audit::AuditKind;
use colloquy_core::wire::console::query::AuditQuery;
use colloquy_core::wire::console::{AuditEntry, AuditList};
use colloquy_core::wire::endpoint::AdminOp;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::context::Ctx;

#[component]
pub fn Audit() -> impl IntoView {
    let ctx = Ctx::get();
    let entries = RwSignal::new(None::<Vec<AuditEntry>>);
    let next = RwSignal::new(None::<i64>);
    let kind = RwSignal::new(String::new());
    let load = move |more: bool| {
        let query = AuditQuery {
            kind: Some(kind.get_untracked()).filter(|k| !k.is_empty()),
            before: if more { next.get_untracked() } else { None },
        }
        .to_query();
        spawn_local(async move {
            match api::get::<AuditList>(AdminOp::Audit, &query).await {
                Ok(l) => {
                    next.set(l.next_before);
                    if more {
                        entries.update(|e| {
                            if let Some(e) = e {
                                e.extend(l.entries)
                            }
                        });
                    } else {
                        entries.set(Some(l.entries));
                    }
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    load(false);
    view! {
        <form class="search" role="search" on:submit=|ev: leptos::ev::SubmitEvent| ev.prevent_default()>
            <label for="audit-kind">"Show"</label>
            <select id="audit-kind" bind:value=kind on:change=move |_| load(false)>
                <option value="">"Every action"</option>
                {AuditKind::ALL.iter().map(|k| view! {
                    <option value=k.as_str()>{k.label()}</option>
                }).collect_view()}
            </select>
        </form>
        {move || match entries.get() {
            None => view! { <p>"Loading…"</p> }.into_any(),
            Some(list) if list.is_empty() => view! { <p>"Nothing of this kind yet."</p> }.into_any(),
            Some(list) => view! {
                <table class="audit stack">
                    <thead>
                        <tr>
                            <th scope="col">"When"</th>
                            <th scope="col">"Who"</th>
                            <th scope="col">"What"</th>
                            <th scope="col">"On"</th>
                            <th scope="col">"Detail"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|e| view! {
                            <tr>
                                <td data-label="When"><time datetime=e.at.clone()>{api::local_time(&e.at)}</time></td>
                                <td data-label="Who">{e.actor}</td>
                                <td data-label="What">{e.action.replace('+', ", ")}</td>
                                <td data-label="On">{e.target}</td>
                                <td data-label="Detail">{e.detail.unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
        {move || next.get().map(|_| view! {
            <button type="button" class="more" on:click=move |_| {
                load(true);
                // The button goes with the last page: the focus stays in the list.
                crate::focus::when_drawn("#audit-kind");
            }>"Older entries"</button>
        })}
    }
}
