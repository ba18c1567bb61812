//! One comment with its Reply button, the author's Edit/Delete while the window is open,
//! its inline reply form and, nested below, its replies.

use colloquy_core::api::{DeleteComment, EditComment, PublicComment};
use colloquy_core::model::CommentId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ClientError};
use crate::app::Thread;
use crate::avatar::Avatar;
use crate::form::CommentForm;
use crate::storage::{forget_own, load_own, save_own};
use crate::{format, i18n};

/// What the author's own-comment controls are doing.
#[derive(Clone, Copy, PartialEq)]
enum OwnMode {
    Idle,
    Editing,
    ConfirmDelete,
}

fn error_text(err: &ClientError) -> &'static str {
    match err.code() {
        Some(code) => i18n::error_message(code),
        None => i18n::NETWORK_ERROR,
    }
}

/// A comment and, recursively, the replies that answer it. `depth` only drives styling.
#[component]
pub fn CommentItem(id: CommentId, depth: usize) -> impl IntoView {
    let thread = expect_context::<Thread>();
    let comment = Memo::new(move |_| thread.by_id.with(|m| m.get(&id).cloned()));
    let Some(initial) = comment.get_untracked() else {
        return ().into_any();
    };
    let anchor = format!("comment-{id}");
    let open = move || thread.replying_to.get() == Some(id);
    let toggle = move |_| {
        thread
            .replying_to
            .update(|r| *r = if *r == Some(id) { None } else { Some(id) })
    };
    let is_fresh = move || thread.fresh.get() == Some(id);
    let has_replies = move || !thread.replies(Some(id)).is_empty();
    let deleted = move || comment.with(|c| c.as_ref().is_some_and(|c| c.deleted));

    let base = thread.api_base();
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

    let header = move |c: &PublicComment| {
        let author = match c.website.clone() {
            Some(url) => {
                view! { <a class="cq-author" href=url rel="nofollow ugc noopener" target="_blank">{c.author.clone()}</a> }
                    .into_any()
            }
            None => view! { <span class="cq-author">{c.author.clone()}</span> }.into_any(),
        };
        let edited = c
            .edited_at
            .is_some()
            .then(|| view! { <span class="cq-edited">{i18n::EDITED}</span> });
        view! {
            <Avatar hash=c.avatar.clone() />
            {author}
            <a class="cq-date" href=format!("#comment-{}", c.id)>
                <time datetime=c.created_at.clone()>{format::date_time(&c.created_at)}</time>
            </a>
            {edited}
        }
    };

    let save_edit = {
        let base = base.clone();
        move |text: String| {
            let Some(mine) = own.get_untracked() else {
                return;
            };
            let base = base.clone();
            busy.set(true);
            spawn_local(async move {
                let input = EditComment {
                    edit_token: mine.token.clone(),
                    body: text.clone(),
                };
                match api::edit(&base, id, &input).await {
                    Ok(updated) => {
                        let mine = crate::storage::OwnComment {
                            markdown: text,
                            ..mine
                        };
                        save_own(&base, id, &mine);
                        own.set(Some(mine));
                        thread.replace(updated);
                        mode.set(OwnMode::Idle);
                        own_error.set(None);
                    }
                    Err(e) => own_error.set(Some(error_text(&e))),
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
                let input = DeleteComment {
                    edit_token: mine.token,
                };
                match api::delete(&base, id, &input).await {
                    Ok(()) => {
                        forget_own(&base, id);
                        own.set(None);
                        thread.remove(id);
                    }
                    Err(e) => own_error.set(Some(error_text(&e))),
                }
                busy.set(false);
            });
        }
    };

    let draft = RwSignal::new(String::new());
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
                }>{i18n::EDIT}</button>
                <button type="button" class="cq-link" on:click=move |_| mode.set(OwnMode::ConfirmDelete)>{i18n::DELETE}</button>
            }
            .into_any(),
            OwnMode::ConfirmDelete => view! {
                <span class="cq-confirm" role="group" aria-label=i18n::DELETE_CONFIRM>
                    {i18n::DELETE_CONFIRM} " "
                    <button type="button" class="cq-link cq-danger" disabled=move || busy.get() on:click=confirm_delete.clone()>{i18n::DELETE}</button>
                    <button type="button" class="cq-link" on:click=move |_| mode.set(OwnMode::Idle)>{i18n::KEEP}</button>
                </span>
            }
            .into_any(),
            OwnMode::Editing => ().into_any(),
        })
    };
    let edit_box = {
        let save_edit = save_edit.clone();
        move || {
            (mode.get() == OwnMode::Editing).then(|| {
                let save_edit = save_edit.clone();
                let edit_id = format!("cq-edit-{id}");
                view! {
                    <form class="cq-edit" on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        save_edit(draft.get_untracked());
                    }>
                        <label class="cq-visually-hidden" for=edit_id.clone()>{i18n::LABEL_BODY}</label>
                        <textarea id=edit_id rows="4" bind:value=draft></textarea>
                        <p class="cq-submit">
                            <button type="submit" class="cq-button" disabled=move || busy.get()>{i18n::SAVE}</button>
                            " "
                            <button type="button" class="cq-link" on:click=move |_| mode.set(OwnMode::Idle)>{i18n::CANCEL}</button>
                        </p>
                    </form>
                }
            })
        }
    };

    view! {
        <li class="cq-item" class:cq-fresh=is_fresh class:cq-deleted=deleted data-depth=depth.to_string()>
            <article class="cq-comment" id=anchor aria-label=move || comment.with(|c| c.as_ref().map(|c| c.author.clone()).unwrap_or_default())>
                {move || {
                    let c = comment.get().unwrap_or_else(|| initial.clone());
                    if c.deleted {
                        view! { <p class="cq-body cq-placeholder">{i18n::DELETED}</p> }.into_any()
                    } else {
                        view! {
                            <header class="cq-meta">{header(&c)}</header>
                            // Server-rendered and allowlist-sanitized HTML (colloquy-core::render).
                            <Show when=move || mode.get() != OwnMode::Editing>
                                <div class="cq-body" inner_html=move || comment.with(|c| c.as_ref().map(|c| c.body_html.clone()).unwrap_or_default())></div>
                            </Show>
                        }
                        .into_any()
                    }
                }}
                {edit_box}
                <footer class="cq-actions">
                    <Show when=move || !deleted()>
                        <button type="button" class="cq-link cq-reply" aria-expanded=move || open().to_string() on:click=toggle>
                            {move || if open() { i18n::CANCEL_REPLY } else { i18n::REPLY }}
                        </button>
                    </Show>
                    {own_controls}
                    <span class="cq-form-error" role="alert">{move || own_error.get()}</span>
                </footer>
            </article>
            <Show when=open>
                <CommentForm parent=Some((id, comment.get_untracked().map(|c| c.author).unwrap_or_default())) />
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
