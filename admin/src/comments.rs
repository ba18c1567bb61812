//! The queue tabs (pending, reported, spam) and "Everything" (recent comments, search):
//! one list with per-comment actions, select-many bulk actions and keyboard shortcuts.
//! After every action the list is fetched again, so what it shows is what readers see.

use std::collections::BTreeSet;

use colloquy_core::api::CreatedComment;
use colloquy_core::console::{
    BlockChange, CommentList, Done, Moderate, OwnerComment, OwnerReply, Purge, Tab, ThreadChange,
};
use colloquy_core::endpoint::AdminOp;
use colloquy_core::rules::HeldFor;
use colloquy_core::store::Decision;
use colloquy_core::CommentId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{self, encode};
use crate::app::Ctx;

/// The inline panel open under one comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    Reply,
    Block,
    Purge,
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

/// What a decision did to `n` comments, as the status line says it.
fn decided(decision: Decision, n: usize) -> String {
    let comments = plural(n, "comment");
    match decision {
        Decision::Approve => format!("Approved {comments}."),
        Decision::Spam => format!("Marked {comments} as spam."),
        Decision::Delete => format!("Deleted {comments}."),
    }
}

use colloquy_core::words::count_s as plural;

/// The list's state, shared by its items and its keyboard handler.
#[derive(Clone, Copy)]
struct List {
    tab: Tab,
    items: RwSignal<Vec<OwnerComment>>,
    next: RwSignal<Option<CommentId>>,
    selected: RwSignal<BTreeSet<CommentId>>,
    /// The item that holds the roving tab stop (and that single-key actions act on).
    current: RwSignal<usize>,
    panel: RwSignal<Option<(CommentId, Panel)>>,
    query: RwSignal<String>,
    loading: RwSignal<bool>,
    ctx: Ctx,
}

impl List {
    /// Fetch the first page again (or the next one with `more`), then put the focus back
    /// on the item at the current position when `refocus`.
    fn load(self, more: bool, refocus: bool) {
        let mut query = format!("tab={}", self.tab.as_str());
        let search = self.query.get_untracked();
        if !search.trim().is_empty() {
            query.push_str(&format!("&q={}", encode(search.trim())));
        }
        if more {
            if let Some(before) = self.next.get_untracked() {
                query.push_str(&format!("&before={}", before.0));
            }
        }
        self.loading.set(true);
        spawn_local(async move {
            match api::get::<CommentList>(AdminOp::Comments, &query).await {
                Ok(list) => {
                    let ids: BTreeSet<CommentId> = list.comments.iter().map(|c| c.id).collect();
                    if more {
                        self.items.update(|items| items.extend(list.comments));
                    } else {
                        self.items.set(list.comments);
                        self.selected.update(|s| s.retain(|id| ids.contains(id)));
                    }
                    self.next.set(list.next_before);
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
        if ids.is_empty() {
            return;
        }
        spawn_local(async move {
            let n = ids.len();
            match api::post::<_, Done>(AdminOp::Moderate, &Moderate { ids, decision }).await {
                Ok(_) => {
                    self.selected.set(BTreeSet::new());
                    self.ctx.done(decided(decision, n));
                    self.load(false, true);
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
            "a" => {
                self.moderate(self.targets(), Decision::Approve);
                true
            }
            "s" => {
                self.moderate(self.targets(), Decision::Spam);
                true
            }
            "d" | "Delete" => {
                self.moderate(self.targets(), Decision::Delete);
                true
            }
            "r" => {
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
    let list = List {
        tab,
        items: RwSignal::new(Vec::new()),
        next: RwSignal::new(None),
        selected: RwSignal::new(BTreeSet::new()),
        current: RwSignal::new(0),
        panel: RwSignal::new(None),
        query: RwSignal::new(String::new()),
        loading: RwSignal::new(true),
        ctx: Ctx::get(),
    };
    list.load(false, false);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        list.current.set(0);
        list.load(false, false);
    };
    let all_selected = move || {
        list.items.with(|items| {
            !items.is_empty()
                && list
                    .selected
                    .with(|s| items.iter().all(|c| s.contains(&c.id)))
        })
    };
    let select_all = move |_| {
        if all_selected() {
            list.selected.set(BTreeSet::new());
        } else {
            list.selected.set(
                list.items
                    .with_untracked(|items| items.iter().map(|c| c.id).collect()),
            );
        }
    };
    let bulk = move |decision: Decision| {
        move |_| {
            list.moderate(
                list.selected.get_untracked().into_iter().collect(),
                decision,
            )
        }
    };
    let none_selected = move || list.selected.with(BTreeSet::is_empty);
    view! {
        <form class="search" role="search" on:submit=search>
            <label for="console-search">
                {if tab == Tab::All { "Search" } else { "Filter" }}
                " by text, author, email or thread"
            </label>
            <input id="console-search" type="search" bind:value=list.query/>
            <button type="submit">{if tab == Tab::All { "Search" } else { "Filter" }}</button>
        </form>
        <div class="toolbar" role="group" aria-label="Bulk actions">
            <label class="select-all">
                <input type="checkbox" prop:checked=all_selected on:change=select_all/>
                "Select all"
            </label>
            <span class="count" aria-live="polite">
                {move || {
                    let n = list.selected.with(BTreeSet::len);
                    if n == 0 { String::new() } else { format!("{n} selected") }
                }}
            </span>
            <button type="button" disabled=none_selected on:click=bulk(Decision::Approve)>
                "Approve selected"
            </button>
            <button type="button" disabled=none_selected on:click=bulk(Decision::Spam)>
                "Spam selected"
            </button>
            <button type="button" class="danger" disabled=none_selected on:click=bulk(Decision::Delete)>
                "Delete selected"
            </button>
        </div>
        <p class="keys">
            "Keys: " <kbd>"j"</kbd> "/" <kbd>"k"</kbd> " next/previous, " <kbd>"x"</kbd>
            " select, " <kbd>"a"</kbd> " approve, " <kbd>"s"</kbd> " spam, " <kbd>"d"</kbd>
            " delete, " <kbd>"r"</kbd> " reply (on the selection, else the focused comment)."
        </p>
        <ul class="list" aria-label="Comments" on:keydown=move |ev| list.key(ev)>
            {move || {
                let items = list.items.get();
                if items.is_empty() {
                    let text = if list.loading.get() { "Loading…" } else { "Nothing here." };
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
                "Older comments"
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
    let deleted = status == "deleted";
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
    let pin = move |_| {
        let key = thread_key.clone();
        spawn_local(async move {
            let change = ThreadChange {
                key,
                pin: Some(id),
                ..ThreadChange::default()
            };
            match api::post::<_, Done>(AdminOp::ChangeThread, &change).await {
                Ok(_) => list.ctx.done("Pinned: readers see this comment first."),
                Err(e) => list.ctx.fail(e),
            }
        });
    };
    let thread_label = comment
        .thread_title
        .clone()
        .unwrap_or_else(|| comment.thread.clone());
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
                    <span class=format!("state state-{status}")>{status.clone()}</span>
                    {comment.held_for.map(|h| view! { " " <span class="held">{held_text(h)}</span> })}
                    {(comment.reports > 0).then(|| view! {
                        " " <span class="reports">{plural(comment.reports as usize, "report")}</span>
                    })}
                    " · "
                    {match comment.permalink.clone() {
                        Some(url) => view! {
                            <a href=url target="_blank" rel="noopener">{thread_label.clone()}</a>
                        }.into_any(),
                        None => view! { <span>{thread_label.clone()}</span> }.into_any(),
                    }}
                    " · " <time>{comment.created_at.clone()}</time>
                    {comment.parent_id.map(|p| view! { " · reply to #" {p.0} })}
                </div>
            </div>
            <div class="body" inner_html=comment.body_html.clone()></div>
            <div class="actions">
                {(!approved && !deleted).then(|| view! {
                    <button type="button" on:click=act(Decision::Approve)>"Approve"</button>
                })}
                {(status != "spam" && !deleted).then(|| view! {
                    <button type="button" on:click=act(Decision::Spam)>"Spam"</button>
                })}
                {(!deleted).then(|| view! {
                    <button type="button" class="danger" on:click=act(Decision::Delete)>"Delete"</button>
                })}
                {(approved).then(|| view! {
                    <button type="button" aria-expanded=move || open(Panel::Reply).to_string()
                        on:click=toggle_panel(Panel::Reply)>"Reply as owner"</button>
                })}
                {(approved && top_level).then(|| view! {
                    <button type="button" on:click=pin>"Pin"</button>
                })}
                {(!comment.owner && !deleted).then(|| view! {
                    <button type="button" aria-expanded=move || open(Panel::Block).to_string()
                        on:click=toggle_panel(Panel::Block)>"Block author…"</button>
                    <button type="button" class="danger" aria-expanded=move || open(Panel::Purge).to_string()
                        on:click=toggle_panel(Panel::Purge)>"Delete all from author…"</button>
                })}
            </div>
            {move || match list.panel.get() {
                Some((open_id, p)) if open_id == id => Some(match p {
                    Panel::Reply => view! { <ReplyPanel list=list parent=id/> }.into_any(),
                    Panel::Block => view! { <BlockPanel list=list id=id/> }.into_any(),
                    Panel::Purge => view! { <PurgePanel list=list id=id/> }.into_any(),
                }),
                _ => None,
            }}
        </li>
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

#[component]
fn ReplyPanel(list: List, parent: CommentId) -> impl IntoView {
    let body = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let field = NodeRef::<leptos::html::Textarea>::new();
    autofocus(field);
    let field_id = format!("reply-{}", parent.0);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            let reply = OwnerReply {
                parent_id: parent,
                body: body.get_untracked(),
                name: String::new(),
            };
            match api::post::<_, CreatedComment>(AdminOp::Reply, &reply).await {
                Ok(_) => {
                    list.ctx.done("Reply published with the owner badge.");
                    close_panel(list);
                    list.load(false, false);
                }
                Err(e) => list.ctx.fail(e),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="panel" on:submit=send>
            <label for=field_id.clone()>"Your reply (Markdown)"</label>
            <textarea id=field_id rows="4" required node_ref=field bind:value=body
                on:keydown=move |ev| if ev.key() == "Escape" { close_panel(list) }></textarea>
            <button type="submit" disabled=move || busy.get()>"Publish reply"</button>
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
        <form class="panel" on:submit=block>
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
                    list.ctx.done(format!(
                        "Deleted {} from this author.",
                        plural(done.changed as usize, "comment")
                    ));
                    list.panel.set(None);
                    list.load(false, true);
                }
                Err(e) => list.ctx.fail(e),
            }
        });
    };
    view! {
        <div class="panel" role="group" aria-label="Delete everything from this author">
            <p>"Every comment with this author's email becomes “[deleted]” (replies stay). This cannot be undone."</p>
            <button type="button" class="danger" node_ref=confirm on:click=purge>
                "Delete all their comments"
            </button>
            <button type="button" on:click=move |_| close_panel(list)>"Cancel"</button>
        </div>
    }
}
