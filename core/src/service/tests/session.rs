//! Console sessions and the failed-login limits, on SQLite.

use super::fixtures::*;
use crate::domain::ratelimit::parse_limits;
use crate::service::session::*;
use crate::wire::error::ErrorCode;

#[test]
fn sessions_log_in_expire_and_end() {
    let f = Fixture::new();
    let svc = f.svc();
    const KEY: &str = "the-console-key-0123456789abcdef0123";
    let login =
        |key: &str, token: &str| block(svc.login(key, Some(KEY), token, "203.0.113.9", T0, 60));
    assert_eq!(
        login("wrong", "t0").unwrap_err().code(),
        ErrorCode::LoginFailed
    );
    let expires = login(KEY, "t1").unwrap();
    assert_eq!(expires, T0 + 60_000);
    assert_eq!(
        block(svc.session("t1", Some(KEY), T0 + 1)).unwrap(),
        expires
    );
    assert_eq!(
        block(svc.session("t1", Some(KEY), T0 + 60_001))
            .unwrap_err()
            .code(),
        ErrorCode::Unauthorized,
        "expired"
    );
    assert_eq!(
        block(svc.session("t2", Some(KEY), T0)).unwrap_err().code(),
        ErrorCode::Unauthorized
    );
    login(KEY, "t3").unwrap();
    block(svc.logout("t3")).unwrap();
    assert_eq!(
        block(svc.session("t3", Some(KEY), T0)).unwrap_err().code(),
        ErrorCode::Unauthorized
    );
    // A new console key ends every session opened with the old one.
    login(KEY, "t4").unwrap();
    let new_key = "a-new-console-key-after-a-leak-0123456789";
    assert_eq!(
        block(svc.session("t4", Some(new_key), T0))
            .unwrap_err()
            .code(),
        ErrorCode::Unauthorized
    );
    // "Log out everywhere".
    login(KEY, "t5").unwrap();
    login(KEY, "t6").unwrap();
    block(svc.logout_everywhere()).unwrap();
    for t in ["t5", "t6"] {
        assert!(block(svc.session(t, Some(KEY), T0)).is_err());
    }
    // A key too short to be safe opens no console, right or wrong.
    let weak = block(svc.login("short-key", Some("short-key"), "t", "198.51.100.7", T0, 60));
    assert_eq!(weak.unwrap_err().code(), ErrorCode::LoginFailed);
    let no_console = block(svc.login("", None, "t", "198.51.100.1", T0, 60));
    assert_eq!(no_console.unwrap_err().code(), ErrorCode::LoginFailed);
}

#[test]
fn only_failed_logins_count_per_network_and_across_networks() {
    let f = Fixture::new();
    let svc = f.svc();
    const KEY: &str = "the-console-key-0123456789abcdef0123";
    let n = std::cell::Cell::new(0);
    let login = |key: &str, ip: &str| {
        n.set(n.get() + 1);
        block(svc.login(key, Some(KEY), &format!("t{}", n.get()), ip, T0, 60))
    };
    // Right keys are never limited.
    for _ in 0..10 {
        login(KEY, "203.0.113.9").unwrap();
    }
    // Five wrong guesses from one /56, rotating through its /64s…
    for i in 0..5 {
        let ip = format!("2001:db8:7:{:x}::1", 0x100 + i);
        assert_eq!(
            login("guess", &ip).unwrap_err().code(),
            ErrorCode::LoginFailed
        );
    }
    // …and that network is done for the quarter hour, the right key included.
    assert_eq!(
        login(KEY, "2001:db8:7:1ff::1").unwrap_err().code(),
        ErrorCode::RateLimited
    );
    assert!(login(KEY, "203.0.113.10").is_ok(), "other networks are not");
    // The audit list has the /56's first failure and the one that used up its tries.
    let audited = block(svc.audit_list(None, None)).unwrap().entries;
    let failures: Vec<_> = audited
        .iter()
        .filter(|e| e.action == "login-failed")
        .collect();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(failures.iter().all(|e| e.target.starts_with("network ")));
    // Guesses spread over many networks use up the global budget…
    let global = parse_limits(LOGIN_GLOBAL_LIMITS).unwrap()[0].max;
    for i in 0..global {
        let ip = format!("198.51.{}.{}", i / 200, i % 200);
        assert_eq!(
            login("guess", &ip).unwrap_err().code(),
            ErrorCode::LoginFailed
        );
    }
    // …then a network that failed before gets no second guess, not even the right key…
    assert_eq!(
        login(KEY, "198.51.0.7").unwrap_err().code(),
        ErrorCode::RateLimited
    );
    // …while a network that has not failed (the owner's own) still gets in.
    assert!(login(KEY, "192.0.2.200").is_ok());
}
