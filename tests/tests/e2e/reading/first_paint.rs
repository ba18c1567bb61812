//! The thread before (and without) the wasm, in headless Chromium: the server's HTML is
//! painted first, the reading half takes it over without moving anything, clicks made in
//! between are not lost, and with the wasm blocked — or forbidden by the host page's
//! Content-Security-Policy — every comment still reads and pages through plain links.

use colloquy_core::wire::endpoint::Endpoint;
use colloquy_e2e::browser::{
    block_urls, cdp, click, in_widget, open_demo_painted, poll, session, type_into, wait_for,
    wait_for_text, widget_root,
};
use colloquy_e2e::fixtures::Deployment;
use colloquy_e2e::{seed, unique_thread};
use fantoccini::{Client, Locator};
use serde_json::json;

/// A thread of `n` top-level comments, "Comment 00" first.
fn thread_of(label: &str, n: usize) -> (String, Vec<i64>) {
    let thread = unique_thread(label);
    let seeds: Vec<seed::Seed> = (0..n)
        .map(|i| seed::top(format!("Comment {i:02}")).by("P"))
        .collect();
    let ids = seed::thread(&Deployment::main(), &thread, &seeds)
        .into_iter()
        .map(|id| id.0)
        .collect();
    (thread, ids)
}

/// Before the next page loads: hold every wasm compilation until the test releases it
/// (`window.__releaseWasm()`), and record layout shifts and the widget's events.
async fn instrument(client: &Client, hold_wasm: bool) {
    let hold = if hold_wasm {
        "const gate = new Promise(r => { window.__releaseWasm = r; });
         for (const k of ['instantiateStreaming', 'instantiate', 'compileStreaming', 'compile']) {
           const orig = WebAssembly[k];
           WebAssembly[k] = (...args) => gate.then(() => orig.apply(WebAssembly, args));
         }"
    } else {
        ""
    };
    let source = format!(
        "{hold}
         window.__shifts = [];
         new PerformanceObserver(list => {{
           for (const e of list.getEntries()) window.__shifts.push({{
             t: e.startTime, v: e.value,
             what: (e.sources || []).map(s => s.node ? s.node.nodeName + '.' + (s.node.className || '') : '?').join(' ')
           }});
         }}).observe({{ type: 'layout-shift', buffered: true }});
         document.addEventListener('colloquy:ready', () => {{ window.__paintedAt = performance.now(); }});
         document.addEventListener('colloquy:interactive', () => {{ window.__liveAt = performance.now(); }});"
    );
    cdp(
        client,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": source }),
    )
    .await;
}

async fn number(client: &Client, script: &str) -> Option<f64> {
    client.execute(script, vec![]).await.ok()?.as_f64()
}

async fn item_count(client: &Client) -> usize {
    in_widget(
        client,
        "return root.querySelectorAll('ol.cq-list > li.cq-item').length;",
    )
    .await
    .as_u64()
    .unwrap_or(0) as usize
}

#[tokio::test]
async fn taking_over_moves_nothing_on_the_screen() {
    let (thread, ids) = thread_of("takeover-cls", 25);
    let client = session().await;
    // This browser liked a comment and left a draft: the takeover shows both.
    let root = open_demo_painted(&client, &format!("thread={thread}")).await;
    click(
        &root,
        &format!("li.cq-item:has(> #comment-{}) .cq-like", ids[1]),
    )
    .await;
    wait_for(
        &root,
        &format!(
            "li.cq-item:has(> #comment-{}) .cq-like[aria-pressed=true]",
            ids[1]
        ),
    )
    .await;
    type_into(&root, "#cq-new-body", "A draft, kept").await;

    instrument(&client, true).await;
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    wait_for_text(&root, "ol.cq-list", "Comment 00").await;
    // Painted, and the wasm held back: the page settles.
    colloquy_e2e::browser::settle(&client).await;
    let painted_at = poll("the paint event", || {
        number(&client, "return window.__paintedAt")
    })
    .await;
    // The paint itself may move the page below the widget; what follows must not.
    let released_at = number(&client, "window.__releaseWasm(); return performance.now();")
        .await
        .unwrap();
    let live_at = poll("the takeover", || number(&client, "return window.__liveAt")).await;
    // The wasm was held until now: the takeover came after the paint, and only once
    // the test let it.
    assert!(
        live_at >= released_at && released_at > painted_at,
        "paint {painted_at}, release {released_at}, takeover {live_at}"
    );
    let liked = wait_for(
        &root,
        &format!(
            "li.cq-item:has(> #comment-{}) .cq-like[aria-pressed=true]",
            ids[1]
        ),
    )
    .await;
    assert!(
        liked.text().await.unwrap().contains('1'),
        "at least this like counts"
    );
    poll("the draft in the box", || async {
        let value = in_widget(
            &client,
            "return root.querySelector('.cq-compose-box').value;",
        )
        .await;
        (value == json!("A draft, kept")).then_some(())
    })
    .await;
    colloquy_e2e::browser::settle(&client).await;
    let shifts = client
        .execute(
            "return window.__shifts.filter(s => s.t > arguments[0]);",
            vec![json!(released_at)],
        )
        .await
        .unwrap();
    let moved: f64 = shifts
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["v"].as_f64())
        .sum();
    assert_eq!(moved, 0.0, "layout shift while taking over: {shifts}");
    client.close().await.unwrap();
}

#[tokio::test]
async fn clicks_before_the_takeover_are_done_once_it_has() {
    let (thread, ids) = thread_of("takeover-clicks", 25);
    let client = session().await;
    instrument(&client, true).await;
    let root = open_demo_painted(&client, &format!("thread={thread}")).await;
    wait_for_text(&root, "ol.cq-list", "Comment 19").await;
    let like = format!("li.cq-item:has(> #comment-{}) .cq-like", ids[0]);
    click(&root, &like).await;
    click(&root, ".cq-more a").await;
    colloquy_e2e::browser::settle(&client).await;
    // Nothing could happen yet, and the link was not followed.
    assert!(client
        .current_url()
        .await
        .unwrap()
        .as_str()
        .starts_with(&Deployment::main().demo));
    assert_eq!(item_count(&client).await, 20);
    client
        .execute("window.__releaseWasm()", vec![])
        .await
        .unwrap();
    wait_for(&root, &format!("{like}[aria-pressed=true]")).await;
    wait_for_text(&root, "ol.cq-list", "Comment 24").await;
    assert_eq!(item_count(&client).await, 25);
    client.close().await.unwrap();
}

/// An order chosen before the takeover (a slow network, the keyboard) is applied once
/// the reader has taken over, like a click: the list follows the select.
#[tokio::test]
async fn a_sort_chosen_before_the_takeover_is_applied_once_it_has() {
    let (thread, _) = thread_of("takeover-sort", 3);
    let client = session().await;
    instrument(&client, true).await;
    let root = open_demo_painted(&client, &format!("thread={thread}")).await;
    wait_for_text(&root, "ol.cq-list", "Comment 02").await;
    let first = || async {
        in_widget(
            &client,
            "return root.querySelector('ol.cq-list > li.cq-item .cq-body').textContent.trim();",
        )
        .await
    };
    assert_eq!(first().await, json!("Comment 00"), "oldest first");
    in_widget(
        &client,
        "const s = root.querySelector('select[name=sort]'); s.value = 'newest';
         s.dispatchEvent(new Event('change', { bubbles: true }));",
    )
    .await;
    client
        .execute("window.__releaseWasm()", vec![])
        .await
        .unwrap();
    poll("newest first after the takeover", || async {
        (first().await == json!("Comment 02")).then_some(())
    })
    .await;
    assert_eq!(
        in_widget(
            &client,
            "return root.querySelector('select[name=sort]').value;"
        )
        .await,
        json!("newest")
    );
    client.close().await.unwrap();
}

/// The server-painted comment box stands where the form's box will: when the writing
/// half arrives the box neither moves nor grows (it was 182×51 and jumped to 664×182).
#[tokio::test]
async fn the_comment_box_stays_where_it_is_when_the_form_arrives() {
    let (thread, _) = thread_of("compose-still", 1);
    let client = session().await;
    let root = open_demo_painted(&client, &format!("thread={thread}")).await;
    let rect = |css: &'static str| {
        let client = client.clone();
        async move {
            let r = in_widget(
                &client,
                &format!(
                    "const r = root.querySelector('{css}').getBoundingClientRect();
                     return [r.left, r.top + scrollY, r.width, r.height].map(Math.round);"
                ),
            )
            .await;
            serde_json::from_value::<Vec<i64>>(r).unwrap()
        }
    };
    let before = rect("textarea.cq-compose-box").await;
    root.find(Locator::Css("textarea.cq-compose-box"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&root, "form.cq-form:not(.cq-form-reply) textarea").await;
    let after = rect("form.cq-form:not(.cq-form-reply) textarea").await;
    for (what, (b, a)) in ["left", "top", "width", "height"]
        .iter()
        .zip(before.iter().zip(after.iter()))
    {
        assert!(
            (b - a).abs() <= 1,
            "the box's {what} changed: {before:?} → {after:?}"
        );
    }
    client.close().await.unwrap();
}

/// Every comment of a 25-comment thread reads without the wasm: the first page in the
/// widget, the rest through the plain "Show more" link.
async fn reads_without_wasm(client: &Client, query: &str) {
    client
        .goto(&format!("{}/?{query}", Deployment::main().demo))
        .await
        .unwrap();
    let root = widget_root(client).await;
    wait_for_text(&root, "h2.cq-heading", "25 comments").await;
    wait_for_text(&root, "ol.cq-list", "Comment 19").await;
    // Told how to comment, and nothing offers what cannot work.
    let note = wait_for(&root, ".cq-needs-script").await;
    poll("the note shown", || async {
        note.is_displayed().await.ok().filter(|shown| *shown)
    })
    .await;
    assert!(note.text().await.unwrap().contains("JavaScript"));
    let disabled = in_widget(
        client,
        "return [...root.querySelectorAll('.cq-compose-box, .cq-like')].every(b => b.disabled);",
    )
    .await;
    assert_eq!(
        disabled,
        json!(true),
        "the box and the likes cannot be used"
    );
    let shown = in_widget(
        client,
        "return [...root.querySelectorAll('.cq-actions button:not(.cq-like), .cq-sort')].filter(b => b.checkVisibility()).length;",
    )
    .await;
    assert_eq!(
        shown,
        json!(0),
        "no Reply, Hide, Report or sort that does nothing"
    );
    // "Show more" is a link to the plain page with the rest.
    click(&root, ".cq-more a").await;
    let view = Endpoint::View.path();
    poll("the plain page", || async {
        let url = client.current_url().await.ok()?;
        url.path().ends_with(&view).then_some(())
    })
    .await;
    let rest = poll("the rest of the thread", || async {
        let body = client.find(Locator::Css("body")).await.ok()?;
        let text = body.text().await.ok()?;
        text.contains("Comment 24").then_some(text)
    })
    .await;
    assert!(
        !rest.contains("Comment 00"),
        "the plain page is the next page"
    );
}

#[tokio::test]
async fn with_the_wasm_blocked_every_comment_still_reads() {
    let (thread, _) = thread_of("no-wasm", 25);
    let client = session().await;
    block_urls(&client, &["*.wasm"]).await;
    reads_without_wasm(&client, &format!("thread={thread}")).await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_host_csp_without_wasm_leaves_a_readable_thread() {
    let (thread, _) = thread_of("csp-nowasm", 25);
    let client = session().await;
    colloquy_e2e::browser::record_csp_violations(&client).await;
    client
        .goto(&format!(
            "{}/?thread={thread}&csp=nowasm",
            Deployment::main().demo
        ))
        .await
        .unwrap();
    // The recorder sees what the policy refuses (the check below can fail).
    let refused = poll("the refused WebAssembly", || async {
        let v = colloquy_e2e::browser::csp_violations(&client).await;
        (!v.is_empty()).then_some(v)
    })
    .await;
    assert!(
        refused
            .iter()
            .any(|v| v.contains("script-src") || v.contains("wasm")),
        "{refused:?}"
    );
    reads_without_wasm(&client, &format!("thread={thread}&csp=nowasm")).await;
    client.close().await.unwrap();
}
