//! What the service tests share: one moment (`T0`), a migrated SQLite store with a site
//! that takes comments at once and a reader who posts, and the service on the in-memory
//! store.

use std::cell::Cell;

use crate::db::contract::Sqlite;
use crate::db::exec::SqlStore;
use crate::db::memstore::MemStore;
use crate::domain::ratelimit::parse_limits;
use crate::domain::site::SiteConfig;
use crate::domain::token::Keys;
use crate::service::error::ServiceError;
use crate::service::NoCheck;
use crate::service::Service;
use crate::wire::api::*;
use crate::wire::api::{CommentId, NewComment};

pub(super) const T0: i64 = 1_700_000_000_000;

pub(super) struct Fixture {
    pub(super) store: SqlStore<Sqlite>,
    pub(super) site: SiteConfig,
    pub(super) keys: Keys,
    pub(super) shown: std::cell::Cell<i64>,
}

impl Fixture {
    pub(super) fn new() -> Self {
        let mut site = SiteConfig::new("default");
        site.origins = vec!["https://blog.example.org".into()];
        site.min_submit_ms = 0;
        site.comment_limits = parse_limits("1000/60").unwrap();
        Fixture {
            store: SqlStore::new(Sqlite::migrated(), "default"),
            site,
            keys: Keys::derive("console test secret"),
            shown: std::cell::Cell::new(0),
        }
    }

    pub(super) fn svc(&self) -> Service<'_, SqlStore<Sqlite>> {
        Service::new(&self.store, &self.site, &self.keys)
    }

    pub(super) fn post(&self, thread: &str, email: &str, body: &str) -> CommentId {
        // Each form shown at its own moment: each token is a new one.
        self.shown.set(self.shown.get() + 1);
        let token = self
            .svc()
            .form_token(thread, "c", T0 - self.shown.get())
            .unwrap()
            .form_token;
        let input = NewComment {
            thread: thread.into(),
            thread_url: Some(format!("https://blog.example.org{thread}")),
            body: body.into(),
            name: "Ana".into(),
            email: email.into(),
            form_token: token,
            ..Default::default()
        };
        pollster::block_on(self.svc().post(&input, "c", T0 + 10))
            .unwrap()
            .comment
            .id
    }
}

pub(super) fn block<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

/// The service on the in-memory store, for the rules that need no SQL.
pub(super) struct MemFixture {
    pub(super) store: MemStore,
    pub(super) site: SiteConfig,
    pub(super) keys: Keys,
    /// Forms shown so far: each gets its own moment, so each token is a new one.
    pub(super) shown: Cell<i64>,
}

impl MemFixture {
    pub(super) fn new() -> Self {
        MemFixture {
            store: MemStore::default(),
            site: SiteConfig {
                origins: vec!["https://blog.example.org".into()],
                ..SiteConfig::new("default")
            },
            keys: Keys::derive("unit test secret"),
            shown: Cell::new(0),
        }
    }
    pub(super) fn svc(&self) -> Service<'_, MemStore, NoCheck> {
        Service::new(&self.store, &self.site, &self.keys)
    }
    pub(super) fn input(&self, thread: &str, parent: Option<CommentId>, body: &str) -> NewComment {
        NewComment {
            thread: thread.into(),
            thread_title: Some("Title".into()),
            parent_id: parent,
            body: body.into(),
            name: "Ana".into(),
            email: "ana@example.org".into(),
            ..Default::default()
        }
    }
    /// A form token for client `who` in `thread`, shown at `shown`.
    pub(super) fn token(&self, thread: &str, who: &str, shown: i64) -> String {
        self.svc()
            .form_token(thread, who, shown)
            .unwrap()
            .form_token
    }
    /// Post as client `who` at `now`; without a token of its own, the form was shown ten
    /// seconds before.
    pub(super) fn post_as(
        &self,
        who: &str,
        input: &NewComment,
        now: i64,
    ) -> Result<CreatedComment, ServiceError> {
        let mut input = input.clone();
        if input.form_token.is_empty() {
            self.shown.set(self.shown.get() + 1);
            input.form_token =
                self.token(input.thread.trim(), who, now - 10_000 - self.shown.get());
        }
        pollster::block_on(self.svc().post(&input, who, now))
    }
    pub(super) fn post(
        &self,
        thread: &str,
        parent: Option<CommentId>,
        body: &str,
    ) -> CreatedComment {
        self.post_as("client", &self.input(thread, parent, body), T0)
            .expect("posted")
    }
    pub(super) fn page(&self, thread: &str) -> ThreadPage {
        pollster::block_on(self.svc().thread(thread, Sort::Oldest, None, T0)).unwrap()
    }
}
