//! Idempotent posting: a retried POST (a lost answer, a timeout, a double click) with the
//! same `Idempotency-Key` never makes a second comment and gets the first answer — over
//! HTTP (sequential and concurrent retries, other clients, bad keys, a failed attempt
//! retried) and in Chromium with the first answer dropped on its way back.

use colloquy_core::wire::api::CreatedComment;
use colloquy_core::wire::endpoint::Endpoint;
use colloquy_e2e::browser::{
    click, fill_form, open_demo, session, submit_main_form, wait_for_text,
};
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::{fresh_client_ip, request, Reply};
use colloquy_e2e::unique_thread;

fn post_with_key(d: &Deployment, body: &[u8], key: &str, ip: &str) -> Reply {
    request(
        "POST",
        &Endpoint::PostComment.url(&d.api),
        &[
            ("Origin", d.demo.as_str()),
            ("Content-Type", "application/json"),
            ("CF-Connecting-IP", ip),
            ("Idempotency-Key", key),
        ],
        body,
    )
}

fn key() -> String {
    format!("test-key-{:016x}", colloquy_e2e::http::random_u64())
}

#[test]
fn a_retried_post_returns_the_first_answer_and_stores_one_comment() {
    let d = Deployment::main();
    let thread = unique_thread("idem");
    let ip = fresh_client_ip();
    let token = d.client_at(&ip).token(&thread);
    let body = serde_json::to_vec(
        &comment(&thread)
            .body("Posted once")
            .form_token(&token)
            .build(),
    )
    .unwrap();
    let k = key();
    let first = post_with_key(&d, &body, &k, &ip);
    assert_eq!(first.status, 201, "{}", first.text);
    let again = post_with_key(&d, &body, &k, &ip);
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let a: CreatedComment = serde_json::from_str(&first.text).unwrap();
    let b: CreatedComment = serde_json::from_str(&again.text).unwrap();
    assert_eq!(a.comment.id, b.comment.id);
    assert_eq!(a.edit_token, b.edit_token, "the same answer");
    assert_eq!(d.page(&thread).comments.len(), 1);

    // The same key from another client is not that client's answer.
    let other = post_with_key(&d, &body, &k, &fresh_client_ip());
    assert_ne!(
        other.status, 201,
        "someone else's key replays nothing: {}",
        other.text
    );

    // Bad keys are refused with a code.
    assert_eq!(
        post_with_key(&d, &body, "short", &ip).error(),
        (400, "idempotency_key_invalid".into())
    );
    assert_eq!(d.page(&thread).comments.len(), 1);
}

#[test]
fn concurrent_retries_make_one_comment() {
    let d = Deployment::main();
    let thread = unique_thread("idem-race");
    let ip = fresh_client_ip();
    let token = d.client_at(&ip).token(&thread);
    let body =
        serde_json::to_vec(&comment(&thread).body("Raced").form_token(&token).build()).unwrap();
    let k = key();
    let replies: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                s.spawn(|| {
                    let r = post_with_key(&d, &body, &k, &ip);
                    (r.status, r.text)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let statuses: Vec<u16> = replies.iter().map(|r| r.0).collect();
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{replies:?}"
    );
    assert!(statuses.contains(&201));
    assert_eq!(d.page(&thread).comments.len(), 1, "{statuses:?}");
}

#[test]
fn a_failed_attempt_can_be_corrected_and_sent_with_the_same_key() {
    let d = Deployment::main();
    let thread = unique_thread("idem-fix");
    let ip = fresh_client_ip();
    let token = d.client_at(&ip).token(&thread);
    let k = key();
    let bad = serde_json::to_vec(&comment(&thread).body("").form_token(&token).build()).unwrap();
    assert_eq!(post_with_key(&d, &bad, &k, &ip).status, 422);
    let good =
        serde_json::to_vec(&comment(&thread).body("Fixed").form_token(&token).build()).unwrap();
    let fixed = post_with_key(&d, &good, &k, &ip);
    assert_eq!(fixed.status, 201, "{}", fixed.text);
}

#[tokio::test]
async fn the_widget_retries_a_lost_answer_without_posting_twice() {
    let thread = unique_thread("idem-widget");
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    fill_form(&root, "Answer lost once", "Ida", "ida@example.org").await;
    // The first POST reaches the server, but its answer never reaches the page.
    client
        .execute(
            "const real = window.fetch; let dropped = false;
             window.fetch = function (input, opts) {
               const p = real.apply(this, arguments);
               const method = (opts && opts.method) || (input && input.method) || 'GET';
               const href = typeof input === 'string' ? input : input.url;
               if (!dropped && method === 'POST' && href.includes('/api/v1/comments')) {
                 dropped = true;
                 return p.then(() => { throw new TypeError('answer lost'); });
               }
               return p;
             };",
            vec![],
        )
        .await
        .unwrap();
    submit_main_form(&root).await;
    click(&root, ".cq-retry").await;
    wait_for_text(&root, "li.cq-item", "Answer lost once").await;
    let d = Deployment::main();
    let stored: Vec<_> = d
        .page(&thread)
        .comments
        .into_iter()
        .filter(|c| c.body_html.contains("Answer lost once"))
        .collect();
    assert_eq!(stored.len(), 1, "posted once, though sent twice");
    let shown = root
        .find_all(fantoccini::Locator::Css("li.cq-item"))
        .await
        .unwrap()
        .len();
    assert_eq!(shown, 1, "shown once");
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_reload_after_a_lost_answer_still_posts_once() {
    let thread = unique_thread("idem-reload");
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    fill_form(
        &root,
        "Answer lost, then a reload",
        "Ida",
        "ida@example.org",
    )
    .await;
    // The POST reaches the server; its answer never reaches the page.
    client
        .execute(
            "const real = window.fetch;
             window.fetch = function (input, opts) {
               const p = real.apply(this, arguments);
               const method = (opts && opts.method) || (input && input.method) || 'GET';
               const href = typeof input === 'string' ? input : input.url;
               if (method === 'POST' && href.includes('/api/v1/comments')) {
                 return p.then(() => { throw new TypeError('answer lost'); });
               }
               return p;
             };",
            vec![],
        )
        .await
        .unwrap();
    submit_main_form(&root).await;
    colloquy_e2e::browser::wait_for(&root, ".cq-retry").await;
    // The reader gives up on this page and reloads: the draft is back, they type their
    // name and address again and send the same comment.
    client.refresh().await.unwrap();
    let root = colloquy_e2e::browser::widget_root(&client).await;
    colloquy_e2e::browser::open_compose(&root).await;
    assert_eq!(
        colloquy_e2e::browser::value_of(&root, "#cq-new-body").await,
        "Answer lost, then a reload"
    );
    colloquy_e2e::browser::type_into(&root, "#cq-new-name", "Ida").await;
    colloquy_e2e::browser::type_into(&root, "#cq-new-email", "ida@example.org").await;
    submit_main_form(&root).await;
    wait_for_text(&root, "li.cq-item", "Answer lost, then a reload").await;
    let stored = Deployment::main()
        .page(&thread)
        .comments
        .into_iter()
        .filter(|c| c.body_html.contains("Answer lost, then a reload"))
        .count();
    assert_eq!(stored, 1, "the key was kept with the draft: one comment");
    // Shown once too, though the page already had it after the reload.
    let shown = root
        .find_all(fantoccini::Locator::Css("li.cq-item"))
        .await
        .unwrap()
        .len();
    assert_eq!(shown, 1, "shown once");
    client.close().await.unwrap();
}
