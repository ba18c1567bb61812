//! One comment in the list: its text as readers see it, why it waits, its reports, its
//! context and its actions.

use colloquy_core::domain::words::count_s as plural;
use colloquy_core::wire::console::{Done, OwnerComment, ThreadChange};
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::moderation::Decision;
use colloquy_core::wire::moderation::HeldFor;
use colloquy_core::wire::moderation::ListedStatus;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::list::{List, Panel};
use super::panels::*;
use crate::api::{self};

/// Why a comment waits, in the owner's words.
pub(super) fn held_text(held: HeldFor) -> &'static str {
    match held {
        HeldFor::Moderation => "held: every comment is moderated",
        HeldFor::FirstTime => "held: first comment from this author",
        HeldFor::Links => "held: too many links",
        HeldFor::Muted => "held: a muted word",
        HeldFor::Blocked => "held: blocked author",
        HeldFor::Reported => "held: reported by readers",
        HeldFor::Reporter => "held: author reported too often",
    }
}

#[component]
pub(super) fn Item(list: List, index: usize, comment: OwnerComment) -> impl IntoView {
    let id = comment.id;
    let top_level = comment.parent_id.is_none();
    let status = comment.status;
    let approved = status == ListedStatus::Approved;
    let pending = status == ListedStatus::Pending;
    let trashed = status == ListedStatus::Trash;
    let deleted = status == ListedStatus::Deleted || trashed;
    let reported = comment.reports > 0;
    let thread_key = comment.thread.clone();
    let select_label = format!("Select the comment by {}", comment.author);
    let open = move |p: Panel| list.panel.with(|open| *open == Some((id, p)));
    let toggle_panel = move |p: Panel| {
        move |_| {
            list.panel.update(|open| {
                *open = if *open == Some((id, p)) {
                    None
                } else {
                    Some((id, p))
                }
            })
        }
    };
    let act = move |decision: Decision| move |_| list.moderate(vec![id], decision);
    let pinned = comment.pinned;
    let markdown = comment.body_markdown.clone();
    let pin = move |_| {
        let key = thread_key.clone();
        spawn_local(async move {
            let change = ThreadChange {
                key,
                pin: (!pinned).then_some(id),
                unpin: pinned,
                ..ThreadChange::default()
            };
            match api::post::<_, Done>(AdminOp::ChangeThread, &change).await {
                Ok(_) => {
                    list.ctx.done(if pinned {
                        "Unpinned: the thread keeps its order."
                    } else {
                        "Pinned: readers see this comment first."
                    });
                    list.ctx.comments_changed();
                }
                Err(e) => list.ctx.fail(e),
            }
        });
    };
    let thread_label = comment
        .thread_title
        .clone()
        .unwrap_or_else(|| comment.thread.clone());
    let state_label = match (status, comment.trashed_from) {
        (ListedStatus::Trash, Some(was)) => {
            format!("in the Trash (was {}; Restore puts it back)", was.as_str())
        }
        (ListedStatus::Trash, None) => "in the Trash".to_owned(),
        (other, _) => other.as_str().to_owned(),
    };
    view! {
        <li class="item" class:selected=move || list.selected.with(|s| s.contains(&id))
            data-index=index
            tabindex=move || if list.current.get() == index { "0" } else { "-1" }
            on:focusin=move |_| list.current.set(index)
            aria-label=format!("Comment by {} on {}", comment.author, thread_label)>
            <div class="head">
                <input type="checkbox" aria-label=select_label
                    prop:checked=move || list.selected.with(|s| s.contains(&id))
                    on:change=move |_| list.toggle(id)/>
                <div class="meta">
                    <strong class="author">{comment.author.clone()}</strong>
                    {comment.owner.then(|| view! { <span class="badge">"Owner"</span> })}
                    " "
                    <span class="email">{comment.email.clone()}</span>
                    {comment.website.clone().map(|w| view! {
                        " " <span class="website">{w}</span>
                    })}
                    <br/>
                    <span class=format!("state state-{}", status.as_str())>{state_label}</span>
                    {comment.held_for.filter(|_| pending).map(|h| {
                        let text = match &comment.held_detail {
                            Some(detail) => format!("{}: {detail}", held_text(h)),
                            None => held_text(h).to_owned(),
                        };
                        view! { " " <span class="held">{text}</span> }
                    })}
                    {reported.then(|| view! {
                        " " <span class="reports">{report_text(&comment)}</span>
                    })}
                    {comment.pinned.then(|| view! { " " <span class="badge pinned">"Pinned"</span> })}
                    " · "
                    {match comment.permalink.clone() {
                        Some(url) => view! {
                            <a href=url target="_blank" rel="noopener">{thread_label.clone()}</a>
                        }.into_any(),
                        None => view! { <span>{thread_label.clone()}</span> }.into_any(),
                    }}
                    " · " <time datetime=comment.created_at.clone()>{api::local_time(&comment.created_at)}</time>
                </div>
            </div>
            {comment.parent.clone().map(|p| {
                let who = if p.author.is_empty() {
                    "a deleted comment".to_owned()
                } else {
                    format!("{}: “{}”", p.author, excerpt(&p.excerpt))
                };
                view! {
                    <p class="context">
                        "In reply to "
                        {match p.permalink {
                            Some(url) => view! { <a href=url target="_blank" rel="noopener">{who}</a> }.into_any(),
                            None => view! { <span>{who}</span> }.into_any(),
                        }}
                    </p>
                }
            })}
            <div class="body" inner_html=comment.body_html.clone()></div>
            <div class="actions">
                {trashed.then(|| view! {
                    <button type="button" on:click=act(Decision::Restore)>"Restore"</button>
                    <button type="button" class="danger" aria-expanded=move || open(Panel::Destroy).to_string()
                        on:click=toggle_panel(Panel::Destroy)>"Delete for good…"</button>
                })}
                {(!approved && !deleted).then(|| view! {
                    <button type="button" on:click=act(Decision::Approve)>"Approve"</button>
                })}
                // An approved comment with reports: the owner read them and keeps it.
                {(approved && reported).then(|| view! {
                    <button type="button" on:click=act(Decision::Approve)>"Keep and clear reports"</button>
                })}
                {approved.then(|| view! {
                    <button type="button" on:click=act(Decision::Hold)>"Unapprove"</button>
                })}
                {(status != ListedStatus::Spam && !deleted).then(|| view! {
                    <button type="button" on:click=act(Decision::Spam)>"Spam"</button>
                })}
                {(!deleted).then(|| view! {
                    <button type="button" class="danger" on:click=act(Decision::Trash)>"Trash"</button>
                })}
                {(approved || pending).then(|| view! {
                    <button type="button" aria-expanded=move || open(Panel::Reply).to_string()
                        on:click=toggle_panel(Panel::Reply)>
                        {if pending { "Approve and reply" } else { "Reply as owner" }}
                    </button>
                })}
                {(!deleted).then(|| view! {
                    <button type="button" aria-expanded=move || open(Panel::Edit).to_string()
                        on:click=toggle_panel(Panel::Edit)>"Edit text"</button>
                })}
                {(approved && top_level).then(|| view! {
                    <button type="button" on:click=pin>{if comment.pinned { "Unpin" } else { "Pin" }}</button>
                })}
                {(!comment.owner && !deleted).then(|| view! {
                    <button type="button" aria-expanded=move || open(Panel::Block).to_string()
                        on:click=toggle_panel(Panel::Block)>"Block author…"</button>
                    <button type="button" class="danger" aria-expanded=move || open(Panel::Purge).to_string()
                        on:click=toggle_panel(Panel::Purge)>"Trash all from author…"</button>
                })}
            </div>
            {move || match list.panel.get() {
                Some((open_id, p)) if open_id == id => Some(match p {
                    Panel::Reply => view! { <ReplyPanel list=list parent=id approve_first=pending/> }.into_any(),
                    Panel::Block => view! { <BlockPanel list=list id=id/> }.into_any(),
                    Panel::Purge => view! { <PurgePanel list=list id=id/> }.into_any(),
                    Panel::Destroy => view! { <DestroyPanel list=list id=id/> }.into_any(),
                    Panel::Edit => view! { <EditPanel list=list id=id text=markdown.clone()/> }.into_any(),
                }),
                _ => None,
            }}
        </li>
    }
}

/// "3 reports: spam ×2, abuse ×1".
pub(super) fn report_text(c: &OwnerComment) -> String {
    let n = plural(c.reports as usize, "report");
    if c.report_reasons.is_empty() {
        return n;
    }
    let reasons: Vec<String> = c
        .report_reasons
        .iter()
        .map(|(reason, k)| format!("{} ×{k}", reason.replace('_', " ")))
        .collect();
    format!("{n}: {}", reasons.join(", "))
}

/// The first words of a comment, for a line of context.
pub(super) fn excerpt(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(100) {
        Some((at, _)) => format!("{}…", &flat[..at]),
        None => flat,
    }
}
