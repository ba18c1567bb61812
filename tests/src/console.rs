//! The owner's console over HTTP, as its page talks to it: same origin, JSON, a session
//! cookie from logging in.

use colloquy_core::wire::api::CommentId;
use colloquy_core::wire::console::query::ListQuery;
use colloquy_core::wire::console::CommentList;
use colloquy_core::wire::console::Tab;
use colloquy_core::wire::endpoint::{AdminOp, Endpoint};
use serde::Serialize;

use crate::deployments;
use crate::fixtures::Deployment;
use crate::http::{fresh_client_ip, request, Reply};

/// A logged-in console (or a stranger, with no cookie).
pub struct Console {
    pub api: String,
    pub cookie: Option<String>,
}

/// The console key every test deployment with a console runs with.
pub fn owner_key() -> String {
    deployments::MAIN
        .secret(colloquy_core::wire::vars::OWNER_KEY)
        .expect("the main deployment has a console key")
        .to_owned()
}

impl Console {
    /// Not logged in.
    pub fn anonymous(deployment: &Deployment) -> Self {
        Console {
            api: deployment.api.clone(),
            cookie: None,
        }
    }

    /// Log in with `key` from an address of its own; the reply, and the console when it
    /// worked.
    pub fn login_with(deployment: &Deployment, key: &str) -> (Reply, Option<Console>) {
        Console::login_to(deployment, "", key)
    }

    /// Log in to site `site` of the deployment (`""`: its own) with `key`.
    pub fn login_to(deployment: &Deployment, site: &str, key: &str) -> (Reply, Option<Console>) {
        let reply = Console::anonymous(deployment).send_to(
            AdminOp::Login,
            &colloquy_core::wire::endpoint::site_query(site),
            &serde_json::json!({ "key": key }),
            &fresh_client_ip(),
        );
        let cookie = reply
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .map(str::to_owned);
        let console = (reply.status == 200).then(|| Console {
            api: deployment.api.clone(),
            cookie,
        });
        (reply, console)
    }

    pub fn login(deployment: &Deployment) -> Console {
        let (reply, console) = Console::login_with(deployment, &owner_key());
        console.unwrap_or_else(|| panic!("console login failed: {}", reply.text))
    }

    fn headers(&self) -> Vec<(&'static str, String)> {
        let mut h = vec![("Origin", self.api.clone())];
        if let Some(c) = &self.cookie {
            h.push(("Cookie", c.clone()));
        }
        h
    }

    /// `GET` an operation with a query string.
    pub fn get(&self, op: AdminOp, query: &str) -> Reply {
        let url = format!("{}?{query}", Endpoint::Admin(op).url(&self.api));
        let headers = self.headers();
        let refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        request("GET", &url, &refs, b"")
    }

    /// `POST` JSON to an operation, from the console's own origin.
    pub fn post<T: Serialize>(&self, op: AdminOp, body: &T) -> Reply {
        self.send(op, body, &fresh_client_ip())
    }

    fn send<T: Serialize>(&self, op: AdminOp, body: &T, ip: &str) -> Reply {
        self.send_to(op, "", body, ip)
    }

    fn send_to<T: Serialize>(&self, op: AdminOp, query: &str, body: &T, ip: &str) -> Reply {
        let mut headers = self.headers();
        headers.push(("Content-Type", "application/json".into()));
        headers.push(("CF-Connecting-IP", ip.into()));
        let refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let url = Endpoint::Admin(op).url(&self.api);
        let url = if query.is_empty() {
            url
        } else {
            format!("{url}?{query}")
        };
        request(
            "POST",
            &url,
            &refs,
            &serde_json::to_vec(body).expect("serializable"),
        )
    }
}

/// A console list (`tab`: pending, reported, spam, all, trash), narrowed by the search `q`.
pub fn list(console: &Console, tab: &str, q: &str) -> CommentList {
    console
        .get(
            AdminOp::Comments,
            &ListQuery {
                tab: Tab::parse(tab).expect("a console tab"),
                search: q.to_owned(),
                before: None,
            }
            .to_query(),
        )
        .expect(200)
}

/// The ids of a console list, in its order.
pub fn ids(list: &CommentList) -> Vec<CommentId> {
    list.comments.iter().map(|c| c.id).collect()
}
