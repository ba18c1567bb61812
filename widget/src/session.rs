//! What every form of one widget shares: where and what it writes to, the reader's
//! language, their name/email/website, and their form token.

use colloquy_core::wire::api::{CommentId, WidgetSettings};
use colloquy_i18n::Strings;
use leptos::prelude::*;

use crate::api;
use colloquy_browser::{now_ms, storage};

/// The page this writes for: what the reading half handed over
/// ([`colloquy_browser::bridge::Handover`]), with its state read.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub api_base: String,
    pub page_url: String,
    /// The page's own title (sent with the first comment of a thread).
    pub page_title: String,
    pub state: colloquy_core::wire::api::EmbedState,
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

/// One widget's writing state (provided as context to every form it opens).
#[derive(Clone, Copy)]
pub struct Session {
    pub context: StoredValue<Context>,
    pub t: &'static Strings<'static>,
    pub identity: Identity,
    /// This reader's form token for the thread, and when (ms) it was received.
    pub form_token: RwSignal<(String, i64)>,
    /// Comments this reader deleted here (a form's "published" note about one goes).
    pub deleted: RwSignal<Vec<CommentId>>,
}

impl Session {
    pub fn new(context: Context, t: &'static Strings<'static>) -> Self {
        let identity = Identity::remembered(&context.api_base);
        let session = Session {
            context: StoredValue::new(context),
            t,
            identity,
            form_token: RwSignal::new((String::new(), 0)),
            deleted: RwSignal::new(Vec::new()),
        };
        // Not Leptos' spawner: that is set up by the first mount, which comes after this.
        wasm_bindgen_futures::spawn_local(async move { session.renew_form_token().await });
        session
    }

    pub fn api_base(&self) -> String {
        self.context.with_value(|c| c.api_base.clone())
    }

    pub fn thread(&self) -> String {
        self.context.with_value(|c| c.state.thread.clone())
    }

    pub fn settings(&self) -> WidgetSettings {
        self.context.with_value(|c| c.state.settings.clone())
    }

    /// Get a fresh form token (this reader's, for this thread; each posts once).
    pub async fn renew_form_token(&self) {
        if let Ok(token) = api::form_token(&self.api_base(), &self.thread()).await {
            self.form_token.set((token.form_token, now_ms()));
        }
    }
}
