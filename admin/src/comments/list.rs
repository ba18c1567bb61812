//! The list's state, shared by its items, its panels and its keyboard handler: what is
//! shown, selected and open, and the moves between items.

use std::collections::{BTreeSet, HashMap};

use colloquy_core::domain::words::count_s as plural;
use colloquy_core::wire::console::query::ListQuery;
use colloquy_core::wire::console::{CommentList, MatchingIds, OwnerComment, Tab};
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::moderation::Decision;
use colloquy_core::wire::moderation::ListedStatus;
use colloquy_core::CommentId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{self};
use crate::bulk;
use crate::context::Ctx;

/// The inline panel open under one comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Panel {
    Reply,
    Block,
    Purge,
    /// "Delete for good?" on a comment in the Trash.
    Destroy,
    /// The owner corrects the text.
    Edit,
}

/// The list's state, shared by its items and its keyboard handler.
#[derive(Clone, Copy)]
pub(super) struct List {
    pub(super) tab: Tab,
    /// What the list asks for: the section's tab, or Everything narrowed by state.
    pub(super) shows: RwSignal<Tab>,
    pub(super) items: RwSignal<Vec<OwnerComment>>,
    pub(super) next: RwSignal<Option<CommentId>>,
    pub(super) selected: RwSignal<BTreeSet<CommentId>>,
    /// The item that holds the roving tab stop (and that single-key actions act on).
    pub(super) current: RwSignal<usize>,
    pub(super) panel: RwSignal<Option<(CommentId, Panel)>>,
    pub(super) query: RwSignal<String>,
    /// The search the list shows (the box's text once submitted): what "select all N
    /// matching" selects, whatever is typed since.
    pub(super) searched: RwSignal<String>,
    pub(super) loading: RwSignal<bool>,
    /// How many comments the whole list holds (all pages).
    pub(super) total: RwSignal<u32>,
    /// What each comment seen was, as the list named it: an action's Undo puts it back.
    pub(super) was: RwSignal<HashMap<CommentId, ListedStatus>>,
    /// A moderation is on its way: another waits for it.
    pub(super) busy: RwSignal<bool>,
    /// Asking "delete these for good?" before a bulk deletion from the Trash.
    pub(super) confirm: RwSignal<Option<Vec<CommentId>>>,
    /// After the next load, the focus goes to this comment wherever it now is (a reply
    /// added above it moves it down).
    pub(super) focus_on: RwSignal<Option<CommentId>>,
    /// Replies typed in a panel closed before publishing (Escape, Cancel), by comment.
    pub(super) drafts: RwSignal<HashMap<CommentId, String>>,
    /// The newest load asked for: an older answer arriving after it (the first page before
    /// a search's) is dropped, never shown over the newer one.
    pub(super) asked: RwSignal<u32>,
    pub(super) ctx: Ctx,
}

impl List {
    /// Fetch the first page again (or the next one with `more`), then put the focus back
    /// on the item at the current position when `refocus`.
    pub(super) fn load(self, more: bool, refocus: bool) {
        let query = ListQuery {
            tab: self.shows.get_untracked(),
            search: self.searched.get_untracked(),
            before: if more {
                self.next.get_untracked()
            } else {
                None
            },
        }
        .to_query();
        self.loading.set(true);
        let this = self.asked.get_untracked().wrapping_add(1);
        self.asked.set(this);
        spawn_local(async move {
            let answer = api::get::<CommentList>(AdminOp::Comments, &query).await;
            if self.asked.get_untracked() != this {
                return;
            }
            match answer {
                Ok(list) => {
                    let ids: BTreeSet<CommentId> = list.comments.iter().map(|c| c.id).collect();
                    self.total.set(list.total);
                    self.was
                        .update(|was| was.extend(list.comments.iter().map(|c| (c.id, c.status))));
                    if more {
                        self.items.update(|items| items.extend(list.comments));
                    } else {
                        self.items.set(list.comments);
                        // A selection bigger than the page ("all N matching") stays.
                        let total = self.total.get_untracked() as usize;
                        if self.selected.with_untracked(BTreeSet::len) <= ids.len()
                            || self.selected.with_untracked(BTreeSet::len) > total
                        {
                            self.selected.update(|s| s.retain(|id| ids.contains(id)));
                        }
                    }
                    self.next.set(list.next_before);
                    if let Some(id) = self.focus_on.get_untracked() {
                        self.focus_on.set(None);
                        if let Some(at) = self
                            .items
                            .with_untracked(|items| items.iter().position(|c| c.id == id))
                        {
                            self.current.set(at);
                        }
                    }
                    let len = self.items.with_untracked(Vec::len);
                    let at = self.current.get_untracked().min(len.saturating_sub(1));
                    self.current.set(at);
                    if refocus {
                        request_animation_frame(move || focus_item(at));
                    }
                }
                Err(e) => self.ctx.fail(e),
            }
            self.loading.set(false);
        });
    }

    /// The ids an action applies to: the selection, else the current item.
    pub(super) fn targets(self) -> Vec<CommentId> {
        let selected = self.selected.get_untracked();
        if !selected.is_empty() {
            return selected.into_iter().collect();
        }
        let at = self.current.get_untracked();
        self.items
            .with_untracked(|items| items.get(at).map(|c| vec![c.id]))
            .unwrap_or_default()
    }

    pub(super) fn moderate(self, ids: Vec<CommentId>, decision: Decision) {
        if ids.is_empty() || self.busy.get_untracked() {
            return;
        }
        let undo = self
            .was
            .with_untracked(|was| bulk::undo_steps(decision, &ids, was));
        // The focus comes back at the first acted on: when those leave the list, that
        // place holds the next one still waiting (none skipped).
        let first = self
            .items
            .with_untracked(|items| items.iter().position(|c| ids.contains(&c.id)));
        if let Some(first) = first {
            self.current.set(first);
        }
        self.busy.set(true);
        spawn_local(async move {
            let clearing = decision == Decision::Approve
                && self.was.with_untracked(|was| {
                    ids.iter()
                        .all(|id| was.get(id) == Some(&ListedStatus::Approved))
                });
            match bulk::moderate_all(self.ctx, &ids, decision).await {
                Ok(n) if clearing => {
                    self.selected.set(BTreeSet::new());
                    self.ctx.done(format!(
                        "Kept, and cleared the reports on {}.",
                        plural(n as usize, "comment")
                    ));
                }
                Ok(n) => {
                    self.selected.set(BTreeSet::new());
                    self.ctx.done_undoable(bulk::decided(decision, n), undo);
                }
                Err(e) => self.ctx.fail(e),
            }
            self.busy.set(false);
            self.confirm.set(None);
            // Partly done or not, the list shows what is so now.
            self.ctx.comments_changed();
        });
    }

    /// Select every comment the list holds, not only the loaded page.
    pub(super) fn select_matching(self) {
        let query = ListQuery {
            tab: self.shows.get_untracked(),
            search: self.searched.get_untracked(),
            before: None,
        }
        .to_query();
        spawn_local(async move {
            match api::get::<MatchingIds>(AdminOp::CommentIds, &query).await {
                Ok(m) => {
                    self.was
                        .update(|was| was.extend(m.comments.iter().cloned()));
                    let n = m.comments.len();
                    self.selected
                        .set(m.comments.into_iter().map(|(id, _)| id).collect());
                    self.ctx
                        .done(format!("Selected all {}.", plural(n, "comment")));
                }
                Err(e) => self.ctx.fail(e),
            }
        });
    }

    pub(super) fn toggle(self, id: CommentId) {
        self.selected.update(|s| {
            if !s.remove(&id) {
                s.insert(id);
            }
        });
    }

    /// Single-key shortcuts, while the focus is in the list but not in a text field.
    pub(super) fn key(self, ev: leptos::ev::KeyboardEvent) {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| {
                let tag = el.tag_name();
                tag == "TEXTAREA"
                    || tag == "SELECT"
                    || (tag == "INPUT" && el.get_attribute("type").as_deref() != Some("checkbox"))
            });
        if typing {
            return;
        }
        let len = self.items.with_untracked(Vec::len);
        if len == 0 {
            return;
        }
        let at = self.current.get_untracked().min(len - 1);
        let current_id = self.items.with_untracked(|items| items[at].id);
        let handled = match ev.key().as_str() {
            "j" | "ArrowDown" => {
                self.move_to((at + 1).min(len - 1));
                true
            }
            "k" | "ArrowUp" => {
                self.move_to(at.saturating_sub(1));
                true
            }
            "x" => {
                self.toggle(current_id);
                true
            }
            "a" if self.tab != Tab::Trash => {
                self.moderate(self.targets(), Decision::Approve);
                true
            }
            "s" if self.tab != Tab::Trash => {
                self.moderate(self.targets(), Decision::Spam);
                true
            }
            // To the Trash, never for good: that takes the Trash's button and a question.
            "d" | "Delete" if self.tab != Tab::Trash => {
                self.moderate(self.targets(), Decision::Trash);
                true
            }
            "u" => match self.ctx.undo.get_untracked() {
                Some(undo) => {
                    bulk::undo(self.ctx, undo);
                    true
                }
                None => false,
            },
            "r" if self.tab != Tab::Trash => {
                self.panel.set(Some((current_id, Panel::Reply)));
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    }

    pub(super) fn move_to(self, at: usize) {
        self.current.set(at);
        focus_item(at);
    }
}

/// Focus the item at `at` (or the list's empty message when nothing is left).
pub(super) fn focus_item(at: usize) {
    let Some(doc) = window().document() else {
        return;
    };
    let el = doc
        .query_selector(&format!("[data-index=\"{at}\"]"))
        .ok()
        .flatten()
        .or_else(|| doc.query_selector(".list-empty").ok().flatten());
    if let Some(el) = el.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}
