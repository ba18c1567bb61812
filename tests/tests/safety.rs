//! Abuse and safety guards of the running Worker: hostile markup, spam friction, rate
//! limits, edit tokens, and what public responses never contain.

use colloquy_core::api::{CommentId, ThreadPage};
use colloquy_core::endpoint::{Endpoint, ThreadQuery};
use colloquy_e2e::fixtures::{comment as new_comment, Deployment};
use colloquy_e2e::http::{fresh_client_ip, Reply};
use colloquy_e2e::payloads::XSS_PAYLOADS;
use colloquy_e2e::unique_thread;
use serde_json::{json, Value};

fn api() -> Deployment {
    Deployment::main()
}

fn comment(thread: &str, body: &str) -> colloquy_core::api::NewComment {
    new_comment(thread).name("Ana").body(body).build()
}

fn post_comment(c: &colloquy_core::api::NewComment) -> Reply {
    api().post(c)
}

fn post_comment_as(c: &colloquy_core::api::NewComment, ip: &str) -> Reply {
    api().post_as(c, ip)
}

fn list(thread: &str) -> Reply {
    api().list(&ThreadQuery {
        thread: thread.into(),
        ..Default::default()
    })
}

fn page(thread: &str) -> ThreadPage {
    api().page(thread)
}

fn change_comment(method: &str, id: i64, body: &Value) -> Reply {
    let endpoint = match method {
        "PATCH" => Endpoint::EditComment(CommentId(id)),
        _ => Endpoint::DeleteComment(CommentId(id)),
    };
    api().write(endpoint, body)
}

fn created(reply: &Reply) -> Value {
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

/// Tags a sanitized body may contain; everything else must have been escaped or removed.
const ALLOWED_TAGS: &[&str] = &[
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

/// Check every real tag in `html` (escaped text cannot contain a raw `<`): only allowed
/// tags, only `href`/`rel`/`start` attributes, and links only to http(s) or mailto.
fn assert_only_safe_markup(payload: &str, html: &str) {
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            ALLOWED_TAGS.contains(&name.as_str()),
            "payload {payload:?} left a <{name}> in {html:?}"
        );
        let attrs = tag[tag.find(char::is_whitespace).unwrap_or(tag.len())..].trim();
        for attr in attrs.split("\" ").filter(|a| !a.trim().is_empty()) {
            let (key, value) = attr.trim().split_once("=\"").unwrap_or((attr.trim(), ""));
            assert!(
                ["href", "rel", "start"].contains(&key),
                "payload {payload:?} left attribute {key:?} in {html:?}"
            );
            if key == "href" {
                let v = value.to_ascii_lowercase();
                assert!(
                    v.starts_with("http://")
                        || v.starts_with("https://")
                        || v.starts_with("mailto:"),
                    "payload {payload:?} left href {value:?}"
                );
            }
        }
    }
}

#[test]
fn hostile_markup_in_bodies_is_neutralized_before_it_is_stored() {
    let thread = unique_thread("xss-body");
    for payload in XSS_PAYLOADS {
        let json = created(&post_comment(&comment(&thread, payload)));
        assert_only_safe_markup(payload, json["comment"]["body_html"].as_str().unwrap());
    }
    assert_eq!(page(&thread).total as usize, XSS_PAYLOADS.len());
}

#[test]
fn hostile_names_titles_and_urls_are_stored_as_plain_text_or_refused() {
    let thread = unique_thread("xss-fields");
    // Names are text: returned verbatim in JSON (the widget renders them as text nodes).
    let name = "<img src=x onerror=window.__xss=1>";
    let mut body = comment(&thread, "fine");
    body.name = name.into();
    body.thread_title = Some("<script>window.__xss=1</script>".into());
    let json = created(&post_comment(&body));
    assert_eq!(json["comment"]["author"], name);
    assert_eq!(
        list(&thread).json()["title"],
        "<script>window.__xss=1</script>"
    );
    // Websites and thread URLs must be http(s).
    for bad in [
        "javascript:window.__xss=1",
        "data:text/html,x",
        "  jAvAscript:alert(1)",
        "//evil.example",
    ] {
        let mut body = comment(&thread, "x");
        body.website = Some(bad.into());
        let reply = post_comment(&body);
        assert_eq!(reply.status, 422, "{bad}");
        assert_eq!(
            reply.json()["error"]["fields"][0]["code"],
            "website_invalid",
            "{bad}"
        );
        let mut body = comment(&unique_thread("xss-url"), "x");
        body.thread_url = Some(bad.into());
        assert_eq!(
            post_comment(&body).json()["error"]["fields"][0]["code"],
            "url_invalid",
            "{bad}"
        );
    }
}

#[test]
fn the_honeypot_and_the_form_timer_stop_bots() {
    let thread = unique_thread("bots");
    let mut honey = comment(&thread, "cheap pills");
    honey.honeypot = Some("http://spam.example".into());
    let reply = post_comment(&honey);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (422, "spam_suspected")
    );

    // A token fetched just now is too fresh: no person types a comment that fast.
    let fresh_token = list(&thread).json()["form_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut fast = comment(&thread, "instant");
    fast.form_token = fresh_token;
    let reply = post_comment(&fast);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (422, "too_fast")
    );

    for (label, token) in [
        ("missing", ""),
        ("forged", "1700000000000.00ff"),
        ("garbage", "hello"),
    ] {
        let mut forged = comment(&thread, "x");
        forged.form_token = token.into();
        // An empty token would be filled in with a valid one: send this one as it is.
        let reply = api().write(Endpoint::PostComment, &forged);
        assert_eq!(
            (reply.status, reply.error_code().as_str()),
            (403, "form_token_invalid"),
            "{label}"
        );
    }
    assert_eq!(list(&thread).json()["total"], 0);
}

/// The first limit in `COLLOQUY_RATE_LIMITS` (count/seconds), as the test stack set it.
fn burst_limit() -> (u64, u64) {
    let spec =
        std::env::var(colloquy_e2e::env_names::RATE_LIMITS).expect("set by cargo xtask test");
    let first = spec.split(',').next().unwrap();
    let (n, secs) = first.split_once('/').unwrap();
    (n.parse().unwrap(), secs.parse().unwrap())
}

#[test]
fn a_client_posting_too_often_gets_429_with_retry_after() {
    let (limit, window) = burst_limit();
    // Windows are aligned to the clock: start early in one so it cannot roll over midway.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let into_window = now_ms % (window * 1000);
    if into_window > window * 1000 / 2 {
        std::thread::sleep(std::time::Duration::from_millis(
            window * 1000 - into_window + 50,
        ));
    }
    let thread = unique_thread("rate");
    let ip = fresh_client_ip();
    for i in 0..limit {
        let reply = post_comment_as(&comment(&thread, &format!("comment {i}")), &ip);
        assert_eq!(reply.status, 201, "comment {i}: {}", reply.text);
    }
    let reply = post_comment_as(&comment(&thread, "one too many"), &ip);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (429, "rate_limited"),
        "{}",
        reply.text
    );
    let retry: u64 = reply
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=window).contains(&retry), "Retry-After {retry}");
    // Another client is not affected.
    assert_eq!(post_comment(&comment(&thread, "someone else")).status, 201);
    assert_eq!(list(&thread).json()["total"], limit + 1);
}

#[test]
fn authors_edit_and_delete_their_own_comments_with_the_token() {
    let thread = unique_thread("own");
    let mine = created(&post_comment(&comment(&thread, "frist!")));
    let theirs = created(&post_comment(&comment(&thread, "not yours")));
    let id = mine["comment"]["id"].as_i64().unwrap();
    let token = mine["edit_token"].as_str().unwrap();
    assert!(mine["edit_expires_at"].as_str().unwrap().ends_with('Z'));

    let edited = change_comment(
        "PATCH",
        id,
        &json!({"edit_token": token, "body": "*first*"}),
    );
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(
        edited.json()["comment"]["body_html"],
        "<p><em>first</em></p>\n"
    );
    assert!(edited.json()["comment"]["edited_at"].is_string());

    let cases = [
        (
            "another comment's token",
            theirs["edit_token"].as_str().unwrap().to_owned(),
            403,
            "edit_token_invalid",
        ),
        (
            "forged signature",
            format!("{id}.99999999999999.{}", "ab".repeat(32)),
            403,
            "edit_token_invalid",
        ),
        ("no token", String::new(), 403, "edit_token_invalid"),
    ];
    for (label, bad, status, code) in cases {
        for method in ["PATCH", "DELETE"] {
            let reply = change_comment(method, id, &json!({"edit_token": bad, "body": "hijacked"}));
            assert_eq!(
                (reply.status, reply.error_code().as_str()),
                (status, code),
                "{method} with {label}"
            );
        }
    }
    let empty = change_comment("PATCH", id, &json!({"edit_token": token, "body": "  "}));
    assert_eq!(empty.json()["error"]["fields"][0]["code"], "body_required");

    let deleted = change_comment("DELETE", id, &json!({"edit_token": token}));
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let page = list(&thread).json();
    assert_eq!(page["total"], 1);
    assert_eq!(
        page["comments"].as_array().unwrap().len(),
        1,
        "a comment without replies disappears"
    );
    let again = change_comment("DELETE", id, &json!({"edit_token": token}));
    assert_eq!(
        (again.status, again.error_code().as_str()),
        (404, "comment_not_found")
    );
}

#[test]
fn deleting_a_comment_with_replies_leaves_a_placeholder() {
    let thread = unique_thread("placeholder");
    let top = created(&post_comment(&comment(&thread, "top secret")));
    let top_id = top["comment"]["id"].as_i64().unwrap();
    let mut reply = comment(&thread, "a reply");
    reply.parent_id = Some(CommentId(top_id));
    created(&post_comment(&reply));
    let reply = change_comment("DELETE", top_id, &json!({"edit_token": top["edit_token"]}));
    assert_eq!(reply.status, 204, "{}", reply.text);
    let page = list(&thread);
    let json = page.json();
    assert_eq!(json["total"], 1);
    let placeholder = &json["comments"][0];
    assert_eq!(placeholder["deleted"], true);
    assert_eq!(placeholder["author"], "");
    assert_eq!(placeholder["body_html"], "");
    assert_eq!(json["comments"][1]["parent_id"], top_id);
    assert!(!page.text.contains("top secret"));
}

#[test]
fn edit_tokens_stop_working_when_the_window_closes() {
    let window: u64 = std::env::var(colloquy_e2e::env_names::EDIT_WINDOW_SECS)
        .expect("set by cargo xtask test")
        .parse()
        .unwrap();
    let thread = unique_thread("window");
    let mine = created(&post_comment(&comment(&thread, "soon frozen")));
    let id = mine["comment"]["id"].as_i64().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(window * 1000 + 1500));
    for method in ["PATCH", "DELETE"] {
        let reply = change_comment(
            method,
            id,
            &json!({"edit_token": mine["edit_token"], "body": "late"}),
        );
        assert_eq!(
            (reply.status, reply.error_code().as_str()),
            (403, "edit_window_closed"),
            "{method}"
        );
    }
}

#[test]
fn no_public_response_contains_a_stored_email_or_ip() {
    let thread = unique_thread("private");
    let email = format!("private-{}@hidden.example", std::process::id());
    let ip = fresh_client_ip();
    let mut body = comment(&thread, "who am I?");
    body.email = email.clone();
    let post = post_comment_as(&body, &ip);
    let top = created(&post);
    let mut reply = comment(&thread, "a reply");
    reply.parent_id = top["comment"]["id"].as_i64().map(CommentId);
    reply.email = email.clone();
    let reply = post_comment_as(&reply, &ip);
    let edit = change_comment(
        "PATCH",
        top["comment"]["id"].as_i64().unwrap(),
        &json!({"edit_token": top["edit_token"], "body": "edited"}),
    );
    let listed = list(&thread);
    for response in [&post, &reply, &edit, &listed] {
        assert!(!response.text.contains(&email), "{}", response.text);
        assert!(!response.text.contains(&ip), "{}", response.text);
        assert!(!response.text.contains("email"), "{}", response.text);
        // No Gravatar hash (an unkeyed hash of the email) unless the owner opts in.
        assert!(
            !response.text.contains("\"gravatar\":\""),
            "{}",
            response.text
        );
    }
}
