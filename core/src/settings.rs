//! What the site owner changes from the console without a redeploy. Stored as JSON in the
//! `sites` row; a field left out keeps the deployment's default (wrangler.toml's vars).
//! Wire type too: the console edits exactly this.

use serde::{Deserialize, Serialize};

/// Who waits for approval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationMode {
    /// Published at once (the spam rules still hold what they catch).
    #[default]
    Off,
    /// Every comment waits.
    All,
    /// Comments wait until their author is trusted: enough approved comments under the
    /// same email *and* the same browser key (an email alone is public knowledge).
    FirstTime,
}

impl ModerationMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ModerationMode::Off => "off",
            ModerationMode::All => "all",
            ModerationMode::FirstTime => "first_time",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" | "false" | "0" | "no" | "" => Some(ModerationMode::Off),
            "all" | "on" | "true" | "1" | "yes" => Some(ModerationMode::All),
            "first_time" | "first-time" | "firsttime" => Some(ModerationMode::FirstTime),
            _ => None,
        }
    }
}

/// Words that hold a comment for review, per field. `*` matches any letters or digits
/// (`cas*no`, `*pills`); matching ignores case and respects word boundaries, so `ass`
/// does not hold "class".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MutedWords {
    pub name: Vec<String>,
    pub body: Vec<String>,
    pub website: Vec<String>,
}

/// Which events a webhook hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A comment was published.
    NewComment,
    /// A comment waits in the queue.
    PendingComment,
    /// A published comment answers another.
    Reply,
    /// A reader reported a comment.
    Report,
}

impl Event {
    pub const ALL: [Event; 4] = [
        Event::NewComment,
        Event::PendingComment,
        Event::Reply,
        Event::Report,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::NewComment => "new_comment",
            Event::PendingComment => "pending_comment",
            Event::Reply => "reply",
            Event::Report => "report",
        }
    }
}

/// The shape a webhook's body takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    /// Colloquy's own JSON, signed (`X-Colloquy-Signature`).
    #[default]
    Json,
    /// A Slack incoming webhook's `{"text": …}`.
    Slack,
    /// A Discord webhook's `{"content": …}`.
    Discord,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub url: String,
    #[serde(default)]
    pub format: WebhookFormat,
    /// The events it hears; empty means all.
    #[serde(default)]
    pub events: Vec<Event>,
}

impl Webhook {
    pub fn hears(&self, event: Event) -> bool {
        self.events.is_empty() || self.events.contains(&event)
    }
}

/// The console's settings. Every `Option` left `None` keeps the deployment's default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteSettings {
    pub moderation: Option<ModerationMode>,
    /// Approved comments (same email and browser key) before first-time moderation lets
    /// an author through.
    pub trust_after: Option<u32>,
    /// Origins allowed to post, in addition to `ALLOWED_ORIGINS`.
    pub allowed_origins: Vec<String>,
    pub max_depth: Option<usize>,
    pub edit_window_secs: Option<u32>,
    pub page_size: Option<u32>,
    /// More links than this holds a comment for review.
    pub max_links: Option<u32>,
    pub muted: MutedWords,
    /// Reports that hide a comment until the owner has looked at it.
    pub report_threshold: Option<u32>,
    /// Reports against an author's comments after which their new comments are held.
    pub reporter_threshold: Option<u32>,
    /// Threads close to new comments this many days after their first comment (0: never).
    pub auto_close_days: Option<u32>,
    pub webhooks: Vec<Webhook>,
    /// Where the daily digest of the queue goes (needs the mail API configured).
    pub digest_email: Option<String>,
    /// Days a sent (or given-up) notification is kept — where it went, when, the last
    /// error — before the Cron Trigger forgets it.
    pub outbox_retention_days: Option<u32>,
}

/// Defaults for the rules the deployment's vars do not set.
pub mod rule_defaults {
    pub const TRUST_AFTER: u32 = 1;
    pub const MAX_LINKS: u32 = 3;
    pub const REPORT_THRESHOLD: u32 = 3;
    pub const REPORTER_THRESHOLD: u32 = 5;
    pub const OUTBOX_RETENTION_DAYS: u32 = 30;
}

#[cfg(test)]
mod tests {
    use super::ModerationMode::{self, All, FirstTime, Off};

    #[test]
    fn moderation_modes_read_the_way_owners_write_them() {
        // The names the console and wrangler.toml show, and that parse back.
        let named: Vec<&str> = [Off, All, FirstTime].map(ModerationMode::as_str).to_vec();
        assert_eq!(named, ["off", "all", "first_time"]);
        for m in [Off, All, FirstTime] {
            assert_eq!(ModerationMode::parse(m.as_str()), Some(m));
        }
        for (written, mode) in [
            ("", Off),
            (" No ", Off),
            ("false", Off),
            ("0", Off),
            ("ON", All),
            ("yes", All),
            ("true", All),
            ("1", All),
            ("first-time", FirstTime),
            ("FirstTime", FirstTime),
        ] {
            assert_eq!(ModerationMode::parse(written), Some(mode), "{written:?}");
        }
        // A typo is an error, not "off" (it would publish what the owner meant to hold).
        assert_eq!(ModerationMode::parse("al"), None);
        assert_eq!(ModerationMode::parse("first time"), None);
    }
}
