//! One site's settings, as the Worker read them from its configuration.

use crate::domain::ratelimit::{parse_limits, RateLimit};
use crate::domain::rules::Rules;
use crate::wire::defaults;
use crate::wire::settings::{rule_defaults, ModerationMode, SiteSettings, Webhook};

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
    /// Which comments wait for the owner, and why (moderation mode and spam rules).
    pub rules: Rules,
    /// Reports that hide a comment until the owner has looked at it.
    pub report_threshold: u32,
    /// Threads close this many days after their first comment (0: never).
    pub auto_close_days: u32,
    /// Deepest visual nesting (the widget's default when the page sets none).
    pub max_depth: usize,
    /// Keyed hash of the badge token the console issued: comments posted with that token
    /// get the author badge. (The console key itself never goes into a host page.)
    pub badge_hash: Option<String>,
    /// The deployment's `ALLOWED_ORIGINS`: origins allowed to write, exactly as browsers
    /// send them (`scheme://host[:port]`).
    pub origins: Vec<String>,
    /// Origins allowed to post besides the deployment's `ALLOWED_ORIGINS`.
    pub extra_origins: Vec<String>,
    pub webhooks: Vec<Webhook>,
    pub digest_email: Option<String>,
    /// Days sent notifications are kept before they are forgotten.
    pub outbox_retention_days: u32,
    /// Days a comment stays in the Trash before it is deleted for good.
    pub trash_days: u32,
    /// The name on the owner's replies from the console.
    pub owner_name: Option<String>,
    /// The widget's language where the page names none it has (a tag; else English).
    pub language: Option<String>,
    /// A mail API is configured: reply emails (and the queue digest) can be sent.
    pub reply_notifications: bool,
    /// The sender of notification emails (`MAIL_FROM`); `None`: no emails.
    pub mail_from: Option<String>,
    /// Gravatar's image base URL: when set (the owner's opt-in), Gravatar hashes are
    /// published and the widget shows Gravatar images.
    pub gravatar_url: Option<String>,
    /// The deployment's own site (`SITE_ID`); false for the sites the operator added.
    pub main: bool,
    /// Keyed hash of the site owner's console key (the operator's opens every site).
    pub key_hash: Option<String>,
}

impl SiteConfig {
    /// Defaults for a site that configured nothing (see [`crate::wire::defaults`]).
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
            rules: Rules {
                moderation: ModerationMode::Off,
                trust_after: rule_defaults::TRUST_AFTER,
                max_links: rule_defaults::MAX_LINKS,
                muted: Default::default(),
                reporter_threshold: rule_defaults::REPORTER_THRESHOLD,
            },
            report_threshold: rule_defaults::REPORT_THRESHOLD,
            auto_close_days: 0,
            max_depth: defaults::MAX_DEPTH,
            badge_hash: None,
            origins: Vec::new(),
            extra_origins: Vec::new(),
            webhooks: Vec::new(),
            digest_email: None,
            outbox_retention_days: rule_defaults::OUTBOX_RETENTION_DAYS,
            trash_days: rule_defaults::TRASH_DAYS,
            owner_name: None,
            language: None,
            reply_notifications: false,
            mail_from: None,
            gravatar_url: None,
            main: true,
            key_hash: None,
        }
    }

    /// The owner's console settings over the deployment's defaults.
    pub fn apply(&mut self, s: &SiteSettings) {
        if let Some(m) = s.moderation {
            self.rules.moderation = m;
        }
        if let Some(n) = s.trust_after {
            self.rules.trust_after = n.max(1);
        }
        if let Some(n) = s.max_links {
            self.rules.max_links = n;
        }
        self.rules.muted = s.muted.clone();
        if let Some(n) = s.reporter_threshold {
            self.rules.reporter_threshold = n;
        }
        if let Some(n) = s.report_threshold {
            self.report_threshold = n.max(1);
        }
        if let Some(n) = s.auto_close_days {
            self.auto_close_days = n;
        }
        if let Some(d) = s.max_depth {
            self.max_depth = d.clamp(1, defaults::MAX_DEPTH_LIMIT);
        }
        if let Some(n) = s.edit_window_secs {
            self.edit_window_secs = n;
        }
        if let Some(n) = s.page_size {
            self.page_size = n.clamp(1, defaults::PAGE_SIZE_LIMIT);
        }
        self.extra_origins = s.allowed_origins.clone();
        self.webhooks = s.webhooks.clone();
        self.digest_email = s.digest_email.clone();
        if let Some(days) = s.outbox_retention_days {
            self.outbox_retention_days = days.max(1);
        }
        if let Some(days) = s.trash_days {
            self.trash_days = days.max(1);
        }
        self.owner_name = s
            .owner_name
            .as_deref()
            .map(crate::domain::validate::clean_name)
            .filter(|n| crate::domain::validate::has_visible(n));
        self.language = s
            .language
            .as_deref()
            .map(str::trim)
            .filter(|tag| !tag.is_empty())
            .map(str::to_owned);
    }

    /// The site's id unless it is the deployment's own (what per-site secrets derive from;
    /// the deployment's own site keeps the secrets it had before there were others).
    pub fn other_site(&self) -> Option<&str> {
        (!self.main).then_some(self.id.as_str())
    }

    /// The deployment's origins and those the console added.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        self.origins
            .iter()
            .chain(&self.extra_origins)
            .any(|o| o == origin)
    }

    /// A page address on one of the allowed origins, without its fragment: what a thread
    /// may link to (feeds, emails, webhooks, the console). `None` for anything else.
    pub fn page_url(&self, url: &str) -> Option<String> {
        let parsed = url::Url::parse(url.trim()).ok()?;
        // No user name or password: `https://paypal.example@blog.example.org/` is on the
        // site, but reads as another.
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.host_str().is_none()
            || !parsed.username().is_empty()
            || parsed.password().is_some()
        {
            return None;
        }
        if !self.origin_allowed(&parsed.origin().ascii_serialization()) {
            return None;
        }
        let mut clean = parsed;
        clean.set_fragment(None);
        Some(clean.to_string())
    }

    /// Whether a thread created at `created_ms` no longer takes comments at `now_ms`.
    pub fn auto_closed(&self, created_ms: i64, now_ms: i64) -> bool {
        self.auto_close_days > 0
            && now_ms - created_ms > i64::from(self.auto_close_days) * 86_400_000
    }

    /// Whole seconds the widget should wait before sending a form, rounded up.
    pub fn min_submit_secs(&self) -> u32 {
        u32::try_from((self.min_submit_ms + 999).div_euclid(1000)).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteConfig {
        SiteConfig {
            origins: vec!["https://blog.example.org".into()],
            ..SiteConfig::new("s")
        }
    }

    #[test]
    fn console_settings_override_the_defaults_within_bounds() {
        let mut s = site();
        s.apply(&SiteSettings::default());
        assert_eq!(
            s.rules.moderation,
            ModerationMode::Off,
            "nothing set, nothing changed"
        );
        assert_eq!(s.page_size, defaults::PAGE_SIZE);
        assert_eq!(s.report_threshold, rule_defaults::REPORT_THRESHOLD);
        let settings = SiteSettings {
            moderation: Some(ModerationMode::FirstTime),
            trust_after: Some(0),
            allowed_origins: vec!["https://other.example".into()],
            max_depth: Some(1_000),
            edit_window_secs: Some(60),
            page_size: Some(0),
            max_links: Some(1),
            muted: crate::wire::settings::MutedWords {
                body: vec!["casino".into()],
                ..Default::default()
            },
            report_threshold: Some(0),
            reporter_threshold: Some(2),
            auto_close_days: Some(30),
            webhooks: vec![Webhook {
                url: "https://hooks.example/x".into(),
                format: Default::default(),
                events: vec![],
            }],
            digest_email: Some("owner@example.org".into()),
            outbox_retention_days: Some(0),
            trash_days: Some(0),
            owner_name: None,
            language: Some(" pt-BR ".into()),
        };
        s.apply(&settings);
        assert_eq!(s.language.as_deref(), Some("pt-BR"));
        assert_eq!(s.rules.moderation, ModerationMode::FirstTime);
        assert_eq!(s.rules.trust_after, 1, "trusted after at least one");
        assert!(s.origin_allowed("https://other.example"));
        assert!(
            s.origin_allowed("https://blog.example.org"),
            "the deployment's stay"
        );
        assert_eq!(s.max_depth, defaults::MAX_DEPTH_LIMIT);
        assert_eq!(s.edit_window_secs, 60);
        assert_eq!(s.page_size, 1);
        assert_eq!(s.rules.max_links, 1);
        assert_eq!(s.rules.muted.body, ["casino"]);
        assert_eq!(s.report_threshold, 1, "one report at least");
        assert_eq!(s.rules.reporter_threshold, 2);
        assert_eq!(s.auto_close_days, 30);
        assert_eq!(s.webhooks.len(), 1);
        assert_eq!(s.digest_email.as_deref(), Some("owner@example.org"));
        assert_eq!(s.outbox_retention_days, 1);
        assert_eq!(s.trash_days, 1);
        s.apply(&SiteSettings {
            max_depth: Some(0),
            page_size: Some(1_000),
            ..Default::default()
        });
        assert_eq!((s.max_depth, s.page_size), (1, defaults::PAGE_SIZE_LIMIT));
        assert!(!s.origin_allowed("https://other.example"), "removed again");
        assert!(s.webhooks.is_empty() && s.digest_email.is_none());
    }

    #[test]
    fn threads_link_only_to_plain_pages_of_the_site() {
        let s = site();
        assert_eq!(
            s.page_url(" https://blog.example.org/2014/post/?p=4#comments ")
                .as_deref(),
            Some("https://blog.example.org/2014/post/?p=4")
        );
        for url in [
            "https://paypal.example@blog.example.org/",
            "https://:secret@blog.example.org/",
            "https://user:secret@blog.example.org/",
            "https://blog.example.org.evil.example/",
            "http://blog.example.org/",
            "javascript:alert(1)//blog.example.org",
            "/2014/post/",
        ] {
            assert_eq!(s.page_url(url), None, "{url}");
        }
        // Only web pages, even where an origin of another scheme was allowed by mistake.
        let mut odd = site();
        odd.origins.push("ftp://blog.example.org".into());
        assert_eq!(odd.page_url("ftp://blog.example.org/post/"), None);
    }

    #[test]
    fn a_thread_closes_after_its_days_not_on_the_last_one() {
        let mut s = site();
        let day = 86_400_000;
        assert!(!s.auto_closed(0, 10_000 * day), "0 days: never");
        s.auto_close_days = 30;
        assert!(!s.auto_closed(0, 30 * day));
        assert!(s.auto_closed(0, 30 * day + 1));
    }

    #[test]
    fn the_widget_waits_whole_seconds_rounded_up() {
        let mut s = site();
        for (ms, secs) in [(0, 0), (1, 1), (999, 1), (1_000, 1), (1_001, 2), (3_000, 3)] {
            s.min_submit_ms = ms;
            assert_eq!(s.min_submit_secs(), secs, "{ms} ms");
        }
    }
}
