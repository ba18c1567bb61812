//! Settings without a redeploy, on the owner deployment: moderation modes, trust, muted
//! words and links, allowed origins, closing threads by age. Site-wide, so the test holds
//! the owner deployment's lock.

use colloquy_core::wire::console::{AuditList, ThreadList};
use colloquy_core::wire::endpoint::{AdminOp, Endpoint};
use colloquy_e2e::console::{ids, list, Console};
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::{fresh_client_ip, request};
use colloquy_e2e::{d1, unique_thread};
use serde_json::json;

/// Make `thread` look `days` older in the owner deployment's local D1 (as if its first
/// comment came that long ago), through wrangler like an operator would.
fn age_thread(thread: &str, days: i64) {
    let sql = format!(
        "UPDATE threads SET created_at = created_at - {} WHERE key = '{}'",
        days * 86_400_000,
        thread.replace('\'', "''")
    );
    d1::execute(&Deployment::owner().state(), &sql);
}

/// A comment by `email` from a browser keeping `key`.
fn by(
    thread: &str,
    email: &str,
    key: Option<&str>,
    body: &str,
) -> colloquy_core::wire::api::NewComment {
    colloquy_core::wire::api::NewComment {
        author_key: key.map(Into::into),
        ..comment(thread).email(email).body(body).build()
    }
}

/// Where a new comment ended up: published, or held (and why).
fn fate(d: &Deployment, console: &Console, c: &colloquy_core::wire::api::NewComment) -> String {
    let created = d.create(c);
    if !created.comment.pending {
        return "published".into();
    }
    let held = list(console, "pending", &c.thread);
    let mine = held
        .comments
        .iter()
        .find(|h| h.id == created.comment.id)
        .expect("a held comment is in the queue");
    format!("held: {}", mine.held_for.map(|h| h.as_str()).unwrap_or("?"))
}

/// The owner deployment's only test: its settings are site-wide, so everything that
/// changes them happens here, in order, and ends with the defaults again.
#[test]
fn settings_change_moderation_and_spam_rules_without_a_redeploy() {
    let d = Deployment::owner();
    let _site_wide = d.lock();
    let console = Console::login(&d);
    let save = |settings: serde_json::Value| {
        let current = console.get(AdminOp::Settings, "").json();
        console.post(
            AdminOp::SaveSettings,
            &json!({ "settings": settings, "defaults": current["defaults"] }),
        )
    };
    let current = console.get(AdminOp::Settings, "").json();
    assert_eq!(current["defaults"]["moderation"], "off");
    assert_eq!(
        save(json!({ "allowed_origins": ["https://blog.example.org/path"] })).error(),
        (422, "settings_invalid".into())
    );
    assert_eq!(
        save(json!({ "webhooks": [{ "url": "ftp://x.example/" }] })).error(),
        (422, "settings_invalid".into())
    );

    // Every comment waits; the owner approves; readers see it.
    assert_eq!(save(json!({ "moderation": "all" })).status, 200);
    let thread = unique_thread("settings-all");
    let c = by(&thread, "pat@example.org", None, "Held for a look");
    assert_eq!(fate(&d, &console, &c), "held: moderation");
    assert!(!d.embed(&thread).contains("Held for a look"));
    let pending = list(&console, "pending", &thread);
    console.post(
        AdminOp::Moderate,
        &json!({ "ids": ids(&pending), "decision": "approve" }),
    );
    assert!(d.embed(&thread).contains("Held for a look"));

    // First-time commenters: trusted by email *and* browser key, never by email alone.
    assert_eq!(save(json!({ "moderation": "first_time" })).status, 200);
    let thread = unique_thread("settings-first");
    let rita = "rita-regular@example.org";
    let first = by(
        &thread,
        rita,
        Some("rita-browser-key-0123456789"),
        "My first",
    );
    assert_eq!(fate(&d, &console, &first), "held: first_time");
    let queue = list(&console, "pending", &thread);
    console.post(
        AdminOp::Moderate,
        &json!({ "ids": ids(&queue), "decision": "approve" }),
    );
    let again = by(
        &thread,
        rita,
        Some("rita-browser-key-0123456789"),
        "Back again",
    );
    assert_eq!(fate(&d, &console, &again), "published");
    let impostor = by(
        &thread,
        rita,
        Some("someone-elses-browser-key-00"),
        "I am Rita",
    );
    assert_eq!(
        fate(&d, &console, &impostor),
        "held: first_time",
        "knowing a regular's address is not enough"
    );

    // Muted words (boundaries, wildcards) and the link limit; nothing is dropped.
    assert_eq!(
        save(json!({ "muted": { "body": ["cas*no"], "name": ["admin"] }, "max_links": 1 })).status,
        200
    );
    let thread = unique_thread("settings-rules");
    let held = |body: &str| fate(&d, &console, &by(&thread, "x@example.org", None, body));
    assert_eq!(held("The best CASINO in town"), "held: muted");
    assert_eq!(held("A class of its own"), "published");
    assert_eq!(
        held("See https://a.example and https://b.example"),
        "held: links"
    );
    let named = colloquy_core::wire::api::NewComment {
        name: "The Admin".into(),
        ..by(&thread, "y@example.org", None, "hello")
    };
    assert_eq!(fate(&d, &console, &named), "held: muted");
    // Rules read what readers will see: spellings that still read as the word match it.
    for disguised in [
        "Try cas\u{200B}ino tonight", // a zero-width space
        "Try ca\u{00AD}sino tonight", // a soft hyphen
        "Try ｃａｓｉｎｏ tonight",   // full-width letters
        "Try c\u{0430}sino tonight",  // a Cyrillic а
        "Try cas&#105;no tonight",    // an HTML entity
        "Try cas**i**no tonight",     // emphasis inside the word
    ] {
        assert_eq!(held(disguised), "held: muted", "{disguised:?}");
    }
    assert_eq!(
        held("See &#104;ttps://a.example and https://b.example"),
        "held: links",
        "links written with entities are links"
    );
    // A pattern built to backtrack costs linear time: the comment is answered (and not
    // held: no `b`) instead of stalling the Worker.
    assert_eq!(
        save(json!({ "muted": { "body": ["*a*a*b", "*a*a*a*a*a*a*c"] } })).status,
        200
    );
    assert_eq!(held(&"a".repeat(9_000)), "published");

    // Another site may post once the console allows its origin.
    let other = "https://another-blog.example";
    let post_from = |origin: &str| {
        let thread = unique_thread("settings-origin");
        let ip = fresh_client_ip();
        let token = request(
            "GET",
            &colloquy_core::wire::endpoint::form_token_url(&d.api, &thread),
            &[("CF-Connecting-IP", &ip)],
            b"",
        )
        .json()["form_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let body = colloquy_core::wire::api::NewComment {
            form_token: token,
            ..comment(&thread).body("From elsewhere").build()
        };
        request(
            "POST",
            &Endpoint::PostComment.url(&d.api),
            &[
                ("Origin", origin),
                ("Content-Type", "application/json"),
                ("CF-Connecting-IP", &ip),
            ],
            &serde_json::to_vec(&body).unwrap(),
        )
    };
    assert_eq!(post_from(other).error(), (403, "origin_not_allowed".into()));
    assert_eq!(save(json!({ "allowed_origins": [other] })).status, 200);
    assert_eq!(post_from(other).status, 201);

    // Closing by age: a thread whose first comment is three days old closes under a
    // two-day setting — the cached page too, since it depends on the settings.
    let thread = unique_thread("settings-close");
    let first = by(&thread, "old@example.org", None, "Long ago");
    assert_eq!(fate(&d, &console, &first), "published");
    assert!(d.embed(&thread).contains("cq-compose"));
    age_thread(&thread, 3);
    assert_eq!(save(json!({ "auto_close_days": 2 })).status, 200);
    let closed = d.embed(&thread);
    assert!(closed.contains("Comments are closed.") && !closed.contains("cq-compose"));
    let late = by(&thread, "late@example.org", None, "Too late");
    let refused = d.post(&late);
    assert_eq!(refused.error(), (403, "thread_locked".into()));
    let threads: ThreadList = console.get(AdminOp::Threads, "").expect(200);
    let t = threads.threads.iter().find(|t| t.key == thread).unwrap();
    assert!(t.auto_closed && !t.locked);
    assert_eq!(save(json!({ "auto_close_days": 5 })).status, 200);
    assert!(
        d.embed(&thread).contains("cq-compose"),
        "open again under five days"
    );

    // Back to the deployment's defaults.
    assert_eq!(save(json!({})).status, 200);
    let thread = unique_thread("settings-back");
    assert_eq!(
        fate(&d, &console, &by(&thread, "z@example.org", None, "casino")),
        "published"
    );
    let audit: AuditList = console.get(AdminOp::Audit, "").expect(200);
    assert!(
        audit
            .entries
            .iter()
            .filter(|e| e.action == "settings")
            .count()
            >= 5
    );
}
