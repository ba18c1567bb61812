//! The site's webhooks in the settings form: address, format and events per row, a test
//! message to a saved one, and the newest deliveries with what failed and when it is tried
//! again.

use colloquy_core::wire::console::Done;
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::settings::{Event, Webhook, WebhookFormat};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ConsoleError};
use crate::context::Ctx;
use crate::problems::{focus_id, Problems};

fn format_name(format: WebhookFormat) -> &'static str {
    match format {
        WebhookFormat::Json => "json",
        WebhookFormat::Slack => "slack",
        WebhookFormat::Discord => "discord",
    }
}

fn event_label(event: Event) -> &'static str {
    match event {
        Event::NewComment => "new comment",
        Event::PendingComment => "comment waiting",
        Event::Reply => "reply",
        Event::Report => "report",
    }
}

/// A test message to the saved webhook `i`; what happened shows under Deliveries.
fn send_test(list: RwSignal<Vec<Webhook>>, i: usize) {
    let ctx = Ctx::get();
    let Some(url) = list.with_untracked(|l| l.get(i).map(|h| h.url.trim().to_owned())) else {
        return;
    };
    spawn_local(async move {
        let test = colloquy_core::wire::console::WebhookTest { url };
        match api::post::<_, Done>(AdminOp::WebhookTest, &test).await {
            Ok(_) => {
                ctx.done("Test sent: see Deliveries below for how it went.");
                ctx.comments_changed();
            }
            Err(ConsoleError::Api(body))
                if body.error.code == colloquy_core::ErrorCode::NotFound =>
            {
                ctx.status.set(String::new());
                ctx.error
                    .set("Save the settings first: tests go only to saved webhooks.".into());
            }
            Err(e) => ctx.fail(e),
        }
    });
}

/// Where the newest webhook deliveries stand: sent, failing (the error, the next try) or
/// given up — what the owner checks when a channel stays quiet.
#[component]
pub(crate) fn DeliveryList() -> impl IntoView {
    let ctx = Ctx::get();
    let list = RwSignal::new(None::<Vec<colloquy_core::wire::console::DeliveryState>>);
    let load = move || {
        spawn_local(async move {
            match api::get::<colloquy_core::wire::console::Deliveries>(AdminOp::Deliveries, "")
                .await
            {
                Ok(d) => list.set(Some(d.deliveries)),
                Err(e) => ctx.fail(e),
            }
        });
    };
    // Again after a test is sent (and its answer had a moment to arrive).
    Effect::new(move |first: Option<()>| {
        ctx.changed.track();
        if first.is_none() {
            load();
        } else {
            set_timeout(load, std::time::Duration::from_millis(1500));
        }
    });
    view! {
        <section aria-labelledby="deliveries-heading">
            <h3 id="deliveries-heading">"Deliveries"</h3>
            <p>{format!("The newest webhook deliveries. Failed ones are tried again after {}.", retry_schedule())}</p>
            <button type="button" on:click=move |_| load()>"Refresh"</button>
            {move || match list.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(items) if items.is_empty() => view! { <p class="deliveries-empty">"Nothing sent yet."</p> }.into_any(),
                Some(items) => view! {
                    <ul class="deliveries">
                        {items.into_iter().map(|d| {
                            let state = if let Some(at) = &d.sent_at {
                                format!("delivered {}", api::local_time(at))
                            } else if d.given_up {
                                format!("given up after {} tries", d.attempts)
                            } else if let Some(at) = &d.retry_at {
                                if d.attempts == 0 {
                                    "waiting to be sent".to_owned()
                                } else {
                                    format!(
                                        "failed {} of {} tries; next try {}",
                                        d.attempts,
                                        colloquy_core::wire::limits::DELIVERY_TRIES,
                                        api::local_time(at)
                                    )
                                }
                            } else {
                                "waiting".to_owned()
                            };
                            let failed = d.sent_at.is_none() && d.attempts > 0;
                            view! {
                                <li class:failed=failed>
                                    <strong>{d.event.replace('_', " ")}</strong>
                                    " → " <span class="target">{d.target}</span>
                                    ": " <span class="delivery-state">{state}</span>
                                    {d.last_error.map(|e| view! { " (" <span class="last-error">{e}</span> ")" })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
pub(crate) fn Webhooks(list: RwSignal<Vec<Webhook>>, problems: Problems) -> impl IntoView {
    // A new webhook's address field takes the focus; a removed one's place goes to the
    // next webhook, else to "Add a webhook".
    let add = move |_| {
        list.update(|l| {
            l.push(Webhook {
                url: String::new(),
                format: WebhookFormat::Json,
                events: Vec::new(),
            })
        });
        let i = list.with_untracked(Vec::len) - 1;
        focus_id(format!("hook-{i}-url"));
    };
    let remove = move |i: usize| {
        list.update(|l| {
            l.remove(i);
        });
        let left = list.with_untracked(Vec::len);
        focus_id(if i < left {
            format!("hook-{i}-url")
        } else if left > 0 {
            format!("hook-{}-url", left - 1)
        } else {
            "hook-add".into()
        });
    };
    view! {
        <div class="webhooks" role="group" aria-labelledby="webhooks-label">
            <p id="webhooks-label">"Webhooks (no event ticked: all events)"</p>
            {move || {
                let count = list.with(Vec::len);
                (0..count).map(|i| {
                    let hook = list.with_untracked(|l| l[i].clone());
                    let url_id = format!("hook-{i}-url");
                    let format_id = format!("hook-{i}-format");
                    let error_id = format!("hook-{i}-error");
                    let problem = move || {
                        problems.0.with(|all| {
                            all.iter()
                                .find(|p| p.field == format!("webhooks.{i}.url"))
                                .map(|p| p.message.clone())
                        })
                    };
                    view! {
                        <div class="hook">
                            <label for=url_id.clone()>{format!("Webhook {} address", i + 1)}</label>
                            <input id=url_id type="url" prop:value=hook.url.clone()
                                aria-describedby=error_id.clone()
                                aria-invalid=move || problem().is_some().then_some("true")
                                on:change=move |ev| { let v = event_target_value(&ev); list.update(|l| l[i].url = v) }/>
                            <small id=error_id class="field-error">{problem}</small>
                            <label for=format_id.clone()>"Format"</label>
                            <select id=format_id prop:value=format_name(hook.format)
                                on:change=move |ev| {
                                    let f = match event_target_value(&ev).as_str() {
                                        "slack" => WebhookFormat::Slack,
                                        "discord" => WebhookFormat::Discord,
                                        _ => WebhookFormat::Json,
                                    };
                                    list.update(|l| l[i].format = f)
                                }>
                                <option value="json" selected=hook.format == WebhookFormat::Json>"Signed JSON"</option>
                                <option value="slack" selected=hook.format == WebhookFormat::Slack>"Slack"</option>
                                <option value="discord" selected=hook.format == WebhookFormat::Discord>"Discord"</option>
                            </select>
                            <span class="events">
                                {Event::ALL.into_iter().map(|event| view! {
                                    <label>
                                        <input type="checkbox" prop:checked=hook.events.contains(&event)
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                list.update(|l| {
                                                    l[i].events.retain(|e| *e != event);
                                                    if on { l[i].events.push(event) }
                                                })
                                            }/>
                                        " " {event_label(event)}
                                    </label>
                                }).collect_view()}
                            </span>
                            <button type="button" on:click=move |_| send_test(list, i)>
                                {format!("Send a test to webhook {}", i + 1)}
                            </button>
                            <button type="button" on:click=move |_| remove(i)>
                                {format!("Remove webhook {}", i + 1)}
                            </button>
                        </div>
                    }
                }).collect_view()
            }}
            <button type="button" id="hook-add" on:click=add>"Add a webhook"</button>
        </div>
    }
}

#[component]
pub(crate) fn WebhookSecret() -> impl IntoView {
    let ctx = Ctx::get();
    view! {
        <section aria-labelledby="secret-heading">
            <h3 id="secret-heading">"Webhook signing secret"</h3>
            <p>"Signed JSON webhooks carry X-Colloquy-Signature: sha256=HMAC(secret, timestamp + \".\" + body) and X-Colloquy-Timestamp (README, Notifications)."</p>
            <p><code class="token">{move || ctx.session.get().map(|s| s.webhook_secret).unwrap_or_default()}</code></p>
        </section>
    }
}

/// When failed deliveries are tried again (with the default retry base), in words:
/// "1, 5, 30 minutes, 2 and 12 hours".
fn retry_schedule() -> String {
    use colloquy_core::wire::{defaults::NOTIFY_RETRY_SECS, limits::RETRY_FACTORS};
    let mut groups: Vec<(&str, Vec<u32>)> = Vec::new();
    for factor in RETRY_FACTORS {
        let secs = factor * NOTIFY_RETRY_SECS;
        let (n, unit) = if secs.is_multiple_of(3600) {
            (secs / 3600, "hours")
        } else {
            (secs / 60, "minutes")
        };
        match groups.last_mut() {
            Some((u, ns)) if *u == unit => ns.push(n),
            _ => groups.push((unit, vec![n])),
        }
    }
    let last = groups.len().saturating_sub(1);
    groups
        .iter()
        .enumerate()
        .map(|(i, (unit, ns))| {
            let words: Vec<String> = ns.iter().map(u32::to_string).collect();
            let list = match words.split_last() {
                Some((end, rest)) if i == last && !rest.is_empty() => {
                    format!("{} and {end}", rest.join(", "))
                }
                _ => words.join(", "),
            };
            format!("{list} {unit}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    /// The schedule in words comes from the numbers the Worker retries by.
    #[test]
    fn the_retry_schedule_is_said_from_the_numbers() {
        assert_eq!(super::retry_schedule(), "1, 5, 30 minutes, 2 and 12 hours");
    }
}
