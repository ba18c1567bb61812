//! Abuse paths against the running Worker: rate limits of every kind (with IPv6 address
//! rotation), form tokens replayed or moved, likes inflated, a weak secret, edits that dodge
//! moderation, challenges solved elsewhere, and the write guards on every write route.

use colloquy_core::wire::api::{CreatedComment, FormToken, LikeState};
use colloquy_core::wire::endpoint::{form_token_url, Endpoint};
use colloquy_core::wire::limits;
use colloquy_core::wire::vars;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::{fresh_client_ip, fresh_client_ipv4, request, Reply};
use colloquy_e2e::unique_thread;
use serde_json::json;

/// The limit in `spec` (`count/seconds,…`) whose window is `window` seconds.
fn limit(spec: &str, window: u64) -> u64 {
    spec.split(',')
        .find_map(|part| {
            let (n, secs) = part.split_once('/')?;
            (secs.parse::<u64>().ok()? == window).then(|| n.parse().ok())?
        })
        .unwrap_or_else(|| panic!("no {window}s limit in {spec}"))
}

/// Send `attempt` until it is refused with 429, at most `max + 1` times; the number that
/// passed. A fixed window that happens to end meanwhile restarts the count, so a run that
/// crossed a window's end is repeated rather than trusted.
fn passes_before_429(max: u64, window_secs: u64, mut attempt: impl FnMut(u64) -> Reply) -> u64 {
    for _ in 0..3 {
        let window = |t: std::time::SystemTime| {
            t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() / window_secs
        };
        let started = window(std::time::SystemTime::now());
        let mut passed = 0;
        let mut refused = None;
        for i in 0..=max {
            let reply = attempt(i);
            if reply.status == 429 {
                refused = Some(reply);
                break;
            }
            assert!(reply.status < 300, "attempt {i}: {}", reply.text);
            passed += 1;
        }
        if window(std::time::SystemTime::now()) != started {
            continue;
        }
        let refused = refused.unwrap_or_else(|| panic!("no 429 after {passed}"));
        assert_eq!(refused.error_code(), "rate_limited");
        let retry: u64 = refused
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .unwrap();
        assert!((1..=window_secs).contains(&retry), "Retry-After {retry}");
        return passed;
    }
    panic!("every run crossed a window's end")
}

#[test]
fn a_client_posting_too_often_gets_429_and_others_do_not() {
    let api = Deployment::main();
    let max = limit(api.var(vars::RATE_LIMITS), 60);
    let thread = unique_thread("rate");
    let passed = passes_before_429(max, 60, |i| {
        // A fresh client per run; the same one within it.
        thread_local!(static IP: std::cell::RefCell<String> = Default::default());
        if i == 0 {
            IP.with(|ip| *ip.borrow_mut() = fresh_client_ip());
        }
        let ip = IP.with(|ip| ip.borrow().clone());
        api.post_as(&comment(&thread).body(&format!("comment {i}")).build(), &ip)
    });
    assert_eq!(passed, max);
    assert_eq!(
        api.post(&comment(&thread).build()).status,
        201,
        "another client"
    );
}

#[test]
fn the_hourly_limit_holds_when_the_burst_limit_is_not_reached() {
    let api = Deployment::limits();
    let max = limit(api.var(vars::RATE_LIMITS), 3600);
    let reader = api.client();
    let thread = unique_thread("hourly");
    let passed = passes_before_429(max, 3600, |i| {
        reader.post(&comment(&thread).body(&format!("hour {i}")).build())
    });
    assert_eq!(passed, max);
}

#[test]
fn rotating_through_one_ipv6_64_does_not_escape_the_limits() {
    let api = Deployment::limits();
    let max = limit(api.var(vars::RATE_LIMITS), 3600);
    let network = fresh_client_ip();
    let prefix = network.rsplit_once("::").unwrap().0.to_owned();
    let thread = unique_thread("ipv6");
    let passed = passes_before_429(max, 3600, |i| {
        // Every attempt from another address of the same /64.
        let host = format!("{prefix}::{:x}", 0x100 + i);
        api.post_as(
            &comment(&thread).body(&format!("rotate {i}")).build(),
            &host,
        )
    });
    assert_eq!(passed, max, "one /64 is one client");
}

#[test]
fn likes_previews_and_edits_have_limits_of_their_own() {
    let api = Deployment::limits();
    let thread = unique_thread("limits");
    let created: CreatedComment = api.create(&comment(&thread).build());
    let id = created.comment.id;
    let ip = fresh_client_ip();
    let likes = limit(api.var(vars::LIKE_RATE_LIMITS), 3600);
    let passed = passes_before_429(likes, 3600, |i| {
        let reader = format!("reader-limits-{i:016}");
        api.write_as(Endpoint::Like(id), &json!({ "reader": reader }), &ip)
    });
    assert_eq!(passed, likes, "likes");
    let previews = limit(api.var(vars::PREVIEW_RATE_LIMITS), 60);
    let ip = fresh_client_ip();
    let passed = passes_before_429(previews, 60, |_| {
        api.write_as(Endpoint::Preview, &json!({"body": "**x**"}), &ip)
    });
    assert_eq!(passed, previews, "previews");
    let edits = limit(api.var(vars::EDIT_RATE_LIMITS), 60);
    let ip = fresh_client_ip();
    let passed = passes_before_429(edits, 60, |i| {
        api.write_as(
            Endpoint::EditComment(id),
            &json!({"edit_token": created.edit_token, "body": format!("edit {i}")}),
            &ip,
        )
    });
    assert_eq!(passed, edits, "edits");
}

#[test]
fn fresh_reader_ids_from_one_client_add_one_like() {
    let api = Deployment::main();
    let id = api
        .create(&comment(&unique_thread("inflate")).build())
        .comment
        .id;
    let ip = fresh_client_ipv4();
    for n in 0..6 {
        let state: LikeState = api
            .write_as(
                Endpoint::Like(id),
                &json!({ "reader": format!("inflating-reader-{n:08}") }),
                &ip,
            )
            .expect(200);
        assert_eq!(state.likes, 1, "reader {n}");
    }
    let other: LikeState = api
        .write(
            Endpoint::Like(id),
            &json!({"reader": "another-reader-0000001"}),
        )
        .expect(200);
    assert_eq!(other.likes, 2);
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
fn comments_awaiting_moderation_are_invisible_through_every_read() {
    let strict = Deployment::strict();
    let thread = unique_thread("pending-reads");
    let held: CreatedComment = strict.create(&comment(&thread).turnstile("pass-token").build());
    assert!(held.comment.pending);
    let id = held.comment.id;
    assert_eq!(
        strict.get(&Endpoint::CommentContext(id).path()).error(),
        (404, "comment_not_found".into())
    );
    assert_eq!(
        strict.get(&Endpoint::Replies(id).path()).error(),
        (404, "comment_not_found".into())
    );
    let counts = strict.get(&format!(
        "{}?{}",
        Endpoint::Counts.path(),
        colloquy_core::wire::endpoint::counts_query(&[&thread])
    ));
    assert_eq!(counts.json()["counts"][&thread], 0);
    let like = strict.write(
        Endpoint::Like(id),
        &json!({"reader": "reader-pending-00000"}),
    );
    assert_eq!(like.error(), (404, "comment_not_found".into()));
    let reply = strict.post(
        &comment(&thread)
            .turnstile("pass-token")
            .reply_to(id)
            .build(),
    );
    assert_eq!(reply.error(), (422, "parent_not_found".into()));
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
