//! The like button: one like per browser; the count changes at once and is corrected by
//! the server; a failure is said (with Retry), not silently reverted.

use colloquy_core::api::CommentId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::retry::RetryNote;
use crate::state::Thread;
use crate::storage;

#[component]
pub fn LikeButton(id: CommentId, likes: Signal<u32>) -> impl IntoView {
    let thread = expect_context::<Thread>();
    let t = thread.t;
    let base = thread.api_base();
    let liked = RwSignal::new(storage::liked(&base, id));
    let failed = RwSignal::new(false);
    let toggle = move || {
        let on = !liked.get_untracked();
        let base = thread.api_base();
        liked.set(on);
        failed.set(false);
        spawn_local(async move {
            match api::like(&base, id, storage::reader_id(&base), on).await {
                Ok(state) => {
                    storage::set_liked(&base, id, state.liked);
                    thread.comments.update(|list| {
                        if let Some(c) = list.iter_mut().find(|c| c.id == id) {
                            c.likes = state.likes;
                        }
                    });
                }
                Err(_) => {
                    liked.set(!on);
                    failed.set(true);
                }
            }
        });
    };
    let count = move || likes.get() as usize;
    view! {
        <button type="button" class="cq-link cq-like" aria-pressed=move || liked.get().to_string()
            title=move || t.plural(&t.likes, count()) on:click=move |_| toggle()>
            <span aria-hidden="true">{move || if liked.get() { "♥ " } else { "♡ " }}</span>
            <span class="cq-visually-hidden">{t.like} ": "</span>
            {count}
        </button>
        <Show when=move || failed.get()>
            <RetryNote message=t.like_failed retry_label=t.retry class="cq-like-error" retry=toggle />
        </Show>
    }
}
