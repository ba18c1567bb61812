//! The business layer: what listing a thread, posting, editing, deleting and liking mean,
//! over any [`CommentStore`] and any [`HumanCheck`]. The Worker only parses HTTP, calls
//! one method here, and serializes the result.
//!
//! - [`read`]: thread pages, replies, permalink context, counts;
//! - [`write`]: posting (every check in cost order), editing, deleting, likes, preview;
//! - [`error`]: the one error enum and its mapping to error codes.

pub mod audit;
pub mod console;
pub mod error;
pub mod import;
pub mod notify;
pub mod owner;
pub mod privacy;
pub mod read;
pub mod session;
pub mod settings;
pub mod sites;
pub mod write;

#[cfg(test)]
mod tests;

use error::ServiceError;

use crate::db::store::{CommentStore, HitRateLimit};
use crate::domain::client::{ClientKeys, WIDE_BUDGET};
use crate::domain::dates::rfc3339;
use crate::domain::mail_words::MailWords;
use crate::domain::model::CommentRecord;
use crate::domain::ratelimit::RateLimit;
use crate::domain::site::SiteConfig;
use crate::domain::token::Keys;
use crate::wire::api::PublicComment;

/// A check that a person, not a script, sent the form (Cloudflare Turnstile when the site
/// turned it on). It costs a network round trip, so [`Service::post`] asks it only after
/// every cheap check and the rate limit have passed.
#[allow(async_fn_in_trait)]
pub trait HumanCheck {
    /// Whether this site requires the check at all.
    fn required(&self) -> bool;
    /// `Ok(true)` when `token` is a solved challenge; `Err` when the verifier could not be
    /// asked (an outage, not the reader's fault).
    async fn verify(&self, token: &str, client_ip: &str) -> Result<bool, String>;
}

/// The outcome of a write and the thread it changed (whose cached pages are now stale).
#[derive(Debug, Clone, PartialEq)]
pub struct Changed<T> {
    pub value: T,
    pub thread: String,
}

/// For sites without a human check.
pub struct NoCheck;

impl HumanCheck for NoCheck {
    fn required(&self) -> bool {
        false
    }

    async fn verify(&self, _token: &str, _client_ip: &str) -> Result<bool, String> {
        Ok(true)
    }
}

/// One site's comment service over a store (and, for posting, a human check).
pub struct Service<'s, S, H = NoCheck> {
    store: &'s S,
    site: &'s SiteConfig,
    keys: &'s Keys,
    check: &'s H,
    /// The language of the emails this request makes (and of the pages their links open).
    mail: &'s MailWords<'s>,
}

impl<'s, S: CommentStore> Service<'s, S, NoCheck> {
    pub fn new(store: &'s S, site: &'s SiteConfig, keys: &'s Keys) -> Self {
        Service {
            store,
            site,
            keys,
            check: &NoCheck,
            mail: &MailWords::ENGLISH,
        }
    }
}

impl<'s, S: CommentStore, H: HumanCheck> Service<'s, S, H> {
    /// The same service, asking `check` before accepting a new comment.
    pub fn with_check<H2: HumanCheck>(self, check: &'s H2) -> Service<'s, S, H2> {
        Service {
            store: self.store,
            site: self.site,
            keys: self.keys,
            check,
            mail: self.mail,
        }
    }

    /// The same service, writing its emails with `mail`'s words: the language of the page
    /// a comment was written on, or the site's default for the owner's.
    pub fn speaking(&self, mail: &'s MailWords<'s>) -> Service<'s, S, H> {
        Service {
            store: self.store,
            site: self.site,
            keys: self.keys,
            check: self.check,
            mail,
        }
    }

    /// The site this service serves.
    pub fn site(&self) -> &'s SiteConfig {
        self.site
    }

    /// The store underneath (the Worker refreshes its settings cache from it).
    pub fn store(&self) -> &'s S {
        self.store
    }

    /// The public view of a stored comment, with this site's avatar hashes.
    fn public(&self, record: &CommentRecord) -> PublicComment {
        let avatar = self
            .keys
            .avatar_hash(record.thread_id, &record.author_email);
        let public = record.to_public(rfc3339, avatar);
        if self.site.gravatar_url.is_some() && !public.deleted {
            PublicComment {
                gravatar: Some(crate::domain::token::gravatar_hash(&record.author_email)),
                ..public
            }
        } else {
            public
        }
    }

    /// Count one `action` by this client against each limit (and, for an IPv6 client,
    /// its /56 against [`WIDE_BUDGET`] times each limit); the first exceeded one wins.
    async fn count_against(
        &self,
        action: &str,
        limits: &[RateLimit],
        client: &ClientKeys,
        now_ms: i64,
    ) -> Result<(), ServiceError> {
        let scaled: Vec<RateLimit>;
        let mut budgets = vec![(client.client.as_str(), limits)];
        if let Some(network) = &client.network {
            scaled = limits
                .iter()
                .map(|l| RateLimit {
                    max: l.max.saturating_mul(WIDE_BUDGET),
                    ..*l
                })
                .collect();
            budgets.push((network.as_str(), &scaled));
        }
        for (who, limits) in budgets {
            self.count_one(action, limits, &self.keys.client_hash(who), now_ms)
                .await?;
        }
        Ok(())
    }

    fn limit_key(&self, action: &str, limit: &RateLimit, who_hash: &str) -> String {
        // Failed console logins count across the deployment: the operator's key opens
        // every site, so guesses spread over many sites get no more tries than one.
        let scope = if action == "login-failed" {
            "*"
        } else {
            self.site.id.as_str()
        };
        format!("{action}:{scope}:{}:{who_hash}", limit.window_secs)
    }

    /// How many times `who` did `action` in `limit`'s current window.
    async fn used(
        &self,
        action: &str,
        limit: &RateLimit,
        who_hash: &str,
        now_ms: i64,
    ) -> Result<u32, ServiceError> {
        let (start, _) = limit.window(now_ms);
        Ok(self
            .store
            .rate_limit_count(&self.limit_key(action, limit, who_hash), start)
            .await?)
    }

    /// `RateLimited` when `who` has used up any of `limits` for `action` — counting
    /// nothing (what is counted is only failures, say).
    async fn check_used(
        &self,
        action: &str,
        limits: &[RateLimit],
        who_hash: &str,
        now_ms: i64,
    ) -> Result<(), ServiceError> {
        for limit in limits {
            let (start, _) = limit.window(now_ms);
            let used = self
                .store
                .rate_limit_count(&self.limit_key(action, limit, who_hash), start)
                .await?;
            if used >= limit.max {
                return Err(ServiceError::RateLimited {
                    retry_after_secs: limit.retry_after_secs(now_ms),
                });
            }
        }
        Ok(())
    }

    async fn count_one(
        &self,
        action: &str,
        limits: &[RateLimit],
        client_hash: &str,
        now_ms: i64,
    ) -> Result<(), ServiceError> {
        for limit in limits {
            let (start, end) = limit.window(now_ms);
            let key = self.limit_key(action, limit, client_hash);
            let count = self
                .store
                .hit_rate_limit(HitRateLimit {
                    key: &key,
                    window_start_ms: start,
                    expires_at_ms: end,
                })
                .await?;
            if count > limit.max {
                return Err(ServiceError::RateLimited {
                    retry_after_secs: limit.retry_after_secs(now_ms),
                });
            }
        }
        Ok(())
    }
}
