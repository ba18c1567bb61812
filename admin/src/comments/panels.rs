//! The panels that open under one comment: reply, block, purge, delete for good, edit.
//! Each puts the focus back on its comment when it closes.

use colloquy_core::domain::words::count_s as plural;
use colloquy_core::wire::api::CreatedComment;
use colloquy_core::wire::console::{BlockChange, Done, OwnerEdit, OwnerReply, Purge};
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::moderation::Decision;
use colloquy_core::CommentId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::list::{focus_item, List};
use crate::api::{self};
use crate::bulk;

/// Focus the first field of a panel as it opens.
pub(super) fn autofocus<E>(node: NodeRef<E>)
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
pub(super) fn close_panel(list: List) {
    list.panel.set(None);
    let at = list.current.get_untracked();
    request_animation_frame(move || focus_item(at));
}

/// The owner's reply. On a waiting comment it approves it first (a reply to a comment
/// readers cannot see would hang in the air).
#[component]
pub(super) fn ReplyPanel(list: List, parent: CommentId, approve_first: bool) -> impl IntoView {
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
pub(super) fn BlockPanel(list: List, id: CommentId) -> impl IntoView {
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
pub(super) fn PurgePanel(list: List, id: CommentId) -> impl IntoView {
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
pub(super) fn DestroyPanel(list: List, id: CommentId) -> impl IntoView {
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
pub(super) fn EditPanel(list: List, id: CommentId, text: String) -> impl IntoView {
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
