//! Readers' reports: enough of them hide a comment until the owner looks, they weigh once
//! per network, they never censor what the owner approved or wrote, and a report waits
//! out the form timer with a solved challenge.

use colloquy_core::wire::console::query::ListQuery;
use colloquy_core::wire::console::CommentList;
use colloquy_core::wire::console::Tab;
use colloquy_core::wire::endpoint::{AdminOp, Endpoint};
use colloquy_e2e::browser::{click, session, wait_for, wait_for_text, widget_root};
use colloquy_e2e::console::{ids, list, Console};
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::{fresh_client_ip, one_home};
use colloquy_e2e::unique_thread;
use fantoccini::Locator;
use serde_json::json;

#[test]
fn readers_report_and_enough_reports_hide_a_comment_until_reviewed() {
    let d = Deployment::main();
    let console = Console::login(&d);
    let thread = unique_thread("console-report");
    let id = d.create_id(comment(&thread).body("A provocative claim"));
    let report = |ip: &str, reason: &str| d.client_at(ip).report(id, &thread, reason);
    assert_eq!(
        report(&fresh_client_ip(), "dislike").error(),
        (422, "report_invalid".into())
    );
    let first = d.client();
    assert_eq!(first.report(id, &thread, "spam").status, 200);
    assert_eq!(
        first.report(id, &thread, "spam").status,
        200,
        "again: fine, and not counted"
    );
    assert_eq!(report(&fresh_client_ip(), "abuse").status, 200);
    assert!(
        d.embed(&thread).contains("A provocative claim"),
        "two reports: still shown"
    );
    assert_eq!(list(&console, "reported", &thread).comments[0].reports, 2);
    assert_eq!(report(&fresh_client_ip(), "off_topic").status, 200);
    assert!(
        !d.embed(&thread).contains("A provocative claim"),
        "the third report hides it at once"
    );
    let held = list(&console, "pending", &thread);
    assert_eq!(ids(&held), vec![id]);
    assert_eq!(
        held.comments[0].held_for,
        Some(colloquy_core::wire::moderation::HeldFor::Reported)
    );
    console.post(
        AdminOp::Moderate,
        &json!({ "ids": [id], "decision": "approve" }),
    );
    assert!(
        d.embed(&thread).contains("A provocative claim"),
        "the owner disagreed"
    );
    assert!(
        list(&console, "reported", &thread).comments.is_empty(),
        "reports cleared"
    );
}

#[test]
fn reports_weigh_per_network_and_never_censor_what_the_owner_approved_or_wrote() {
    let d = Deployment::main();
    let console = Console::login(&d);
    let thread = unique_thread("console-censor");
    let id = d.create_id(comment(&thread).body("An unpopular but fair point"));
    let reports = |list: &CommentList| list.comments.iter().find(|c| c.id == id).map(|c| c.reports);
    // One home connection rotating through its /64s is one reporter.
    for ip in one_home() {
        assert_eq!(d.client_at(&ip).report(id, &thread, "abuse").status, 200);
    }
    assert_eq!(reports(&list(&console, "reported", &thread)), Some(1));
    // Without a form token a report is refused, like a comment.
    let bare = d.write(Endpoint::Report(id), &json!({ "reason": "spam" }));
    assert_eq!(bare.error(), (403, "form_token_invalid".into()));
    d.client()
        .report(id, &thread, "abuse")
        .expect::<serde_json::Value>(200);
    d.client()
        .report(id, &thread, "abuse")
        .expect::<serde_json::Value>(200);
    assert!(
        !d.embed(&thread).contains("An unpopular but fair point"),
        "three networks hide it until the owner looks"
    );
    console
        .post(
            AdminOp::Moderate,
            &json!({ "ids": [id], "decision": "approve" }),
        )
        .expect::<serde_json::Value>(200);
    // The owner looked: the same readers and more cannot take it down again.
    for _ in 0..4 {
        d.client()
            .report(id, &thread, "abuse")
            .expect::<serde_json::Value>(200);
    }
    assert!(d.embed(&thread).contains("An unpopular but fair point"));
    assert_eq!(
        reports(&list(&console, "reported", &thread)),
        Some(4),
        "the owner still sees the new reports"
    );
    // Nor the owner's own reply.
    let reply: colloquy_core::wire::api::CreatedComment = console
        .post(
            AdminOp::Reply,
            &json!({ "parent_id": id, "body": "The owner agrees", "name": "" }),
        )
        .expect(201);
    for _ in 0..4 {
        d.client()
            .report(reply.comment.id, &thread, "abuse")
            .expect::<serde_json::Value>(200);
    }
    assert!(d.embed(&thread).contains("The owner agrees"));
}

#[test]
fn reports_against_comments_under_a_borrowed_email_do_not_hold_its_owner() {
    let d = Deployment::main();
    let thread = unique_thread("console-borrowed");
    let email = format!("regular-{}@example.org", colloquy_e2e::http::random_u64());
    let regular = || {
        comment(&thread)
            .email(&email)
            .author_key("the-regulars-browser-key")
    };
    d.create_id(regular().body("A regular's first comment"));
    // A troll posts under the regular's address from another browser and gets those
    // comments reported past the reporter threshold (five reports).
    for body in ["Borrowed one", "Borrowed two"] {
        let id = d.create_id(
            comment(&thread)
                .email(&email)
                .author_key("the-trolls-browser-key")
                .body(body),
        );
        for _ in 0..3 {
            d.client()
                .report(id, &thread, "abuse")
                .expect::<serde_json::Value>(200);
        }
    }
    let ok = d.create(&regular().body("Still published").build());
    assert!(
        !ok.comment.pending,
        "the regular is not held for the troll's reports"
    );
    let held = d.create(
        &comment(&thread)
            .email(&email)
            .author_key("the-trolls-browser-key")
            .body("Held now")
            .build(),
    );
    assert!(held.comment.pending, "the reported browser is");
}

#[tokio::test]
async fn a_report_waits_out_the_form_timer_with_a_solved_challenge_and_sends_once() {
    let thread = unique_thread("report-strict");
    // A published comment to report (held on this moderated deployment, then approved).
    let created = Deployment::strict().create(
        &comment(&thread)
            .body("Say something provocative")
            .turnstile("pass-token")
            .build(),
    );
    let console = Console::login(&Deployment::strict());
    console
        .post(
            AdminOp::Moderate,
            &serde_json::json!({ "ids": [created.comment.id], "decision": "approve" }),
        )
        .expect::<serde_json::Value>(200);
    let client = session().await;
    client
        .goto(&format!("{}/?thread={thread}", Deployment::strict().demo))
        .await
        .unwrap();
    let root = widget_root(&client).await;
    wait_for_text(&root, "li.cq-item", "Say something provocative").await;
    // Wait for the reading half to take over (the Report button then opens the box).
    click(&root, "button.cq-report").await;
    wait_for(&root, ".cq-report-box").await;
    // Turnstile is on here: the box shows the challenge, solved like a person would.
    click(&root, ".cq-report-box .fake-turnstile").await;
    // Sent at once, twice: it says it is sending, waits out the timer, and sends once.
    click(&root, ".cq-report-send").await;
    if let Ok(again) = root.find(Locator::Css(".cq-report-send")).await {
        let _ = again.click().await;
    }
    wait_for_text(&root, ".cq-report-sending", "Sending").await;
    wait_for_text(&root, ".cq-report-box [role=status]", "Thank you").await;
    assert!(
        root.find(Locator::Css(".cq-report-error")).await.is_err(),
        "no failure beside the thanks"
    );
    let reported: colloquy_core::wire::console::CommentList = console
        .get(
            AdminOp::Comments,
            &ListQuery {
                tab: Tab::parse("reported").unwrap(),
                search: thread.clone(),
                before: None,
            }
            .to_query(),
        )
        .expect(200);
    assert_eq!(reported.comments.len(), 1);
    assert_eq!(reported.comments[0].reports, 1, "counted once");
    client.close().await.unwrap();
}
