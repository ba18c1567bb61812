//! Console sessions: logging in with the owner key (failed tries limited per network and
//! across networks), the session a cookie names, logging out here or everywhere.

use super::error::ServiceError;
use super::{HumanCheck, Service};
use crate::db::audit::AuditStore;
use crate::db::session::SessionStore;
use crate::db::store::CommentStore;
use crate::domain::client::ClientKeys;
use crate::domain::ratelimit::parse_limits;
use crate::domain::token::{constant_time_eq, Purpose};
use crate::wire::console::audit::AuditAction;

/// Failed logins per network (an IPv4 address or an IPv6 /56, one connection however
/// many /64s it has): five per quarter hour.
pub(super) const LOGIN_LIMITS: &str = "5/900";

/// Failed logins from everywhere together: a botnet spread over many networks gets no
/// more guesses than this (the owner's open sessions keep working meanwhile).
pub(super) const LOGIN_GLOBAL_LIMITS: &str = "100/900";

/// Whether a configured console key is long enough to be one.
pub fn usable_owner_key(key: &str) -> bool {
    key.trim().chars().count() >= crate::wire::limits::OWNER_KEY_MIN
}

impl<S: CommentStore + SessionStore + AuditStore, H: HumanCheck> Service<'_, S, H> {
    /// Log in with the console key. `configured` is the deployment's `OWNER_KEY` (none,
    /// or one shorter than [`crate::wire::limits::OWNER_KEY_MIN`]: no console); `token` a fresh random value
    /// from the caller (the cookie's), of which only a keyed hash is stored. Only failed
    /// attempts count, per network and across all networks, and a used-up limit is
    /// checked before the key, so a guess past it learns nothing.
    pub async fn login(
        &self,
        key: &str,
        configured: Option<&str>,
        token: &str,
        client_ip: &str,
        now_ms: i64,
        session_secs: u32,
    ) -> Result<i64, ServiceError> {
        self.writable()?;
        let client = ClientKeys::from_ip(client_ip);
        let network = client.network.as_deref().unwrap_or(&client.client);
        let here = self.keys.client_hash(network);
        let per_network = parse_limits(LOGIN_LIMITS).expect("login limits parse");
        let everyone = parse_limits(LOGIN_GLOBAL_LIMITS).expect("login limits parse");
        self.check_used("login-failed", &per_network, &here, now_ms)
            .await?;
        // Past the global budget (many networks guessing), only networks that have not
        // failed yet in this window may try — once each: the owner, typing the key on a
        // network of their own, still gets in during an attack.
        let failed_here = self
            .used("login-failed", &per_network[0], &here, now_ms)
            .await?;
        if failed_here > 0 {
            self.check_used("login-failed", &everyone, "everyone", now_ms)
                .await?;
        }
        let expected = configured.filter(|k| usable_owner_key(k));
        let operator =
            expected.is_some_and(|e| constant_time_eq(key.trim().as_bytes(), e.as_bytes()));
        // The site's own key opens this site only (and only where the console is open).
        let owner = expected.is_some()
            && self.site.key_hash.as_deref().is_some_and(|h| {
                constant_time_eq(
                    self.keys.hash(Purpose::ConsoleKey, key.trim()).as_bytes(),
                    h.as_bytes(),
                )
            });
        let used = if operator {
            expected
        } else if owner {
            Some(key.trim())
        } else {
            None
        };
        let Some(expected) = used else {
            // Counting is what matters here; being over is reported on the next try.
            let _ = self
                .count_one("login-failed", &everyone, "everyone", now_ms)
                .await;
            let _ = self
                .count_one("login-failed", &per_network, &here, now_ms)
                .await;
            // In the audit list: a network's first failure in the window, and the one that
            // used up its tries — not one line per guess.
            let failures = failed_here + 1;
            if failures == 1 || failures == per_network[0].max {
                self.audit(
                    "someone",
                    AuditAction::LoginFailed.as_str(),
                    &self.network_tag(client_ip),
                    Some(format!("failure {failures} of {}", per_network[0].max)),
                    now_ms,
                )
                .await?;
            }
            return Err(ServiceError::LoginFailed);
        };
        let expires = now_ms + i64::from(session_secs) * 1000;
        self.store
            .create_session(
                &self.keys.hash(Purpose::Session, token),
                &self.keys.hash(Purpose::ConsoleKey, expected),
                now_ms,
                expires,
            )
            .await?;
        Ok(expires)
    }

    /// When the session of cookie value `token` ends; `Unauthorized` when there is none,
    /// or it was opened with another console key than `configured` (changing the key ends
    /// every session).
    pub async fn session(
        &self,
        token: &str,
        configured: Option<&str>,
        now_ms: i64,
    ) -> Result<i64, ServiceError> {
        Ok(self.session_of(token, configured, now_ms).await?.0)
    }

    /// The session of cookie value `token`: when it ends, and whether the operator's key
    /// (`configured`, every site) opened it rather than the site's own key. A new key of
    /// either kind ends the sessions the old one opened.
    pub async fn session_of(
        &self,
        token: &str,
        configured: Option<&str>,
        now_ms: i64,
    ) -> Result<(i64, bool), ServiceError> {
        let Some(key) = configured.filter(|k| usable_owner_key(k)) else {
            return Err(ServiceError::Unauthorized);
        };
        if token.is_empty() || !self.keys.usable() {
            return Err(ServiceError::Unauthorized);
        }
        let id = self.keys.hash(Purpose::Session, token);
        let operator = self.keys.hash(Purpose::ConsoleKey, key);
        if let Some(expires) = self.store.session_expiry(&id, &operator, now_ms).await? {
            return Ok((expires, true));
        }
        match &self.site.key_hash {
            Some(own) => self
                .store
                .session_expiry(&id, own, now_ms)
                .await?
                .map(|expires| (expires, false))
                .ok_or(ServiceError::Unauthorized),
            None => Err(ServiceError::Unauthorized),
        }
    }

    /// "Log out everywhere": every console session ends, this one too.
    pub async fn logout_everywhere(&self) -> Result<(), ServiceError> {
        self.store.end_all_sessions().await?;
        Ok(())
    }

    pub async fn logout(&self, token: &str) -> Result<(), ServiceError> {
        self.store
            .end_session(&self.keys.hash(Purpose::Session, token))
            .await?;
        Ok(())
    }

    /// How the audit list names a network that tried to log in: a short keyed tag of its
    /// address or /56, never the address.
    pub fn network_tag(&self, client_ip: &str) -> String {
        let client = ClientKeys::from_ip(client_ip);
        let hash = self
            .keys
            .client_hash(client.network.as_deref().unwrap_or(&client.client));
        format!("network {}", &hash[..hash.len().min(8)])
    }

    /// A short, stable name for a session in the audit list (never the cookie).
    pub fn session_name(&self, token: &str) -> String {
        format!("console {}", &self.keys.hash(Purpose::Session, token)[..8])
    }
}
