//! A reader's own comments: edited and deleted with the edit token while the window is
//! open (over HTTP and in Chromium), never after, and a deleted comment with replies leaves
//! its place.

use std::time::{Duration, Instant};

use colloquy_core::wire::api::{CreatedComment, ThreadPage};
use colloquy_core::wire::endpoint::Endpoint;
use colloquy_core::wire::vars;
use colloquy_e2e::browser::{
    click, fill_form, open_demo, session, submit_main_form, type_into, wait_for, wait_for_text,
    widget_root,
};
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::Reply;
use colloquy_e2e::unique_thread;
use fantoccini::Locator;
use serde_json::json;

fn mine(thread: &str, body: &str) -> CreatedComment {
    Deployment::main().create(&comment(thread).body(body).build())
}

fn change(endpoint: Endpoint, body: &serde_json::Value) -> Reply {
    Deployment::main().write(endpoint, body)
}

#[test]
fn authors_edit_and_delete_their_own_comments_with_the_token() {
    let thread = unique_thread("own");
    let created = mine(&thread, "frist!");
    let theirs = mine(&thread, "not yours");
    let id = created.comment.id;
    let token = created.edit_token.as_str();
    assert!(created.edit_expires_at.ends_with('Z'));

    let edited = change(
        Endpoint::EditComment(id),
        &json!({"edit_token": token, "body": "*first*"}),
    );
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(
        edited.json()["comment"]["body_html"],
        "<p><em>first</em></p>\n"
    );
    assert!(edited.json()["comment"]["edited_at"].is_string());

    let cases = [
        ("another comment's token", theirs.edit_token.clone()),
        (
            "forged signature",
            format!("{}.99999999999999.{}", id.0, "ab".repeat(32)),
        ),
        ("no token", String::new()),
    ];
    for (label, bad) in cases {
        for endpoint in [Endpoint::EditComment(id), Endpoint::DeleteComment(id)] {
            let reply = change(endpoint, &json!({"edit_token": bad, "body": "hijacked"}));
            assert_eq!(
                reply.error(),
                (403, "edit_token_invalid".into()),
                "{endpoint:?} with {label}"
            );
        }
    }
    let empty = change(
        Endpoint::EditComment(id),
        &json!({"edit_token": token, "body": "  "}),
    );
    assert_eq!(empty.json()["error"]["fields"][0]["code"], "body_required");

    let deleted = change(Endpoint::DeleteComment(id), &json!({"edit_token": token}));
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let page = Deployment::main().page(&thread);
    assert_eq!(page.total, 1);
    assert_eq!(
        page.comments.len(),
        1,
        "a comment without replies disappears"
    );
    let again = change(Endpoint::DeleteComment(id), &json!({"edit_token": token}));
    assert_eq!(again.error(), (404, "comment_not_found".into()));
}

#[test]
fn deleting_a_comment_with_replies_leaves_a_placeholder() {
    let thread = unique_thread("placeholder");
    let top = mine(&thread, "top secret");
    Deployment::main().create(
        &comment(&thread)
            .body("a reply")
            .reply_to(top.comment.id)
            .build(),
    );
    let reply = change(
        Endpoint::DeleteComment(top.comment.id),
        &json!({"edit_token": top.edit_token}),
    );
    assert_eq!(reply.status, 204, "{}", reply.text);
    let listed = Deployment::main().list_thread(&thread);
    let page: ThreadPage = listed.expect(200);
    assert_eq!(page.total, 1);
    let placeholder = &page.comments[0];
    assert!(placeholder.deleted);
    assert_eq!(
        (placeholder.author.as_str(), placeholder.body_html.as_str()),
        ("", "")
    );
    assert_eq!(page.comments[1].parent_id, Some(top.comment.id));
    assert!(!listed.text.contains("top secret"));
}

#[test]
fn edit_tokens_stop_working_when_the_window_closes() {
    // The strict deployment's edit window is a few seconds.
    let window: u64 = Deployment::strict()
        .var(vars::EDIT_WINDOW_SECS)
        .parse()
        .unwrap();
    let strict = Deployment::strict();
    let created = strict.create(
        &comment(&unique_thread("window"))
            .turnstile("pass-token")
            .build(),
    );
    std::thread::sleep(std::time::Duration::from_millis(window * 1000 + 500));
    for endpoint in [
        Endpoint::EditComment(created.comment.id),
        Endpoint::DeleteComment(created.comment.id),
    ] {
        let reply = strict.write(
            endpoint,
            &json!({"edit_token": created.edit_token, "body": "late"}),
        );
        assert_eq!(
            reply.error(),
            (403, "edit_window_closed".into()),
            "{endpoint:?}"
        );
    }
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
