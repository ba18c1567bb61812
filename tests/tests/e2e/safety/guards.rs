//! Who may write: reads are open to any origin, writes only to allowed ones; every write
//! route checks origin, media type and size; a deployment with a weak secret serves reads
//! and refuses every write.

use colloquy_core::wire::endpoint::{form_token_url, Endpoint, ThreadQuery};
use colloquy_core::wire::limits;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::request;
use colloquy_e2e::unique_thread;
use serde_json::json;

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
fn a_deployment_with_a_weak_secret_serves_reads_and_refuses_every_write() {
    let weak = Deployment::weak();
    // The seeded demo thread reads fine, without any keyed hash.
    let page = weak.page("/blog/communities-of-practice/");
    assert_eq!(page.total, 6);
    assert!(page.comments.iter().all(|c| c.avatar.is_empty()));
    let token = request("GET", &form_token_url(&weak.api, "/x/"), &[], b"");
    assert_eq!(token.error(), (503, "unavailable".into()));
    let id = page.comments[0].id;
    for (endpoint, body) in [
        (
            Endpoint::PostComment,
            json!({"thread": "/x/", "body": "x", "name": "A", "email": "a@b.org", "form_token": "1.2.3.4"}),
        ),
        (Endpoint::Preview, json!({"body": "x"})),
        (
            Endpoint::Like(id),
            json!({"reader": "reader-weak-000000000"}),
        ),
        (
            Endpoint::EditComment(id),
            json!({"edit_token": "x", "body": "y"}),
        ),
        (Endpoint::DeleteComment(id), json!({"edit_token": "x"})),
    ] {
        let reply = weak.write(endpoint, &body);
        assert_eq!(reply.error(), (503, "unavailable".into()), "{endpoint:?}");
    }
}

#[test]
fn every_write_route_checks_origin_media_type_and_size() {
    let api = Deployment::main();
    let id = api
        .create(&comment(&unique_thread("guards")).build())
        .comment
        .id;
    let writes = [
        Endpoint::PostComment,
        Endpoint::EditComment(id),
        Endpoint::DeleteComment(id),
        Endpoint::Like(id),
        Endpoint::Unlike(id),
        Endpoint::Preview,
    ];
    let big = format!("{{\"body\":\"{}\"}}", "x".repeat(limits::REQUEST_BYTES + 1));
    for endpoint in writes {
        let (method, path) = (endpoint.method().as_str(), endpoint.path());
        /// (what, headers, body, status, code)
        type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a [u8], u16, &'a str);
        let cases: [Case; 4] = [
            (
                "foreign origin",
                vec![
                    ("Origin", "https://evil.example"),
                    ("Content-Type", "application/json"),
                ],
                b"{}",
                403,
                "origin_not_allowed",
            ),
            (
                "no origin",
                vec![("Content-Type", "application/json")],
                b"{}",
                403,
                "origin_not_allowed",
            ),
            (
                "form encoding",
                vec![
                    ("Origin", &api.demo),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                ],
                b"body=x",
                415,
                "unsupported_media_type",
            ),
            (
                "too large",
                vec![("Origin", &api.demo), ("Content-Type", "application/json")],
                big.as_bytes(),
                413,
                "payload_too_large",
            ),
        ];
        for (label, headers, body, status, code) in cases {
            let reply = api.send(method, &path, &headers, body);
            assert_eq!(
                reply.error(),
                (status, code.into()),
                "{method} {path}: {label}"
            );
        }
    }
    assert_eq!(
        api.get(&Endpoint::CommentContext(id).path()).status,
        200,
        "and the comment is untouched"
    );
}
