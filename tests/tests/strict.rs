//! The strict deployment `cargo xtask test` starts beside the main one: Cloudflare
//! Turnstile (verified by a local fake that accepts exactly the token "pass-token"),
//! moderation of new comments, and an owner key for the author badge.

use colloquy_e2e::browser::{fill_form, session, wait_for, wait_for_text, widget_root};
use colloquy_e2e::http::{form_token, fresh_client_ip, send_to};
use colloquy_e2e::{env_url, unique_thread};
use fantoccini::Locator;
use serde_json::{json, Value};

fn post(body: &Value) -> colloquy_e2e::http::Reply {
    let mut body = body.clone();
    body["form_token"] = json!(form_token());
    let origin = env_url("COLLOQUY_STRICT_DEMO");
    let ip = fresh_client_ip();
    send_to(
        &env_url("COLLOQUY_STRICT_API"),
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
    let created = post(&good);
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.json()["comment"]["pending"],
        true,
        "held for moderation"
    );

    let page = send_to(
        &env_url("COLLOQUY_STRICT_API"),
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
    assert_eq!(
        page.json()["total"],
        0,
        "comments awaiting moderation are not public"
    );
    assert!(page.json()["comments"].as_array().unwrap().is_empty());
}

#[test]
fn the_owner_key_earns_the_badge_and_skips_moderation_and_nothing_else_does() {
    let thread = unique_thread("owner-api");
    let owner_key = env_url("COLLOQUY_OWNER_KEY");
    let mut by_owner = json!({"thread": thread, "body": "Thanks, all!", "name": "Mira Kos",
        "email": "mira@example.org", "turnstile_token": "pass-token", "owner_key": owner_key});
    let reply = post(&by_owner);
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json()["comment"]["owner"], true);
    assert_eq!(reply.json()["comment"]["pending"], false);
    by_owner["owner_key"] = json!("a-guess-at-the-key-0000000");
    let impostor = post(&by_owner);
    assert_eq!(
        impostor.json()["comment"]["owner"],
        false,
        "the same name proves nothing"
    );
    assert_eq!(impostor.json()["comment"]["pending"], true);
    let page = send_to(
        &env_url("COLLOQUY_STRICT_API"),
        "GET",
        &format!("/api/v1/comments?thread={thread}"),
        &[],
        b"",
    );
    assert_eq!(page.json()["total"], 1);
    assert_eq!(page.json()["comments"][0]["owner"], true);
    assert!(!page.text.contains(&owner_key));
}

#[tokio::test]
async fn the_widget_shows_the_challenge_and_posts_only_when_it_is_solved() {
    let client = session().await;
    let thread = unique_thread("turnstile-browser");
    client
        .goto(&format!(
            "{}/?thread={thread}",
            env_url("COLLOQUY_STRICT_DEMO")
        ))
        .await
        .unwrap();
    let root = widget_root(&client).await;
    wait_for(&root, "ol.cq-list").await;
    fill_form(&root, "Checked by a person", "Mojca", "mojca@example.org").await;

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

    // Solved properly: posted, and held for moderation, which only its author sees.
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
    let mine = wait_for_text(&root, "li.cq-item", "Checked by a person").await;
    assert!(mine.text().await.unwrap().contains("Awaiting moderation"));
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    let mine = wait_for_text(&root, "li.cq-item", "Checked by a person").await;
    assert!(
        mine.text().await.unwrap().contains("Awaiting moderation"),
        "still shown to its author"
    );
    client.close().await.unwrap();

    // Another reader (a fresh browser profile) does not see it.
    let other = session().await;
    other
        .goto(&format!(
            "{}/?thread={thread}",
            env_url("COLLOQUY_STRICT_DEMO")
        ))
        .await
        .unwrap();
    let root = widget_root(&other).await;
    wait_for(&root, "ol.cq-list").await;
    wait_for_text(&root, "h2.cq-heading", "No comments yet").await;
    assert!(root
        .find_all(Locator::Css("li.cq-item"))
        .await
        .unwrap()
        .is_empty());
    other.close().await.unwrap();
}

#[tokio::test]
async fn the_owner_opens_a_page_with_the_key_once_and_then_posts_with_the_badge() {
    let client = session().await;
    let thread = unique_thread("owner-browser");
    let key = env_url("COLLOQUY_OWNER_KEY");
    client
        .goto(&format!(
            "{}/?thread={thread}#colloquy-owner={key}",
            env_url("COLLOQUY_STRICT_DEMO")
        ))
        .await
        .unwrap();
    let root = widget_root(&client).await;
    wait_for(&root, "ol.cq-list").await;
    let url = client.current_url().await.unwrap();
    assert!(
        !url.as_str().contains(&key),
        "the key is removed from the address bar: {url}"
    );
    fill_form(
        &root,
        "Author here: thank you for reading.",
        "Mira Kos",
        "mira@example.org",
    )
    .await;
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
    let mine = wait_for_text(&root, "li.cq-item", "Author here").await;
    wait_for_text(&root, "li.cq-item .cq-badge", "Author").await;
    // Gravatar is on for this deployment (served by the local fake, never the real one).
    let img = wait_for(&root, "li.cq-item img.cq-avatar").await;
    let src = img.attr("src").await.unwrap().unwrap_or_default();
    assert!(
        src.starts_with("http://127.0.0.1:") && src.contains("/avatar/"),
        "{src}"
    );
    assert!(!mine.text().await.unwrap().contains("Awaiting moderation"));
    client.close().await.unwrap();
}
