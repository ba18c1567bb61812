//! What every handler of one request shares, opened once by the router: the deployment's
//! configuration, the service over D1, the request's address and query, the Worker's own
//! origin, and where notifications wait to be sent after the response.

use colloquy_core::service::Service;
use worker::{Env, Url};

use crate::config::Config;
use crate::d1::D1Store;
use crate::notify::Outgoing;
use crate::turnstile::Turnstile;

pub struct Ctx<'a> {
    pub env: &'a Env,
    pub config: &'a Config,
    /// Without a usable secret the keys are unusable: reads work, the service refuses
    /// every write and publishes no keyed hash.
    pub service: Service<'a, D1Store, Turnstile>,
    pub url: Url,
    /// The request's query string.
    pub query: String,
    /// The site's API address: the deployment's own origin
    /// (`https://comments.example.org`), with `/s/<site>` for a site it names that way or
    /// that is not the main one. Links in the HTML are absolute (shown inside other
    /// sites' pages) and keep to the site.
    pub base: String,
    /// The deployment's own origin (its static files).
    pub origin: String,
    /// The request's path without a `/s/<site>` prefix.
    pub path: String,
    /// `If-None-Match`, for the views' 304s.
    pub if_none_match: Option<String>,
    pub outgoing: &'a Outgoing,
    /// The request's D1 session and what it cost.
    pub usage: crate::d1::Usage,
}

impl Ctx<'_> {
    /// A write changed what readers of `thread` see: its pages get a new version, with
    /// the bookmark of this request's write (readers read from a replica that has it).
    pub async fn bump(&self, thread: &str, now_ms: i64) {
        crate::cache::bump(
            self.env,
            &self.config.site.id,
            thread,
            now_ms,
            self.usage.kept_bookmark(),
        )
        .await;
    }
}
