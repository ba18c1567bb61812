//! The author's own-comment controls while the edit window is open: Edit (an edit box
//! whose unsaved text survives a reload) and Delete (with a confirmation). Focus always
//! lands where the reader's next step is.

use colloquy_core::api::{CommentId, DeleteComment, EditComment, PublicComment};
use colloquy_core::{ErrorCode, Field};
use leptos::html::{Button, Textarea};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ClientError};
use crate::browser;
use crate::state::Thread;
use crate::storage::{self, OwnComment};

/// What the author's controls are doing.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Idle,
    Editing,
    ConfirmDelete,
}

/// Which control gets focus back when a step is cancelled.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Refocus {
    Edit,
    Delete,
}

/// The state of one comment's own-comment controls.
#[derive(Clone, Copy)]
pub struct Own {
    id: CommentId,
    /// The edit token, if this browser wrote the comment and the window is still open.
    mine: RwSignal<Option<OwnComment>>,
    pub mode: RwSignal<Mode>,
    draft: RwSignal<String>,
    error: RwSignal<Option<String>>,
    /// The edit box's own field error (an empty edit), shown beside it.
    body_error: RwSignal<Option<ErrorCode>>,
    busy: RwSignal<bool>,
    refocus: RwSignal<Option<Refocus>>,
}

impl Own {
    pub fn new(thread: Thread, id: CommentId) -> Self {
        let base = thread.api_base();
        let mine = storage::load_own(&base, id);
        // An edit left unsaved (a reload, a crash) reopens with its text.
        let saved_draft = mine
            .as_ref()
            .and_then(|_| storage::load_edit_draft(&base, id));
        let own = Own {
            id,
            mine: RwSignal::new(mine.clone()),
            mode: RwSignal::new(if saved_draft.is_some() {
                Mode::Editing
            } else {
                Mode::Idle
            }),
            draft: RwSignal::new(saved_draft.unwrap_or_default()),
            error: RwSignal::new(None),
            body_error: RwSignal::new(None),
            busy: RwSignal::new(false),
            refocus: RwSignal::new(None),
        };
        // Hide Edit/Delete the moment the window closes, not only after a reload.
        if let Some(expires) = mine.map(|o| o.expires_ms) {
            spawn_local(async move {
                browser::sleep_ms(expires - browser::now_ms()).await;
                own.mine.set(None);
            });
        }
        // Every keystroke of an edit is kept on this device until it is saved or cancelled.
        Effect::new(move |first: Option<()>| {
            let text = own.draft.get();
            if first.is_some() {
                if own.mode.get_untracked() == Mode::Editing {
                    storage::save_edit_draft(&base, id, &text);
                }
                own.body_error.set(None);
            }
        });
        own
    }

    fn start_edit(&self) {
        if let Some(mine) = self.mine.get_untracked() {
            self.draft.set(mine.markdown);
            self.error.set(None);
            self.mode.set(Mode::Editing);
        }
    }

    fn cancel_edit(&self, thread: Thread) {
        storage::forget_edit_draft(&thread.api_base(), self.id);
        self.body_error.set(None);
        self.error.set(None);
        self.refocus.set(Some(Refocus::Edit));
        self.mode.set(Mode::Idle);
    }

    fn save(&self, thread: Thread) {
        let Some(mine) = self.mine.get_untracked() else {
            return;
        };
        let own = *self;
        let (base, text) = (thread.api_base(), self.draft.get_untracked());
        own.busy.set(true);
        own.error.set(None);
        own.body_error.set(None);
        spawn_local(async move {
            let input = EditComment {
                edit_token: mine.token.clone(),
                body: text.clone(),
            };
            match api::edit(&base, own.id, &input).await {
                Ok(updated) => {
                    let mine = OwnComment {
                        markdown: text,
                        ..mine
                    };
                    storage::save_own(&base, own.id, &mine);
                    storage::forget_edit_draft(&base, own.id);
                    own.mine.set(Some(mine));
                    thread.replace(PublicComment {
                        pending: updated.pending,
                        ..updated
                    });
                    own.mode.set(Mode::Idle);
                    thread.focus.set(Some(own.id));
                }
                Err(ClientError::Api(body))
                    if body.error.fields.iter().any(|f| f.field == Field::Body) =>
                {
                    own.body_error.set(
                        body.error
                            .fields
                            .iter()
                            .find(|f| f.field == Field::Body)
                            .map(|f| f.code),
                    );
                }
                Err(e) => own.error.set(Some(e.message(thread.t))),
            }
            own.busy.set(false);
        });
    }

    fn delete(&self, thread: Thread) {
        let Some(mine) = self.mine.get_untracked() else {
            return;
        };
        let own = *self;
        let base = thread.api_base();
        own.busy.set(true);
        spawn_local(async move {
            let input = DeleteComment {
                edit_token: mine.token,
            };
            match api::delete(&base, own.id, &input).await {
                Ok(()) => {
                    storage::forget_own(&base, own.id);
                    storage::forget_edit_draft(&base, own.id);
                    own.mine.set(None);
                    own.mode.set(Mode::Idle);
                    thread.remove(own.id);
                }
                Err(e) => own.error.set(Some(e.message(thread.t))),
            }
            own.busy.set(false);
        });
    }
}

/// Edit and Delete (or the delete confirmation), plus any error of either.
#[component]
pub fn OwnControls(own: Own, deleted: Signal<bool>) -> impl IntoView {
    let thread = expect_context::<Thread>();
    let t = thread.t;
    let edit_ref = NodeRef::<Button>::new();
    let delete_ref = NodeRef::<Button>::new();
    let keep_ref = NodeRef::<Button>::new();
    // Focus follows the step: into the confirmation, and back to the button it came from.
    Effect::new(move || {
        let target = match own.refocus.get() {
            Some(Refocus::Edit) => edit_ref.get(),
            Some(Refocus::Delete) => delete_ref.get(),
            None => None,
        };
        // A reference can still point at the button of an earlier render, gone from the
        // page; wait for the one on the page.
        if let Some(b) = target.filter(|b| b.is_connected()) {
            let _ = b.focus();
            own.refocus.set(None);
        }
    });
    Effect::new(move || {
        if let Some(b) = keep_ref.get() {
            let _ = b.focus();
        }
    });
    let controls = move || {
        own.mine.get()?;
        if deleted.get() {
            return None;
        }
        Some(match own.mode.get() {
            Mode::Idle => view! {
                <button type="button" class="cq-link cq-edit-button" node_ref=edit_ref
                    on:click=move |_| own.start_edit()>{t.edit}</button>
                <button type="button" class="cq-link cq-delete-button" node_ref=delete_ref
                    on:click=move |_| own.mode.set(Mode::ConfirmDelete)>{t.delete}</button>
            }
            .into_any(),
            Mode::ConfirmDelete => view! {
                <span class="cq-confirm" role="group" aria-label=t.delete_confirm>
                    {t.delete_confirm} " "
                    <button type="button" class="cq-link cq-danger" disabled=move || own.busy.get()
                        on:click=move |_| own.delete(thread)>{t.delete}</button>
                    <button type="button" class="cq-link cq-keep" node_ref=keep_ref on:click=move |_| {
                        own.refocus.set(Some(Refocus::Delete));
                        own.mode.set(Mode::Idle);
                    }>{t.keep}</button>
                </span>
            }
            .into_any(),
            Mode::Editing => ().into_any(),
        })
    };
    view! {
        {controls}
        <span class="cq-form-error" role="alert">{move || own.error.get()}</span>
    }
}

/// The edit box that replaces the comment's text while editing.
#[component]
pub fn EditBox(own: Own) -> impl IntoView {
    let thread = expect_context::<Thread>();
    let t = thread.t;
    let textarea = NodeRef::<Textarea>::new();
    let id = format!("cq-edit-{}", own.id);
    let error_id = format!("{id}-error");
    Effect::new(move || {
        if let Some(el) = textarea.get() {
            let _ = el.focus();
        }
    });
    let invalid = move || own.body_error.get().is_some();
    view! {
        <form class="cq-edit" class:cq-invalid=invalid novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            own.save(thread);
        }>
            <label class="cq-visually-hidden" for=id.clone()>{t.label_body}</label>
            <textarea id=id rows="4" node_ref=textarea bind:value=own.draft
                aria-invalid=move || invalid().to_string() aria-describedby=error_id.clone()></textarea>
            <span class="cq-error" id=error_id aria-live="polite">
                {move || own.body_error.get().map(|code| t.error(code))}
            </span>
            <p class="cq-submit">
                <button type="submit" class="cq-button" disabled=move || own.busy.get()>{t.save}</button>
                " "
                <button type="button" class="cq-link cq-cancel-edit" on:click=move |_| own.cancel_edit(thread)>{t.cancel}</button>
            </p>
        </form>
    }
}
