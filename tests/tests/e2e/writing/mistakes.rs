//! A form's mistakes: every validation error with its code, field and status, all at
//! once, shown next to their inputs with the text kept; inputs that keep exactly what is
//! typed; errors that are fresh; names that show nothing.

use colloquy_core::wire::api::CommentId;
use colloquy_core::wire::limits;
use colloquy_e2e::browser::{
    click, in_widget, open_demo, poll, session, type_into, value_of, wait_for, wait_for_text,
    widget_root,
};
use colloquy_e2e::fixtures::{comment, seed as post, Deployment};
use colloquy_e2e::unique_thread;
use fantoccini::Locator;
use serde_json::json;

#[test]
fn every_validation_error_has_its_code_field_and_status() {
    let thread = unique_thread("validation");
    let long = |n: usize| "x".repeat(n);
    let ok = || comment(&thread);
    let cases = vec![
        ("missing body", ok().body(""), "body", "body_required"),
        ("blank body", ok().body("  \n "), "body", "body_required"),
        (
            "invisible body",
            ok().body("\u{200B}\u{2060}"),
            "body",
            "body_required",
        ),
        (
            "body too long",
            ok().body(&long(limits::BODY + 1)),
            "body",
            "body_too_long",
        ),
        ("missing name", ok().name(""), "name", "name_required"),
        (
            "name too long",
            ok().name(&long(limits::NAME + 1)),
            "name",
            "name_too_long",
        ),
        ("missing email", ok().email(""), "email", "email_required"),
        (
            "invalid email",
            ok().email("not-an-email"),
            "email",
            "email_invalid",
        ),
        (
            "email too long",
            ok().email(&format!("{}@b.org", long(limits::EMAIL))),
            "email",
            "email_too_long",
        ),
        (
            "javascript website",
            ok().website("javascript:alert(1)"),
            "website",
            "website_invalid",
        ),
        (
            "schemeless website",
            ok().website("example.org"),
            "website",
            "website_invalid",
        ),
        (
            "website with a space",
            ok().website("https://exa mple.org/"),
            "website",
            "website_malformed",
        ),
        (
            "website without a host",
            ok().website("http://"),
            "website",
            "website_malformed",
        ),
        (
            "website too long",
            ok().website(&format!("https://e.org/{}", long(limits::WEBSITE))),
            "website",
            "website_too_long",
        ),
        (
            "missing thread",
            comment("").body("x"),
            "thread",
            "thread_required",
        ),
        (
            "thread too long",
            comment(&long(limits::THREAD_KEY + 1)),
            "thread",
            "thread_too_long",
        ),
        (
            "thread with newline",
            comment("/a\n/"),
            "thread",
            "thread_invalid",
        ),
        (
            "title too long",
            ok().title(&long(limits::THREAD_TITLE + 1)),
            "thread_title",
            "title_too_long",
        ),
        (
            "thread url not http",
            ok().url("javascript:x"),
            "thread_url",
            "url_invalid",
        ),
        (
            "thread url on another site (a first commenter cannot point the thread there)",
            ok().url("https://evil.example/login"),
            "thread_url",
            "url_not_allowed",
        ),
        (
            "title with a line break (it would reach mail subjects)",
            ok().title("A title\r\nBcc: victim@example.org"),
            "thread_title",
            "title_invalid",
        ),
        (
            "parent id zero",
            ok().reply_to(CommentId(0)),
            "parent_id",
            "parent_not_found",
        ),
    ];
    for (label, body, field, code) in cases {
        let reply = Deployment::main().post(&body.build());
        assert_eq!(reply.status, 422, "{label}: {}", reply.text);
        let json = reply.json();
        assert_eq!(json["error"]["code"], "validation_failed", "{label}");
        assert!(
            !json["error"]["message"].as_str().unwrap_or("").is_empty(),
            "{label}"
        );
        let fields = json["error"]["fields"].as_array().expect("fields");
        assert_eq!(fields.len(), 1, "{label}: {fields:?}");
        assert_eq!(fields[0], json!({"field": field, "code": code}), "{label}");
    }
    // Nothing invalid was stored.
    assert_eq!(Deployment::main().page(&thread).total, 0);
}

#[test]
fn all_field_errors_are_reported_at_once() {
    let reply = Deployment::main()
        .post_json(&json!({"thread": unique_thread("all-errors"), "email": "nope"}));
    assert_eq!(reply.status, 422);
    let fields: Vec<String> = reply.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["body", "name", "email"]);
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
async fn email_and_website_keep_exactly_what_the_reader_types() {
    let client = session().await;
    let root = open_demo(&client, Some(&unique_thread("typing"))).await;
    for (css, text) in [
        ("#cq-new-email", "ann @example.com"),
        ("#cq-new-website", "https://my site.org"),
    ] {
        type_into(&root, css, text).await;
        let value = wait_for(&root, css).await.prop("value").await.unwrap();
        assert_eq!(value.as_deref(), Some(text), "{css}");
    }
    // And the website's problem is named, not "must start with http".
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "#cq-new-website-error", "not a complete web address").await;
    let input = wait_for(&root, "#cq-new-website").await;
    input.clear().await.unwrap();
    input.send_keys("http://").await.unwrap();
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "#cq-new-website-error", "not a complete web address").await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn errors_are_fresh_and_come_before_the_form_timer() {
    // On the strict deployment, which keeps the form timer (3 s).
    let client = session().await;
    client
        .goto(&format!(
            "{}/?thread={}",
            Deployment::strict().demo,
            unique_thread("fresh-errors")
        ))
        .await
        .unwrap();
    let root = widget_root(&client).await;
    wait_for(&root, "ol.cq-list").await;
    // What the server answers each comment the page sends.
    client
        .execute(
            "window.__sent = 0; window.__answers = []; const orig = window.fetch;
             window.fetch = function (input, init) {
               const url = typeof input === 'string' ? input : input.url;
               const method = (init && init.method) || (input && input.method) || 'GET';
               const p = orig.call(window, input, init);
               if (method === 'POST' && url.includes('/api/v1/comments')) {
                 window.__sent += 1;
                 p.then(r => r.clone().json()).then(j => window.__answers.push(j.error ? j.error.code : 'posted'));
               }
               return p;
             };",
            vec![],
        )
        .await
        .unwrap();
    // An empty form sent at once: the field errors show within the form timer (3 s),
    // not after it.
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "#cq-new-name-error", "Please enter your name").await;
    // The server checks fields before the form timer: the one request that was sent was
    // answered with the fields' problems, not "too fast, wait" (no timer was waited out).
    let answers = poll("the answers", || async {
        let got = client
            .execute(
                "return window.__answers.length === window.__sent ? window.__answers : null",
                vec![],
            )
            .await
            .ok()?;
        (!got.is_null()).then_some(got)
    })
    .await;
    let answers: Vec<String> = serde_json::from_value(answers).unwrap();
    assert!(
        answers.iter().all(|a| a != "too_fast" && a != "posted"),
        "fields are answered before the timer: {answers:?}"
    );
    type_into(&root, "#cq-new-body", "   ").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "#cq-new-body-error", "Please write a comment").await;
    // Typing fixes the name: its error goes at once, before anything is sent again.
    type_into(&root, "#cq-new-name", "Fresh").await;
    poll("the name's error to go as the reader fixes it", || async {
        let text = wait_for(&root, "#cq-new-name-error")
            .await
            .text()
            .await
            .ok()?;
        text.is_empty().then_some(())
    })
    .await;
    // A body far over the limit: only "too long", not also the earlier "write a comment".
    in_widget(
        &client,
        "const t = root.querySelector('#cq-new-body'); t.value = 'x'.repeat(70000);
         t.dispatchEvent(new Event('input', { bubbles: true }));",
    )
    .await;
    type_into(&root, "#cq-new-email", "fresh@example.org").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "#cq-new-body-error", "too long").await;
    let errors = in_widget(
        &client,
        "return [...root.querySelectorAll('form.cq-form:not(.cq-form-reply) .cq-error, form.cq-form:not(.cq-form-reply) .cq-form-error')].map(e => e.textContent).join('|');",
    )
    .await;
    let errors = errors.as_str().unwrap();
    assert!(!errors.contains("Please write a comment"), "{errors}");
    client.close().await.unwrap();
}

#[tokio::test]
async fn names_that_show_nothing_are_refused_and_direction_controls_cannot_flip_them() {
    for invisible in ["\u{202E}", "\u{200B}", "\u{200B}\u{2060}"] {
        let reply =
            Deployment::main().post(&comment(&unique_thread("invisible")).name(invisible).build());
        assert_eq!(reply.status, 422, "{invisible:?}: {}", reply.text);
        assert_eq!(reply.json()["error"]["fields"][0]["code"], "name_required");
    }
    let thread = unique_thread("bidi");
    post(&thread, None, "Who wrote this?", "evil\u{202E}gpj.exe");
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    let author = wait_for(&root, ".cq-author bdi").await;
    assert_eq!(author.text().await.unwrap(), "evilgpj.exe");
    client.close().await.unwrap();
}
