//! What events notify, and reply subscriptions: plans deliveries ([`crate::domain::notify`]) for
//! a comment, an approval, a report or the queue digest and puts them in the outbox;
//! checks the links in subscription emails. Sending is the Worker's job.

use crate::db::console::ConsoleStore;
use crate::db::notify::OutboxStore;
use crate::db::store::CommentStore;
use crate::domain::model::{CommentRecord, CommentStatus, ThreadRecord};
use crate::domain::notify::{self, Delivery, Notice, NoticeComment, NoticeThread};
use crate::domain::token::Purpose;
use crate::wire::api::CommentId;
use crate::wire::console::Tab;
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
        permalink: super::console::permalink(t, c.id),
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
        format!(
            "{}?id={id}&token={}",
            endpoint.url(base),
            self.link_token(action, id)
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
                    let permalink = super::console::permalink(&t, c.id);
                    out.push(
                        notify::confirm_mail(c.author_email.trim(), permalink.as_deref(), &link)
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
                    notify::reply_mail(&s.email, &notice, &link)
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
            .list_comments(&self.site.id, Tab::Pending, None, None, 100)
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
        let mail = notify::digest_mail(to, &self.site.id, &shown, total, console);
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

#[cfg(test)]
mod on_sqlite {
    use super::*;
    use crate::db::contract::Sqlite;
    use crate::db::sql::SqlStore;
    use crate::domain::notify::Channel;
    use crate::domain::ratelimit::parse_limits;
    use crate::domain::site::SiteConfig;
    use crate::domain::token::Keys;
    use crate::wire::api::NewComment;
    use crate::wire::settings::{Webhook, WebhookFormat};
    use crate::ErrorCode;

    const T0: i64 = 1_700_000_000_000;
    const BASE: &str = "https://comments.example.org";

    fn block<F: std::future::Future>(f: F) -> F::Output {
        pollster::block_on(f)
    }

    struct Fixture {
        store: SqlStore<Sqlite>,
        site: SiteConfig,
        keys: Keys,
    }

    impl Fixture {
        fn new() -> Self {
            let mut site = SiteConfig::new("default");
            site.origins = vec!["https://blog.example.org".into()];
            site.min_submit_ms = 0;
            site.comment_limits = parse_limits("1000/60").unwrap();
            site.mail_from = Some("Blog <comments@example.org>".into());
            site.reply_notifications = true;
            site.webhooks = vec![Webhook {
                url: "https://hooks.example.org/h".into(),
                format: WebhookFormat::Json,
                events: vec![],
            }];
            Fixture {
                store: SqlStore::new(Sqlite::migrated()),
                site,
                keys: Keys::derive("notify test secret"),
            }
        }

        fn svc(&self) -> Service<'_, SqlStore<Sqlite>> {
            Service::new(&self.store, &self.site, &self.keys)
        }

        /// Post and notify as the Worker does, from the browser that person uses; the
        /// comment and the planned deliveries.
        fn post(
            &self,
            email: &str,
            parent: Option<CommentId>,
            subscribe: bool,
            at: i64,
        ) -> (CommentId, Vec<crate::db::notify::OutboxRow>) {
            self.post_from(&format!("browser of {email}"), email, parent, subscribe, at)
        }

        /// [`Fixture::post`] from the browser with key `browser`.
        fn post_from(
            &self,
            browser: &str,
            email: &str,
            parent: Option<CommentId>,
            subscribe: bool,
            at: i64,
        ) -> (CommentId, Vec<crate::db::notify::OutboxRow>) {
            let token = self
                .svc()
                .form_token("/t/", "c", at - 1)
                .unwrap()
                .form_token;
            let input = NewComment {
                thread: "/t/".into(),
                thread_url: Some("https://blog.example.org/t/".into()),
                parent_id: parent,
                body: format!("Said by {email}"),
                name: email.split('@').next().unwrap().into(),
                email: email.into(),
                form_token: token,
                notify_replies: subscribe,
                author_key: Some(browser.into()),
                ..Default::default()
            };
            let id = block(self.svc().post(&input, "c", at)).unwrap().comment.id;
            let ids = block(self.svc().notify_comment(id, subscribe, BASE, at)).unwrap();
            let rows = block(self.store.due(Some(&ids), at, 100)).unwrap();
            (id, rows)
        }
    }

    fn mails(rows: &[crate::db::notify::OutboxRow]) -> Vec<(String, String)> {
        rows.iter()
            .filter(|r| r.channel == Channel::Email)
            .map(|r| (r.label.clone(), r.target.clone()))
            .collect()
    }

    fn link_in(rows: &[crate::db::notify::OutboxRow], kind: &str) -> (i64, String) {
        let body = &rows
            .iter()
            .find(|r| r.label == kind && r.channel == Channel::Email)
            .unwrap()
            .body;
        let at = body.find("?id=").unwrap();
        let rest = &body[at + 4..];
        let (id, rest) = rest.split_once("&token=").unwrap();
        let token: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        (id.parse().unwrap(), token)
    }

    #[test]
    fn reply_emails_need_a_confirmed_address_and_stop_on_unsubscribe() {
        let f = Fixture::new();
        let svc = f.svc();
        let (ana, rows) = f.post("ana@example.org", None, true, T0);
        assert_eq!(
            mails(&rows),
            vec![("confirm".into(), "ana@example.org".into())]
        );
        assert_eq!(rows.iter().filter(|r| r.label == "new_comment").count(), 1);
        // Before Ana confirms, a reply emails nobody.
        let (_, rows) = f.post("bo@example.org", Some(ana), false, T0 + 1000);
        assert!(mails(&rows).is_empty(), "{rows:?}");
        assert_eq!(
            rows.iter().filter(|r| r.label == "reply").count(),
            1,
            "the reply webhook"
        );
        let (sub, token) = link_in(
            &block(f.store.due(None, T0 + 2000, 100)).unwrap(),
            "confirm",
        );
        let wrong = block(svc.follow_link(LinkAction::Confirm, sub, "00", T0));
        assert_eq!(wrong.unwrap_err().code(), ErrorCode::LinkInvalid);
        let swapped = block(svc.follow_link(LinkAction::Unsubscribe, sub, &token, T0));
        assert_eq!(
            swapped.unwrap_err().code(),
            ErrorCode::LinkInvalid,
            "a confirm token does not unsubscribe"
        );
        block(svc.follow_link(LinkAction::Confirm, sub, &token, T0 + 3000)).unwrap();
        let (_, rows) = f.post("bo@example.org", Some(ana), false, T0 + 4000);
        assert_eq!(
            mails(&rows),
            vec![("reply".into(), "ana@example.org".into())]
        );
        assert!(rows
            .iter()
            .any(|r| r.body.contains("List-Unsubscribe=One-Click")));
        // Ana answering under her own comment is not emailed to her.
        let (_, rows) = f.post("ana@example.org", Some(ana), false, T0 + 5000);
        assert!(mails(&rows).is_empty());
        // Her next subscription needs no new confirmation: the address is proven.
        let (_, rows) = f.post("ana@example.org", None, true, T0 + 6000);
        assert!(mails(&rows).is_empty(), "{rows:?}");
        let (unsub, token) = {
            let (_, rows) = f.post("cy@example.org", Some(ana), false, T0 + 7000);
            link_in(&rows, "reply")
        };
        block(svc.follow_link(LinkAction::Unsubscribe, unsub, &token, T0)).unwrap();
        block(svc.follow_link(LinkAction::Unsubscribe, unsub, &token, T0)).unwrap();
        let (_, rows) = f.post("cy@example.org", Some(ana), false, T0 + 8000);
        assert!(mails(&rows).is_empty());
    }

    #[test]
    fn a_typed_address_never_subscribes_its_owner_without_their_confirmation() {
        let f = Fixture::new();
        let svc = f.svc();
        // Ana confirms reply emails once, from her browser.
        let (_, rows) = f.post("ana@example.org", None, true, T0);
        let (sub, token) = link_in(&rows, "confirm");
        block(svc.follow_link(LinkAction::Confirm, sub, &token, T0 + 1)).unwrap();
        // Eve types Ana's address on her own comment and asks for reply emails.
        let (eve, rows) = f.post_from("eve's browser", "ana@example.org", None, true, T0 + 2);
        assert_eq!(
            mails(&rows),
            vec![("confirm".into(), "ana@example.org".into())],
            "Ana is asked, not subscribed"
        );
        // A reply from a third person to Eve's comment emails nobody.
        let (_, rows) = f.post("cy@example.org", Some(eve), false, T0 + 3);
        assert!(mails(&rows).is_empty(), "{rows:?}");
        // Eve trying again and again sends Ana no second confirmation that day.
        for i in 0..3 {
            let (_, rows) = f.post_from("eve's browser", "ana@example.org", None, true, T0 + 4 + i);
            assert!(
                mails(&rows).is_empty(),
                "one confirmation at a time: {rows:?}"
            );
        }
        // Ana's own browser is still known.
        let (_, rows) = f.post("ana@example.org", None, true, T0 + 10);
        assert!(mails(&rows).is_empty());
        // The confirmation names no title and no text anyone typed: only the comment's
        // address on the site.
        let (_, rows) = f.post_from("zed's browser", "zed@example.org", None, true, T0 + 11);
        let mail = rows.iter().find(|r| r.label == "confirm").unwrap();
        assert!(
            mail.body.contains("https://blog.example.org/t/#comment-"),
            "{}",
            mail.body
        );
        assert!(!mail.body.contains("Said by"), "{}", mail.body);
    }

    #[test]
    fn no_address_gets_more_than_a_few_confirmations_a_day_whoever_asks() {
        let f = Fixture::new();
        let mut sent = 0;
        for i in 0..6 {
            let browser = format!("troll browser {i}");
            let (_, rows) = f.post_from(&browser, "ana@example.org", None, true, T0 + i * 1000);
            sent += mails(&rows).len();
        }
        assert_eq!(sent, 3, "three confirmation emails in a day, not six");
        // The next day, Ana's own request is answered.
        let (_, rows) = f.post_from(
            "ana's browser",
            "ana@example.org",
            None,
            true,
            T0 + 86_410_000,
        );
        assert_eq!(mails(&rows).len(), 1);
    }

    #[test]
    fn the_outbox_claims_once_backs_off_and_forgets_sent_mail() {
        let f = Fixture::new();
        let (_, rows) = f.post("ana@example.org", None, true, T0);
        let mail = rows
            .iter()
            .find(|r| r.channel == Channel::Email)
            .unwrap()
            .id;
        assert!(block(f.store.claim(mail, T0, 60_000)).unwrap());
        assert!(!block(f.store.claim(mail, T0, 60_000)).unwrap(), "taken");
        block(f.store.failed(mail, Some(T0 + 1000), "HTTP 500")).unwrap();
        assert!(block(f.store.due(None, T0 + 999, 10))
            .unwrap()
            .iter()
            .all(|r| r.id != mail));
        let again = block(f.store.due(None, T0 + 1000, 10)).unwrap();
        let row = again.iter().find(|r| r.id == mail).unwrap();
        assert_eq!(row.attempts, 1);
        assert!(block(f.store.claim(mail, T0 + 1000, 60_000)).unwrap());
        block(f.store.sent(mail, T0 + 1001)).unwrap();
        assert!(block(f.store.due(None, i64::MAX - 1, 100))
            .unwrap()
            .iter()
            .all(|r| r.id != mail));
        // Sent rows keep where they went, never what they said (webhooks included).
        let stored = |sql: &str| {
            use crate::db::sql::SqlExec;
            block(f.store.exec().rows(crate::db::sql::Query::new(sql, vec![]))).unwrap()
        };
        for row in block(f.store.due(None, T0 + 5000, 100)).unwrap() {
            block(f.store.sent(row.id, T0 + 5000)).unwrap();
        }
        let bodies = stored("SELECT body FROM outbox WHERE sent_at IS NOT NULL");
        assert!(bodies.len() >= 2, "{bodies:?}");
        assert!(bodies.iter().all(|r| r["body"] == ""), "{bodies:?}");
        // After the retention period, sent rows go altogether.
        assert_eq!(
            block(f.store.prune(T0 + 4999)).unwrap(),
            1,
            "only the one sent before"
        );
        assert!(block(f.store.prune(T0 + 6000)).unwrap() >= 1);
        assert!(stored("SELECT id FROM outbox WHERE sent_at IS NOT NULL").is_empty());
    }

    #[test]
    fn pending_comments_notify_as_pending_and_the_digest_lists_them() {
        let mut f = Fixture::new();
        f.site.rules.moderation = crate::wire::settings::ModerationMode::All;
        f.site.digest_email = Some("owner@example.org".into());
        let (_, rows) = f.post("ana@example.org", None, false, T0);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].label, "pending_comment");
        let ids = block(f.svc().digest(Some("https://c.example/admin/"), T0)).unwrap();
        let digest = block(f.store.due(Some(&ids), T0, 10)).unwrap();
        assert_eq!(digest[0].target, "owner@example.org");
        assert!(digest[0].body.contains("1 comments wait") && digest[0].body.contains("/admin/"));
    }
}
