//! Rate limits of every kind against the limits deployment (comments, likes, previews,
//! edits), with IPv6 address rotation, and likes that fresh reader ids cannot inflate.

use colloquy_core::wire::api::{CreatedComment, LikeState};
use colloquy_core::wire::endpoint::Endpoint;
use colloquy_core::wire::vars;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::{fresh_client_ip, fresh_client_ipv4, Reply};
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
