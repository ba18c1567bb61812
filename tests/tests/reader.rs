//! The reader's experience in Chromium: drafts, remembered details, preview, likes and
//! sorting, paging, permalinks, depth, themes and languages, the count script.

use colloquy_e2e::browser::{
    cdp, click, fill_form, in_widget, open_demo, open_demo_with, poll, session, set_online,
    submit_main_form, type_into, value_of, wait_for, wait_for_text, widget_root,
};
use colloquy_e2e::fixtures::{seed as post, Deployment};
use colloquy_e2e::{seed, unique_thread};
use fantoccini::Locator;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn drafts_survive_a_reload_and_a_network_failure_then_post_on_retry() {
    let client = session().await;
    let thread = unique_thread("drafts");
    let root = open_demo(&client, Some(&thread)).await;
    type_into(
        &root,
        "#cq-new-body",
        "A long thought I do not want to lose",
    )
    .await;
    type_into(&root, "#cq-new-name", "Nika").await;
    type_into(&root, "#cq-new-email", "nika@example.org").await;

    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    assert_eq!(
        value_of(&root, "#cq-new-body").await,
        "A long thought I do not want to lose"
    );

    // The network goes away: the page's fetch fails, as it does offline.
    set_online(&client, false).await;
    type_into(&root, "#cq-new-name", "Nika").await;
    type_into(&root, "#cq-new-email", "nika@example.org").await;
    // The reader asks to be remembered (off by default: the host page's scripts could
    // read what is kept).
    click(&root, "form.cq-form:not(.cq-form-reply) .cq-remember input").await;
    click(&root, "form.cq-form button[type=submit]").await;
    wait_for_text(
        &root,
        ".cq-form-error",
        "Could not reach the comment server",
    )
    .await;
    assert_eq!(
        value_of(&root, "#cq-new-body").await,
        "A long thought I do not want to lose"
    );

    // Back online: Retry posts it, and the draft is gone for good.
    set_online(&client, true).await;
    click(&root, ".cq-retry").await;
    wait_for_text(&root, "li.cq-item", "A long thought").await;
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    wait_for_text(&root, "li.cq-item", "A long thought").await;
    assert_eq!(value_of(&root, "#cq-new-body").await, "");
    // Name and email were remembered, and can be forgotten.
    assert_eq!(value_of(&root, "#cq-new-name").await, "Nika");
    click(&root, ".cq-forget").await;
    assert_eq!(value_of(&root, "#cq-new-name").await, "");
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    assert_eq!(value_of(&root, "#cq-new-name").await, "");
    client.close().await.unwrap();
}

#[tokio::test]
async fn preview_shows_what_the_server_will_publish() {
    let client = session().await;
    let root = open_demo(&client, Some(&unique_thread("preview"))).await;
    type_into(&root, "#cq-new-body", "**strong** and <b>raw</b>").await;
    let tabs = root.find_all(Locator::Css(".cq-tab")).await.unwrap();
    tabs[1].click().await.unwrap();
    let strong = wait_for(&root, ".cq-preview strong").await;
    assert_eq!(strong.text().await.unwrap(), "strong");
    wait_for_text(&root, ".cq-preview", "<b>raw</b>").await;
    tabs[0].click().await.unwrap();
    assert!(wait_for(&root, "#cq-new-body")
        .await
        .is_displayed()
        .await
        .unwrap());
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
async fn pasting_the_embed_twice_mounts_one_widget() {
    let client = session().await;
    let thread = unique_thread("twice");
    let root = open_demo(&client, Some(&thread)).await;
    client
        .execute(
            "const s = document.createElement('script');
             s.src = document.querySelector('script[src$=\"embed.js\"]').src;
             s.dataset.colloquyThread = arguments[0];
             s.dataset.colloquyTarget = '#comments';
             s.onload = () => { window.__secondEmbed = true; };
             document.body.appendChild(s);",
            vec![json!(thread)],
        )
        .await
        .unwrap();
    // Wait until the second copy has run (its script has loaded), then count.
    poll("the second embed.js to run", || async {
        let loaded = client
            .execute("return window.__secondEmbed === true", vec![])
            .await
            .ok()?;
        (loaded == json!(true)).then_some(())
    })
    .await;
    let hosts = client
        .execute(
            "return document.querySelectorAll('[data-colloquy-mounted]').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(hosts, json!(1));
    let widgets = in_widget(&client, "return root.querySelectorAll('section.cq').length").await;
    assert_eq!(widgets, json!(1));
    assert!(wait_for(&root, "h2.cq-heading")
        .await
        .is_displayed()
        .await
        .unwrap());
    client.close().await.unwrap();
}

#[tokio::test]
async fn the_count_script_fills_every_count_on_an_index_page() {
    // Threads of this test's own, added to the demo's index page before count.js runs.
    let busy = unique_thread("count-busy");
    let quiet = unique_thread("count-quiet");
    let first = post(&busy, None, "one", "A");
    post(&busy, Some(first), "two", "B");
    post(&busy, None, "three", "C");
    let client = session().await;
    client
        .goto(&format!("{}/blog.html", Deployment::main().demo))
        .await
        .unwrap();
    client
        .execute(
            "const [busy, quiet] = arguments;
             for (const key of [busy, quiet, busy]) {
               const span = document.createElement('span');
               span.className = 'mine';
               span.dataset.colloquyCount = key;
               span.textContent = 'comments';
               document.body.appendChild(span);
             }
             const s = document.createElement('script');
             s.src = document.querySelector('script[src$=\"count.js\"]').src;
             document.body.appendChild(s);",
            vec![json!(busy), json!(quiet)],
        )
        .await
        .unwrap();
    poll("the counts", || async {
        let texts = client
            .execute(
                "return [...document.querySelectorAll('span.mine')].map(e => e.textContent)",
                vec![],
            )
            .await
            .ok()?;
        (texts == json!(["3 comments", "0 comments", "3 comments"])).then_some(())
    })
    .await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn the_keyboard_reaches_reply_and_focus_moves_sensibly() {
    let thread = unique_thread("keyboard");
    post(&thread, None, "Answer me by keyboard", "K");
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    let reply = wait_for(&root, "button.cq-reply").await;
    reply.send_keys("\u{E007}").await.unwrap(); // Enter
    wait_for(&root, "form.cq-form-reply textarea").await;
    let focused = in_widget(
        &client,
        "return root.activeElement && root.activeElement.tagName",
    )
    .await;
    assert_eq!(
        focused,
        json!("TEXTAREA"),
        "focus moves into the reply form"
    );
    let cancel = wait_for(&root, "button.cq-reply").await;
    cancel.send_keys("\u{E007}").await.unwrap();
    poll("the reply form to close", || async {
        root.find(Locator::Css("form.cq-form-reply"))
            .await
            .is_err()
            .then_some(())
    })
    .await;
    let focused = in_widget(
        &client,
        "return root.activeElement && root.activeElement.className",
    )
    .await;
    assert!(
        focused.as_str().unwrap_or("").contains("cq-reply"),
        "focus returns to Reply: {focused}"
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_reply_draft_survives_a_reload() {
    let thread = unique_thread("reply-draft");
    let top = post(&thread, None, "Answer me later", "T");
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    click(&root, "button.cq-reply").await;
    type_into(&root, &format!("#cq-reply-{top}-body"), "Half a reply").await;
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    click(&root, "button.cq-reply").await;
    assert_eq!(
        value_of(&root, &format!("#cq-reply-{top}-body")).await,
        "Half a reply"
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn details_are_kept_only_when_asked_and_only_for_this_comment_server() {
    let client = session().await;
    let thread = unique_thread("remember");
    let root = open_demo(&client, Some(&thread)).await;
    fill_form(&root, "Not remembered", "Neva", "neva@example.org").await;
    submit_main_form(&root).await;
    wait_for_text(&root, "li.cq-item", "Not remembered").await;
    let stored = client
        .execute("return JSON.stringify(localStorage)", vec![])
        .await
        .unwrap();
    let stored = stored.as_str().unwrap();
    assert!(!stored.contains("neva@example.org"), "{stored}");
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    assert_eq!(value_of(&root, "#cq-new-email").await, "");

    fill_form(&root, "Remembered", "Neva", "neva@example.org").await;
    click(&root, "form.cq-form:not(.cq-form-reply) .cq-remember input").await;
    submit_main_form(&root).await;
    wait_for_text(&root, "li.cq-item", "Remembered").await;
    let keys = client
        .execute(
            "return Object.keys(localStorage).filter(k => localStorage.getItem(k).includes('neva@example.org'))",
            vec![],
        )
        .await
        .unwrap();
    let keys: Vec<String> = serde_json::from_value(keys).unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(
        keys[0].contains(&Deployment::main().api),
        "the key names the comment server: {}",
        keys[0]
    );
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    assert_eq!(value_of(&root, "#cq-new-email").await, "neva@example.org");
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_form_token_gone_stale_is_renewed_and_the_comment_posted() {
    let client = session().await;
    let thread = unique_thread("renew");
    let root = open_demo(&client, Some(&thread)).await;
    // The reader's address changed since the form was shown (a phone switching networks):
    // the page's token is one issued to another address. Every POST is counted.
    let stale = {
        let url = colloquy_core::wire::endpoint::form_token_url(&Deployment::main().api, &thread);
        let ip = colloquy_e2e::http::fresh_client_ip();
        let reply = colloquy_e2e::http::request("GET", &url, &[("CF-Connecting-IP", &ip)], b"");
        reply.json()["form_token"].as_str().unwrap().to_owned()
    };
    client
        .execute(
            "const stale = arguments[0]; window.__posts = 0; const orig = window.fetch;
             window.fetch = async function (input, init) {
               const request = new Request(input, init);
               if (request.method === 'POST' && new URL(request.url).pathname.endsWith('/comments')) {
                 window.__posts++;
                 if (window.__posts === 1) {
                   const body = await request.clone().json();
                   body.form_token = stale;
                   return orig.call(window, new Request(request, { body: JSON.stringify(body) }));
                 }
               }
               return orig.call(window, request);
             };",
            vec![json!(stale)],
        )
        .await
        .unwrap();
    fill_form(&root, "Posted after a renewal", "Rene", "rene@example.org").await;
    submit_main_form(&root).await;
    wait_for_text(&root, "li.cq-item", "Posted after a renewal").await;
    let posts = client
        .execute("return window.__posts", vec![])
        .await
        .unwrap();
    assert_eq!(
        posts,
        json!(2),
        "refused once as expired, then sent with a new token"
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn the_embed_defaults_come_from_the_page() {
    let thread = unique_thread("defaults");
    post(&thread, None, "Found through the canonical link", "D");
    let client = session().await;
    client
        .goto(&format!("{}/blog.html", Deployment::main().demo))
        .await
        .unwrap();
    // No data attributes at all: the thread is the canonical URL's path, the language the
    // page's, the widget goes right after the tag.
    client
        .execute(
            "const thread = arguments[0];
             document.documentElement.lang = 'de-AT';
             const link = document.createElement('link');
             link.rel = 'canonical'; link.href = 'https://blog.example' + thread;
             document.head.appendChild(link);
             const marker = document.createElement('p'); marker.id = 'before';
             document.body.appendChild(marker);
             const s = document.createElement('script');
             s.src = document.querySelector('script[src$=\"count.js\"]').src.replace('count.js', 'embed.js');
             document.body.appendChild(s);",
            vec![json!(thread)],
        )
        .await
        .unwrap();
    let host = poll("the widget after its tag", || async {
        let found = client
            .execute(
                "const s = [...document.scripts].find(s => s.src.endsWith('embed.js'));
                 const next = s && s.nextElementSibling;
                 return next && next.shadowRoot && next.shadowRoot.querySelector('h2.cq-heading')
                   ? next.shadowRoot.querySelector('h2.cq-heading').textContent : null;",
                vec![],
            )
            .await
            .ok()?;
        found
            .as_str()
            .filter(|t| t.contains("Kommentar"))
            .map(str::to_owned)
    })
    .await;
    assert!(host.starts_with("1 Kommentar"), "{host}");
    let body = poll("the comment", || async {
        let text = client
            .execute(
                "const s = [...document.scripts].find(s => s.src.endsWith('embed.js'));
                 const b = s.nextElementSibling.shadowRoot.querySelector('.cq-body');
                 return b ? b.textContent : null;",
                vec![],
            )
            .await
            .ok()?;
        text.as_str().map(str::to_owned)
    })
    .await;
    assert!(body.contains("canonical link"), "{body}");
    client.close().await.unwrap();
}
