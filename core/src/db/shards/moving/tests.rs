//! A whole move driven as the operator's requests drive it: writes held before the copy
//! and after the switch, the site read from the new database with the same ids, the old
//! copy removed; a copy that does not match is undone and the site stays.

use super::*;
use crate::db::contract::Sqlite;
use crate::db::exec::{Arg, Query, SqlStore};
use crate::db::shards::tests::{block, page, site_row, some_of};
use crate::db::shards::ID_RANGE;
use crate::db::store::{CommentStore, SetBlock, SetLike, StoreError, UpsertThread};
use crate::wire::moderation::BlockKind;

const SETTLE: i64 = 60_000;

fn directory_row(db: &Sqlite, id: &str) {
    site_row(db, id);
    block(db.rows(Query::new(
        "UPDATE sites SET origins = 'https://a.example.org' WHERE id = ?1",
        vec![Arg::from(id)],
    )))
    .unwrap();
}

fn row(directory: &Directory<&Sqlite>, id: &str) -> crate::db::sites::SiteRow {
    block(directory.find(id)).unwrap().unwrap()
}

/// Drive the move with one call after another at `now`, until it waits or ends.
fn drive(
    directory: &Directory<&Sqlite>,
    first: &Sqlite,
    second: &Sqlite,
    now: i64,
) -> MoveProgress {
    loop {
        let site = row(directory, "a");
        let state = decode(site.move_state.as_deref().expect("a move under way")).unwrap();
        let (from, to) = if state.from == "DB" {
            (first, second)
        } else {
            (second, first)
        };
        let progress = block(
            Move {
                directory,
                from,
                to,
                site: "a",
                state,
                settle_ms: SETTLE,
            }
            .advance(now, 8),
        )
        .unwrap();
        if progress.wait_ms > 0 || matches!(progress.phase.as_str(), "done" | "undone") {
            return progress;
        }
    }
}

#[test]
fn a_site_moves_while_writes_wait_and_reads_go_on() {
    let first = Sqlite::migrated();
    let second = Sqlite::migrated();
    let directory = Directory::new(&first);
    directory_row(&first, "a");
    site_row(&first, "b");
    let a = SqlStore::new(&first, "a");
    let ids = some_of(&a, "/t/");
    some_of(&SqlStore::new(&first, "b"), "/t/");
    let before = page(&a, "/t/");

    assert!(block(begin(&directory, &first, "a", "DB", "DB1", 0, SETTLE)).unwrap());
    assert!(
        !block(begin(&directory, &first, "a", "DB", "DB1", 0, SETTLE)).unwrap(),
        "one move at a time"
    );
    assert_eq!(row(&directory, "a").move_to.as_deref(), Some("DB1"));
    // The database it leaves refuses its writes (from a Worker with an older copy of the
    // directory); other sites there write on.
    let late = block(a.upsert_thread(UpsertThread {
        key: "/late/",
        title: None,
        url: None,
        now_ms: 5,
    }));
    assert!(matches!(late, Err(StoreError::Sealed)), "{late:?}");
    let liked = block(a.set_like(SetLike {
        id: ids[0],
        reader_hash: "late",
        client_hash: "c",
        liked: true,
        now_ms: 5,
    }));
    assert!(matches!(liked, Err(StoreError::Sealed)), "{liked:?}");
    // Only the removal's plain unpinning passes; locking while unpinning does not.
    let locked = block(a.set_thread(crate::db::store::ThreadFlags {
        key: "/t/",
        locked: Some(true),
        pinned: Some(None),
    }));
    assert!(matches!(locked, Err(StoreError::Sealed)), "{locked:?}");
    // Nor is anything deleted there (an unblock, an unsubscribe) until the removal.
    let unblocked = block(a.set_block(SetBlock {
        kind: BlockKind::Email,
        hash: "spammer",
        label: "Spammer",
        email_hash: None,
        on: false,
        now_ms: 5,
    }));
    assert!(
        matches!(unblocked, Err(StoreError::Sealed)),
        "{unblocked:?}"
    );
    some_of(&SqlStore::new(&first, "b"), "/during/");

    // Held: nothing is copied until every isolate can know writes wait.
    let held = drive(&directory, &first, &second, 1_000);
    assert_eq!((held.phase.as_str(), held.wait_ms), ("held", 59_000));
    assert!(page(&SqlStore::new(&second, "a"), "/t/").is_empty());

    // Copied and checked: the directory names the new database, writes still wait.
    let switched = drive(&directory, &first, &second, SETTLE);
    assert_eq!(switched.phase, "switched");
    assert_eq!(switched.wait_ms, SETTLE as u64);
    let site = row(&directory, "a");
    assert_eq!(site.shard, "DB1");
    assert_eq!(site.move_to.as_deref(), Some("DB1"), "writes still wait");
    assert_eq!(page(&SqlStore::new(&second, "a"), "/t/"), before);
    assert_eq!(
        page(&a, "/t/"),
        before,
        "isolates with an older copy still read"
    );

    // Writes go on; the old copy goes.
    let done = drive(&directory, &first, &second, 2 * SETTLE + 1);
    assert_eq!(done.phase, "done");
    let site = row(&directory, "a");
    assert_eq!((site.move_to, site.move_state), (None, None));
    assert_eq!(site.origins, vec!["https://a.example.org".to_owned()]);
    assert!(page(&a, "/t/").is_empty(), "nothing of a is left in DB");
    assert_eq!(page(&SqlStore::new(&first, "b"), "/t/").len(), 2, "b stays");
    let sealed = block(first.rows(Query::new("SELECT site_id FROM sealed_sites", vec![])));
    assert!(sealed.unwrap().is_empty(), "unsealed once the move is done");
    let moved = SqlStore::new(&second, "a");
    assert_eq!(page(&moved, "/t/"), before, "same ids, likes and text");
    // The new database numbers its own rows above every id the first gave.
    let more = some_of(&moved, "/t2/");
    assert!(more.iter().all(|id| id.0 > ID_RANGE && !ids.contains(id)));
    // A new move may start.
    assert!(block(begin(&directory, &second, "a", "DB1", "DB2", 0, SETTLE)).unwrap());
}

#[test]
fn a_copy_that_does_not_match_is_undone_and_the_site_stays() {
    let first = Sqlite::migrated();
    let second = Sqlite::migrated();
    let directory = Directory::new(&first);
    directory_row(&first, "a");
    let a = SqlStore::new(&first, "a");
    some_of(&a, "/t/");
    let before = page(&a, "/t/");
    assert!(block(begin(&directory, &first, "a", "DB", "DB1", 0, SETTLE)).unwrap());
    // Copy every row, then change one in the copy before the check.
    loop {
        let state = decode(row(&directory, "a").move_state.as_deref().unwrap()).unwrap();
        if state.phase == Phase::Verifying {
            break;
        }
        block(
            Move {
                directory: &directory,
                from: &first,
                to: &second,
                site: "a",
                state,
                settle_ms: SETTLE,
            }
            .advance(SETTLE, 8),
        )
        .unwrap();
    }
    block(second.rows(Query::new(
        "UPDATE comments SET body_html = 'changed' WHERE site_id = 'a' AND parent_id IS NULL",
        vec![],
    )))
    .unwrap();
    let undone = drive(&directory, &first, &second, SETTLE);
    assert_eq!(undone.phase, "undone");
    let site = row(&directory, "a");
    assert_eq!((site.shard.as_str(), site.move_to), ("DB", None));
    assert_eq!(page(&a, "/t/"), before);
    // Its writes go on where it stayed.
    block(a.upsert_thread(UpsertThread {
        key: "/after-undo/",
        title: None,
        url: None,
        now_ms: 9,
    }))
    .unwrap();
    assert!(block(census(&second, "a"))
        .unwrap()
        .iter()
        .all(|(_, n, _)| *n == 0));
}

#[test]
fn moves_go_up_to_a_database_of_the_deployment_and_never_the_main_site() {
    let shards: Vec<String> = ["DB", "DB1", "DB2"].map(String::from).to_vec();
    assert_eq!(check("DB", "DB1", &shards, false), Ok(()));
    assert_eq!(check("DB1", "DB2", &shards, false), Ok(()));
    assert_eq!(
        check("DB2", "DB1", &shards, false),
        Err(MoveRefused::Downwards { from: "DB2".into() })
    );
    assert_eq!(
        check("DB1", "DB", &shards, false),
        Err(MoveRefused::Downwards { from: "DB1".into() })
    );
    assert_eq!(
        check("DB1", "DB1", &shards, false),
        Err(MoveRefused::AlreadyThere("DB1".into()))
    );
    assert_eq!(
        check("DB", "DB3", &shards, false),
        Err(MoveRefused::NoSuchShard(
            "DB3".into(),
            "DB, DB1, DB2".into()
        ))
    );
    assert_eq!(
        check("DB", "OTHER", &["OTHER".into()], false),
        Err(MoveRefused::NoSuchShard("OTHER".into(), "OTHER".into()))
    );
    assert_eq!(
        check("DB", "DB1", &shards, true),
        Err(MoveRefused::MainSite)
    );
}

#[test]
fn a_new_site_goes_to_the_emptiest_database() {
    let sizes = |a: Option<u64>, b: Option<u64>, c: Option<u64>| {
        vec![
            ("DB".to_owned(), a),
            ("DB1".to_owned(), b),
            ("DB2".to_owned(), c),
        ]
    };
    let none: Vec<(String, i64)> = Vec::new();
    assert_eq!(emptiest(&sizes(Some(9), Some(3), Some(5)), &none), "DB1");
    // A size that could not be read is not "empty".
    assert_eq!(emptiest(&sizes(Some(9), None, Some(5)), &none), "DB2");
    // Equal sizes: the one with fewer sites.
    let counts = vec![("DB".to_owned(), 4), ("DB1".to_owned(), 2)];
    assert_eq!(emptiest(&sizes(Some(5), Some(5), Some(5)), &counts), "DB2");
    assert_eq!(emptiest(&sizes(None, None, None), &counts), "DB2");
    assert_eq!(emptiest(&[], &counts), "DB");
}

#[test]
fn two_bindings_of_one_database_are_told_apart_from_two_databases() {
    let first = Sqlite::migrated();
    let second = Sqlite::migrated();
    assert!(block(same_database(&first, &first, "n1")).unwrap());
    assert!(!block(same_database(&first, &second, "n2")).unwrap());
    let left = block(first.rows(Query::new(
        "SELECT id FROM sites WHERE id LIKE '~same-%'",
        vec![],
    )))
    .unwrap();
    assert!(left.is_empty(), "the marker row goes: {left:?}");
}

#[test]
fn a_second_request_with_an_older_state_cannot_undo_a_switched_move() {
    let first = Sqlite::migrated();
    let second = Sqlite::migrated();
    let directory = Directory::new(&first);
    directory_row(&first, "a");
    some_of(&SqlStore::new(&first, "a"), "/t/");
    assert!(block(begin(&directory, &first, "a", "DB", "DB1", 0, SETTLE)).unwrap());
    let state = || decode(row(&directory, "a").move_state.as_deref().unwrap()).unwrap();
    let mover = |state: MoveState| Move {
        directory: &directory,
        from: &first,
        to: &second,
        site: "a",
        state,
        settle_ms: SETTLE,
    };
    while state().phase != Phase::Verifying {
        block(mover(state()).advance(SETTLE, 8)).unwrap();
    }
    let stale = state();
    // One request checks the copy and switches the site…
    let switched = block(mover(state()).advance(SETTLE, 8)).unwrap();
    assert_eq!(switched.phase, "switched");
    // …writes go on in the new database, and a slower request, still holding the state
    // from before the switch, finds the databases differ.
    block(second.rows(Query::new(
        "UPDATE comments SET body_html = 'edited after the switch' WHERE site_id = 'a'",
        vec![],
    )))
    .unwrap();
    let late = block(mover(stale).advance(SETTLE, 8)).unwrap();
    assert_eq!((late.phase.as_str(), late.wait_ms), ("copying", 1000));
    let site = row(&directory, "a");
    assert_eq!(site.shard, "DB1", "still switched");
    assert!(matches!(
        decode(site.move_state.as_deref().unwrap()).unwrap().phase,
        Phase::Switched { .. }
    ));
    assert_eq!(
        page(&SqlStore::new(&second, "a"), "/t/").len(),
        2,
        "nothing undone"
    );
}
