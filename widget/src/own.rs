//! The author's own comment while its edit window is open: an edit box whose unsaved text
//! survives a reload, and the delete confirmation. Focus lands where the next step is; the
//! reading half puts it back when a step is cancelled.

use colloquy_core::wire::api::{CommentId, DeleteComment, EditComment};
use colloquy_core::{ErrorCode, Field};
use leptos::html::{Button, Textarea};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ClientError};
use crate::session::Session;
use colloquy_browser::bridge::{Edited, Outcome};
use colloquy_browser::storage::{self, OwnComment};

/// The edit box shown in place of the comment's text.
#[component]
pub fn EditBox(host: web_sys::HtmlElement, id: CommentId) -> impl IntoView {
    let session = expect_context::<Session>();
    let t = session.t;
    let base = session.api_base();
    let host = StoredValue::new_local(host);
    let Some(mine) = storage::load_own(&base, id) else {
        host.with_value(|h| Outcome::Closed.dispatch(h));
        return ().into_any();
    };
    let draft = RwSignal::new(storage::load_edit_draft(&base, id).unwrap_or(mine.markdown.clone()));
    let error = RwSignal::new(None::<String>);
    // The box's own field error (an empty edit), shown beside it.
    let body_error = RwSignal::new(None::<ErrorCode>);
    let busy = RwSignal::new(false);
    let mine = StoredValue::new(mine);
    // Every keystroke of an edit is kept on this device until it is saved or cancelled.
    {
        let base = base.clone();
        Effect::new(move |first: Option<()>| {
            let text = draft.get();
            if first.is_some() {
                storage::save_edit_draft(&base, id, &text);
                body_error.set(None);
            }
        });
    }
    let textarea = NodeRef::<Textarea>::new();
    let save_button = NodeRef::<Button>::new();
    let save = {
        let base = base.clone();
        move || {
            let (base, text, mine) = (base.clone(), draft.get_untracked(), mine.get_value());
            busy.set(true);
            error.set(None);
            body_error.set(None);
            spawn_local(async move {
                let input = EditComment {
                    edit_token: mine.token.clone(),
                    body: text.clone(),
                };
                match api::edit(&base, id, &input).await {
                    Ok(updated) => {
                        storage::save_own(
                            &base,
                            id,
                            &OwnComment {
                                markdown: text,
                                ..mine
                            },
                        );
                        storage::forget_edit_draft(&base, id);
                        let edited = Outcome::Edited(Edited {
                            id,
                            body_html: updated.body_html,
                            pending: updated.pending,
                        });
                        host.with_value(|h| edited.dispatch(h));
                    }
                    Err(ClientError::Api(body))
                        if body.error.fields.iter().any(|f| f.field == Field::Body) =>
                    {
                        body_error.set(
                            body.error
                                .fields
                                .iter()
                                .find(|f| f.field == Field::Body)
                                .map(|f| f.code),
                        );
                        busy.set(false);
                        // Back to the text, which says what is wrong with it.
                        // (The box may be gone: the reader cancelled meanwhile.)
                        if let Some(el) = textarea.try_get_untracked().flatten() {
                            let _ = el.focus();
                        }
                        return;
                    }
                    Err(e) => {
                        error.set(Some(e.message(t)));
                        busy.set(false);
                        // The Save button was disabled while it waited, which drops
                        // focus: back on it, to try again (the message beside it says
                        // why it failed).
                        if let Some(el) = save_button.try_get_untracked().flatten() {
                            // (Enabled now, not when the view next updates: a disabled
                            // button takes no focus.)
                            el.set_disabled(false);
                            let _ = el.focus();
                        }
                        return;
                    }
                }
                busy.set(false);
            });
        }
    };
    let cancel = move |_| {
        storage::forget_edit_draft(&base, id);
        host.with_value(|h| Outcome::Closed.dispatch(h));
    };
    Effect::new(move || {
        if let Some(el) = textarea.get() {
            let _ = el.focus();
        }
    });
    let field_id = format!("cq-edit-{id}");
    let error_id = format!("{field_id}-error");
    let invalid = move || body_error.get().is_some();
    view! {
        <form class="cq-edit" class:cq-invalid=invalid novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save();
        }>
            <label class="cq-visually-hidden" for=field_id.clone()>{t.label_body}</label>
            <textarea id=field_id rows="4" dir="auto" node_ref=textarea bind:value=draft
                aria-invalid=move || invalid().to_string() aria-describedby=error_id.clone()></textarea>
            <span class="cq-error" id=error_id aria-live="polite">
                {move || body_error.get().map(|code| t.error(code))}
            </span>
            <p class="cq-submit">
                <button type="submit" class="cq-button" node_ref=save_button disabled=move || busy.get()>{t.save}</button>
                " "
                <button type="button" class="cq-link cq-cancel-edit" on:click=cancel>{t.cancel}</button>
            </p>
            <span class="cq-form-error" role="alert">{move || error.get()}</span>
        </form>
    }
    .into_any()
}

/// "Delete this comment?" with Delete and Keep; focus starts on Keep, the safe answer.
#[component]
pub fn ConfirmDelete(host: web_sys::HtmlElement, id: CommentId) -> impl IntoView {
    let session = expect_context::<Session>();
    let t = session.t;
    let base = session.api_base();
    let host = StoredValue::new_local(host);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let keep_ref = NodeRef::<Button>::new();
    Effect::new(move || {
        if let Some(b) = keep_ref.get() {
            let _ = b.focus();
        }
    });
    let confirm = move |_| {
        let Some(mine) = storage::load_own(&base, id) else {
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
                    storage::forget_own(&base, id);
                    storage::forget_edit_draft(&base, id);
                    session.deleted.update(|d| d.push(id));
                    host.with_value(|h| Outcome::Deleted(id).dispatch(h));
                }
                Err(e) => error.set(Some(e.message(t))),
            }
            busy.set(false);
        });
    };
    view! {
        <span class="cq-confirm" role="group" aria-label=t.delete_confirm>
            {t.delete_confirm} " "
            <button type="button" class="cq-link cq-danger" disabled=move || busy.get() on:click=confirm>{t.delete}</button>
            " "
            <button type="button" class="cq-link cq-keep" node_ref=keep_ref
                on:click=move |_| host.with_value(|h| Outcome::Closed.dispatch(h))>{t.keep}</button>
        </span>
        <span class="cq-form-error" role="alert">{move || error.get()}</span>
    }
}
