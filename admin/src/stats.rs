//! The last 30 days at a glance: comments per day, the busiest threads, and how long the
//! oldest waiting comment has waited. Numbers in a table (bars only as decoration).

use colloquy_core::domain::words::count_s;
use colloquy_core::wire::console::Stats;
use colloquy_core::wire::endpoint::AdminOp;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::context::Ctx;

#[component]
pub fn StatsView() -> impl IntoView {
    let ctx = Ctx::get();
    let stats = RwSignal::new(None::<Stats>);
    spawn_local(async move {
        match api::get::<Stats>(AdminOp::Stats, "").await {
            Ok(s) => stats.set(Some(s)),
            Err(e) => ctx.fail(e),
        }
    });
    view! {
        {move || match stats.get() {
            None => view! { <p>"Loading…"</p> }.into_any(),
            Some(s) => {
                let most = s.per_day.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
                let written: u32 = s.per_day.iter().map(|(_, n)| n).sum();
                view! {
                    <p class="waiting">
                        {match (&s.oldest_pending, s.pending) {
                            (Some(since), n) if n > 0 => format!(
                                "{} waiting for you; the oldest since {}.",
                                count_s(n as usize, "comment"),
                                api::local_time(since)
                            ),
                            _ => "Nothing waits for you.".to_owned(),
                        }}
                    </p>
                    <h3>"Busiest threads (last 30 days)"</h3>
                    {if s.top_threads.is_empty() {
                        view! { <p>"No published comments in these days."</p> }.into_any()
                    } else {
                        view! {
                            <ol class="top-threads">
                                {s.top_threads.into_iter().map(|(key, title, n)| view! {
                                    <li>
                                        <span>{title.unwrap_or_else(|| key.clone())}</span>
                                        " " <small>{key}</small> ": " {count_s(n as usize, "comment")}
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }}
                    <table class="per-day">
                        <caption>{format!("Comments per day, last 30 days (UTC): {written} in all")}</caption>
                        <thead>
                            <tr><th scope="col">"Day"</th><th scope="col">"Comments"</th></tr>
                        </thead>
                        <tbody>
                            {s.per_day.into_iter().rev().map(|(day, n)| view! {
                                <tr>
                                    <th scope="row">{day}</th>
                                    <td>
                                        // Set through the CSS object model: the console's CSP
                                        // allows no style attributes.
                                        <span class="bar" aria-hidden="true"
                                            style:width=format!("{}%", n * 100 / most)></span>
                                        " " {n}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }
        }}
    }
}
