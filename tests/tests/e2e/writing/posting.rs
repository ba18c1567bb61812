//! Posting and replying, over HTTP and in Chromium: published and listed at once, replies
//! nested under their parents, a preview exactly like publishing, replies past the depth
//! cap, and a reply form on a slow network.

use colloquy_core::domain::thread::build_tree;
use colloquy_core::wire::api::CommentId;
use colloquy_core::wire::endpoint::Endpoint;
use colloquy_e2e::browser::{
    click, count, delay_responses, in_widget, open_compose, open_demo, session, type_into,
    value_of, wait_for, wait_for_text, widget_root,
};
use colloquy_e2e::fixtures::{comment, seed as post, Deployment, DEMO_TITLE};
use colloquy_e2e::unique_thread;
use fantoccini::Locator;
use serde_json::json;

#[test]
fn a_new_comment_is_published_and_listed() {
    let thread = unique_thread("create");
    let created = Deployment::main()
        .create(
            &comment(&thread)
                .title("An article")
                .body("Hello *world*")
                .website("https://ana.example.org/")
                .build(),
        )
        .comment;
    assert_eq!(created.author, "Ana Novak");
    assert_eq!(created.website.as_deref(), Some("https://ana.example.org/"));
    assert_eq!(created.body_html, "<p>Hello <em>world</em></p>\n");
    assert_eq!(created.parent_id, None);
    assert!(created.created_at.ends_with('Z'), "{}", created.created_at);

    let page = Deployment::main().page(&thread);
    assert_eq!(page.total, 1);
    assert_eq!(page.title.as_deref(), Some("An article"));
    assert_eq!(page.comments, vec![created]);
}

#[test]
fn replies_nest_under_their_parents_several_levels_deep() {
    let thread = unique_thread("nesting");
    let api = Deployment::main();
    let top = api.create_id(comment(&thread).body("top"));
    let second = api.create_id(comment(&thread).body("second top-level"));
    let reply = api.create_id(comment(&thread).body("a reply").reply_to(top));
    let deeper = api.create_id(
        comment(&thread)
            .body("a reply to the reply")
            .reply_to(reply),
    );
    let deepest = api.create_id(comment(&thread).body("and one more level").reply_to(deeper));

    let page = api.page(&thread);
    assert_eq!(page.total, 5);
    // Oldest first, flat, each naming its parent.
    let ids: Vec<_> = page.comments.iter().map(|c| (c.id, c.parent_id)).collect();
    assert_eq!(
        ids,
        vec![
            (top, None),
            (second, None),
            (reply, Some(top)),
            (deeper, Some(reply)),
            (deepest, Some(deeper)),
        ]
    );
    let tree = build_tree(&page.comments);
    assert_eq!(tree.len(), 2);
    assert_eq!(tree[0].replies[0].replies[0].replies[0].comment.id, deepest);
    assert!(tree[1].replies.is_empty());
}

#[test]
fn replies_to_missing_comments_or_other_threads_are_rejected() {
    let thread = unique_thread("parent-a");
    let other = unique_thread("parent-b");
    let api = Deployment::main();
    let top = api.create_id(comment(&thread).body("top"));
    api.create_id(comment(&other).body("other thread exists too"));
    for (label, target_thread, parent) in [
        ("missing parent", &thread, CommentId(999_999_999)),
        ("parent in another thread", &other, top),
    ] {
        let reply = api.post(&comment(target_thread).reply_to(parent).build());
        assert_eq!(reply.status, 422, "{label}: {}", reply.text);
        assert_eq!(reply.error_code(), "parent_not_found", "{label}");
        assert_eq!(
            reply.json()["error"]["fields"][0]["field"],
            "parent_id",
            "{label}"
        );
    }
    // A reply to a thread that does not exist yet is refused and does not create it.
    let fresh = unique_thread("parent-c");
    let reply = api.post(&comment(&fresh).reply_to(top).build());
    assert_eq!(reply.error_code(), "parent_not_found");
    assert_eq!(api.page(&fresh).total, 0);
    assert_eq!(api.page(&thread).total, 1);
}

#[tokio::test]
async fn a_reader_posts_a_comment_then_a_reply_and_both_survive_a_reload() {
    let client = session().await;
    let thread = unique_thread("browser-post");
    let root = open_demo(&client, Some(&thread)).await;
    wait_for_text(
        &root,
        "h2.cq-heading",
        &format!("No comments yet on “{DEMO_TITLE}”"),
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
    wait_for_text(
        &root,
        "h2.cq-heading",
        &format!("1 comment on “{DEMO_TITLE}”"),
    )
    .await;
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
    wait_for_text(
        &root,
        "h2.cq-heading",
        &format!("2 comments on “{DEMO_TITLE}”"),
    )
    .await;

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
    wait_for_text(
        &root,
        "h2.cq-heading",
        &format!("2 comments on “{DEMO_TITLE}”"),
    )
    .await;
    client.close().await.unwrap();
}

#[test]
fn preview_renders_exactly_like_publishing_without_storing() {
    let body = "**bold** <script>x</script> [a](javascript:x)";
    let preview = Deployment::main().write(Endpoint::Preview, &json!({ "body": body }));
    assert_eq!(preview.status, 200, "{}", preview.text);
    let thread = unique_thread("preview");
    let published = Deployment::main().create(&comment(&thread).title("t").body(body).build());
    assert_eq!(preview.json()["html"], published.comment.body_html);
    let empty = Deployment::main().write(Endpoint::Preview, &json!({"body": " "}));
    assert_eq!(empty.json()["error"]["fields"][0]["code"], "body_required");
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
