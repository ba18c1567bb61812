//! The queue tabs (pending, reported, spam), "Everything" (recent comments, search) and
//! the Trash: one list with per-comment actions, select-many bulk actions (any number:
//! "select all N matching") and keyboard shortcuts. Nothing is destroyed by one key:
//! Delete moves to the Trash, every moderation can be undone from the status line, and
//! only the Trash deletes for good, after asking. After every action the list is fetched
//! again, so what it shows is what readers see.

use std::collections::{BTreeSet, HashMap};

use colloquy_core::wire::api::CreatedComment;
use colloquy_core::wire::console::{
    BlockChange, CommentList, Done, MatchingIds, OwnerComment, OwnerEdit, OwnerReply, Purge, Tab,
    ThreadChange,
};
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::moderation::Decision;
use colloquy_core::wire::moderation::HeldFor;
use colloquy_core::CommentId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{self, encode};
use crate::app::Ctx;
use crate::bulk;

/// The inline panel open under one comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    Reply,
    Block,
    Purge,
    /// "Delete for good?" on a comment in the Trash.
    Destroy,
    /// The owner corrects the text.
    Edit,
}

/// Why a comment waits, in the owner's words.
fn held_text(held: HeldFor) -> &'static str {
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

use colloquy_core::domain::words::count_s as plural;

/// The list's state, shared by its items and its keyboard handler.
#[derive(Clone, Copy)]
struct List {
    tab: Tab,
    /// What the list asks for: the section's tab, or Everything narrowed by state.
    shows: RwSignal<Tab>,
    items: RwSignal<Vec<OwnerComment>>,
    next: RwSignal<Option<CommentId>>,
    selected: RwSignal<BTreeSet<CommentId>>,
    /// The item that holds the roving tab stop (and that single-key actions act on).
    current: RwSignal<usize>,
    panel: RwSignal<Option<(CommentId, Panel)>>,
    query: RwSignal<String>,
    /// The search the list shows (the box's text once submitted): what "select all N
    /// matching" selects, whatever is typed since.
    searched: RwSignal<String>,
    loading: RwSignal<bool>,
    /// How many comments the whole list holds (all pages).
    total: RwSignal<u32>,
    /// What each comment seen was, as the list named it: an action's Undo puts it back.
    was: RwSignal<HashMap<CommentId, String>>,
    /// A moderation is on its way: another waits for it.
    busy: RwSignal<bool>,
    /// Asking "delete these for good?" before a bulk deletion from the Trash.
    confirm: RwSignal<Option<Vec<CommentId>>>,
    /// After the next load, the focus goes to this comment wherever it now is (a reply
    /// added above it moves it down).
    focus_on: RwSignal<Option<CommentId>>,
    /// Replies typed in a panel closed before publishing (Escape, Cancel), by comment.
    drafts: RwSignal<HashMap<CommentId, String>>,
    /// The newest load asked for: an older answer arriving after it (the first page before
    /// a search's) is dropped, never shown over the newer one.
    asked: RwSignal<u32>,
    ctx: Ctx,
}

impl List {
    /// Fetch the first page again (or the next one with `more`), then put the focus back
    /// on the item at the current position when `refocus`.
    fn load(self, more: bool, refocus: bool) {
        let mut query = format!("tab={}", self.shows.get_untracked().as_str());
        let search = self.searched.get_untracked();
        if !search.trim().is_empty() {
            query.push_str(&format!("&q={}", encode(search.trim())));
        }
        if more {
            if let Some(before) = self.next.get_untracked() {
                query.push_str(&format!("&before={}", before.0));
            }
        }
        self.loading.set(true);
        let this = self.asked.get_untracked().wrapping_add(1);
        self.asked.set(this);
        spawn_local(async move {
            let answer = api::get::<CommentList>(AdminOp::Comments, &query).await;
            if self.asked.get_untracked() != this {
                return;
            }
            match answer {
                Ok(list) => {
                    let ids: BTreeSet<CommentId> = list.comments.iter().map(|c| c.id).collect();
                    self.total.set(list.total);
                    self.was.update(|was| {
                        was.extend(list.comments.iter().map(|c| (c.id, c.status.clone())))
                    });
                    if more {
                        self.items.update(|items| items.extend(list.comments));
                    } else {
                        self.items.set(list.comments);
                        // A selection bigger than the page ("all N matching") stays.
                        let total = self.total.get_untracked() as usize;
                        if self.selected.with_untracked(BTreeSet::len) <= ids.len()
                            || self.selected.with_untracked(BTreeSet::len) > total
                        {
                            self.selected.update(|s| s.retain(|id| ids.contains(id)));
                        }
                    }
                    self.next.set(list.next_before);
                    if let Some(id) = self.focus_on.get_untracked() {
                        self.focus_on.set(None);
                        if let Some(at) = self
                            .items
                            .with_untracked(|items| items.iter().position(|c| c.id == id))
                        {
                            self.current.set(at);
                        }
                    }
                    let len = self.items.with_untracked(Vec::len);
                    let at = self.current.get_untracked().min(len.saturating_sub(1));
                    self.current.set(at);
                    if refocus {
                        request_animation_frame(move || focus_item(at));
                    }
                }
                Err(e) => self.ctx.fail(e),
            }
            self.loading.set(false);
        });
    }

    /// The ids an action applies to: the selection, else the current item.
    fn targets(self) -> Vec<CommentId> {
        let selected = self.selected.get_untracked();
        if !selected.is_empty() {
            return selected.into_iter().collect();
        }
        let at = self.current.get_untracked();
        self.items
            .with_untracked(|items| items.get(at).map(|c| vec![c.id]))
            .unwrap_or_default()
    }

    fn moderate(self, ids: Vec<CommentId>, decision: Decision) {
        if ids.is_empty() || self.busy.get_untracked() {
            return;
        }
        let undo = self
            .was
            .with_untracked(|was| bulk::undo_steps(decision, &ids, was));
        // The focus comes back at the first acted on: when those leave the list, that
        // place holds the next one still waiting (none skipped).
        let first = self
            .items
            .with_untracked(|items| items.iter().position(|c| ids.contains(&c.id)));
        if let Some(first) = first {
            self.current.set(first);
        }
        self.busy.set(true);
        spawn_local(async move {
            let clearing = decision == Decision::Approve
                && self.was.with_untracked(|was| {
                    ids.iter()
                        .all(|id| was.get(id).map(String::as_str) == Some("approved"))
                });
            match bulk::moderate_all(self.ctx, &ids, decision).await {
                Ok(n) if clearing => {
                    self.selected.set(BTreeSet::new());
                    self.ctx.done(format!(
                        "Kept, and cleared the reports on {}.",
                        plural(n as usize, "comment")
                    ));
                }
                Ok(n) => {
                    self.selected.set(BTreeSet::new());
                    self.ctx.done_undoable(bulk::decided(decision, n), undo);
                }
                Err(e) => self.ctx.fail(e),
            }
            self.busy.set(false);
            self.confirm.set(None);
            // Partly done or not, the list shows what is so now.
            self.ctx.comments_changed();
        });
    }

    /// Select every comment the list holds, not only the loaded page.
    fn select_matching(self) {
        let mut query = format!("tab={}", self.shows.get_untracked().as_str());
        let search = self.searched.get_untracked();
        if !search.trim().is_empty() {
            query.push_str(&format!("&q={}", encode(search.trim())));
        }
        spawn_local(async move {
            match api::get::<MatchingIds>(AdminOp::CommentIds, &query).await {
                Ok(m) => {
                    self.was
                        .update(|was| was.extend(m.comments.iter().cloned()));
                    let n = m.comments.len();
                    self.selected
                        .set(m.comments.into_iter().map(|(id, _)| id).collect());
                    self.ctx
                        .done(format!("Selected all {}.", plural(n, "comment")));
                }
                Err(e) => self.ctx.fail(e),
            }
        });
    }

    fn toggle(self, id: CommentId) {
        self.selected.update(|s| {
            if !s.remove(&id) {
                s.insert(id);
            }
        });
    }

    /// Single-key shortcuts, while the focus is in the list but not in a text field.
    fn key(self, ev: leptos::ev::KeyboardEvent) {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| {
                let tag = el.tag_name();
                tag == "TEXTAREA"
                    || tag == "SELECT"
                    || (tag == "INPUT" && el.get_attribute("type").as_deref() != Some("checkbox"))
            });
        if typing {
            return;
        }
        let len = self.items.with_untracked(Vec::len);
        if len == 0 {
            return;
        }
        let at = self.current.get_untracked().min(len - 1);
        let current_id = self.items.with_untracked(|items| items[at].id);
        let handled = match ev.key().as_str() {
            "j" | "ArrowDown" => {
                self.move_to((at + 1).min(len - 1));
                true
            }
            "k" | "ArrowUp" => {
                self.move_to(at.saturating_sub(1));
                true
            }
            "x" => {
                self.toggle(current_id);
                true
            }
            "a" if self.tab != Tab::Trash => {
                self.moderate(self.targets(), Decision::Approve);
                true
            }
            "s" if self.tab != Tab::Trash => {
                self.moderate(self.targets(), Decision::Spam);
                true
            }
            // To the Trash, never for good: that takes the Trash's button and a question.
            "d" | "Delete" if self.tab != Tab::Trash => {
                self.moderate(self.targets(), Decision::Trash);
                true
            }
            "u" => match self.ctx.undo.get_untracked() {
                Some(undo) => {
                    bulk::undo(self.ctx, undo);
                    true
                }
                None => false,
            },
            "r" if self.tab != Tab::Trash => {
                self.panel.set(Some((current_id, Panel::Reply)));
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    }

    fn move_to(self, at: usize) {
        self.current.set(at);
        focus_item(at);
    }
}

/// Focus the item at `at` (or the list's empty message when nothing is left).
fn focus_item(at: usize) {
    let Some(doc) = window().document() else {
        return;
    };
    let el = doc
        .query_selector(&format!("[data-index=\"{at}\"]"))
        .ok()
        .flatten()
        .or_else(|| doc.query_selector(".list-empty").ok().flatten());
    if let Some(el) = el.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

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

#[component]
fn Item(list: List, index: usize, comment: OwnerComment) -> impl IntoView {
    let id = comment.id;
    let top_level = comment.parent_id.is_none();
    let status = comment.status.clone();
    let approved = status == "approved";
    let pending = status == "pending";
    let trashed = status == "trash";
    let deleted = status == "deleted" || trashed;
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
    let state_label = match (status.as_str(), comment.trashed_from.as_deref()) {
        ("trash", Some(was)) => format!("in the Trash (was {was}; Restore puts it back)"),
        ("trash", None) => "in the Trash".to_owned(),
        (other, _) => other.to_owned(),
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
                    <span class=format!("state state-{status}")>{state_label}</span>
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
                {(status != "spam" && !deleted).then(|| view! {
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
fn report_text(c: &OwnerComment) -> String {
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
fn excerpt(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(100) {
        Some((at, _)) => format!("{}…", &flat[..at]),
        None => flat,
    }
}

/// Focus the first field of a panel as it opens.
fn autofocus<E>(node: NodeRef<E>)
where
    E: leptos::html::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}

/// Put the focus back on the comment whose panel closed.
fn close_panel(list: List) {
    list.panel.set(None);
    let at = list.current.get_untracked();
    request_animation_frame(move || focus_item(at));
}

/// The owner's reply. On a waiting comment it approves it first (a reply to a comment
/// readers cannot see would hang in the air).
#[component]
fn ReplyPanel(list: List, parent: CommentId, approve_first: bool) -> impl IntoView {
    let body = RwSignal::new(
        list.drafts
            .with_untracked(|d| d.get(&parent).cloned())
            .unwrap_or_default(),
    );
    // What is typed is kept if the panel closes unpublished.
    Effect::new(move |_| {
        let text = body.get();
        list.drafts.update(|d| {
            if text.trim().is_empty() {
                d.remove(&parent);
            } else {
                d.insert(parent, text);
            }
        });
    });
    let busy = RwSignal::new(false);
    let field = NodeRef::<leptos::html::Textarea>::new();
    autofocus(field);
    let field_id = format!("reply-{}", parent.0);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            if approve_first {
                if let Err(e) = bulk::moderate_all(list.ctx, &[parent], Decision::Approve).await {
                    list.ctx.fail(e);
                    busy.set(false);
                    return;
                }
            }
            let reply = OwnerReply {
                parent_id: parent,
                body: body.get_untracked(),
                name: String::new(),
            };
            match api::post::<_, CreatedComment>(AdminOp::Reply, &reply).await {
                Ok(_) => {
                    list.ctx.done(if approve_first {
                        "Approved, and your reply is published with the owner badge."
                    } else {
                        "Reply published with the owner badge."
                    });
                    list.drafts.update(|d| {
                        d.remove(&parent);
                    });
                    close_panel(list);
                    list.focus_on.set(Some(parent));
                    list.ctx.comments_changed();
                }
                Err(e) => {
                    list.ctx.fail(e);
                    // The text stays where it was typed.
                    if let Some(el) = field.get_untracked() {
                        let _ = el.focus();
                    }
                    if approve_first {
                        list.ctx.comments_changed();
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <form class="panel" on:submit=send>
            <label for=field_id.clone()>"Your reply (Markdown)"</label>
            <textarea id=field_id rows="4" required node_ref=field bind:value=body
                on:keydown=move |ev| if ev.key() == "Escape" { close_panel(list) }></textarea>
            <button type="submit" disabled=move || busy.get()>
                {if approve_first { "Approve and publish reply" } else { "Publish reply" }}
            </button>
            <button type="button" on:click=move |_| close_panel(list)>"Cancel"</button>
        </form>
    }
}

#[component]
fn BlockPanel(list: List, id: CommentId) -> impl IntoView {
    let email = RwSignal::new(true);
    let client = RwSignal::new(false);
    let first = NodeRef::<leptos::html::Input>::new();
    autofocus(first);
    let block = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let change = BlockChange {
            comment_id: Some(id),
            email: email.get_untracked(),
            client: client.get_untracked(),
            unblock: None,
        };
        spawn_local(async move {
            match api::post::<_, Done>(AdminOp::ChangeBlock, &change).await {
                Ok(_) => {
                    list.ctx.done(
                        "Blocked: this author's new comments wait in the queue. Unblock under People.",
                    );
                    close_panel(list);
                }
                Err(e) => list.ctx.fail(e),
            }
        });
    };
    view! {
        <form class="panel" on:submit=block
            on:keydown=move |ev| if ev.key() == "Escape" { close_panel(list) }>
            <fieldset>
                <legend>"Hold this author's new comments by"</legend>
                <label><input type="checkbox" node_ref=first bind:checked=email/> " their email"</label>
                <label><input type="checkbox" bind:checked=client/> " their network address"</label>
            </fieldset>
            <button type="submit" disabled=move || !email.get() && !client.get()>"Block"</button>
            <button type="button" on:click=move |_| close_panel(list)>"Cancel"</button>
        </form>
    }
}

#[component]
fn PurgePanel(list: List, id: CommentId) -> impl IntoView {
    let confirm = NodeRef::<leptos::html::Button>::new();
    autofocus(confirm);
    let purge = move |_| {
        spawn_local(async move {
            match api::post::<_, Done>(AdminOp::Purge, &Purge { comment_id: id }).await {
                Ok(done) => {
                    let more = if done.changed as usize >= colloquy_core::wire::limits::MODERATE_MAX
                    {
                        " There may be more: run it again."
                    } else {
                        ""
                    };
                    list.ctx.done(format!(
                        "Moved {} from this author to the Trash.{more}",
                        plural(done.changed as usize, "comment")
                    ));
                    list.panel.set(None);
                    list.ctx.comments_changed();
                }
                Err(e) => list.ctx.fail(e),
            }
        });
    };
    view! {
        <div class="panel" role="group" aria-label="Everything from this author to the Trash"
            on:keydown=move |ev| if ev.key() == "Escape" { close_panel(list) }>
            <p>"Every comment with this author's email goes to the Trash: readers see “[deleted]” (replies stay). You can restore them from the Trash."</p>
            <button type="button" class="danger" node_ref=confirm on:click=purge>
                "Trash all their comments"
            </button>
            <button type="button" on:click=move |_| close_panel(list)>"Cancel"</button>
        </div>
    }
}

/// "Delete for good?" on one comment in the Trash: the only way words go for good. The
/// focus starts on "Keep it", so a second Enter destroys nothing.
#[component]
fn DestroyPanel(list: List, id: CommentId) -> impl IntoView {
    let confirm = NodeRef::<leptos::html::Button>::new();
    autofocus(confirm);
    view! {
        <div class="panel" role="group" aria-label="Delete this comment for good"
            on:keydown=move |ev| if ev.key() == "Escape" { close_panel(list) }>
            <p>"Delete this comment for good? What it says cannot be brought back; replies stay under “[deleted]”."</p>
            <button type="button" class="danger"
                on:click=move |_| { list.panel.set(None); list.moderate(vec![id], Decision::Delete) }>
                "Delete for good"
            </button>
            <button type="button" node_ref=confirm on:click=move |_| close_panel(list)>"Keep it"</button>
        </div>
    }
}

/// The owner corrects a comment's text (Markdown, cleaned on the server like an author's
/// edit). Escape or Cancel leaves it as it was.
#[component]
fn EditPanel(list: List, id: CommentId, text: String) -> impl IntoView {
    let body = RwSignal::new(text);
    let busy = RwSignal::new(false);
    let field = NodeRef::<leptos::html::Textarea>::new();
    autofocus(field);
    let field_id = format!("edit-{}", id.0);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            let edit = OwnerEdit {
                id,
                body: body.get_untracked(),
            };
            match api::post::<_, Done>(AdminOp::EditComment, &edit).await {
                Ok(_) => {
                    list.ctx
                        .done("Saved the new text: readers see it, marked edited.");
                    close_panel(list);
                    list.ctx.comments_changed();
                }
                Err(e) => {
                    list.ctx.fail(e);
                    if let Some(el) = field.get_untracked() {
                        let _ = el.focus();
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <form class="panel" on:submit=save>
            <label for=field_id.clone()>"The comment's text (Markdown)"</label>
            <textarea id=field_id rows="5" required node_ref=field bind:value=body
                on:keydown=move |ev| if ev.key() == "Escape" { close_panel(list) }></textarea>
            <button type="submit" disabled=move || busy.get()>"Save text"</button>
            <button type="button" on:click=move |_| close_panel(list)>"Cancel"</button>
        </form>
    }
}
