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
    /// The deployment's own origin (`https://comments.example.org`): links in the HTML
    /// are absolute, since it is shown inside other sites' pages.
    pub base: String,
    /// `If-None-Match`, for the views' 304s.
    pub if_none_match: Option<String>,
    pub outgoing: &'a Outgoing,
}
