//! Safety of the running Worker: hostile markup, hostile fields, spam friction, edit
//! tokens, and what is published and stored.

use colloquy_core::wire::api::{CreatedComment, NewComment, ThreadPage};
use colloquy_core::wire::endpoint::{Endpoint, ThreadQuery};
use colloquy_core::wire::vars;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::{fresh_client_ip, Reply};
use colloquy_e2e::payloads::XSS_PAYLOADS;
use colloquy_e2e::unique_thread;
use serde_json::json;

fn list(thread: &str) -> Reply {
    Deployment::main().list(&ThreadQuery {
        thread: thread.into(),
        ..Default::default()
    })
}

/// What the README promises a comment body can contain, checked with a real HTML parser
/// (not the renderer's own allowlist): paragraphs, line breaks, emphasis, strikethrough,
/// links, code, quotes and lists — no images, media, frames, forms, scripts or styles; no
/// attribute but a link's `href` and `rel` and a list's `start`; links only to http(s) or
/// mailto, marked `nofollow ugc noopener noreferrer`.
fn assert_only_promised_markup(payload: &str, html: &str) {
    const PROMISED: &[&str] = &[
        "p",
        "br",
        "em",
        "strong",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
    ];
    let doc = scraper::Html::parse_fragment(html);
    for node in doc.tree.nodes() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        let name = el.name();
        if matches!(name, "html" | "body") {
            continue; // the parser's own wrapper for a fragment
        }
        assert!(
            PROMISED.contains(&name),
            "payload {payload:?} left a <{name}> in {html:?}"
        );
        for (attr, value) in el.attrs() {
            let allowed = matches!((name, attr), ("a", "href" | "rel") | ("ol", "start"));
            assert!(
                allowed,
                "payload {payload:?} left {attr}={value:?} on <{name}>"
            );
            if attr == "href" {
                let scheme = value.split(':').next().unwrap_or("").to_ascii_lowercase();
                assert!(
                    ["http", "https", "mailto"].contains(&scheme.as_str()),
                    "payload {payload:?} left href {value:?}"
                );
            }
            if attr == "rel" {
                assert_eq!(value, "nofollow ugc noopener noreferrer", "{payload:?}");
            }
        }
    }
}

/// The text a reader sees in `html` (entities decoded).
fn visible_text(html: &str) -> String {
    scraper::Html::parse_fragment(html)
        .root_element()
        .text()
        .collect()
}

#[test]
fn hostile_markup_in_bodies_is_neutralized_and_shown_as_text() {
    let thread = unique_thread("xss-body");
    for payload in XSS_PAYLOADS {
        let created = Deployment::main().create(&comment(&thread).body(payload).build());
        let html = &created.comment.body_html;
        assert_only_promised_markup(payload, html);
        // Raw HTML the reader typed is kept as the text they typed, not swallowed.
        if payload.starts_with('<') && !payload.starts_with("<!") {
            let first_tag = payload.split('>').next().unwrap_or(payload);
            assert!(
                visible_text(html).contains(first_tag),
                "{payload:?}: the typed markup is not visible as text in {html:?}"
            );
        }
    }
    assert_eq!(
        Deployment::main().page(&thread).total as usize,
        XSS_PAYLOADS.len()
    );
}

#[test]
fn hostile_names_titles_and_urls_are_stored_as_plain_text_or_refused() {
    let thread = unique_thread("xss-fields");
    // Names are text: returned verbatim in JSON (the widget renders them as text nodes).
    let name = "<img src=x onerror=window.__xss=1>";
    let created = Deployment::main().create(
        &comment(&thread)
            .name(name)
            .title("<script>window.__xss=1</script>")
            .build(),
    );
    assert_eq!(created.comment.author, name);
    assert_eq!(
        Deployment::main().page(&thread).title.as_deref(),
        Some("<script>window.__xss=1</script>")
    );
    // Websites and thread URLs must be http(s).
    for bad in [
        "javascript:window.__xss=1",
        "data:text/html,x",
        "  jAvAscript:alert(1)",
        "//evil.example",
    ] {
        let reply = Deployment::main().post(&comment(&thread).website(bad).build());
        assert_eq!(reply.status, 422, "{bad}");
        assert_eq!(
            reply.json()["error"]["fields"][0]["code"],
            "website_invalid",
            "{bad}"
        );
        let reply = Deployment::main().post(&comment(&unique_thread("xss-url")).url(bad).build());
        assert_eq!(
            reply.json()["error"]["fields"][0]["code"],
            "url_invalid",
            "{bad}"
        );
    }
}

#[test]
fn deep_nesting_renders_small_instead_of_choking_the_sanitizer() {
    // 10,000 `>` took 1.8 s and rendered 290 KB before the nesting cap.
    let created = Deployment::main().create(
        &comment(&unique_thread("nesting"))
            .body(&">".repeat(10_000))
            .build(),
    );
    let html = &created.comment.body_html;
    assert_eq!(html.matches("<blockquote>").count(), 8, "{}", &html[..200]);
    assert!(html.len() < 2_000, "{} bytes", html.len());
}

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

fn mine(thread: &str, body: &str) -> CreatedComment {
    Deployment::main().create(&comment(thread).body(body).build())
}

fn change(endpoint: Endpoint, body: &serde_json::Value) -> Reply {
    Deployment::main().write(endpoint, body)
}

#[test]
fn authors_edit_and_delete_their_own_comments_with_the_token() {
    let thread = unique_thread("own");
    let created = mine(&thread, "frist!");
    let theirs = mine(&thread, "not yours");
    let id = created.comment.id;
    let token = created.edit_token.as_str();
    assert!(created.edit_expires_at.ends_with('Z'));

    let edited = change(
        Endpoint::EditComment(id),
        &json!({"edit_token": token, "body": "*first*"}),
    );
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(
        edited.json()["comment"]["body_html"],
        "<p><em>first</em></p>\n"
    );
    assert!(edited.json()["comment"]["edited_at"].is_string());

    let cases = [
        ("another comment's token", theirs.edit_token.clone()),
        (
            "forged signature",
            format!("{}.99999999999999.{}", id.0, "ab".repeat(32)),
        ),
        ("no token", String::new()),
    ];
    for (label, bad) in cases {
        for endpoint in [Endpoint::EditComment(id), Endpoint::DeleteComment(id)] {
            let reply = change(endpoint, &json!({"edit_token": bad, "body": "hijacked"}));
            assert_eq!(
                reply.error(),
                (403, "edit_token_invalid".into()),
                "{endpoint:?} with {label}"
            );
        }
    }
    let empty = change(
        Endpoint::EditComment(id),
        &json!({"edit_token": token, "body": "  "}),
    );
    assert_eq!(empty.json()["error"]["fields"][0]["code"], "body_required");

    let deleted = change(Endpoint::DeleteComment(id), &json!({"edit_token": token}));
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let page = Deployment::main().page(&thread);
    assert_eq!(page.total, 1);
    assert_eq!(
        page.comments.len(),
        1,
        "a comment without replies disappears"
    );
    let again = change(Endpoint::DeleteComment(id), &json!({"edit_token": token}));
    assert_eq!(again.error(), (404, "comment_not_found".into()));
}

#[test]
fn deleting_a_comment_with_replies_leaves_a_placeholder() {
    let thread = unique_thread("placeholder");
    let top = mine(&thread, "top secret");
    Deployment::main().create(
        &comment(&thread)
            .body("a reply")
            .reply_to(top.comment.id)
            .build(),
    );
    let reply = change(
        Endpoint::DeleteComment(top.comment.id),
        &json!({"edit_token": top.edit_token}),
    );
    assert_eq!(reply.status, 204, "{}", reply.text);
    let listed = list(&thread);
    let page: ThreadPage = listed.expect(200);
    assert_eq!(page.total, 1);
    let placeholder = &page.comments[0];
    assert!(placeholder.deleted);
    assert_eq!(
        (placeholder.author.as_str(), placeholder.body_html.as_str()),
        ("", "")
    );
    assert_eq!(page.comments[1].parent_id, Some(top.comment.id));
    assert!(!listed.text.contains("top secret"));
}

#[test]
fn edit_tokens_stop_working_when_the_window_closes() {
    // The strict deployment's edit window is a few seconds.
    let window: u64 = Deployment::strict()
        .var(vars::EDIT_WINDOW_SECS)
        .parse()
        .unwrap();
    let strict = Deployment::strict();
    let created = strict.create(
        &comment(&unique_thread("window"))
            .turnstile("pass-token")
            .build(),
    );
    std::thread::sleep(std::time::Duration::from_millis(window * 1000 + 500));
    for endpoint in [
        Endpoint::EditComment(created.comment.id),
        Endpoint::DeleteComment(created.comment.id),
    ] {
        let reply = strict.write(
            endpoint,
            &json!({"edit_token": created.edit_token, "body": "late"}),
        );
        assert_eq!(
            reply.error(),
            (403, "edit_window_closed".into()),
            "{endpoint:?}"
        );
    }
}

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
    let listed = list(&thread);
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
    let page = list(&unique_thread("cache"));
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
        ("comments", list(&thread)),
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
