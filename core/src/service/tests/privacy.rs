//! A commenter's export and erasure: nothing of them left in any table, on SQLite.

use super::fixtures::*;
use crate::db::store::CommentStore;
use crate::domain::dates::rfc3339;
use crate::wire::api::NewComment;
use crate::wire::moderation::Decision;

/// Every text value in every table of the database, as `table.column = value`.
fn every_stored_text(f: &Fixture) -> Vec<String> {
    use crate::db::exec::{Query, SqlExec};
    let tables = block(f.store.exec().rows(Query::new(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        vec![],
    )))
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let table = t["name"].as_str().unwrap().to_owned();
        let rows = block(
            f.store
                .exec()
                .rows(Query::new(format!("SELECT * FROM {table}"), vec![])),
        )
        .unwrap();
        for row in rows {
            for (column, value) in row {
                if let Some(text) = value.as_str() {
                    out.push(format!("{table}.{column} = {text}"));
                }
            }
        }
    }
    out
}

#[test]
fn erasing_a_commenter_leaves_their_address_and_name_in_no_table() {
    let mut f = Fixture::new();
    f.site.mail_from = Some("Blog <comments@example.org>".into());
    f.site.webhooks = vec![crate::wire::settings::Webhook {
        url: "https://hooks.example.org/h".into(),
        format: Default::default(),
        events: vec![],
    }];
    let svc = f.svc();
    let email = "Zeb.Quux@Example.org";
    let name = "Zebulon Quux";
    f.shown.set(f.shown.get() + 1);
    let token = svc
        .form_token("/erase/", "c", T0 - f.shown.get())
        .unwrap()
        .form_token;
    let input = NewComment {
        thread: "/erase/".into(),
        thread_url: Some("https://blog.example.org/erase/".into()),
        body: "Words only Zebulon wrote".into(),
        name: name.into(),
        email: email.into(),
        author_key: Some("zebs-browser".into()),
        notify_replies: true,
        form_token: token,
        ..Default::default()
    };
    let zeb = block(svc.post(&input, "c", T0 + 10)).unwrap().comment.id;
    let queued = block(svc.notify_comment(zeb, true, "https://c.example", T0 + 10)).unwrap();
    // One notification sent (its row stays), one not yet.
    block(crate::db::notify::OutboxStore::sent(
        &f.store,
        queued[0],
        T0 + 11,
    ))
    .unwrap();
    // A kept idempotent answer, a block of both kinds, and a reply naming them.
    use crate::db::idempotency::IdempotencyStore;
    block(f.store.claim("key-hash", T0)).unwrap();
    block(
        f.store
            .finish("key-hash", &format!("{{\"author\":\"{name}\"}}"), zeb),
    )
    .unwrap();
    block(svc.block_author(zeb, true, true, T0)).unwrap();
    f.shown.set(f.shown.get() + 1);
    let token = svc
        .form_token("/erase/", "d", T0 - f.shown.get())
        .unwrap()
        .form_token;
    let answer = NewComment {
        parent_id: Some(zeb),
        body: "I disagree".into(),
        name: "Bo".into(),
        email: "bo@example.org".into(),
        notify_replies: false,
        form_token: token,
        ..input.clone()
    };
    let reply = block(svc.post(&answer, "d", T0 + 20)).unwrap().comment.id;
    let replies = block(svc.notify_comment(reply, false, "https://c.example", T0 + 20));
    assert!(
        !replies.unwrap().is_empty(),
        "the reply webhook names its parent's author"
    );
    let before = every_stored_text(&f);
    assert!(before
        .iter()
        .any(|v| v.contains("zeb.quux@example.org") || v.contains(email)));
    assert!(before
        .iter()
        .any(|v| v.contains(name) && v.starts_with("outbox.")));

    block(svc.erase("zeb.quux@example.org", T0 + 30)).unwrap();
    let after = every_stored_text(&f);
    let left: Vec<&String> = after
        .iter()
        .filter(|v| {
            let lower = v.to_lowercase();
            lower.contains("zeb.quux") || lower.contains("zebulon")
        })
        .collect();
    assert!(left.is_empty(), "still stored after erasure: {left:#?}");
    let blocks = block(svc.blocks()).unwrap().blocks;
    assert_eq!(
        blocks.len(),
        2,
        "both blocks stay: erasure is no way around a block"
    );
    assert!(blocks.iter().all(|b| b.label == "an erased commenter"));
    // Still blocked: posting again under the address waits in the queue.
    f.shown.set(f.shown.get() + 1);
    let token = svc
        .form_token("/erase/", "e", T0 - f.shown.get())
        .unwrap()
        .form_token;
    let again = NewComment {
        form_token: token,
        body: "Back again".into(),
        notify_replies: false,
        ..input.clone()
    };
    let again = block(svc.post(&again, "e", T0 + 40)).unwrap();
    assert!(again.comment.pending, "the email block still holds");
}

#[test]
fn exports_hold_what_the_readme_says() {
    let mut f = Fixture::new();
    f.site.mail_from = Some("Blog <comments@example.org>".into());
    let svc = f.svc();
    let a = f.post("/exported/", "ana@example.org", "Liked, pinned and edited");
    let b = f.post("/exported/", "bo@example.org", "Plain");
    block(f.store.set_like(crate::db::store::SetLike {
        id: a,
        reader_hash: "r1",
        client_hash: "c1",
        liked: true,
        now_ms: T0,
    }))
    .unwrap();
    block(svc.pin("/exported/", Some(a))).unwrap();
    block(f.store.update_body(crate::db::store::UpdateBody {
        id: a,
        body_markdown: "Liked, pinned and edited!",
        body_html: "<p>Liked, pinned and edited!</p>",
        now_ms: T0 + 5_000,
        status: None,
        held_for: None,
    }))
    .unwrap();
    block(svc.moderate(&[b], Decision::Spam, T0)).unwrap();
    let page = block(svc.site_export(0)).unwrap();
    let t = page.threads.iter().find(|t| t.key == "/exported/").unwrap();
    assert_eq!(t.pinned_id, Some(a.0));
    let ca = t.comments.iter().find(|c| c.id == a.0).unwrap();
    assert_eq!(ca.likes, 1);
    assert_eq!(ca.edited_at.as_deref(), Some(rfc3339(T0 + 5_000).as_str()));
    assert_eq!(ca.email, "ana@example.org");
    let cb = t.comments.iter().find(|c| c.id == b.0).unwrap();
    assert_eq!(cb.status, "spam", "every state, not only what readers see");
    // A person's export has their subscriptions.
    block(svc.notify_comment(a, true, "https://c.example", T0)).unwrap();
    let mine = block(svc.export("ana@example.org", T0)).unwrap();
    assert_eq!(mine.comments.len(), 1);
    assert_eq!(mine.subscriptions.len(), 1);
    assert_eq!(mine.subscriptions[0].comment_id, a);
    assert!(!mine.subscriptions[0].confirmed);
}
