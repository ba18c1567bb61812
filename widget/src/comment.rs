//! One comment with its Reply button, its inline reply form and, nested below, its replies.

use colloquy_core::model::CommentId;
use leptos::prelude::*;

use crate::app::Thread;
use crate::form::CommentForm;
use crate::{format, i18n};

/// A comment and, recursively, the replies that answer it. `depth` only drives styling.
#[component]
pub fn CommentItem(id: CommentId, depth: usize) -> impl IntoView {
    let thread = expect_context::<Thread>();
    // A comment never changes once shown here, so read it once.
    let Some(comment) = thread.by_id.with_untracked(|m| m.get(&id).cloned()) else {
        return ().into_any();
    };
    let anchor = format!("comment-{id}");
    let author = match comment.website.clone() {
        Some(url) => view! {
            <a class="cq-author" href=url rel="nofollow ugc noopener" target="_blank">{comment.author.clone()}</a>
        }
        .into_any(),
        None => view! { <span class="cq-author">{comment.author.clone()}</span> }.into_any(),
    };
    let when = format::date_time(&comment.created_at);
    let open = move || thread.replying_to.get() == Some(id);
    let toggle = move |_| {
        thread
            .replying_to
            .update(|r| *r = if *r == Some(id) { None } else { Some(id) })
    };
    let is_fresh = move || thread.fresh.get() == Some(id);
    let has_replies = move || !thread.replies(Some(id)).is_empty();

    view! {
        <li class="cq-item" class:cq-fresh=is_fresh data-depth=depth.to_string()>
            <article class="cq-comment" id=anchor.clone() aria-label=comment.author.clone()>
                <header class="cq-meta">
                    {author}
                    <a class="cq-date" href=format!("#{anchor}")>
                        <time datetime=comment.created_at.clone()>{when}</time>
                    </a>
                </header>
                // Server-rendered and allowlist-sanitized HTML (colloquy-core::render).
                <div class="cq-body" inner_html=comment.body_html.clone()></div>
                <footer class="cq-actions">
                    <button type="button" class="cq-link cq-reply" aria-expanded=move || open().to_string() on:click=toggle>
                        {move || if open() { i18n::CANCEL_REPLY } else { i18n::REPLY }}
                    </button>
                </footer>
            </article>
            <Show when=open>
                <CommentForm parent=Some((id, comment.author.clone())) />
            </Show>
            <Show when=has_replies>
                <ol class="cq-replies">
                    <For each=move || thread.replies(Some(id)) key=|id| *id let(child)>
                        {view! { <CommentItem id=child depth=depth + 1 /> }.into_any()}
                    </For>
                </ol>
            </Show>
        </li>
    }
    .into_any()
}
