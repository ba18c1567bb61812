//! The Worker's HTTP API, exercised from outside against `wrangler dev` and a local D1.

use colloquy_core::api::{PublicComment, ThreadPage};
use colloquy_core::thread::build_tree;
use colloquy_e2e::http::{get, list, post_comment, send};
use colloquy_e2e::{demo, unique_thread};
use serde_json::{json, Value};

fn comment(thread: &str, body: &str) -> Value {
    json!({
        "thread": thread,
        "thread_title": "An article",
        "body": body,
        "name": "Ana Novak",
        "email": "ana@example.org",
    })
}

fn create(body: Value) -> PublicComment {
    let reply = post_comment(&body);
    assert_eq!(reply.status, 201, "{}", reply.text);
    serde_json::from_value(reply.json()["comment"].clone()).expect("a public comment")
}

fn page(thread: &str) -> ThreadPage {
    let reply = list(thread);
    assert_eq!(reply.status, 200, "{}", reply.text);
    serde_json::from_str(&reply.text).expect("a thread page")
}

#[test]
fn health_answers_ok() {
    let reply = get("/api/v1/health", &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"ok": true}));
}

#[test]
fn a_thread_nobody_commented_on_is_empty() {
    let thread = unique_thread("empty");
    let page = page(&thread);
    assert_eq!(page.thread, thread);
    assert_eq!(page.total, 0);
    assert!(page.comments.is_empty());
    assert_eq!(page.title, None);
}

#[test]
fn a_new_comment_is_published_and_listed() {
    let thread = unique_thread("create");
    let mut body = comment(&thread, "Hello *world*");
    body["website"] = json!("https://ana.example.org/");
    let created = create(body);
    assert_eq!(created.author, "Ana Novak");
    assert_eq!(created.website.as_deref(), Some("https://ana.example.org/"));
    assert_eq!(created.body_html, "<p>Hello <em>world</em></p>\n");
    assert_eq!(created.parent_id, None);
    assert!(created.created_at.ends_with('Z'), "{}", created.created_at);

    let page = page(&thread);
    assert_eq!(page.total, 1);
    assert_eq!(page.title.as_deref(), Some("An article"));
    assert_eq!(page.comments, vec![created]);
}

#[test]
fn replies_nest_under_their_parents_several_levels_deep() {
    let thread = unique_thread("nesting");
    let top = create(comment(&thread, "top"));
    let second = create(comment(&thread, "second top-level"));
    let mut reply = comment(&thread, "a reply");
    reply["parent_id"] = json!(top.id);
    let reply = create(reply);
    let mut deeper = comment(&thread, "a reply to the reply");
    deeper["parent_id"] = json!(reply.id);
    let deeper = create(deeper);
    let mut deepest = comment(&thread, "and one more level");
    deepest["parent_id"] = json!(deeper.id);
    let deepest = create(deepest);

    let page = page(&thread);
    assert_eq!(page.total, 5);
    // Oldest first, flat, each naming its parent.
    let ids: Vec<_> = page.comments.iter().map(|c| (c.id, c.parent_id)).collect();
    assert_eq!(
        ids,
        vec![
            (top.id, None),
            (second.id, None),
            (reply.id, Some(top.id)),
            (deeper.id, Some(reply.id)),
            (deepest.id, Some(deeper.id)),
        ]
    );
    let tree = build_tree(&page.comments);
    assert_eq!(tree.len(), 2);
    assert_eq!(
        tree[0].replies[0].replies[0].replies[0].comment.id,
        deepest.id
    );
    assert!(tree[1].replies.is_empty());
}

#[test]
fn every_validation_error_has_its_code_field_and_status() {
    let thread = unique_thread("validation");
    let long = |n: usize| "x".repeat(n);
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "missing body",
            json!({"thread": thread, "name": "A", "email": "a@b.org"}),
            "body",
            "body_required",
        ),
        (
            "blank body",
            json!({"thread": thread, "body": "  \n ", "name": "A", "email": "a@b.org"}),
            "body",
            "body_required",
        ),
        (
            "body too long",
            json!({"thread": thread, "body": long(10_001), "name": "A", "email": "a@b.org"}),
            "body",
            "body_too_long",
        ),
        (
            "missing name",
            json!({"thread": thread, "body": "x", "email": "a@b.org"}),
            "name",
            "name_required",
        ),
        (
            "name too long",
            json!({"thread": thread, "body": "x", "name": long(81), "email": "a@b.org"}),
            "name",
            "name_too_long",
        ),
        (
            "missing email",
            json!({"thread": thread, "body": "x", "name": "A"}),
            "email",
            "email_required",
        ),
        (
            "invalid email",
            json!({"thread": thread, "body": "x", "name": "A", "email": "not-an-email"}),
            "email",
            "email_invalid",
        ),
        (
            "email too long",
            json!({"thread": thread, "body": "x", "name": "A", "email": format!("{}@b.org", long(250))}),
            "email",
            "email_too_long",
        ),
        (
            "javascript website",
            json!({"thread": thread, "body": "x", "name": "A", "email": "a@b.org", "website": "javascript:alert(1)"}),
            "website",
            "website_invalid",
        ),
        (
            "schemeless website",
            json!({"thread": thread, "body": "x", "name": "A", "email": "a@b.org", "website": "example.org"}),
            "website",
            "website_invalid",
        ),
        (
            "website too long",
            json!({"thread": thread, "body": "x", "name": "A", "email": "a@b.org", "website": format!("https://e.org/{}", long(500))}),
            "website",
            "website_too_long",
        ),
        (
            "missing thread",
            json!({"body": "x", "name": "A", "email": "a@b.org"}),
            "thread",
            "thread_required",
        ),
        (
            "thread too long",
            json!({"thread": long(301), "body": "x", "name": "A", "email": "a@b.org"}),
            "thread",
            "thread_too_long",
        ),
        (
            "thread with newline",
            json!({"thread": "/a\n/", "body": "x", "name": "A", "email": "a@b.org"}),
            "thread",
            "thread_invalid",
        ),
        (
            "title too long",
            json!({"thread": thread, "thread_title": long(301), "body": "x", "name": "A", "email": "a@b.org"}),
            "thread_title",
            "title_too_long",
        ),
        (
            "thread url not http",
            json!({"thread": thread, "thread_url": "javascript:x", "body": "x", "name": "A", "email": "a@b.org"}),
            "thread_url",
            "url_invalid",
        ),
        (
            "parent id zero",
            json!({"thread": thread, "parent_id": 0, "body": "x", "name": "A", "email": "a@b.org"}),
            "parent_id",
            "parent_not_found",
        ),
    ];
    for (label, body, field, code) in cases {
        let reply = post_comment(&body);
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
    assert_eq!(page(&thread).total, 0);
}

#[test]
fn all_field_errors_are_reported_at_once() {
    let reply = post_comment(&json!({"thread": unique_thread("all-errors"), "email": "nope"}));
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
    let top = create(comment(&thread, "top"));
    create(comment(&other, "other thread exists too"));
    for (label, target_thread, parent) in [
        ("missing parent", &thread, json!(999_999_999)),
        ("parent in another thread", &other, json!(top.id)),
    ] {
        let mut body = comment(target_thread, "orphan");
        body["parent_id"] = parent;
        let reply = post_comment(&body);
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
    let mut body = comment(&fresh, "reply into nowhere");
    body["parent_id"] = json!(top.id);
    assert_eq!(post_comment(&body).error_code(), "parent_not_found");
    assert_eq!(page(&fresh).total, 0);
    assert_eq!(page(&thread).total, 1);
}

#[test]
fn malformed_requests_get_json_errors_not_500s() {
    let origin = demo();
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
            format!("{{\"body\":\"{}\"}}", "x".repeat(70_000)).into_bytes(),
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
    for (label, status, code, headers, body) in cases {
        let reply = send("POST", "/api/v1/comments", &headers, &body);
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
    let reply = get("/api/v1/nope", &[]);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (404, "not_found")
    );
    let reply = get("/no-such-file.txt", &[]);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (404, "not_found")
    );
    let origin = demo();
    let reply = send("DELETE", "/api/v1/comments", &[("Origin", &origin)], b"");
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (405, "method_not_allowed")
    );
}

#[test]
fn listing_without_a_thread_key_is_a_validation_error() {
    let reply = get("/api/v1/comments", &[]);
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(
        reply.json()["error"]["fields"][0],
        json!({"field": "thread", "code": "thread_required"})
    );
}

#[test]
fn reads_are_open_to_any_origin_and_writes_only_to_allowed_ones() {
    let thread = unique_thread("cors");
    let reply = get(
        &format!("/api/v1/comments?thread={thread}"),
        &[("Origin", "https://any.example")],
    );
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));

    let origin = demo();
    let preflight = |from: &str| {
        send(
            "OPTIONS",
            "/api/v1/comments",
            &[
                ("Origin", from),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            b"",
        )
    };
    let allowed = preflight(&origin);
    assert_eq!(allowed.status, 204);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(origin.as_str())
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
    let embed = get("/embed.js", &[]);
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
    let wasm = get(&format!("/widget/{version}/colloquy_widget_bg.wasm"), &[]);
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.header("access-control-allow-origin"), Some("*"));
    let glue = get(&format!("/widget/{version}/colloquy_widget.js"), &[]);
    assert_eq!(glue.status, 200);
    assert!(glue
        .header("content-type")
        .unwrap_or("")
        .contains("javascript"));
}
