//! The comment form: "Leave a comment" at the bottom (opened in place of the collapsed box
//! the server rendered), and the same form inline under a comment when the reader clicks
//! Reply. Drafts live in `localStorage` until posted, so a reload, a network failure or a
//! server error never loses what the reader typed. A published comment comes back from
//! the server as HTML, which the reading half inserts.
//!
//! The server validates before it checks the form timer, so a form sent too early learns
//! at once what to fix; a valid one sent too early waits out the timer and goes again.

use std::collections::HashMap;

use colloquy_core::wire::api::{CommentId, CreatedComment, NewComment, ReplyEmails};
use colloquy_core::{ErrorCode, Field};
use leptos::html::{Input, Textarea};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ClientError};
use crate::session::Session;
use colloquy_browser::bridge::{Outcome, Posted, ReplyTo};
use colloquy_browser::storage::{self, save_own, OwnComment};
use colloquy_browser::turnstile;
use colloquy_browser::{now_ms, sleep_ms};
use colloquy_i18n::Strings;

/// Stable names used in element ids (and by the browser tests).
fn field_name(field: Field) -> &'static str {
    match field {
        Field::Body => "body",
        Field::Name => "name",
        Field::Email => "email",
        Field::Website => "website",
        Field::Thread => "thread",
        Field::ThreadTitle => "thread-title",
        Field::ThreadUrl => "thread-url",
        Field::ParentId => "parent",
    }
}

/// Which form input a field error belongs to (thread fields have no input).
fn has_input(field: Field) -> bool {
    matches!(
        field,
        Field::Body | Field::Name | Field::Email | Field::Website
    )
}

/// The inputs of the form, in order, to focus the first one with a problem.
#[derive(Clone, Copy)]
struct Inputs {
    body: NodeRef<Textarea>,
    name: NodeRef<Input>,
    email: NodeRef<Input>,
    website: NodeRef<Input>,
}

impl Inputs {
    fn focus_first(&self, errors: &HashMap<Field, ErrorCode>) {
        let focused = if errors.contains_key(&Field::Body) {
            self.body.get_untracked().map(|e| e.focus())
        } else if errors.contains_key(&Field::Name) {
            self.name.get_untracked().map(|e| e.focus())
        } else if errors.contains_key(&Field::Email) {
            self.email.get_untracked().map(|e| e.focus())
        } else if errors.contains_key(&Field::Website) {
            self.website.get_untracked().map(|e| e.focus())
        } else {
            None
        };
        let _ = focused;
    }
}

/// `parent` is the comment being answered, `None` for a top-level comment; `initial` is
/// text typed into the collapsed box before this form arrived. `host` is where it is
/// mounted (events about it start there).
#[component]
pub fn CommentForm(
    host: web_sys::HtmlElement,
    parent: Option<ReplyTo>,
    initial: String,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let t: &'static Strings<'static> = session.t;
    let identity = session.identity;
    let parent_id = parent.as_ref().map(|p| p.id);
    let (base, key) = (session.api_base(), session.thread());
    // The box's text is the newest (the reading half kept it as the draft as it was
    // typed); a reply form starts from its draft.
    let draft = storage::load_draft(&base, &key, parent_id);
    let body = RwSignal::new(if initial.trim().is_empty() {
        draft
    } else {
        initial
    });
    // Every keystroke is kept on this device until the comment is published.
    {
        let (base, key) = (base.clone(), key.clone());
        Effect::new(move || body.with(|text| storage::save_draft(&base, &key, parent_id, text)));
    }
    // Hidden from people (off-screen, not focusable); bots that fill every field fill it.
    let honeypot = RwSignal::new(String::new());
    // Reply emails: off until the reader asks (and then confirmed by email first).
    let notify = RwSignal::new(false);
    let field_errors = RwSignal::new(HashMap::<Field, ErrorCode>::new());
    // A field's error goes as soon as the reader changes that field.
    let inputs_in_order = [
        (Field::Body, body),
        (Field::Name, identity.name),
        (Field::Email, identity.email),
        (Field::Website, identity.website),
    ];
    Effect::new(move |before: Option<Vec<String>>| {
        let now: Vec<String> = inputs_in_order.iter().map(|(_, v)| v.get()).collect();
        if let Some(before) = before {
            for ((field, _), (old, new)) in inputs_in_order.iter().zip(before.iter().zip(&now)) {
                if old != new && field_errors.with_untracked(|e| e.contains_key(field)) {
                    field_errors.update(|e| {
                        e.remove(field);
                    });
                }
            }
        }
        now
    });
    let general_error = RwSignal::new(None::<(String, bool)>);
    let error_box = NodeRef::<leptos::html::P>::new();
    // "Published" (or "awaiting moderation") about the comment just posted, while it is there.
    let status = RwSignal::new(None::<(&'static str, CommentId)>);
    // Reply emails asked for wait for the address's confirmation: say where to look.
    let confirm_note = RwSignal::new(false);
    let submitting = RwSignal::new(false);
    let previewing = RwSignal::new(false);
    let preview_html = RwSignal::new(None::<String>);
    let prefix = match parent_id {
        Some(id) => format!("cq-reply-{id}"),
        None => "cq-new".to_owned(),
    };
    let title = match &parent {
        // First-strong isolates around the name: a name in the other direction (Arabic in
        // an English title, Latin in a Hebrew one) cannot reorder the words around it.
        Some(p) => t
            .reply_to
            .replace("{name}", &format!("\u{2068}{}\u{2069}", p.name)),
        None => t.leave_a_comment.to_owned(),
    };
    let placement = parent
        .as_ref()
        .map(|p| (p.depth, p.flat))
        .unwrap_or((1, false));
    let host = StoredValue::new_local(host);
    let is_reply = parent.is_some();
    let submit_label = if parent.is_some() {
        t.submit_reply
    } else {
        t.submit
    };
    let inputs = Inputs {
        body: NodeRef::new(),
        name: NodeRef::new(),
        email: NodeRef::new(),
        website: NodeRef::new(),
    };
    // Opening a form moves focus into it, where the reader will type: after the text
    // already there, so typing goes on where it stopped.
    Effect::new(move || {
        if let Some(el) = inputs.body.get() {
            let _ = el.focus();
            let end = el.value().encode_utf16().count() as u32;
            let _ = el.set_selection_range(end, end);
        }
    });

    // Turnstile, when the site uses it: a container, the solved token, the widget id.
    let challenge_ref = NodeRef::<leptos::html::Div>::new();
    let challenge_token = RwSignal::new(None::<String>);
    let challenge_id = StoredValue::new_local(None::<wasm_bindgen::JsValue>);
    Effect::new(move || {
        let settings = session.settings();
        let (Some(el), Some(site_key)) = (challenge_ref.get(), settings.turnstile_site_key) else {
            return;
        };
        if challenge_id.with_value(Option::is_some) {
            return;
        }
        let url = settings.turnstile_script_url.unwrap_or_default();
        spawn_local(async move {
            let id = turnstile::render(&el, &site_key, &url, move |t| challenge_token.set(Some(t)))
                .await;
            challenge_id.set_value(id);
        });
    });

    let submit = Callback::new(move |()| {
        if submitting.get_untracked() {
            return;
        }
        let config = session.context.get_value();
        // Normalised on submit, never while typing: the reader's text stays as typed.
        let trimmed = |s: RwSignal<String>| s.get_untracked().trim().to_owned();
        let mut comment = NewComment {
            thread: config.state.thread.clone(),
            thread_title: Some(config.page_title.clone()).filter(|t| !t.trim().is_empty()),
            thread_url: Some(config.page_url.clone()).filter(|u| u.starts_with("http")),
            parent_id,
            body: body.get_untracked(),
            name: trimmed(identity.name),
            email: trimmed(identity.email),
            website: Some(trimmed(identity.website)).filter(|w| !w.is_empty()),
            form_token: String::new(),
            honeypot: Some(honeypot.get_untracked()).filter(|h| !h.is_empty()),
            turnstile_token: challenge_token.get_untracked(),
            owner_key: storage::owner_key(&config.api_base),
            author_key: Some(storage::author_key(&config.api_base)).filter(|k| !k.is_empty()),
            notify_replies: notify.get_untracked(),
        };
        // One key per comment as written: a retry (Retry, a second click, a lost answer)
        // sends the same one; a changed comment is a new attempt.
        // Kept with the draft in localStorage: a reload after a lost answer still
        // sends the same key.
        let fingerprint = storage::fingerprint(&format!(
            "{:?}|{}|{}|{}|{:?}",
            comment.parent_id, comment.body, comment.name, comment.email, comment.website
        ));
        let (api_base, thread) = (config.api_base.clone(), config.state.thread.clone());
        let key = match storage::load_attempt(&api_base, &thread, parent_id) {
            Some((f, key)) if f == fingerprint => Some(key),
            _ => storage::random_hex(),
        };
        storage::save_attempt(
            &api_base,
            &thread,
            parent_id,
            key.as_deref().map(|k| (fingerprint.as_str(), k)),
        );
        submitting.set(true);
        field_errors.set(HashMap::new());
        general_error.set(None);
        status.set(None);
        spawn_local(async move {
            let result = send(session, &config, placement, &mut comment, key.as_deref()).await;
            submitting.set(false);
            // A Turnstile token is single-use: whatever happened, ask for a new one.
            if comment.turnstile_token.is_some() {
                challenge_token.set(None);
                challenge_id.with_value(|id| id.as_ref().map(turnstile::reset));
            }
            match result {
                Ok(created) => {
                    storage::save_attempt(&api_base, &thread, parent_id, None);
                    // The draft goes now, not when the effect saving the emptied box runs:
                    // the reader relabels the Reply button as soon as it hears of the post.
                    storage::save_draft(&api_base, &thread, parent_id, "");
                    body.set(String::new());
                    previewing.set(false);
                    identity.keep_as_chosen();
                    // Each token posts once: the answer carries the next one.
                    session
                        .form_token
                        .set((created.form_token.clone(), now_ms()));
                    let own = OwnComment {
                        token: created.edit_token,
                        expires_ms: js_sys::Date::new(&created.edit_expires_at.into()).get_time()
                            as i64,
                        markdown: comment.body.clone(),
                    };
                    let id = created.comment.id;
                    save_own(&config.api_base, id, &own);
                    confirm_note.set(created.reply_emails == Some(ReplyEmails::Confirm));
                    status.set(Some((
                        if created.comment.pending {
                            t.awaiting_moderation
                        } else {
                            t.posted
                        },
                        id,
                    )));
                    let posted = Outcome::Posted(Posted {
                        id,
                        parent_id: created.comment.parent_id,
                        pending: created.comment.pending,
                        pending_token: created.pending_token,
                        html: created.html,
                    });
                    host.with_value(|h| posted.dispatch(h));
                }
                Err(e) => {
                    // The button was disabled while sending, so the focus fell to the page:
                    // it goes to what the reader can act on, once that is drawn.
                    let fields = field_errors_of(&e);
                    if fields.is_empty() {
                        general_error.set(Some((general_message(&e, t), e.retryable())));
                        request_animation_frame(move || focus_error(error_box));
                    } else {
                        if fields.contains_key(&Field::Body) {
                            previewing.set(false);
                        }
                        field_errors.set(fields.clone());
                        request_animation_frame(move || inputs.focus_first(&fields));
                    }
                }
            }
        });
    });

    let show_preview = move |_| {
        previewing.set(true);
        preview_html.set(None);
        let (base, text) = (session.api_base(), body.get_untracked());
        if text.trim().is_empty() {
            return;
        }
        spawn_local(async move {
            match api::preview(&base, text).await {
                Ok(p) => preview_html.set(Some(p.html)),
                Err(e) => general_error.set(Some((e.message(t), false))),
            }
        });
    };

    let error_of = move |field: Field| move || field_errors.with(|e| e.get(&field).copied());
    let id_of = |field: Field| format!("{prefix}-{}", field_name(field));
    let field_view = move |field: Field, label: &'static str, required: bool, input: AnyView| {
        let id = id_of(field);
        let error = error_of(field);
        view! {
            <p class="cq-field" class:cq-invalid=move || error().is_some()>
                <label for=id.clone()>
                    {label}
                    {required.then(|| view! { <span class="cq-required" aria-hidden="true">" *"</span> })}
                </label>
                {input}
                <span class="cq-error" id=format!("{id}-error") aria-live="polite">
                    {move || error().map(|code| t.error(code))}
                </span>
            </p>
        }
    };
    let input_attrs = move |field: Field| {
        let id = id_of(field);
        let error_id = format!("{id}-error");
        (id, error_id, move || {
            error_of(field)().is_some().to_string()
        })
    };

    let (body_id, body_err, body_invalid) = input_attrs(Field::Body);
    let (name_id, name_err, name_invalid) = input_attrs(Field::Name);
    let (email_id, email_err, email_invalid) = input_attrs(Field::Email);
    let (web_id, web_err, web_invalid) = input_attrs(Field::Website);
    let heading_id = format!("{prefix}-title");
    let help_id = format!("{prefix}-help");
    let described = format!("{body_err} {help_id}");
    // Shown while the comment it is about is there (not after it was deleted).
    let status_text = move || {
        let (text, id) = status.get()?;
        (!session.deleted.with(|d| d.contains(&id))).then_some(text)
    };

    view! {
        <form class="cq-form" class:cq-form-reply=parent_id.is_some() novalidate aria-labelledby=heading_id.clone()
            on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                submit.run(());
            }>
            <h3 class="cq-form-title" id=heading_id.clone()>{title}</h3>
            <p class="cq-note">{t.privacy_note} <span class="cq-required">" *"</span></p>
            <div class="cq-tabs" role="group">
                <button type="button" class="cq-tab" aria-pressed=move || (!previewing.get()).to_string()
                    on:click=move |_| previewing.set(false)>{t.write_tab}</button>
                <button type="button" class="cq-tab" aria-pressed=move || previewing.get().to_string()
                    on:click=show_preview>{t.preview_tab}</button>
            </div>
            <div hidden=move || !previewing.get()>
                <div class="cq-preview cq-body" aria-live="polite"
                    inner_html=move || preview_html.get().unwrap_or_default()></div>
                <Show when=move || preview_html.with(Option::is_none)>
                    <p class="cq-status">{t.preview_empty}</p>
                </Show>
            </div>
            <div hidden=move || previewing.get()>
                {field_view(Field::Body, t.label_body, true, view! {
                    // Text runs the way its own first letters do (Latin in an Arabic widget, Hebrew
                    // in an English one), as the published comment will; addresses always left to right.
                    <textarea id=body_id name="comment" rows="6" dir="auto" required aria-required="true" node_ref=inputs.body
                        aria-invalid=body_invalid aria-describedby=described bind:value=body></textarea>
                }.into_any())}
                <p class="cq-help" id=help_id>{t.markdown_help}</p>
            </div>
            <div class="cq-identity">
                {field_view(Field::Name, t.label_name, true, view! {
                    <input id=name_id name="author" type="text" dir="auto" autocomplete="name" required aria-required="true"
                        node_ref=inputs.name aria-invalid=name_invalid aria-describedby=name_err bind:value=identity.name />
                }.into_any())}
                // Plain text inputs: `type="email"`/`"url"` make the browser rewrite the value
                // while the reader types (spaces vanish, the cursor jumps).
                {field_view(Field::Email, t.label_email, true, view! {
                    <input id=email_id name="email" type="text" dir="ltr" inputmode="email" autocomplete="email"
                        autocapitalize="off" spellcheck="false" required aria-required="true"
                        node_ref=inputs.email aria-invalid=email_invalid aria-describedby=email_err bind:value=identity.email />
                }.into_any())}
                {field_view(Field::Website, t.label_website, false, view! {
                    <input id=web_id name="url" type="text" dir="ltr" inputmode="url" autocomplete="url"
                        autocapitalize="off" spellcheck="false"
                        node_ref=inputs.website aria-invalid=web_invalid aria-describedby=web_err bind:value=identity.website />
                }.into_any())}
            </div>
            <p class="cq-remember">
                <label>
                    <input type="checkbox" bind:checked=identity.remember />
                    " " {t.remember_me}
                </label>
            </p>
            <Show when=move || session.settings().reply_notifications>
                <p class="cq-remember cq-notify">
                    <label>
                        <input type="checkbox" bind:checked=notify />
                        " " {t.notify_replies}
                    </label>
                </p>
            </Show>
            <Show when=move || session.context.with_value(|c| c.state.settings.turnstile_site_key.is_some())>
                <div class="cq-turnstile" node_ref=challenge_ref></div>
            </Show>
            <p class="cq-honeypot" aria-hidden="true">
                <label>
                    {t.honeypot_label}
                    <input type="text" name="homepage" tabindex="-1" autocomplete="off" bind:value=honeypot />
                </label>
            </p>
            <p class="cq-submit">
                <button type="submit" class="cq-button" disabled=move || submitting.get()>
                    {move || if submitting.get() { t.submitting } else { submit_label }}
                </button>
                {is_reply.then(|| view! {
                    " "
                    <button type="button" class="cq-link cq-cancel-reply"
                        on:click=move |_| host.with_value(|h| Outcome::Closed.dispatch(h))>
                        {t.cancel_reply}
                    </button>
                })}
                <Show when=move || identity.remembered.get()>
                    " "
                    <button type="button" class="cq-link cq-forget" on:click=move |_| identity.forget()>{t.forget_me}</button>
                </Show>
            </p>
            <p class="cq-form-error" role="alert" tabindex="-1" node_ref=error_box>
                {move || general_error.get().map(|(message, retry)| view! {
                    {message}
                    {retry.then(|| view! {
                        " "
                        <button type="button" class="cq-link cq-retry" on:click=move |_| submit.run(())>{t.retry}</button>
                    })}
                })}
            </p>
            <p class="cq-form-status" role="status">
                {status_text}
                {move || (confirm_note.get() && status_text().is_some())
                    .then(|| view! { " " {t.confirm_reply_emails} })}
            </p>
        </form>
    }
}

/// A failure that is no field's: the focus on Retry when there is one, else on the
/// message (read out by its role, and where the keyboard continues from).
fn focus_error(error_box: NodeRef<leptos::html::P>) {
    use wasm_bindgen::JsCast;
    let Some(p) = error_box.get_untracked() else {
        return;
    };
    let retry = p
        .query_selector(".cq-retry")
        .ok()
        .flatten()
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
    let _ = match retry {
        Some(b) => b.focus(),
        None => p.focus(),
    };
}

/// The field problems in a failed post, keyed by the input they belong to. A body too
/// large for the server to read at all is the body's problem too.
fn field_errors_of(e: &ClientError) -> HashMap<Field, ErrorCode> {
    match e {
        ClientError::Api(err) if err.error.code == ErrorCode::PayloadTooLarge => {
            HashMap::from([(Field::Body, ErrorCode::BodyTooLong)])
        }
        ClientError::Api(err) => err
            .error
            .fields
            .iter()
            .filter(|f| has_input(f.field))
            .map(|f| (f.field, f.code))
            .collect(),
        _ => HashMap::new(),
    }
}

/// The message for a failure no input can show: for a validation failure, the first
/// field's own message (the page's thread settings, say), never "check the highlighted
/// fields" with nothing highlighted.
fn general_message(e: &ClientError, t: &Strings) -> String {
    match e {
        ClientError::Api(err) => match err.error.fields.first() {
            Some(f) => t.error(f.code),
            None => t.error(err.error.code),
        },
        other => other.message(t),
    }
}

/// Send `comment` with the current form token, asking for its HTML at `placement`
/// (depth, beside its parent). Too early (the site's minimum time since the form was
/// shown): wait out the rest and send again. Expired (the page was open for hours, or the
/// reader's address changed): fetch a fresh token and send again.
async fn send(
    session: Session,
    config: &crate::session::Context,
    placement: (usize, bool),
    comment: &mut NewComment,
    idempotency_key: Option<&str>,
) -> Result<CreatedComment, ClientError> {
    let mut renewed = false;
    let mut waited = false;
    loop {
        let (token, loaded_at) = session.form_token.get_untracked();
        comment.form_token = token;
        let result = api::post(
            &config.api_base,
            comment,
            &config.state,
            placement,
            idempotency_key,
        )
        .await;
        match result.as_ref().err().and_then(ClientError::code) {
            Some(ErrorCode::TooFast) if !waited => {
                waited = true;
                let min_ms = i64::from(config.state.settings.min_submit_secs) * 1000;
                sleep_ms(loaded_at + min_ms + 250 - now_ms()).await;
            }
            Some(ErrorCode::FormExpired) if !renewed => {
                renewed = true;
                session.renew_form_token().await;
            }
            _ => return result,
        }
    }
}
