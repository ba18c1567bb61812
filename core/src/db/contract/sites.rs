//! Two sites over one database: everything one site holds is, for the other, as if it did
//! not exist — by comment id, by thread key, by email or client hash, by block. Run on both
//! stores like every contract.

use super::{add, block, like, thread, OtherSite};
use crate::db::store::{
    CommentStore, InsertComment, ListReplies, PageQuery, Report, SetBlock, SetLike, ThreadFlags,
    UpdateBody, WhoQuery,
};
use crate::wire::api::{CommentId, Sort};
use crate::wire::moderation::{BlockKind, CommentStatus, Decision};

pub(super) fn a_site_finds_nothing_of_another_site<S: CommentStore + OtherSite>(
    a: &S,
    store: &str,
) {
    let b = a.other_site("b");
    // The same key on both sites: two threads.
    let ta = thread(a, "/same/");
    let ca = add(a, ta, None, 10, CommentStatus::Approved);
    let reply = add(a, ta, Some(ca), 11, CommentStatus::Approved);
    like(a, ca, "reader-a");
    let tb = thread(&b, "/same/");
    assert_ne!(ta, tb, "{store}: one key, two sites, two threads");
    let cb = add(&b, tb, None, 12, CommentStatus::Approved);

    // By id: not found, not changed.
    assert!(block(b.find_comment(ca)).unwrap().is_none(), "{store}");
    assert!(
        block(b.find_comment_in_thread(ca)).unwrap().is_none(),
        "{store}"
    );
    let edit = block(b.update_body(UpdateBody {
        id: ca,
        body_markdown: "taken over",
        body_html: "<p>taken over</p>",
        now_ms: 20,
        status: None,
        held_for: None,
    }))
    .unwrap();
    assert!(edit.is_none(), "{store}: an edit from another site");
    block(b.delete_comment(ca, 21)).unwrap();
    let liked = block(b.set_like(SetLike {
        id: ca,
        reader_hash: "reader-b",
        client_hash: "client-b",
        liked: true,
        now_ms: 22,
    }))
    .unwrap();
    assert_eq!(liked, (0, false), "{store}: a like from another site");
    let reported = block(b.report(Report {
        id: ca,
        reporter_hash: "reporter-b",
        reason: "spam",
        now_ms: 23,
        threshold: 1,
    }))
    .unwrap();
    assert!(
        !reported.counted && !reported.hidden,
        "{store}: {reported:?}"
    );
    for decision in [Decision::Spam, Decision::Trash, Decision::Hold] {
        let changed = block(b.moderate(&[ca, reply], decision, 24)).unwrap();
        assert!(
            changed.is_empty(),
            "{store}: {decision:?} from another site"
        );
    }
    let replies = block(b.list_replies(ListReplies {
        root_ids: &[ca],
        per_root: None,
    }))
    .unwrap();
    assert!(
        replies.is_empty(),
        "{store}: replies of another site's comment"
    );
    let mine = block(a.find_comment(ca)).unwrap().expect("still there");
    assert_eq!(mine.status, CommentStatus::Approved, "{store}");
    assert_eq!(mine.body_html, "<p><em>hi</em></p>\n", "{store}");
    assert_eq!((mine.likes, mine.reports), (1, 0), "{store}");

    // By key: each site reads its own thread and counts.
    assert_eq!(shown(&b), vec![cb], "{store}");
    assert_eq!(shown(a), vec![ca, reply], "{store}");
    let counts = block(b.count_visible(&["/same/"])).unwrap();
    assert_eq!(counts.get("/same/"), Some(&1), "{store}");
    // Locking one site's thread leaves the other's open.
    block(b.set_thread(ThreadFlags {
        key: "/same/",
        locked: Some(true),
        pinned: None,
    }))
    .unwrap();
    assert!(
        !block(a.find_thread("/same/")).unwrap().unwrap().locked,
        "{store}"
    );

    // By person: trust, blocks and reports are per site.
    let who = WhoQuery {
        email_hash: "email-hash",
        author_key_hash: Some("browser-key-hash"),
        client_hash: "client",
    };
    let before_a = block(a.standing(who.clone())).unwrap();
    assert_eq!(before_a.trusted_comments, 2, "{store}");
    assert_eq!(
        block(b.standing(who.clone())).unwrap().trusted_comments,
        1,
        "{store}"
    );
    block(b.set_block(SetBlock {
        kind: BlockKind::Email,
        hash: "email-hash",
        label: "Ana",
        email_hash: Some("email-hash"),
        on: true,
        now_ms: 30,
    }))
    .unwrap();
    assert!(block(b.standing(who.clone())).unwrap().blocked, "{store}");
    assert!(
        !block(a.standing(who)).unwrap().blocked,
        "{store}: a block on another site"
    );

    // A comment cannot be put into another site's thread.
    let stray = block(b.insert_comment(InsertComment {
        thread_id: ta,
        parent_id: None,
        status: CommentStatus::Approved,
        author_name: "B",
        author_email: "",
        author_url: None,
        body_markdown: "x",
        body_html: "<p>x</p>",
        created_at_ms: 40,
        client_hash: "c",
        root_id: None,
        is_owner: false,
        email_hash: None,
        author_key_hash: None,
        held_for: None,
    }));
    assert!(
        stray.is_err(),
        "{store}: a comment into another site's thread"
    );
}

/// The ids a site's page of `/same/` shows (top-level and replies).
fn shown<S: CommentStore>(s: &S) -> Vec<CommentId> {
    let rows = block(s.thread_page(PageQuery {
        key: "/same/",
        sort: Sort::Oldest,
        after: None,
        limit: 10,
        reply_preview: 5,
    }))
    .unwrap();
    rows.top.iter().chain(&rows.replies).map(|c| c.id).collect()
}
