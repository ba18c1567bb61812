//! What events notify, and reply subscriptions: plans deliveries ([`crate::domain::notify`]) for
//! a comment, an approval, a report or the queue digest and puts them in the outbox;
//! checks the links in subscription emails. Sending is the Worker's job.

use crate::db::console::ConsoleStore;
use crate::db::notify::OutboxStore;
use crate::db::store::CommentStore;
use crate::domain::model::{CommentRecord, ThreadRecord};
use crate::domain::notify::{self, Delivery, Notice, NoticeComment, NoticeThread};
use crate::domain::token::Purpose;
use crate::wire::api::CommentId;
use crate::wire::console::Tab;
use crate::wire::moderation::CommentStatus;
use crate::wire::settings::Event;

use super::error::ServiceError;
use super::{HumanCheck, Service};
use crate::domain::dates::rfc3339;

/// What a subscription link asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAction {
    Confirm,
    Unsubscribe,
}

impl LinkAction {
    fn as_str(self) -> &'static str {
        match self {
            LinkAction::Confirm => "confirm",
            LinkAction::Unsubscribe => "unsubscribe",
        }
    }
}

/// Characters of a comment quoted in a notification.
const EXCERPT: usize = 500;
/// While a confirmation email waits for an answer, no other goes to the same address for
/// the same browser; and no address gets more than [`CONFIRMATIONS_A_DAY`] in this time,
/// whoever asks (nobody can flood an inbox, or crowd out its owner's own confirmation
/// by more than a few).
const CONFIRMATION_GAP_MS: i64 = 24 * 3600 * 1000;
const CONFIRMATIONS_A_DAY: u32 = 3;

fn notice_comment(c: &CommentRecord, t: &ThreadRecord) -> NoticeComment {
    NoticeComment {
        id: c.id,
        parent_id: c.parent_id,
        author: c.author_name.clone(),
        text: notify::excerpt(&c.body_markdown, EXCERPT),
        status: c.status.as_str().to_owned(),
        created_at: rfc3339(c.created_at_ms),
        permalink: t.permalink(c.id),
    }
}

fn notice_thread(t: &ThreadRecord) -> NoticeThread {
    NoticeThread {
        key: t.key.clone(),
        title: t.title.clone(),
        url: t.url.clone(),
    }
}

impl<S: CommentStore + ConsoleStore + OutboxStore, H: HumanCheck> Service<'_, S, H> {
    fn notice(&self, event: Event, c: &CommentRecord, t: &ThreadRecord) -> Notice {
        Notice {
            event,
            site: self.site.id.clone(),
            thread: notice_thread(t),
            comment: notice_comment(c, t),
            parent_author: None,
            report: None,
        }
    }

    /// The address of a subscription link (`base`: the Worker's origin).
    pub fn subscription_link(&self, base: &str, action: LinkAction, id: i64) -> String {
        let endpoint = match action {
            LinkAction::Confirm => crate::wire::endpoint::Endpoint::ConfirmSubscription,
            LinkAction::Unsubscribe => crate::wire::endpoint::Endpoint::Unsubscribe,
        };
        // The language rides along (outside the token: it only picks the page's words).
        format!(
            "{}?id={id}&token={}&lang={}",
            endpoint.url(base),
            self.link_token(action, id),
            self.mail.tag
        )
    }

    fn link_token(&self, action: LinkAction, id: i64) -> String {
        self.keys
            .hash(Purpose::Subscription, &format!("{}:{id}", action.as_str()))
    }

    /// A comment was just stored (or approved): webhooks for its event, reply emails to
    /// the confirmed subscribers of the comment it answers, and — when its author asked
    /// for reply emails — the subscription with its confirmation email. Returns the
    /// outbox ids to send now.
    pub async fn notify_comment(
        &self,
        id: CommentId,
        subscribe: bool,
        base: &str,
        now_ms: i64,
    ) -> Result<Vec<i64>, ServiceError> {
        Ok(self.notify_posted(id, subscribe, base, now_ms).await?.0)
    }

    /// [`Self::notify_comment`], and where the reply emails asked for stand (for the
    /// author's answer: "check your inbox").
    pub async fn notify_posted(
        &self,
        id: CommentId,
        subscribe: bool,
        base: &str,
        now_ms: i64,
    ) -> Result<(Vec<i64>, Option<crate::wire::api::ReplyEmails>), ServiceError> {
        let Some((c, t)) = self.store.find_comment_in_thread(id).await? else {
            return Ok((Vec::new(), None));
        };
        let mut reply_emails = None;
        let mut out: Vec<Delivery> = Vec::new();
        let hooks = &self.site.webhooks;
        match c.status {
            CommentStatus::Pending => {
                out.extend(notify::webhook_deliveries(
                    hooks,
                    &self.notice(Event::PendingComment, &c, &t),
                ));
            }
            CommentStatus::Approved => {
                out.extend(notify::webhook_deliveries(
                    hooks,
                    &self.notice(Event::NewComment, &c, &t),
                ));
                if let Some(parent_id) = c.parent_id {
                    out.extend(self.reply_deliveries(&c, &t, parent_id, base).await?);
                }
            }
            _ => {}
        }
        let from = self.site.mail_from.as_deref();
        // A blocked author subscribes to nothing — and is told what anyone is told (the
        // answer must not say who is blocked).
        let blocked = c.held_for == Some(crate::wire::moderation::HeldFor::Blocked);
        if subscribe && blocked && self.site.mail_from.is_some() {
            reply_emails = Some(crate::wire::api::ReplyEmails::Confirm);
        }
        let subscribe = subscribe && !blocked;
        if let (true, Some(from), Some(hash)) = (subscribe, from, c.email_hash.as_deref()) {
            if !c.author_email.trim().is_empty() {
                // Active at once only for the browser that proved this address before;
                // an address typed by anyone else waits for its owner's confirmation.
                let known = self
                    .store
                    .confirmed_before(hash, c.author_key_hash.as_deref())
                    .await?;
                let (sub, confirmed) = self
                    .store
                    .subscribe(c.id, c.author_email.trim(), hash, known, now_ms)
                    .await?;
                reply_emails = Some(if confirmed {
                    crate::wire::api::ReplyEmails::On
                } else {
                    crate::wire::api::ReplyEmails::Confirm
                });
                let since = now_ms - CONFIRMATION_GAP_MS;
                let (same_browser, all) = self
                    .store
                    .confirmations_waiting(hash, c.author_key_hash.as_deref(), since, sub)
                    .await?;
                if !confirmed && same_browser == 0 && all < CONFIRMATIONS_A_DAY {
                    let link = self.subscription_link(base, LinkAction::Confirm, sub);
                    let permalink = t.permalink(c.id);
                    out.push(
                        notify::confirm_mail(
                            self.mail,
                            c.author_email.trim(),
                            permalink.as_deref(),
                            &link,
                        )
                        .delivery(from, "confirm")
                        .about(c.id),
                    );
                }
            }
        }
        Ok((self.store.enqueue(&out, now_ms).await?, reply_emails))
    }

    async fn reply_deliveries(
        &self,
        c: &CommentRecord,
        t: &ThreadRecord,
        parent_id: CommentId,
        base: &str,
    ) -> Result<Vec<Delivery>, ServiceError> {
        let parent = self
            .store
            .find_comment_in_thread(parent_id)
            .await?
            .map(|(p, _)| p);
        let mut notice = self.notice(Event::Reply, c, t);
        // Only a published parent is named (not one in the Trash or gone).
        notice.parent_author = parent
            .as_ref()
            .filter(|p| p.status == CommentStatus::Approved)
            .map(|p| p.author_name.clone());
        let mut out = notify::webhook_deliveries(&self.site.webhooks, &notice);
        if let Some(from) = self.site.mail_from.as_deref() {
            for s in self.store.subscribers(parent_id).await? {
                // Nobody is emailed about their own reply.
                if c.email_hash.as_deref() == Some(s.email_hash.as_str()) {
                    continue;
                }
                let link = self.subscription_link(base, LinkAction::Unsubscribe, s.id);
                out.push(
                    notify::reply_mail(self.mail, &s.email, &notice, &link)
                        .delivery(from, "reply")
                        .about(c.id),
                );
            }
        }
        Ok(out)
    }

    /// The comments among `ids` that wait in the queue (before an approval, to notify
    /// about the ones that become public).
    pub async fn pending_among(&self, ids: &[CommentId]) -> Result<Vec<CommentId>, ServiceError> {
        let mut pending = Vec::new();
        for id in ids {
            if let Some((c, _)) = self.store.find_comment_in_thread(*id).await? {
                if c.status == CommentStatus::Pending {
                    pending.push(c.id);
                }
            }
        }
        Ok(pending)
    }

    /// A reader reported a comment.
    pub async fn notify_report(
        &self,
        id: CommentId,
        reason: &str,
        kept_visible: bool,
        now_ms: i64,
    ) -> Result<Vec<i64>, ServiceError> {
        let Some((c, t)) = self.store.find_comment_in_thread(id).await? else {
            return Ok(Vec::new());
        };
        let mut notice = self.notice(Event::Report, &c, &t);
        notice.report = Some(notify::ReportNotice {
            reason: reason.to_owned(),
            reports: c.reports,
            kept_visible,
        });
        let out = notify::webhook_deliveries(&self.site.webhooks, &notice);
        Ok(self.store.enqueue(&out, now_ms).await?)
    }

    /// Queue a test message to the saved webhook at `url` (only a saved one: the console
    /// sends nowhere else). Its outbox id, to send after the response.
    pub async fn webhook_test(&self, url: &str, now_ms: i64) -> Result<Vec<i64>, ServiceError> {
        let hook = self
            .site
            .webhooks
            .iter()
            .find(|h| h.url == url.trim())
            .ok_or(ServiceError::NotFound)?;
        let delivery = notify::test_delivery(hook, &self.site.id);
        Ok(self.store.enqueue(&[delivery], now_ms).await?)
    }

    /// The newest 30 webhook deliveries and where each stands.
    pub async fn deliveries(&self) -> Result<crate::wire::console::Deliveries, ServiceError> {
        let rows = self.store.recent_webhooks(30).await?;
        Ok(crate::wire::console::Deliveries {
            deliveries: rows
                .into_iter()
                .map(|r| {
                    let given_up = r.sent_at.is_none() && r.next_at == i64::MAX;
                    crate::wire::console::DeliveryState {
                        target: r.target,
                        event: r.headers,
                        created_at: rfc3339(r.created_at),
                        sent_at: r.sent_at.map(rfc3339),
                        attempts: u32::try_from(r.attempts).unwrap_or(0),
                        last_error: r.last_error,
                        retry_at: (r.sent_at.is_none() && !given_up).then(|| rfc3339(r.next_at)),
                        given_up,
                    }
                })
                .collect(),
        })
    }

    /// Forget notifications sent (or given up) longer ago than the site keeps them.
    pub async fn prune_outbox(&self, now_ms: i64) -> Result<u32, ServiceError> {
        let keep_ms = i64::from(self.site.outbox_retention_days.max(1)) * 86_400_000;
        Ok(self.store.prune(now_ms - keep_ms).await?)
    }

    /// The owner's digest of the queue, when there is a queue and an address for it.
    pub async fn digest(
        &self,
        console: Option<&str>,
        now_ms: i64,
    ) -> Result<Vec<i64>, ServiceError> {
        let (Some(to), Some(from)) = (
            self.site.digest_email.as_deref(),
            self.site.mail_from.as_deref(),
        ) else {
            return Ok(Vec::new());
        };
        let waiting = self
            .store
            .list_comments(Tab::Pending, None, None, 100)
            .await?;
        if waiting.is_empty() {
            return Ok(Vec::new());
        }
        let total = u32::try_from(waiting.len()).unwrap_or(u32::MAX);
        let shown: Vec<(String, NoticeComment)> = waiting
            .iter()
            .take(10)
            .map(|(c, t)| {
                let mut n = notice_comment(c, t);
                n.text = notify::excerpt(&c.body_markdown, 140);
                (t.title.clone().unwrap_or_else(|| t.key.clone()), n)
            })
            .collect();
        let mail = notify::digest_mail(self.mail, to, &self.site.id, &shown, total, console);
        Ok(self
            .store
            .enqueue(&[mail.delivery(from, "digest")], now_ms)
            .await?)
    }

    /// Follow a link from a subscription email: confirm, or unsubscribe. `LinkInvalid`
    /// when the token is not this link's or the subscription is gone (confirming).
    pub async fn follow_link(
        &self,
        action: LinkAction,
        id: i64,
        token: &str,
        now_ms: i64,
    ) -> Result<(), ServiceError> {
        // Constant time: a link's token must not leak by timing.
        if !crate::domain::token::constant_time_eq(
            token.as_bytes(),
            self.link_token(action, id).as_bytes(),
        ) {
            return Err(ServiceError::LinkInvalid);
        }
        match (action, self.store.subscription(id).await?) {
            (LinkAction::Confirm, Some(_)) => Ok(self.store.confirm(id, now_ms).await?),
            (LinkAction::Confirm, None) => Err(ServiceError::LinkInvalid),
            // Unsubscribing twice is fine: the answer is the same.
            (LinkAction::Unsubscribe, _) => Ok(self.store.unsubscribe(id).await?),
        }
    }
}
