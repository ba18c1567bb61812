//! What a demanding reader found, each as a Chromium regression test: permalinks into other
//! threads, where focus lands, inputs that rewrite themselves, forms at 320 px, headings
//! that guess, stale errors, invisible names, silent failures, vague messages, the embed
//! pasted twice — and the sort race (an older page landing after a newer one).

use colloquy_core::wire::endpoint::Endpoint;
use colloquy_e2e::browser::{
    block_urls, click, in_widget, open_demo, open_demo_with, phone_session, poll, session,
    set_online, type_into, value_of, wait_for, wait_for_text, widget_root,
};
use colloquy_e2e::fixtures::{comment, seed as post, Deployment};
use colloquy_e2e::{seed, unique_thread};
use fantoccini::elements::ShadowRoot;
use fantoccini::{Client, Locator};
use serde_json::json;
use std::time::{Duration, Instant};

/// The focused element inside the widget: `tag#id.class`, or `BODY` when focus was lost.
async fn focused(client: &Client) -> String {
    let inside = in_widget(
        client,
        "const a = root.activeElement; return a ? `${a.tagName}#${a.id}.${a.className}` : null;",
    )
    .await;
    match inside.as_str() {
        Some(s) => s.to_owned(),
        None => client
            .execute("return document.activeElement.tagName", vec![])
            .await
            .unwrap()
            .as_str()
            .unwrap_or("")
            .to_owned(),
    }
}

/// Wait until the focused element matches `want` (a substring of [`focused`]).
async fn wait_focus(client: &Client, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = focused(client).await;
        if now.contains(want) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "focus is on {now:?}, expected {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Delay every response whose URL contains `needle` by `ms` (a slow network for one kind
/// of request), in this page only. `window.__delayedDone` counts the delayed answers
/// handed over (see [`delayed_done`]).
async fn delay_responses(client: &Client, needle: &str, ms: u64) {
    client
        .execute(
            "const [needle, ms] = arguments; const orig = window.fetch;
             window.__delayedDone = 0;
             window.fetch = function (input, init) {
               const url = typeof input === 'string' ? input : input.url;
               const p = orig.call(window, input, init);
               return url.includes(needle)
                 ? p.then(r => new Promise(res => setTimeout(() => {
                     res(r);
                     setTimeout(() => { window.__delayedDone += 1; }, 0);
                   }, ms)))
                 : p;
             };",
            vec![json!(needle), json!(ms)],
        )
        .await
        .unwrap();
}

/// Wait until `n` delayed answers have reached the page (and its handlers have run).
async fn delayed_done(client: &Client, n: u64) {
    poll("the delayed answers", || async {
        let done = client
            .execute("return window.__delayedDone || 0", vec![])
            .await
            .ok()?
            .as_u64()?;
        (done >= n).then_some(())
    })
    .await;
}

async fn count(root: &ShadowRoot, css: &str) -> usize {
    root.find_all(Locator::Css(css)).await.unwrap().len()
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
async fn focus_follows_the_reader_through_errors_edits_and_deletes() {
    let client = session().await;
    let thread = unique_thread("focus");
    post(&thread, None, "Someone else's comment", "Other");
    let root = open_demo(&client, Some(&thread)).await;
    // An invalid submit: focus goes to the first field with a problem.
    type_into(&root, "#cq-new-name", "Fokus").await;
    type_into(&root, "#cq-new-email", "fokus@example.org").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "#cq-new-body-error", "Please write a comment").await;
    wait_focus(&client, "TEXTAREA#cq-new-body").await;

    type_into(&root, "#cq-new-body", "Mine to edit").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    let mine = wait_for_text(&root, "li.cq-item", "Mine to edit").await;
    // Edit and Delete stand apart like the other actions (not "EditDelete").
    let gap = client
        .execute(
            "const [e, d] = [arguments[0].querySelector('.cq-edit-button'), arguments[0].querySelector('.cq-delete-button')];
             return d.getBoundingClientRect().left - e.getBoundingClientRect().right;",
            vec![serde_json::to_value(&mine).unwrap()],
        )
        .await
        .unwrap();
    assert!(
        gap.as_f64().unwrap_or(0.0) >= 8.0,
        "Edit and Delete {gap}px apart"
    );
    // Edit: focus in the edit box.
    mine.find(Locator::Css(".cq-edit-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_focus(&client, "TEXTAREA#cq-edit-").await;
    click(&root, ".cq-cancel-edit").await;
    wait_focus(&client, "cq-edit-button").await;
    // Delete: focus in the confirmation, back on Keep, and after deleting on the next
    // sensible element (the other comment), never the page's <body>.
    click(&root, ".cq-delete-button").await;
    wait_focus(&client, "cq-keep").await;
    click(&root, ".cq-keep").await;
    wait_focus(&client, "cq-delete-button").await;
    click(&root, ".cq-delete-button").await;
    click(&root, ".cq-confirm .cq-danger").await;
    wait_for_text(&root, "h2.cq-heading", "1 comment").await;
    wait_focus(&client, "ARTICLE#comment-").await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn focus_moves_to_the_first_comment_a_show_more_button_loaded() {
    let thread = unique_thread("focus-more");
    let mut seeds: Vec<seed::Seed> = (0..21)
        .map(|i| seed::top(format!("Paged {i}")).by("P"))
        .collect();
    seeds.extend((0..12).map(|i| seed::reply(0, format!("Reply {i}")).by("R")));
    let all: Vec<i64> = seed::thread(&Deployment::main(), &thread, &seeds)
        .into_iter()
        .map(|id| id.0)
        .collect();
    let (top, replies) = all.split_at(21);
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    click(&root, ".cq-more a").await;
    wait_focus(&client, &format!("ARTICLE#comment-{}.", top[20])).await;
    click(&root, ".cq-more-replies a").await;
    wait_focus(&client, &format!("ARTICLE#comment-{}.", replies[10])).await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn email_and_website_keep_exactly_what_the_reader_types() {
    let client = session().await;
    let root = open_demo(&client, Some(&unique_thread("typing"))).await;
    for (css, text) in [
        ("#cq-new-email", "ann @example.com"),
        ("#cq-new-website", "https://my site.org"),
    ] {
        type_into(&root, css, text).await;
        let value = wait_for(&root, css).await.prop("value").await.unwrap();
        assert_eq!(value.as_deref(), Some(text), "{css}");
    }
    // And the website's problem is named, not "must start with http".
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "#cq-new-website-error", "not a complete web address").await;
    let input = wait_for(&root, "#cq-new-website").await;
    input.clear().await.unwrap();
    input.send_keys("http://").await.unwrap();
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "#cq-new-website-error", "not a complete web address").await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn reply_forms_fit_a_320_pixel_phone_at_every_depth() {
    let thread = unique_thread("narrow");
    let mut parent = None;
    for level in 1..=7 {
        parent = Some(post(
            &thread,
            parent,
            &format!("Level {level}"),
            &format!("L{level}"),
        ));
    }
    let client = phone_session(320).await;
    let root = open_demo_with(&client, &format!("thread={thread}&theme=light")).await;
    wait_for_text(&root, "li.cq-item", "Level 7").await;
    let replies = root
        .find_all(Locator::Css("button.cq-reply"))
        .await
        .unwrap();
    assert_eq!(replies.len(), 7);
    for depth in 0..7 {
        let button = &root
            .find_all(Locator::Css("button.cq-reply"))
            .await
            .unwrap()[depth];
        button.click().await.unwrap();
        wait_for(&root, "form.cq-form-reply input[name=url]").await;
        let layout = in_widget(
            &client,
            "const f = root.querySelector('form.cq-form-reply');
             const boxes = [...f.querySelectorAll('input:not([tabindex=\"-1\"]), textarea, button')]
               .map(e => e.getBoundingClientRect()).filter(r => r.width > 0);
             return { overflow: document.documentElement.scrollWidth - window.innerWidth,
                      right: Math.max(...boxes.map(r => r.right)), width: window.innerWidth,
                      narrowest: Math.min(...Array.from(f.querySelectorAll('input[name=author], input[name=email], input[name=url], textarea'), e => e.getBoundingClientRect().width)) };",
        )
        .await;
        let get = |k: &str| layout[k].as_f64().unwrap();
        assert!(
            get("overflow") <= 0.0,
            "depth {}: sideways scroll {layout}",
            depth + 1
        );
        assert!(
            get("right") <= get("width"),
            "depth {}: cut off {layout}",
            depth + 1
        );
        assert!(
            get("narrowest") >= 180.0,
            "depth {}: cramped {layout}",
            depth + 1
        );
    }
    // Opening one form closed the others, and their buttons say "Reply" again; the open
    // one says "Cancel reply", and a second click closes it and says "Reply" too.
    let labels = in_widget(
        &client,
        "return [...root.querySelectorAll('button.cq-reply')].map(b => b.textContent + '/' + b.getAttribute('aria-expanded'));",
    )
    .await;
    let mut expected = vec![json!("Reply/false"); 6];
    expected.push(json!("Cancel reply/true"));
    assert_eq!(labels, json!(expected));
    root.find_all(Locator::Css("button.cq-reply"))
        .await
        .unwrap()[6]
        .click()
        .await
        .unwrap();
    poll("the reply form closed", || async {
        let labels = in_widget(
            &client,
            "return root.querySelector('form.cq-form-reply') ? null : [...root.querySelectorAll('button.cq-reply')].map(b => b.textContent);",
        )
        .await;
        (labels == json!(vec!["Reply"; 7])).then_some(())
    })
    .await;
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
async fn the_edit_form_marks_its_error_and_keeps_unsaved_text_across_a_reload() {
    let client = session().await;
    let thread = unique_thread("edit-form");
    let root = open_demo(&client, Some(&thread)).await;
    type_into(&root, "#cq-new-body", "Original words").await;
    type_into(&root, "#cq-new-name", "Edna").await;
    type_into(&root, "#cq-new-email", "edna@example.org").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "li.cq-item", "Original words").await;
    click(&root, ".cq-edit-button").await;
    let edit = wait_for(&root, "form.cq-edit textarea").await;
    edit.clear().await.unwrap();
    edit.send_keys(" ").await.unwrap();
    click(&root, "form.cq-edit button[type=submit]").await;
    wait_for_text(&root, "form.cq-edit .cq-error", "Please write a comment").await;
    let edit = wait_for(&root, "form.cq-edit textarea").await;
    assert_eq!(
        edit.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    edit.send_keys("Unsaved second thoughts").await.unwrap();
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    assert_eq!(
        value_of(&root, "form.cq-edit textarea").await,
        " Unsaved second thoughts"
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn errors_are_fresh_and_come_before_the_form_timer() {
    // On the strict deployment, which keeps the form timer (3 s).
    let client = session().await;
    client
        .goto(&format!(
            "{}/?thread={}",
            Deployment::strict().demo,
            unique_thread("fresh-errors")
        ))
        .await
        .unwrap();
    let root = widget_root(&client).await;
    wait_for(&root, "ol.cq-list").await;
    // What the server answers each comment the page sends.
    client
        .execute(
            "window.__sent = 0; window.__answers = []; const orig = window.fetch;
             window.fetch = function (input, init) {
               const url = typeof input === 'string' ? input : input.url;
               const method = (init && init.method) || (input && input.method) || 'GET';
               const p = orig.call(window, input, init);
               if (method === 'POST' && url.includes('/api/v1/comments')) {
                 window.__sent += 1;
                 p.then(r => r.clone().json()).then(j => window.__answers.push(j.error ? j.error.code : 'posted'));
               }
               return p;
             };",
            vec![],
        )
        .await
        .unwrap();
    // An empty form sent at once: the field errors show within the form timer (3 s),
    // not after it.
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "#cq-new-name-error", "Please enter your name").await;
    // The server checks fields before the form timer: the one request that was sent was
    // answered with the fields' problems, not "too fast, wait" (no timer was waited out).
    let answers = poll("the answers", || async {
        let got = client
            .execute(
                "return window.__answers.length === window.__sent ? window.__answers : null",
                vec![],
            )
            .await
            .ok()?;
        (!got.is_null()).then_some(got)
    })
    .await;
    let answers: Vec<String> = serde_json::from_value(answers).unwrap();
    assert!(
        answers.iter().all(|a| a != "too_fast" && a != "posted"),
        "fields are answered before the timer: {answers:?}"
    );
    type_into(&root, "#cq-new-body", "   ").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "#cq-new-body-error", "Please write a comment").await;
    // Typing fixes the name: its error goes at once, before anything is sent again.
    type_into(&root, "#cq-new-name", "Fresh").await;
    poll("the name's error to go as the reader fixes it", || async {
        let text = wait_for(&root, "#cq-new-name-error")
            .await
            .text()
            .await
            .ok()?;
        text.is_empty().then_some(())
    })
    .await;
    // A body far over the limit: only "too long", not also the earlier "write a comment".
    in_widget(
        &client,
        "const t = root.querySelector('#cq-new-body'); t.value = 'x'.repeat(70000);
         t.dispatchEvent(new Event('input', { bubbles: true }));",
    )
    .await;
    type_into(&root, "#cq-new-email", "fresh@example.org").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "#cq-new-body-error", "too long").await;
    let errors = in_widget(
        &client,
        "return [...root.querySelectorAll('form.cq-form:not(.cq-form-reply) .cq-error, form.cq-form:not(.cq-form-reply) .cq-form-error')].map(e => e.textContent).join('|');",
    )
    .await;
    let errors = errors.as_str().unwrap();
    assert!(!errors.contains("Please write a comment"), "{errors}");
    client.close().await.unwrap();
}

#[tokio::test]
async fn names_that_show_nothing_are_refused_and_direction_controls_cannot_flip_them() {
    for invisible in ["\u{202E}", "\u{200B}", "\u{200B}\u{2060}"] {
        let reply =
            Deployment::main().post(&comment(&unique_thread("invisible")).name(invisible).build());
        assert_eq!(reply.status, 422, "{invisible:?}: {}", reply.text);
        assert_eq!(reply.json()["error"]["fields"][0]["code"], "name_required");
    }
    let thread = unique_thread("bidi");
    post(&thread, None, "Who wrote this?", "evil\u{202E}gpj.exe");
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    let author = wait_for(&root, ".cq-author bdi").await;
    assert_eq!(author.text().await.unwrap(), "evilgpj.exe");
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
async fn the_embed_without_a_target_pasted_twice_mounts_one_widget() {
    let client = session().await;
    client
        .goto(&format!("{}/blog.html", Deployment::main().demo))
        .await
        .unwrap();
    let thread = unique_thread("twice-no-target");
    client
        .execute(
            "window.__loaded = 0;
             for (let i = 0; i < 2; i++) {
               const s = document.createElement('script');
               s.src = document.querySelector('script[src$=\"count.js\"]').src.replace('count.js', 'embed.js');
               s.dataset.colloquyThread = arguments[0];
               s.onload = () => { window.__loaded++; };
               document.body.appendChild(s);
             }",
            vec![json!(thread)],
        )
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let state = client
            .execute(
                "return { loaded: window.__loaded, widgets: [...document.querySelectorAll('[data-colloquy-mounted]')]
                   .filter(h => h.shadowRoot && h.shadowRoot.querySelector('section.cq')).length,
                   hosts: document.querySelectorAll('[data-colloquy-mounted]').length };",
                vec![],
            )
            .await
            .unwrap();
        if state["loaded"] == 2 && state["widgets"].as_u64() >= Some(1) {
            assert_eq!(state["hosts"], 1, "{state}");
            break;
        }
        assert!(Instant::now() < deadline, "{state}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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

/// Whether the focused element inside the widget has this class.
async fn focus_has(client: &Client, class: &str) -> bool {
    in_widget(
        client,
        &format!("const a = root.activeElement; return !!a && a.classList.contains('{class}');"),
    )
    .await
        == json!(true)
}

async fn wait_focus_class(client: &Client, class: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !focus_has(client, class).await {
        assert!(
            Instant::now() < deadline,
            "focus is on {:?}, expected .{class}",
            focused(client).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn press_escape(client: &Client) {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys("\u{E00C}")
        .await
        .unwrap();
}

/// Escape closes whatever is open — reply form, edit form, delete question, report box —
/// with the focus back on the button that opened it, and loses nothing typed. A server's
/// refusal on submit puts the focus on Retry instead of the page's <body>.
#[tokio::test]
async fn escape_closes_every_form_without_losing_text_and_a_server_error_takes_the_focus() {
    let client = session().await;
    let thread = unique_thread("escape");
    post(&thread, None, "Someone to answer", "Other");
    let root = open_demo(&client, Some(&thread)).await;
    type_into(&root, "#cq-new-body", "Mine to keep").await;
    type_into(&root, "#cq-new-name", "Esme").await;
    type_into(&root, "#cq-new-email", "esme@example.org").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "li.cq-item", "Mine to keep").await;

    // A reply form: its draft comes back when the form does.
    let other = "li.cq-item:not(:has(.cq-edit-button))";
    click(&root, &format!("{other} .cq-reply")).await;
    type_into(&root, "form.cq-form-reply textarea", "Half a reply").await;
    press_escape(&client).await;
    poll("the reply form closed", || async {
        (count(&root, "form.cq-form-reply").await == 0).then_some(())
    })
    .await;
    wait_focus_class(&client, "cq-reply").await;
    // The button says a reply was started, also on the next visit.
    wait_for_text(&root, &format!("{other} .cq-reply"), "Continue your reply").await;
    client.refresh().await.unwrap();
    let root = colloquy_e2e::browser::widget_root(&client).await;
    wait_for_text(&root, &format!("{other} .cq-reply"), "Continue your reply").await;
    click(&root, &format!("{other} .cq-reply")).await;
    assert_eq!(
        value_of(&root, "form.cq-form-reply textarea").await,
        "Half a reply"
    );
    press_escape(&client).await;
    wait_focus_class(&client, "cq-reply").await;

    // The edit form: Escape keeps the unsaved words (only Cancel forgets them). While it
    // is open, Edit and Delete step aside (the form has Save and Cancel).
    click(&root, ".cq-edit-button").await;
    wait_focus(&client, "TEXTAREA#cq-edit-").await;
    assert_eq!(
        in_widget(
            &client,
            "return [...root.querySelectorAll('.cq-own button')].filter(b => b.checkVisibility()).length;"
        )
        .await,
        json!(0),
        "Edit and Delete hidden while editing"
    );
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(" and more")
        .await
        .unwrap();
    press_escape(&client).await;
    wait_focus_class(&client, "cq-edit-button").await;
    assert_eq!(count(&root, "form.cq-edit").await, 0);
    click(&root, ".cq-edit-button").await;
    assert_eq!(
        value_of(&root, "form.cq-edit textarea").await,
        "Mine to keep and more"
    );
    press_escape(&client).await;
    wait_focus_class(&client, "cq-edit-button").await;

    // The delete question and the report box.
    click(&root, ".cq-delete-button").await;
    wait_focus_class(&client, "cq-keep").await;
    press_escape(&client).await;
    wait_focus_class(&client, "cq-delete-button").await;
    click(&root, &format!("{other} .cq-report")).await;
    wait_focus_class(&client, "cq-report-reason").await;
    press_escape(&client).await;
    wait_focus_class(&client, "cq-report").await;
    assert_eq!(count(&root, ".cq-report-box").await, 0);

    // The server refuses the post (an outage): the focus goes to Retry.
    client
        .execute(
            "const orig = window.fetch;
             window.fetch = function (input, init) {
               const url = typeof input === 'string' ? input : input.url;
               const method = (init && init.method) || (typeof input === 'string' ? 'GET' : input.method);
               if (method === 'POST' && /\\/api\\/v1\\/comments(\\?|$)/.test(url)) {
                 return Promise.resolve(new Response(
                   JSON.stringify({ error: { code: 'unavailable', message: 'down' } }),
                   { status: 503, headers: { 'Content-Type': 'application/json' } }));
               }
               return orig.call(window, input, init);
             };",
            vec![],
        )
        .await
        .unwrap();
    type_into(&root, "#cq-new-body", "Sent into an outage").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_focus_class(&client, "cq-retry").await;
    assert_eq!(value_of(&root, "#cq-new-body").await, "Sent into an outage");
    client.close().await.unwrap();
}

/// A reply posted past the depth cap is shown beside its parent and says whom it answers
/// at once, not only after a reload.
#[tokio::test]
async fn a_reply_past_the_depth_cap_names_its_parent_as_soon_as_it_is_posted() {
    let thread = unique_thread("deep-reply");
    let mut parent = None;
    for level in 1..=7 {
        parent = Some(post(
            &thread,
            parent,
            &format!("Level {level}"),
            &format!("Deep{level}"),
        ));
    }
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    wait_for_text(&root, "li.cq-item", "Level 7").await;
    let deepest = parent.unwrap();
    click(
        &root,
        &format!("li.cq-item[data-id=\"{deepest}\"] > article button.cq-reply"),
    )
    .await;
    type_into(
        &root,
        "form.cq-form-reply textarea",
        "Answering the deepest",
    )
    .await;
    type_into(&root, "form.cq-form-reply input[name=author]", "Shallow").await;
    type_into(
        &root,
        "form.cq-form-reply input[name=email]",
        "shallow@example.org",
    )
    .await;
    click(&root, "form.cq-form-reply button[type=submit]").await;
    wait_for_text(&root, "li.cq-item", "Answering the deepest").await;
    // The comment's own line (a nested item's text includes its replies').
    let said = in_widget(
        &client,
        "const a = [...root.querySelectorAll('article')]
           .find(a => a.querySelector(':scope > .cq-body')?.textContent.includes('Answering the deepest'));
         return a?.querySelector('.cq-in-reply-to')?.textContent ?? null;",
    )
    .await;
    let said = said.as_str().unwrap_or_default().to_owned();
    assert!(said.contains("Deep7"), "it names its parent: {said:?}");
    client.close().await.unwrap();
}

/// On a slow network the reply form takes seconds to arrive: its place says it is
/// coming, and the note goes when the form is there.
#[tokio::test]
async fn a_reply_form_on_a_slow_network_says_it_is_loading() {
    let thread = unique_thread("slow-form");
    post(&thread, None, "Answer me slowly", "Patient");
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    // The reader has taken over (its controls are live) before the writer is asked for.
    wait_for(&root, "section.cq[data-live]").await;
    delay_responses(&client, "colloquy_widget_bg.wasm", 2500).await;
    click(&root, ".cq-reply").await;
    let note = wait_for_text(&root, ".cq-reply-host .cq-loading-form", "Loading the form").await;
    assert_eq!(note.attr("role").await.unwrap().as_deref(), Some("status"));
    wait_for(&root, "form.cq-form-reply textarea").await;
    assert_eq!(
        count(&root, ".cq-loading-form").await,
        0,
        "gone once the form is there"
    );
    client.close().await.unwrap();
}
