//! A deployment with Cloudflare Turnstile turned on, verified by the local fake that
//! `cargo xtask test` runs (it accepts exactly the token "pass-token").

use colloquy_e2e::browser::{session, type_into, wait_for, wait_for_text, widget_root};
use colloquy_e2e::http::{form_token, fresh_client_ip, send_to};
use colloquy_e2e::{env_url, unique_thread};
use serde_json::{json, Value};

fn post(body: &Value) -> colloquy_e2e::http::Reply {
    let mut body = body.clone();
    body["form_token"] = json!(form_token());
    let origin = env_url("COLLOQUY_TURNSTILE_DEMO");
    let ip = fresh_client_ip();
    send_to(
        &env_url("COLLOQUY_TURNSTILE_API"),
        "POST",
        "/api/v1/comments",
        &[
            ("Origin", &origin),
            ("Content-Type", "application/json"),
            ("CF-Connecting-IP", &ip),
        ],
        body.to_string().as_bytes(),
    )
}

#[test]
fn the_worker_requires_and_verifies_a_turnstile_token() {
    let thread = unique_thread("turnstile-api");
    let base = json!({"thread": thread, "body": "hi", "name": "Ana", "email": "ana@example.org"});
    let reply = post(&base);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (422, "captcha_required"),
        "{}",
        reply.text
    );
    let mut bad = base.clone();
    bad["turnstile_token"] = json!("forged-token");
    let reply = post(&bad);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (403, "captcha_failed"),
        "{}",
        reply.text
    );
    let mut good = base.clone();
    good["turnstile_token"] = json!("pass-token");
    assert_eq!(post(&good).status, 201);

    let page = send_to(
        &env_url("COLLOQUY_TURNSTILE_API"),
        "GET",
        &format!("/api/v1/comments?thread={thread}"),
        &[],
        b"",
    );
    let settings = &page.json()["settings"];
    assert_eq!(settings["turnstile_site_key"], "test-site-key");
    assert!(settings["turnstile_script_url"]
        .as_str()
        .unwrap()
        .ends_with("/turnstile.js"));
    assert_eq!(page.json()["total"], 1);
}

#[tokio::test]
async fn the_widget_shows_the_challenge_and_posts_only_when_it_is_solved() {
    let client = session().await;
    let thread = unique_thread("turnstile-browser");
    client
        .goto(&format!(
            "{}/?thread={thread}",
            env_url("COLLOQUY_TURNSTILE_DEMO")
        ))
        .await
        .unwrap();
    let root = widget_root(&client).await;
    wait_for(&root, "ol.cq-list").await;
    type_into(&root, "#cq-new-body", "Checked by a person").await;
    type_into(&root, "#cq-new-name", "Mojca").await;
    type_into(&root, "#cq-new-email", "mojca@example.org").await;

    // Unsolved: the server says a challenge is needed, and the text stays.
    wait_for(&root, "form.cq-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for_text(&root, ".cq-form-error", "complete the challenge").await;

    // Solved with a token the verifier rejects.
    client
        .execute("window.__turnstileToken = 'bad-token'", vec![])
        .await
        .unwrap();
    wait_for(&root, ".cq-turnstile .fake-turnstile")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&root, "form.cq-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for_text(&root, ".cq-form-error", "could not be verified").await;
    let body = wait_for(&root, "#cq-new-body").await;
    assert_eq!(
        body.prop("value").await.unwrap().as_deref(),
        Some("Checked by a person")
    );

    // Solved properly.
    client
        .execute("window.__turnstileToken = 'pass-token'", vec![])
        .await
        .unwrap();
    wait_for(&root, ".cq-turnstile .fake-turnstile")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&root, "form.cq-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for_text(&root, "li.cq-item", "Checked by a person").await;
    client.close().await.unwrap();
}
