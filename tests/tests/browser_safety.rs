//! Safety as a reader's browser sees it: hostile comments stay inert, and authors can edit
//! and delete their own comments only while the window is open.

use colloquy_e2e::browser::{
    click, fill_form, open_demo, session, type_into, wait_for, wait_for_text, widget_root,
};
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::payloads::XSS_PAYLOADS;
use colloquy_e2e::unique_thread;
use fantoccini::{Client, Locator};

async fn xss_fired(client: &Client) -> bool {
    let fired = client
        .execute("return window.__xss !== undefined", vec![])
        .await
        .expect("run script");
    fired.as_bool().expect("boolean")
}

#[tokio::test]
async fn hostile_comments_render_inert_in_the_widget() {
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
    // Give anything that could fire (onload, autofocus, timers) a moment.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert!(!xss_fired(&client).await, "a payload executed");
    // The hostile name is shown as the text it is.
    let author = wait_for(&root, ".cq-author").await;
    assert_eq!(author.text().await.unwrap(), hostile_name);
    // Raw HTML the reader typed is visible as text, not swallowed.
    wait_for_text(&root, ".cq-body", "<script>window.__xss=1</script>").await;
    for tag in [
        "script", "iframe", "object", "style", "input", "form", "img", "svg",
    ] {
        let found = root
            .find_all(Locator::Css(&format!(".cq-body {tag}")))
            .await
            .unwrap();
        assert!(found.is_empty(), "a <{tag}> made it into a comment body");
    }
    client.close().await.unwrap();
}

#[tokio::test]
async fn an_author_edits_and_deletes_their_comment_then_the_window_closes() {
    let window: u64 = std::env::var(colloquy_e2e::env_names::EDIT_WINDOW_SECS)
        .expect("set by cargo xtask test")
        .parse()
        .unwrap();
    let client = session().await;
    let thread = unique_thread("browser-own");
    let root = open_demo(&client, Some(&thread)).await;
    // Sent at once after loading: the widget waits out the server's minimum form time
    // itself instead of showing a "too fast" error.
    fill_form(&root, "Frist", "Iva", "iva@example.org").await;
    click(&root, "form.cq-form button[type=submit]").await;
    wait_for_text(&root, "li.cq-item", "Frist").await;

    let edit = wait_for_text(&root, ".cq-actions button", "Edit").await;
    edit.click().await.unwrap();
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
    click(&root, "form.cq-form button[type=submit]").await;
    let doomed = wait_for_text(&root, "li.cq-item", "Delete me").await;
    let buttons = doomed
        .find_all(Locator::Css(".cq-actions button"))
        .await
        .unwrap();
    let mut delete = None;
    for b in buttons {
        if b.text().await.unwrap() == "Delete" {
            delete = Some(b);
        }
    }
    delete
        .expect("a Delete button on my comment")
        .click()
        .await
        .unwrap();
    wait_for_text(&root, ".cq-confirm", "Delete this comment?").await;
    click(&root, ".cq-confirm .cq-danger").await;
    wait_for_text(&root, "h2.cq-heading", "1 comment on").await;
    assert!(!root
        .find(Locator::Css("ol.cq-list"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("Delete me"));

    // When the window closes the controls disappear by themselves, and stay gone on reload.
    tokio::time::sleep(std::time::Duration::from_millis(window * 1000 + 1000)).await;
    let item = wait_for_text(&root, "li.cq-item", "First, properly").await;
    let actions = item
        .find(Locator::Css(".cq-actions"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !actions.contains("Edit") && !actions.contains("Delete"),
        "{actions}"
    );
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    let item = wait_for_text(&root, "li.cq-item", "First, properly").await;
    let actions = item
        .find(Locator::Css(".cq-actions"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !actions.contains("Edit") && !actions.contains("Delete"),
        "{actions}"
    );
    client.close().await.unwrap();
}
