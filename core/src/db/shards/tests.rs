//! A site moved between two databases (SQLite, with the migrations): everything it owns
//! arrives with its ids and reads as before, the other site stays where it is, and new
//! rows in the second database never take an id the first one gave.

use super::*;
use crate::db::contract::Sqlite;
use crate::db::exec::SqlStore;
use crate::db::store::{CommentStore, InsertComment, PageQuery, SetBlock, SetLike, UpsertThread};
use crate::wire::api::{CommentId, Sort};
use crate::wire::moderation::{BlockKind, CommentStatus};

pub(super) fn block<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

pub(super) fn site_row(db: &Sqlite, id: &str) {
    block(db.rows(Query::new(
        "INSERT OR IGNORE INTO sites (id, name, created_at, settings) VALUES (?1, ?1, 0, '{}')",
        vec![Arg::from(id)],
    )))
    .unwrap();
}

/// A thread with a comment, a reply, a like and a block: what a site holds.
pub(super) fn some_of<E: SqlExec>(store: &SqlStore<E>, key: &str) -> Vec<CommentId> {
    let thread = block(store.upsert_thread(UpsertThread {
        key,
        title: Some("T"),
        url: None,
        now_ms: 1,
    }))
    .unwrap();
    let add = |parent: Option<CommentId>, body: &str| {
        block(store.insert_comment(InsertComment {
            thread_id: thread.id,
            parent_id: parent,
            status: CommentStatus::Approved,
            author_name: "Ana",
            author_email: "ana@example.org",
            author_url: None,
            body_markdown: body,
            body_html: body,
            created_at_ms: 2,
            client_hash: "c",
            root_id: parent,
            is_owner: false,
            email_hash: Some("e"),
            author_key_hash: Some("k"),
            held_for: None,
        }))
        .unwrap()
        .id
    };
    let top = add(None, "top");
    let reply = add(Some(top), "reply");
    // The owner pinned the reply (a thread refers to a comment).
    block(store.set_thread(crate::db::store::ThreadFlags {
        key,
        locked: None,
        pinned: Some(Some(reply)),
    }))
    .unwrap();
    block(store.set_like(SetLike {
        id: top,
        reader_hash: "r",
        client_hash: "c",
        liked: true,
        now_ms: 3,
    }))
    .unwrap();
    block(store.set_block(SetBlock {
        kind: BlockKind::Email,
        hash: "spammer",
        label: "Spammer",
        email_hash: None,
        on: true,
        now_ms: 3,
    }))
    .unwrap();
    // And what the console and the notifications keep of it.
    use crate::db::audit::{AuditStore, StoredAudit};
    use crate::db::notify::OutboxStore;
    use crate::db::session::SessionStore;
    use crate::domain::notify::{Channel, Delivery};
    block(store.report(crate::db::store::Report {
        id: reply,
        reporter_hash: "rep",
        reason: "spam",
        now_ms: 3,
        threshold: 5,
    }))
    .unwrap();
    block(store.create_session(&format!("s-{}-{key}", store.site_id()), "kh", 3, 99)).unwrap();
    block(store.add_audit(&StoredAudit {
        id: 0,
        at: 3,
        actor: "owner".into(),
        action: "approve".into(),
        target: "comment".into(),
        detail: None,
    }))
    .unwrap();
    block(store.enqueue(
        &[Delivery {
            channel: Channel::Email,
            target: "ana@example.org".into(),
            body: "{}".into(),
            label: "reply".into(),
            comment_id: Some(top),
        }],
        3,
    ))
    .unwrap();
    block(store.subscribe(top, "ana@example.org", "e", true, 3)).unwrap();
    vec![top, reply]
}

pub(super) fn page<E: SqlExec>(store: &SqlStore<E>, key: &str) -> Vec<(CommentId, u32, String)> {
    let rows = block(store.thread_page(PageQuery {
        key,
        sort: Sort::Oldest,
        after: None,
        limit: 10,
        reply_preview: 10,
    }))
    .unwrap();
    rows.top
        .iter()
        .chain(&rows.replies)
        .map(|c| (c.id, c.likes, c.body_html.clone()))
        .collect()
}

#[test]
fn a_site_moves_with_its_ids_and_the_other_site_stays() {
    let first = Sqlite::migrated();
    let second = Sqlite::migrated();
    site_row(&first, "a");
    site_row(&first, "b");
    block(seed_ids(&second, 1)).unwrap();
    let next = block(next_ids(&second)).unwrap();
    assert!(next.iter().all(|(_, n)| *n > ID_RANGE), "{next:?}");
    // The second database already serves a site of its own.
    site_row(&second, "c");
    let c = SqlStore::new(&second, "c");
    let c_ids = some_of(&c, "/c/");
    assert!(c_ids.iter().all(|id| id.0 > ID_RANGE), "{c_ids:?}");

    let a = SqlStore::new(&first, "a");
    let b = SqlStore::new(&first, "b");
    let a_ids = some_of(&a, "/t/");
    some_of(&b, "/t/");
    let before = page(&a, "/t/");
    let b_before = page(&b, "/t/");

    // Copy step by step; a step run twice changes nothing.
    let mut at = Cursor::default();
    let mut steps = 0;
    while let Some(next) = block(copy_step(&first, &second, "a", at)).unwrap() {
        if steps == 3 {
            block(copy_step(&first, &second, "a", at)).unwrap();
        }
        at = next;
        steps += 1;
        assert!(steps < 100, "the copy ends");
    }
    let census_a = block(census(&first, "a")).unwrap();
    assert!(
        census_a
            .iter()
            .all(|(table, n, _)| *n > 0 || table == "idempotency"),
        "every kind of row is in the test: {census_a:?}"
    );
    assert_eq!(
        census_a,
        block(census(&second, "a")).unwrap(),
        "copied row for row"
    );
    let moved = SqlStore::new(&second, "a");
    assert_eq!(
        page(&moved, "/t/"),
        before,
        "the same comments, ids and likes"
    );

    // Removed from the first: nothing of a is left there, b is as it was.
    let mut at = 0;
    while let Some(next) = block(remove_step(&first, "a", at, true)).unwrap() {
        at = next;
    }
    assert!(block(census(&first, "a"))
        .unwrap()
        .iter()
        .all(|(table, n, _)| *n == 0 || table == "sites"));
    assert!(page(&a, "/t/").is_empty());
    assert_eq!(page(&b, "/t/"), b_before);
    assert_eq!(page(&c, "/c/").len(), 2, "the second database's own site");

    // New comments of a, in its new database, never take an id the first one gave.
    let more = some_of(&moved, "/t2/");
    assert!(more.iter().all(|id| id.0 > ID_RANGE && !a_ids.contains(id)));
}

#[test]
fn a_census_tells_a_changed_row_from_a_copied_one() {
    let first = Sqlite::migrated();
    let second = Sqlite::migrated();
    site_row(&first, "a");
    some_of(&SqlStore::new(&first, "a"), "/t/");
    let mut at = Cursor::default();
    while let Some(next) = block(copy_step(&first, &second, "a", at)).unwrap() {
        at = next;
    }
    block(second.rows(Query::new(
        "UPDATE comments SET body_html = 'tampered' WHERE site_id = 'a' AND parent_id IS NULL",
        vec![],
    )))
    .unwrap();
    assert_ne!(
        block(census(&first, "a")).unwrap(),
        block(census(&second, "a")).unwrap()
    );
}
