//! Notifications against `wrangler dev` and a local receiver (xtask's fake webhook
//! endpoints and mail API): signed webhooks in three formats, a failed delivery retried
//! by the Cron Trigger (wrangler's `/__scheduled`), the queue digest, and reply emails
//! with double opt-in and RFC 8058 one-click unsubscribe.

use colloquy_core::wire::console::SessionInfo;
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::vars;
use colloquy_e2e::browser::poll;
use colloquy_e2e::console::Console;
use colloquy_e2e::deployments::env;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::request;
use colloquy_e2e::{env_url, unique_thread};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};

fn receiver() -> String {
    env_url(env::RECEIVER)
}

/// What the receiver got on paths starting with `prefix`.
fn received(prefix: &str) -> Vec<Value> {
    let reply = request("GET", &format!("{}/received{prefix}", receiver()), &[], b"");
    serde_json::from_str(&reply.text).expect("the receiver's log")
}

/// Mails the fake mail API got for `to`.
fn mails_to(to: &str) -> Vec<Value> {
    received("/mail")
        .into_iter()
        .filter_map(|r| serde_json::from_str::<Value>(r["body"].as_str()?).ok())
        .filter(|m| m["to"] == json!([to]))
        .collect()
}

async fn wait_mails(to: &str, n: usize) -> Vec<Value> {
    poll(&format!("{n} emails to {to}"), || async {
        let got = mails_to(to);
        (got.len() >= n).then_some(got)
    })
    .await
}

/// Run the Cron Trigger now, as wrangler's `--test-scheduled` allows.
fn run_cron(d: &Deployment) {
    let reply = request(
        "GET",
        &format!("{}/__scheduled?cron=*%2F5+*+*+*+*", d.api),
        &[],
        b"",
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
}

/// Email addresses in `text`: words with an `@` followed by a dotted domain (so the
/// `@everyone` a commenter typed is not one, and a real address always is).
fn emails_in(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || "._%+-@".contains(c)))
        .filter_map(|w| {
            let (user, domain) = w.split_once('@')?;
            let domain = domain.trim_end_matches('.');
            (!user.is_empty() && domain.contains('.')).then(|| format!("{user}@{domain}"))
        })
        .collect()
}

/// A name for this test's receiver paths.
fn label(thread: &str) -> String {
    thread.trim_matches('/').replace('/', "-")
}

/// The first address in `text` starting with `prefix`.
fn link(text: &str, prefix: &str) -> String {
    let at = text
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix} in {text}"));
    text[at..]
        .split(|c: char| c.is_whitespace() || c == '>')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn the_email_finder_finds_addresses_but_not_mentions() {
    assert_eq!(
        emails_in(r#"{"text":"Hello @everyone, write to ana.n@mail.example.org."}"#),
        vec!["ana.n@mail.example.org"]
    );
    assert!(emails_in("@here @everyone a@b").is_empty());
}

#[tokio::test]
async fn webhooks_are_signed_retried_by_the_cron_and_the_digest_lists_the_queue() {
    let d = Deployment::notify();
    let console = Console::login(&d);
    let info: SessionInfo = console.get(AdminOp::Session, "").expect(200);
    let thread = unique_thread("hooks");
    let name = label(&thread);
    let r = receiver();
    let current = console.get(AdminOp::Settings, "").json();
    let saved = console.post(
        AdminOp::SaveSettings,
        &json!({
            "settings": {
                "webhooks": [
                    { "url": format!("{r}/hook/{name}") },
                    { "url": format!("{r}/hook/{name}-slack"), "format": "slack", "events": ["new_comment"] },
                    { "url": format!("{r}/hook/{name}-discord"), "format": "discord", "events": ["pending_comment"] },
                    { "url": format!("{r}/fail-once/{name}"), "events": ["new_comment"] },
                    // Nobody listens here: the commenter must not notice.
                    { "url": "http://127.0.0.1:9/nothing" }
                ],
                "digest_email": "owner@example.org"
            },
            "defaults": current["defaults"]
        }),
    );
    assert_eq!(saved.status, 200, "{}", saved.text);

    let posted = d.post(
        &comment(&thread)
            .title("Hooked article")
            .email("hooked@example.org")
            .body("Hello @everyone")
            .build(),
    );
    assert_eq!(
        posted.status, 201,
        "a failing webhook is not the commenter's problem"
    );
    let links = (0..4)
        .map(|i| format!("https://example.org/{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let held = d.post(&comment(&thread).body(&format!("Held {links}")).build());
    assert_eq!(held.status, 201);

    // The hooks hear the whole site (the other test posts here too): this thread's only.
    let mine = |path: &str| -> Vec<Value> {
        received(path)
            .into_iter()
            .filter(|h| {
                h["path"] == path
                    && h["body"]
                        .as_str()
                        .is_some_and(|b| b.contains(&thread) || b.contains("Hooked article"))
            })
            .collect()
    };
    let own_path = format!("/hook/{name}");
    let own = poll("the new and the pending comment's webhooks", || async {
        let got = mine(&own_path);
        (got.len() >= 2).then_some(got)
    })
    .await;
    assert_eq!(own.len(), 2, "new and pending: {own:?}");
    for hook in &own {
        let body = hook["body"].as_str().unwrap();
        let headers = &hook["headers"];
        let ts = headers["x-colloquy-timestamp"].as_str().unwrap();
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(info.webhook_secret.as_bytes()).unwrap();
        mac.update(format!("{ts}.{body}").as_bytes());
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(
            headers["x-colloquy-signature"],
            json!(expected),
            "signed over timestamp.body"
        );
        assert_eq!(
            emails_in(body),
            Vec::<String>::new(),
            "no email in a webhook"
        );
        assert!(!body.contains("hooked@example.org"));
        let payload: Value = serde_json::from_str(body).unwrap();
        assert_eq!(payload["thread"]["title"], "Hooked article");
        assert_eq!(payload["event"], headers["x-colloquy-event"]);
    }
    let events: Vec<&str> = own
        .iter()
        .map(|h| h["headers"]["x-colloquy-event"].as_str().unwrap())
        .collect();
    assert!(
        events.contains(&"new_comment") && events.contains(&"pending_comment"),
        "{events:?}"
    );
    let slack_path = format!("/hook/{name}-slack");
    let slack = poll("the Slack message", || async {
        let got = mine(&slack_path);
        (!got.is_empty()).then_some(got)
    })
    .await;
    assert_eq!(slack.len(), 1, "only the event it hears");
    assert_eq!(
        emails_in(slack[0]["body"].as_str().unwrap()),
        Vec::<String>::new()
    );
    let text: Value = serde_json::from_str(slack[0]["body"].as_str().unwrap()).unwrap();
    assert!(text["text"]
        .as_str()
        .unwrap()
        .starts_with("New comment by Ana Novak on “Hooked article”"));
    let discord_path = format!("/hook/{name}-discord");
    let discord = poll("the Discord message", || async {
        let got = mine(&discord_path);
        (!got.is_empty()).then_some(got)
    })
    .await;
    assert_eq!(
        emails_in(discord[0]["body"].as_str().unwrap()),
        Vec::<String>::new()
    );
    let content: Value = serde_json::from_str(discord[0]["body"].as_str().unwrap()).unwrap();
    assert!(content["content"]
        .as_str()
        .unwrap()
        .contains("waits for approval"));
    assert_eq!(content["allowed_mentions"]["parse"], json!([]));

    // The failing receiver answered 500 once; the Cron Trigger sends it again (the retry
    // is due after NOTIFY_RETRY_SECS = 1 on this deployment).
    let failing = format!("/fail-once/{name}");
    poll("the first, failed try", || async {
        (!mine(&failing).is_empty()).then_some(())
    })
    .await;
    // The retry is due a second after the failure: run the cron until it has sent it.
    let tries = poll("the retry", || async {
        run_cron(&d);
        let got = mine(&failing);
        (got.len() >= 2).then_some(got)
    })
    .await;
    assert_eq!(
        tries[0]["headers"]["x-colloquy-delivery"], tries[1]["headers"]["x-colloquy-delivery"],
        "the same delivery, tried again"
    );
    // The cron's run is over when its request answers: whatever it sent is in the log.
    run_cron(&d);
    assert_eq!(
        mine(&failing).len(),
        2,
        "delivered once it worked: not again"
    );

    // The same cron run sent the owner the digest of the queue.
    let digest = wait_mails("owner@example.org", 1).await;
    assert!(digest[0]["subject"]
        .as_str()
        .unwrap()
        .contains("for approval"));
    assert!(digest[0]["text"]
        .as_str()
        .unwrap()
        .contains("Held https://example.org/0"));
    let mail_requests = received("/mail");
    assert!(mail_requests.iter().all(|m| m["headers"]["authorization"]
        == format!("Bearer {}", Deployment::notify().secret(vars::MAIL_API_KEY))));

    // "Send a test": to a saved webhook only; it arrives signed, and Deliveries says how
    // each went — delivered, or failing with the error.
    let test = |url: &str| console.post(AdminOp::WebhookTest, &json!({ "url": url }));
    assert_eq!(
        test("https://not-saved.example/hook").error(),
        (404, "not_found".into()),
        "the console sends nowhere else"
    );
    assert_eq!(test(&format!("{r}/hook/{name}")).status, 200);
    let tested = poll("the test message", || async {
        received(&own_path)
            .into_iter()
            .find(|h| h["path"] == own_path.as_str() && h["headers"]["x-colloquy-event"] == "test")
    })
    .await;
    let body: Value = serde_json::from_str(tested["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["event"], "test");
    assert_eq!(test("http://127.0.0.1:9/nothing").status, 200);
    let states = poll("the failed test in Deliveries", || async {
        let list: colloquy_core::wire::console::Deliveries =
            console.get(AdminOp::Deliveries, "").expect(200);
        list.deliveries
            .iter()
            .any(|d| {
                d.event == "test"
                    && d.target == "http://127.0.0.1:9/nothing"
                    && d.last_error.is_some()
            })
            .then_some(list)
    })
    .await;
    assert!(
        states.deliveries.iter().any(|d| d.event == "test"
            && d.target == format!("{r}/hook/{name}")
            && d.sent_at.is_some()),
        "{states:?}"
    );
    assert!(
        states.deliveries.iter().all(|d| !d.target.contains('@')),
        "no email addresses: webhooks only"
    );
}

#[tokio::test]
async fn reply_emails_are_double_opt_in_and_stop_with_one_click() {
    let d = Deployment::notify();
    let thread = unique_thread("replies");
    let ana = format!("ana-{}@example.org", label(&thread));
    let mut first = comment(&thread)
        .title("Replies article")
        .email(&ana)
        .body("Tell me")
        .build();
    first.notify_replies = true;
    let ana_id = d.create(&first).comment.id;

    // The first email only asks to confirm.
    let confirm = wait_mails(&ana, 1).await;
    assert!(confirm[0]["subject"]
        .as_str()
        .unwrap()
        .starts_with("Confirm reply notifications"));
    assert!(confirm[0].get("headers").is_none());
    let confirm_link = link(
        confirm[0]["text"].as_str().unwrap(),
        &format!("{}/api/v1/subscriptions/confirm", d.api),
    );
    // Opening the link (as a mail scanner does) shows a button and confirms nothing.
    let page = request("GET", &confirm_link, &[], b"");
    assert_eq!(page.status, 200);
    assert!(page.text.contains("<form method=\"post\""), "{}", page.text);
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    let early = d.post(
        &comment(&thread)
            .name("Early Bo")
            .email("bo@example.org")
            .body("Too early")
            .reply_to(ana_id)
            .build(),
    );
    assert_eq!(early.status, 201);
    // A forged token does nothing.
    let forged = confirm_link.split("&token=").next().unwrap().to_owned() + "&token=00ff";
    assert_eq!(request("POST", &forged, &[], b"").status, 404);
    let confirmed = request(
        "POST",
        &confirm_link,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"",
    );
    assert_eq!(confirmed.status, 200);
    assert!(confirmed.text.contains("Confirmed"));

    let reply = d.post(
        &comment(&thread)
            .name("Cy Reply")
            .email("cy@example.org")
            .body("An answer")
            .reply_to(ana_id)
            .build(),
    );
    assert_eq!(reply.status, 201);
    let mails = wait_mails(&ana, 2).await;
    assert_eq!(
        mails.len(),
        2,
        "the confirmation and one reply (not the one before confirming): {mails:?}"
    );
    let reply_mail = &mails[1];
    assert!(reply_mail["subject"]
        .as_str()
        .unwrap()
        .starts_with("Cy Reply replied"));
    assert!(reply_mail["text"].as_str().unwrap().contains("An answer"));
    assert_eq!(
        reply_mail["headers"]["List-Unsubscribe-Post"],
        "List-Unsubscribe=One-Click"
    );
    let unsubscribe = reply_mail["headers"]["List-Unsubscribe"]
        .as_str()
        .unwrap()
        .trim_matches(|c| c == '<' || c == '>')
        .to_owned();
    // The mail client's one-click POST: no Origin, a form body.
    let gone = request(
        "POST",
        &unsubscribe,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"List-Unsubscribe=One-Click",
    );
    assert_eq!(gone.status, 200, "{}", gone.text);
    assert!(
        d.post(
            &comment(&thread)
                .name("Dee")
                .email("dee@example.org")
                .body("Later")
                .reply_to(ana_id)
                .build()
        )
        .status
            == 201
    );
    // Someone else subscribing now: once their confirmation arrives, Ana got nothing more.
    let zed = format!("zed-{}@example.org", label(&thread));
    let mut sentinel = comment(&thread).email(&zed).body("Me too").build();
    sentinel.notify_replies = true;
    d.create(&sentinel);
    wait_mails(&zed, 1).await;
    assert_eq!(mails_to(&ana).len(), 2, "nothing after unsubscribing");
}

#[tokio::test]
async fn the_form_offers_reply_emails_only_where_mail_is_configured() {
    use colloquy_e2e::browser::{
        fill_form, open_compose, session, submit_main_form, wait_for_text, widget_root,
    };
    use fantoccini::Locator;
    let d = Deployment::notify();
    let thread = unique_thread("notify-form");
    let address = format!("form-{}@example.org", label(&thread));
    let client = session().await;
    client
        .goto(&format!("{}/?thread={thread}", d.demo))
        .await
        .unwrap();
    let root = widget_root(&client).await;
    fill_form(&root, "Tell me about replies", "Fay", &address).await;
    root.find(Locator::Css(
        "form.cq-form:not(.cq-form-reply) .cq-notify input",
    ))
    .await
    .expect("the reply-email checkbox where mail is configured")
    .click()
    .await
    .unwrap();
    submit_main_form(&root).await;
    wait_for_text(&root, "li.cq-item", "Tell me about replies").await;
    // The author is told where the next step is.
    wait_for_text(
        &root,
        "form.cq-form:not(.cq-form-reply) .cq-form-status",
        "Check your inbox",
    )
    .await;
    let confirm = wait_mails(&address, 1).await;
    assert!(confirm[0]["subject"]
        .as_str()
        .unwrap()
        .starts_with("Confirm reply notifications"));
    client.close().await.unwrap();

    // The main deployment has no mail API: no such checkbox.
    let client = session().await;
    let root = colloquy_e2e::browser::open_demo(&client, Some(&unique_thread("no-mail"))).await;
    open_compose(&root).await;
    assert!(root.find(Locator::Css(".cq-notify")).await.is_err());
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_typed_address_is_never_subscribed_without_its_owners_confirmation() {
    let d = Deployment::notify();
    let thread = unique_thread("phish");
    let victim = format!("victim-{}@example.org", label(&thread));
    // The victim asks for reply emails once, from their browser, and confirms.
    let mut own = comment(&thread)
        .email(&victim)
        .author_key("the-victims-browser-key")
        .body("My own comment")
        .build();
    own.notify_replies = true;
    d.create(&own);
    let confirm = wait_mails(&victim, 1).await;
    let confirm_link = link(
        confirm[0]["text"].as_str().unwrap(),
        &format!("{}/api/v1/subscriptions/confirm", d.api),
    );
    let confirmed = request(
        "POST",
        &confirm_link,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"",
    );
    assert_eq!(confirmed.status, 200);
    // An attacker types the victim's address on a comment of their own, asking for replies…
    let mut bait = comment(&thread)
        .name("Eve")
        .email(&victim)
        .author_key("the-attackers-browser-key")
        .body("Bait")
        .build();
    bait.notify_replies = true;
    let bait = d.create(&bait).comment.id;
    // …and a third client answers it with a phishing text.
    d.create(
        &comment(&thread)
            .name("Your bank")
            .email("mallory@example.org")
            .body("Your account is locked: https://evil.example/login")
            .reply_to(bait)
            .build(),
    );
    // A sentinel subscriber's confirmation marks that the queue has been sent.
    run_cron(&d);
    let sentinel = format!("sentinel-{}@example.org", label(&thread));
    let mut s = comment(&thread).email(&sentinel).body("Sentinel").build();
    s.notify_replies = true;
    d.create(&s);
    wait_mails(&sentinel, 1).await;
    run_cron(&d);
    let got = mails_to(&victim);
    assert!(
        got.iter()
            .all(|m| !m["text"].as_str().unwrap_or("").contains("evil.example")),
        "the victim got the attacker's reply: {got:#?}"
    );
    assert!(
        got.iter()
            .all(|m| m["subject"].as_str().unwrap_or("").starts_with("Confirm")),
        "only confirmation requests, each ignorable: {got:#?}"
    );
}

/// Post `c` as the widget does from a page in `lang` (`?lang=` beside the comment).
fn post_from_page(d: &Deployment, c: &colloquy_core::wire::api::NewComment, lang: &str) -> u16 {
    let client = d.client_ready_for(c.thread.trim());
    let mut c = c.clone();
    c.form_token = client.token(c.thread.trim());
    let path = colloquy_core::wire::endpoint::Endpoint::PostComment.path();
    d.send(
        "POST",
        &format!("{path}?lang={lang}&depth=1"),
        &[
            ("Origin", &d.demo),
            ("Content-Type", "application/json"),
            ("CF-Connecting-IP", &client.ip),
        ],
        &serde_json::to_vec(&c).unwrap(),
    )
    .status
}

#[tokio::test]
async fn emails_and_their_pages_speak_the_language_of_the_page_the_comment_was_written_on() {
    use colloquy_core::domain::mail_words::fill;
    use colloquy_i18n::Lang;
    let d = Deployment::notify();
    let thread = unique_thread("sprache");
    let ana = format!("ana-{}@example.org", label(&thread));
    let mut first = comment(&thread)
        .title("Ein Artikel")
        .email(&ana)
        .body("Sag mir Bescheid")
        .build();
    first.notify_replies = true;
    // The page says de-AT: German, the nearest the widget has.
    assert_eq!(post_from_page(&d, &first, "de-AT"), 201);
    let de = Lang::De.mail();
    let confirm = wait_mails(&ana, 1).await;
    assert_eq!(confirm[0]["subject"], de.confirm_subject);
    let text = confirm[0]["text"].as_str().unwrap();
    assert!(
        text.contains(de.confirm_open) && text.contains(de.confirm_ignore),
        "{text}"
    );
    let confirm_link = link(text, &format!("{}/api/v1/subscriptions/confirm", d.api));
    assert!(confirm_link.contains("lang=de"), "{confirm_link}");
    // The page the link opens, and the answer to its button, in German.
    let page = request("GET", &confirm_link, &[], b"");
    assert!(
        page.text.contains(r#"<html lang="de" dir="ltr">"#)
            && page.text.contains(de.page_confirm_title)
            && page.text.contains(de.page_confirm_button),
        "{}",
        page.text
    );
    let confirmed = request(
        "POST",
        &confirm_link,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"",
    );
    assert!(
        confirmed.text.contains(de.page_confirmed_title),
        "{}",
        confirmed.text
    );
    let ana_id = d.page(&thread).comments[0].id;

    // A reply written on the same German page: the reply email is German too; a link with
    // a language the widget lacks falls back to the site's default (English here).
    let reply = comment(&thread)
        .name("Cy")
        .email("cy@example.org")
        .body("Eine Antwort")
        .reply_to(ana_id)
        .build();
    assert_eq!(post_from_page(&d, &reply, "de"), 201);
    let mails = wait_mails(&ana, 2).await;
    let subject = fill(
        de.reply_subject,
        &[("name", "Cy"), ("title", "Ein Artikel")],
    );
    assert_eq!(mails[1]["subject"], subject.as_str());
    let unsubscribe = mails[1]["headers"]["List-Unsubscribe"]
        .as_str()
        .unwrap()
        .trim_matches(|c| c == '<' || c == '>')
        .to_owned();
    let foreign = unsubscribe.replace("lang=de", "lang=sw");
    let page = request("GET", &foreign, &[], b"");
    assert!(
        page.text.contains(r#"<html lang="en" dir="ltr">"#)
            && page.text.contains(Lang::En.mail().page_unsubscribe_title),
        "{}",
        page.text
    );
    let arabic = request("GET", &unsubscribe.replace("lang=de", "lang=ar"), &[], b"");
    assert!(
        arabic.text.contains(r#"<html lang="ar" dir="rtl">"#)
            && arabic.text.contains(Lang::Ar.mail().page_unsubscribe_title),
        "{}",
        arabic.text
    );
}
