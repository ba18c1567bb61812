//! Who may use the console's API: sessions (login, its limits and its cookie, expiry,
//! logging out everywhere), a key too short to open it, and writes only from its own
//! origin, only as JSON.

use colloquy_core::wire::console::AuditList;
use colloquy_core::wire::endpoint::{AdminOp, Endpoint};
use colloquy_core::wire::vars;
use colloquy_e2e::console::{owner_key, Console};
use colloquy_e2e::fixtures::Deployment;
use colloquy_e2e::http::{fresh_client_ip, one_home, request};
use serde_json::json;

#[test]
fn every_console_route_wants_a_session_and_shares_nothing_cross_origin() {
    let d = Deployment::main();
    let stranger = Console::anonymous(&d);
    let forged = Console {
        api: d.api.clone(),
        cookie: Some("colloquy_admin=00112233445566778899aabbccddeeff".into()),
    };
    for op in AdminOp::ALL.into_iter().filter(|op| *op != AdminOp::Login) {
        for who in [&stranger, &forged] {
            let reply = match Endpoint::Admin(op).method() {
                colloquy_core::wire::endpoint::Method::Get => who.get(op, ""),
                _ => who.post(op, &json!({})),
            };
            assert_eq!(reply.error(), (401, "unauthorized".into()), "{op:?}");
            assert!(
                reply.header("access-control-allow-origin").is_none(),
                "{op:?}: no CORS on the console"
            );
        }
    }
}

#[test]
fn login_is_checked_limited_and_gives_a_strict_cookie_until_logout() {
    let d = Deployment::main();
    let (wrong, none) = Console::login_with(&d, "not-the-key");
    assert_eq!(wrong.error(), (401, "login_failed".into()));
    assert!(none.is_none() && wrong.header("set-cookie").is_none());

    let (ok, console) = Console::login_with(&d, &owner_key());
    let cookie = ok
        .header("set-cookie")
        .expect("a session cookie")
        .to_owned();
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/api/v1/admin",
        "Max-Age=",
    ] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    let console = console.unwrap();
    let session = console.get(AdminOp::Session, "").json();
    assert_eq!(session["site"], "default");
    assert_eq!(
        session["webhook_secret"].as_str().map(str::len),
        Some(64),
        "the signing secret is shown to the owner"
    );
    assert_eq!(console.post(AdminOp::Logout, &json!({})).status, 200);
    assert_eq!(
        console.get(AdminOp::Session, "").error(),
        (401, "unauthorized".into()),
        "the cookie is worth nothing after logout"
    );

    // Only failures count: five a quarter hour per network (an IPv6 /56, whichever of
    // its /64s they come from), and then not even the right key gets in from there.
    let attempt = |ip: &str, key: &str| {
        request(
            "POST",
            &Endpoint::Admin(AdminOp::Login).url(&d.api),
            &[
                ("Origin", &d.api),
                ("Content-Type", "application/json"),
                ("CF-Connecting-IP", ip),
            ],
            json!({ "key": key }).to_string().as_bytes(),
        )
    };
    let home = one_home();
    for _ in 0..6 {
        assert_eq!(
            attempt(&home[0], &owner_key()).status,
            200,
            "right keys do not count"
        );
    }
    for i in 0..5 {
        assert_eq!(attempt(&home[i % 3], "guess").status, 401);
    }
    let limited = attempt(&home[2], &owner_key());
    assert_eq!(limited.error(), (429, "rate_limited".into()));
    // The message says how long, in the words the header gives in seconds.
    let wait: u32 = limited.header("retry-after").unwrap().parse().unwrap();
    let message = limited.json()["error"]["message"].clone();
    assert_eq!(
        message,
        json!(format!(
            "Too many tries in a short time. Please try again in {}.",
            colloquy_core::domain::words::wait(wait)
        ))
    );
    assert_eq!(
        attempt(&fresh_client_ip(), &owner_key()).status,
        200,
        "other networks may"
    );
    let audit: AuditList = Console::login(&d).get(AdminOp::Audit, "").expect(200);
    let failed: Vec<_> = audit
        .entries
        .iter()
        .filter(|e| e.action == "login-failed")
        .collect();
    assert!(
        failed
            .iter()
            .any(|e| e.detail.as_deref() == Some("failure 5 of 5")),
        "the failure that used up a network's tries is audited: {failed:?}"
    );
    assert!(
        audit.entries.iter().all(|e| !e.target.contains("2001:db8")),
        "networks are named by a keyed tag, not their address"
    );
}

fn a_session_ends_when_it_expires() {
    let d = Deployment::limits();
    let console = Console::login(&d);
    assert_eq!(console.get(AdminOp::Session, "").status, 200);
    let secs: u64 = Deployment::limits()
        .var(vars::ADMIN_SESSION_SECS)
        .parse()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(secs * 1000 + 800));
    assert_eq!(
        console.get(AdminOp::Session, "").error(),
        (401, "unauthorized".into())
    );
}

/// On the limits deployment, whose console no other test uses (ending every session on
/// a shared one would end other tests' too).
#[test]
fn sessions_end_when_they_expire_and_everywhere_on_request() {
    a_session_ends_when_it_expires();
    log_out_everywhere_ends_every_session();
}

fn log_out_everywhere_ends_every_session() {
    let d = Deployment::limits();
    let (a, b) = (Console::login(&d), Console::login(&d));
    assert_eq!(b.get(AdminOp::Session, "").status, 200);
    a.post(AdminOp::LogoutEverywhere, &json!({}))
        .expect::<serde_json::Value>(200);
    for console in [&a, &b] {
        assert_eq!(
            console.get(AdminOp::Session, "").error(),
            (401, "unauthorized".into())
        );
    }
}

#[test]
fn a_console_key_too_short_to_be_safe_opens_no_console() {
    // The faults deployment runs with a 17-character OWNER_KEY.
    let d = Deployment::faults();
    // Its answers must stay its own meanwhile: no D1 switched off under this test.
    let _unchanged = d.lock();
    let (reply, console) = Console::login_with(&d, d.secret(vars::OWNER_KEY));
    assert_eq!(reply.error(), (401, "login_failed".into()));
    assert!(console.is_none());
}

#[test]
fn console_writes_come_only_from_its_own_origin_and_only_as_json() {
    let d = Deployment::main();
    let console = Console::login(&d);
    let cookie = console.cookie.clone().unwrap();
    let url = Endpoint::Admin(AdminOp::Moderate).url(&d.api);
    let body = json!({ "ids": [1], "decision": "approve" }).to_string();
    for (origin, content_type, want) in [
        (
            Some(d.demo.as_str()),
            "application/json",
            (403, "origin_not_allowed"),
        ),
        (None, "application/json", (403, "origin_not_allowed")),
        (
            Some(d.api.as_str()),
            "text/plain",
            (415, "unsupported_media_type"),
        ),
    ] {
        let mut headers = vec![("Cookie", cookie.as_str()), ("Content-Type", content_type)];
        if let Some(o) = origin {
            headers.push(("Origin", o));
        }
        let reply = request("POST", &url, &headers, body.as_bytes());
        assert_eq!(
            reply.error(),
            (want.0, want.1.into()),
            "{origin:?} {content_type}"
        );
    }
}
