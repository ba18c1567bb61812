//! The widget in headless Chromium, on the demo page served from its own origin.

use colloquy_e2e::browser::{
    click, open_compose, open_demo, session, type_into, value_of, wait_for, wait_for_text,
    widget_root,
};
use colloquy_e2e::unique_thread;
use fantoccini::Locator;

const TITLE: &str = "Can communities of practice learn online?";

#[tokio::test]
async fn a_reader_posts_a_comment_then_a_reply_and_both_survive_a_reload() {
    let client = session().await;
    let thread = unique_thread("browser-post");
    let root = open_demo(&client, Some(&thread)).await;
    wait_for_text(
        &root,
        "h2.cq-heading",
        &format!("No comments yet on “{TITLE}”"),
    )
    .await;
    // The server paints a collapsed box under its heading and note; the form opens in
    // its place when the reader goes to write.
    let compose_text = wait_for(&root, ".cq-compose").await.text().await.unwrap();
    assert!(compose_text.contains("Leave a comment"), "{compose_text}");
    open_compose(&root).await;
    let form_text = wait_for(&root, "form.cq-form").await.text().await.unwrap();
    assert!(form_text.contains("Leave a comment"), "{form_text}");
    assert!(
        form_text
            .contains("Your email address will not be published. Required fields are marked *"),
        "{form_text}"
    );

    type_into(
        &root,
        "#cq-new-body",
        "Our reading group met online all year.",
    )
    .await;
    type_into(&root, "#cq-new-name", "Petra").await;
    type_into(&root, "#cq-new-email", "petra@example.org").await;
    type_into(&root, "#cq-new-website", "https://petra.example.org").await;
    click(&root, "form.cq-form button[type=submit]").await;

    let top = wait_for_text(
        &root,
        "ol.cq-list > li.cq-item",
        "Our reading group met online",
    )
    .await;
    wait_for_text(&root, "h2.cq-heading", &format!("1 comment on “{TITLE}”")).await;
    let author = top
        .find(Locator::Css("a.cq-author"))
        .await
        .expect("author links to website");
    assert_eq!(
        author.attr("href").await.unwrap().as_deref(),
        Some("https://petra.example.org")
    );
    assert_eq!(author.text().await.unwrap(), "Petra");
    // The form was cleared only after the comment was published.
    assert_eq!(value_of(&root, "#cq-new-body").await, "");

    top.find(Locator::Css("button.cq-reply"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let reply_body = wait_for(&root, "form.cq-form-reply textarea").await;
    // Focus moved into the reply form; name and email are remembered from the first post.
    reply_body
        .send_keys("Which tool did you use?")
        .await
        .unwrap();
    click(&root, "form.cq-form-reply button[type=submit]").await;
    wait_for_text(
        &root,
        "ol.cq-replies > li.cq-item",
        "Which tool did you use?",
    )
    .await;
    wait_for_text(&root, "h2.cq-heading", &format!("2 comments on “{TITLE}”")).await;

    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    let nested = wait_for_text(
        &root,
        "ol.cq-list > li.cq-item > ol.cq-replies > li.cq-item",
        "Which tool",
    )
    .await;
    // The reply sits inside its parent's item, not beside it.
    let parent_text = wait_for_text(&root, "ol.cq-list > li.cq-item", "Our reading group")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        parent_text.contains("Which tool did you use?"),
        "{parent_text}"
    );
    assert!(nested.text().await.unwrap().contains("Petra"));
    wait_for_text(&root, "h2.cq-heading", &format!("2 comments on “{TITLE}”")).await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn the_seeded_demo_shows_a_nested_discussion() {
    let client = session().await;
    let root = open_demo(&client, None).await;
    let heading = colloquy_e2e::fixtures::demo_thread_heading();
    wait_for_text(&root, "h2.cq-heading", &format!("{heading} on “{TITLE}”")).await;
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
async fn api_field_errors_show_next_to_their_inputs_and_keep_the_text() {
    let client = session().await;
    let thread = unique_thread("browser-errors");
    let root = open_demo(&client, Some(&thread)).await;
    type_into(&root, "#cq-new-body", "A thought worth keeping").await;
    type_into(&root, "#cq-new-email", "not-an-email").await;
    click(&root, "form.cq-form button[type=submit]").await;

    wait_for_text(&root, "#cq-new-name-error", "Please enter your name.").await;
    wait_for_text(&root, "#cq-new-email-error", "valid email address").await;
    let email = wait_for(&root, "#cq-new-email").await;
    assert_eq!(
        email.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        value_of(&root, "#cq-new-body").await,
        "A thought worth keeping"
    );
    assert!(root
        .find_all(Locator::Css("li.cq-item"))
        .await
        .unwrap()
        .is_empty());
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
