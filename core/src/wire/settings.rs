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
    /// Days a comment stays in the Trash (restorable) before it is deleted for good.
    pub trash_days: Option<u32>,
    /// The name the owner's replies from the console carry (else "Site owner").
    pub owner_name: Option<String>,
    /// The language the widget speaks on pages that do not say theirs (or say one it does
    /// not have): a language tag (`es`, `pt-BR`); else English.
    pub language: Option<String>,
}

/// One setting that cannot be saved, named by its field in [`SiteSettings`] (`page_size`,
/// `allowed_origins`, `webhooks.1.url`), with what is wrong in the owner's words. The
/// console shows each beside its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingProblem {
    pub field: String,
    pub message: String,
}

/// The whole numbers a setting takes (both ends included), and what 0 means where 0 is
/// allowed and is not a plain number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub field: &'static str,
    pub min: u64,
    pub max: u64,
    pub zero_means: Option<&'static str>,
}

/// Every number setting's range: one list for the console's checks, the server's, and
/// the hints beside the fields.
pub const RANGES: &[Range] = &[
    Range {
        field: "trust_after",
        min: 1,
        max: 1_000,
        zero_means: None,
    },
    Range {
        field: "max_depth",
        min: 1,
        max: crate::wire::defaults::MAX_DEPTH_LIMIT as u64,
        zero_means: None,
    },
    Range {
        field: "edit_window_secs",
        min: 0,
        max: 604_800,
        zero_means: Some("no editing"),
    },
    Range {
        field: "page_size",
        min: 1,
        max: crate::wire::defaults::PAGE_SIZE_LIMIT as u64,
        zero_means: None,
    },
    Range {
        field: "max_links",
        min: 0,
        max: 1_000,
        zero_means: Some("any link holds the comment"),
    },
    Range {
        field: "report_threshold",
        min: 1,
        max: 1_000,
        zero_means: None,
    },
    Range {
        field: "reporter_threshold",
        min: 0,
        max: 1_000,
        zero_means: Some("never"),
    },
    Range {
        field: "auto_close_days",
        min: 0,
        max: 36_500,
        zero_means: Some("never"),
    },
    Range {
        field: "outbox_retention_days",
        min: 1,
        max: 3_650,
        zero_means: None,
    },
    Range {
        field: "trash_days",
        min: 1,
        max: 3_650,
        zero_means: None,
    },
];

impl Range {
    /// The range of `field` (a number setting's name).
    pub fn of(field: &str) -> Option<Range> {
        RANGES.iter().copied().find(|r| r.field == field)
    }

    /// "from 1 to 100", "from 0 (never) to 36500".
    pub fn words(&self) -> String {
        match self.zero_means {
            Some(zero) if self.min == 0 => format!("from 0 ({zero}) to {}", self.max),
            _ => format!("from {} to {}", self.min, self.max),
        }
    }

    /// A number as typed: empty is `None` (the default); anything else must be a whole
    /// number in the range.
    pub fn parse(&self, text: &str) -> Result<Option<u64>, SettingProblem> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let problem = |what: String| SettingProblem {
            field: self.field.to_owned(),
            message: what,
        };
        let digits = text.strip_prefix('+').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(problem(format!(
                "“{text}” is not a whole number: use one {}.",
                self.words()
            )));
        }
        match digits.parse::<u64>() {
            Ok(n) if (self.min..=self.max).contains(&n) => Ok(Some(n)),
            _ => Err(problem(format!(
                "{text} is out of range: use a number {}.",
                self.words()
            ))),
        }
    }

    /// The same check on a number already parsed (what the server receives).
    pub fn check(&self, value: Option<u64>) -> Option<SettingProblem> {
        let n = value?;
        (!(self.min..=self.max).contains(&n)).then(|| SettingProblem {
            field: self.field.to_owned(),
            message: format!("{n} is out of range: use a number {}.", self.words()),
        })
    }
}

impl SiteSettings {
    /// Every number setting with its value, by field name.
    pub fn numbers(&self) -> [(&'static str, Option<u64>); 10] {
        let n = |v: Option<u32>| v.map(u64::from);
        [
            ("trust_after", n(self.trust_after)),
            ("max_depth", self.max_depth.map(|d| d as u64)),
            ("edit_window_secs", n(self.edit_window_secs)),
            ("page_size", n(self.page_size)),
            ("max_links", n(self.max_links)),
            ("report_threshold", n(self.report_threshold)),
            ("reporter_threshold", n(self.reporter_threshold)),
            ("auto_close_days", n(self.auto_close_days)),
            ("outbox_retention_days", n(self.outbox_retention_days)),
            ("trash_days", n(self.trash_days)),
        ]
    }

    /// Numbers out of their ranges (the console checks as the owner types; the server
    /// checks again, with the checks that need the server's code).
    pub fn number_problems(&self) -> Vec<SettingProblem> {
        self.numbers()
            .into_iter()
            .filter_map(|(field, value)| Range::of(field)?.check(value))
            .collect()
    }
}

/// Defaults for the rules the deployment's vars do not set.
pub mod rule_defaults {
    pub const TRUST_AFTER: u32 = 1;
    pub const MAX_LINKS: u32 = 3;
    pub const REPORT_THRESHOLD: u32 = 3;
    pub const REPORTER_THRESHOLD: u32 = 5;
    pub const OUTBOX_RETENTION_DAYS: u32 = 30;
    pub const TRASH_DAYS: u32 = 30;
}

#[cfg(test)]
mod tests {
    use super::ModerationMode::{self, All, FirstTime, Off};
    use super::{Range, SiteSettings};

    #[test]
    fn numbers_are_checked_against_their_stated_ranges() {
        let page = Range::of("page_size").unwrap();
        assert_eq!(page.parse("  "), Ok(None), "empty: the default");
        assert_eq!(page.parse("25"), Ok(Some(25)));
        assert_eq!(page.parse("+7"), Ok(Some(7)));
        let says = |r: Range, text: &str| r.parse(text).unwrap_err().message;
        assert_eq!(
            says(page, "0"),
            "0 is out of range: use a number from 1 to 100."
        );
        assert_eq!(
            says(page, "99999999999"),
            "99999999999 is out of range: use a number from 1 to 100."
        );
        assert_eq!(
            says(page, "99999999999999999999999"),
            "99999999999999999999999 is out of range: use a number from 1 to 100.",
            "past u64 too"
        );
        assert_eq!(
            says(page, "-1"),
            "“-1” is not a whole number: use one from 1 to 100."
        );
        assert_eq!(
            says(page, "2.5"),
            "“2.5” is not a whole number: use one from 1 to 100."
        );
        let close = Range::of("auto_close_days").unwrap();
        assert_eq!(close.words(), "from 0 (never) to 36500");
        assert_eq!(close.parse("0"), Ok(Some(0)));
        let reports = Range::of("report_threshold").unwrap();
        assert!(
            reports.parse("0").is_err(),
            "0 reports would hide every comment"
        );
        let s = SiteSettings {
            page_size: Some(0),
            max_depth: Some(1_000),
            trash_days: Some(30),
            ..SiteSettings::default()
        };
        let fields: Vec<String> = s.number_problems().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["max_depth", "page_size"]);
        // Every number setting has a range.
        for (field, _) in s.numbers() {
            assert!(Range::of(field).is_some(), "{field}");
        }
    }

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
