//! The strict deployment `cargo xtask test` starts beside the main one: Cloudflare
//! Turnstile (verified by a local fake that accepts exactly the token "pass-token"),
//! moderation of new comments, and an owner key for the author badge.

use colloquy_core::wire::api::NewComment;
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::endpoint::ThreadQuery;
use colloquy_core::wire::vars;
use colloquy_e2e::browser::{
    click, fill_form, session, value_of, wait_for, wait_for_text, widget_root,
};
use colloquy_e2e::console::Console;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::Reply;
use colloquy_e2e::unique_thread;
use fantoccini::Locator;

fn post(body: &NewComment) -> Reply {
    Deployment::strict().post(body)
}

fn list(thread: &str) -> Reply {
    Deployment::strict().list(&ThreadQuery {
        thread: thread.into(),
        ..Default::default()
    })
}

#[test]
fn the_worker_requires_and_verifies_a_turnstile_token() {
    let thread = unique_thread("turnstile-api");
    let base = comment(&thread).name("Ana").body("hi");
    let reply = post(&base.clone().build());
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (422, "captcha_required"),
        "{}",
        reply.text
    );
    let reply = post(&base.clone().turnstile("forged-token").build());
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (403, "captcha_failed"),
        "{}",
        reply.text
    );
    let created = post(&base.turnstile("pass-token").build());
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.json()["comment"]["pending"],
        true,
        "held for moderation"
    );

    let page = list(&thread);
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

/// The badge token the strict console issued for this run (one for every test here: a
/// new one would end the previous one).
fn badge() -> String {
    static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TOKEN
        .get_or_init(|| {
            let console = Console::login(&Deployment::strict());
            let reply = console.post(AdminOp::Badge, &serde_json::json!({}));
            reply.json()["token"]
                .as_str()
                .expect("a badge token")
                .to_owned()
        })
        .clone()
}

#[test]
fn the_badge_token_earns_the_badge_and_skips_moderation_and_nothing_else_does() {
    let thread = unique_thread("owner-api");
    let owner_key = badge();
    let by_owner = comment(&thread)
        .body("Thanks, all!")
        .name("Mira Kos")
        .email("mira@example.org")
        .turnstile("pass-token");
    // The console key itself never works on a host page.
    let console_key = post(
        &by_owner
            .clone()
            .owner_key(Deployment::strict().secret(vars::OWNER_KEY))
            .build(),
    );
    assert_eq!(console_key.json()["comment"]["owner"], false);
    let reply = post(&by_owner.clone().owner_key(&owner_key).build());
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json()["comment"]["owner"], true);
    assert_eq!(reply.json()["comment"]["pending"], false);
    let impostor = post(&by_owner.owner_key("a-guess-at-the-key-0000000").build());
    assert_eq!(
        impostor.json()["comment"]["owner"],
        false,
        "the same name proves nothing"
    );
    assert_eq!(impostor.json()["comment"]["pending"], true);
    let page = list(&thread);
    assert_eq!(page.json()["total"], 1);
    assert_eq!(page.json()["comments"][0]["owner"], true);
    assert!(!page.text.contains(&owner_key));
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
            &format!("tab=pending&q={}", thread.replace('/', "%2F")),
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

#[tokio::test]
async fn the_owner_opens_a_page_with_the_badge_token_once_and_then_posts_with_the_badge() {
    let client = session().await;
    let thread = unique_thread("owner-browser");
    let key = badge();
    client
        .goto(&format!(
            "{}/?thread={thread}#colloquy-owner={key}",
            Deployment::strict().demo
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
    click(&root, ".cq-turnstile .fake-turnstile").await;
    click(&root, "form.cq-form button[type=submit]").await;
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
    // The key stays on this device: after a reload the next comment has the badge too.
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    fill_form(
        &root,
        "And one more from the author.",
        "Mira Kos",
        "mira@example.org",
    )
    .await;
    click(&root, ".cq-turnstile .fake-turnstile").await;
    click(&root, "form.cq-form button[type=submit]").await;
    let again = wait_for_text(&root, "li.cq-item", "one more from the author").await;
    let badge = again.find(Locator::Css(".cq-badge")).await.unwrap();
    assert_eq!(badge.text().await.unwrap(), "Author");
    client.close().await.unwrap();
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
            &format!("tab=reported&q={}", thread.replace('/', "%2F")),
        )
        .expect(200);
    assert_eq!(reported.comments.len(), 1);
    assert_eq!(reported.comments[0].reports, 1, "counted once");
    client.close().await.unwrap();
}

#[test]
fn an_edit_on_a_moderated_site_sends_the_comment_back_to_the_queue() {
    use colloquy_core::wire::api::CreatedComment;
    let d = Deployment::strict();
    let thread = unique_thread("moderated-edit");
    let created: CreatedComment = d.create(
        &comment(&thread)
            .body("Approved words")
            .turnstile("pass-token")
            .build(),
    );
    assert!(created.comment.pending);
    let console = Console::login(&d);
    console
        .post(
            AdminOp::Moderate,
            &serde_json::json!({ "ids": [created.comment.id], "decision": "approve" }),
        )
        .expect::<serde_json::Value>(200);
    assert!(d.embed(&thread).contains("Approved words"));
    // The author changes the words within the edit window (3 s here).
    let edited = d.write(
        colloquy_core::wire::endpoint::Endpoint::EditComment(created.comment.id),
        &serde_json::json!({ "edit_token": created.edit_token, "body": "Words nobody approved" }),
    );
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(
        edited.json()["comment"]["pending"],
        true,
        "back in the queue"
    );
    let page = d.embed(&thread);
    assert!(
        !page.contains("Words nobody approved") && !page.contains("Approved words"),
        "readers see neither until the owner looks again"
    );
    let queue: colloquy_core::wire::console::CommentList = console
        .get(
            AdminOp::Comments,
            &format!("tab=pending&q={}", thread.replace('/', "%2F")),
        )
        .expect(200);
    assert_eq!(queue.comments.len(), 1);
    assert_eq!(
        queue.comments[0].held_for,
        Some(colloquy_core::wire::moderation::HeldFor::Moderation)
    );
}
