//! Safety as a reader's browser sees it: hostile comments stay inert (every one of them,
//! on every page), authors can edit and delete their own comments only while the window
//! is open, and the widget sets no cookie and talks to no third party.

use colloquy_e2e::browser::{
    click, fill_form, in_widget, open_demo, session, submit_main_form, type_into, wait_for,
    wait_for_text, widget_root,
};
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::payloads::XSS_PAYLOADS;
use colloquy_e2e::unique_thread;
use fantoccini::{Client, Locator};
use serde_json::json;
use std::time::{Duration, Instant};

async fn xss_fired(client: &Client) -> bool {
    let fired = client
        .execute("return window.__xss !== undefined", vec![])
        .await
        .expect("run script");
    fired.as_bool().expect("boolean")
}

#[tokio::test]
async fn every_hostile_comment_renders_inert_on_every_page() {
    let thread = unique_thread("browser-xss");
    let hostile_name = "<img src=x onerror=window.__xss=1>";
    for payload in XSS_PAYLOADS {
        let reply =
            Deployment::main().post(&comment(&thread).body(payload).name(hostile_name).build());
        assert_eq!(reply.status, 201, "{payload}: {}", reply.text);
    }
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    wait_for_text(
        &root,
        "h2.cq-heading",
        &format!("{} comments", XSS_PAYLOADS.len()),
    )
    .await;
    // Load every page, so the payloads that fire without a click are in the page too.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let shown = root
            .find_all(Locator::Css("li.cq-item .cq-body"))
            .await
            .unwrap()
            .len();
        if shown == XSS_PAYLOADS.len() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{shown} of {} shown",
            XSS_PAYLOADS.len()
        );
        if let Ok(more) = root.find(Locator::Css(".cq-more a")).await {
            let _ = more.click().await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Every payload is there, as text where it was markup.
    let bodies = in_widget(
        &client,
        "return [...root.querySelectorAll('li.cq-item .cq-body')].map(b => b.textContent).join('\\n');",
    )
    .await;
    let bodies = bodies.as_str().unwrap();
    for payload in XSS_PAYLOADS.iter().filter(|p| p.starts_with('<')) {
        let first_tag = payload.split('>').next().unwrap();
        assert!(bodies.contains(first_tag), "{payload:?} is not shown");
    }
    // Give anything that could fire (onload, autofocus, timers) its chance: focus moves
    // through every element of the widget.
    in_widget(
        &client,
        "root.querySelectorAll('.cq-body *').forEach(e => { try { e.focus(); } catch (_) {} });",
    )
    .await;
    colloquy_e2e::browser::settle(&client).await;
    assert!(!xss_fired(&client).await, "a payload executed");
    // The hostile name is shown as the text it is.
    let author = wait_for(&root, ".cq-author").await;
    assert_eq!(author.text().await.unwrap(), hostile_name);
    for tag in [
        "script", "iframe", "object", "style", "input", "form", "img", "svg", "math",
    ] {
        let found = root
            .find_all(Locator::Css(&format!(".cq-body {tag}")))
            .await
            .unwrap();
        assert!(found.is_empty(), "a <{tag}> made it into a comment body");
    }
    client.close().await.unwrap();
}

/// The edit controls' text of the comment containing `text`.
async fn actions_of(root: &fantoccini::elements::ShadowRoot, text: &str) -> String {
    let item = wait_for_text(root, "li.cq-item", text).await;
    item.find(Locator::Css(".cq-actions"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_author_edits_and_deletes_their_comment_then_the_window_closes() {
    let client = session().await;
    let thread = unique_thread("browser-own");
    let root = open_demo(&client, Some(&thread)).await;
    fill_form(&root, "Frist", "Iva", "iva@example.org").await;
    submit_main_form(&root).await;
    wait_for_text(&root, "li.cq-item", "Frist").await;

    click(&root, ".cq-edit-button").await;
    let box_ = wait_for(&root, "form.cq-edit textarea").await;
    assert_eq!(
        box_.prop("value").await.unwrap().as_deref(),
        Some("Frist"),
        "the edit box holds the Markdown"
    );
    box_.clear().await.unwrap();
    box_.send_keys("First, *properly*").await.unwrap();
    click(&root, "form.cq-edit button[type=submit]").await;
    wait_for_text(&root, ".cq-body", "First, properly").await;
    wait_for(&root, ".cq-body em").await;
    wait_for_text(&root, ".cq-edited", "(edited)").await;

    // A second comment to delete; the first stays to watch its window close.
    type_into(&root, "#cq-new-body", "Delete me").await;
    submit_main_form(&root).await;
    let doomed = wait_for_text(&root, "li.cq-item", "Delete me").await;
    doomed
        .find(Locator::Css(".cq-delete-button"))
        .await
        .expect("a Delete button on my comment")
        .click()
        .await
        .unwrap();
    wait_for_text(&root, ".cq-confirm", "Delete this comment?").await;
    click(&root, ".cq-confirm .cq-danger").await;
    wait_for_text(&root, "h2.cq-heading", "1 comment on").await;
    let list = wait_for(&root, "ol.cq-list").await.text().await.unwrap();
    assert!(!list.contains("Delete me"), "{list}");

    // The window closes (its stored end is moved to two seconds from now, rather than
    // waiting out the real one): the controls disappear by themselves, and stay gone.
    client
        .execute(
            "for (const k of Object.keys(localStorage).filter(k => k.startsWith('colloquy:own:'))) {
               const [token, , markdown] = localStorage.getItem(k).split('\\n');
               localStorage.setItem(k, [token, Date.now() + 2000, markdown].join('\\n'));
             }",
            vec![],
        )
        .await
        .unwrap();
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    let actions = actions_of(&root, "First, properly").await;
    assert!(actions.contains("Edit"), "still open: {actions}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while actions_of(&root, "First, properly").await.contains("Edit") {
        assert!(
            Instant::now() < deadline,
            "the controls stayed after the window"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    let actions = actions_of(&root, "First, properly").await;
    assert!(
        !actions.contains("Edit") && !actions.contains("Delete"),
        "{actions}"
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn the_widget_sets_no_cookie_and_talks_to_no_third_party() {
    let thread = unique_thread("no-third-party");
    Deployment::main().create(&comment(&thread).body("Read me").build());
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    wait_for_text(&root, "li.cq-item", "Read me").await;
    // Write and post too, so every request a reader can cause has happened.
    fill_form(&root, "A reply of mine", "Cookie Monster", "c@example.org").await;
    submit_main_form(&root).await;
    wait_for_text(&root, "li.cq-item", "A reply of mine").await;
    // Every cookie the browser holds, HttpOnly ones included (`document.cookie` cannot see
    // those).
    colloquy_e2e::browser::cdp(&client, "Network.enable", json!({})).await;
    let cookies = colloquy_e2e::browser::cdp(&client, "Network.getAllCookies", json!({})).await;
    assert_eq!(cookies["cookies"], json!([]), "{cookies}");
    let hosts = client
        .execute(
            "return [...new Set(performance.getEntriesByType('resource').map(e => new URL(e.name).origin))];",
            vec![],
        )
        .await
        .unwrap();
    let hosts: Vec<String> = serde_json::from_value(hosts).unwrap();
    let api = Deployment::main().api;
    for host in &hosts {
        assert!(
            host == &api || host == &Deployment::main().demo,
            "a request to {host} (all: {hosts:?})"
        );
    }
    assert!(hosts.contains(&api), "{hosts:?}");
    client.close().await.unwrap();
}
