//! One contract for every [`CommentStore`]: each test runs on the in-memory fake and on the
//! SQL store over a real SQLite with `migrations/*.sql` applied fresh, so the SQL is
//! checked in seconds and the fake cannot drift from it. Every assertion names the store,
//! so a failure says which one disagrees.

use std::cell::RefCell;

use crate::db::exec::{Arg, Query, Row, SqlExec, SqlStore};
use crate::db::memstore::MemStore;
use crate::db::store::{
    CommentStore, HitRateLimit, InsertComment, ListReplies, PageQuery, SetLike, StoreError,
    UpdateBody, UpsertThread,
};
use crate::domain::thread::CursorPos;
use crate::wire::api::{CommentId, Sort};
use crate::wire::moderation::CommentStatus;

/// SQLite in memory, migrated exactly as `wrangler d1 migrations apply` would.
pub(crate) struct Sqlite {
    conn: RefCell<rusqlite::Connection>,
}

impl Sqlite {
    pub(crate) fn migrated() -> Self {
        let conn = rusqlite::Connection::open_in_memory().expect("sqlite in memory");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("migrations/")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no migrations in {}", dir.display());
        for f in files {
            let sql = std::fs::read_to_string(&f).expect("read migration");
            conn.execute_batch(&sql)
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        }
        // As D1 does: a row that refers to one that is not there is refused.
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .expect("foreign keys on");
        Sqlite {
            conn: RefCell::new(conn),
        }
    }

    /// Run SQL text as `wrangler d1 execute --file` would (the importers' output).
    #[cfg(feature = "import")]
    pub(crate) fn execute_batch(&self, sql: &str) {
        self.conn
            .borrow()
            .execute_batch(sql)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Rows of a query, for tests that look at what is stored.
    #[cfg(feature = "import")]
    pub(crate) fn select(&self, sql: &str) -> Vec<Row> {
        Self::run(&self.conn.borrow(), &Query::new(sql, Vec::new())).expect("select")
    }

    fn run(conn: &rusqlite::Connection, q: &Query) -> Result<Vec<Row>, StoreError> {
        let backend = |e: rusqlite::Error| StoreError::backend(format!("{e} in {}", q.sql));
        // D1 binds at most 100 values per statement; SQLite allows thousands. Hold the
        // SQL to D1's bound here, so a statement that would fail in production fails here.
        if q.args.len() > crate::wire::limits::D1_BOUND_VALUES {
            return Err(StoreError::Backend(format!(
                "{} bound values (D1 takes {}) in {}",
                q.args.len(),
                crate::wire::limits::D1_BOUND_VALUES,
                q.sql
            )));
        }
        let mut stmt = conn.prepare(&q.sql).map_err(backend)?;
        let args = q.args.iter().map(|a| match a {
            Arg::Null => rusqlite::types::Value::Null,
            Arg::Int(n) => rusqlite::types::Value::Integer(*n),
            Arg::Text(s) => rusqlite::types::Value::Text(s.clone()),
        });
        let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(args))
            .map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            let mut map = Row::new();
            for (i, name) in names.iter().enumerate() {
                use rusqlite::types::ValueRef;
                let v = match row.get_ref(i).map_err(backend)? {
                    ValueRef::Null => serde_json::Value::Null,
                    ValueRef::Integer(n) => n.into(),
                    ValueRef::Real(f) => f.into(),
                    ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
                    ValueRef::Blob(_) => serde_json::Value::Null,
                };
                map.insert(name.clone(), v);
            }
            out.push(map);
        }
        Ok(out)
    }
}

impl SqlExec for Sqlite {
    async fn rows(&self, query: Query) -> Result<Vec<Row>, StoreError> {
        Self::run(&self.conn.borrow(), &query)
    }

    async fn batch(&self, queries: Vec<Query>) -> Result<Vec<Vec<Row>>, StoreError> {
        let mut conn = self.conn.borrow_mut();
        let tx = conn
            .transaction()
            .map_err(|e| StoreError::backend(e.to_string()))?;
        let out = queries
            .iter()
            .map(|q| Self::run(&tx, q))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit()
            .map_err(|e| StoreError::backend(e.to_string()))?;
        Ok(out)
    }
}

/// Another site over the same data (two stores over one database).
pub(crate) trait OtherSite {
    type Other<'a>: CommentStore
    where
        Self: 'a;
    fn other_site(&self, site: &str) -> Self::Other<'_>;
}

impl OtherSite for crate::db::memstore::MemStore {
    type Other<'a> = crate::db::memstore::MemStore;
    fn other_site(&self, site: &str) -> Self::Other<'_> {
        self.for_site(site)
    }
}

impl<E: SqlExec> OtherSite for crate::db::exec::SqlStore<E> {
    type Other<'a>
        = crate::db::exec::SqlStore<&'a E>
    where
        E: 'a;
    fn other_site(&self, site: &str) -> Self::Other<'_> {
        // A site is a row first (threads refer to it).
        block(self.exec().rows(Query::new(
            "INSERT OR IGNORE INTO sites (id, name, created_at) VALUES (?1, ?1, 0)",
            vec![Arg::from(site)],
        )))
        .expect("site row");
        crate::db::exec::SqlStore::new(self.exec(), site)
    }
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

/// Runs a contract on both stores, naming each.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn in_memory() {
                    super::$name(&crate::db::memstore::MemStore::default(), "in-memory store");
                }
                #[test]
                fn sqlite() {
                    super::$name(
                        &crate::db::exec::SqlStore::new(super::Sqlite::migrated(), "default"),
                        "SQL store on SQLite",
                    );
                }
            }
        )*
    };
}

mod sites;
use sites::a_site_finds_nothing_of_another_site;

contract!(
    a_site_finds_nothing_of_another_site,
    form_tokens_are_used_once_and_forgotten_after_they_expire,
    an_edit_can_send_a_comment_back_to_the_queue,
    an_edit_never_writes_words_back_into_a_deleted_comment,
    threads_are_created_once_and_learn_a_missing_title,
    pages_follow_each_order_and_cursors_never_skip_or_repeat,
    pages_follow_the_data_as_it_changes_between_pages,
    pages_carry_the_first_replies_and_the_counts,
    replies_list_whole_subtrees_in_time_order,
    deleted_comments_keep_their_place_but_lose_their_words,
    likes_count_once_per_reader,
    counts_cover_many_threads_and_only_published_comments,
    rate_limit_windows_count_per_key_and_purge_when_over,
    comments_are_found_with_their_thread,
    a_pinned_comment_leads_the_first_page_only,
    threads_lock_and_unlock,
    standing_needs_email_and_browser_key_and_sees_blocks,
    owner_decisions_change_what_readers_see,
    the_trash_keeps_words_until_deleted_and_restores_what_was,
    a_comment_is_announced_once_however_often_it_is_approved,
    reports_count_once_per_reader_and_hold_at_the_threshold,
    the_owners_comments_are_never_hidden_by_reports,
);

fn a_pinned_comment_leads_the_first_page_only<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/pin/");
    let ids: Vec<CommentId> = (0..5)
        .map(|i| add(s, t, None, 10 + i, CommentStatus::Approved))
        .collect();
    let reply = add(s, t, Some(ids[3]), 100, CommentStatus::Approved);
    let pinned = block(s.set_thread(crate::db::store::ThreadFlags {
        key: "/pin/",
        locked: None,
        pinned: Some(Some(ids[3])),
    }))
    .unwrap()
    .expect("the thread exists");
    assert_eq!(pinned.pinned_id, Some(ids[3]), "{store}");
    let first = page(s, "/pin/", Sort::Oldest, None, 2);
    let top: Vec<CommentId> = first.top.iter().map(|c| c.id).collect();
    assert_eq!(
        top,
        vec![ids[3], ids[0], ids[1]],
        "{store}: pinned first, then in order"
    );
    assert!(
        first.replies.iter().any(|r| r.id == reply),
        "{store}: the pinned comment brings its replies"
    );
    assert_eq!(first.reply_counts.get(&ids[3]), Some(&1), "{store}");
    let after = CursorPos {
        key: 11,
        id: ids[1].0,
    };
    let rest: Vec<CommentId> = page(s, "/pin/", Sort::Oldest, Some(after), 10)
        .top
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(rest, vec![ids[2], ids[4]], "{store}: never twice");
    block(s.set_thread(crate::db::store::ThreadFlags {
        key: "/pin/",
        locked: None,
        pinned: Some(None),
    }))
    .unwrap();
    let top: Vec<CommentId> = page(s, "/pin/", Sort::Oldest, None, 2)
        .top
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(top, vec![ids[0], ids[1]], "{store}: unpinned");
}

fn page<S: CommentStore>(
    s: &S,
    key: &str,
    sort: Sort,
    after: Option<CursorPos>,
    limit: u32,
) -> crate::db::store::PageRows {
    block(s.thread_page(PageQuery {
        key,
        sort,
        after,
        limit,
        reply_preview: 5,
    }))
    .unwrap()
}

fn threads_lock_and_unlock<S: CommentStore>(s: &S, store: &str) {
    thread(s, "/lock/");
    let flags = |locked| crate::db::store::ThreadFlags {
        key: "/lock/",
        locked,
        pinned: None,
    };
    let locked = block(s.set_thread(flags(Some(true)))).unwrap().unwrap();
    assert!(locked.locked, "{store}");
    let kept = block(s.find_thread("/lock/")).unwrap().unwrap();
    assert!(kept.locked && kept.pinned_id.is_none(), "{store}");
    assert!(
        !block(s.set_thread(flags(Some(false))))
            .unwrap()
            .unwrap()
            .locked,
        "{store}"
    );
    assert!(
        block(s.set_thread(crate::db::store::ThreadFlags {
            key: "/nothing-here/",
            ..flags(Some(true))
        }))
        .unwrap()
        .is_none(),
        "{store}"
    );
}

fn standing_needs_email_and_browser_key_and_sees_blocks<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/who/");
    // `add` writes email hash "email-hash" and browser key hash "browser-key-hash".
    add(s, t, None, 1, CommentStatus::Approved);
    add(s, t, None, 2, CommentStatus::Pending);
    let who = |email, key, client| crate::db::store::WhoQuery {
        email_hash: email,
        author_key_hash: key,
        client_hash: client,
    };
    let standing = |q| block(s.standing(q)).unwrap();
    let regular = standing(who("email-hash", Some("browser-key-hash"), "c1"));
    assert_eq!(regular.trusted_comments, 1, "{store}: approved ones only");
    assert!(!regular.blocked, "{store}");
    assert_eq!(
        standing(who("email-hash", Some("other-browser"), "c1")).trusted_comments,
        0,
        "{store}: the email alone is not enough"
    );
    assert_eq!(
        standing(who("email-hash", None, "c1")).trusted_comments,
        0,
        "{store}: nor is a missing browser key"
    );
    let set = |kind, hash: &str, on| {
        block(s.set_block(crate::db::store::SetBlock {
            kind,
            hash,
            label: "x",
            email_hash: None,
            on,
            now_ms: 5,
        }))
        .unwrap()
    };
    set(crate::wire::moderation::BlockKind::Client, "c1", true);
    assert!(standing(who("someone-else", None, "c1")).blocked, "{store}");
    set(crate::wire::moderation::BlockKind::Client, "c1", false);
    set(
        crate::wire::moderation::BlockKind::Email,
        "email-hash",
        true,
    );
    assert!(standing(who("email-hash", None, "c9")).blocked, "{store}");
    assert!(!standing(who("other", None, "c9")).blocked, "{store}");
}

fn owner_decisions_change_what_readers_see<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/queue/");
    let held = add(s, t, None, 1, CommentStatus::Pending);
    let spam = add(s, t, None, 2, CommentStatus::Approved);
    let gone = add(s, t, None, 3, CommentStatus::Approved);
    let reply = add(s, t, Some(gone), 4, CommentStatus::Approved);
    use crate::db::store::ModeratedComment;
    use crate::wire::moderation::Decision;
    let changed = block(s.moderate(&[held], Decision::Approve, 9)).unwrap();
    assert_eq!(
        changed,
        vec![ModeratedComment {
            id: held,
            thread: "/queue/".to_owned(),
            was: CommentStatus::Pending,
            first_publication: true,
        }],
        "{store}"
    );
    assert!(
        block(s.moderate(&[held], Decision::Approve, 9))
            .unwrap()
            .is_empty(),
        "{store}: approving it again changes nothing"
    );
    block(s.moderate(&[spam], Decision::Spam, 9)).unwrap();
    assert!(
        block(s.moderate(&[gone], Decision::Delete, 9))
            .unwrap()
            .is_empty(),
        "{store}: only what is in the Trash is deleted for good"
    );
    block(s.moderate(&[gone], Decision::Trash, 9)).unwrap();
    let p = page(s, "/queue/", Sort::Oldest, None, 10);
    let top: Vec<(CommentId, CommentStatus)> = p.top.iter().map(|c| (c.id, c.status)).collect();
    assert_eq!(
        top,
        vec![
            (held, CommentStatus::Approved),
            (gone, CommentStatus::Deleted)
        ],
        "{store}: spam out of sight, the trashed one a placeholder"
    );
    assert_eq!(p.replies.len(), 1, "{store}: its reply stays");
    assert_eq!(p.replies[0].id, reply, "{store}");
    let trashed = block(s.find_comment(gone)).unwrap().unwrap();
    assert_eq!(
        trashed.trashed_from,
        Some(CommentStatus::Approved),
        "{store}"
    );
    assert!(
        !trashed.body_markdown.is_empty(),
        "{store}: the Trash keeps the words"
    );
    block(s.moderate(&[gone], Decision::Delete, 9)).unwrap();
    let wiped = block(s.find_comment(gone)).unwrap().unwrap();
    assert!(
        wiped.body_markdown.is_empty() && wiped.author_email.is_empty(),
        "{store}"
    );
    assert_eq!(wiped.trashed_from, None, "{store}");
    // Spam can be restored; a deleted comment cannot come back.
    block(s.moderate(&[spam, gone], Decision::Approve, 10)).unwrap();
    assert!(
        block(s.moderate(&[gone], Decision::Restore, 10))
            .unwrap()
            .is_empty(),
        "{store}"
    );
    let statuses: Vec<CommentStatus> = [spam, gone]
        .iter()
        .map(|id| block(s.find_comment(*id)).unwrap().unwrap().status)
        .collect();
    assert_eq!(
        statuses,
        vec![CommentStatus::Approved, CommentStatus::Deleted],
        "{store}"
    );
    assert!(block(s.moderate(&[], Decision::Spam, 10))
        .unwrap()
        .is_empty());
}

/// Approving a comment notifies once: not again after Unapprove and a second approval,
/// nor for one that was published when posted.
fn a_comment_is_announced_once_however_often_it_is_approved<S: CommentStore>(s: &S, store: &str) {
    use crate::wire::moderation::Decision;
    let t = thread(s, "/once/");
    let held = add(s, t, None, 1, CommentStatus::Pending);
    let public = add(s, t, None, 2, CommentStatus::Approved);
    let first = |ids: &[CommentId]| -> Vec<bool> {
        block(s.moderate(ids, Decision::Approve, 3))
            .unwrap()
            .iter()
            .map(|m| m.first_publication)
            .collect()
    };
    assert_eq!(first(&[held]), vec![true], "{store}: published now");
    block(s.moderate(&[held, public], Decision::Hold, 4)).unwrap();
    assert_eq!(
        first(&[held, public]),
        vec![false, false],
        "{store}: both were published before"
    );
}

/// The Trash: whatever a comment was, it reads as a placeholder while trashed and comes
/// back as it was; Hold undoes an approval; an author's own delete empties it for good.
fn the_trash_keeps_words_until_deleted_and_restores_what_was<S: CommentStore>(s: &S, store: &str) {
    use crate::wire::moderation::Decision;
    let t = thread(s, "/trash/");
    let waiting = add(s, t, None, 1, CommentStatus::Pending);
    let public = add(s, t, None, 2, CommentStatus::Approved);
    let junk = add(s, t, None, 3, CommentStatus::Spam);
    let all = [waiting, public, junk];
    let status = |id| block(s.find_comment(id)).unwrap().unwrap().status;
    let moved = block(s.moderate(&all, Decision::Trash, 5)).unwrap();
    assert_eq!(moved.len(), 3, "{store}");
    let was: Vec<CommentStatus> = moved.iter().map(|m| m.was).collect();
    assert_eq!(
        was,
        vec![
            CommentStatus::Pending,
            CommentStatus::Approved,
            CommentStatus::Spam
        ],
        "{store}"
    );
    assert!(
        all.iter().all(|id| status(*id) == CommentStatus::Deleted),
        "{store}"
    );
    assert!(
        block(s.moderate(&all, Decision::Trash, 6))
            .unwrap()
            .is_empty(),
        "{store}: trashing twice changes nothing"
    );
    assert!(
        block(s.moderate(&all, Decision::Approve, 6))
            .unwrap()
            .is_empty(),
        "{store}: a trashed comment is restored before anything else"
    );
    assert_eq!(
        block(s.moderate(&all, Decision::Restore, 7)).unwrap().len(),
        3
    );
    let back: Vec<CommentStatus> = all.iter().map(|id| status(*id)).collect();
    assert_eq!(
        back,
        vec![
            CommentStatus::Pending,
            CommentStatus::Approved,
            CommentStatus::Spam
        ],
        "{store}: each comes back as it was"
    );
    // Hold: an approval undone.
    block(s.moderate(&[waiting], Decision::Approve, 8)).unwrap();
    block(s.moderate(&[waiting], Decision::Hold, 8)).unwrap();
    assert_eq!(status(waiting), CommentStatus::Pending, "{store}");
    // The author deletes a trashed comment: it cannot be restored with empty words.
    block(s.moderate(&[public], Decision::Trash, 9)).unwrap();
    block(s.delete_comment(public, 9)).unwrap();
    assert!(
        block(s.moderate(&[public], Decision::Restore, 9))
            .unwrap()
            .is_empty(),
        "{store}"
    );
    assert_eq!(status(public), CommentStatus::Deleted, "{store}");
}

fn reports_count_once_per_reader_and_hold_at_the_threshold<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/reports/");
    let c = add(s, t, None, 1, CommentStatus::Approved);
    let report = |who: &str| {
        block(s.report(crate::db::store::Report {
            id: c,
            reporter_hash: who,
            reason: "spam",
            now_ms: 5,
            threshold: 2,
        }))
        .unwrap()
    };
    let first = report("r1");
    assert_eq!(
        (first.reports, first.hidden, first.counted),
        (1, false, true),
        "{store}"
    );
    let again = report("r1");
    assert_eq!(
        (again.reports, again.hidden, again.counted),
        (1, false, false),
        "{store}"
    );
    let second = report("r2");
    assert_eq!(
        (second.reports, second.hidden, second.counted),
        (2, true, true),
        "{store}"
    );
    let held = block(s.find_comment(c)).unwrap().unwrap();
    assert_eq!(
        (held.status, held.held_for),
        (
            CommentStatus::Pending,
            Some(crate::wire::moderation::HeldFor::Reported)
        ),
        "{store}"
    );
    // Reports count against an author by email *and* browser key or network: someone else
    // typing this address elsewhere is not this author; the same network without (or with
    // a new) key still is.
    let reports_against = |key, client| {
        block(s.standing(crate::db::store::WhoQuery {
            email_hash: "email-hash",
            author_key_hash: key,
            client_hash: client,
        }))
        .unwrap()
        .reports_against
    };
    assert_eq!(reports_against(Some("browser-key-hash"), "c"), 2, "{store}");
    assert_eq!(reports_against(Some("another-browser"), "c"), 0, "{store}");
    assert_eq!(reports_against(None, "c"), 0, "{store}");
    assert_eq!(
        reports_against(None, "client"),
        2,
        "{store}: the same network"
    );
    assert_eq!(reports_against(Some("a-new-key"), "client"), 2, "{store}");
    // Approving clears the reports: the next one starts from zero — and since the owner
    // looked at it, reports never hide it again, however many come.
    block(s.moderate(&[c], crate::wire::moderation::Decision::Approve, 6)).unwrap();
    let reviewed = block(s.find_comment(c)).unwrap().unwrap();
    assert!(reviewed.reports_reviewed, "{store}");
    let after = report("r3");
    assert_eq!((after.reports, after.hidden), (1, false), "{store}");
    let more = [report("r4"), report("r5"), report("r6")];
    assert!(more.iter().all(|r| !r.hidden && r.counted), "{store}");
    assert_eq!(
        block(s.find_comment(c)).unwrap().unwrap().status,
        CommentStatus::Approved,
        "{store}"
    );
    // Its author changes the words the owner approved: reports count again.
    let edited = block(s.update_body(crate::db::store::UpdateBody {
        id: c,
        body_markdown: "abuse",
        body_html: "<p>abuse</p>",
        now_ms: 7,
        status: None,
        held_for: None,
    }))
    .unwrap()
    .expect("the comment is there");
    assert!(!edited.reports_reviewed, "{store}");
    assert!(
        report("r7").hidden,
        "{store}: the next report hides the new words"
    );
    // An approval of a comment nobody reported does not make it immune.
    let quiet = add(s, t, None, 7, CommentStatus::Pending);
    block(s.moderate(&[quiet], crate::wire::moderation::Decision::Approve, 8)).unwrap();
    assert!(
        !block(s.find_comment(quiet))
            .unwrap()
            .unwrap()
            .reports_reviewed,
        "{store}"
    );
}

fn the_owners_comments_are_never_hidden_by_reports<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/owner-reported/");
    let id = block(s.insert_comment(InsertComment {
        thread_id: t,
        parent_id: None,
        status: CommentStatus::Approved,
        author_name: "Site owner",
        author_email: "",
        author_url: None,
        body_markdown: "An answer.",
        body_html: "<p>An answer.</p>",
        created_at_ms: 1,
        client_hash: "console",
        root_id: None,
        is_owner: true,
        email_hash: None,
        author_key_hash: None,
        held_for: None,
    }))
    .unwrap()
    .id;
    for who in ["r1", "r2", "r3", "r4"] {
        let r = block(s.report(crate::db::store::Report {
            id,
            reporter_hash: who,
            reason: "abuse",
            now_ms: 5,
            threshold: 2,
        }))
        .unwrap();
        assert!(!r.hidden && r.counted, "{store}");
    }
    let kept = block(s.find_comment(id)).unwrap().unwrap();
    assert_eq!(
        (kept.status, kept.reports),
        (CommentStatus::Approved, 4),
        "{store}"
    );
}

fn thread<S: CommentStore>(s: &S, key: &str) -> i64 {
    block(s.upsert_thread(UpsertThread {
        key,
        title: None,
        url: None,
        now_ms: 1,
    }))
    .unwrap()
    .id
}

/// `reader` (and a browser of the same name) likes `id`.
fn like<S: CommentStore>(s: &S, id: CommentId, reader: &str) {
    block(s.set_like(SetLike {
        id,
        reader_hash: reader,
        client_hash: reader,
        liked: true,
        now_ms: 1,
    }))
    .unwrap();
}

/// Insert a comment at `at` ms; replies take their parent's root.
fn add<S: CommentStore>(
    s: &S,
    thread_id: i64,
    parent: Option<CommentId>,
    at: i64,
    status: CommentStatus,
) -> CommentId {
    let root_id = parent.map(|p| {
        let parent = block(s.find_comment(p)).unwrap().expect("parent exists");
        parent.root_id.unwrap_or(parent.id)
    });
    block(s.insert_comment(InsertComment {
        thread_id,
        parent_id: parent,
        status,
        author_name: "Ana",
        author_email: "ana@example.org",
        author_url: Some("https://ana.example.org/"),
        body_markdown: "*hi*",
        body_html: "<p><em>hi</em></p>\n",
        created_at_ms: at,
        client_hash: "client",
        root_id,
        is_owner: false,
        email_hash: Some("email-hash"),
        author_key_hash: Some("browser-key-hash"),
        held_for: None,
    }))
    .unwrap()
    .id
}

fn page_ids<S: CommentStore>(
    s: &S,
    key: &str,
    sort: Sort,
    after: Option<CursorPos>,
    limit: u32,
) -> Vec<CommentId> {
    block(s.thread_page(PageQuery {
        key,
        sort,
        after,
        limit,
        reply_preview: 0,
    }))
    .unwrap()
    .top
    .iter()
    .map(|c| c.id)
    .collect()
}

fn threads_are_created_once_and_learn_a_missing_title<S: CommentStore + OtherSite>(
    s: &S,
    store: &str,
) {
    let up = |title: Option<&str>| {
        block(s.upsert_thread(UpsertThread {
            key: "/t/",
            title,
            url: None,
            now_ms: 5,
        }))
        .unwrap()
    };
    let first = up(None);
    assert_eq!(first.title, None, "{store}");
    let second = up(Some("Learned"));
    assert_eq!(second.id, first.id, "{store}: one thread per key");
    assert_eq!(second.title.as_deref(), Some("Learned"), "{store}");
    assert_eq!(
        up(Some("Rewritten")).title.as_deref(),
        Some("Learned"),
        "{store}: a title once set stays"
    );
    let found = block(s.find_thread("/t/")).unwrap().unwrap();
    assert_eq!(found, second, "{store}");
    assert_eq!(
        block(s.other_site("other-site").find_thread("/t/")).unwrap(),
        None,
        "{store}"
    );
}

fn pages_follow_each_order_and_cursors_never_skip_or_repeat<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/p/");
    // Same-millisecond comments: the id breaks ties.
    let ids: Vec<CommentId> = [10, 20, 20, 30, 40]
        .into_iter()
        .map(|at| add(s, t, None, at, CommentStatus::Approved))
        .collect();
    let hidden = add(s, t, None, 25, CommentStatus::Pending);
    let _reply = add(s, t, Some(ids[0]), 50, CommentStatus::Approved);
    // Likes: ids[3] twice, ids[1] and ids[4] once.
    for (id, reader) in [
        (ids[3], "r1"),
        (ids[3], "r2"),
        (ids[1], "r1"),
        (ids[4], "r1"),
    ] {
        like(s, id, reader);
    }
    let oldest = page_ids(s, "/p/", Sort::Oldest, None, 10);
    assert_eq!(
        oldest, ids,
        "{store}: oldest first, pending and replies left out"
    );
    assert!(!oldest.contains(&hidden));
    let mut newest = ids.clone();
    newest.reverse();
    assert_eq!(
        page_ids(s, "/p/", Sort::Newest, None, 10),
        newest,
        "{store}"
    );
    assert_eq!(
        page_ids(s, "/p/", Sort::Liked, None, 10),
        vec![ids[3], ids[4], ids[1], ids[2], ids[0]],
        "{store}: most liked first, then the newest"
    );
    for sort in [Sort::Oldest, Sort::Newest, Sort::Liked] {
        let all = page_ids(s, "/p/", sort, None, 10);
        let mut walked = Vec::new();
        let mut after = None;
        loop {
            let page = block(s.thread_page(PageQuery {
                key: "/p/",
                sort,
                after,
                limit: 2,
                reply_preview: 0,
            }))
            .unwrap();
            let Some(last) = page.top.last() else { break };
            after = Some(CursorPos {
                key: if sort == Sort::Liked {
                    i64::from(last.likes)
                } else {
                    last.created_at_ms
                },
                id: last.id.0,
            });
            walked.extend(page.top.iter().map(|c| c.id));
        }
        assert_eq!(walked, all, "{store}: paging {sort:?} two at a time");
    }
    assert!(
        page_ids(s, "/none/", Sort::Oldest, None, 10).is_empty(),
        "{store}"
    );
}

/// The cursor after the last comment of `page` in `sort` order.
fn cursor_after(page: &crate::db::store::PageRows, sort: Sort) -> Option<CursorPos> {
    page.top.last().map(|last| CursorPos {
        key: if sort == Sort::Liked {
            i64::from(last.likes)
        } else {
            last.created_at_ms
        },
        id: last.id.0,
    })
}

/// What a reader paging through a thread gets while others write, like and delete: a
/// page shows what sorts after the cursor *when it is read*. So in time order nothing is
/// shown twice or skipped — a comment deleted meanwhile shows as its placeholder, a new
/// one comes at the end (oldest first) or waits for a reload (newest first) — and in
/// "most liked" order a comment whose likes change between pages may be skipped (it
/// rose above the cursor) or shown again (it fell below): the README says so.
fn pages_follow_the_data_as_it_changes_between_pages<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/moving/");
    let ids: Vec<CommentId> = (0..6)
        .map(|i| add(s, t, None, 100 + i, CommentStatus::Approved))
        .collect();
    // Oldest first: a page is read, then one comment is deleted, one liked, one written.
    let first = page(s, "/moving/", Sort::Oldest, None, 2);
    let after = cursor_after(&first, Sort::Oldest);
    block(s.delete_comment(ids[3], 5)).unwrap();
    like(s, ids[4], "r1");
    let newer = add(s, t, None, 200, CommentStatus::Approved);
    let mut seen: Vec<CommentId> = first.top.iter().map(|c| c.id).collect();
    let mut after = after;
    loop {
        let next = page(s, "/moving/", Sort::Oldest, after, 2);
        if next.top.is_empty() {
            break;
        }
        after = cursor_after(&next, Sort::Oldest);
        seen.extend(next.top.iter().map(|c| c.id));
    }
    let mut expected = ids.clone();
    expected.push(newer);
    assert_eq!(seen, expected, "{store}: each once, the new one at the end");
    let placeholder = page(s, "/moving/", Sort::Oldest, None, 10)
        .top
        .into_iter()
        .find(|c| c.id == ids[3])
        .unwrap();
    assert_eq!(placeholder.status, CommentStatus::Deleted, "{store}");
    // Newest first: a comment written after the first page was read sorts before the
    // cursor, so the next pages do not show it (a reload does).
    let first = page(s, "/moving/", Sort::Newest, None, 2);
    let newest = add(s, t, None, 300, CommentStatus::Approved);
    let rest = page(
        s,
        "/moving/",
        Sort::Newest,
        cursor_after(&first, Sort::Newest),
        10,
    );
    assert!(!rest.top.iter().any(|c| c.id == newest), "{store}");
    assert_eq!(
        first.top.len() + rest.top.len(),
        7,
        "{store}: nothing else lost"
    );
    // Most liked: a comment that gains likes after the first page rises above the cursor
    // and is not on the next pages.
    let first = page(s, "/moving/", Sort::Liked, None, 2);
    let riser = *ids
        .iter()
        .find(|id| !first.top.iter().any(|c| c.id == **id) && **id != ids[3])
        .unwrap();
    for r in ["r2", "r3", "r4"] {
        like(s, riser, r);
    }
    let rest = page(
        s,
        "/moving/",
        Sort::Liked,
        cursor_after(&first, Sort::Liked),
        10,
    );
    assert!(
        !rest.top.iter().any(|c| c.id == riser),
        "{store}: skipped, as documented"
    );
    assert_eq!(
        page_ids(s, "/moving/", Sort::Liked, None, 1),
        vec![riser],
        "{store}: a reload shows it first"
    );
}

fn pages_carry_the_first_replies_and_the_counts<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/r/");
    let a = add(s, t, None, 1, CommentStatus::Approved);
    let b = add(s, t, None, 2, CommentStatus::Approved);
    let a1 = add(s, t, Some(a), 10, CommentStatus::Approved);
    let _a1x = add(s, t, Some(a1), 11, CommentStatus::Approved);
    let _a2 = add(s, t, Some(a), 12, CommentStatus::Approved);
    let _held = add(s, t, Some(a), 13, CommentStatus::Pending);
    let b1 = add(s, t, Some(b), 3, CommentStatus::Approved);
    let rows = block(s.thread_page(PageQuery {
        key: "/r/",
        sort: Sort::Oldest,
        after: None,
        limit: 10,
        reply_preview: 2,
    }))
    .unwrap();
    assert_eq!(
        rows.thread.map(|t| t.key).as_deref(),
        Some("/r/"),
        "{store}"
    );
    let replies: Vec<CommentId> = rows.replies.iter().map(|c| c.id).collect();
    assert_eq!(
        replies,
        vec![b1, a1, _a1x],
        "{store}: two per subtree, oldest first across the page"
    );
    assert_eq!(
        rows.reply_counts.get(&a),
        Some(&3),
        "{store}: approved only"
    );
    assert_eq!(rows.reply_counts.get(&b), Some(&1), "{store}");
    assert_eq!(
        rows.total, 6,
        "{store}: published comments, replies included"
    );
    let empty = block(s.thread_page(PageQuery {
        key: "/nobody/",
        sort: Sort::Oldest,
        after: None,
        limit: 10,
        reply_preview: 2,
    }))
    .unwrap();
    assert_eq!(
        empty,
        Default::default(),
        "{store}: an unknown key is empty"
    );
}

fn replies_list_whole_subtrees_in_time_order<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/s/");
    let a = add(s, t, None, 1, CommentStatus::Approved);
    let late = add(s, t, Some(a), 30, CommentStatus::Approved);
    let early = add(s, t, Some(late), 20, CommentStatus::Approved);
    let _spam = add(s, t, Some(a), 25, CommentStatus::Spam);
    let list = |per_root| {
        block(s.list_replies(ListReplies {
            root_ids: &[a],
            per_root,
        }))
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect::<Vec<_>>()
    };
    assert_eq!(list(None), vec![early, late], "{store}");
    assert_eq!(list(Some(1)), vec![early], "{store}");
    assert!(block(s.list_replies(ListReplies {
        root_ids: &[],
        per_root: None
    }))
    .unwrap()
    .is_empty());
}

fn deleted_comments_keep_their_place_but_lose_their_words<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/d/");
    let a = add(s, t, None, 1, CommentStatus::Approved);
    let reply = add(s, t, Some(a), 2, CommentStatus::Approved);
    block(s.delete_comment(a, 9)).unwrap();
    let gone = block(s.find_comment(a)).unwrap().unwrap();
    assert_eq!(gone.status, CommentStatus::Deleted, "{store}");
    assert!(
        gone.author_name.is_empty()
            && gone.author_email.is_empty()
            && gone.author_url.is_none()
            && gone.body_markdown.is_empty()
            && gone.body_html.is_empty(),
        "{store}: every word the author wrote is gone: {gone:?}"
    );
    assert_eq!(gone.updated_at_ms, Some(9), "{store}");
    let rows = block(s.thread_page(PageQuery {
        key: "/d/",
        sort: Sort::Oldest,
        after: None,
        limit: 10,
        reply_preview: 5,
    }))
    .unwrap();
    assert_eq!(
        rows.top.len(),
        1,
        "{store}: the placeholder stays in the list"
    );
    assert_eq!(rows.replies[0].id, reply, "{store}");
    assert_eq!(rows.total, 1, "{store}: but is not counted");
}

fn likes_count_once_per_reader<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/l/");
    let a = add(s, t, None, 1, CommentStatus::Approved);
    let like = |reader, client, liked| {
        block(s.set_like(SetLike {
            id: a,
            reader_hash: reader,
            client_hash: client,
            liked,
            now_ms: 5,
        }))
        .unwrap()
    };
    assert_eq!(like("r1", "c1", true), (1, true), "{store}");
    assert_eq!(
        like("r1", "c1", true),
        (1, true),
        "{store}: once per reader"
    );
    assert_eq!(like("r2", "c2", true), (2, true), "{store}");
    assert_eq!(
        like("r3", "c1", true),
        (2, false),
        "{store}: a fresh reader id from a client that likes it adds nothing"
    );
    assert_eq!(like("r1", "c1", false), (1, false), "{store}");
    assert_eq!(
        like("r1", "c1", false),
        (1, false),
        "{store}: un-liking twice is harmless"
    );
    assert_eq!(
        like("r3", "c1", true),
        (2, true),
        "{store}: once the client's like is withdrawn, another browser there may like"
    );
    assert_eq!(
        block(s.find_comment(a)).unwrap().unwrap().likes,
        2,
        "{store}"
    );
}

fn counts_cover_many_threads_and_only_published_comments<S: CommentStore>(s: &S, store: &str) {
    let busy = thread(s, "/busy/");
    let quiet = thread(s, "/quiet/");
    let a = add(s, busy, None, 1, CommentStatus::Approved);
    add(s, busy, Some(a), 2, CommentStatus::Approved);
    add(s, busy, None, 3, CommentStatus::Pending);
    add(s, quiet, None, 4, CommentStatus::Spam);
    let counts = block(s.count_visible(&["/busy/", "/quiet/", "/none/"])).unwrap();
    assert_eq!(counts.get("/busy/"), Some(&2), "{store}");
    assert_eq!(counts.get("/quiet/"), Some(&0), "{store}");
    assert_eq!(counts.get("/none/"), None, "{store}: no thread, no entry");
    assert!(block(s.count_visible(&[])).unwrap().is_empty(), "{store}");
}

fn rate_limit_windows_count_per_key_and_purge_when_over<S: CommentStore>(s: &S, store: &str) {
    let hit = |key, start| {
        block(s.hit_rate_limit(HitRateLimit {
            key,
            window_start_ms: start,
            expires_at_ms: start + 60_000,
        }))
        .unwrap()
    };
    assert_eq!(hit("a", 0), 1, "{store}");
    assert_eq!(hit("a", 0), 2, "{store}");
    assert_eq!(hit("b", 0), 1, "{store}: keys count apart");
    assert_eq!(hit("a", 60_000), 1, "{store}: a new window starts at one");
    // The first hit of a window two minutes later purges the ended windows; the old
    // window, if it were still there, would continue at 3.
    assert_eq!(hit("a", 180_000), 1, "{store}");
    assert_eq!(hit("a", 0), 1, "{store}: the ended window was purged");
}

fn form_tokens_are_used_once_and_forgotten_after_they_expire<S: CommentStore>(s: &S, store: &str) {
    let usable = |token, expires, now| block(s.use_form_token(token, expires, now)).unwrap();
    assert!(usable("t1", 100, 10), "{store}");
    assert!(!usable("t1", 100, 20), "{store}: a second use is refused");
    assert!(
        usable("t2", 100, 20),
        "{store}: other tokens are unaffected"
    );
    // Once expired, the row may go (nobody can use an expired token anyway).
    assert!(usable("t1", 300, 200), "{store}");
}

/// An edit that loses a race with a delete (checked, then deleted, then written) writes
/// nothing: the deleted comment keeps no words.
fn an_edit_never_writes_words_back_into_a_deleted_comment<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/race/");
    let a = add(s, t, None, 1, CommentStatus::Approved);
    block(s.delete_comment(a, 5)).unwrap();
    let late = block(s.update_body(UpdateBody {
        id: a,
        body_markdown: "words back",
        body_html: "<p>words back</p>",
        now_ms: 6,
        status: None,
        held_for: None,
    }))
    .unwrap();
    assert!(late.is_none(), "{store}: the edit reports the comment gone");
    let stored = block(s.find_comment(a)).unwrap().unwrap();
    assert_eq!(
        (
            stored.status,
            stored.body_markdown.as_str(),
            stored.body_html.as_str()
        ),
        (CommentStatus::Deleted, "", ""),
        "{store}"
    );
    let unknown = block(s.update_body(UpdateBody {
        id: CommentId(987_654),
        body_markdown: "x",
        body_html: "<p>x</p>",
        now_ms: 6,
        status: None,
        held_for: None,
    }))
    .unwrap();
    assert!(unknown.is_none(), "{store}");
}

fn an_edit_can_send_a_comment_back_to_the_queue<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/e/");
    let a = add(s, t, None, 1, CommentStatus::Approved);
    let edit = |status| {
        block(s.update_body(UpdateBody {
            id: a,
            body_markdown: "new",
            body_html: "<p>new</p>\n",
            now_ms: 7,
            status,
            held_for: status.map(|_| crate::wire::moderation::HeldFor::Links),
        }))
        .unwrap()
        .expect("the comment is there")
    };
    assert_eq!(edit(None).status, CommentStatus::Approved, "{store}");
    let held = edit(Some(CommentStatus::Pending));
    assert_eq!(
        held.held_for,
        Some(crate::wire::moderation::HeldFor::Links),
        "{store}"
    );
    assert_eq!(
        (held.status, held.body_markdown.as_str(), held.updated_at_ms),
        (CommentStatus::Pending, "new", Some(7)),
        "{store}"
    );
}

fn comments_are_found_with_their_thread<S: CommentStore>(s: &S, store: &str) {
    let t = thread(s, "/f/");
    let a = add(s, t, None, 1, CommentStatus::Approved);
    let (c, th) = block(s.find_comment_in_thread(a)).unwrap().unwrap();
    assert_eq!((c.id, th.key.as_str()), (a, "/f/"), "{store}");
    assert_eq!(
        c.author_url.as_deref(),
        Some("https://ana.example.org/"),
        "{store}"
    );
    assert!(block(s.find_comment_in_thread(CommentId(9999)))
        .unwrap()
        .is_none());
    assert!(block(s.find_comment(CommentId(9999))).unwrap().is_none());
}

#[test]
fn the_in_memory_fake_and_sqlite_agree_on_a_mixed_thread() {
    // The same scenario on both stores gives the same page, record for record.
    fn scenario<S: CommentStore>(s: &S) -> crate::db::store::PageRows {
        let t = thread(s, "/mix/");
        let mut last = None;
        for i in 0..12 {
            let parent = if i % 3 == 0 { None } else { last };
            let status = if i % 5 == 4 {
                CommentStatus::Pending
            } else {
                CommentStatus::Approved
            };
            let id = add(s, t, parent, 100 - i, status);
            if status == CommentStatus::Approved {
                last = Some(id);
            }
        }
        block(s.thread_page(PageQuery {
            key: "/mix/",
            sort: Sort::Newest,
            after: None,
            limit: 3,
            reply_preview: 2,
        }))
        .unwrap()
    }
    let mem = scenario(&MemStore::default());
    let sql = scenario(&SqlStore::new(Sqlite::migrated(), "default"));
    assert_eq!(
        mem, sql,
        "left: in-memory store, right: SQL store on SQLite"
    );
}
