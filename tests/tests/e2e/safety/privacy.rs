//! What is published and stored about people: no email or IP address in any public answer
//! or in the database, avatar hashes that do not link one person across threads, no
//! cookies, no third parties, and which answers may be cached.

use colloquy_core::wire::api::{CreatedComment, NewComment};
use colloquy_core::wire::endpoint::{Endpoint, ThreadQuery};
use colloquy_e2e::browser::{fill_form, open_demo, session, submit_main_form, wait_for_text};
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::fresh_client_ip;
use colloquy_e2e::unique_thread;
use serde_json::json;

#[test]
fn no_public_response_contains_a_stored_email_or_ip() {
    let thread = unique_thread("private");
    let email = format!(
        "private-{:x}@hidden.example",
        colloquy_e2e::http::random_u64()
    );
    let ip = fresh_client_ip();
    let deployment = Deployment::main();
    let reader = deployment.client_at(&ip);
    let with_email =
        |c: colloquy_e2e::fixtures::CommentBuilder| -> NewComment { c.email(&email).build() };
    let post = reader.post(&with_email(comment(&thread).body("who am I?")));
    assert_eq!(post.status, 201, "{}", post.text);
    let top: CreatedComment = post.expect(201);
    let reply = reader.post(&with_email(
        comment(&thread).body("a reply").reply_to(top.comment.id),
    ));
    assert_eq!(reply.status, 201, "{}", reply.text);
    let edit = Deployment::main().write_as(
        Endpoint::EditComment(top.comment.id),
        &json!({"edit_token": top.edit_token, "body": "edited"}),
        &ip,
    );
    assert_eq!(edit.status, 200, "{}", edit.text);
    let listed = Deployment::main().list_thread(&thread);
    assert_eq!(listed.status, 200, "{}", listed.text);
    let context = Deployment::main().get(&Endpoint::CommentContext(top.comment.id).path());
    assert_eq!(context.status, 200, "{}", context.text);
    for response in [&post, &reply, &edit, &listed, &context] {
        assert!(!response.text.contains(&email), "{}", response.text);
        assert!(!response.text.contains(&ip), "{}", response.text);
        assert!(!response.text.contains("email"), "{}", response.text);
        // No Gravatar hash (an unkeyed hash of the email) unless the owner opts in.
        assert!(
            !response.text.contains("\"gravatar\":\""),
            "{}",
            response.text
        );
        assert!(response.header("set-cookie").is_none(), "no cookies");
    }
}

#[test]
fn no_ip_address_is_stored_anywhere_in_the_database() {
    let ip = fresh_client_ip();
    let thread = unique_thread("no-ip");
    let deployment = Deployment::main();
    let reader = deployment.client_at(&ip);
    let top: CreatedComment = reader.post(&comment(&thread).build()).expect(201);
    let like = Deployment::main().write_as(
        Endpoint::Like(top.comment.id),
        &json!({"reader": "reader-no-ip-0123456789abcdef"}),
        &ip,
    );
    assert_eq!(like.status, 200, "{}", like.text);
    // Search every file of the local D1 (database, journal, write-ahead log) for the
    // address in the forms it could take.
    let state = std::path::PathBuf::from(Deployment::main().state());
    let mut files = vec![state];
    let mut searched = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(
                std::fs::read_dir(&path)
                    .unwrap()
                    .flatten()
                    .map(|e| e.path()),
            );
            continue;
        }
        let bytes = std::fs::read(&path).unwrap_or_default();
        searched += bytes.len();
        let prefix = ip.split("::").next().unwrap();
        for needle in [ip.as_str(), prefix] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} found in {}",
                path.display()
            );
        }
    }
    assert!(
        searched > 10_000,
        "the database was not found ({searched} bytes)"
    );
}

#[test]
fn avatar_hashes_differ_per_thread_so_they_do_not_link_one_person() {
    let email = "same-person@example.org";
    let one = Deployment::main().create(&comment(&unique_thread("avatar-a")).email(email).build());
    let two = Deployment::main().create(&comment(&unique_thread("avatar-b")).email(email).build());
    assert_eq!(one.comment.avatar.len(), 32);
    assert_ne!(one.comment.avatar, two.comment.avatar);
}

#[test]
fn api_responses_are_never_cached_and_widget_files_are() {
    let page = Deployment::main().list_thread(&unique_thread("cache"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    let embed = Deployment::main().get("/embed.js");
    assert_eq!(embed.header("cache-control"), Some("public, max-age=300"));
    let start = embed.text.find("widget/").expect("versioned folder") + "widget/".len();
    let version: String = embed.text[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    let wasm = Deployment::main().get(&format!("/widget/{version}/colloquy_widget_bg.wasm"));
    assert_eq!(
        wasm.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(wasm.header("set-cookie").is_none());
}

/// Every public answer a reader's browser (or a feed reader, or a static-site build) can
/// get: no cookie, no email address, and the headers the README promises.
#[test]
fn no_public_answer_sets_a_cookie_or_shows_an_email_and_every_one_has_its_headers() {
    use colloquy_core::wire::endpoint::EmbedQuery;
    let d = Deployment::main();
    let thread = unique_thread("public-answers");
    let n = colloquy_e2e::http::random_u64();
    let email = format!("private-{n}@example.org");
    let by = |body: &str| comment(&thread).email(&email).body(body);
    // One page and a bit more (the main deployment shows 20 top-level comments a page).
    let first = d.create_id(by("Comment 0"));
    for i in 1..21 {
        d.create_id(by(&format!("Comment {i}")));
    }
    d.create_id(by("A reply").reply_to(first));
    let liked = d.write(
        Endpoint::Like(first),
        &json!({ "reader": "reader-public-answers-0001" }),
    );
    // A post sent twice with one Idempotency-Key: the replay is a public answer too.
    let client = d.client();
    let mut retried = by("Retried").build();
    retried.form_token = client.token(&thread);
    let key = format!("public-answers-key-{n}");
    let send = || {
        d.send(
            "POST",
            &Endpoint::PostComment.path(),
            &[
                ("Origin", &d.demo),
                ("Content-Type", "application/json"),
                ("CF-Connecting-IP", &client.ip),
                ("Idempotency-Key", &key),
            ],
            &serde_json::to_vec(&retried).unwrap(),
        )
    };
    let posted = send();
    let replayed = send();
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    let q = EmbedQuery {
        thread: ThreadQuery {
            thread: thread.clone(),
            ..Default::default()
        },
        lang: "en".into(),
        ..Default::default()
    };
    let embed = d.get(&q.url("", Endpoint::Embed));
    let state = embed
        .text
        .split("next_cursor\":\"")
        .nth(1)
        .expect("a next page");
    let cursor: String = state.chars().take_while(|c| *c != '"').collect();
    let mut more = q.clone();
    more.thread.cursor = Some(cursor);
    let mut answers = vec![
        ("posted", posted),
        ("replayed", replayed),
        ("liked", liked),
        ("embed", embed),
        ("embed/more", d.get(&more.url("", Endpoint::EmbedMore))),
        (
            "embed/replies",
            d.get(&q.url("", Endpoint::EmbedReplies(first))),
        ),
        ("view", d.get(&q.url("", Endpoint::View))),
        ("comments", Deployment::main().list_thread(&thread)),
        ("context", d.get(&Endpoint::CommentContext(first).path())),
        ("replies", d.get(&Endpoint::Replies(first).path())),
        (
            "counts",
            d.get(&format!("{}?thread={}", Endpoint::Counts.path(), thread)),
        ),
        (
            "thread feed",
            d.get(&format!("{}?thread={}", Endpoint::Feed.path(), thread)),
        ),
        ("site feed", d.get(&Endpoint::Feed.path())),
        (
            "form token",
            d.get(&colloquy_core::wire::endpoint::form_token_url("", &thread)),
        ),
        ("health", d.get(&Endpoint::Health.path())),
        (
            "preview",
            d.write(Endpoint::Preview, &json!({ "body": "a *preview*" })),
        ),
    ];
    // The static files: the loader, the index-page counter, the console's page.
    let embed_js = d.get("/embed.js");
    let version: String = embed_js.text[embed_js.text.find("widget/").unwrap() + 7..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    answers.push(("style.css", d.get(&format!("/widget/{version}/style.css"))));
    answers.push(("embed.js", embed_js));
    answers.push(("count.js", d.get("/count.js")));
    answers.push(("console page", d.get("/admin/")));
    for (what, reply) in &answers {
        assert!(
            reply.status < 400,
            "{what}: {} {}",
            reply.status,
            reply.text
        );
        assert!(reply.header("set-cookie").is_none(), "{what} sets a cookie");
        assert!(
            !reply.text.contains(&email) && !reply.text.contains(&format!("private-{n}")),
            "{what} shows the email"
        );
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{what}"
        );
        assert_eq!(
            reply.header("referrer-policy"),
            Some("no-referrer"),
            "{what}"
        );
    }
    let csp = |what: &str| {
        answers
            .iter()
            .find(|(w, _)| *w == what)
            .and_then(|(_, r)| r.header("content-security-policy"))
            .unwrap_or_else(|| panic!("{what} has a Content-Security-Policy"))
            .to_owned()
    };
    let view = csp("view");
    assert!(
        view.contains("default-src 'none'") && !view.contains("script-src"),
        "{view}"
    );
    let console = csp("console page");
    for part in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "frame-ancestors 'none'",
    ] {
        assert!(console.contains(part), "{part} in {console}");
    }
}

#[tokio::test]
async fn the_widget_sets_no_cookie_and_talks_to_no_third_party() {
    let thread = unique_thread("no-third-party");
    Deployment::main().create(&comment(&thread).body("Read me").build());
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    wait_for_text(&root, "li.cq-item", "Read me").await;
    // Write and post too, so every request a reader can cause has happened.
    fill_form(&root, "A reply of mine", "Cookie Monster", "c@example.org").await;
    submit_main_form(&root).await;
    wait_for_text(&root, "li.cq-item", "A reply of mine").await;
    // Every cookie the browser holds, HttpOnly ones included (`document.cookie` cannot see
    // those).
    colloquy_e2e::browser::cdp(&client, "Network.enable", json!({})).await;
    let cookies = colloquy_e2e::browser::cdp(&client, "Network.getAllCookies", json!({})).await;
    assert_eq!(cookies["cookies"], json!([]), "{cookies}");
    let hosts = client
        .execute(
            "return [...new Set(performance.getEntriesByType('resource').map(e => new URL(e.name).origin))];",
            vec![],
        )
        .await
        .unwrap();
    let hosts: Vec<String> = serde_json::from_value(hosts).unwrap();
    let api = Deployment::main().api;
    for host in &hosts {
        assert!(
            host == &api || host == &Deployment::main().demo,
            "a request to {host} (all: {hosts:?})"
        );
    }
    assert!(hosts.contains(&api), "{hosts:?}");
    client.close().await.unwrap();
}
