//! The queue: spam, delete, lock, pin and reply; bulk decisions and the Trash; the owner
//! correcting a comment; comments held on a moderated site (invisible to every read, and
//! back in the queue after an edit).

use colloquy_core::wire::api::CreatedComment;
use colloquy_core::wire::console::query::ListQuery;
use colloquy_core::wire::console::Tab;
use colloquy_core::wire::console::{AuditList, ThreadList};
use colloquy_core::wire::endpoint::{AdminOp, Endpoint};
use colloquy_core::CommentId;
use colloquy_e2e::console::{ids, list, Console};
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::unique_thread;
use serde_json::json;

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
            &ListQuery {
                tab: Tab::parse("all").unwrap(),
                search: thread.clone(),
                before: None,
            }
            .to_query(),
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
fn an_edit_on_a_moderated_site_sends_the_comment_back_to_the_queue() {
    use colloquy_core::wire::api::CreatedComment;
    let d = Deployment::strict();
    let thread = unique_thread("moderated-edit");
    let created: CreatedComment = d.create(
        &comment(&thread)
            .body("Approved words")
            .turnstile("pass-token")
            .build(),
    );
    assert!(created.comment.pending);
    let console = Console::login(&d);
    console
        .post(
            AdminOp::Moderate,
            &serde_json::json!({ "ids": [created.comment.id], "decision": "approve" }),
        )
        .expect::<serde_json::Value>(200);
    assert!(d.embed(&thread).contains("Approved words"));
    // The author changes the words within the edit window (3 s here).
    let edited = d.write(
        colloquy_core::wire::endpoint::Endpoint::EditComment(created.comment.id),
        &serde_json::json!({ "edit_token": created.edit_token, "body": "Words nobody approved" }),
    );
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(
        edited.json()["comment"]["pending"],
        true,
        "back in the queue"
    );
    let page = d.embed(&thread);
    assert!(
        !page.contains("Words nobody approved") && !page.contains("Approved words"),
        "readers see neither until the owner looks again"
    );
    let queue: colloquy_core::wire::console::CommentList = console
        .get(
            AdminOp::Comments,
            &ListQuery {
                tab: Tab::parse("pending").unwrap(),
                search: thread.clone(),
                before: None,
            }
            .to_query(),
        )
        .expect(200);
    assert_eq!(queue.comments.len(), 1);
    assert_eq!(
        queue.comments[0].held_for,
        Some(colloquy_core::wire::moderation::HeldFor::Moderation)
    );
}
