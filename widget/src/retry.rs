//! "Something failed — Try again": the one shape every failed request takes in the
//! widget, so no failure is silent and each can be retried where it happened.

use leptos::prelude::*;

/// An alert with `message` and a Retry button that calls `retry`. `class` names where it
/// is (`cq-more-error`, `cq-like-error`, …) for styling and tests.
#[component]
pub fn RetryNote(
    message: &'static str,
    retry_label: &'static str,
    class: &'static str,
    #[prop(into)] retry: Callback<()>,
) -> impl IntoView {
    view! {
        <span class=format!("cq-form-error {class}") role="alert">
            {message} " "
            <button type="button" class="cq-link cq-retry" on:click=move |_| retry.run(())>{retry_label}</button>
        </span>
    }
}
