//! A comment's header: avatar, author (isolated, so a right-to-left name cannot reorder
//! the text around it), badges, date, "(edited)" and "in reply to …".

use colloquy_core::api::{CommentId, PublicComment};
use leptos::prelude::*;

use crate::avatar::Avatar;
use crate::format;
use crate::state::Thread;

/// `visual_parent` is the comment this one is displayed under; when it differs from the
/// real parent (nesting was capped), the header says whom it answers.
#[component]
pub fn CommentMeta(
    comment: Memo<Option<PublicComment>>,
    visual_parent: Option<CommentId>,
) -> impl IntoView {
    let thread = expect_context::<Thread>();
    let t = thread.t;
    let lang = t.lang.tag();
    let in_reply_to = move || {
        let parent = comment.with(|c| c.as_ref().and_then(|c| c.parent_id))?;
        (Some(parent) != visual_parent).then(|| {
            let name = thread
                .by_id
                .with(|m| m.get(&parent).map(|p| p.author.clone()))
                .unwrap_or_default();
            let text = t.in_reply_to.replace("{name}", &name);
            view! { <a class="cq-in-reply-to" href=format!("#comment-{parent}")>{text}</a> }
        })
    };
    move || {
        let c = comment.get()?;
        let author = match c.website.clone() {
            Some(url) => view! {
                <a class="cq-author" href=url rel="nofollow ugc noopener noreferrer" target="_blank"><bdi>{c.author.clone()}</bdi></a>
            }
            .into_any(),
            None => view! { <span class="cq-author"><bdi>{c.author.clone()}</bdi></span> }.into_any(),
        };
        let gravatar = thread
            .settings
            .with(|s| s.gravatar_url.clone())
            .zip(c.gravatar.clone());
        Some(view! {
            <header class="cq-meta">
                <Avatar hash=c.avatar.clone() gravatar=gravatar />
                {author}
                {c.owner.then(|| view! { <span class="cq-badge">{t.owner_badge}</span> })}
                <a class="cq-date" href=format!("#comment-{}", c.id)>
                    <time datetime=c.created_at.clone() title=format::absolute(&c.created_at, lang)>
                        {format::relative(&c.created_at, lang)}
                    </time>
                </a>
                {c.edited_at.is_some().then(|| view! { <span class="cq-edited">{t.edited}</span> })}
                {in_reply_to}
                {c.pending.then(|| view! { <span class="cq-badge cq-pending">{t.awaiting_moderation}</span> })}
            </header>
        })
    }
}
