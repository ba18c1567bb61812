//! Nothing typed is lost: drafts across reloads and network failures, reply and edit
//! drafts, remembered details only when asked, and a form token gone stale renewed.

use colloquy_e2e::browser::{
    click, fill_form, open_demo, session, set_online, submit_main_form, type_into, value_of,
    wait_for, wait_for_text, widget_root,
};
use colloquy_e2e::fixtures::{seed as post, Deployment};
use colloquy_e2e::unique_thread;
use serde_json::json;

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
