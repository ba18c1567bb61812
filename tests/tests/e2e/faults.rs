//! D1 down, via the faults deployment's test-only switch (`POST /__faults/d1`): reads that
//! need D1 answer 503 `unavailable` with Retry-After, writes are refused and leave nothing
//! behind, the widget keeps the reader's text and offers Retry, and once D1 is back the
//! retried post lands exactly once, while pages a reader had already seen keep being
//! served from the edge copy. One test: the switch is the whole deployment's, so it holds
//! the faults deployment's lock.

use colloquy_core::wire::endpoint::{EmbedQuery, Endpoint, ThreadQuery};
use colloquy_e2e::browser::{
    click, fill_form, session, submit_main_form, value_of, wait_focus, wait_for, wait_for_text,
    widget_root,
};
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::request;
use colloquy_e2e::unique_thread;

fn d1(d: &Deployment, state: &str) {
    let reply = request(
        "POST",
        &format!("{}/__faults/d1", d.api),
        &[],
        state.as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
}

fn embed_url(d: &Deployment, thread: &str) -> String {
    EmbedQuery {
        thread: ThreadQuery {
            thread: thread.into(),
            ..Default::default()
        },
        lang: "en".into(),
        ..Default::default()
    }
    .url(&d.api, Endpoint::Embed)
}

/// The switch and the instance are the whole deployment's: its faults are tried one
/// after the other, never at once.
#[tokio::test]
async fn faults_one_after_the_other() {
    let _site_wide = Deployment::faults().lock();
    when_d1_fails_reads_say_503_cached_pages_stay_writes_leave_nothing_and_the_widget_retries_once(
    )
    .await;
    a_panic_answers_json_500_and_the_next_request_is_served();
}

async fn when_d1_fails_reads_say_503_cached_pages_stay_writes_leave_nothing_and_the_widget_retries_once(
) {
    let d = Deployment::faults();
    // (Working again after a run of this test that failed half-way.)
    d1(&d, "off");
    let thread = unique_thread("outage");
    d.create_id(comment(&thread).body("Before the outage"));
    // A reader has seen the thread: its page is cached at the edge.
    let cached = request("GET", &embed_url(&d, &thread), &[], b"");
    assert_eq!(cached.status, 200);
    let client = session().await;
    client
        .goto(&format!("{}/?thread={thread}", d.demo))
        .await
        .unwrap();
    let root = widget_root(&client).await;
    wait_for_text(&root, "li.cq-item", "Before the outage").await;
    fill_form(
        &root,
        "Written during the outage",
        "Otto",
        "otto@example.org",
    )
    .await;

    d1(&d, "on");
    // Cached pages keep being served while D1 is down.
    let during = request("GET", &embed_url(&d, &thread), &[], b"");
    assert_eq!(during.status, 200, "{}", during.text);
    assert!(during.text.contains("Before the outage"));
    assert!(
        during
            .header_all("server-timing")
            .contains("cache;desc=\"hit\""),
        "served from the edge copy"
    );
    let fresh = unique_thread("outage-unread");
    for url in [
        embed_url(&d, &fresh),
        ThreadQuery {
            thread: fresh.clone(),
            ..Default::default()
        }
        .url(&d.api),
    ] {
        let reply = request("GET", &url, &[], b"");
        assert_eq!(reply.error(), (503, "unavailable".into()), "{url}");
        assert_eq!(reply.header("retry-after"), Some("5"));
    }
    let refused = d.post(&comment(&thread).body("Refused").build());
    assert_eq!(refused.error(), (503, "unavailable".into()));
    // The widget: an error, the text kept, a Retry.
    submit_main_form(&root).await;
    wait_for(&root, ".cq-retry").await;
    let kept = client
        .execute("return JSON.stringify(localStorage)", vec![])
        .await
        .unwrap();
    assert!(
        kept.as_str().unwrap().contains("Written during the outage"),
        "the draft is kept"
    );

    d1(&d, "off");
    let page = d.page(&thread);
    let bodies: Vec<&str> = page.comments.iter().map(|c| c.body_html.as_str()).collect();
    assert_eq!(
        bodies.len(),
        1,
        "nothing written while D1 was down: {bodies:?}"
    );
    click(&root, ".cq-retry").await;
    wait_for_text(&root, "li.cq-item", "Written during the outage").await;
    let after = d.page(&thread);
    let landed = after
        .comments
        .iter()
        .filter(|c| c.body_html.contains("Written during the outage"))
        .count();
    assert_eq!(landed, 1, "the retried post landed once");

    // Editing it while D1 is down: the message, the words kept, and focus back on Save
    // (it was disabled while the request ran); Save again once D1 is back.
    click(&root, ".cq-edit-button").await;
    let edit = wait_for(&root, "form.cq-edit textarea").await;
    edit.send_keys(" (edited in the outage)").await.unwrap();
    d1(&d, "on");
    click(&root, "form.cq-edit button[type=submit]").await;
    wait_for(&root, "form.cq-edit .cq-form-error:not(:empty)").await;
    wait_focus(&client, "BUTTON#.cq-button").await;
    assert!(value_of(&root, "form.cq-edit textarea")
        .await
        .ends_with("(edited in the outage)"));
    d1(&d, "off");
    click(&root, "form.cq-edit button[type=submit]").await;
    wait_for_text(&root, "li.cq-item", "(edited in the outage)").await;
    assert_eq!(
        d.post(&comment(&thread).body("And after").build()).status,
        201
    );
    client.close().await.unwrap();
}

fn a_panic_answers_json_500_and_the_next_request_is_served() {
    let d = Deployment::faults();
    let panicked = request("POST", &format!("{}/__faults/panic", d.api), &[], b"");
    assert_eq!(
        panicked.error(),
        (500, "internal".into()),
        "{}",
        panicked.text
    );
    assert_eq!(panicked.header("content-type"), Some("application/json"));
    // The Wasm instance starts afresh: the next requests are answered normally.
    let health = request("GET", &Endpoint::Health.url(&d.api), &[], b"");
    assert_eq!(health.status, 200, "{}", health.text);
    let thread = unique_thread("after-panic");
    assert_eq!(
        d.post(&comment(&thread).body("After the panic").build())
            .status,
        201
    );
}
