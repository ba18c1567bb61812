//! The root view: heading, sort control, the comment tree, "Show more comments" and the
//! "Leave a comment" form. State and loading live in [`crate::state`].

use colloquy_core::api::Sort;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;
use crate::comment::CommentItem;
use crate::form::CommentForm;
use crate::retry::RetryNote;
use crate::state::{Load, Thread};
use crate::Config;
use colloquy_i18n::Strings;

#[component]
pub fn App(config: Config, t: &'static Strings<'static>) -> impl IntoView {
    browser::adopt_owner_key(&config.api_base);
    let theme = match config.theme.as_str() {
        "dark" | "auto" => config.theme.clone(),
        _ => "light".to_owned(),
    };
    let thread = Thread::new(config, t);
    provide_context(thread);
    thread.load_first();
    // Following a permalink inside the page (or the back button) reveals that comment.
    browser::on_permalink(move |id| spawn_local(async move { thread.reveal(id).await }));

    let heading = move || {
        let title = thread.config.with_value(|c| c.title.clone());
        let title = if title.trim().is_empty() {
            thread.title.get().unwrap_or_default()
        } else {
            title
        };
        t.heading(thread.total.get().map(|n| n as usize), &title)
    };
    let has_comments = move || thread.comments.with(|c| !c.is_empty());
    let on_sort = move |ev: leptos::ev::Event| {
        if let Some(sort) = Sort::parse(&event_target_value(&ev)) {
            thread.set_sort(sort);
        }
    };

    view! {
        <section class="cq" data-theme=theme lang=t.lang.tag() aria-labelledby="cq-heading">
            <div class="cq-toolbar">
                <h2 id="cq-heading" class="cq-heading" tabindex="-1" node_ref=thread.heading>{heading}</h2>
                <Show when=has_comments>
                    <label class="cq-sort">
                        {t.sort_label} " "
                        <select on:change=on_sort prop:value=move || thread.sort.get().as_str()>
                            <option value="oldest">{t.sort_oldest}</option>
                            <option value="newest">{t.sort_newest}</option>
                            <option value="liked">{t.sort_liked}</option>
                        </select>
                    </label>
                </Show>
            </div>
            <p class="cq-status cq-notice" role="status">{move || thread.notice.get()}</p>
            {move || match thread.load.get() {
                Load::Loading => view! { <p class="cq-status" role="status">{t.loading}</p> }.into_any(),
                Load::Failed => view! {
                    <p class="cq-status cq-status-error">
                        <RetryNote message=t.load_failed retry_label=t.retry class="cq-load-error"
                            retry=move || thread.load_first() />
                    </p>
                }.into_any(),
                Load::Ready => view! {
                    <Show when=move || !has_comments()>
                        <p class="cq-status">{t.empty}</p>
                    </Show>
                    <ol class="cq-list">
                        <For each=move || thread.replies(None) key=|id| *id let(id)>
                            <CommentItem id=id depth=1 visual_parent=None />
                        </For>
                    </ol>
                    <ShowMore />
                }.into_any(),
            }}
            <CommentForm parent=None />
        </section>
    }
}

/// "Show more comments": loads the next page, moves focus to its first comment, and says
/// so (with Retry) when the page could not be loaded.
#[component]
fn ShowMore() -> impl IntoView {
    let thread = expect_context::<Thread>();
    let t = thread.t;
    let loading = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let more =
        move || thread.load_and_focus(loading, failed, async move { thread.load_more().await });
    view! {
        <Show when=move || thread.next_cursor.with(Option::is_some)>
            <p class="cq-more">
                <button type="button" class="cq-button cq-secondary" disabled=move || loading.get()
                    on:click=move |_| more()>
                    {t.show_more_comments}
                </button>
            </p>
        </Show>
        <Show when=move || failed.get()>
            <p class="cq-status">
                <RetryNote message=t.more_failed retry_label=t.retry class="cq-more-error" retry=more />
            </p>
        </Show>
    }
}
