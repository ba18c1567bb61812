//! What every section of the console shares, apart from the shell that draws them: the
//! session, the status line (with the last moderation's Undo) and the signal that lists
//! and counts reload on. Sections use this; none of them uses the shell.

use colloquy_core::wire::console::SessionInfo;
use leptos::prelude::*;

use crate::api::ConsoleError;

/// What every section shares: the session (none → the login form) and the status line
/// that announces the outcome of each action to screen readers too.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub session: RwSignal<Option<SessionInfo>>,
    pub status: RwSignal<String>,
    pub error: RwSignal<String>,
    /// The last moderation, undoable from the status line until the next action.
    pub undo: RwSignal<Option<Undo>>,
    /// Bumped after comments changed: the open list reloads, the tab counts refresh.
    pub changed: RwSignal<u32>,
}

/// What puts the last moderation back: decisions on ids, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Undo {
    pub steps: Vec<(
        colloquy_core::wire::moderation::Decision,
        Vec<colloquy_core::CommentId>,
    )>,
}

impl Ctx {
    pub fn get() -> Self {
        expect_context::<Ctx>()
    }

    /// Say what an action did (any earlier Undo no longer applies).
    pub fn done(&self, message: impl Into<String>) {
        self.undo.set(None);
        self.error.set(String::new());
        self.status.set(message.into());
    }

    /// Say what a moderation did, with an Undo when something can put it back.
    pub fn done_undoable(&self, message: impl Into<String>, undo: Undo) {
        self.done(message);
        if !undo.steps.is_empty() {
            self.undo.set(Some(undo));
        }
    }

    /// Comments changed: lists and counts follow.
    pub fn comments_changed(&self) {
        self.changed.update(|n| *n += 1);
    }

    /// Show a failure; an ended session returns to the login form.
    pub fn fail(&self, error: ConsoleError) {
        if error.is_unauthorized() {
            self.session.set(None);
        }
        self.undo.set(None);
        self.status.set(String::new());
        self.error.set(error.to_string());
    }
}
