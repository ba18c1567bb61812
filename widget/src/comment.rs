//! One comment: author, date, text, likes, Reply, the author's own Edit/Delete while the
//! window is open, the inline reply form, and (collapsible) the replies under it.

use colloquy_core::api::{DeleteComment, EditComment, PublicComment};
use colloquy_core::model::CommentId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::app::Thread;
use crate::avatar::Avatar;
use crate::form::CommentForm;
use crate::format;
use crate::storage::{self, forget_own, load_own, save_own, OwnComment};

/// What the author's own-comment controls are doing.
#[derive(Clone, Copy, PartialEq)]
enum OwnMode {
    Idle,
    Editing,
    ConfirmDelete,
}

/// A comment and, recursively, the replies shown under it. `depth` is the visual level
/// (1 = top); `visual_parent` is the comment it is displayed under, which differs from its
/// real parent once nesting is capped — then it says "in reply to …".
#[component]
pub fn CommentItem(id: CommentId, depth: usize, visual_parent: Option<CommentId>) -> impl IntoView {
    let thread = expect_context::<Thread>();
    let t = thread.t;
    let lang = t.lang.tag();
    let comment = Memo::new(move |_| thread.by_id.with(|m| m.get(&id).cloned()));
    if comment.get_untracked().is_none() {
        return ().into_any();
    }
    let field = move |f: fn(&PublicComment) -> String| {
        comment.with(|c| c.as_ref().map(f).unwrap_or_default())
    };
    let deleted = move || comment.with(|c| c.as_ref().is_some_and(|c| c.deleted));
    let pending = move || comment.with(|c| c.as_ref().is_some_and(|c| c.pending));

    let base = thread.api_base();
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
    // Scroll to and focus a comment just posted or permalinked.
    Effect::new(move || {
        if is_target() {
            if let Some(el) = article.get() {
                el.scroll_into_view();
                let _ = el.focus();
            }
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
    let show_more_replies = move |_| {
        loading_replies.set(true);
        spawn_local(async move {
            thread.load_replies(id).await;
            loading_replies.set(false);
        });
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

    // Likes: one per reader; the count updates at once and is corrected by the server.
    let liked = RwSignal::new(storage::liked(&base, id));
    let likes = move || comment.with(|c| c.as_ref().map_or(0, |c| c.likes) as usize);
    let toggle_like = {
        let base = base.clone();
        move |_| {
            let on = !liked.get_untracked();
            let base = base.clone();
            liked.set(on);
            spawn_local(async move {
                match api::like(&base, id, storage::reader_id(), on).await {
                    Ok(state) => {
                        storage::set_liked(&base, id, on);
                        thread.comments.update(|list| {
                            if let Some(c) = list.iter_mut().find(|c| c.id == id) {
                                c.likes = state.likes;
                            }
                        });
                    }
                    Err(_) => liked.set(!on),
                }
            });
        }
    };

    // The edit token, if this browser wrote the comment and the window is still open.
    let own = RwSignal::new(load_own(&base, id));
    // Hide Edit/Delete the moment the window closes, not only after a reload.
    if let Some(expires) = own.get_untracked().map(|o| o.expires_ms) {
        spawn_local(async move {
            crate::form::sleep_ms(expires - js_sys::Date::now()).await;
            own.set(None);
        });
    }
    let mode = RwSignal::new(OwnMode::Idle);
    let own_error = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let draft = RwSignal::new(String::new());

    let save_edit = {
        let base = base.clone();
        move || {
            let Some(mine) = own.get_untracked() else {
                return;
            };
            let (base, text) = (base.clone(), draft.get_untracked());
            busy.set(true);
            spawn_local(async move {
                let input = EditComment {
                    edit_token: mine.token.clone(),
                    body: text.clone(),
                };
                match api::edit(&base, id, &input).await {
                    Ok(updated) => {
                        let mine = OwnComment {
                            markdown: text,
                            ..mine
                        };
                        save_own(&base, id, &mine);
                        own.set(Some(mine));
                        thread.replace(PublicComment {
                            pending: updated.pending,
                            ..updated
                        });
                        mode.set(OwnMode::Idle);
                        own_error.set(None);
                    }
                    Err(e) => own_error.set(Some(e.message(t))),
                }
                busy.set(false);
            });
        }
    };
    let confirm_delete = {
        let base = base.clone();
        move |_| {
            let Some(mine) = own.get_untracked() else {
                return;
            };
            let base = base.clone();
            busy.set(true);
            spawn_local(async move {
                match api::delete(
                    &base,
                    id,
                    &DeleteComment {
                        edit_token: mine.token,
                    },
                )
                .await
                {
                    Ok(()) => {
                        forget_own(&base, id);
                        own.set(None);
                        thread.remove(id);
                    }
                    Err(e) => own_error.set(Some(e.message(t))),
                }
                busy.set(false);
            });
        }
    };

    let own_controls = move || {
        let mine = own.get()?;
        if deleted() {
            return None;
        }
        Some(match mode.get() {
            OwnMode::Idle => view! {
                <button type="button" class="cq-link" on:click=move |_| {
                    draft.set(mine.markdown.clone());
                    mode.set(OwnMode::Editing);
                }>{t.edit}</button>
                <button type="button" class="cq-link" on:click=move |_| mode.set(OwnMode::ConfirmDelete)>{t.delete}</button>
            }
            .into_any(),
            OwnMode::ConfirmDelete => view! {
                <span class="cq-confirm" role="group" aria-label=t.delete_confirm>
                    {t.delete_confirm} " "
                    <button type="button" class="cq-link cq-danger" disabled=move || busy.get() on:click=confirm_delete.clone()>{t.delete}</button>
                    <button type="button" class="cq-link" on:click=move |_| mode.set(OwnMode::Idle)>{t.keep}</button>
                </span>
            }
            .into_any(),
            OwnMode::Editing => ().into_any(),
        })
    };
    let edit_box = move || {
        (mode.get() == OwnMode::Editing).then(|| {
            let save_edit = save_edit.clone();
            let edit_id = format!("cq-edit-{id}");
            view! {
                <form class="cq-edit" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    save_edit();
                }>
                    <label class="cq-visually-hidden" for=edit_id.clone()>{t.label_body}</label>
                    <textarea id=edit_id rows="4" bind:value=draft></textarea>
                    <p class="cq-submit">
                        <button type="submit" class="cq-button" disabled=move || busy.get()>{t.save}</button>
                        " "
                        <button type="button" class="cq-link" on:click=move |_| mode.set(OwnMode::Idle)>{t.cancel}</button>
                    </p>
                </form>
            }
        })
    };

    let in_reply_to = move || {
        let parent = comment.with(|c| c.as_ref().and_then(|c| c.parent_id))?;
        (Some(parent) != visual_parent).then(|| {
            let name = thread.by_id.with(|m| m.get(&parent).map(|p| p.author.clone())).unwrap_or_default();
            view! { <a class="cq-in-reply-to" href=format!("#comment-{parent}")>{t.in_reply_to.replace("{name}", &name)}</a> }
        })
    };
    let header = move || {
        let c = comment.get()?;
        let author = match c.website.clone() {
            Some(url) => view! { <a class="cq-author" href=url rel="nofollow ugc noopener" target="_blank">{c.author.clone()}</a> }.into_any(),
            None => view! { <span class="cq-author">{c.author.clone()}</span> }.into_any(),
        };
        Some(view! {
            <Avatar hash=c.avatar.clone()
                gravatar=thread.settings.with(|s| s.gravatar_url.clone()).zip(c.gravatar.clone()) />
            {author}
            {c.owner.then(|| view! { <span class="cq-badge">{t.owner_badge}</span> })}
            <a class="cq-date" href=format!("#comment-{}", c.id)>
                <time datetime=c.created_at.clone() title=format::absolute(&c.created_at, lang)>{format::relative(&c.created_at, lang)}</time>
            </a>
            {c.edited_at.is_some().then(|| view! { <span class="cq-edited">{t.edited}</span> })}
            {in_reply_to}
            {c.pending.then(|| view! { <span class="cq-badge cq-pending">{t.awaiting_moderation}</span> })}
        })
    };

    view! {
        <li class="cq-item" class:cq-target=is_target class:cq-deleted=deleted data-depth=depth.to_string()>
            <article class="cq-comment" id=format!("comment-{id}") tabindex="-1" node_ref=article
                aria-label=move || field(|c| c.author.clone())>
                {move || if deleted() {
                    view! { <p class="cq-body cq-placeholder">{t.deleted}</p> }.into_any()
                } else {
                    view! {
                        <header class="cq-meta">{header}</header>
                        // Server-rendered and allowlist-sanitized HTML (colloquy-core::render).
                        <Show when=move || mode.get() != OwnMode::Editing>
                            <div class="cq-body" inner_html=move || field(|c| c.body_html.clone())></div>
                        </Show>
                    }
                    .into_any()
                }}
                {edit_box}
                <footer class="cq-actions">
                    <Show when=move || !deleted() && !pending()>
                        <button type="button" class="cq-link cq-like" aria-pressed=move || liked.get().to_string()
                            title=move || t.plural(&t.likes, likes()) on:click=toggle_like.clone()>
                            <span aria-hidden="true">{move || if liked.get() { "♥ " } else { "♡ " }}</span>
                            <span class="cq-visually-hidden">{t.like} ": "</span>
                            {likes}
                        </button>
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
                    {own_controls}
                    <span class="cq-form-error" role="alert">{move || own_error.get()}</span>
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
                    <button type="button" class="cq-link" disabled=move || loading_replies.get() on:click=show_more_replies>
                        {move || t.plural(&t.show_replies, hidden_replies())}
                    </button>
                </p>
            </Show>
        </li>
    }
    .into_any()
}
