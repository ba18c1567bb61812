//! One comment and, recursively, the replies shown under it: its header ([`meta`]), text,
//! like button ([`like`]), Reply with the inline form, the author's own controls
//! ([`own`]), collapsing, and "Show N more replies".

mod like;
mod meta;
mod own;

use colloquy_core::api::{CommentId, PublicComment};
use leptos::prelude::*;

use crate::form::CommentForm;
use crate::retry::RetryNote;
use crate::state::Thread;
use like::LikeButton;
use meta::CommentMeta;
use own::{EditBox, Mode, Own, OwnControls};

/// A comment and the replies shown under it. `depth` is the visual level (1 = top);
/// `visual_parent` is the comment it is displayed under, which differs from its real
/// parent once nesting is capped — then its header says "in reply to …".
#[component]
pub fn CommentItem(id: CommentId, depth: usize, visual_parent: Option<CommentId>) -> impl IntoView {
    let thread = expect_context::<Thread>();
    let t = thread.t;
    let comment = Memo::new(move |_| thread.by_id.with(|m| m.get(&id).cloned()));
    if comment.get_untracked().is_none() {
        return ().into_any();
    }
    let field = move |f: fn(&PublicComment) -> String| {
        comment.with(|c| c.as_ref().map(f).unwrap_or_default())
    };
    let deleted = Signal::derive(move || comment.with(|c| c.as_ref().is_some_and(|c| c.deleted)));
    let pending = move || comment.with(|c| c.as_ref().is_some_and(|c| c.pending));
    let likes = Signal::derive(move || comment.with(|c| c.as_ref().map_or(0, |c| c.likes)));

    let reply_button = NodeRef::<leptos::html::Button>::new();
    let article = NodeRef::<leptos::html::Article>::new();
    let open = move || thread.replying_to.get() == Some(id);
    let toggle = move |_| {
        let closing = thread.replying_to.get_untracked() == Some(id);
        thread
            .replying_to
            .set(if closing { None } else { Some(id) });
        if closing {
            // Focus goes back where the reader started.
            if let Some(b) = reply_button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    let is_target = move || thread.target.get() == Some(id);
    // Scroll to and focus a comment just posted or permalinked; focus one just loaded.
    Effect::new(move || {
        let Some(el) = article.get() else { return };
        if is_target() {
            el.scroll_into_view();
            let _ = el.focus();
        } else if thread.focus.get() == Some(id) {
            let _ = el.focus();
            thread.focus.set(None);
        }
    });

    // Replies shown under this comment, and how many of its subtree are not loaded yet.
    let shown = move || thread.replies(Some(id));
    let collapsed = RwSignal::new(false);
    let hidden_replies = move || {
        if visual_parent.is_some() {
            return 0;
        }
        let total = comment.with(|c| c.as_ref().map_or(0, |c| c.descendants as usize));
        let loaded = thread.comments.with(|list| {
            list.iter()
                .filter(|c| c.root_id == Some(id) && !c.deleted && !c.pending)
                .count()
        });
        total.saturating_sub(loaded)
    };
    let loading_replies = RwSignal::new(false);
    let replies_failed = RwSignal::new(false);
    let show_more_replies = move || {
        thread.load_and_focus(loading_replies, replies_failed, async move {
            thread.load_replies(id).await
        })
    };
    let subtree_size = move || {
        fn count(thread: &Thread, id: CommentId) -> usize {
            thread
                .replies(Some(id))
                .iter()
                .map(|c| 1 + count(thread, *c))
                .sum()
        }
        count(&thread, id)
    };
    let own = Own::new(thread, id);
    let editing = move || own.mode.get() == Mode::Editing;
    let label = move || {
        if deleted.get() {
            t.deleted.to_owned()
        } else {
            field(|c| c.author.clone())
        }
    };

    view! {
        <li class="cq-item" class:cq-target=is_target class:cq-deleted=move || deleted.get() data-depth=depth.to_string()>
            <article class="cq-comment" id=format!("comment-{id}") tabindex="-1" node_ref=article aria-label=label>
                {move || if deleted.get() {
                    view! { <p class="cq-body cq-placeholder">{t.deleted}</p> }.into_any()
                } else {
                    view! {
                        <CommentMeta comment=comment visual_parent=visual_parent />
                        // Server-rendered and allowlist-sanitized HTML (colloquy-core::render).
                        <Show when=move || !editing()>
                            <div class="cq-body" inner_html=move || field(|c| c.body_html.clone())></div>
                        </Show>
                    }
                    .into_any()
                }}
                <Show when=editing>
                    <EditBox own=own />
                </Show>
                <footer class="cq-actions">
                    <Show when=move || !deleted.get() && !pending()>
                        <LikeButton id=id likes=likes />
                        <button type="button" class="cq-link cq-reply" node_ref=reply_button
                            aria-expanded=move || open().to_string() on:click=toggle>
                            {move || if open() { t.cancel_reply } else { t.reply }}
                        </button>
                    </Show>
                    <Show when=move || !shown().is_empty()>
                        <button type="button" class="cq-link cq-collapse" aria-expanded=move || (!collapsed.get()).to_string()
                            on:click=move |_| collapsed.update(|c| *c = !*c)>
                            {move || if collapsed.get() { t.plural(&t.show_replies, subtree_size()) } else { t.hide_replies.to_owned() }}
                        </button>
                    </Show>
                    <OwnControls own=own deleted=deleted />
                </footer>
            </article>
            <Show when=open>
                <CommentForm parent=Some((id, field(|c| c.author.clone()))) />
            </Show>
            <Show when=move || !shown().is_empty() && !collapsed.get()>
                <ol class="cq-replies">
                    <For each=shown key=|id| *id let(child)>
                        {view! { <CommentItem id=child depth=depth + 1 visual_parent=Some(id) /> }.into_any()}
                    </For>
                </ol>
            </Show>
            <Show when=move || { hidden_replies() > 0 && !collapsed.get() }>
                <p class="cq-more-replies">
                    <button type="button" class="cq-link" disabled=move || loading_replies.get()
                        on:click=move |_| show_more_replies()>
                        {move || t.plural(&t.show_more_replies, hidden_replies())}
                    </button>
                    <Show when=move || replies_failed.get()>
                        " "
                        <RetryNote message=t.replies_failed retry_label=t.retry class="cq-replies-error"
                            retry=show_more_replies />
                    </Show>
                </p>
            </Show>
        </li>
    }
    .into_any()
}
