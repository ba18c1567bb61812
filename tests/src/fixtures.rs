//! Building test data once: new comments with a builder over core's own `NewComment`, and
//! one typed client for both test deployments, with URLs from core's `Endpoint`.

use colloquy_core::api::{CommentId, CreatedComment, NewComment, Sort, ThreadPage};
use colloquy_core::endpoint::{Endpoint, ThreadQuery};
use serde::Serialize;
use serde_json::Value;

use crate::env_names;
use crate::http::{fresh_client_ip, request, Reply};

/// A comment for `thread` that passes validation: change what the test is about.
pub fn comment(thread: &str) -> CommentBuilder {
    CommentBuilder(NewComment {
        thread: thread.to_owned(),
        body: "A comment.".into(),
        name: "Ana Novak".into(),
        email: "ana@example.org".into(),
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
    pub fn form_token(mut self, token: &str) -> Self {
        self.0.form_token = token.into();
        self
    }
    pub fn build(self) -> NewComment {
        self.0
    }
}

/// One running deployment: its API and the demo page that may write to it.
#[derive(Clone)]
pub struct Deployment {
    pub api: String,
    pub demo: String,
}

impl Deployment {
    /// The main deployment (no Turnstile, no moderation).
    pub fn main() -> Self {
        Deployment {
            api: crate::env_url(env_names::API),
            demo: crate::env_url(env_names::DEMO),
        }
    }

    /// The strict one: Turnstile, moderation, an owner key, Gravatar.
    pub fn strict() -> Self {
        Deployment {
            api: crate::env_url(env_names::STRICT_API),
            demo: crate::env_url(env_names::STRICT_DEMO),
        }
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

    /// Post a comment from a client of its own; an empty form token is filled in with one
    /// old enough to be accepted.
    pub fn post(&self, comment: &NewComment) -> Reply {
        self.post_as(comment, &fresh_client_ip())
    }

    /// [`Deployment::post`] from client address `ip`.
    pub fn post_as(&self, comment: &NewComment, ip: &str) -> Reply {
        let mut comment = comment.clone();
        if comment.form_token.is_empty() {
            comment.form_token = self.form_token();
        }
        self.write_as(Endpoint::PostComment, &comment, ip)
    }

    /// Post raw JSON (wrong types, missing fields) with a valid form token added.
    pub fn post_json(&self, body: &Value) -> Reply {
        let mut body = body.clone();
        if body.get("form_token").is_none() {
            body["form_token"] = Value::String(self.form_token());
        }
        self.write(Endpoint::PostComment, &body)
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

    /// The first page of `thread` in the default order, expecting `200 OK`.
    pub fn page(&self, thread: &str) -> ThreadPage {
        self.list(&ThreadQuery {
            thread: thread.into(),
            ..Default::default()
        })
        .expect(200)
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

    /// A form token old enough to be accepted (the server wants a few seconds between
    /// showing a form and receiving it). Fetched once per test binary and deployment; the
    /// wait is paid once.
    pub fn form_token(&self) -> String {
        use std::collections::HashMap;
        use std::sync::{Mutex, OnceLock};
        static TOKENS: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
        let tokens = TOKENS.get_or_init(Default::default);
        if let Some(t) = tokens.lock().unwrap().get(&self.api) {
            return t.clone();
        }
        let page = self.page("/e2e/form-token/");
        std::thread::sleep(std::time::Duration::from_millis(
            u64::from(page.settings.min_submit_secs) * 1000 + 300,
        ));
        tokens
            .lock()
            .unwrap()
            .entry(self.api.clone())
            .or_insert(page.form_token)
            .clone()
    }
}

/// Post a comment by `name` on the main deployment for a browser test to find; its id as
/// a plain number (browser tests put ids into selectors).
pub fn seed(thread: &str, parent: Option<i64>, body: &str, name: &str) -> i64 {
    let c = comment(thread).body(body).name(name).email("x@example.org");
    let c = match parent {
        Some(p) => c.reply_to(CommentId(p)),
        None => c,
    };
    Deployment::main().create_id(c).0
}
