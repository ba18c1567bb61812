//! Building test data once: new comments with a builder over core's own `NewComment`; and
//! the running deployments, found through the table in [`crate::deployments`] and talked
//! to as readers do, with URLs from core's `Endpoint`.

use std::sync::{Condvar, Mutex, PoisonError};

use colloquy_core::wire::api::{CommentId, CreatedComment, NewComment, Sort, ThreadPage};
use colloquy_core::wire::endpoint::{Endpoint, ThreadQuery};
use serde::Serialize;
use serde_json::Value;

use crate::deployments::{self, Spec};
use crate::http::{fresh_client_ip, request, Reply};

pub use colloquy_core::wire::api::FormToken;

/// A comment for `thread` that passes validation: change what the test is about. Each
/// has an address of its own, so no test's comments add up with another's (trust,
/// reports against an author, blocks).
pub fn comment(thread: &str) -> CommentBuilder {
    CommentBuilder(NewComment {
        thread: thread.to_owned(),
        body: "A comment.".into(),
        name: "Ana Novak".into(),
        email: format!("ana-{:x}@example.org", crate::http::random_u64()),
        ..Default::default()
    })
}

/// A [`NewComment`] being put together.
#[derive(Clone)]
pub struct CommentBuilder(NewComment);

impl CommentBuilder {
    pub fn body(mut self, body: &str) -> Self {
        self.0.body = body.into();
        self
    }
    pub fn name(mut self, name: &str) -> Self {
        self.0.name = name.into();
        self
    }
    pub fn email(mut self, email: &str) -> Self {
        self.0.email = email.into();
        self
    }
    pub fn website(mut self, url: &str) -> Self {
        self.0.website = Some(url.into());
        self
    }
    pub fn reply_to(mut self, parent: CommentId) -> Self {
        self.0.parent_id = Some(parent);
        self
    }
    pub fn title(mut self, title: &str) -> Self {
        self.0.thread_title = Some(title.into());
        self
    }
    pub fn url(mut self, url: &str) -> Self {
        self.0.thread_url = Some(url.into());
        self
    }
    pub fn honeypot(mut self, value: &str) -> Self {
        self.0.honeypot = Some(value.into());
        self
    }
    pub fn turnstile(mut self, token: &str) -> Self {
        self.0.turnstile_token = Some(token.into());
        self
    }
    pub fn owner_key(mut self, key: &str) -> Self {
        self.0.owner_key = Some(key.into());
        self
    }
    /// The random key the commenter's browser keeps (trust and report standing need it
    /// with the email).
    pub fn author_key(mut self, key: &str) -> Self {
        self.0.author_key = Some(key.into());
        self
    }
    pub fn form_token(mut self, token: &str) -> Self {
        self.0.form_token = token.into();
        self
    }
    pub fn build(self) -> NewComment {
        self.0
    }
}

/// Which deployments a test holds ([`Deployment::lock`]), by their place in the table.
static HELD: Mutex<[bool; deployments::ALL.len()]> = Mutex::new([false; deployments::ALL.len()]);
static GIVEN_BACK: Condvar = Condvar::new();

/// A deployment held by one test, given back when dropped. (Not a `MutexGuard`: a test
/// holds it across its awaits, on a runtime of its own.)
pub struct Held {
    index: usize,
}

impl Drop for Held {
    fn drop(&mut self) {
        HELD.lock().unwrap_or_else(PoisonError::into_inner)[self.index] = false;
        GIVEN_BACK.notify_all();
    }
}

/// One running test deployment: its row in the table, its API and the demo page that may
/// write to it.
#[derive(Clone)]
pub struct Deployment {
    pub spec: &'static Spec,
    pub api: String,
    pub demo: String,
}

impl Deployment {
    /// The deployment `spec` describes, at the addresses `cargo xtask test` handed over.
    pub fn of(spec: &'static Spec) -> Self {
        Deployment {
            spec,
            api: crate::env_url(spec.api_env),
            demo: crate::env_url(spec.demo_env),
        }
    }

    /// The main deployment (no Turnstile, no moderation).
    pub fn main() -> Self {
        Self::of(&deployments::MAIN)
    }

    /// The strict one: Turnstile, moderation, an owner key, Gravatar, the form timer.
    pub fn strict() -> Self {
        Self::of(&deployments::STRICT)
    }

    /// Small limits of every kind; console sessions and page versions end quickly.
    pub fn limits() -> Self {
        Self::of(&deployments::LIMITS)
    }

    /// The owner deployment: the console's site-wide settings and imports happen here.
    pub fn owner() -> Self {
        Self::of(&deployments::OWNER)
    }

    /// The notify deployment: webhooks and reply emails go to the local receiver.
    pub fn notify() -> Self {
        Self::of(&deployments::NOTIFY)
    }

    /// The deployment with the test-only fault switch and a console key too short.
    pub fn faults() -> Self {
        Self::of(&deployments::FAULTS)
    }

    /// The deployment whose secret is too weak: it must serve reads and refuse writes.
    pub fn weak() -> Self {
        Self::of(&deployments::WEAK)
    }

    /// Three D1 databases: new sites go to the emptiest, and move between them.
    pub fn shards() -> Self {
        Self::of(&deployments::SHARDS)
    }

    /// Its local D1 folder (`--persist-to`), to look at or change the way an operator would.
    pub fn state(&self) -> String {
        crate::env_url(self.spec.state_env)
    }

    /// What Worker variable `name` is set to here (a limit, a window), from the table.
    pub fn var(&self, name: &str) -> &'static str {
        self.spec
            .var(name)
            .unwrap_or_else(|| panic!("the {} deployment sets no fixed {name}", self.spec.name))
    }

    /// What secret `name` is here (a console key, a mail API key), from the table.
    pub fn secret(&self, name: &str) -> &'static str {
        self.spec.secret(name).unwrap_or_else(|| {
            panic!(
                "the {} deployment has no fixed secret {name}",
                self.spec.name
            )
        })
    }

    /// This deployment to oneself, among the tests that take it: a test that changes what
    /// every user of a deployment sees (site-wide settings, an import, the D1 switch), or
    /// that needs it unchanged meanwhile, holds it for as long as it runs. Other tests
    /// write to threads of their own and need no lock. A test that fails gives it back as
    /// it unwinds.
    pub fn lock(&self) -> Held {
        let index = deployments::ALL
            .iter()
            .position(|spec| spec.name == self.spec.name)
            .expect("every deployment is in the table");
        let mut held = HELD.lock().unwrap_or_else(PoisonError::into_inner);
        while held[index] {
            held = GIVEN_BACK
                .wait(held)
                .unwrap_or_else(PoisonError::into_inner);
        }
        held[index] = true;
        Held { index }
    }

    /// `GET` a URL under this deployment.
    pub fn get(&self, path: &str) -> Reply {
        request("GET", &format!("{}{path}", self.api), &[], b"")
    }

    /// A raw request (hostile and malformed ones included).
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        request(method, &format!("{}{path}", self.api), headers, body)
    }

    /// A JSON write to `endpoint` from the demo's origin, as the widget sends it.
    pub fn write<T: Serialize>(&self, endpoint: Endpoint, body: &T) -> Reply {
        self.write_as(endpoint, body, &fresh_client_ip())
    }

    /// [`Deployment::write`] from client address `ip`.
    pub fn write_as<T: Serialize>(&self, endpoint: Endpoint, body: &T, ip: &str) -> Reply {
        let body = serde_json::to_vec(body).expect("serializable");
        self.send(
            endpoint.method().as_str(),
            &endpoint.path(),
            &[
                ("Origin", &self.demo),
                ("Content-Type", "application/json"),
                ("CF-Connecting-IP", ip),
            ],
            &body,
        )
    }

    /// Post a comment from a client of its own; an empty form token is filled in with a
    /// token of that client's for the thread, old enough to be accepted.
    pub fn post(&self, comment: &NewComment) -> Reply {
        if !comment.form_token.is_empty() {
            return self.client().post(comment);
        }
        self.client_ready_for(comment.thread.trim()).post(comment)
    }

    /// A new reader (an address of its own) with a form token for `thread`. On a
    /// deployment with a form timer, tokens for the thread's next posts are fetched at the
    /// same time, so their timers run together: a test posting three times waits out the
    /// timer about once, not three times, and each post still comes from a new address.
    pub fn client_ready_for(&self, thread: &str) -> Client<'_> {
        use std::collections::{HashMap, VecDeque};
        use std::sync::{Mutex, OnceLock};
        type Ahead = HashMap<(String, String), VecDeque<(String, (String, std::time::Instant))>>;
        static AHEAD: OnceLock<Mutex<Ahead>> = OnceLock::new();
        /// How many readers wait, token in hand, for a thread's next posts.
        const SPARE: usize = 2;
        let ahead = AHEAD.get_or_init(Default::default);
        let key = (self.api.clone(), thread.to_owned());
        let popped = ahead
            .lock()
            .unwrap()
            .get_mut(&key)
            .and_then(VecDeque::pop_front);
        let reader = |ip: &str, token| {
            let client = self.client_at(ip);
            client.tokens.borrow_mut().insert(thread.to_owned(), token);
            client
        };
        let client = match popped {
            Some((ip, token)) => reader(&ip, token),
            None => {
                let client = self.client();
                let token = client.fetch_token(thread);
                reader(&client.ip, token)
            }
        };
        if client.timer_ms() > 0 {
            loop {
                let have = ahead.lock().unwrap().get(&key).map_or(0, VecDeque::len);
                if have >= SPARE {
                    break;
                }
                let spare = self.client();
                let token = spare.fetch_token(thread);
                ahead
                    .lock()
                    .unwrap()
                    .entry(key.clone())
                    .or_default()
                    .push_back((spare.ip, token));
            }
        }
        client
    }

    /// The thread as readers first get it (the server-rendered widget, oldest first, in
    /// English); asserts it was served.
    pub fn embed(&self, thread: &str) -> String {
        let q = colloquy_core::wire::endpoint::EmbedQuery {
            thread: ThreadQuery {
                thread: thread.into(),
                sort: Sort::Oldest,
                cursor: None,
            },
            lang: "en".into(),
            ..Default::default()
        };
        let reply = crate::http::request("GET", &q.url(&self.api, Endpoint::Embed), &[], b"");
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.text
    }

    /// [`Deployment::post`] from client address `ip`.
    pub fn post_as(&self, comment: &NewComment, ip: &str) -> Reply {
        self.client_at(ip).post(comment)
    }

    /// Post raw JSON (wrong types, missing fields), with a form token for its thread.
    pub fn post_json(&self, body: &Value) -> Reply {
        let client = self.client();
        let mut body = body.clone();
        if body.get("form_token").is_none() {
            let thread = body["thread"]
                .as_str()
                .unwrap_or("/e2e/no-thread/")
                .to_owned();
            body["form_token"] = Value::String(client.token(&thread));
        }
        self.write_as(Endpoint::PostComment, &body, &client.ip)
    }

    /// A reader at a fresh address of their own.
    pub fn client(&self) -> Client<'_> {
        self.client_at(&fresh_client_ip())
    }

    /// A reader at address `ip`.
    pub fn client_at(&self, ip: &str) -> Client<'_> {
        Client {
            deployment: self,
            ip: ip.to_owned(),
            tokens: Default::default(),
        }
    }

    /// The deployment's form timer (settings of any thread page).
    pub fn min_submit_ms(&self) -> u64 {
        u64::from(self.page("/e2e/settings/").settings.min_submit_secs) * 1000
    }

    /// Post and expect `201 Created`.
    pub fn create(&self, comment: &NewComment) -> CreatedComment {
        self.post(comment).expect(201)
    }

    /// Post a comment and return its id.
    pub fn create_id(&self, comment: CommentBuilder) -> CommentId {
        self.create(&comment.build()).comment.id
    }

    /// `GET` a thread page.
    pub fn list(&self, query: &ThreadQuery) -> Reply {
        request("GET", &query.url(&self.api), &[], b"")
    }

    /// The first page of `thread` in the default order, whatever the answer.
    pub fn list_thread(&self, thread: &str) -> Reply {
        self.list(&ThreadQuery {
            thread: thread.into(),
            ..Default::default()
        })
    }

    /// The first page of `thread` in the default order, expecting `200 OK`.
    pub fn page(&self, thread: &str) -> ThreadPage {
        self.list_thread(thread).expect(200)
    }

    /// A page in `sort` order after `cursor`.
    pub fn page_after(&self, thread: &str, sort: Sort, cursor: Option<&str>) -> ThreadPage {
        self.list(&ThreadQuery {
            thread: thread.into(),
            sort,
            cursor: cursor.map(Into::into),
        })
        .expect(200)
    }
}

/// One reader at one address, as the server sees them: form tokens are bound to the thread
/// and the address, and each posts once.
pub struct Client<'d> {
    deployment: &'d Deployment,
    pub ip: String,
    /// Per thread: a token and when it may be used.
    tokens: std::cell::RefCell<std::collections::HashMap<String, (String, std::time::Instant)>>,
}

impl Client<'_> {
    /// A form token of this reader's for `thread`, waiting until it is old enough.
    pub fn token(&self, thread: &str) -> String {
        let (token, ready) = self
            .tokens
            .borrow_mut()
            .remove(thread)
            .unwrap_or_else(|| self.fetch_token(thread));
        if let Some(wait) = ready.checked_duration_since(std::time::Instant::now()) {
            std::thread::sleep(wait);
        }
        token
    }

    fn fetch_token(&self, thread: &str) -> (String, std::time::Instant) {
        let url = colloquy_core::wire::endpoint::form_token_url(&self.deployment.api, thread);
        let reply = request("GET", &url, &[("CF-Connecting-IP", &self.ip)], b"");
        if reply.status == 422 {
            // No token for a thread key that is itself invalid; the post will be refused
            // for its fields first, which is what such a test is about.
            return (
                "no-token-for-an-invalid-thread".into(),
                std::time::Instant::now(),
            );
        }
        let token: colloquy_core::wire::api::FormToken = reply.expect(200);
        (token.form_token, self.ready_at())
    }

    /// The deployment's form timer, asked once per deployment.
    fn timer_ms(&self) -> u64 {
        use std::sync::{Mutex, OnceLock};
        static TIMERS: OnceLock<Mutex<std::collections::HashMap<String, u64>>> = OnceLock::new();
        let timers = TIMERS.get_or_init(Default::default);
        let api = &self.deployment.api;
        let cached = timers.lock().unwrap().get(api).copied();
        cached.unwrap_or_else(|| {
            let ms = self.deployment.min_submit_ms();
            timers.lock().unwrap().insert(api.clone(), ms);
            ms
        })
    }

    fn ready_at(&self) -> std::time::Instant {
        let ms = self.timer_ms();
        std::time::Instant::now()
            + std::time::Duration::from_millis(ms + if ms > 0 { 300 } else { 0 })
    }

    /// Post a comment; an empty form token is filled in. A refused post leaves its token
    /// for the next try (the server uses a token up only when it publishes); a published
    /// one leaves the next token the server handed out.
    pub fn post(&self, comment: &NewComment) -> Reply {
        let mut comment = comment.clone();
        let thread = comment.thread.trim().to_owned();
        let filled = comment.form_token.is_empty();
        if filled {
            comment.form_token = self.token(&thread);
        }
        let reply = self
            .deployment
            .write_as(Endpoint::PostComment, &comment, &self.ip);
        if filled {
            let next = (reply.status == 201)
                .then(|| reply.json()["form_token"].as_str().map(str::to_owned))
                .flatten();
            let kept = match next {
                Some(next) => (next, self.ready_at()),
                None => (comment.form_token, std::time::Instant::now()),
            };
            self.tokens.borrow_mut().insert(thread, kept);
        }
        reply
    }
}

impl Client<'_> {
    /// Report comment `id` of `thread` as the widget does: with this reader's form token
    /// for the thread (each token reports once; the answer brings the next).
    pub fn report(&self, id: CommentId, thread: &str, reason: &str) -> Reply {
        let token = self.token(thread);
        let reply = self.deployment.write_as(
            Endpoint::Report(id),
            &serde_json::json!({ "reason": reason, "form_token": token }),
            &self.ip,
        );
        let next = (reply.status == 200)
            .then(|| reply.json()["form_token"].as_str().map(str::to_owned))
            .flatten();
        let kept = match next {
            Some(next) => (next, self.ready_at()),
            None => (token, std::time::Instant::now()),
        };
        self.tokens.borrow_mut().insert(thread.to_owned(), kept);
        reply
    }
}

/// The thread the demo page shows by default (seeded by `cargo xtask dev` and the suite).
pub const DEMO_THREAD: &str = "/blog/communities-of-practice/";
/// The demo article's title, which the widget's heading names.
pub const DEMO_TITLE: &str = "Can communities of practice learn online?";

/// "N comments" as the seeded demo thread's heading says it now (other tests may have
/// written there: the count comes from the thread, not from a number in a test).
pub fn demo_thread_heading() -> String {
    let total = Deployment::main().page(DEMO_THREAD).total;
    if total == 1 {
        "1 comment".to_owned()
    } else {
        format!("{total} comments")
    }
}

/// Post a comment by `name` on the main deployment for a browser test to find; its id as
/// a plain number (browser tests put ids into selectors).
pub fn seed(thread: &str, parent: Option<i64>, body: &str, name: &str) -> i64 {
    let c = comment(thread).body(body).name(name);
    let c = match parent {
        Some(p) => c.reply_to(CommentId(p)),
        None => c,
    };
    Deployment::main().create_id(c).0
}
