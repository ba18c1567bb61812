//! A commenter's data: blocking by email or address, purging, exporting, and erasing —
//! after which their address and name are in no table.

use colloquy_core::wire::console::query::PersonQuery;
use colloquy_core::wire::console::Export;
use colloquy_core::wire::endpoint::{AdminOp, Endpoint};
use colloquy_e2e::console::{list, Console};
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::fresh_client_ip;
use colloquy_e2e::{d1, unique_thread};
use serde_json::json;

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
            &PersonQuery {
                email: email.to_uppercase(),
            }
            .to_query(),
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
        .get(
            AdminOp::Export,
            &PersonQuery {
                email: email.clone(),
            }
            .to_query(),
        )
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
    let state = d1::snapshot(&Deployment::main().state());
    let tables = d1::execute(
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
    let answers: serde_json::Value =
        serde_json::from_str(&d1::execute(&state, &all.join("; "))).unwrap();
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
