//! The owner's console API against `wrangler dev`: who may use it (sessions, origin,
//! limits), and what each action does to what readers see — checked through the same
//! server-rendered views readers get.

use colloquy_core::wire::console::{AuditList, CommentList, Export, ThreadList};
use colloquy_core::wire::endpoint::{AdminOp, Endpoint};
use colloquy_core::wire::vars;
use colloquy_core::CommentId;
use colloquy_e2e::console::{owner_key, Console};
use colloquy_e2e::deployments::env;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::{fresh_client_ip, request};
use colloquy_e2e::{env_url, unique_thread};
use serde_json::json;

fn list(console: &Console, tab: &str, q: &str) -> CommentList {
    console
        .get(AdminOp::Comments, &format!("tab={tab}&q={}", url_encode(q)))
        .expect(200)
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn ids(list: &CommentList) -> Vec<CommentId> {
    list.comments.iter().map(|c| c.id).collect()
}

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

#[test]
fn spam_delete_lock_pin_and_reply_change_what_readers_see_at_once() {
    let d = Deployment::main();
    let console = Console::login(&d);
    let thread = unique_thread("console-queue");
    let keep = d.create_id(comment(&thread).body("A thoughtful remark"));
    let spam = d.create_id(comment(&thread).body("Buy cheap watches"));
    let gone = d.create_id(comment(&thread).body("Something regrettable"));
    let later = d.create_id(comment(&thread).body("A later remark"));
    let before = d.embed(&thread);
    assert!(before.contains("Buy cheap watches") && before.contains("4 comments"));

    let moderate = |ids: &[CommentId], decision: &str| {
        console
            .post(
                AdminOp::Moderate,
                &json!({ "ids": ids, "decision": decision }),
            )
            .expect::<serde_json::Value>(200)
    };
    moderate(&[spam], "spam");
    moderate(&[gone], "trash");
    let after = d.embed(&thread);
    assert!(
        !after.contains("Buy cheap watches"),
        "spam is out of sight at once"
    );
    assert!(!after.contains("Something regrettable"));
    assert!(after.contains("2 comments"), "{after}");
    assert_eq!(ids(&list(&console, "spam", &thread)), vec![spam]);
    moderate(&[spam], "approve");
    assert!(
        d.embed(&thread).contains("Buy cheap watches"),
        "spam can be restored"
    );

    // Pin the later comment: it leads, marked.
    let change = |body: serde_json::Value| console.post(AdminOp::ChangeThread, &body);
    assert_eq!(change(json!({ "key": thread, "pin": later.0 })).status, 200);
    let pinned = d.embed(&thread);
    let first_item = pinned.find("data-id=").unwrap();
    assert!(
        pinned[first_item..].starts_with(&format!("data-id=\"{}\"", later.0)),
        "the pinned comment comes first"
    );
    assert!(pinned.contains("cq-pinned-badge"));
    // Lock: no form, and the API refuses with its own code.
    assert_eq!(change(json!({ "key": thread, "locked": true })).status, 200);
    let locked = d.embed(&thread);
    assert!(locked.contains("Comments are closed.") && !locked.contains("cq-compose"));
    let refused = d.post(&comment(&thread).body("Too late").reply_to(keep).build());
    assert_eq!(refused.error(), (403, "thread_locked".into()));
    // The owner still answers, from the console, with the badge.
    let reply = console.post(
        AdminOp::Reply,
        &json!({ "parent_id": keep.0, "body": "Thanks, **all**." }),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    let answered = d.embed(&thread);
    assert!(answered.contains("<strong>all</strong>") && answered.contains(">Author<"));
    let threads: ThreadList = console.get(AdminOp::Threads, "").expect(200);
    let t = threads.threads.iter().find(|t| t.key == thread).unwrap();
    assert!(t.locked);
    assert_eq!(t.pinned_id, Some(later));
    change(json!({ "key": thread, "locked": false, "unpin": true }));
    assert!(d.embed(&thread).contains("cq-compose"));
    assert_eq!(
        change(json!({ "key": "/no/such/thread/", "locked": true })).error(),
        (404, "not_found".into())
    );

    let audit: AuditList = console.get(AdminOp::Audit, "").expect(200);
    let actions: Vec<&str> = audit.entries.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "spam",
        "trash",
        "approve",
        "pin",
        "lock",
        "reply",
        "unlock+unpin",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[test]
fn readers_report_and_enough_reports_hide_a_comment_until_reviewed() {
    let d = Deployment::main();
    let console = Console::login(&d);
    let thread = unique_thread("console-report");
    let id = d.create_id(comment(&thread).body("A provocative claim"));
    let report = |ip: &str, reason: &str| d.client_at(ip).report(id, &thread, reason);
    assert_eq!(
        report(&fresh_client_ip(), "dislike").error(),
        (422, "report_invalid".into())
    );
    let first = d.client();
    assert_eq!(first.report(id, &thread, "spam").status, 200);
    assert_eq!(
        first.report(id, &thread, "spam").status,
        200,
        "again: fine, and not counted"
    );
    assert_eq!(report(&fresh_client_ip(), "abuse").status, 200);
    assert!(
        d.embed(&thread).contains("A provocative claim"),
        "two reports: still shown"
    );
    assert_eq!(list(&console, "reported", &thread).comments[0].reports, 2);
    assert_eq!(report(&fresh_client_ip(), "off_topic").status, 200);
    assert!(
        !d.embed(&thread).contains("A provocative claim"),
        "the third report hides it at once"
    );
    let held = list(&console, "pending", &thread);
    assert_eq!(ids(&held), vec![id]);
    assert_eq!(
        held.comments[0].held_for,
        Some(colloquy_core::wire::moderation::HeldFor::Reported)
    );
    console.post(
        AdminOp::Moderate,
        &json!({ "ids": [id], "decision": "approve" }),
    );
    assert!(
        d.embed(&thread).contains("A provocative claim"),
        "the owner disagreed"
    );
    assert!(
        list(&console, "reported", &thread).comments.is_empty(),
        "reports cleared"
    );
}

/// Three addresses of one home connection: three IPv6 /64s of one /56.
fn one_home() -> [String; 3] {
    let n = colloquy_e2e::http::random_u64();
    let base = format!("2001:db8:{:x}:{:x}", (n >> 48) & 0xffff, (n >> 40) & 0xff);
    [0x10, 0x11, 0xfe].map(|low| format!("{base}{low:02x}::1"))
}

#[test]
fn reports_weigh_per_network_and_never_censor_what_the_owner_approved_or_wrote() {
    let d = Deployment::main();
    let console = Console::login(&d);
    let thread = unique_thread("console-censor");
    let id = d.create_id(comment(&thread).body("An unpopular but fair point"));
    let reports = |list: &CommentList| list.comments.iter().find(|c| c.id == id).map(|c| c.reports);
    // One home connection rotating through its /64s is one reporter.
    for ip in one_home() {
        assert_eq!(d.client_at(&ip).report(id, &thread, "abuse").status, 200);
    }
    assert_eq!(reports(&list(&console, "reported", &thread)), Some(1));
    // Without a form token a report is refused, like a comment.
    let bare = d.write(Endpoint::Report(id), &json!({ "reason": "spam" }));
    assert_eq!(bare.error(), (403, "form_token_invalid".into()));
    d.client()
        .report(id, &thread, "abuse")
        .expect::<serde_json::Value>(200);
    d.client()
        .report(id, &thread, "abuse")
        .expect::<serde_json::Value>(200);
    assert!(
        !d.embed(&thread).contains("An unpopular but fair point"),
        "three networks hide it until the owner looks"
    );
    console
        .post(
            AdminOp::Moderate,
            &json!({ "ids": [id], "decision": "approve" }),
        )
        .expect::<serde_json::Value>(200);
    // The owner looked: the same readers and more cannot take it down again.
    for _ in 0..4 {
        d.client()
            .report(id, &thread, "abuse")
            .expect::<serde_json::Value>(200);
    }
    assert!(d.embed(&thread).contains("An unpopular but fair point"));
    assert_eq!(
        reports(&list(&console, "reported", &thread)),
        Some(4),
        "the owner still sees the new reports"
    );
    // Nor the owner's own reply.
    let reply: colloquy_core::wire::api::CreatedComment = console
        .post(
            AdminOp::Reply,
            &json!({ "parent_id": id, "body": "The owner agrees", "name": "" }),
        )
        .expect(201);
    for _ in 0..4 {
        d.client()
            .report(reply.comment.id, &thread, "abuse")
            .expect::<serde_json::Value>(200);
    }
    assert!(d.embed(&thread).contains("The owner agrees"));
}

#[test]
fn reports_against_comments_under_a_borrowed_email_do_not_hold_its_owner() {
    let d = Deployment::main();
    let thread = unique_thread("console-borrowed");
    let email = format!("regular-{}@example.org", colloquy_e2e::http::random_u64());
    let regular = || {
        comment(&thread)
            .email(&email)
            .author_key("the-regulars-browser-key")
    };
    d.create_id(regular().body("A regular's first comment"));
    // A troll posts under the regular's address from another browser and gets those
    // comments reported past the reporter threshold (five reports).
    for body in ["Borrowed one", "Borrowed two"] {
        let id = d.create_id(
            comment(&thread)
                .email(&email)
                .author_key("the-trolls-browser-key")
                .body(body),
        );
        for _ in 0..3 {
            d.client()
                .report(id, &thread, "abuse")
                .expect::<serde_json::Value>(200);
        }
    }
    let ok = d.create(&regular().body("Still published").build());
    assert!(
        !ok.comment.pending,
        "the regular is not held for the troll's reports"
    );
    let held = d.create(
        &comment(&thread)
            .email(&email)
            .author_key("the-trolls-browser-key")
            .body("Held now")
            .build(),
    );
    assert!(held.comment.pending, "the reported browser is");
}

#[test]
fn blocking_purging_exporting_and_erasing_a_commenter() {
    let d = Deployment::main();
    let console = Console::login(&d);
    let thread = unique_thread("console-people");
    // A domain of its own: the masked label ("t…@domain") is then this block's alone among
    // the blocks other tests make on this deployment at the same time.
    let domain = format!("people-{}.example.org", colloquy_e2e::http::random_u64());
    let email = format!("troll@{domain}");
    let first = d.create_id(comment(&thread).email(&email).body("First jab"));
    let neighbour = d.create_id(comment(&thread).body("A reply to the jab").reply_to(first));
    let block = console.post(
        AdminOp::ChangeBlock,
        &json!({ "comment_id": first.0, "email": true }),
    );
    assert_eq!(block.expect::<serde_json::Value>(200)["changed"], 1);
    // Blocked: their next comment waits in the queue rather than vanishing.
    let held = d.create(&comment(&thread).email(&email).body("Second jab").build());
    assert!(held.comment.pending);
    let blocks = console.get(AdminOp::Blocks, "").json();
    let entry = blocks["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| {
            b["label"]
                .as_str()
                .unwrap_or("")
                .contains(&format!("t…@{domain}"))
        })
        .cloned()
        .expect("the block is listed, masked");
    assert!(
        !entry.to_string().contains(&email),
        "no address in the list"
    );
    console.post(AdminOp::ChangeBlock, &json!({ "unblock": entry }));
    let free = d.create(&comment(&thread).email(&email).body("Third jab").build());
    assert!(!free.comment.pending, "unblocked");

    let export: Export = console
        .get(
            AdminOp::Export,
            &format!("email={}", url_encode(&email.to_uppercase())),
        )
        .expect(200);
    assert_eq!(
        export.comments.len(),
        3,
        "every comment of theirs, held one included"
    );
    assert!(export.comments.iter().all(|c| c.email == email));

    let purged = console.post(AdminOp::Purge, &json!({ "comment_id": first.0 }));
    assert_eq!(purged.expect::<serde_json::Value>(200)["changed"], 3);
    let page = d.embed(&thread);
    for gone in ["First jab", "Second jab", "Third jab"] {
        assert!(!page.contains(gone), "{gone}: {page}");
    }
    assert!(
        page.contains("A reply to the jab"),
        "other people's replies stay"
    );
    assert!(page.contains("[deleted]"), "a placeholder holds the place");

    assert_eq!(
        console
            .post(AdminOp::Erase, &json!({ "email": email }))
            .status,
        200
    );
    let after: Export = console
        .get(AdminOp::Export, &format!("email={}", url_encode(&email)))
        .expect(200);
    assert!(
        after.comments.is_empty(),
        "nothing is left under their address"
    );
    let audit = console.get(AdminOp::Audit, "").text;
    assert!(audit.contains("\"erase\"") && audit.contains("\"export\""));
    assert!(!audit.contains(&email), "the audit list names no address");
    let _ = neighbour;
}

#[test]
fn a_block_by_address_holds_whatever_name_and_email_come_from_it() {
    let d = Deployment::main();
    let console = Console::login(&d);
    let thread = unique_thread("console-address-block");
    let troll = fresh_client_ip();
    let first = d
        .post_as(
            &comment(&thread).body("From the troll's network").build(),
            &troll,
        )
        .expect::<colloquy_core::wire::api::CreatedComment>(201)
        .comment
        .id;
    console
        .post(
            AdminOp::ChangeBlock,
            &json!({ "comment_id": first.0, "client": true }),
        )
        .expect::<serde_json::Value>(200);
    // Another name and address, the same network: held.
    let again = d
        .post_as(
            &comment(&thread)
                .name("Someone Else")
                .body("A new identity")
                .build(),
            &troll,
        )
        .expect::<colloquy_core::wire::api::CreatedComment>(201);
    assert!(again.comment.pending, "held: the network is blocked");
    // Another network: published.
    let elsewhere = d.create(&comment(&thread).body("Elsewhere").build());
    assert!(!elsewhere.comment.pending);
    let held = list(&console, "pending", &thread);
    assert_eq!(
        held.comments[0].held_for,
        Some(colloquy_core::wire::moderation::HeldFor::Blocked)
    );
}

/// Run `sql` on a deployment's local D1 (its `--persist-to` folder) through wrangler, as
/// an operator would; what it printed (`--json`). The running deployment may hold the
/// database for a moment (`SQLITE_BUSY`): then again, a little later.
fn d1(state: &str, sql: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut last = String::new();
    for _ in 0..20 {
        let out = std::process::Command::new("node")
            .arg(env_url(env::WRANGLER))
            .args([
                "d1",
                "execute",
                colloquy_core::wire::vars::DB_NAME,
                "--local",
                "--json",
                "--persist-to",
                state,
            ])
            .args(["--command", sql])
            .env("CI", "true")
            .env("WRANGLER_SEND_METRICS", "false")
            .current_dir(&root)
            .output()
            .expect("run wrangler d1 execute");
        if out.status.success() {
            return String::from_utf8_lossy(&out.stdout).into_owned();
        }
        last = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(last.contains("SQLITE_BUSY"), "{last}");
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    panic!("the database stayed busy: {last}");
}

/// A copy of a deployment's `--persist-to` folder (its D1 files only) in a new folder.
fn snapshot(state: &str) -> String {
    let from = std::path::Path::new(state);
    let to = std::env::temp_dir().join(format!(
        "colloquy-d1-copy-{}",
        colloquy_e2e::http::random_u64()
    ));
    let d1 = std::path::Path::new("v3").join("d1");
    let mut stack = vec![d1];
    while let Some(rel) = stack.pop() {
        std::fs::create_dir_all(to.join(&rel)).unwrap();
        for entry in std::fs::read_dir(from.join(&rel)).unwrap() {
            let entry = entry.unwrap();
            let name = rel.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                stack.push(name);
            } else if !name.to_string_lossy().ends_with("-shm") {
                // (The shared-memory index is rebuilt from the log by the first opener.)
                std::fs::copy(entry.path(), to.join(&name)).unwrap();
            }
        }
    }
    to.to_string_lossy().into_owned()
}

#[test]
fn erase_on_its_own_leaves_their_address_and_name_in_no_table() {
    let d = Deployment::main();
    let console = Console::login(&d);
    let thread = unique_thread("console-erase");
    let n = colloquy_e2e::http::random_u64();
    let email = format!("Erase-Me-{n}@Example.org");
    let name = format!("Quentin Erasable {n}");
    let first = d.create_id(comment(&thread).email(&email).name(&name).body("My words"));
    // A retried post keeps its answer (which repeats the comment) for a day.
    let mut second = comment(&thread)
        .email(&email)
        .name(&name)
        .body("More of my words")
        .build();
    let client = d.client();
    second.form_token = client.token(&thread);
    let retried = d.send(
        "POST",
        &Endpoint::PostComment.path(),
        &[
            ("Origin", &d.demo),
            ("Content-Type", "application/json"),
            ("CF-Connecting-IP", &client.ip),
            ("Idempotency-Key", &format!("erase-test-key-{n}")),
        ],
        &serde_json::to_vec(&second).unwrap(),
    );
    assert_eq!(retried.status, 201, "{}", retried.text);
    d.create_id(comment(&thread).body("An answer").reply_to(first));
    console
        .post(
            AdminOp::ChangeBlock,
            &json!({ "comment_id": first.0, "email": true, "client": true }),
        )
        .expect::<serde_json::Value>(200);
    // Erase at once: no purge first.
    console
        .post(AdminOp::Erase, &json!({ "email": email }))
        .expect::<serde_json::Value>(200);
    // A copy of the database, as an operator's backup would be: other files' tests keep
    // writing to this deployment, and a second process opening the live file would make
    // their writes fail as busy. (A copy taken mid-write ends at the last whole commit,
    // which is after the erase: its answer came first.)
    let state = snapshot(&Deployment::main().state());
    let tables = d1(
        &state,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'",
    );
    let tables: Vec<String> = serde_json::from_str::<serde_json::Value>(&tables).unwrap()[0]
        ["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(tables.len() >= 10, "{tables:?}");
    let needles = [email.to_lowercase(), format!("erase-me-{n}"), name.clone()];
    // Every table in one run (one opening of the database, one answer per statement).
    let all: Vec<String> = tables
        .iter()
        .map(|t| format!("SELECT * FROM {t}"))
        .collect();
    let answers: serde_json::Value = serde_json::from_str(&d1(&state, &all.join("; "))).unwrap();
    assert_eq!(answers.as_array().map(Vec::len), Some(tables.len()));
    for (table, rows) in tables.iter().zip(answers.as_array().unwrap()) {
        let rows = rows.to_string().to_lowercase();
        for needle in &needles {
            assert!(
                !rows.contains(&needle.to_lowercase()),
                "{needle} is still in {table}"
            );
        }
    }
    assert!(
        d.embed(&thread).contains("An answer"),
        "other people's replies stay"
    );
    let _ = std::fs::remove_dir_all(&state);
}

/// Make `thread` look `days` older in the owner deployment's local D1 (as if its first
/// comment came that long ago), through wrangler like an operator would.
fn age_thread(thread: &str, days: i64) {
    let sql = format!(
        "UPDATE threads SET created_at = created_at - {} WHERE key = '{}'",
        days * 86_400_000,
        thread.replace('\'', "''")
    );
    d1(&Deployment::owner().state(), &sql);
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

/// Bulk work that scales and a Trash that keeps words: 150 comments (past D1's 100 bound
/// values, where one request used to fail as a whole) go to the Trash and back in one
/// request each; the lists count and select every match; readers see a trashed comment
/// as "[deleted]" at once; only the Trash deletes for good, and a request is bounded.
#[test]
fn bulk_decisions_on_150_comments_and_a_trash_that_restores() {
    use colloquy_core::wire::console::{MatchingIds, TabCounts};
    use colloquy_core::wire::limits::{APPROVE_MAX, MODERATE_MAX};
    let d = Deployment::main();
    let console = Console::login(&d);
    let thread = unique_thread("bulk");
    let word = thread.trim_matches('/').replace('/', "-");
    let seeds: Vec<_> = (0..150)
        .map(|i| colloquy_e2e::seed::top(format!("Bulk {word} number {i}")))
        .collect();
    let ids = colloquy_e2e::seed::thread(&d, &thread, &seeds);
    assert_eq!(ids.len(), 150);
    let page = list(&console, "all", &thread);
    assert_eq!(
        (page.comments.len(), page.total),
        (50, 150),
        "a page and the count"
    );
    let matching: MatchingIds = console
        .get(
            AdminOp::CommentIds,
            &format!("tab=all&q={}", url_encode(&thread)),
        )
        .expect(200);
    assert_eq!(matching.comments.len(), 150, "select all 150 matching");
    let all: Vec<CommentId> = matching.comments.iter().map(|(id, _)| *id).collect();
    let moderate = |ids: &[CommentId], decision: &str| {
        console.post(
            AdminOp::Moderate,
            &json!({ "ids": ids, "decision": decision }),
        )
    };
    let changed =
        |r: colloquy_e2e::http::Reply| r.expect::<serde_json::Value>(200)["changed"].clone();
    let before: TabCounts = console.get(AdminOp::Counts, "").expect(200);
    assert_eq!(changed(moderate(&all, "trash")), 150);
    let counts: TabCounts = console.get(AdminOp::Counts, "").expect(200);
    assert_eq!(counts.trash, before.trash + 150, "{before:?} → {counts:?}");
    let seen = d.embed(&thread);
    assert!(
        !seen.contains(&format!("Bulk {word} number 7<")) && !seen.contains("150 comments"),
        "readers see placeholders at once"
    );
    let trash = list(&console, "trash", &thread);
    assert_eq!(trash.total, 150);
    assert!(trash.comments.iter().all(|c| c.status == "trash"));
    assert_eq!(
        changed(moderate(&all, "trash")),
        0,
        "already there: nothing counted"
    );
    assert_eq!(
        changed(moderate(&all[..APPROVE_MAX], "approve")),
        0,
        "restored first, then approved"
    );
    // Undo: the whole lot back as it was.
    assert_eq!(changed(moderate(&all, "restore")), 150);
    assert!(d.embed(&thread).contains(&format!("Bulk {word} number 7<")));
    // For good: only from the Trash, and only what is there.
    assert_eq!(
        changed(moderate(&all[..1], "delete")),
        0,
        "not in the Trash"
    );
    assert_eq!(changed(moderate(&all[..2], "trash")), 2);
    assert_eq!(changed(moderate(&all[..2], "delete")), 2);
    assert_eq!(changed(moderate(&all[..2], "restore")), 0, "gone for good");
    // One request takes a bounded number of ids; the console sends more in parts.
    let too_many: Vec<i64> = (1..=MODERATE_MAX as i64 + 1).collect();
    assert_eq!(
        console
            .post(
                AdminOp::Moderate,
                &json!({ "ids": too_many, "decision": "spam" })
            )
            .error(),
        (413, "payload_too_large".into())
    );
    // Approvals notify: fewer a request.
    assert_eq!(
        moderate(&all[..APPROVE_MAX + 1], "approve").error(),
        (413, "payload_too_large".into())
    );
    let audit: AuditList = console.get(AdminOp::Audit, "").expect(200);
    assert!(
        audit
            .entries
            .iter()
            .any(|e| e.action == "restore" && e.target == "150 comments"),
        "the audit says how many, not a list of 150 ids"
    );
}

/// The owner corrects a comment's text: readers see the new words marked edited at once;
/// the audit says it happened and keeps no words (an erasure must find none there).
#[test]
fn the_owner_corrects_a_comments_text_and_the_audit_keeps_no_words() {
    let d = Deployment::main();
    let console = Console::login(&d);
    let thread = unique_thread("owner-edit");
    let id = d.create_id(comment(&thread).body("A link to htp://broken.example"));
    let edit = |id: CommentId, body: &str| {
        console.post(AdminOp::EditComment, &json!({ "id": id, "body": body }))
    };
    assert_eq!(edit(id, "A link to <https://fixed.example>").status, 200);
    let seen = d.embed(&thread);
    assert!(
        seen.contains("https://fixed.example") && !seen.contains("htp://broken"),
        "{seen}"
    );
    assert!(
        seen.contains("class=\"cq-edited\">"),
        "readers see it was edited (the mark not hidden)"
    );
    assert_eq!(edit(id, "   ").error(), (422, "validation_failed".into()));
    assert_eq!(
        edit(CommentId(i64::MAX), "x").error(),
        (404, "comment_not_found".into())
    );
    let audit: AuditList = console.get(AdminOp::Audit, "").expect(200);
    let line = audit
        .entries
        .iter()
        .find(|e| e.action == "edit" && e.target == format!("#{}", id.0))
        .expect("the edit is audited");
    let detail = line.detail.clone().unwrap_or_default();
    assert!(
        detail.contains("characters") && !detail.contains("fixed") && !detail.contains("broken"),
        "{detail}"
    );
}
