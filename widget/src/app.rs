//! The root component: loads the thread, holds the shared state, lays out heading, comment
//! tree and the "Leave a comment" form.

use std::collections::HashMap;

use colloquy_core::api::{PublicComment, WidgetSettings};
use colloquy_core::model::CommentId;
use colloquy_core::thread::{children_index, prune_deleted};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::comment::CommentItem;
use crate::form::{CommentForm, Identity};
use crate::{api, i18n, Config};

const STYLE: &str = include_str!("style.css");

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Ready,
    Failed,
}

/// State shared by every component of one mounted widget (provided as context).
#[derive(Clone, Copy)]
pub struct Thread {
    pub config: StoredValue<Config>,
    /// Published comments, flat and oldest first, as the API sends them.
    pub comments: RwSignal<Vec<PublicComment>>,
    pub by_id: Memo<HashMap<CommentId, PublicComment>>,
    pub children: Memo<HashMap<Option<CommentId>, Vec<CommentId>>>,
    /// The comment whose inline reply form is open (one at a time, like a blog).
    pub replying_to: RwSignal<Option<CommentId>>,
    /// The comment just posted, highlighted and scrolled to.
    pub fresh: RwSignal<Option<CommentId>>,
    /// Name, email and website, shared by the main form and every reply form.
    pub identity: Identity,
    /// The signed time stamp that new comments carry, and when (ms) it was received.
    pub form_token: RwSignal<(String, f64)>,
    pub settings: RwSignal<WidgetSettings>,
}

impl Thread {
    pub fn replies(&self, parent: Option<CommentId>) -> Vec<CommentId> {
        self.children
            .with(|c| c.get(&parent).cloned().unwrap_or_default())
    }

    /// A comment was published: show it in place without reloading.
    pub fn add(&self, comment: PublicComment) {
        let id = comment.id;
        self.comments.update(|list| list.push(comment));
        self.replying_to.set(None);
        self.fresh.set(Some(id));
    }

    /// The author edited a comment.
    pub fn replace(&self, comment: PublicComment) {
        self.comments.update(|list| {
            if let Some(c) = list.iter_mut().find(|c| c.id == comment.id) {
                *c = comment;
            }
        });
    }

    /// The author deleted a comment: it stays as "[deleted]" only if replies hang under it.
    pub fn remove(&self, id: CommentId) {
        self.comments.update(|list| {
            if let Some(c) = list.iter_mut().find(|c| c.id == id) {
                c.deleted = true;
                c.author.clear();
                c.website = None;
                c.body_html.clear();
                c.avatar.clear();
            }
            *list = prune_deleted(std::mem::take(list));
        });
    }

    pub fn api_base(&self) -> String {
        self.config.with_value(|c| c.api_base.clone())
    }

    /// Get a fresh form token (after `form_expired`), without touching the comments.
    pub async fn renew_form_token(&self) {
        let (base, key) = self
            .config
            .with_value(|c| (c.api_base.clone(), c.thread.clone()));
        if let Ok(page) = api::thread(&base, &key).await {
            self.form_token.set((page.form_token, js_sys::Date::now()));
        }
    }
}

#[component]
pub fn App(config: Config) -> impl IntoView {
    let comments = RwSignal::new(Vec::<PublicComment>::new());
    let thread = Thread {
        config: StoredValue::new(config),
        comments,
        by_id: Memo::new(move |_| {
            comments.with(|list| list.iter().map(|c| (c.id, c.clone())).collect())
        }),
        children: Memo::new(move |_| comments.with(|list| children_index(list))),
        replying_to: RwSignal::new(None),
        fresh: RwSignal::new(None),
        identity: Identity::new(),
        form_token: RwSignal::new((String::new(), 0.0)),
        settings: RwSignal::new(WidgetSettings::default()),
    };
    provide_context(thread);
    let load = RwSignal::new(Load::Loading);
    let stored_title = RwSignal::new(None::<String>);

    let fetch = move || {
        load.set(Load::Loading);
        let (base, key) = thread
            .config
            .with_value(|c| (c.api_base.clone(), c.thread.clone()));
        spawn_local(async move {
            match api::thread(&base, &key).await {
                Ok(page) => {
                    stored_title.set(page.title);
                    comments.set(page.comments);
                    thread
                        .form_token
                        .set((page.form_token, js_sys::Date::now()));
                    thread.settings.set(page.settings);
                    load.set(Load::Ready);
                }
                Err(_) => load.set(Load::Failed),
            }
        });
    };
    fetch();

    let heading = move || {
        let title = thread.config.with_value(|c| c.title.clone());
        let title = if title.trim().is_empty() {
            stored_title.get().unwrap_or_default()
        } else {
            title
        };
        i18n::heading(
            comments.with(|list| list.iter().filter(|c| !c.deleted).count()),
            &title,
        )
    };

    view! {
        <style>{STYLE}</style>
        <section class="cq" aria-labelledby="cq-heading">
            <h2 id="cq-heading" class="cq-heading">{heading}</h2>
            {move || match load.get() {
                Load::Loading => view! { <p class="cq-status" role="status">{i18n::LOADING}</p> }.into_any(),
                Load::Failed => view! {
                    <p class="cq-status cq-status-error" role="alert">
                        {i18n::LOAD_FAILED} " "
                        <button type="button" class="cq-link" on:click=move |_| fetch()>{i18n::RETRY}</button>
                    </p>
                }.into_any(),
                Load::Ready => view! {
                    <Show when=move || comments.with(Vec::is_empty)>
                        <p class="cq-status">{i18n::EMPTY}</p>
                    </Show>
                    <ol class="cq-list">
                        <For each=move || thread.replies(None) key=|id| *id let(id)>
                            <CommentItem id=id depth=0 />
                        </For>
                    </ol>
                }.into_any(),
            }}
            <CommentForm parent=None />
        </section>
    }
}
