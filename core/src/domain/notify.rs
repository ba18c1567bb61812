//! Notifications, planned without sending anything: which webhook deliveries and which
//! emails an event makes, their bodies, and when a failed one is tried again. The Worker
//! stores what this plans in the D1 outbox and sends it after the response (or from the
//! Cron Trigger); nothing here touches the network.
//!
//! Webhook and chat bodies never carry an email address; reply emails go only to
//! addresses whose owner confirmed them (double opt-in).

use serde::Serialize;
use serde_json::json;

use crate::domain::mail_words::{fill, MailWords};
use crate::wire::api::CommentId;
use crate::wire::limits::{DELIVERY_TRIES, RETRY_FACTORS};
use crate::wire::settings::{Event, Webhook, WebhookFormat};

/// What a notification says about one comment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoticeComment {
    pub id: CommentId,
    pub parent_id: Option<CommentId>,
    pub author: String,
    /// What the author typed (Markdown source), cut to a short excerpt.
    pub text: String,
    /// `approved` or `pending`.
    pub status: String,
    pub created_at: String,
    /// The article's address with `#comment-<id>`, when the thread knows its URL.
    pub permalink: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoticeThread {
    pub key: String,
    pub title: Option<String>,
    pub url: Option<String>,
}

/// One event, as webhooks hear it.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub event: Event,
    pub site: String,
    pub thread: NoticeThread,
    pub comment: NoticeComment,
    /// For a reply: who wrote the comment it answers.
    pub parent_author: Option<String>,
    /// For a report: what it was.
    pub report: Option<ReportNotice>,
}

/// A reader's report, as the owner hears of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportNotice {
    pub reason: String,
    /// Reports against the comment now.
    pub reports: u32,
    /// Enough reports to hide it, but it stays up: the owner wrote it or approved it after
    /// earlier reports, so readers cannot take it down — the owner decides.
    pub kept_visible: bool,
}

/// Where an outbox row goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Webhook(WebhookFormat),
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook(WebhookFormat::Json) => "webhook",
            Channel::Webhook(WebhookFormat::Slack) => "slack",
            Channel::Webhook(WebhookFormat::Discord) => "discord",
            Channel::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "webhook" => Channel::Webhook(WebhookFormat::Json),
            "slack" => Channel::Webhook(WebhookFormat::Slack),
            "discord" => Channel::Webhook(WebhookFormat::Discord),
            "email" => Channel::Email,
            _ => return None,
        })
    }
}

/// One message to send: a webhook POST or an email for the mail API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub channel: Channel,
    /// The webhook's URL or the recipient's address.
    pub target: String,
    /// The request body (for an email, the mail API's JSON).
    pub body: String,
    /// The event name (`X-Colloquy-Event`), or the email's kind.
    pub label: String,
    /// The comment it is about, so that erasing a person finds it.
    pub comment_id: Option<CommentId>,
}

impl Delivery {
    /// The same delivery, about comment `id`.
    pub fn about(self, id: CommentId) -> Delivery {
        Delivery {
            comment_id: Some(id),
            ..self
        }
    }
}

/// `s` on one line: control characters (CR, LF, tabs, …) become spaces, so a title or a
/// name can never start a new header line in an email.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A cut of `text` for notifications: whitespace folded, at most `max` characters.
pub fn excerpt(text: &str, max: usize) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= max {
        return folded;
    }
    let mut cut: String = folded.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn thread_name(t: &NoticeThread) -> &str {
    t.title.as_deref().unwrap_or(&t.key)
}

impl Notice {
    /// Colloquy's own JSON (signed when sent).
    pub fn json_body(&self) -> String {
        let mut body = json!({
            "event": self.event.as_str(),
            "site": self.site,
            "thread": self.thread,
            "comment": self.comment,
        });
        if let Some(parent) = &self.parent_author {
            body["parent_author"] = json!(parent);
        }
        if let Some(r) = &self.report {
            body["report"] = json!({
                "reason": r.reason,
                "reports": r.reports,
                "kept_visible": r.kept_visible,
            });
        }
        body.to_string()
    }

    /// One line for a chat channel.
    pub fn chat_line(&self) -> String {
        let who = &self.comment.author;
        let on = thread_name(&self.thread);
        let what = match self.event {
            Event::NewComment => format!("New comment by {who} on “{on}”"),
            Event::PendingComment => format!("Comment by {who} on “{on}” waits for approval"),
            Event::Reply => format!(
                "{who} replied to {} on “{on}”",
                self.parent_author.as_deref().unwrap_or("a comment")
            ),
            Event::Report => format!(
                "Comment by {who} on “{on}” reported ({}){}",
                self.report.as_ref().map_or("", |r| r.reason.as_str()),
                if self.report.as_ref().is_some_and(|r| r.kept_visible) {
                    "; kept up because you approved it, please look again"
                } else {
                    ""
                }
            ),
        };
        let link = self
            .comment
            .permalink
            .as_deref()
            .map(|l| format!(" {l}"))
            .unwrap_or_default();
        format!("{what}: {}{link}", self.comment.text)
    }

    /// The body for one webhook in its format.
    pub fn webhook_body(&self, format: WebhookFormat) -> String {
        match format {
            WebhookFormat::Json => self.json_body(),
            // Slack's mrkdwn treats `<`, `>` and `&` as control characters.
            WebhookFormat::Slack => json!({
                "text": self
                    .chat_line()
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            })
            .to_string(),
            // No mentions: a commenter typing @everyone must not ping the owner's server.
            WebhookFormat::Discord => json!({
                "content": excerpt(&self.chat_line(), 1900),
                "allowed_mentions": { "parse": [] }
            })
            .to_string(),
        }
    }
}

/// A test message for one webhook, in its format, from the console's "Send a test": the
/// owner sees it arrive (and a signed JSON one verifies like any other).
pub fn test_delivery(hook: &Webhook, site: &str) -> Delivery {
    let line = format!("Test from the Colloquy console of site “{site}”: this webhook works.");
    let body = match hook.format {
        WebhookFormat::Json => json!({ "event": "test", "site": site, "text": line }).to_string(),
        WebhookFormat::Slack => json!({ "text": line }).to_string(),
        WebhookFormat::Discord => {
            json!({ "content": line, "allowed_mentions": { "parse": [] } }).to_string()
        }
    };
    Delivery {
        channel: Channel::Webhook(hook.format),
        target: hook.url.clone(),
        body,
        label: "test".to_owned(),
        comment_id: None,
    }
}

/// The deliveries `notice` makes to the site's webhooks (those that hear its event).
pub fn webhook_deliveries(hooks: &[Webhook], notice: &Notice) -> Vec<Delivery> {
    hooks
        .iter()
        .filter(|h| h.hears(notice.event))
        .map(|h| Delivery {
            channel: Channel::Webhook(h.format),
            target: h.url.clone(),
            body: notice.webhook_body(h.format),
            label: notice.event.as_str().to_owned(),
            comment_id: Some(notice.comment.id),
        })
        .collect()
}

/// An email, as the mail API is asked to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// One-click unsubscribe (RFC 8058): the link, POSTed to by mail clients.
    pub unsubscribe: Option<String>,
}

impl Mail {
    /// The mail API's JSON: `from`, `to`, `subject`, `text`, `headers` — the shape Resend's
    /// `POST /emails` takes, and easy to adapt for any other HTTP mail API.
    pub fn body(&self, from: &str) -> String {
        // Everything that becomes a header is one line, whatever a commenter typed into
        // a name or a thread title.
        let mut body = json!({
            "from": one_line(from),
            "to": [one_line(&self.to)],
            "subject": one_line(&self.subject),
            "text": self.text,
        });
        if let Some(link) = &self.unsubscribe {
            body["headers"] = json!({
                "List-Unsubscribe": format!("<{}>", one_line(link)),
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            });
        }
        body.to_string()
    }

    pub fn delivery(&self, from: &str, label: &str) -> Delivery {
        Delivery {
            channel: Channel::Email,
            target: self.to.clone(),
            body: self.body(from),
            label: label.to_owned(),
            comment_id: None,
        }
    }
}

/// The first email to an address that asked for reply notifications: it asks to confirm,
/// so nobody can subscribe someone else. It carries nothing a commenter typed (no title, no
/// name, no text): anyone can have it sent to any address, so it must not be a way to
/// mail strangers words of one's own. `comment` is the comment's permalink on the site.
pub fn confirm_mail(w: &MailWords, to: &str, comment: Option<&str>, confirm_link: &str) -> Mail {
    let asked = match comment {
        Some(c) => fill(w.confirm_asked_comment, &[("link", c)]),
        None => w.confirm_asked_site.to_owned(),
    };
    Mail {
        to: to.to_owned(),
        subject: w.confirm_subject.to_owned(),
        text: format!(
            "{asked}\n{}\n{confirm_link}\n\n{}\n",
            w.confirm_open, w.confirm_ignore
        ),
        unsubscribe: None,
    }
}

/// A reply to a subscriber's comment.
pub fn reply_mail(w: &MailWords, to: &str, notice: &Notice, unsubscribe_link: &str) -> Mail {
    let on = thread_name(&notice.thread);
    let subject = fill(
        w.reply_subject,
        &[("name", &notice.comment.author), ("title", on)],
    );
    let read = notice
        .comment
        .permalink
        .as_deref()
        .map(|l| format!("\n{}\n", fill(w.reply_read, &[("link", l)])))
        .unwrap_or_default();
    let stop = fill(w.reply_stop, &[("link", unsubscribe_link)]);
    Mail {
        to: to.to_owned(),
        text: format!("{subject}:\n\n{}\n{read}\n{stop}\n", notice.comment.text),
        subject,
        unsubscribe: Some(unsubscribe_link.to_owned()),
    }
}

/// The owner's digest of the queue.
pub fn digest_mail(
    w: &MailWords,
    to: &str,
    site: &str,
    waiting: &[(String, NoticeComment)],
    total: u32,
    console: Option<&str>,
) -> Mail {
    let lines: String = waiting
        .iter()
        .map(|(thread, c)| {
            let line = fill(
                w.digest_line,
                &[("name", &c.author), ("title", thread), ("text", &c.text)],
            );
            format!("{line}\n")
        })
        .collect();
    let open = console
        .map(|c| format!("\n{}\n", fill(w.digest_review, &[("link", c)])))
        .unwrap_or_default();
    let total = total as usize;
    Mail {
        to: to.to_owned(),
        subject: w.plural(&w.digest_subject, total, &[("site", site)]),
        text: format!(
            "{}\n\n{lines}{open}",
            w.plural(&w.digest_intro, total, &[("site", site)])
        ),
        unsubscribe: None,
    }
}

/// How long after failed attempt number `attempts` (1-based) to try again: `base` times
/// [`RETRY_FACTORS`] in turn (with a 60 s base: 1 min, 5 min, 30 min, 2 h, 12 h); `None`
/// once [`DELIVERY_TRIES`] are used up.
pub fn retry_delay_ms(attempts: u32, base_ms: i64) -> Option<i64> {
    if attempts >= DELIVERY_TRIES {
        return None;
    }
    let i = usize::try_from(attempts.saturating_sub(1)).unwrap_or(0);
    let factor = RETRY_FACTORS[i.min(RETRY_FACTORS.len() - 1)];
    Some(base_ms.saturating_mul(i64::from(factor)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(event: Event) -> Notice {
        Notice {
            event,
            site: "blog".into(),
            thread: NoticeThread {
                key: "/post/".into(),
                title: Some("Can communities learn online?".into()),
                url: Some("https://blog.example.org/post/".into()),
            },
            comment: NoticeComment {
                id: CommentId(7),
                parent_id: Some(CommentId(3)),
                author: "Ana <b>".into(),
                text: "Hello @everyone & <friends>".into(),
                status: "approved".into(),
                created_at: "2026-11-29T10:00:00Z".into(),
                permalink: Some("https://blog.example.org/post/#comment-7".into()),
            },
            parent_author: Some("Bo".into()),
            report: None,
        }
    }

    #[test]
    fn each_format_says_the_event_and_keeps_control_characters_inert() {
        let n = notice(Event::Reply);
        let json: serde_json::Value = serde_json::from_str(&n.json_body()).unwrap();
        assert_eq!(json["event"], "reply");
        assert_eq!(json["comment"]["id"], 7);
        assert_eq!(json["parent_author"], "Bo");
        let slack: serde_json::Value =
            serde_json::from_str(&n.webhook_body(WebhookFormat::Slack)).unwrap();
        let text = slack["text"].as_str().unwrap();
        assert!(
            text.starts_with("Ana &lt;b&gt; replied to Bo on “Can communities learn online?”"),
            "{text}"
        );
        assert!(text.contains("&amp; &lt;friends&gt;") && !text.contains('<'));
        let discord: serde_json::Value =
            serde_json::from_str(&n.webhook_body(WebhookFormat::Discord)).unwrap();
        assert_eq!(discord["allowed_mentions"]["parse"], json!([]));
    }

    #[test]
    fn webhooks_hear_only_their_events() {
        let hooks = [
            Webhook {
                url: "https://a.example/".into(),
                format: WebhookFormat::Json,
                events: vec![],
            },
            Webhook {
                url: "https://b.example/".into(),
                format: WebhookFormat::Slack,
                events: vec![Event::Report],
            },
        ];
        let d = webhook_deliveries(&hooks, &notice(Event::NewComment));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].target, "https://a.example/");
        assert_eq!(d[0].channel.as_str(), "webhook");
        assert_eq!(webhook_deliveries(&hooks, &notice(Event::Report)).len(), 2);
        for c in ["webhook", "slack", "discord", "email"] {
            assert_eq!(Channel::parse(c).unwrap().as_str(), c);
        }
    }

    #[test]
    fn reply_mail_has_one_click_unsubscribe_and_the_confirm_mail_none() {
        let n = notice(Event::Reply);
        let mail = reply_mail(
            &MailWords::ENGLISH,
            "ana@example.org",
            &n,
            "https://c.example/u?id=1&token=x",
        );
        let body: serde_json::Value =
            serde_json::from_str(&mail.body("Blog <c@example.org>")).unwrap();
        assert_eq!(body["to"], json!(["ana@example.org"]));
        assert_eq!(
            body["headers"]["List-Unsubscribe"],
            "<https://c.example/u?id=1&token=x>"
        );
        assert_eq!(
            body["headers"]["List-Unsubscribe-Post"],
            "List-Unsubscribe=One-Click"
        );
        assert!(body["text"].as_str().unwrap().contains("#comment-7"));
        let confirm = confirm_mail(
            &MailWords::ENGLISH,
            "x@example.org",
            n.comment.permalink.as_deref(),
            "https://c.example/confirm",
        );
        let body: serde_json::Value = serde_json::from_str(&confirm.body("f")).unwrap();
        assert!(body.get("headers").is_none());
        assert!(body["text"].as_str().unwrap().contains("ignore this email"));
    }

    #[test]
    fn a_line_break_in_a_title_or_name_never_reaches_a_mail_header() {
        let mut n = notice(Event::Reply);
        n.thread.title = Some("Post\r\nBcc: victim@example.org".into());
        n.comment.author = "Eve\nX-Evil: 1".into();
        for mail in [
            reply_mail(
                &MailWords::ENGLISH,
                "ana@example.org",
                &n,
                "https://c.example/u",
            ),
            confirm_mail(
                &MailWords::ENGLISH,
                "ana@example.org\r\nBcc: x@y.z",
                None,
                "https://c/c",
            ),
        ] {
            let body: serde_json::Value =
                serde_json::from_str(&mail.body("Blog\n<b@x.y>")).unwrap();
            for header in [&body["subject"], &body["to"][0], &body["from"]] {
                let h = header.as_str().unwrap();
                assert!(!h.contains(['\r', '\n']), "{h:?}");
            }
        }
        let reply = reply_mail(
            &MailWords::ENGLISH,
            "ana@example.org",
            &n,
            "https://c.example/u",
        );
        let body: serde_json::Value = serde_json::from_str(&reply.body("f")).unwrap();
        assert!(body["subject"].as_str().unwrap().contains("Post Bcc:"));
        assert_eq!(one_line(" a\t\u{0}b \u{85} c\r\n"), "a b c");
    }

    #[test]
    fn retries_back_off_then_stop() {
        let delays: Vec<_> = (1..=DELIVERY_TRIES)
            .map(|a| retry_delay_ms(a, 60_000))
            .collect();
        assert_eq!(
            delays,
            vec![
                Some(60_000),
                Some(300_000),
                Some(1_800_000),
                Some(7_200_000),
                Some(43_200_000),
                None
            ]
        );
    }

    #[test]
    fn excerpts_fold_whitespace_and_cut_by_characters() {
        assert_eq!(excerpt("a\n\n  b", 10), "a b");
        assert_eq!(excerpt("žžžžžž", 4), "žžž…");
    }
}
