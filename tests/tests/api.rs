//! The Worker's HTTP API, exercised from outside against `wrangler dev` and a local D1.

use colloquy_core::domain::thread::build_tree;
use colloquy_core::wire::api::CommentId;
use colloquy_core::wire::endpoint::{Endpoint, ThreadQuery};
use colloquy_core::wire::limits;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::unique_thread;
use serde_json::json;

#[test]
fn health_answers_ok() {
    let reply = Deployment::main().get(&Endpoint::Health.path());
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"ok": true}));
}

#[test]
fn a_thread_nobody_commented_on_is_empty() {
    let thread = unique_thread("empty");
    let page = Deployment::main().page(&thread);
    assert_eq!(page.thread, thread);
    assert_eq!(page.total, 0);
    assert!(page.comments.is_empty());
    assert_eq!(page.title, None);
}

#[test]
fn a_new_comment_is_published_and_listed() {
    let thread = unique_thread("create");
    let created = Deployment::main()
        .create(
            &comment(&thread)
                .title("An article")
                .body("Hello *world*")
                .website("https://ana.example.org/")
                .build(),
        )
        .comment;
    assert_eq!(created.author, "Ana Novak");
    assert_eq!(created.website.as_deref(), Some("https://ana.example.org/"));
    assert_eq!(created.body_html, "<p>Hello <em>world</em></p>\n");
    assert_eq!(created.parent_id, None);
    assert!(created.created_at.ends_with('Z'), "{}", created.created_at);

    let page = Deployment::main().page(&thread);
    assert_eq!(page.total, 1);
    assert_eq!(page.title.as_deref(), Some("An article"));
    assert_eq!(page.comments, vec![created]);
}

#[test]
fn replies_nest_under_their_parents_several_levels_deep() {
    let thread = unique_thread("nesting");
    let api = Deployment::main();
    let top = api.create_id(comment(&thread).body("top"));
    let second = api.create_id(comment(&thread).body("second top-level"));
    let reply = api.create_id(comment(&thread).body("a reply").reply_to(top));
    let deeper = api.create_id(
        comment(&thread)
            .body("a reply to the reply")
            .reply_to(reply),
    );
    let deepest = api.create_id(comment(&thread).body("and one more level").reply_to(deeper));

    let page = api.page(&thread);
    assert_eq!(page.total, 5);
    // Oldest first, flat, each naming its parent.
    let ids: Vec<_> = page.comments.iter().map(|c| (c.id, c.parent_id)).collect();
    assert_eq!(
        ids,
        vec![
            (top, None),
            (second, None),
            (reply, Some(top)),
            (deeper, Some(reply)),
            (deepest, Some(deeper)),
        ]
    );
    let tree = build_tree(&page.comments);
    assert_eq!(tree.len(), 2);
    assert_eq!(tree[0].replies[0].replies[0].replies[0].comment.id, deepest);
    assert!(tree[1].replies.is_empty());
}

#[test]
fn every_validation_error_has_its_code_field_and_status() {
    let thread = unique_thread("validation");
    let long = |n: usize| "x".repeat(n);
    let ok = || comment(&thread);
    let cases = vec![
        ("missing body", ok().body(""), "body", "body_required"),
        ("blank body", ok().body("  \n "), "body", "body_required"),
        (
            "invisible body",
            ok().body("\u{200B}\u{2060}"),
            "body",
            "body_required",
        ),
        (
            "body too long",
            ok().body(&long(limits::BODY + 1)),
            "body",
            "body_too_long",
        ),
        ("missing name", ok().name(""), "name", "name_required"),
        (
            "name too long",
            ok().name(&long(limits::NAME + 1)),
            "name",
            "name_too_long",
        ),
        ("missing email", ok().email(""), "email", "email_required"),
        (
            "invalid email",
            ok().email("not-an-email"),
            "email",
            "email_invalid",
        ),
        (
            "email too long",
            ok().email(&format!("{}@b.org", long(limits::EMAIL))),
            "email",
            "email_too_long",
        ),
        (
            "javascript website",
            ok().website("javascript:alert(1)"),
            "website",
            "website_invalid",
        ),
        (
            "schemeless website",
            ok().website("example.org"),
            "website",
            "website_invalid",
        ),
        (
            "website with a space",
            ok().website("https://exa mple.org/"),
            "website",
            "website_malformed",
        ),
        (
            "website without a host",
            ok().website("http://"),
            "website",
            "website_malformed",
        ),
        (
            "website too long",
            ok().website(&format!("https://e.org/{}", long(limits::WEBSITE))),
            "website",
            "website_too_long",
        ),
        (
            "missing thread",
            comment("").body("x"),
            "thread",
            "thread_required",
        ),
        (
            "thread too long",
            comment(&long(limits::THREAD_KEY + 1)),
            "thread",
            "thread_too_long",
        ),
        (
            "thread with newline",
            comment("/a\n/"),
            "thread",
            "thread_invalid",
        ),
        (
            "title too long",
            ok().title(&long(limits::THREAD_TITLE + 1)),
            "thread_title",
            "title_too_long",
        ),
        (
            "thread url not http",
            ok().url("javascript:x"),
            "thread_url",
            "url_invalid",
        ),
        (
            "thread url on another site (a first commenter cannot point the thread there)",
            ok().url("https://evil.example/login"),
            "thread_url",
            "url_not_allowed",
        ),
        (
            "title with a line break (it would reach mail subjects)",
            ok().title("A title\r\nBcc: victim@example.org"),
            "thread_title",
            "title_invalid",
        ),
        (
            "parent id zero",
            ok().reply_to(CommentId(0)),
            "parent_id",
            "parent_not_found",
        ),
    ];
    for (label, body, field, code) in cases {
        let reply = Deployment::main().post(&body.build());
        assert_eq!(reply.status, 422, "{label}: {}", reply.text);
        let json = reply.json();
        assert_eq!(json["error"]["code"], "validation_failed", "{label}");
        assert!(
            !json["error"]["message"].as_str().unwrap_or("").is_empty(),
            "{label}"
        );
        let fields = json["error"]["fields"].as_array().expect("fields");
        assert_eq!(fields.len(), 1, "{label}: {fields:?}");
        assert_eq!(fields[0], json!({"field": field, "code": code}), "{label}");
    }
    // Nothing invalid was stored.
    assert_eq!(Deployment::main().page(&thread).total, 0);
}

#[test]
fn all_field_errors_are_reported_at_once() {
    let reply = Deployment::main()
        .post_json(&json!({"thread": unique_thread("all-errors"), "email": "nope"}));
    assert_eq!(reply.status, 422);
    let fields: Vec<String> = reply.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["body", "name", "email"]);
}

#[test]
fn replies_to_missing_comments_or_other_threads_are_rejected() {
    let thread = unique_thread("parent-a");
    let other = unique_thread("parent-b");
    let api = Deployment::main();
    let top = api.create_id(comment(&thread).body("top"));
    api.create_id(comment(&other).body("other thread exists too"));
    for (label, target_thread, parent) in [
        ("missing parent", &thread, CommentId(999_999_999)),
        ("parent in another thread", &other, top),
    ] {
        let reply = api.post(&comment(target_thread).reply_to(parent).build());
        assert_eq!(reply.status, 422, "{label}: {}", reply.text);
        assert_eq!(reply.error_code(), "parent_not_found", "{label}");
        assert_eq!(
            reply.json()["error"]["fields"][0]["field"],
            "parent_id",
            "{label}"
        );
    }
    // A reply to a thread that does not exist yet is refused and does not create it.
    let fresh = unique_thread("parent-c");
    let reply = api.post(&comment(&fresh).reply_to(top).build());
    assert_eq!(reply.error_code(), "parent_not_found");
    assert_eq!(api.page(&fresh).total, 0);
    assert_eq!(api.page(&thread).total, 1);
}

#[test]
fn malformed_requests_get_json_errors_not_500s() {
    let api = Deployment::main();
    let origin = api.demo.clone();
    let json_headers = [
        ("Origin", origin.as_str()),
        ("Content-Type", "application/json"),
    ];
    /// (label, status, code, headers, body)
    type Case<'a> = (&'a str, u16, &'a str, Vec<(&'a str, &'a str)>, Vec<u8>);
    let cases: Vec<Case> = vec![
        (
            "broken json",
            400,
            "invalid_json",
            json_headers.to_vec(),
            b"{\"thread\": ".to_vec(),
        ),
        (
            "json array",
            400,
            "invalid_json",
            json_headers.to_vec(),
            b"[1,2]".to_vec(),
        ),
        (
            "wrong types",
            400,
            "invalid_json",
            json_headers.to_vec(),
            br#"{"thread": 5, "parent_id": "x"}"#.to_vec(),
        ),
        (
            "not utf-8",
            400,
            "invalid_json",
            json_headers.to_vec(),
            vec![0xff, 0xfe, 0x00],
        ),
        (
            "form post",
            415,
            "unsupported_media_type",
            vec![
                ("Origin", &origin),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            b"body=x".to_vec(),
        ),
        (
            "text/plain",
            415,
            "unsupported_media_type",
            vec![("Origin", &origin), ("Content-Type", "text/plain")],
            b"{}".to_vec(),
        ),
        (
            "oversized",
            413,
            "payload_too_large",
            json_headers.to_vec(),
            format!("{{\"body\":\"{}\"}}", "x".repeat(limits::REQUEST_BYTES + 1)).into_bytes(),
        ),
        (
            "foreign origin",
            403,
            "origin_not_allowed",
            vec![
                ("Origin", "https://evil.example"),
                ("Content-Type", "application/json"),
            ],
            b"{}".to_vec(),
        ),
        (
            "no origin",
            403,
            "origin_not_allowed",
            vec![("Content-Type", "application/json")],
            b"{}".to_vec(),
        ),
    ];
    let path = Endpoint::PostComment.path();
    for (label, status, code, headers, body) in cases {
        let reply = api.send("POST", &path, &headers, &body);
        assert_eq!(reply.status, status, "{label}: {}", reply.text);
        assert_eq!(reply.error_code(), code, "{label}");
        assert!(
            reply
                .header("content-type")
                .unwrap_or("")
                .starts_with("application/json"),
            "{label}"
        );
    }
}

#[test]
fn unknown_routes_and_methods_are_404_and_405() {
    let api = Deployment::main();
    let unknown = format!("{}/nope", colloquy_core::wire::endpoint::API_PREFIX);
    assert_eq!(api.get(&unknown).error(), (404, "not_found".into()));
    assert_eq!(
        api.get("/no-such-file.txt").error(),
        (404, "not_found".into())
    );
    let reply = api.send(
        "DELETE",
        &Endpoint::PostComment.path(),
        &[("Origin", &api.demo)],
        b"",
    );
    assert_eq!(reply.error(), (405, "method_not_allowed".into()));
}

#[test]
fn listing_without_a_thread_key_is_a_validation_error() {
    let reply = Deployment::main().get(&Endpoint::ListThread.path());
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(
        reply.json()["error"]["fields"][0],
        json!({"field": "thread", "code": "thread_required"})
    );
}

#[test]
fn reads_are_open_to_any_origin_and_writes_only_to_allowed_ones() {
    let api = Deployment::main();
    let query = ThreadQuery {
        thread: unique_thread("cors"),
        ..Default::default()
    };
    let reply = colloquy_e2e::http::request(
        "GET",
        &query.url(&api.api),
        &[("Origin", "https://any.example")],
        b"",
    );
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));

    let preflight = |from: &str| {
        api.send(
            "OPTIONS",
            &Endpoint::PostComment.path(),
            &[
                ("Origin", from),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            b"",
        )
    };
    let allowed = preflight(&api.demo);
    assert_eq!(allowed.status, 204);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(api.demo.as_str())
    );
    assert!(allowed
        .header("access-control-allow-methods")
        .unwrap_or("")
        .contains("POST"));
    let foreign = preflight("https://evil.example");
    assert_eq!(foreign.header("access-control-allow-origin"), None);
}

#[test]
fn the_embed_script_and_widget_are_served_cross_origin_with_the_right_types() {
    let api = Deployment::main();
    let embed = api.get("/embed.js");
    assert_eq!(embed.status, 200);
    assert!(embed
        .header("content-type")
        .unwrap_or("")
        .contains("javascript"));
    assert_eq!(embed.header("access-control-allow-origin"), Some("*"));
    // embed.js names the versioned widget folder it loads.
    let start = embed
        .text
        .find("widget/")
        .expect("embed.js references widget/")
        + "widget/".len();
    let version: String = embed.text[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(version.len(), 12, "{}", embed.text);
    let wasm = api.get(&format!("/widget/{version}/colloquy_widget_bg.wasm"));
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.header("access-control-allow-origin"), Some("*"));
    let glue = api.get(&format!("/widget/{version}/colloquy_widget.js"));
    assert_eq!(glue.status, 200);
    assert!(glue
        .header("content-type")
        .unwrap_or("")
        .contains("javascript"));
    // count.js has its API path from the build, and it is the one core describes.
    let count = api.get("/count.js");
    assert!(
        count
            .text
            .contains(Endpoint::Counts.path().trim_start_matches('/')),
        "{}",
        count.text
    );
}

#[test]
fn a_comment_id_in_a_url_is_a_positive_integer_or_not_found() {
    let api = Deployment::main();
    for bad in ["0", "-1", "1e3", "abc", "99999999999999999999"] {
        let path = format!(
            "{}/comments/{bad}",
            colloquy_core::wire::endpoint::API_PREFIX
        );
        assert_eq!(api.get(&path).error(), (404, "not_found".into()), "{bad}");
    }
    let missing = api.get(&Endpoint::CommentContext(CommentId(999_999_999)).path());
    assert_eq!(missing.error(), (404, "comment_not_found".into()));
}
