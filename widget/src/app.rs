//! The root component: loads the thread page by page, holds the shared state, lays out
//! heading, sort control, comment tree, "show more" and the "Leave a comment" form.

use std::collections::HashMap;

use colloquy_core::api::{PublicComment, Sort, WidgetSettings};
use colloquy_core::model::CommentId;
use colloquy_core::thread::{children_index_capped, prune_deleted};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::comment::CommentItem;
use crate::form::{CommentForm, Identity};
use crate::i18n::{Lang, Strings};
use crate::{api, storage, Config};

const STYLE: &str = include_str!("style.css");
/// Most pages loaded to reach a permalinked comment.
const MAX_PERMALINK_PAGES: usize = 50;

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
    pub t: &'static Strings,
    /// Loaded comments, flat: top-level ones in the chosen order, replies oldest first.
    pub comments: RwSignal<Vec<PublicComment>>,
    pub by_id: Memo<HashMap<CommentId, PublicComment>>,
    /// Children per parent as displayed (nesting capped at `max_depth`).
    pub children: Memo<HashMap<Option<CommentId>, Vec<CommentId>>>,
    /// The comment whose inline reply form is open (one at a time, like a blog).
    pub replying_to: RwSignal<Option<CommentId>>,
    /// The comment to scroll to and highlight (just posted, or a permalink).
    pub target: RwSignal<Option<CommentId>>,
    /// Name, email and website, shared by the main form and every reply form.
    pub identity: Identity,
    /// The signed time stamp that new comments carry, and when (ms) it was received.
    pub form_token: RwSignal<(String, f64)>,
    pub settings: RwSignal<WidgetSettings>,
    pub sort: RwSignal<Sort>,
    pub next_cursor: RwSignal<Option<String>>,
    /// Visible comments in the whole thread (not only the loaded pages).
    pub total: RwSignal<u32>,
}

impl Thread {
    pub fn replies(&self, parent: Option<CommentId>) -> Vec<CommentId> {
        self.children
            .with(|c| c.get(&parent).cloned().unwrap_or_default())
    }

    pub fn api_base(&self) -> String {
        self.config.with_value(|c| c.api_base.clone())
    }

    fn key(&self) -> String {
        self.config.with_value(|c| c.thread.clone())
    }

    /// Add comments not loaded yet (pages and reply batches overlap at their edges).
    pub fn merge(&self, incoming: Vec<PublicComment>) {
        self.comments.update(|list| {
            for c in incoming {
                match list.iter_mut().find(|e| e.id == c.id) {
                    Some(existing) => *existing = c,
                    None => list.push(c),
                }
            }
        });
    }

    /// A comment was published (or is awaiting moderation): show it without reloading.
    pub fn add(&self, comment: PublicComment) {
        let id = comment.id;
        let newest_first = self.sort.get_untracked() == Sort::Newest && comment.parent_id.is_none();
        let root = comment.root_id;
        let pending = comment.pending;
        self.comments.update(|list| {
            if let Some(root) = root
                .filter(|_| !pending)
                .and_then(|r| list.iter_mut().find(|c| c.id == r))
            {
                root.descendants += 1;
            }
            if newest_first {
                list.insert(0, comment);
            } else {
                list.push(comment);
            }
        });
        if !pending {
            self.total.update(|t| *t += 1);
        }
        self.replying_to.set(None);
        self.target.set(Some(id));
    }

    /// The author edited a comment.
    pub fn replace(&self, comment: PublicComment) {
        self.merge(vec![comment]);
    }

    /// The author deleted a comment: it stays as "[deleted]" only if replies hang under it.
    pub fn remove(&self, id: CommentId) {
        self.comments.update(|list| {
            if let Some(c) = list.iter_mut().find(|c| c.id == id) {
                c.mark_deleted();
            }
            *list = prune_deleted(std::mem::take(list));
        });
        self.total.update(|t| *t = t.saturating_sub(1));
    }

    /// Get a fresh form token (after `form_expired`), without touching the comments.
    pub async fn renew_form_token(&self) {
        let (base, key, sort) = (self.api_base(), self.key(), self.sort.get_untracked());
        if let Ok(page) = api::thread(&base, &key, sort, None).await {
            self.form_token.set((page.form_token, js_sys::Date::now()));
        }
    }

    /// Load every remaining reply under top-level comment `root`.
    pub async fn load_replies(&self, root: CommentId) {
        if let Ok(page) = api::replies(&self.api_base(), root).await {
            self.merge(page.comments);
        }
    }

    /// Load the next page of top-level comments; false when there is none or it failed.
    pub async fn load_more(&self) -> bool {
        let Some(cursor) = self.next_cursor.get_untracked() else {
            return false;
        };
        match api::thread(
            &self.api_base(),
            &self.key(),
            self.sort.get_untracked(),
            Some(&cursor),
        )
        .await
        {
            Ok(page) => {
                self.next_cursor.set(page.next_cursor);
                self.merge(page.comments);
                true
            }
            Err(_) => false,
        }
    }

    /// Bring a permalinked comment into view: load pages until its top-level comment is
    /// there, then its whole subtree, then scroll to it.
    pub async fn reveal(&self, id: CommentId) {
        let loaded = |id| {
            self.comments
                .with_untracked(|l| l.iter().any(|c| c.id == id))
        };
        if !loaded(id) {
            let Ok(context) = api::context(&self.api_base(), id).await else {
                return;
            };
            let mut pages = 0;
            while !loaded(context.root_id) && pages < MAX_PERMALINK_PAGES && self.load_more().await
            {
                pages += 1;
            }
            if context.root_id != id {
                self.load_replies(context.root_id).await;
            }
            if !loaded(id) {
                self.merge(vec![context.comment]);
            }
        }
        self.target.set(None);
        self.target.set(Some(id));
    }
}

/// `#comment-123` → 123.
fn permalink_target() -> Option<CommentId> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix("#comment-")?.parse().ok().map(CommentId)
}

/// The site owner opens any page once with `#colloquy-owner=<OWNER_KEY>`: the key is kept
/// on that device (never in the page URL afterwards) and marks their comments as the author's.
fn adopt_owner_key(api_base: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(hash) = window.location().hash() else {
        return;
    };
    if let Some(key) = hash
        .strip_prefix("#colloquy-owner=")
        .filter(|k| !k.is_empty())
    {
        storage::save_owner_key(api_base, key);
        let location = window.location();
        let clean = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
        }
    }
}

#[component]
pub fn App(config: Config) -> impl IntoView {
    adopt_owner_key(&config.api_base);
    let t = Lang::pick(&config.lang).strings();
    let theme = match config.theme.as_str() {
        "dark" | "auto" => config.theme.clone(),
        _ => "light".to_owned(),
    };
    let max_depth = config.max_depth.clamp(1, 32);
    let comments = RwSignal::new(Vec::<PublicComment>::new());
    let initial_sort = storage::load_sort()
        .and_then(|s| Sort::parse(&s))
        .unwrap_or_default();
    let thread = Thread {
        config: StoredValue::new(config),
        t,
        comments,
        by_id: Memo::new(move |_| {
            comments.with(|list| list.iter().map(|c| (c.id, c.clone())).collect())
        }),
        children: Memo::new(move |_| comments.with(|list| children_index_capped(list, max_depth))),
        replying_to: RwSignal::new(None),
        target: RwSignal::new(None),
        identity: Identity::remembered(),
        form_token: RwSignal::new((String::new(), 0.0)),
        settings: RwSignal::new(WidgetSettings::default()),
        sort: RwSignal::new(initial_sort),
        next_cursor: RwSignal::new(None),
        total: RwSignal::new(0),
    };
    provide_context(thread);
    let load = RwSignal::new(Load::Loading);
    let stored_title = RwSignal::new(None::<String>);
    let loading_more = RwSignal::new(false);

    let fetch = move || {
        load.set(Load::Loading);
        let (base, key, sort) = (thread.api_base(), thread.key(), thread.sort.get_untracked());
        spawn_local(async move {
            match api::thread(&base, &key, sort, None).await {
                Ok(page) => {
                    stored_title.set(page.title);
                    // This reader's own comments awaiting moderation are shown to them only.
                    let mut pending = storage::load_pending(&base, &key);
                    pending.retain(|p| !page.comments.iter().any(|c| c.id == p.id));
                    storage::save_pending(&base, &key, &pending);
                    let mut list = page.comments;
                    list.extend(pending);
                    comments.set(list);
                    thread.total.set(page.total);
                    thread.next_cursor.set(page.next_cursor);
                    thread
                        .form_token
                        .set((page.form_token, js_sys::Date::now()));
                    thread.settings.set(page.settings);
                    load.set(Load::Ready);
                    if let Some(id) = permalink_target() {
                        thread.reveal(id).await;
                    }
                }
                Err(_) => load.set(Load::Failed),
            }
        });
    };
    fetch();

    // Following a permalink inside the page (or the back button) reveals that comment.
    let on_hash = Closure::<dyn Fn()>::new(move || {
        if let Some(id) = permalink_target() {
            spawn_local(async move { thread.reveal(id).await });
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
    }
    on_hash.forget();

    let heading = move || {
        let title = thread.config.with_value(|c| c.title.clone());
        let title = if title.trim().is_empty() {
            stored_title.get().unwrap_or_default()
        } else {
            title
        };
        t.heading(thread.total.get() as usize, &title)
    };
    let on_sort = move |ev: leptos::ev::Event| {
        let Some(sort) = Sort::parse(&event_target_value(&ev)) else {
            return;
        };
        storage::save_sort(sort.as_str());
        thread.sort.set(sort);
        fetch();
    };
    let more = move |_| {
        loading_more.set(true);
        spawn_local(async move {
            thread.load_more().await;
            loading_more.set(false);
        });
    };

    view! {
        <style>{STYLE}</style>
        <section class="cq" data-theme=theme lang=t.lang.tag() aria-labelledby="cq-heading">
            <div class="cq-toolbar">
                <h2 id="cq-heading" class="cq-heading">{heading}</h2>
                <label class="cq-sort">
                    {t.sort_label} " "
                    <select on:change=on_sort prop:value=move || thread.sort.get().as_str()>
                        <option value="oldest">{t.sort_oldest}</option>
                        <option value="newest">{t.sort_newest}</option>
                        <option value="liked">{t.sort_liked}</option>
                    </select>
                </label>
            </div>
            {move || match load.get() {
                Load::Loading => view! { <p class="cq-status" role="status">{t.loading}</p> }.into_any(),
                Load::Failed => view! {
                    <p class="cq-status cq-status-error" role="alert">
                        {t.load_failed} " "
                        <button type="button" class="cq-link" on:click=move |_| fetch()>{t.retry}</button>
                    </p>
                }.into_any(),
                Load::Ready => view! {
                    <Show when=move || comments.with(Vec::is_empty)>
                        <p class="cq-status">{t.empty}</p>
                    </Show>
                    <ol class="cq-list">
                        <For each=move || thread.replies(None) key=|id| *id let(id)>
                            <CommentItem id=id depth=1 visual_parent=None />
                        </For>
                    </ol>
                    <Show when=move || thread.next_cursor.with(Option::is_some)>
                        <p class="cq-more">
                            <button type="button" class="cq-button cq-secondary" disabled=move || loading_more.get() on:click=more>
                                {t.show_more_comments}
                            </button>
                        </p>
                    </Show>
                }.into_any(),
            }}
            <CommentForm parent=None />
        </section>
    }
}
