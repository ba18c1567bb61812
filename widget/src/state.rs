//! The widget's state and the loaders that change it, apart from every view: [`Thread`]
//! (the comments, paging, sorting, what to focus and highlight) and [`Identity`] (the
//! reader's name, email and website). Views read these and call their methods; no view
//! imports another view to change what is shown.

use std::collections::HashMap;

use colloquy_core::api::{CommentId, PublicComment, Sort, WidgetSettings};
use colloquy_core::endpoint::ThreadQuery;
use colloquy_core::thread::{children_index_capped, prune_deleted};
use leptos::html::H2;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ClientError};
use crate::browser;
use crate::{storage, Config};
use colloquy_i18n::Strings;

/// Most pages loaded to reach a permalinked comment.
const MAX_PERMALINK_PAGES: usize = 50;

/// Where the first page of the thread is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    Loading,
    Ready,
    Failed,
}

/// Name, email and website, shared by the main form and every reply form.
#[derive(Clone, Copy)]
pub struct Identity {
    api_base: StoredValue<String>,
    pub name: RwSignal<String>,
    pub email: RwSignal<String>,
    pub website: RwSignal<String>,
    /// The reader's choice to keep the details on this device ("Save my name, email and
    /// website…"): off until they ask, since the host page's scripts can read them.
    pub remember: RwSignal<bool>,
    /// Whether the details are stored on this device now.
    pub remembered: RwSignal<bool>,
}

impl Identity {
    pub fn remembered(api_base: &str) -> Self {
        let stored = storage::load_identity(api_base);
        let (name, email, website) = stored.clone().unwrap_or_default();
        Identity {
            api_base: StoredValue::new(api_base.to_owned()),
            name: RwSignal::new(name),
            email: RwSignal::new(email),
            website: RwSignal::new(website),
            remember: RwSignal::new(stored.is_some()),
            remembered: RwSignal::new(stored.is_some()),
        }
    }

    /// After a post: keep the details if the reader asked to, else keep nothing.
    pub fn keep_as_chosen(&self) {
        let base = self.api_base.get_value();
        if self.remember.get_untracked() {
            storage::save_identity(
                &base,
                &self.name.get_untracked(),
                &self.email.get_untracked(),
                &self.website.get_untracked(),
            );
            self.remembered.set(true);
        } else {
            storage::forget_identity(&base);
            self.remembered.set(false);
        }
    }

    pub fn forget(&self) {
        storage::forget_identity(&self.api_base.get_value());
        self.name.set(String::new());
        self.email.set(String::new());
        self.website.set(String::new());
        self.remember.set(false);
        self.remembered.set(false);
    }
}

/// State shared by every component of one mounted widget (provided as context).
#[derive(Clone, Copy)]
pub struct Thread {
    pub config: StoredValue<Config>,
    pub t: &'static Strings<'static>,
    /// Loaded comments, flat: top-level ones in the chosen order, replies oldest first.
    pub comments: RwSignal<Vec<PublicComment>>,
    pub by_id: Memo<HashMap<CommentId, PublicComment>>,
    /// Children per parent as displayed (nesting capped at `max_depth`).
    pub children: Memo<HashMap<Option<CommentId>, Vec<CommentId>>>,
    /// The comment whose inline reply form is open (one at a time, like a blog).
    pub replying_to: RwSignal<Option<CommentId>>,
    /// The comment to scroll to and highlight (just posted, or a permalink).
    pub target: RwSignal<Option<CommentId>>,
    /// The comment that should take keyboard focus next (after paging or deleting).
    pub focus: RwSignal<Option<CommentId>>,
    /// The heading, focused when nothing better is left (the last comment was deleted).
    pub heading: NodeRef<H2>,
    pub identity: Identity,
    /// The signed time stamp that new comments carry, and when (ms) it was received.
    pub form_token: RwSignal<(String, i64)>,
    pub settings: RwSignal<WidgetSettings>,
    pub sort: RwSignal<Sort>,
    pub next_cursor: RwSignal<Option<String>>,
    /// Visible comments in the whole thread; `None` until the first page arrived.
    pub total: RwSignal<Option<u32>>,
    /// The thread's stored title (used when the page gives none).
    pub title: RwSignal<Option<String>>,
    pub load: RwSignal<Load>,
    /// A short note above the thread (a permalink that is not in this thread).
    pub notice: RwSignal<Option<&'static str>>,
    /// Bumped by every (re)load of the first page: a response for an older generation
    /// (the reader changed the sort meanwhile) is dropped instead of applied.
    generation: StoredValue<u64>,
}

impl Thread {
    pub fn new(config: Config, t: &'static Strings<'static>) -> Self {
        let max_depth = config
            .max_depth
            .clamp(1, colloquy_core::defaults::MAX_DEPTH_LIMIT);
        let comments = RwSignal::new(Vec::<PublicComment>::new());
        let sort = storage::load_sort(&config.api_base)
            .and_then(|s| Sort::parse(&s))
            .unwrap_or_default();
        let identity = Identity::remembered(&config.api_base);
        Thread {
            config: StoredValue::new(config),
            t,
            comments,
            by_id: Memo::new(move |_| {
                comments.with(|list| list.iter().map(|c| (c.id, c.clone())).collect())
            }),
            children: Memo::new(move |_| {
                comments.with(|list| children_index_capped(list, max_depth))
            }),
            replying_to: RwSignal::new(None),
            target: RwSignal::new(None),
            focus: RwSignal::new(None),
            heading: NodeRef::new(),
            identity,
            form_token: RwSignal::new((String::new(), 0)),
            settings: RwSignal::new(WidgetSettings::default()),
            sort: RwSignal::new(sort),
            next_cursor: RwSignal::new(None),
            total: RwSignal::new(None),
            title: RwSignal::new(None),
            load: RwSignal::new(Load::Loading),
            notice: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }

    pub fn replies(&self, parent: Option<CommentId>) -> Vec<CommentId> {
        self.children
            .with(|c| c.get(&parent).cloned().unwrap_or_default())
    }

    pub fn api_base(&self) -> String {
        self.config.with_value(|c| c.api_base.clone())
    }

    pub fn key(&self) -> String {
        self.config.with_value(|c| c.thread.clone())
    }

    fn query(&self, cursor: Option<String>) -> ThreadQuery {
        ThreadQuery {
            thread: self.key(),
            sort: self.sort.get_untracked(),
            cursor,
        }
    }

    /// Whether comment `id` is loaded.
    pub fn has(&self, id: CommentId) -> bool {
        self.comments
            .with_untracked(|l| l.iter().any(|c| c.id == id))
    }

    /// Add comments not loaded yet (pages and reply batches overlap at their edges);
    /// returns the ids that were new, in the order given.
    pub fn merge(&self, incoming: Vec<PublicComment>) -> Vec<CommentId> {
        let mut added = Vec::new();
        self.comments.update(|list| {
            let mut index: HashMap<CommentId, usize> =
                list.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
            for c in incoming {
                match index.get(&c.id) {
                    Some(&i) => list[i] = c,
                    None => {
                        index.insert(c.id, list.len());
                        added.push(c.id);
                        list.push(c);
                    }
                }
            }
        });
        added
    }

    /// Load the first page in the current sort, replacing what is shown. Only the newest
    /// call's answer is applied.
    pub fn load_first(&self) {
        let thread = *self;
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        self.load.set(Load::Loading);
        self.next_cursor.set(None);
        let (base, query) = (self.api_base(), self.query(None));
        spawn_local(async move {
            let result = api::thread(&base, &query).await;
            if thread.generation.get_value() != generation {
                return;
            }
            match result {
                Ok(page) => {
                    thread.title.set(page.title);
                    // This reader's own comments awaiting moderation are shown to them only.
                    let key = thread.key();
                    let mut pending = storage::load_pending(&base, &key);
                    pending.retain(|p| !page.comments.iter().any(|c| c.id == p.id));
                    storage::save_pending(&base, &key, &pending);
                    let mut list = page.comments;
                    list.extend(pending);
                    thread.comments.set(list);
                    thread.total.set(Some(page.total));
                    thread.next_cursor.set(page.next_cursor);
                    thread.renew_form_token().await;
                    thread.settings.set(page.settings);
                    thread.load.set(Load::Ready);
                    if let Some(id) = browser::permalink_target() {
                        thread.reveal(id).await;
                    }
                }
                Err(_) => thread.load.set(Load::Failed),
            }
        });
    }

    /// The reader picked another order: remember it and load its first page.
    pub fn set_sort(&self, sort: Sort) {
        storage::save_sort(&self.api_base(), sort.as_str());
        self.sort.set(sort);
        self.load_first();
    }

    /// Load the next page of top-level comments; `Ok(new ids)` (empty when there is no
    /// further page or the answer was for an order no longer shown).
    pub async fn load_more(&self) -> Result<Vec<CommentId>, ClientError> {
        let Some(cursor) = self.next_cursor.get_untracked() else {
            return Ok(Vec::new());
        };
        let generation = self.generation.get_value();
        let page = api::thread(&self.api_base(), &self.query(Some(cursor))).await?;
        if self.generation.get_value() != generation {
            return Ok(Vec::new());
        }
        self.next_cursor.set(page.next_cursor);
        Ok(self
            .merge(page.comments)
            .into_iter()
            .filter(|id| self.by_id.with_untracked(|m| m[id].parent_id.is_none()))
            .collect())
    }

    /// Load every remaining reply under top-level comment `root`; the ids that are new.
    pub async fn load_replies(&self, root: CommentId) -> Result<Vec<CommentId>, ClientError> {
        let page = api::replies(&self.api_base(), root).await?;
        Ok(self.merge(page.comments))
    }

    /// Run a loader of more comments ("Show more …"): `loading` while it runs, `failed`
    /// when it failed, and keyboard focus on the first comment it brought.
    pub fn load_and_focus(
        &self,
        loading: RwSignal<bool>,
        failed: RwSignal<bool>,
        load: impl std::future::Future<Output = Result<Vec<CommentId>, ClientError>> + 'static,
    ) {
        let thread = *self;
        loading.set(true);
        failed.set(false);
        spawn_local(async move {
            match load.await {
                Ok(added) => thread.focus.set(added.first().copied()),
                Err(_) => failed.set(true),
            }
            loading.set(false);
        });
    }

    /// Get a fresh form token (this reader's, for this thread; each posts once).
    pub async fn renew_form_token(&self) {
        if let Ok(token) = api::form_token(&self.api_base(), &self.key()).await {
            self.form_token.set((token.form_token, browser::now_ms()));
        }
    }

    /// Bring a permalinked comment into view: load pages until its top-level comment is
    /// there, then its whole subtree, then scroll to it. A comment of another thread (or
    /// none at all) is never pulled in; the reader is told briefly instead.
    pub async fn reveal(&self, id: CommentId) {
        self.notice.set(None);
        if !self.has(id) {
            let context = match api::context(&self.api_base(), id).await {
                Ok(c) if c.thread == self.key() => c,
                _ => {
                    self.notice.set(Some(self.t.permalink_missing));
                    return;
                }
            };
            let mut pages = 0;
            while !self.has(context.root_id) && pages < MAX_PERMALINK_PAGES {
                match self.load_more().await {
                    Ok(added) if !added.is_empty() => pages += 1,
                    _ => break,
                }
            }
            if context.root_id != id {
                let _ = self.load_replies(context.root_id).await;
            }
            if !self.has(id) {
                self.merge(vec![context.comment]);
            }
        }
        self.target.set(None);
        self.target.set(Some(id));
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
            self.total.update(|t| *t = Some(t.unwrap_or(0) + 1));
        }
        self.replying_to.set(None);
        self.target.set(Some(id));
    }

    /// The author edited a comment.
    pub fn replace(&self, comment: PublicComment) {
        self.merge(vec![comment]);
    }

    /// The author deleted a comment: it stays as "[deleted]" only if replies hang under it.
    /// Focus moves to the placeholder, else the next comment, the previous one, the parent,
    /// or the heading, so keyboard users are not thrown back to the top of the page.
    pub fn remove(&self, id: CommentId) {
        let (parent, siblings) = self.children.with_untracked(|c| {
            c.iter()
                .find(|(_, kids)| kids.contains(&id))
                .map(|(p, kids)| (*p, kids.clone()))
                .unwrap_or_default()
        });
        let was_pending = self
            .by_id
            .with_untracked(|m| m.get(&id).is_some_and(|c| c.pending));
        self.comments.update(|list| {
            if let Some(c) = list.iter_mut().find(|c| c.id == id) {
                c.mark_deleted();
            }
            *list = prune_deleted(std::mem::take(list));
        });
        if !was_pending {
            self.total.update(|t| *t = t.map(|n| n.saturating_sub(1)));
        }
        let at = siblings.iter().position(|s| *s == id).unwrap_or(0);
        let next = if self.has(id) {
            Some(id)
        } else {
            siblings
                .get(at + 1)
                .or(at.checked_sub(1).and_then(|i| siblings.get(i)))
                .copied()
                .or(parent)
                .filter(|n| self.has(*n))
        };
        match next {
            Some(n) => self.focus.set(Some(n)),
            None => {
                if let Some(h) = self.heading.get_untracked() {
                    let _ = h.focus();
                }
            }
        }
    }
}
