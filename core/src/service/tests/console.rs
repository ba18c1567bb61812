//! The console's lists, threads, blocks, the owner's replies and statistics, on SQLite.

use super::fixtures::*;
use crate::db::store::CommentStore;
use crate::domain::dates::rfc3339;
use crate::service::error::ServiceError;
use crate::wire::api::CommentId;
use crate::wire::api::NewComment;
use crate::wire::console::{Tab, ThreadChange};
use crate::wire::error::ErrorCode;
use crate::wire::limits;
use crate::wire::moderation::Decision;
use crate::wire::settings::SiteSettings;

/// The owner's replies carry the name set in the console (cleaned like a reader's),
/// else "Site owner"; a name too long or showing nothing is refused at its field.
#[test]
fn the_owners_replies_carry_the_name_from_the_settings() {
    let mut f = Fixture::new();
    let top = f.post("/named/", "n@example.org", "Hello");
    let reply = |f: &Fixture| {
        block(f.svc().owner_reply(top, "Thanks", "", T0 + 30))
            .unwrap()
            .0
            .comment
            .author
    };
    assert_eq!(reply(&f), "Site owner");
    f.site.apply(&SiteSettings {
        owner_name: Some("  Maja \u{202e}Novak ".into()),
        ..SiteSettings::default()
    });
    assert_eq!(reply(&f), "Maja Novak");
    let refused = |name: &str| {
        let s = SiteSettings {
            owner_name: Some(name.into()),
            ..SiteSettings::default()
        };
        match block(f.svc().save_owner_settings(&s)) {
            Err(ServiceError::Settings(p)) => p[0].field.clone(),
            other => panic!("{name:?}: {other:?}"),
        }
    };
    assert_eq!(refused(&"M".repeat(200)), "owner_name");
    assert_eq!(refused("\u{200b}\u{200b}"), "owner_name");
}

/// The statistics: every one of the last 30 days (zeros too), the busiest threads by
/// published comments, and what waits since when.
#[test]
fn statistics_count_days_threads_and_the_queue() {
    let f = Fixture::new();
    f.post("/busy/", "a@example.org", "one");
    f.post("/busy/", "b@example.org", "two");
    f.post("/quiet/", "c@example.org", "three");
    let held = f.post("/quiet/", "d@example.org", "four");
    block(f.svc().moderate(&[held], Decision::Hold, T0)).unwrap();
    let now = T0 + 10 + 86_400_000;
    let stats = block(f.svc().stats(now)).unwrap();
    assert_eq!(stats.per_day.len(), 30);
    let total: u32 = stats.per_day.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 4, "published and waiting: {:?}", stats.per_day);
    assert_eq!(stats.per_day.last().unwrap().1, 0, "nothing today");
    assert_eq!(stats.per_day[28].1, 4, "all yesterday");
    assert_eq!(
        stats.top_threads,
        vec![
            ("/busy/".to_owned(), None, 2),
            ("/quiet/".to_owned(), None, 1)
        ]
    );
    assert_eq!(stats.pending, 1);
    assert_eq!(stats.oldest_pending, Some(rfc3339(T0 + 10)));
}

/// "held: a muted word" says which word and where, by today's list.
#[test]
fn a_comment_held_for_a_muted_word_names_the_word_and_the_field() {
    let mut f = Fixture::new();
    f.site.rules.muted.body = vec!["cas*no".into()];
    let held = f.post("/muted/", "m@example.org", "the best c&#97;sino in town");
    let list = block(f.svc().owner_comments(Tab::Pending, Some("/muted/"), None)).unwrap();
    let c = list.comments.iter().find(|c| c.id == held).unwrap();
    assert_eq!(c.held_for, Some(crate::wire::moderation::HeldFor::Muted));
    assert_eq!(c.held_detail.as_deref(), Some("“cas*no” in the comment"));
    f.site.rules.muted.body.clear();
    let list = block(f.svc().owner_comments(Tab::Pending, Some("/muted/"), None)).unwrap();
    assert_eq!(
        list.comments[0].held_detail.as_deref(),
        Some("a word no longer on the muted list")
    );
}

/// The owner reads a comment in context: why readers reported it (reasons counted),
/// what it answers (author and first words, nothing of a deleted parent), and whether
/// it is the thread's pinned one.
#[test]
fn listed_comments_carry_report_reasons_their_parent_and_the_pin() {
    use crate::db::exec::{Query, SqlExec};
    let f = Fixture::new();
    let svc = f.svc();
    let top = f.post(
        "/ctx/",
        "top@example.org",
        "The **first** words of the top comment",
    );
    let input = NewComment {
        thread: "/ctx/".into(),
        parent_id: Some(top),
        body: "An answer".into(),
        name: "Bea".into(),
        email: "bea@example.org".into(),
        form_token: svc.form_token("/ctx/", "c", T0 - 500).unwrap().form_token,
        ..Default::default()
    };
    let reply = block(svc.post(&input, "c", T0 + 20)).unwrap().comment.id;
    for (who, reason) in [("r1", "spam"), ("r2", "spam"), ("r3", "abuse")] {
        block(f.store.exec().rows(Query::new(
            "INSERT INTO reports (comment_id, reporter_hash, reason, created_at) VALUES (?1, ?2, ?3, 0)",
            vec![reply.into(), who.into(), reason.into()],
        )))
        .unwrap();
    }
    block(f.store.exec().rows(Query::new(
        "UPDATE comments SET reports = 3 WHERE id = ?1",
        vec![reply.into()],
    )))
    .unwrap();
    block(svc.change_thread(&ThreadChange {
        key: "/ctx/".into(),
        pin: Some(top),
        ..ThreadChange::default()
    }))
    .unwrap();
    let list = block(svc.owner_comments(Tab::All, Some("/ctx/"), None)).unwrap();
    let find = |id| list.comments.iter().find(|c| c.id == id).unwrap();
    assert_eq!(
        find(reply).report_reasons,
        vec![("spam".to_owned(), 2), ("abuse".to_owned(), 1)]
    );
    let parent = find(reply).parent.clone().unwrap();
    assert_eq!(parent.author, "Ana");
    assert_eq!(parent.excerpt, "The first words of the top comment");
    assert!(parent
        .permalink
        .unwrap()
        .ends_with(&format!("#comment-{}", top.0)));
    assert!(find(top).pinned && !find(reply).pinned);
    block(svc.moderate(&[top], Decision::Trash, T0)).unwrap();
    let list = block(svc.owner_comments(Tab::All, Some("/ctx/"), None)).unwrap();
    let parent = list.comments[0].parent.clone().unwrap();
    assert_eq!(
        (parent.author.as_str(), parent.excerpt.as_str()),
        ("", ""),
        "a trashed parent shows nothing"
    );
}

/// Bulk work past D1's 100 bound values: one decision on 250 comments changes all of
/// them (in batches), the lists count and list every match, and the Trash empties
/// itself by age only.
#[test]
fn bulk_decisions_take_any_number_and_the_trash_empties_by_age() {
    let f = Fixture::new();
    let svc = f.svc();
    let ids: Vec<CommentId> = (0..250)
        .map(|i| f.post("/bulk/", &format!("b{i}@example.org"), &format!("bulk {i}")))
        .collect();
    let other = f.post("/else/", "e@example.org", "not in the search");
    let list = block(svc.owner_comments(Tab::All, Some("bulk"), None)).unwrap();
    assert_eq!((list.comments.len(), list.total), (50, 250));
    let matching = block(svc.matching_ids(Tab::All, Some("bulk"))).unwrap();
    assert_eq!(matching.comments.len(), 250);
    assert!(matching
        .comments
        .iter()
        .all(|(_, state)| state == "approved"));
    assert!(!matching.comments.iter().any(|(id, _)| *id == other));

    let done = block(svc.moderate(&ids, Decision::Trash, T0)).unwrap();
    assert_eq!(done.changed, 250, "every one, past the 100-value bound");
    assert_eq!(done.threads, vec!["/bulk/".to_owned()]);
    let counts = block(svc.tab_counts()).unwrap();
    assert_eq!((counts.trash, counts.pending), (250, 0));
    let trash = block(svc.owner_comments(Tab::Trash, None, None)).unwrap();
    assert_eq!(trash.total, 250);
    assert!(trash
        .comments
        .iter()
        .all(|c| c.status == "trash" && !c.body_html.is_empty()));
    assert_eq!(
        block(svc.owner_comments(Tab::All, Some("bulk"), None))
            .unwrap()
            .total,
        0,
        "the Trash is not in Everything"
    );
    // Half restored; the Trash empties only what has been there long enough.
    block(svc.moderate(&ids[..125], Decision::Restore, T0)).unwrap();
    let days = i64::from(f.site.trash_days);
    let early = block(svc.empty_old_trash(T0 + (days * 86_400_000) - 1)).unwrap();
    assert_eq!(early.changed, 0);
    // A bounded number a run (the Cron Trigger comes back every five minutes).
    let later = T0 + days * 86_400_000 + 1;
    let emptied = block(svc.empty_old_trash(later)).unwrap();
    assert_eq!(emptied.changed, limits::TRASH_EMPTY_BATCH);
    let rest = block(svc.empty_old_trash(later)).unwrap();
    assert_eq!(emptied.changed + rest.changed, 125);
    assert_eq!(block(svc.tab_counts()).unwrap().trash, 0);
    assert_eq!(
        block(svc.owner_comments(Tab::All, Some("bulk"), None))
            .unwrap()
            .total,
        125,
        "the restored half is back"
    );
    let gone = block(f.store.find_comment(ids[200])).unwrap().unwrap();
    assert!(gone.body_markdown.is_empty() && gone.author_email.is_empty());
}

#[test]
fn lists_search_block_purge_and_erase() {
    let mut f = Fixture::new();
    f.site.rules.moderation = crate::wire::settings::ModerationMode::All;
    let a = f.post("/one/", "ana@example.org", "about 100% of_it");
    let b = f.post("/two/", "bo@example.org", "a quiet remark");
    let c = f.post("/two/", "ana@example.org", "again from Ana");
    let svc = f.svc();
    let pending = block(svc.owner_comments(Tab::Pending, None, None)).unwrap();
    let ids: Vec<CommentId> = pending.comments.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![c, b, a], "newest first");
    assert_eq!(
        pending.comments[2].email, "ana@example.org",
        "the owner sees emails"
    );
    assert_eq!(
        pending.comments[2].permalink.as_deref(),
        Some(format!("https://blog.example.org/one/#comment-{}", a.0).as_str())
    );
    let search = |q| {
        block(svc.owner_comments(Tab::All, Some(q), None))
            .unwrap()
            .comments
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(search("100%"), vec![a], "% is literal");
    assert_eq!(search("%"), vec![a]);
    assert_eq!(search("of_it"), vec![a], "_ is literal");
    assert_eq!(search("BO@EXAMPLE"), vec![b], "by email, any case");
    assert_eq!(search("/two/"), vec![c, b], "by thread");
    let changed = block(svc.moderate(&[a, b], Decision::Approve, T0)).unwrap();
    assert_eq!(
        changed.threads,
        vec!["/one/".to_owned(), "/two/".to_owned()]
    );
    assert_eq!(changed.changed, 2);
    let threads = block(svc.owner_threads(T0)).unwrap().threads;
    let two = threads.iter().find(|t| t.key == "/two/").unwrap();
    assert_eq!((two.comments, two.pending), (1, 1));

    assert_eq!(block(svc.block_author(c, true, true, T0)).unwrap(), 2);
    let blocks = block(svc.blocks()).unwrap().blocks;
    assert_eq!(blocks.len(), 2);
    assert!(blocks.iter().all(|b| b.label == "Ana (a…@example.org)"));

    let export = block(svc.export(" Ana@Example.org", T0)).unwrap();
    let exported: Vec<CommentId> = export.comments.iter().map(|c| c.id).collect();
    assert_eq!(exported, vec![a, c]);
    let purged = block(svc.purge_author(a, T0)).unwrap();
    assert_eq!((purged.threads.len(), purged.changed), (2, 2));
    let trash = block(svc.owner_comments(Tab::Trash, None, None)).unwrap();
    assert_eq!(trash.total, 2, "a purge goes to the Trash");
    assert!(
        block(svc.owner_comments(Tab::All, Some("ana@example"), None))
            .unwrap()
            .comments
            .is_empty()
    );
    let erased = block(svc.erase("ana@example.org", T0)).unwrap();
    assert_eq!(erased.len(), 2);
    assert!(block(svc.export("ana@example.org", T0))
        .unwrap()
        .comments
        .is_empty());
    let blocks = block(svc.blocks()).unwrap().blocks;
    assert_eq!(blocks.len(), 2, "erasure is no way around a block");
    assert!(blocks.iter().all(|b| b.label == "an erased commenter"));
    assert_eq!(
        block(svc.export("nobody", T0)).unwrap_err().code(),
        ErrorCode::ValidationFailed
    );
}
