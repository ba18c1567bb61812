//! The server-rendered views over HTTP: what one view costs D1 (read from the
//! `Server-Timing` header the Worker sends), what the edge cache and `If-None-Match` save,
//! that every write a reader makes shows up at once, and the JavaScript-free page that
//! static-site generators and crawlers read.

use colloquy_core::wire::api::{DeleteComment, EditComment, Sort};
use colloquy_core::wire::defaults::PAGE_SIZE;
use colloquy_core::wire::endpoint::{EmbedQuery, Endpoint, ThreadQuery};
use colloquy_core::wire::vars;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::{request, Reply};
use colloquy_e2e::{seed, unique_thread};

fn query(thread: &str) -> EmbedQuery {
    EmbedQuery {
        thread: ThreadQuery {
            thread: thread.to_owned(),
            sort: Sort::Oldest,
            cursor: None,
        },
        lang: "en".into(),
        title: "Views".into(),
        ..Default::default()
    }
}

fn get(url: &str, headers: &[(&str, &str)]) -> Reply {
    request("GET", url, headers, b"")
}

/// `(statements, round trips)` this request ran on D1, from `Server-Timing`.
fn d1_cost(reply: &Reply) -> (u32, u32) {
    let timing = reply.header_all("server-timing");
    let desc = timing
        .split(',')
        .find_map(|part| part.trim().strip_prefix("d1;desc=\""))
        .unwrap_or_else(|| panic!("no d1 entry in Server-Timing: {timing:?}"));
    let words: Vec<&str> = desc.trim_end_matches('"').split(' ').collect();
    (words[0].parse().unwrap(), words[3].parse().unwrap())
}

fn cache_state(reply: &Reply) -> String {
    reply
        .header_all("server-timing")
        .split(',')
        .find_map(|part| part.trim().strip_prefix("cache;desc=\""))
        .unwrap_or("miss\"")
        .trim_end_matches('"')
        .to_owned()
}

#[test]
fn a_thread_page_is_one_d1_round_trip_and_none_when_cached() {
    let api = Deployment::main();
    let thread = unique_thread("views-cost");
    for i in 0..3 {
        let parent = api.create_id(comment(&thread).body(&format!("Top {i}")));
        api.create_id(
            comment(&thread)
                .body(&format!("Reply {i}"))
                .reply_to(parent),
        );
    }
    let url = query(&thread).url(&api.api, Endpoint::Embed);
    let first = get(&url, &[]);
    assert_eq!(first.status, 200, "{}", first.text);
    assert!(first
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/html")));
    for i in 0..3 {
        assert!(first.text.contains(&format!("Top {i}")));
        assert!(first.text.contains(&format!("Reply {i}")));
    }
    let (statements, round_trips) = d1_cost(&first);
    assert_eq!(round_trips, 1, "the whole page is one D1 batch");
    assert!(statements >= 1);
    assert_eq!(cache_state(&first), "miss");

    // The same view again: the edge copy, without D1.
    let second = get(&url, &[]);
    assert_eq!(second.status, 200);
    assert_eq!(cache_state(&second), "hit");
    assert_eq!(d1_cost(&second), (0, 0));
    assert_eq!(second.text, first.text);

    // A browser that kept the page asks with its ETag: 304, no body, no D1.
    let etag = first.header("etag").expect("an ETag").to_owned();
    let revalidated = get(&url, &[("If-None-Match", &etag)]);
    assert_eq!(revalidated.status, 304);
    assert!(revalidated.text.is_empty());
    assert_eq!(d1_cost(&revalidated), (0, 0));
    assert!(first
        .header("cache-control")
        .is_some_and(|c| c.contains("must-revalidate")));
}

#[test]
fn every_write_a_reader_makes_shows_at_once_in_every_cached_view() {
    let api = Deployment::main();
    let thread = unique_thread("views-fresh");
    api.create_id(comment(&thread).body("Already here"));
    let url = query(&thread).url(&api.api, Endpoint::Embed);
    let before = get(&url, &[]);
    assert_eq!(get(&url, &[]).header("etag"), before.header("etag"));
    let old_etag = before.header("etag").unwrap().to_owned();

    // A new comment: the next view (even with the old ETag) has it.
    let created = api.create(&comment(&thread).body("Just posted").build());
    let after_post = get(&url, &[("If-None-Match", &old_etag)]);
    assert_eq!(after_post.status, 200, "an old ETag no longer matches");
    assert!(after_post.text.contains("Just posted"));
    assert!(after_post.text.contains("2 comments"));
    assert_ne!(after_post.header("etag").unwrap(), old_etag);

    // An edit.
    let id = created.comment.id;
    let edit = EditComment {
        edit_token: created.edit_token.clone(),
        body: "Edited words".into(),
    };
    assert_eq!(api.write(Endpoint::EditComment(id), &edit).status, 200);
    let after_edit = get(&url, &[]);
    assert!(after_edit.text.contains("Edited words"));
    assert!(!after_edit.text.contains("Just posted"));

    // A delete.
    let delete = DeleteComment {
        edit_token: created.edit_token,
    };
    let deleted = api.write(Endpoint::DeleteComment(id), &delete);
    assert!(deleted.status < 300, "{}", deleted.text);
    let after_delete = get(&url, &[]);
    assert!(!after_delete.text.contains("Edited words"));
    assert!(after_delete.text.contains("1 comment"));
}

/// KV refuses keys over 512 bytes; a thread key of 300 characters in a script of
/// three-byte letters is 900. Its version must still be read and bumped, or its cached
/// page would hide new comments for a whole page window.
#[test]
fn a_new_comment_shows_at_once_on_a_thread_with_the_longest_key() {
    let api = Deployment::main();
    let base = unique_thread("views-long");
    let thread = format!("{base}{}", "論".repeat(300 - base.chars().count()));
    api.create_id(comment(&thread).body("First words"));
    let url = query(&thread).url(&api.api, Endpoint::Embed);
    let before = get(&url, &[]);
    assert_eq!(before.status, 200, "{}", before.text);
    assert_eq!(cache_state(&get(&url, &[])), "hit");
    api.create_id(comment(&thread).body("Second words"));
    let after = get(&url, &[]);
    assert!(
        after.text.contains("Second words"),
        "a stale page was served"
    );
    assert!(after.text.contains("2 comments"));
}

#[test]
fn the_plain_page_reads_and_pages_without_javascript() {
    let api = Deployment::main();
    let thread = unique_thread("views-plain");
    let total = PAGE_SIZE as usize + 3;
    let seeds: Vec<seed::Seed> = (0..total)
        .map(|i| seed::top(format!("Plain comment {i:03}")))
        .collect();
    seed::thread(&api, &thread, &seeds);
    let mut q = query(&thread);
    q.page = format!("{}/some/article/", Deployment::main().demo);
    let first = get(&q.url(&api.api, Endpoint::View), &[]);
    assert_eq!(first.status, 200, "{}", first.text);
    let html = &first.text;
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "nothing to run");
    // Every seeded comment has an address at example.org.
    assert!(!html.contains("@example.org"), "no email, ever");
    assert!(html.contains("Plain comment 000"));
    assert!(!html.contains(&format!("Plain comment {:03}", total - 1)));
    // A link back to the article (an allowed origin), and a plain link to the next page.
    assert!(html.contains(&format!(
        "href=\"{}/some/article/\"",
        Deployment::main().demo
    )));
    let next = html
        .split("class=\"cq-more\"")
        .nth(1)
        .and_then(|rest| rest.split("href=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the next page")
        .replace("&amp;", "&");
    assert!(next.starts_with(&api.api), "{next}");
    let second = get(&next, &[]);
    assert_eq!(second.status, 200);
    assert!(second
        .text
        .contains(&format!("Plain comment {:03}", total - 1)));
    assert!(!second.text.contains("Plain comment 000"));
    // Without JavaScript: back to the first page from a later one, and the order as links.
    let back = second
        .text
        .split("class=\"cq-first-page\"")
        .nth(1)
        .and_then(|rest| rest.split("href=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("a link back to the first page")
        .replace("&amp;", "&");
    assert!(get(&back, &[]).text.contains("Plain comment 000"));
    assert!(
        !html.contains("cq-first-page"),
        "the first page has no way back"
    );
    let newest = html
        .split("class=\"cq-sorts\"")
        .nth(1)
        .and_then(|rest| rest.split("href=\"").nth(2))
        .and_then(|rest| rest.split('"').next())
        .expect("the newest-first link")
        .replace("&amp;", "&");
    let newest = get(&newest, &[]).text;
    assert!(
        newest.contains(&format!("Plain comment {:03}", total - 1))
            && !newest.contains("Plain comment 000"),
        "newest first"
    );

    // A link back anywhere else is not offered: the page would lend it the server's name.
    let mut elsewhere = query(&thread);
    elsewhere.page = "https://phish.example/login".into();
    let page = get(&elsewhere.url(&api.api, Endpoint::View), &[]);
    assert_eq!(page.status, 200);
    assert!(!page.text.contains("href=\"https://phish.example"));
}

#[test]
fn views_refuse_bad_and_foreign_input_with_json_errors() {
    let api = Deployment::main();
    let here = unique_thread("views-here");
    let there = unique_thread("views-there");
    api.create_id(comment(&here).body("Here"));
    let foreign = api.create_id(comment(&there).body("Secret elsewhere"));
    let base = Endpoint::Embed.url(&api.api);
    for (url, status, code) in [
        (base.clone(), 422, "validation_failed"),
        (
            format!("{base}?thread=%2Fx%2F&sort=sideways"),
            400,
            "cursor_invalid",
        ),
        (
            format!("{base}?thread=%2Fx%2F&cursor=not-a-cursor"),
            400,
            "cursor_invalid",
        ),
    ] {
        let reply = get(&url, &[]);
        assert_eq!(
            reply.error(),
            (status, code.to_owned()),
            "{url}: {}",
            reply.text
        );
    }
    // Another thread's comment through this thread's subtree or plain page: not found.
    let mut q = query(&here);
    let replies = get(&q.url(&api.api, Endpoint::EmbedReplies(foreign)), &[]);
    assert_eq!(replies.status, 404, "{}", replies.text);
    assert_eq!(replies.error_code(), "comment_not_found");
    q.root = Some(foreign);
    let plain = get(&q.url(&api.api, Endpoint::View), &[]);
    assert_eq!(plain.status, 404, "{}", plain.text);
    assert!(!plain.text.contains("Secret elsewhere"));
}

/// On the limits deployment, whose page versions hold `PAGE_FRESH_SECS` = 2 seconds.
#[test]
fn a_like_reaches_a_revalidating_browser_within_one_page_window() {
    let d = Deployment::limits();
    let thread = unique_thread("views-likes");
    let id = d.create_id(comment(&thread).body("Worth a like"));
    let url = query(&thread).url(&d.api, Endpoint::Embed);
    let first = get(&url, &[]);
    assert_eq!(first.status, 200);
    assert!(first.text.contains("Worth a like"));
    let etag = first.header("etag").unwrap().to_owned();
    // A like does not bump the thread's version (a hot thread's cache would be emptied by
    // every one)…
    let liked = d.write(
        Endpoint::Like(id),
        &serde_json::json!({ "reader": "reader-for-the-etag-test-01" }),
    );
    assert_eq!(liked.json()["likes"], 1, "{}", liked.text);
    // …but once the window has passed, the browser's copy is replaced, count included.
    let secs: u64 = Deployment::limits()
        .var(vars::PAGE_FRESH_SECS)
        .parse()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(secs * 1000 + 200));
    let later = get(&url, &[("If-None-Match", &etag)]);
    assert_eq!(later.status, 200, "the old ETag no longer matches");
    assert!(first.text.contains(r#"<span class="cq-count">0</span>"#));
    assert!(
        later.text.contains(r#"<span class="cq-count">1</span>"#),
        "the new count is shown"
    );
}
