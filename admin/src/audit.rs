//! The audit list: every console action, who did it and when.

use colloquy_core::console::AuditList;
use colloquy_core::endpoint::AdminOp;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::app::Ctx;

#[component]
pub fn Audit() -> impl IntoView {
    let ctx = Ctx::get();
    let list = RwSignal::new(None::<AuditList>);
    spawn_local(async move {
        match api::get::<AuditList>(AdminOp::Audit, "").await {
            Ok(l) => list.set(Some(l)),
            Err(e) => ctx.fail(e),
        }
    });
    view! {
        {move || list.get().map(|l| view! {
            <table class="audit">
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
                    {l.entries.into_iter().map(|e| view! {
                        <tr>
                            <td><time datetime=e.at.clone()>{crate::api::local_time(&e.at)}</time></td>
                            <td>{e.actor}</td>
                            <td>{e.action}</td>
                            <td>{e.target}</td>
                            <td>{e.detail.unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}
