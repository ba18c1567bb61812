//! A site owner putting comments on their pages: the script tag and the widget's files
//! served cross-origin, the embed pasted twice, defaults read from the page, the host
//! page's CSS kept out, the documented host Content-Security-Policy, and comment counts on
//! index pages.

use std::time::{Duration, Instant};

use colloquy_core::wire::endpoint::Endpoint;
use colloquy_e2e::browser::{
    fill_form, in_widget, open_compose, open_demo, open_demo_with, poll, session, submit_main_form,
    wait_for, wait_for_text,
};
use colloquy_e2e::fixtures::{seed as post, Deployment};
use colloquy_e2e::unique_thread;
use serde_json::json;

#[test]
fn the_embed_script_and_widget_are_served_cross_origin_with_the_right_types() {
    let api = Deployment::main();
    let embed = api.get("/embed.js");
    assert_eq!(embed.status, 200);
    assert!(embed
        .header("content-type")
        .unwrap_or("")
        .contains("javascript"));
    assert_eq!(embed.header("access-control-allow-origin"), Some("*"));
    // embed.js names the versioned widget folder it loads.
    let start = embed
        .text
        .find("widget/")
        .expect("embed.js references widget/")
        + "widget/".len();
    let version: String = embed.text[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(version.len(), 12, "{}", embed.text);
    let wasm = api.get(&format!("/widget/{version}/colloquy_widget_bg.wasm"));
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.header("access-control-allow-origin"), Some("*"));
    let glue = api.get(&format!("/widget/{version}/colloquy_widget.js"));
    assert_eq!(glue.status, 200);
    assert!(glue
        .header("content-type")
        .unwrap_or("")
        .contains("javascript"));
    // count.js has its API path from the build, and it is the one core describes.
    let count = api.get("/count.js");
    assert!(
        count
            .text
            .contains(Endpoint::Counts.path().trim_start_matches('/')),
        "{}",
        count.text
    );
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
async fn the_host_pages_css_does_not_reach_into_the_widget() {
    let client = session().await;
    let thread = unique_thread("browser-isolation");
    let root = open_demo(&client, Some(&thread)).await;
    // demo.css styles every page textarea with a dashed red border and uppercase text.
    let collapsed = wait_for(&root, ".cq-compose-box").await;
    assert_ne!(
        collapsed.css_value("border-top-style").await.unwrap(),
        "dashed"
    );
    open_compose(&root).await;
    let textarea = wait_for(&root, "#cq-new-body").await;
    assert_ne!(
        textarea.css_value("border-top-style").await.unwrap(),
        "dashed"
    );
    let button = wait_for(&root, "form.cq-form button[type=submit]").await;
    assert_eq!(button.css_value("text-transform").await.unwrap(), "none");
    client.close().await.unwrap();
}

#[tokio::test]
async fn under_the_documented_host_csp_the_widget_reads_and_writes() {
    let thread = unique_thread("csp-widget");
    let client = session().await;
    colloquy_e2e::browser::record_csp_violations(&client).await;
    let root = open_demo_with(&client, &format!("thread={thread}&csp=widget")).await;
    fill_form(
        &root,
        "Posted under a strict policy",
        "Cyrus",
        "cy@example.org",
    )
    .await;
    submit_main_form(&root).await;
    wait_for_text(&root, "li.cq-item", "Posted under a strict policy").await;
    wait_for_text(&root, "h2.cq-heading", "1 comment").await;
    assert_eq!(
        colloquy_e2e::browser::csp_violations(&client).await,
        Vec::<String>::new(),
        "nothing refused under the documented policy"
    );
    client.close().await.unwrap();
}
