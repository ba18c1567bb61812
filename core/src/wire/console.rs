//! The owner's console API, in and out: what `/admin` (its own wasm bundle) and the
//! Worker exchange. Unlike the public API, these carry private data (emails) — they are
//! only ever sent to a logged-in console session on the Worker's own origin.

pub mod audit;
pub mod query;

use serde::{Deserialize, Serialize};

use crate::wire::api::CommentId;
use crate::wire::moderation::HeldFor;
use crate::wire::moderation::{BlockKind, CommentStatus, Decision, ListedStatus};
use crate::wire::settings::{ModerationMode, SiteSettings};

/// `POST /api/v1/admin/login`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Login {
    /// The operator's key (`OWNER_KEY`, every site) or the site's own console key. The
    /// site is the one `?site=` names (absent: the deployment's own).
    pub key: String,
}

/// `GET /api/v1/admin/session`: who is logged in, and what the console shows once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub site: String,
    /// Opened with the operator's key: every site, and the Sites section.
    #[serde(default)]
    pub operator: bool,
    /// When this session ends (RFC 3339).
    pub expires_at: String,
    /// Receivers check `X-Colloquy-Signature` with this (HMAC-SHA256 over
    /// `timestamp + "." + body`).
    pub webhook_secret: String,
}

/// Which comments a console list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    /// Waiting for approval.
    #[default]
    Pending,
    /// Reported by readers (published or held).
    Reported,
    Spam,
    /// Everything recent (search).
    All,
    /// Deleted by the owner, restorable until the Trash empties.
    Trash,
    /// Published only (Everything narrowed by state).
    Published,
}

impl Tab {
    pub fn as_str(self) -> &'static str {
        match self {
            Tab::Pending => "pending",
            Tab::Reported => "reported",
            Tab::Spam => "spam",
            Tab::All => "all",
            Tab::Trash => "trash",
            Tab::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Tab::Pending,
            Tab::Reported,
            Tab::Spam,
            Tab::All,
            Tab::Trash,
            Tab::Published,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// One comment as the owner sees it: private fields included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerComment {
    pub id: CommentId,
    pub thread: String,
    pub thread_title: Option<String>,
    /// The article's address with `#comment-<id>`, when the thread knows its URL.
    pub permalink: Option<String>,
    pub parent_id: Option<CommentId>,
    pub status: ListedStatus,
    /// In the Trash: what Restore puts it back as.
    #[serde(default)]
    pub trashed_from: Option<CommentStatus>,
    pub held_for: Option<HeldFor>,
    /// For a comment held for a muted word: which word (as the owner wrote it) in which
    /// field, by today's list ("“cas*no” in the comment").
    #[serde(default)]
    pub held_detail: Option<String>,
    pub reports: u32,
    pub author: String,
    pub email: String,
    pub website: Option<String>,
    /// Sanitized on the server, like every comment body.
    pub body_html: String,
    /// What the author wrote (Markdown), for the owner's edit box.
    #[serde(default)]
    pub body_markdown: String,
    pub created_at: String,
    pub owner: bool,
    pub likes: u32,
    /// Why readers reported it: each reason with how many readers gave it.
    #[serde(default)]
    pub report_reasons: Vec<(String, u32)>,
    /// The comment it answers, so the owner reads it in context.
    #[serde(default)]
    pub parent: Option<ParentContext>,
    /// The thread's pinned comment.
    #[serde(default)]
    pub pinned: bool,
}

/// The comment a reply answers, as the console shows it above the reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParentContext {
    /// Empty when it was deleted.
    pub author: String,
    /// Its first words (Markdown as written, shown as text).
    pub excerpt: String,
    pub permalink: Option<String>,
}

/// `GET /api/v1/admin/comments?tab=…&q=…&before=…`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentList {
    pub comments: Vec<OwnerComment>,
    /// Pass as `before` for older comments; `None` at the end.
    pub next_before: Option<CommentId>,
    /// How many comments the whole list holds (all pages).
    pub total: u32,
}

/// `GET /api/v1/admin/comment-ids?tab=…&q=…`: every comment of a list (up to
/// [`MATCHING_MAX`]), for "select all N matching", with the state each is in now so the
/// action can be undone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchingIds {
    pub comments: Vec<(CommentId, ListedStatus)>,
}

/// The most ids one request of `decision` takes.
pub fn moderate_max(decision: crate::wire::moderation::Decision) -> usize {
    match decision {
        crate::wire::moderation::Decision::Approve => crate::wire::limits::APPROVE_MAX,
        _ => crate::wire::limits::MODERATE_MAX,
    }
}

/// `GET /api/v1/admin/counts`: what waits in each queue tab.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabCounts {
    pub pending: u32,
    pub reported: u32,
    pub spam: u32,
    pub trash: u32,
}

/// `POST /api/v1/admin/moderate`: one decision on many comments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moderate {
    pub ids: Vec<CommentId>,
    pub decision: Decision,
}

/// How many comments a console action changed (those already so are not counted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Done {
    pub changed: u32,
}

/// One thread in the console's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerThread {
    pub key: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub comments: u32,
    pub pending: u32,
    pub locked: bool,
    /// Closed by age (the auto-close setting), whatever `locked` says.
    pub auto_closed: bool,
    pub pinned_id: Option<CommentId>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadList {
    pub threads: Vec<OwnerThread>,
}

/// `POST /api/v1/admin/threads`: lock/unlock and pin/unpin one thread.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThreadChange {
    pub key: String,
    pub locked: Option<bool>,
    /// Pin this top-level comment.
    pub pin: Option<CommentId>,
    /// Unpin whatever is pinned.
    pub unpin: bool,
    /// A new title (the owner's: pages no longer change it).
    pub title: Option<String>,
    /// A new address of the thread's page (an http(s) URL).
    pub url: Option<String>,
}

/// `POST /api/v1/admin/blocks`: block the author of a comment (by their keyed email
/// hash, their keyed address hash, or both), or lift a block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlockChange {
    /// Block the author of this comment…
    pub comment_id: Option<CommentId>,
    pub email: bool,
    pub client: bool,
    /// …or unblock this entry of the list.
    pub unblock: Option<BlockEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockEntry {
    pub kind: BlockKind,
    pub hash: String,
    /// What the owner sees: the author's name and a masked email or "address".
    pub label: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockList {
    pub blocks: Vec<BlockEntry>,
}

/// `POST /api/v1/admin/purge`: delete every comment by the author of this one (same
/// email).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Purge {
    pub comment_id: CommentId,
}

/// `POST /api/v1/admin/reply`: the owner answers from the console (author badge).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerReply {
    pub parent_id: CommentId,
    pub body: String,
    /// The name shown (else "Site owner" in the site's default language).
    #[serde(default)]
    pub name: String,
}

/// `GET /api/v1/admin/stats`: the last 30 days at a glance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Comments written each UTC day (published or waiting), oldest first, days without
    /// any included: (`2026-12-07`, n).
    pub per_day: Vec<(String, u32)>,
    /// The threads with the most published comments in those days: (key, title, n).
    pub top_threads: Vec<(String, Option<String>, u32)>,
    /// Waiting now, and since when the oldest of them waits.
    pub pending: u32,
    pub oldest_pending: Option<String>,
}

/// `POST /api/v1/admin/webhook-test`: a test message to one of the saved webhooks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookTest {
    pub url: String,
}

/// `GET /api/v1/admin/deliveries`: the newest webhook deliveries, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deliveries {
    pub deliveries: Vec<DeliveryState>,
}

/// Where one webhook delivery stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryState {
    pub target: String,
    /// The event (`new_comment`, `test`, …).
    pub event: String,
    pub created_at: String,
    /// When it was delivered (a 2xx answer).
    pub sent_at: Option<String>,
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it is tried again; `None` once sent or given up.
    pub retry_at: Option<String>,
    /// Tried as often as it will be: not sent.
    pub given_up: bool,
}

/// `POST /api/v1/admin/edit`: the owner corrects a comment's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerEdit {
    pub id: CommentId,
    /// Markdown, like a comment's.
    pub body: String,
}

/// `GET`/`PUT /api/v1/admin/settings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub settings: SiteSettings,
    /// The deployment's defaults the fields left empty fall back to (read-only).
    pub defaults: SettingsDefaults,
}

/// What `wrangler.toml` (or the code) sets, shown beside each setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsDefaults {
    /// Read leniently: the server ignores `defaults` on save, and a console opened before
    /// this field was typed sends `""` — which must not make a save fail.
    #[serde(deserialize_with = "lenient_mode")]
    pub moderation: ModerationMode,
    pub allowed_origins: Vec<String>,
    pub max_depth: usize,
    pub edit_window_secs: u32,
    pub page_size: u32,
    pub max_links: u32,
    pub trust_after: u32,
    pub report_threshold: u32,
    pub reporter_threshold: u32,
    #[serde(default)]
    pub outbox_retention_days: u32,
    pub trash_days: u32,
}

/// `POST /api/v1/admin/badge`: a new badge token (the old one stops working). The owner
/// opens a page of the site with `#colloquy-owner=<token>` once per browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Badge {
    pub token: String,
}

/// `POST /api/v1/admin/erase` and `GET /api/v1/admin/export?email=…`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ByEmail {
    pub email: String,
}

/// Everything stored about one commenter (by email), as they may ask for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Export {
    pub email: String,
    pub exported_at: String,
    pub comments: Vec<OwnerComment>,
    /// Threads whose replies they asked to be emailed about.
    pub subscriptions: Vec<ExportedSubscription>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedSubscription {
    pub comment_id: CommentId,
    pub confirmed: bool,
    pub created_at: String,
}

/// One line of the audit list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    #[serde(default)]
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditList {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for older entries; `None` at the end.
    #[serde(default)]
    pub next_before: Option<i64>,
}

/// `colloquy export` and the console's download: every thread and comment with its
/// state (emails included: it is the owner's data), importable with `colloquy import
/// colloquy`.
/// The version of [`ExportFile`] this build writes and reads.
pub const EXPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportFile {
    pub version: u32,
    pub site: String,
    pub exported_at: String,
    pub threads: Vec<ExportThread>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportThread {
    pub key: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub locked: bool,
    /// The pinned comment's id (as in `comments`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned_id: Option<i64>,
    pub comments: Vec<ExportComment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportComment {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// `approved`, `pending`, `spam` or `deleted`.
    pub status: String,
    pub author: String,
    pub email: String,
    pub website: Option<String>,
    /// What the author typed.
    pub body_markdown: String,
    /// What readers see (sanitized).
    pub body_html: String,
    pub created_at: String,
    #[serde(default)]
    pub owner: bool,
    /// The id it was imported under, if it came from elsewhere.
    #[serde(default)]
    pub import_id: Option<String>,
    /// When its author last edited it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<String>,
    /// How many readers like it (the count: who liked it stays on the site).
    #[serde(default)]
    pub likes: u32,
}

/// `GET /api/v1/admin/site-export?after=<thread id>`: one page of the site's export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteExportPage {
    pub site: String,
    pub threads: Vec<ExportThread>,
    /// Pass as `after` for the next page; `None` at the end.
    pub next_after: Option<i64>,
}

/// Any string as a [`ModerationMode`]; what names none is the default.
fn lenient_mode<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ModerationMode, D::Error> {
    let s = String::deserialize(d)?;
    Ok(ModerationMode::parse(&s).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A console opened before the moderation default was typed sends `""` with a save:
    /// it reads as the default instead of failing the save.
    #[test]
    fn a_save_with_an_untyped_moderation_default_still_reads() {
        let defaults = |moderation: &str| {
            format!(
                r#"{{"moderation":"{moderation}","allowed_origins":[],"max_depth":5,"edit_window_secs":900,"page_size":20,"max_links":3,"trust_after":1,"report_threshold":3,"reporter_threshold":5,"trash_days":30}}"#
            )
        };
        let read = |m: &str| serde_json::from_str::<SettingsDefaults>(&defaults(m)).unwrap();
        assert_eq!(read("").moderation, ModerationMode::Off);
        assert_eq!(read("all").moderation, ModerationMode::All);
        assert_eq!(read("first_time").moderation, ModerationMode::FirstTime);
    }
}
