//! The queue tabs (pending, reported, spam), "Everything" (recent comments, search) and
//! the Trash: one list with per-comment actions, select-many bulk actions (any number:
//! "select all N matching") and keyboard shortcuts. Nothing is destroyed by one key:
//! Delete moves to the Trash, every moderation can be undone from the status line, and
//! only the Trash deletes for good, after asking. After every action the list is fetched
//! again, so what it shows is what readers see.

mod item;
mod list;
mod panels;

use std::collections::{BTreeSet, HashMap};

use colloquy_core::domain::words::count_s as plural;
use colloquy_core::wire::console::{MatchingIds, Tab};
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::moderation::Decision;
use colloquy_core::CommentId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self};
use crate::context::Ctx;
use item::Item;
use list::List;
use panels::autofocus;

#[component]
pub fn Comments(tab: Tab) -> impl IntoView {
    let ctx = Ctx::get();
    let list = List {
        tab,
        shows: RwSignal::new(tab),
        items: RwSignal::new(Vec::new()),
        next: RwSignal::new(None),
        selected: RwSignal::new(BTreeSet::new()),
        current: RwSignal::new(0),
        panel: RwSignal::new(None),
        query: RwSignal::new(String::new()),
        searched: RwSignal::new(String::new()),
        loading: RwSignal::new(true),
        total: RwSignal::new(0),
        was: RwSignal::new(HashMap::new()),
        busy: RwSignal::new(false),
        confirm: RwSignal::new(None),
        focus_on: RwSignal::new(None),
        drafts: RwSignal::new(HashMap::new()),
        asked: RwSignal::new(0),
        ctx,
    };
    list.load(false, false);
    // After any change (an action here, an Undo from the status line): the list again,
    // with the focus back on the comment at the same place.
    Effect::new(move |first: Option<()>| {
        ctx.changed.track();
        if first.is_some() {
            list.load(false, true);
        }
    });
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        list.current.set(0);
        list.selected.set(BTreeSet::new());
        list.searched.set(list.query.get_untracked());
        list.load(false, false);
    };
    let loaded_all_selected = move || {
        list.items.with(|items| {
            !items.is_empty()
                && list
                    .selected
                    .with(|s| items.iter().all(|c| s.contains(&c.id)))
        })
    };
    let select_all = move |_| {
        if loaded_all_selected() {
            list.selected.set(BTreeSet::new());
        } else {
            list.selected.set(
                list.items
                    .with_untracked(|items| items.iter().map(|c| c.id).collect()),
            );
        }
    };
    // "Select all N matching" once the loaded page is selected and there is more.
    let more_to_select = move || {
        let total = list.total.get() as usize;
        (loaded_all_selected() && list.selected.with(BTreeSet::len) < total).then_some(total)
    };
    let bulk_action = move |decision: Decision| {
        move |_| {
            list.moderate(
                list.selected.get_untracked().into_iter().collect(),
                decision,
            )
        }
    };
    let none_selected = move || list.selected.with(BTreeSet::is_empty) || list.busy.get();
    let trash = tab == Tab::Trash;
    let ask_destroy = move |ids: Vec<CommentId>| {
        if !ids.is_empty() {
            list.confirm.set(Some(ids));
        }
    };
    let empty_trash = move |_| {
        spawn_local(async move {
            match api::get::<MatchingIds>(AdminOp::CommentIds, "tab=trash").await {
                Ok(m) => ask_destroy(m.comments.into_iter().map(|(id, _)| id).collect()),
                Err(e) => list.ctx.fail(e),
            }
        });
    };
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    autofocus(confirm_button);
    view! {
        <form class="search" role="search" on:submit=search>
            <label for="console-search">
                {if tab == Tab::All { "Search" } else { "Filter" }}
                " by text, author, email or thread"
            </label>
            <input id="console-search" type="search" bind:value=list.query/>
            {(tab == Tab::All).then(|| view! {
                <label for="console-state" class="state-filter">"State"</label>
                <select id="console-state" on:change=move |ev| {
                    let shows = Tab::parse(&event_target_value(&ev)).unwrap_or(Tab::All);
                    list.shows.set(shows);
                    list.current.set(0);
                    list.selected.set(BTreeSet::new());
                    list.searched.set(list.query.get_untracked());
                    list.load(false, false);
                }>
                    <option value="all">"Any (not in the Trash)"</option>
                    <option value="published">"Published"</option>
                    <option value="pending">"Waiting"</option>
                    <option value="reported">"Reported"</option>
                    <option value="spam">"Spam"</option>
                </select>
            })}
            <button type="submit">{if tab == Tab::All { "Search" } else { "Filter" }}</button>
        </form>
        <div class="toolbar" role="group" aria-label="Bulk actions">
            <label class="select-all">
                <input type="checkbox" prop:checked=loaded_all_selected on:change=select_all/>
                "Select all shown"
            </label>
            {move || more_to_select().map(|total| view! {
                <button type="button" class="link" on:click=move |_| list.select_matching()>
                    {format!("Select all {total} matching")}
                </button>
            })}
            <span class="count" aria-live="polite">
                {move || {
                    let n = list.selected.with(BTreeSet::len);
                    if n == 0 { String::new() } else { format!("{n} selected") }
                }}
            </span>
            {if trash {
                view! {
                    <button type="button" disabled=none_selected on:click=bulk_action(Decision::Restore)>
                        "Restore selected"
                    </button>
                    <button type="button" class="danger" disabled=none_selected
                        on:click=move |_| ask_destroy(list.selected.get_untracked().into_iter().collect())>
                        "Delete selected for good…"
                    </button>
                    <button type="button" class="danger" disabled=move || list.total.get() == 0 || list.busy.get()
                        on:click=empty_trash>
                        "Empty the Trash…"
                    </button>
                }.into_any()
            } else {
                view! {
                    <button type="button" disabled=none_selected on:click=bulk_action(Decision::Approve)>
                        "Approve selected"
                    </button>
                    <button type="button" disabled=none_selected on:click=bulk_action(Decision::Spam)>
                        "Spam selected"
                    </button>
                    <button type="button" class="danger" disabled=none_selected on:click=bulk_action(Decision::Trash)>
                        "Trash selected"
                    </button>
                }.into_any()
            }}
        </div>
        {move || list.confirm.get().map(|ids| {
            let n = ids.len();
            let destroy = move |_| list.moderate(ids.clone(), Decision::Delete);
            view! {
                <div class="panel confirm" role="group" aria-labelledby="destroy-q">
                    <p id="destroy-q">
                        {format!("Delete {} for good? What they say cannot be brought back.", plural(n, "comment"))}
                    </p>
                    <div class="actions">
                        <button type="button" class="danger" on:click=destroy
                            disabled=move || list.busy.get()>
                            "Delete for good"
                        </button>
                        <button type="button" node_ref=confirm_button on:click=move |_| {
                            list.confirm.set(None);
                            crate::focus::when_drawn(".toolbar button.danger:not([disabled])");
                        }>"Keep them"</button>
                    </div>
                </div>
            }
        })}
        <p class="keys">
            "Keys: " <kbd>"j"</kbd> "/" <kbd>"k"</kbd> " next/previous, " <kbd>"x"</kbd>
            " select, "
            {(!trash).then(|| view! {
                <kbd>"a"</kbd> " approve, " <kbd>"s"</kbd> " spam, " <kbd>"d"</kbd>
                " to the Trash, " <kbd>"r"</kbd> " reply, "
            })}
            <kbd>"u"</kbd> " undo (on the selection, else the focused comment)."
        </p>
        <ul class="list" aria-label="Comments" on:keydown=move |ev| list.key(ev)>
            {move || {
                let items = list.items.get();
                if items.is_empty() {
                    let text = match (list.loading.get(), trash) {
                        (true, _) => "Loading…",
                        (false, true) => "The Trash is empty.",
                        (false, false) => "Nothing here.",
                    };
                    return view! { <li class="list-empty" tabindex="-1">{text}</li> }.into_any();
                }
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| view! { <Item list=list index=i comment=c/> })
                    .collect_view()
                    .into_any()
            }}
        </ul>
        {move || list.next.get().map(|_| view! {
            <button type="button" class="more" on:click=move |_| list.load(true, false)>
                {move || format!(
                    "Older comments ({} of {} shown)",
                    list.items.with(Vec::len),
                    list.total.get()
                )}
            </button>
        })}
    }
}
