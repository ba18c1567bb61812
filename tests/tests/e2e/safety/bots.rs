//! Friction for bots at no cost to people: the honeypot, the form timer, form tokens that
//! post once in their own thread from their own client, and Turnstile (a local fake that
//! accepts exactly the token "pass-token") — also solved on another site.

use colloquy_core::wire::api::{CreatedComment, FormToken};
use colloquy_core::wire::console::query::ListQuery;
use colloquy_core::wire::console::Tab;
use colloquy_core::wire::endpoint::{form_token_url, AdminOp, Endpoint};
use colloquy_e2e::browser::{
    click, fill_form, session, value_of, wait_for, wait_for_text, widget_root,
};
use colloquy_e2e::console::Console;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::{fresh_client_ip, request};
use colloquy_e2e::unique_thread;
use fantoccini::Locator;

#[test]
fn the_honeypot_stops_bots_and_forged_tokens_are_refused() {
    let thread = unique_thread("bots");
    let reply = Deployment::main().post(&comment(&thread).honeypot("http://spam.example").build());
    assert_eq!(reply.error(), (422, "spam_suspected".into()));
    for (label, token) in [
        ("forged", "1700000000000.00000000.00000000.00ff"),
        ("garbage", "hello"),
    ] {
        let reply = Deployment::main().post(&comment(&thread).form_token(token).build());
        assert_eq!(reply.error(), (403, "form_token_invalid".into()), "{label}");
    }
    // No token at all (the fixture fills in empty ones, so send it by hand).
    let reply = Deployment::main().write(Endpoint::PostComment, &comment(&thread).build());
    assert_eq!(reply.error(), (403, "form_token_invalid".into()));
    assert_eq!(Deployment::main().page(&thread).total, 0);
}

#[test]
fn the_form_timer_refuses_a_form_sent_faster_than_a_person_types() {
    // The strict deployment keeps the timer (the main one runs without, for speed).
    let strict = Deployment::strict();
    let thread = unique_thread("timer");
    let client = strict.client();
    let token: colloquy_core::wire::api::FormToken = colloquy_e2e::http::request(
        "GET",
        &colloquy_core::wire::endpoint::form_token_url(&strict.api, &thread),
        &[("CF-Connecting-IP", &client.ip)],
        b"",
    )
    .expect(200);
    let fast = comment(&thread)
        .turnstile("pass-token")
        .form_token(&token.form_token)
        .build();
    let reply = client.post(&fast);
    assert_eq!(reply.error(), (422, "too_fast".into()));
    // Invalid fields are reported at once, before the timer: the reader fixes them first.
    let blank = comment(&thread)
        .body(" ")
        .turnstile("pass-token")
        .form_token(&token.form_token)
        .build();
    assert_eq!(
        client.post(&blank).error(),
        (422, "validation_failed".into())
    );
}

fn token_for(api: &Deployment, thread: &str, ip: &str) -> String {
    let token: FormToken = request(
        "GET",
        &form_token_url(&api.api, thread),
        &[("CF-Connecting-IP", ip)],
        b"",
    )
    .expect(200);
    token.form_token
}

#[test]
fn a_form_token_posts_once_in_its_own_thread_from_its_own_client() {
    let api = Deployment::main();
    let thread = unique_thread("token-once");
    let ip = fresh_client_ip();
    let token = token_for(&api, &thread, &ip);
    let with = |thread: &str| comment(thread).form_token(&token).build();
    let first: CreatedComment = api.post_as(&with(&thread), &ip).expect(201);
    assert_eq!(
        api.post_as(&with(&thread), &ip).error(),
        (422, "form_expired".into()),
        "a replayed token"
    );
    let fresh = token_for(&api, &thread, &ip);
    let elsewhere = comment(&unique_thread("token-other"))
        .form_token(&fresh)
        .build();
    assert_eq!(
        api.post_as(&elsewhere, &ip).error(),
        (403, "form_token_invalid".into()),
        "another thread"
    );
    let moved = comment(&thread).form_token(&fresh).build();
    assert_eq!(
        api.post_as(&moved, &fresh_client_ip()).error(),
        (422, "form_expired".into()),
        "another client: the widget renews"
    );
    // The answer carries the reader's next token.
    let next = comment(&thread).form_token(&first.form_token).build();
    assert_eq!(api.post_as(&next, &ip).status, 201);
}

#[test]
fn a_challenge_solved_on_another_site_is_refused() {
    let strict = Deployment::strict();
    let reply = strict.post(
        &comment(&unique_thread("turnstile-host"))
            .turnstile("pass-token-elsewhere")
            .build(),
    );
    assert_eq!(reply.error(), (403, "captcha_failed".into()));
}

#[test]
fn the_worker_requires_and_verifies_a_turnstile_token() {
    let thread = unique_thread("turnstile-api");
    let base = comment(&thread).name("Ana").body("hi");
    let reply = Deployment::strict().post(&base.clone().build());
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (422, "captcha_required"),
        "{}",
        reply.text
    );
    let reply = Deployment::strict().post(&base.clone().turnstile("forged-token").build());
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (403, "captcha_failed"),
        "{}",
        reply.text
    );
    let created = Deployment::strict().post(&base.turnstile("pass-token").build());
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.json()["comment"]["pending"],
        true,
        "held for moderation"
    );

    let page = Deployment::strict().list_thread(&thread);
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

#[tokio::test]
async fn the_widget_shows_the_challenge_and_posts_only_when_it_is_solved() {
    let client = session().await;
    let thread = unique_thread("turnstile-browser");
    client
        .goto(&format!("{}/?thread={thread}", Deployment::strict().demo))
        .await
        .unwrap();
    let root = widget_root(&client).await;
    wait_for(&root, "ol.cq-list").await;
    fill_form(&root, "Checked by a person", "Mojca", "mojca@example.org").await;

    // Unsolved: the server says a challenge is needed, and the text stays.
    click(&root, "form.cq-form button[type=submit]").await;
    wait_for_text(&root, ".cq-form-error", "complete the challenge").await;

    // Solved with a token the verifier rejects.
    client
        .execute("window.__turnstileToken = 'bad-token'", vec![])
        .await
        .unwrap();
    click(&root, ".cq-turnstile .fake-turnstile").await;
    click(&root, "form.cq-form button[type=submit]").await;
    wait_for_text(&root, ".cq-form-error", "could not be verified").await;
    assert_eq!(value_of(&root, "#cq-new-body").await, "Checked by a person");

    // Solved properly: posted, and held for moderation, which only its author sees.
    client
        .execute("window.__turnstileToken = 'pass-token'", vec![])
        .await
        .unwrap();
    click(&root, ".cq-turnstile .fake-turnstile").await;
    click(&root, "form.cq-form button[type=submit]").await;
    let mine = wait_for_text(&root, "li.cq-item", "Checked by a person").await;
    assert!(mine.text().await.unwrap().contains("Awaiting moderation"));
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    let mine = wait_for_text(&root, "li.cq-item", "Checked by a person").await;
    assert!(
        mine.text().await.unwrap().contains("Awaiting moderation"),
        "still shown to its author"
    );
    // The owner removes it: the author's browser shows it no more and forgets its copy.
    let console = Console::login(&Deployment::strict());
    let held: colloquy_core::wire::console::CommentList = console
        .get(
            AdminOp::Comments,
            &ListQuery {
                tab: Tab::parse("pending").unwrap(),
                search: thread.clone(),
                before: None,
            }
            .to_query(),
        )
        .expect(200);
    assert_eq!(held.comments.len(), 1);
    console
        .post(
            AdminOp::Moderate,
            &serde_json::json!({ "ids": [held.comments[0].id], "decision": "trash" }),
        )
        .expect::<serde_json::Value>(200);
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    wait_for(&root, "ol.cq-list").await;
    colloquy_e2e::browser::poll("the removed comment's copy to go", || async {
        root.find_all(Locator::Css("li.cq-item"))
            .await
            .unwrap()
            .is_empty()
            .then_some(())
    })
    .await;
    let kept = client
        .execute(
            "return Object.keys(localStorage).filter(k => k.startsWith('colloquy:pending:')).length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kept, serde_json::json!(0), "the copy is forgotten");
    client.close().await.unwrap();

    // Another reader (a fresh browser profile) does not see it.
    let other = session().await;
    other
        .goto(&format!("{}/?thread={thread}", Deployment::strict().demo))
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
