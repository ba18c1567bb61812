//! Per-deployment settings from `[vars]` in wrangler.toml (or `--var` in dev) and secrets
//! (`wrangler secret put`, or `.dev.vars` locally).

use colloquy_core::domain::ratelimit::parse_limits;
use colloquy_core::domain::site::SiteConfig;
use colloquy_core::domain::token::Keys;
use colloquy_core::wire::defaults;
use colloquy_core::wire::settings::ModerationMode;
use colloquy_core::wire::vars;
use worker::{console_error, Env};

use crate::turnstile::{Turnstile, TurnstileConfig};
/// Cloudflare's Turnstile verification endpoint (overridable for tests).
const TURNSTILE_VERIFY_URL: &str = "https://challenges.cloudflare.com/turnstile/v0/siteverify";
const TURNSTILE_SCRIPT_URL: &str = "https://challenges.cloudflare.com/turnstile/v0/api.js";
/// Gravatar's image endpoint (overridable, so tests never contact it).
const GRAVATAR_URL: &str = "https://www.gravatar.com/avatar";

pub struct Config {
    pub site: SiteConfig,
    /// Unusable (writes refused, no keyed hashes published) when `COLLOQUY_SECRET` is
    /// missing or weak.
    pub keys: Keys,
    pub turnstile: Turnstile,
    /// The console key (`wrangler secret put OWNER_KEY`): logs in to /admin. Never sent
    /// to a host page; the author badge there uses a token the console issues.
    pub owner_key: Option<String>,
    /// The HTTP mail API for reply emails and the digest (`MAIL_API_URL`, `MAIL_FROM`,
    /// secret `MAIL_API_KEY`); `None`: no emails.
    pub mail: Option<MailApi>,
    /// The first retry of a failed notification waits this long; later ones longer.
    pub retry_base_ms: i64,
    /// This Worker's public address (`COLLOQUY_URL`), for links in emails sent by the
    /// Cron Trigger, which has no request to learn it from.
    pub public_url: Option<String>,
    /// Names the console's settings in force; part of every cached page's version.
    pub settings_stamp: String,
    /// How long a page's version holds at most (`PAGE_FRESH_SECS`): like counts (which do
    /// not bump versions) and any version bump that KV failed to store are this old at
    /// most, in browsers as at the edge.
    pub page_fresh_secs: u32,
}

pub struct MailApi {
    pub url: String,
    pub key: Option<String>,
}

/// The deployment's own site's origins (`ALLOWED_ORIGINS`), without reading the rest of
/// the configuration: a request needs them to tell the main site's pages from others'.
pub fn main_origins(env: &Env) -> Vec<String> {
    parse_origins(
        &env.var(vars::ALLOWED_ORIGINS)
            .map(|v| v.to_string())
            .unwrap_or_default(),
    )
}

/// The deployment's own site: `SITE_ID`, else `default`.
pub fn main_site(env: &Env) -> String {
    env.var(vars::SITE_ID)
        .map(|v| v.to_string().trim().to_owned())
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| defaults::SITE_ID.to_owned())
}

impl Config {
    pub fn from_env(env: &Env) -> Self {
        let var = |name: &str| {
            env.var(name)
                .map(|v| v.to_string())
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        // Secrets only through `env.secret` (the build refuses them in `[vars]`).
        let secret = |name: &str| {
            env.secret(name)
                .map(|v| v.to_string())
                .ok()
                .filter(|v| !v.trim().is_empty())
        };
        let number = |name: &str, default: u32| match var(name).map(|v| v.parse::<u32>()) {
            None => default,
            Some(Ok(n)) => n,
            Some(Err(_)) => {
                console_error!("colloquy: {name} must be a whole number; using {default}");
                default
            }
        };

        let mut site =
            SiteConfig::new(&var(vars::SITE_ID).unwrap_or_else(|| defaults::SITE_ID.to_owned()));
        site.edit_window_secs = number(vars::EDIT_WINDOW_SECS, site.edit_window_secs);
        site.min_submit_ms =
            i64::from(number(vars::MIN_SUBMIT_SECS, site.min_submit_secs())) * 1000;
        for (name, limits) in [
            (vars::RATE_LIMITS, &mut site.comment_limits),
            (vars::LIKE_RATE_LIMITS, &mut site.like_limits),
            (vars::PREVIEW_RATE_LIMITS, &mut site.preview_limits),
            (vars::EDIT_RATE_LIMITS, &mut site.edit_limits),
        ] {
            if let Some(spec) = var(name) {
                match parse_limits(&spec) {
                    Ok(parsed) => *limits = parsed,
                    Err(e) => console_error!("colloquy: {name} {e}; using the defaults"),
                }
            }
        }
        site.page_size =
            number(vars::PAGE_SIZE, site.page_size).clamp(1, defaults::PAGE_SIZE_LIMIT);
        site.reply_preview = number(vars::REPLY_PREVIEW, site.reply_preview);
        if let Some(mode) = var(vars::MODERATION) {
            match ModerationMode::parse(&mode) {
                Some(m) => site.rules.moderation = m,
                None => {
                    console_error!("colloquy: MODERATION must be off, all or first_time; using off")
                }
            }
        }
        if matches!(
            var(vars::GRAVATAR).as_deref(),
            Some("on" | "true" | "1" | "yes")
        ) {
            site.gravatar_url =
                Some(var(vars::GRAVATAR_URL).unwrap_or_else(|| GRAVATAR_URL.to_owned()));
        }
        let turnstile = match (
            var(vars::TURNSTILE_SITE_KEY),
            secret(vars::TURNSTILE_SECRET),
        ) {
            (Some(site_key), Some(secret)) => {
                site.turnstile_site_key = Some(site_key);
                site.turnstile_script_url = Some(
                    var(vars::TURNSTILE_SCRIPT_URL)
                        .unwrap_or_else(|| TURNSTILE_SCRIPT_URL.to_owned()),
                );
                Some(TurnstileConfig {
                    secret,
                    hostnames: Vec::new(),
                    verify_url: var(vars::TURNSTILE_VERIFY_URL)
                        .unwrap_or_else(|| TURNSTILE_VERIFY_URL.to_owned()),
                })
            }
            _ => None,
        };
        let mail = match (var(vars::MAIL_API_URL), var(vars::MAIL_FROM)) {
            (Some(url), Some(from)) => {
                site.mail_from = Some(from);
                site.reply_notifications = true;
                Some(MailApi {
                    url,
                    key: secret(vars::MAIL_API_KEY),
                })
            }
            _ => None,
        };
        Config {
            mail,
            retry_base_ms: i64::from(number(vars::NOTIFY_RETRY_SECS, defaults::NOTIFY_RETRY_SECS).max(1)) * 1000,
            public_url: var(vars::COLLOQUY_URL).map(|u| u.trim_end_matches('/').to_owned()),
            settings_stamp: "0".to_owned(),
            page_fresh_secs: number(vars::PAGE_FRESH_SECS, defaults::PAGE_FRESH_SECS).clamp(1, 86_400),
            site: SiteConfig {
                origins: main_origins(env),
                ..site
            },
            keys: match secret(vars::COLLOQUY_SECRET).map(|s| Keys::from_secret(&s)) {
                Some(Ok(keys)) => keys,
                Some(Err(weak)) => {
                    console_error!("colloquy: {weak}; refusing writes");
                    Keys::unusable()
                }
                None => {
                    console_error!("colloquy: COLLOQUY_SECRET is not set (wrangler secret put COLLOQUY_SECRET); refusing writes");
                    Keys::unusable()
                }
            },
            turnstile: Turnstile(turnstile),
            owner_key: secret(vars::OWNER_KEY).filter(|key| {
                let usable = colloquy_core::service::session::usable_owner_key(key);
                if !usable {
                    console_error!(
                        "colloquy: OWNER_KEY is shorter than {} characters; the console stays closed",
                        colloquy_core::wire::limits::OWNER_KEY_MIN
                    );
                }
                usable
            }),
        }
    }

    /// Turnstile must have been solved on one of this site's pages (its origins, and
    /// those its owner added): a token solved on another site's page is refused here.
    /// Set once the site is known (`env::open`).
    pub fn with_turnstile_hosts(mut self) -> Self {
        let hosts = self
            .site
            .origins
            .iter()
            .chain(&self.site.extra_origins)
            .filter_map(|o| url::Url::parse(o).ok()?.host_str().map(str::to_owned))
            .collect();
        if let Some(t) = self.turnstile.0.as_mut() {
            t.hostnames = hosts;
        }
        self
    }

    /// The deployment's `ALLOWED_ORIGINS` and those the console added.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        self.site.origin_allowed(origin)
    }
}

/// `ALLOWED_ORIGINS` is a comma- or whitespace-separated list; trailing slashes are
/// dropped because the `Origin` header never has one.
fn parse_origins(raw: &str) -> Vec<String> {
    raw.split(|c: char| c == ',' || c.is_whitespace())
        .map(|o| o.trim().trim_end_matches('/'))
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_origins;

    #[test]
    fn origins_are_split_on_commas_and_spaces_without_trailing_slashes() {
        assert_eq!(
            parse_origins(" https://a.example, http://localhost:8788/\nhttps://b.example "),
            vec![
                "https://a.example",
                "http://localhost:8788",
                "https://b.example"
            ]
        );
        assert!(parse_origins("").is_empty());
    }
}
