//! The thread in the widget, in Chromium: the seeded discussion, likes and the remembered
//! sort, pages and permalinks (also into other threads), depth and collapsing, themes and
//! languages, and what a failed load or "Show more" says.

use std::time::Duration;

use colloquy_core::wire::endpoint::Endpoint;
use colloquy_e2e::browser::{
    block_urls, cdp, click, count, delay_responses, delayed_done, in_widget, open_demo,
    open_demo_with, poll, session, set_online, type_into, value_of, wait_focus, wait_for,
    wait_for_text, widget_root,
};
use colloquy_e2e::fixtures::{comment, seed as post, Deployment, DEMO_TITLE};
use colloquy_e2e::{seed, unique_thread};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test]
async fn the_seeded_demo_shows_a_nested_discussion() {
    let client = session().await;
    let root = open_demo(&client, None).await;
    let heading = colloquy_e2e::fixtures::demo_thread_heading();
    wait_for_text(
        &root,
        "h2.cq-heading",
        &format!("{heading} on “{DEMO_TITLE}”"),
    )
    .await;
    // A reply to a reply: two levels of nesting.
    let deep = wait_for_text(
        &root,
        "ol.cq-replies ol.cq-replies article",
        "Assigned at first",
    )
    .await;
    assert!(deep.text().await.unwrap().contains("Tomaž Horvat"));
    let replies = root
        .find_all(Locator::Css("button.cq-reply"))
        .await
        .unwrap();
    assert_eq!(replies.len(), 6, "one Reply button per comment");
    let times = root.find_all(Locator::Css("time[datetime]")).await.unwrap();
    assert_eq!(times.len(), 6);
    // The date, the same for every reader and every cached copy, with the time on hover.
    let shown = times[0].text().await.unwrap();
    let datetime = times[0].attr("datetime").await.unwrap().unwrap_or_default();
    let title = times[0].attr("title").await.unwrap().unwrap_or_default();
    assert!(
        datetime.starts_with("2026-"),
        "machine-readable date: {datetime}"
    );
    assert!(shown.contains("2026"), "the date is shown: {shown}");
    assert!(
        title.contains("2026") && title.contains(':'),
        "date and time on hover: {title}"
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn likes_count_once_and_the_sort_choice_is_remembered() {
    let thread = unique_thread("likes-ui");
    post(&thread, None, "first, less popular", "A");
    post(&thread, None, "second, more popular", "B");
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    let second = wait_for_text(&root, "li.cq-item", "more popular").await;
    let like = second.find(Locator::Css(".cq-like")).await.unwrap();
    like.click().await.unwrap();
    wait_for_text(&root, "li.cq-item:nth-child(2) .cq-like", "1").await;
    assert_eq!(
        like.attr("aria-pressed").await.unwrap().as_deref(),
        Some("true")
    );

    let select = wait_for(&root, ".cq-sort select").await;
    select.select_by_value("liked").await.unwrap();
    wait_for_text(&root, "ol.cq-list > li.cq-item:first-child", "more popular").await;

    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    wait_for_text(&root, "ol.cq-list > li.cq-item:first-child", "more popular").await;
    assert_eq!(value_of(&root, ".cq-sort select").await, "liked");
    let like = wait_for(&root, "ol.cq-list > li.cq-item:first-child .cq-like").await;
    assert_eq!(
        like.attr("aria-pressed").await.unwrap().as_deref(),
        Some("true")
    );
    assert!(like.text().await.unwrap().contains('1'));
    // Liking again from the same browser takes the like back rather than adding one:
    // the same comment's button says so, and so does the server.
    like.click().await.unwrap();
    let popular = wait_for_text(&root, "ol.cq-list > li.cq-item", "more popular").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let button = popular.find(Locator::Css(".cq-like")).await.unwrap();
        let pressed = button.attr("aria-pressed").await.unwrap();
        if pressed.as_deref() == Some("false") && button.text().await.unwrap().ends_with('0') {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the like was not taken back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = colloquy_e2e::fixtures::Deployment::main().page(&thread);
    let liked = page
        .comments
        .iter()
        .find(|c| c.body_html.contains("more popular"))
        .unwrap();
    assert_eq!(liked.likes, 0, "the server agrees");
    // Leave the default for the other tests in this browser profile (each has its own).
    client.close().await.unwrap();
}

#[tokio::test]
async fn big_threads_load_in_pages_and_permalinks_reach_beyond_the_first() {
    let thread = unique_thread("big");
    let mut seeds: Vec<seed::Seed> = (0..23)
        .map(|i| seed::top(format!("Top comment number {i}")).by("P"))
        .collect();
    seeds.extend((0..12).map(|i| seed::reply(1, format!("Reply number {i}")).by("R")));
    let all: Vec<i64> = seed::thread(&Deployment::main(), &thread, &seeds)
        .into_iter()
        .map(|id| id.0)
        .collect();
    let (top, replies) = all.split_at(23);
    let client = session().await;

    // A permalink to a comment on the second page: loaded, scrolled to, highlighted.
    let target = top[21];
    let root = open_demo_with(&client, &format!("thread={thread}#comment-{target}")).await;
    wait_for(&root, &format!("li.cq-target > #comment-{target}")).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let visible = in_widget(
            &client,
            &format!("const r = root.getElementById('comment-{target}').getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight;"),
        )
        .await;
        if visible == json!(true) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the permalinked comment is not scrolled into view"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Without a permalink: the first page, then "Show more comments".
    let root = open_demo(&client, Some(&thread)).await;
    wait_for_text(&root, "h2.cq-heading", "35 comments").await;
    let shown = root
        .find_all(Locator::Css("ol.cq-list > li.cq-item"))
        .await
        .unwrap();
    assert_eq!(shown.len(), 20);
    click(&root, ".cq-more a").await;
    wait_for_text(
        &root,
        "ol.cq-list > li.cq-item:nth-child(23)",
        "Top comment number 22",
    )
    .await;
    assert!(
        root.find(Locator::Css(".cq-more a")).await.is_err(),
        "no more pages"
    );

    // The second comment shows 10 of its 12 replies, and the rest on request.
    let more = wait_for_text(&root, ".cq-more-replies a", "Show 2 more replies").await;
    more.click().await.unwrap();
    wait_for_text(&root, "ol.cq-replies > li.cq-item", "Reply number 11").await;
    let nested = root
        .find_all(Locator::Css(
            "ol.cq-list > li.cq-item:nth-child(2) > ol.cq-replies > li",
        ))
        .await
        .unwrap();
    assert_eq!(nested.len(), replies.len());
    client.close().await.unwrap();
}

#[tokio::test]
async fn deep_replies_stop_at_the_maximum_depth_and_can_be_collapsed() {
    let thread = unique_thread("deep");
    let mut parent = post(&thread, None, "level 1", "L1");
    for level in 2..=6 {
        parent = post(
            &thread,
            Some(parent),
            &format!("level {level}"),
            &format!("L{level}"),
        );
    }
    let client = session().await;
    let root = open_demo_with(&client, &format!("thread={thread}&depth=3")).await;
    wait_for_text(&root, "li.cq-item", "level 6").await;
    let depths = in_widget(
        &client,
        "return [...root.querySelectorAll('li.cq-item')].map(li => Number(li.dataset.depth));",
    )
    .await;
    let depths: Vec<u32> = serde_json::from_value(depths).unwrap();
    assert_eq!(depths, vec![1, 2, 3, 3, 3, 3], "levels 4-6 stay on level 3");
    let flat = wait_for_text(&root, "li[data-depth='3']", "level 5").await;
    assert!(flat.text().await.unwrap().contains("in reply to L4"));

    let hide = wait_for(&root, "ol.cq-list > li.cq-item > article .cq-collapse").await;
    hide.click().await.unwrap();
    wait_for_text(
        &root,
        "ol.cq-list > li.cq-item > article .cq-collapse",
        "Show 5 replies",
    )
    .await;
    for replies in root.find_all(Locator::Css("ol.cq-replies")).await.unwrap() {
        assert!(
            !replies.is_displayed().await.unwrap(),
            "collapsed replies are not shown"
        );
    }
    assert_eq!(
        hide.attr("aria-expanded").await.unwrap().as_deref(),
        Some("false")
    );
    hide.click().await.unwrap();
    wait_for_text(&root, "li.cq-item", "level 6").await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn dark_theme_languages_and_the_ready_event() {
    let client = session().await;
    let thread = unique_thread("i18n");
    let root = open_demo_with(&client, &format!("thread={thread}&theme=dark&lang=sl")).await;
    wait_for_text(
        &root,
        "h2.cq-heading",
        "Še ni komentarjev k „Can communities of practice learn online?“",
    )
    .await;
    wait_for_text(&root, ".cq-compose", "Vaš e-naslov ne bo objavljen").await;
    let bg = in_widget(
        &client,
        "return getComputedStyle(root.querySelector('section.cq')).backgroundColor;",
    )
    .await;
    assert_eq!(bg, json!("rgb(13, 17, 23)"), "dark theme background");
    let ready = client
        .execute("return window.__colloquyReady", vec![])
        .await
        .unwrap();
    assert_eq!(ready, json!(thread));

    post(&thread, None, "one", "A");
    post(&thread, None, "two", "B");
    let root = open_demo_with(&client, &format!("thread={thread}&lang=de&theme=light")).await;
    wait_for_text(&root, "h2.cq-heading", "2 Kommentare zu „Can communities").await;
    // Dates in German order: "29. November 2026".
    let date = wait_for(&root, "time").await.text().await.unwrap();
    let parts: Vec<&str> = date.split(' ').collect();
    assert!(
        parts.len() == 3
            && parts[0].trim_end_matches('.').parse::<u8>().is_ok()
            && parts[0].ends_with('.')
            && parts[2].parse::<u16>().is_ok(),
        "a German date: {date}"
    );
    let root = open_demo_with(&client, &format!("thread={thread}&lang=sl")).await;
    wait_for_text(&root, "h2.cq-heading", "2 komentarja k „").await;
    let bg = in_widget(
        &client,
        "return getComputedStyle(root.querySelector('section.cq')).backgroundColor;",
    )
    .await;
    assert_ne!(
        bg,
        json!("rgb(13, 17, 23)"),
        "auto follows the (light) system preference"
    );
    // And the dark half of `auto`: the reader's system prefers dark.
    cdp(
        &client,
        "Emulation.setEmulatedMedia",
        json!({"features": [{"name": "prefers-color-scheme", "value": "dark"}]}),
    )
    .await;
    let root = open_demo_with(&client, &format!("thread={thread}&theme=auto")).await;
    wait_for_text(&root, "h2.cq-heading", "2 comments").await;
    let bg = in_widget(
        &client,
        "return getComputedStyle(root.querySelector('section.cq')).backgroundColor;",
    )
    .await;
    assert_eq!(
        bg,
        json!("rgb(13, 17, 23)"),
        "auto follows the dark preference"
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn changing_the_sort_twice_quickly_keeps_the_newest_order_and_pages_to_the_end() {
    let thread = unique_thread("sort-race");
    let seeds: Vec<seed::Seed> = (0..25)
        .map(|i| seed::top(format!("Race comment {i:02}")).by("R"))
        .collect();
    let ids: Vec<i64> = seed::thread(&Deployment::main(), &thread, &seeds)
        .into_iter()
        .map(|id| id.0)
        .collect();
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    wait_for_text(&root, "ol.cq-list", "Race comment 00").await;
    // "Most liked" answers slowly; "Oldest" quickly, so the older request lands last.
    delay_responses(&client, "sort=liked", 1500).await;
    let select = wait_for(&root, ".cq-sort select").await;
    select.select_by_value("newest").await.unwrap();
    select.select_by_value("liked").await.unwrap();
    select.select_by_value("oldest").await.unwrap();
    // The slow "most liked" page arrives after the "oldest" one (it must be dropped).
    delayed_done(&client, 1).await;
    // Page to the end: "Show more" until it is gone (a stuck button — a cursor of another
    // order — leaves it there or shows the wrong comments, and the wait runs out).
    poll("the last page", || async {
        match root.find(Locator::Css(".cq-more a")).await {
            Ok(more) => {
                if more.attr("aria-busy").await.ok().flatten().is_none() {
                    let _ = more.click().await;
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
                None
            }
            Err(_) => Some(()),
        }
    })
    .await;
    let shown = in_widget(
        &client,
        "return [...root.querySelectorAll('ol.cq-list > li.cq-item > article')].map(a => Number(a.id.slice(8)));",
    )
    .await;
    let shown: Vec<i64> = serde_json::from_value(shown).unwrap();
    assert_eq!(shown, ids, "every comment, in the order last chosen");
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_permalink_to_a_comment_of_another_thread_pulls_nothing_in() {
    let here = unique_thread("permalink-here");
    let elsewhere = unique_thread("permalink-elsewhere");
    post(&here, None, "The only comment here", "H");
    let top = post(&elsewhere, None, "A comment elsewhere", "E");
    let reply = post(&elsewhere, Some(top), "A reply elsewhere", "E2");
    let client = session().await;
    // Another thread's comment and an id nobody has each get their own words, and the
    // notice is where the reader is looking (focused), not at the top of the page.
    for (target, says) in [
        (reply, "not part of this discussion"),
        (999_999_999, "was not found"),
    ] {
        let root = open_demo_with(&client, &format!("thread={here}#comment-{target}")).await;
        wait_for_text(&root, ".cq-notice", says).await;
        wait_focus(&client, "cq-notice").await;
        assert_eq!(count(&root, "li.cq-item").await, 1, "#comment-{target}");
        let text = wait_for(&root, "ol.cq-list").await.text().await.unwrap();
        assert!(!text.contains("elsewhere"), "{text}");
        wait_for_text(&root, "h2.cq-heading", "1 comment").await;
    }
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_thread_that_failed_to_load_claims_no_count() {
    let thread = unique_thread("failed-load");
    post(&thread, None, "There is a comment", "A");
    let client = session().await;
    block_urls(&client, &[&format!("*{}?*", Endpoint::Embed.path())]).await;
    client
        .goto(&format!("{}/?thread={thread}", Deployment::main().demo))
        .await
        .unwrap();
    let root = widget_root(&client).await;
    wait_for_text(&root, ".cq-status-error", "could not be loaded").await;
    let heading = wait_for(&root, "h2.cq-heading").await.text().await.unwrap();
    assert!(
        !heading.contains("No comments") && !heading.contains('0'),
        "{heading}"
    );
    assert!(heading.starts_with("Comments"), "{heading}");
    // Back online, "Try again" brings the thread, and focus to its heading.
    block_urls(&client, &[]).await;
    click(&root, ".cq-status-error .cq-retry").await;
    wait_for_text(&root, "li.cq-item", "There is a comment").await;
    wait_for_text(&root, "h2.cq-heading", "1 comment on").await;
    wait_focus(&client, "H2").await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn failed_show_more_and_likes_say_so_and_offer_retry() {
    let thread = unique_thread("silent");
    let first = post(&thread, None, "Like me", "L");
    for i in 1..21 {
        post(&thread, None, &format!("Filler {i}"), "F");
    }
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    set_online(&client, false).await;
    click(&root, ".cq-more a").await;
    wait_for_text(&root, ".cq-more-error", "could not be loaded").await;
    click(
        &root,
        &format!("li.cq-item:has(> #comment-{first}) .cq-like"),
    )
    .await;
    wait_for_text(&root, ".cq-like-error", "could not be saved").await;
    set_online(&client, true).await;
    click(&root, ".cq-more-error .cq-retry").await;
    wait_for_text(&root, "ol.cq-list > li.cq-item:nth-child(21)", "Filler 20").await;
    click(&root, ".cq-like-error .cq-retry").await;
    wait_for_text(
        &root,
        &format!("li.cq-item:has(> #comment-{first}) .cq-like[aria-pressed=true]"),
        "1",
    )
    .await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn small_things_a_careful_reader_notices() {
    let client = session().await;
    let thread = unique_thread("small");
    let root = open_demo(&client, Some(&thread)).await;
    // No sort control on an empty thread.
    wait_for_text(&root, "h2.cq-heading", "No comments yet").await;
    assert_eq!(
        count(&root, ".cq-sort").await,
        0,
        "sort shown on an empty thread"
    );

    // "Published" goes when the comment does.
    type_into(&root, "#cq-new-body", "Short-lived").await;
    type_into(&root, "#cq-new-name", "Sam").await;
    type_into(&root, "#cq-new-email", "sam@example.org").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, ".cq-form-status", "published").await;
    click(&root, ".cq-delete-button").await;
    click(&root, ".cq-confirm .cq-danger").await;
    wait_for_text(&root, "h2.cq-heading", "No comments yet").await;
    let status = in_widget(
        &client,
        "return root.querySelector('form.cq-form:not(.cq-form-reply) .cq-form-status').textContent",
    )
    .await;
    assert_eq!(status, json!(""), "a deleted comment is not 'published'");

    // A deleted comment kept for its replies is labelled as such, and a collapsed
    // sub-thread says how many replies it hides (none are "more").
    let top = post(&thread, None, "Soon gone", "G");
    let reply = post(&thread, Some(top), "Reply one", "R");
    post(&thread, Some(reply), "Reply two", "R");
    let gone = Deployment::main().create(&comment(&thread).name("D").build());
    let gone_id = gone.comment.id.0;
    post(&thread, Some(gone_id), "Kept reply", "K");
    let deleted = Deployment::main().write(
        Endpoint::DeleteComment(gone.comment.id),
        &json!({"edit_token": gone.edit_token}),
    );
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let root = open_demo(&client, Some(&thread)).await;
    let label = wait_for(&root, &format!("#comment-{gone_id}"))
        .await
        .attr("aria-label")
        .await
        .unwrap();
    assert_eq!(label.as_deref(), Some("[deleted]"));
    let collapse = wait_for(
        &root,
        &format!("li.cq-item:has(> #comment-{top}) > article .cq-collapse"),
    )
    .await;
    collapse.click().await.unwrap();
    wait_for_text(
        &root,
        &format!("li.cq-item:has(> #comment-{top}) > article .cq-collapse"),
        "Show 2 replies",
    )
    .await;
    client.close().await.unwrap();
}
