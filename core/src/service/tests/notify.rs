//! What each event queues (webhooks, reply and confirmation emails, the digest) and the
//! links in them, on SQLite.

use super::fixtures::{block, T0};
use crate::db::contract::Sqlite;
use crate::db::exec::SqlStore;
use crate::db::notify::OutboxStore;
use crate::domain::notify::Channel;
use crate::domain::ratelimit::parse_limits;
use crate::domain::site::SiteConfig;
use crate::domain::token::Keys;
use crate::service::notify::*;
use crate::service::Service;
use crate::wire::api::CommentId;
use crate::wire::api::NewComment;
use crate::wire::settings::{Webhook, WebhookFormat};
use crate::ErrorCode;

const BASE: &str = "https://comments.example.org";

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
            store: SqlStore::new(Sqlite::migrated(), "default"),
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
        use crate::db::exec::SqlExec;
        block(
            f.store
                .exec()
                .rows(crate::db::exec::Query::new(sql, vec![])),
        )
        .unwrap()
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
    assert!(digest[0].body.contains("1 comment waits") && digest[0].body.contains("/admin/"));
}
