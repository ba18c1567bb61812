//! The JSON API under `/api/v1`: request and response types (errors: [`crate::wire::error`]).
//!
//! Widget and Worker both compile these exact types, so the wire format cannot drift.
//! Public response types deliberately have no email or IP fields at all: leaking them would
//! be a type error, not a review miss.

use serde::{Deserialize, Serialize};

/// A comment's id: D1's integer row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommentId(pub i64);

impl std::fmt::Display for CommentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for CommentId {
    type Err = ();

    /// Only positive integers are ids: `0`, `-1`, `+5` and `05x` are not.
    fn from_str(s: &str) -> Result<Self, ()> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        s.parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(CommentId)
            .ok_or(())
    }
}

/// `POST /api/v1/comments`: a new top-level comment or, with `parent_id`, a reply.
///
/// Every field defaults when missing so that an absent name is reported as
/// `name_required` on that field, not as an opaque JSON error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewComment {
    /// The thread key (`data-colloquy-thread` or the page's canonical path).
    pub thread: String,
    /// The article title, remembered when the first comment creates the thread.
    pub thread_title: Option<String>,
    /// The article URL, remembered when the first comment creates the thread.
    pub thread_url: Option<String>,
    pub parent_id: Option<CommentId>,
    pub body: String,
    pub name: String,
    pub email: String,
    pub website: Option<String>,
    /// The [`FormToken`] the form was shown with: proves a human-speed delay, for this
    /// thread, from this reader; good for one comment.
    pub form_token: String,
    /// A field hidden from people; anything in it marks the sender as a bot.
    pub honeypot: Option<String>,
    /// Cloudflare Turnstile's token, when the site turned Turnstile on.
    pub turnstile_token: Option<String>,
    /// The badge token the site owner's console issued (kept in the owner's browser):
    /// marks the comment with the author badge. Typing the owner's name proves nothing.
    pub owner_key: Option<String>,
    /// A random key the commenter's browser keeps: with the same email, it makes a
    /// commenter trusted under first-time moderation (an email alone is public knowledge).
    #[serde(default)]
    pub author_key: Option<String>,
    /// Email me when someone replies (double opt-in: a confirmation email comes first).
    #[serde(default)]
    pub notify_replies: bool,
}

/// How top-level comments are ordered; replies are always oldest first under their parent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Oldest,
    Newest,
    Liked,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Oldest => "oldest",
            Sort::Newest => "newest",
            Sort::Liked => "liked",
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        [Sort::Oldest, Sort::Newest, Sort::Liked]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// `GET /api/v1/comments/{root}/replies`: every visible reply under one top-level comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepliesPage {
    pub root_id: CommentId,
    pub comments: Vec<PublicComment>,
}

/// `GET /api/v1/comments/{id}`: one comment and the top-level comment it hangs under, so a
/// permalink can load the right page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentContext {
    pub comment: PublicComment,
    pub root_id: CommentId,
    /// The key of the thread the comment belongs to: a permalink found on another page
    /// must not pull it into this one.
    #[serde(default)]
    pub thread: String,
    /// The thread was closed by the owner.
    #[serde(default)]
    pub locked: bool,
}

/// `POST`/`DELETE /api/v1/comments/{id}/like`: `reader` is a random id the widget keeps in
/// `localStorage`; the server stores only a keyed hash of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LikeRequest {
    pub reader: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LikeState {
    pub likes: u32,
    pub liked: bool,
}

/// `POST /api/v1/preview`: render a body exactly as publishing would, without storing it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PreviewRequest {
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewResponse {
    pub html: String,
}

/// `GET /api/v1/counts?thread=a&thread=b`: visible comments per thread key, for index pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountsResponse {
    pub counts: std::collections::BTreeMap<String, u32>,
}

/// `PATCH /api/v1/comments/{id}`: change the text of your own comment within the edit window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditComment {
    pub edit_token: String,
    pub body: String,
}

/// `DELETE /api/v1/comments/{id}`: remove your own comment within the edit window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteComment {
    pub edit_token: String,
}

/// One published comment as anyone may see it. No email, no IP — by construction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicComment {
    pub id: CommentId,
    pub parent_id: Option<CommentId>,
    /// The top-level comment this reply hangs under (`None` for top-level comments).
    #[serde(default)]
    pub root_id: Option<CommentId>,
    pub author: String,
    /// The author's website, already validated as an http(s) URL.
    pub website: Option<String>,
    /// Server-rendered, allowlist-sanitized HTML: the only HTML the widget ever inserts.
    pub body_html: String,
    /// UTC, RFC 3339.
    pub created_at: String,
    /// Set when the author edited the text.
    #[serde(default)]
    pub edited_at: Option<String>,
    /// A deleted comment kept as "[deleted]" because replies hang under it; author, website
    /// and body are empty.
    #[serde(default)]
    pub deleted: bool,
    /// Seed for the author's identicon: a keyed hash, so it reveals nothing about the email.
    #[serde(default)]
    pub avatar: String,
    /// Gravatar's MD5 of the email — only when the site owner turned Gravatar on, since an
    /// unkeyed hash of an address can be reversed by dictionary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gravatar: Option<String>,
    #[serde(default)]
    pub likes: u32,
    /// For top-level comments: how many visible replies hang under it in all (the page
    /// carries only the first few).
    #[serde(default)]
    pub descendants: u32,
    /// Written by the site owner (author badge).
    #[serde(default)]
    pub owner: bool,
    /// Shown first in its thread, marked "Pinned" (the owner's choice).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// Held for moderation: only ever sent to its author, in the answer to posting it.
    #[serde(default)]
    pub pending: bool,
}

impl PublicComment {
    /// Turn into a "[deleted]" placeholder: only its place in the tree remains. The one
    /// definition of what a deleted comment still shows, for the server and the widget.
    pub fn mark_deleted(&mut self) {
        self.deleted = true;
        self.author.clear();
        self.website = None;
        self.body_html.clear();
        self.edited_at = None;
        self.avatar.clear();
        self.gravatar = None;
        self.owner = false;
    }
}

/// `GET /api/v1/comments?thread=…`: a whole thread, flat, oldest first.
/// Each comment carries its `parent_id`, which is all the widget needs to build the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadPage {
    pub thread: String,
    /// The title stored with the thread, if any comment has created it yet.
    pub title: Option<String>,
    /// Number of published comments in the thread, replies included.
    pub total: u32,
    pub comments: Vec<PublicComment>,
    pub sort: Sort,
    /// Pass as `cursor` to get the next page of top-level comments; `None` on the last page.
    pub next_cursor: Option<String>,
    pub settings: WidgetSettings,
    /// Closed to new comments (by the owner, or by age): the widget offers no form.
    #[serde(default)]
    pub locked: bool,
}

/// Why a reader reports a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    Spam,
    Abuse,
    OffTopic,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 4] = [
        ReportReason::Spam,
        ReportReason::Abuse,
        ReportReason::OffTopic,
        ReportReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportReason::Spam => "spam",
            ReportReason::Abuse => "abuse",
            ReportReason::OffTopic => "off_topic",
            ReportReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// `POST /api/v1/comments/{id}/report`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRequest {
    /// One of [`ReportReason`]'s names; anything else is `report_invalid`.
    pub reason: String,
    /// A [`FormToken`] for the comment's thread, as a new comment needs: a report is a
    /// form sent by a person at a person's speed, once per token.
    #[serde(default)]
    pub form_token: String,
    /// Cloudflare Turnstile's token, when the site turned Turnstile on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turnstile_token: Option<String>,
}

/// The answer to a report: counted (or counted before). The count itself is not told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportState {
    pub reported: bool,
    /// A fresh form token for this reader's next report or comment in the thread.
    #[serde(default)]
    pub form_token: String,
}

/// `GET /api/v1/form-token?thread=…`: a signed time stamp to send back with a new comment
/// (see [`NewComment::form_token`]). Bound to the thread and the reader's address, so it is
/// asked for apart from the (shareable, cacheable) thread page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormToken {
    pub form_token: String,
}

/// What the widget needs to know about the site's configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WidgetSettings {
    /// How long after posting a reader may edit or delete their comment.
    pub edit_window_secs: u32,
    /// The least time between loading the form and sending it; the widget waits out the
    /// rest instead of failing a fast typist.
    pub min_submit_secs: u32,
    /// Turnstile's public site key when the site uses it; the widget then shows the challenge.
    pub turnstile_site_key: Option<String>,
    /// Where the widget loads Turnstile's script from (configurable for tests).
    pub turnstile_script_url: Option<String>,
    /// Gravatar's image base URL when the site owner turned Gravatar on.
    pub gravatar_url: Option<String>,
    /// The site can send reply emails (a mail API is configured): the form offers them.
    pub reply_notifications: bool,
}

/// What the server-rendered widget hands to the browser with its HTML (as JSON inside
/// it), so the widget takes over without asking for the thread again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmbedState {
    pub thread: String,
    /// The heading's title (the page's, else the stored one).
    pub title: String,
    pub sort: Sort,
    pub next_cursor: Option<String>,
    /// Published comments in the whole thread.
    pub total: u32,
    pub max_depth: usize,
    /// The language the HTML is in (`en`, `sl`, `de`).
    pub lang: String,
    pub settings: WidgetSettings,
}

/// `201 Created` answer to [`NewComment`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedComment {
    pub comment: PublicComment,
    /// Lets this reader edit or delete the comment until `edit_expires_at`; keep it private.
    pub edit_token: String,
    pub edit_expires_at: String,
    /// A fresh form token for this reader's next comment in this thread (each token
    /// posts once).
    #[serde(default)]
    pub form_token: String,
    /// The comment as HTML, when the request asked for it (`?lang=…&depth=…`): the widget
    /// inserts it as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// For a comment that waits for the owner: lets its author's browser ask whether it
    /// still waits ([`crate::wire::endpoint::Endpoint::PendingState`]), so the copy it shows
    /// the author goes once the comment is published or removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_token: Option<String>,
    /// Reply emails were asked for: on at once (this browser confirmed the address
    /// before), or waiting for the link mailed to the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_emails: Option<ReplyEmails>,
}

/// Where reply emails asked for with a comment stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyEmails {
    /// Replies will be emailed.
    On,
    /// The address must confirm first (a link was mailed, or one already waits).
    Confirm,
}

/// `GET /comments/{id}/pending?token=…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingState {
    /// Still waits for the owner.
    Pending,
    /// Published: readers see it now.
    Published,
    /// Removed, marked as spam, or deleted.
    Gone,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAnswer {
    pub state: PendingState,
}

/// `200 OK` answer to an edit or a delete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdatedComment {
    pub comment: PublicComment,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_ids_parse_only_from_positive_integers() {
        assert_eq!("42".parse::<CommentId>(), Ok(CommentId(42)));
        for bad in ["", "0", "-1", "+5", "4x", " 4", "99999999999999999999"] {
            assert!(bad.parse::<CommentId>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn missing_fields_in_a_new_comment_default_to_empty() {
        let c: NewComment = serde_json::from_str(r#"{"thread":"/a/"}"#).unwrap();
        assert_eq!(c.thread, "/a/");
        assert!(c.name.is_empty() && c.body.is_empty() && c.parent_id.is_none());
    }
}
