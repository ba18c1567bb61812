//! What the service tests on SQLite share: a migrated store, a site that takes comments
//! at once, and a reader who posts.

use crate::db::contract::Sqlite;
use crate::db::exec::SqlStore;
use crate::domain::ratelimit::parse_limits;
use crate::domain::site::SiteConfig;
use crate::domain::token::Keys;
use crate::service::Service;
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
            store: SqlStore::new(Sqlite::migrated()),
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
