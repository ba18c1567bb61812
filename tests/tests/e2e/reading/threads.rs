//! Reading threads through the API: an empty thread, cursor pages, reply previews and the
//! rest of a subtree, permalink context, likes and sorting, counts for index pages.

use colloquy_core::wire::api::{CommentId, Sort, ThreadPage};
use colloquy_core::wire::endpoint::{counts_query, Endpoint, ThreadQuery};
use colloquy_core::wire::limits::COUNT_KEYS as MAX_COUNT_KEYS;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::Reply;
use colloquy_e2e::{seed, unique_thread};
use serde_json::json;

#[test]
fn health_answers_ok() {
    let reply = Deployment::main().get(&Endpoint::Health.path());
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"ok": true}));
}

#[test]
fn a_thread_nobody_commented_on_is_empty() {
    let thread = unique_thread("empty");
    let page = Deployment::main().page(&thread);
    assert_eq!(page.thread, thread);
    assert_eq!(page.total, 0);
    assert!(page.comments.is_empty());
    assert_eq!(page.title, None);
}

#[test]
fn listing_without_a_thread_key_is_a_validation_error() {
    let reply = Deployment::main().get(&Endpoint::ListThread.path());
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(
        reply.json()["error"]["fields"][0],
        json!({"field": "thread", "code": "thread_required"})
    );
}

fn post(thread: &str, parent: Option<CommentId>, body: &str) -> CommentId {
    let c = comment(thread).name("Ana").body(body);
    Deployment::main().create_id(match parent {
        Some(p) => c.reply_to(p),
        None => c,
    })
}

fn ids(page: &ThreadPage) -> Vec<CommentId> {
    page.comments.iter().map(|c| c.id).collect()
}

fn like(id: CommentId, reader: &str, on: bool) -> Reply {
    let endpoint = if on {
        Endpoint::Like(id)
    } else {
        Endpoint::Unlike(id)
    };
    Deployment::main().write(endpoint, &json!({ "reader": reader }))
}

#[test]
fn a_large_thread_pages_by_cursor_and_previews_replies() {
    let thread = unique_thread("pages");
    // 23 comments, 12 replies to the first and one reply to the first reply.
    let mut seeds: Vec<seed::Seed> = (0..23).map(|i| seed::top(format!("top {i}"))).collect();
    seeds.extend((0..12).map(|i| seed::reply(0, format!("reply {i}"))));
    seeds.push(seed::reply(23, "a reply to a reply"));
    let ids_in_order = seed::thread(&Deployment::main(), &thread, &seeds);
    let top = ids_in_order[..23].to_vec();
    let replies = ids_in_order[23..35].to_vec();
    let deep = ids_in_order[35];

    let first = Deployment::main().page(&thread);
    assert_eq!(first.total, 36);
    assert_eq!(first.sort, Sort::Oldest);
    let first_ids = ids(&first);
    // 20 top-level comments, then the first 10 replies of the first one's subtree.
    assert_eq!(&first_ids[..20], &top[..20]);
    assert_eq!(first_ids.len(), 30, "{first_ids:?}");
    assert_eq!(first.comments[0].descendants, 13);
    let cursor = first.next_cursor.clone().expect("more pages");

    let second = Deployment::main().page_after(&thread, Sort::Oldest, Some(&cursor));
    assert_eq!(ids(&second), top[20..].to_vec());
    assert!(second.next_cursor.is_none());

    let subtree: colloquy_core::wire::api::RepliesPage = Deployment::main()
        .get(&Endpoint::Replies(top[0]).path())
        .expect(200);
    let mut expected = replies.clone();
    expected.push(deep);
    assert_eq!(
        subtree.comments.iter().map(|c| c.id).collect::<Vec<_>>(),
        expected,
        "every reply of the subtree, oldest first"
    );
    assert!(subtree.comments.iter().all(|c| c.root_id == Some(top[0])));

    let context: colloquy_core::wire::api::CommentContext = Deployment::main()
        .get(&Endpoint::CommentContext(deep).path())
        .expect(200);
    assert_eq!(context.root_id, top[0]);
    assert_eq!(context.thread, thread);
    assert_eq!(context.comment.parent_id, Some(replies[0]));

    let newest = Deployment::main().page_after(&thread, Sort::Newest, None);
    assert_eq!(ids(&newest)[0], top[22]);
    let bad_cursors = [
        ThreadQuery {
            thread: thread.clone(),
            sort: Sort::Oldest,
            cursor: Some("nonsense".into()),
        },
        ThreadQuery {
            thread: thread.clone(),
            sort: Sort::Newest,
            cursor: Some(cursor.clone()),
        },
    ];
    for q in bad_cursors {
        assert_eq!(
            Deployment::main().list(&q).error(),
            (400, "cursor_invalid".into()),
            "{q:?}"
        );
    }
    let random_sort = format!(
        "{}?thread={}&sort=random",
        Endpoint::ListThread.path(),
        thread
    );
    assert_eq!(
        Deployment::main().get(&random_sort).error(),
        (400, "cursor_invalid".into())
    );
    let missing = Deployment::main().get(&Endpoint::Replies(CommentId(999_999_999)).path());
    assert_eq!(missing.error(), (404, "comment_not_found".into()));
}

#[test]
fn likes_count_once_per_reader_and_sort_the_thread() {
    let thread = unique_thread("likes");
    let a = post(&thread, None, "a");
    let b = post(&thread, None, "b");
    let reader_one = "reader-one-0123456789abcdef";
    let reader_two = "reader-two-0123456789abcdef";
    assert_eq!(
        like(b, reader_one, true).json(),
        json!({"likes": 1, "liked": true})
    );
    assert_eq!(
        like(b, reader_one, true).json()["likes"],
        1,
        "a second like by the same reader"
    );
    assert_eq!(like(b, reader_two, true).json()["likes"], 2);
    assert_eq!(like(a, reader_two, true).json()["likes"], 1);
    assert_eq!(
        like(a, reader_two, false).json(),
        json!({"likes": 0, "liked": false})
    );
    let liked = Deployment::main().page_after(&thread, Sort::Liked, None);
    assert_eq!(ids(&liked), vec![b, a]);
    assert_eq!(liked.comments[0].likes, 2);

    assert_eq!(like(a, "x", true).error(), (422, "reader_invalid".into()));
    let foreign = Deployment::main().send(
        "POST",
        &Endpoint::Like(a).path(),
        &[
            ("Origin", "https://evil.example"),
            ("Content-Type", "application/json"),
        ],
        json!({"reader": reader_one}).to_string().as_bytes(),
    );
    assert_eq!(foreign.error(), (403, "origin_not_allowed".into()));
    let page = Deployment::main().list(&ThreadQuery {
        thread,
        ..Default::default()
    });
    assert!(
        !page.text.contains(reader_one),
        "reader ids are never published"
    );
}

#[test]
fn counts_for_many_threads_come_in_one_request() {
    let busy = unique_thread("count-busy");
    let quiet = unique_thread("count-quiet");
    post(&busy, None, "one");
    let first = post(&busy, None, "two");
    post(&busy, Some(first), "three");
    let url = |keys: &[&str]| format!("{}?{}", Endpoint::Counts.path(), counts_query(keys));
    let reply = Deployment::main().get(&url(&[&busy, &quiet, &busy]));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json()["counts"],
        json!({ busy.clone(): 3, quiet.clone(): 0 })
    );
    let keys: Vec<String> = (0..=MAX_COUNT_KEYS).map(|i| format!("/t{i}/")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    assert_eq!(Deployment::main().get(&url(&keys)).status, 422);
}
