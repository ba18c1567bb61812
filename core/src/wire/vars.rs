//! The names an operator's configuration reaches the Worker by: `[vars]` and secrets in
//! `wrangler.toml` / `wrangler secret put`, the bindings, and the D1 database's name. The
//! Worker reads them here; `cargo xtask` sets them on its deployments, the `colloquy`
//! command names the database, and a test checks `wrangler.toml` says the same — one
//! spelling of each, so a renamed variable cannot leave the test deployments behind.

/// The D1 binding and the database's name in `wrangler.toml`.
pub const DB_BINDING: &str = "DB";
pub const DB_NAME: &str = "colloquy";
/// The KV namespace of page versions and settings copies.
pub const KV_BINDING: &str = "CACHE";

/// The site this deployment serves (a row in `sites`).
pub const SITE_ID: &str = "SITE_ID";
/// Origins allowed to write, comma-separated.
pub const ALLOWED_ORIGINS: &str = "ALLOWED_ORIGINS";
pub const EDIT_WINDOW_SECS: &str = "EDIT_WINDOW_SECS";
pub const MIN_SUBMIT_SECS: &str = "MIN_SUBMIT_SECS";
/// Rate limits, `count/seconds,…` each.
pub const RATE_LIMITS: &str = "RATE_LIMITS";
pub const LIKE_RATE_LIMITS: &str = "LIKE_RATE_LIMITS";
pub const PREVIEW_RATE_LIMITS: &str = "PREVIEW_RATE_LIMITS";
pub const EDIT_RATE_LIMITS: &str = "EDIT_RATE_LIMITS";
pub const PAGE_SIZE: &str = "PAGE_SIZE";
pub const REPLY_PREVIEW: &str = "REPLY_PREVIEW";
pub const MODERATION: &str = "MODERATION";
pub const GRAVATAR: &str = "GRAVATAR";
pub const GRAVATAR_URL: &str = "GRAVATAR_URL";
pub const TURNSTILE_SITE_KEY: &str = "TURNSTILE_SITE_KEY";
pub const TURNSTILE_SCRIPT_URL: &str = "TURNSTILE_SCRIPT_URL";
pub const TURNSTILE_VERIFY_URL: &str = "TURNSTILE_VERIFY_URL";
pub const MAIL_API_URL: &str = "MAIL_API_URL";
pub const MAIL_FROM: &str = "MAIL_FROM";
pub const NOTIFY_RETRY_SECS: &str = "NOTIFY_RETRY_SECS";
/// The Worker's public address, for links in emails and feeds.
pub const COLLOQUY_URL: &str = "COLLOQUY_URL";
pub const PAGE_FRESH_SECS: &str = "PAGE_FRESH_SECS";
pub const ADMIN_SESSION_SECS: &str = "ADMIN_SESSION_SECS";
/// How long an isolate trusts its copy of the directory of sites (a new site reaches
/// other isolates within it; a site's move holds its writes twice as long).
pub const DIRECTORY_FRESH_SECS: &str = "DIRECTORY_FRESH_SECS";
/// Test deployments only: D1 failing on request (ignored with a warning elsewhere).
pub const FAULT_SWITCH: &str = "FAULT_SWITCH";

/// Secrets.
pub const COLLOQUY_SECRET: &str = "COLLOQUY_SECRET";
pub const OWNER_KEY: &str = "OWNER_KEY";
pub const TURNSTILE_SECRET: &str = "TURNSTILE_SECRET";
pub const MAIL_API_KEY: &str = "MAIL_API_KEY";

/// Settings that are secrets: set with `wrangler secret put`, never in `[vars]` (which are
/// shown in the dashboard and committed with wrangler.toml). The build refuses a
/// wrangler.toml that has any of them among its vars.
pub const SECRET_NAMES: &[&str] = &[COLLOQUY_SECRET, OWNER_KEY, TURNSTILE_SECRET];

#[cfg(test)]
mod tests {
    /// `wrangler.toml` is written by hand: it must name what the Worker reads.
    #[test]
    fn wrangler_toml_uses_these_names() {
        let toml = include_str!("../../../wrangler.toml");
        for needle in [
            format!(
                "binding = \"{}\"\ndatabase_name = \"{}\"",
                super::DB_BINDING,
                super::DB_NAME
            ),
            format!("binding = \"{}\"", super::KV_BINDING),
            format!("\n{} = ", super::SITE_ID),
            format!("\n{} = ", super::ALLOWED_ORIGINS),
        ] {
            assert!(toml.contains(&needle), "wrangler.toml lacks {needle:?}");
        }
    }
}
