//! The author badge: the owner's badge token earns it (and skips moderation) and nothing
//! else does; a browser that opened a page with the token once keeps posting with it.

use colloquy_core::wire::vars;
use colloquy_e2e::browser::{click, fill_form, session, wait_for, wait_for_text, widget_root};
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::unique_thread;
use fantoccini::Locator;

#[test]
fn the_badge_token_earns_the_badge_and_skips_moderation_and_nothing_else_does() {
    let thread = unique_thread("owner-api");
    let owner_key = super::badge();
    let by_owner = comment(&thread)
        .body("Thanks, all!")
        .name("Mira Kos")
        .email("mira@example.org")
        .turnstile("pass-token");
    // The console key itself never works on a host page.
    let console_key = Deployment::strict().post(
        &by_owner
            .clone()
            .owner_key(Deployment::strict().secret(vars::OWNER_KEY))
            .build(),
    );
    assert_eq!(console_key.json()["comment"]["owner"], false);
    let reply = Deployment::strict().post(&by_owner.clone().owner_key(&owner_key).build());
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json()["comment"]["owner"], true);
    assert_eq!(reply.json()["comment"]["pending"], false);
    let impostor =
        Deployment::strict().post(&by_owner.owner_key("a-guess-at-the-key-0000000").build());
    assert_eq!(
        impostor.json()["comment"]["owner"],
        false,
        "the same name proves nothing"
    );
    assert_eq!(impostor.json()["comment"]["pending"], true);
    let page = Deployment::strict().list_thread(&thread);
    assert_eq!(page.json()["total"], 1);
    assert_eq!(page.json()["comments"][0]["owner"], true);
    assert!(!page.text.contains(&owner_key));
}

#[tokio::test]
async fn the_owner_opens_a_page_with_the_badge_token_once_and_then_posts_with_the_badge() {
    let client = session().await;
    let thread = unique_thread("owner-browser");
    let key = super::badge();
    client
        .goto(&format!(
            "{}/?thread={thread}#colloquy-owner={key}",
            Deployment::strict().demo
        ))
        .await
        .unwrap();
    let root = widget_root(&client).await;
    wait_for(&root, "ol.cq-list").await;
    let url = client.current_url().await.unwrap();
    assert!(
        !url.as_str().contains(&key),
        "the key is removed from the address bar: {url}"
    );
    fill_form(
        &root,
        "Author here: thank you for reading.",
        "Mira Kos",
        "mira@example.org",
    )
    .await;
    click(&root, ".cq-turnstile .fake-turnstile").await;
    click(&root, "form.cq-form button[type=submit]").await;
    let mine = wait_for_text(&root, "li.cq-item", "Author here").await;
    wait_for_text(&root, "li.cq-item .cq-badge", "Author").await;
    // Gravatar is on for this deployment (served by the local fake, never the real one).
    let img = wait_for(&root, "li.cq-item img.cq-avatar").await;
    let src = img.attr("src").await.unwrap().unwrap_or_default();
    assert!(
        src.starts_with("http://127.0.0.1:") && src.contains("/avatar/"),
        "{src}"
    );
    assert!(!mine.text().await.unwrap().contains("Awaiting moderation"));
    // The key stays on this device: after a reload the next comment has the badge too.
    client.refresh().await.unwrap();
    let root = widget_root(&client).await;
    fill_form(
        &root,
        "And one more from the author.",
        "Mira Kos",
        "mira@example.org",
    )
    .await;
    click(&root, ".cq-turnstile .fake-turnstile").await;
    click(&root, "form.cq-form button[type=submit]").await;
    let again = wait_for_text(&root, "li.cq-item", "one more from the author").await;
    let badge = again.find(Locator::Css(".cq-badge")).await.unwrap();
    assert_eq!(badge.text().await.unwrap(), "Author");
    client.close().await.unwrap();
}
