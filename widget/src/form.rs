//! The comment form: "Leave a comment" at the bottom, and the same form inline under a
//! comment when the reader clicks Reply.

use std::collections::HashMap;

use colloquy_core::api::{CreatedComment, NewComment};
use colloquy_core::model::CommentId;
use colloquy_core::{ErrorCode, Field};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ClientError};
use crate::app::Thread;
use crate::i18n;
use crate::storage::{save_own, OwnComment};
use crate::turnstile;

/// Who is writing: shared by all forms of the widget, so a reader types it once.
#[derive(Clone, Copy)]
pub struct Identity {
    pub name: RwSignal<String>,
    pub email: RwSignal<String>,
    pub website: RwSignal<String>,
}

impl Identity {
    pub fn new() -> Self {
        Identity {
            name: RwSignal::new(String::new()),
            email: RwSignal::new(String::new()),
            website: RwSignal::new(String::new()),
        }
    }
}

/// `parent` is the comment being answered (id and author), `None` for a top-level comment.
#[component]
pub fn CommentForm(parent: Option<(CommentId, String)>) -> impl IntoView {
    let thread = expect_context::<Thread>();
    let identity = thread.identity;
    let body = RwSignal::new(String::new());
    // Hidden from people (off-screen, not focusable); bots that fill every field fill it.
    let honeypot = RwSignal::new(String::new());
    let field_errors = RwSignal::new(HashMap::<Field, ErrorCode>::new());
    let general_error = RwSignal::new(None::<String>);
    let submitting = RwSignal::new(false);
    let parent_id = parent.as_ref().map(|(id, _)| *id);
    let prefix = match parent_id {
        Some(id) => format!("cq-reply-{id}"),
        None => "cq-new".to_owned(),
    };
    let title = match &parent {
        Some((_, name)) => i18n::reply_to(name),
        None => i18n::LEAVE_A_COMMENT.to_owned(),
    };
    let submit_label = if parent.is_some() {
        i18n::SUBMIT_REPLY
    } else {
        i18n::SUBMIT
    };
    let body_ref = NodeRef::<leptos::html::Textarea>::new();
    // Turnstile, when the site uses it: a container, the solved token, the widget id.
    let challenge_ref = NodeRef::<leptos::html::Div>::new();
    let challenge_token = RwSignal::new(None::<String>);
    let challenge_id = StoredValue::new_local(None::<wasm_bindgen::JsValue>);
    Effect::new(move || {
        let settings = thread.settings.get();
        let (Some(el), Some(key)) = (challenge_ref.get(), settings.turnstile_site_key) else {
            return;
        };
        if challenge_id.with_value(Option::is_some) {
            return;
        }
        let url = settings.turnstile_script_url.unwrap_or_default();
        spawn_local(async move {
            let id = turnstile::render(el.into(), key, url, challenge_token).await;
            challenge_id.set_value(id);
        });
    });
    // Opening a reply form moves focus into it, where the reader will type.
    if parent.is_some() {
        Effect::new(move || {
            if let Some(el) = body_ref.get() {
                let _ = el.focus();
            }
        });
    }

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if submitting.get_untracked() {
            return;
        }
        let config = thread.config.get_value();
        let mut comment = NewComment {
            thread: config.thread,
            thread_title: Some(config.title).filter(|t| !t.trim().is_empty()),
            thread_url: Some(config.page_url).filter(|u| u.starts_with("http")),
            parent_id,
            body: body.get_untracked(),
            name: identity.name.get_untracked(),
            email: identity.email.get_untracked(),
            website: Some(identity.website.get_untracked()).filter(|w| !w.trim().is_empty()),
            form_token: String::new(),
            honeypot: Some(honeypot.get_untracked()).filter(|h| !h.is_empty()),
            turnstile_token: challenge_token.get_untracked(),
        };
        submitting.set(true);
        general_error.set(None);
        spawn_local(async move {
            let mut result = send(thread, &config.api_base, &mut comment).await;
            if result
                .as_ref()
                .is_err_and(|e| e.code() == Some(ErrorCode::FormExpired))
            {
                // The page was open for days: get a fresh token and try once more.
                thread.renew_form_token().await;
                result = send(thread, &config.api_base, &mut comment).await;
            }
            submitting.set(false);
            // A Turnstile token is single-use: whatever happened, ask for a new one.
            if comment.turnstile_token.is_some() {
                challenge_token.set(None);
                challenge_id.with_value(|id| id.as_ref().map(turnstile::reset));
            }
            match result {
                Ok(created) => {
                    field_errors.set(HashMap::new());
                    body.set(String::new());
                    let own = OwnComment {
                        token: created.edit_token,
                        expires_ms: js_sys::Date::new(&created.edit_expires_at.into()).get_time(),
                        markdown: comment.body.clone(),
                    };
                    save_own(&config.api_base, created.comment.id, &own);
                    thread.add(created.comment);
                }
                Err(ClientError::Api(err)) => {
                    let fields: HashMap<Field, ErrorCode> = err
                        .error
                        .fields
                        .iter()
                        .filter(|f| i18n::has_input(f.field))
                        .map(|f| (f.field, f.code))
                        .collect();
                    let general = if fields.is_empty() {
                        Some(i18n::error_message(err.error.code).to_owned())
                    } else {
                        None
                    };
                    field_errors.set(fields);
                    general_error.set(general);
                }
                Err(ClientError::Network) => {
                    general_error.set(Some(i18n::NETWORK_ERROR.to_owned()))
                }
                Err(ClientError::Unexpected(_)) => {
                    general_error.set(Some(i18n::error_message(ErrorCode::Internal).to_owned()))
                }
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
                    {move || error().map(i18n::error_message)}
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

    view! {
        <form class="cq-form" class:cq-form-reply=parent_id.is_some() novalidate on:submit=on_submit aria-labelledby=heading_id.clone()>
            <h3 class="cq-form-title" id=heading_id.clone()>{title}</h3>
            <p class="cq-note">{i18n::PRIVACY_NOTE} <span class="cq-required">" *"</span></p>
            {field_view(Field::Body, i18n::LABEL_BODY, true, view! {
                <textarea id=body_id name="comment" rows="6" required aria-required="true" node_ref=body_ref
                    aria-invalid=body_invalid aria-describedby=body_err bind:value=body></textarea>
            }.into_any())}
            <div class="cq-identity">
                {field_view(Field::Name, i18n::LABEL_NAME, true, view! {
                    <input id=name_id name="author" type="text" autocomplete="name" required aria-required="true"
                        aria-invalid=name_invalid aria-describedby=name_err bind:value=identity.name />
                }.into_any())}
                {field_view(Field::Email, i18n::LABEL_EMAIL, true, view! {
                    <input id=email_id name="email" type="email" autocomplete="email" required aria-required="true"
                        aria-invalid=email_invalid aria-describedby=email_err bind:value=identity.email />
                }.into_any())}
                {field_view(Field::Website, i18n::LABEL_WEBSITE, false, view! {
                    <input id=web_id name="url" type="url" autocomplete="url"
                        aria-invalid=web_invalid aria-describedby=web_err bind:value=identity.website />
                }.into_any())}
            </div>
            <Show when=move || thread.settings.with(|s| s.turnstile_site_key.is_some())>
                <div class="cq-turnstile" node_ref=challenge_ref></div>
            </Show>
            <p class="cq-honeypot" aria-hidden="true">
                <label>
                    {i18n::HONEYPOT_LABEL}
                    <input type="text" name="homepage" tabindex="-1" autocomplete="off" bind:value=honeypot />
                </label>
            </p>
            <p class="cq-submit">
                <button type="submit" class="cq-button" disabled=move || submitting.get()>
                    {move || if submitting.get() { i18n::SUBMITTING } else { submit_label }}
                </button>
            </p>
            <p class="cq-form-error" role="alert">{move || general_error.get()}</p>
        </form>
    }
}

/// Send `comment` with the current form token, first waiting out the site's minimum time
/// since the form was loaded, so a fast typist is never told to slow down.
async fn send(
    thread: Thread,
    base: &str,
    comment: &mut NewComment,
) -> Result<CreatedComment, ClientError> {
    let (token, loaded_at) = thread.form_token.get_untracked();
    let min_ms = f64::from(thread.settings.with_untracked(|s| s.min_submit_secs)) * 1000.0;
    let wait = loaded_at + min_ms + 250.0 - js_sys::Date::now();
    if wait > 0.0 {
        sleep_ms(wait).await;
    }
    comment.form_token = token;
    api::post(base, comment).await
}

pub(crate) async fn sleep_ms(ms: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ =
                w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.ceil() as i32);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

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
