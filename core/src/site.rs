//! One site's settings, as the Worker read them from its configuration.

use crate::defaults;
use crate::ratelimit::{parse_limits, RateLimit};

#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub id: String,
    /// How long after posting the author may edit or delete (0 turns editing off).
    pub edit_window_secs: u32,
    /// The least time between showing the form and sending it.
    pub min_submit_ms: i64,
    /// The longest a shown form stays valid.
    pub form_max_age_ms: i64,
    /// Limits on comment creation per client.
    pub comment_limits: Vec<RateLimit>,
    pub turnstile_site_key: Option<String>,
    pub turnstile_script_url: Option<String>,
    /// Top-level comments per page.
    pub page_size: u32,
    /// Replies sent with each top-level comment of a page; the rest load on request.
    pub reply_preview: u32,
    /// Limits on likes per client.
    pub like_limits: Vec<RateLimit>,
    /// Limits on previews per client.
    pub preview_limits: Vec<RateLimit>,
    /// Limits on edits per client.
    pub edit_limits: Vec<RateLimit>,
    /// Hold new comments for moderation instead of publishing them at once.
    pub moderation: bool,
    /// The site owner's key; comments posted with it get the author badge.
    pub owner_key: Option<String>,
    /// Gravatar's image base URL: when set (the owner's opt-in), Gravatar hashes are
    /// published and the widget shows Gravatar images.
    pub gravatar_url: Option<String>,
}

impl SiteConfig {
    /// Defaults for a site that configured nothing (see [`crate::defaults`]).
    pub fn new(id: &str) -> Self {
        SiteConfig {
            id: id.to_owned(),
            edit_window_secs: defaults::EDIT_WINDOW_SECS,
            min_submit_ms: i64::from(defaults::MIN_SUBMIT_SECS) * 1000,
            form_max_age_ms: i64::from(defaults::FORM_MAX_AGE_SECS) * 1000,
            comment_limits: parse_limits(defaults::COMMENT_LIMITS).expect("default limits parse"),
            turnstile_site_key: None,
            turnstile_script_url: None,
            page_size: defaults::PAGE_SIZE,
            reply_preview: defaults::REPLY_PREVIEW,
            like_limits: parse_limits(defaults::LIKE_LIMITS).expect("default like limits parse"),
            preview_limits: parse_limits(defaults::PREVIEW_LIMITS).expect("preview limits parse"),
            edit_limits: parse_limits(defaults::EDIT_LIMITS).expect("edit limits parse"),
            moderation: false,
            owner_key: None,
            gravatar_url: None,
        }
    }

    /// Whole seconds the widget should wait before sending a form, rounded up.
    pub fn min_submit_secs(&self) -> u32 {
        u32::try_from((self.min_submit_ms + 999).div_euclid(1000)).unwrap_or(0)
    }
}
