//! Readers who use a keyboard, a screen reader or a phone: axe-core (npm) inside Chromium on
//! the widget in the states readers meet, where the focus goes at every step, Escape, and
//! forms that fit a 320-pixel screen; plus the screenshots the README shows (written to
//! `COLLOQUY_SCREENSHOTS`).

use std::time::{Duration, Instant};

use colloquy_e2e::browser::{
    assert_accessible, click, count, focused, in_widget, open_demo, open_demo_with, phone_session,
    poll, screenshot_widget, session, sideways_overflow, submit_main_form, type_into, value_of,
    wait_focus, wait_for, wait_for_text,
};
use colloquy_e2e::fixtures::{seed as post, Deployment};
use colloquy_e2e::{seed, unique_thread};
use fantoccini::{Client, Locator};
use serde_json::json;

#[tokio::test]
async fn the_widget_passes_axe_in_light_and_dark_with_a_reply_form_and_an_error() {
    let client = session().await;
    for theme in ["light", "dark"] {
        let root = open_demo_with(&client, &format!("theme={theme}")).await;
        let heading = colloquy_e2e::fixtures::demo_thread_heading();
        wait_for_text(&root, "h2.cq-heading", &heading).await;
        assert_accessible(&client, &format!("{theme}: seeded thread")).await;
        screenshot_widget(&client, &format!("widget-{theme}")).await;

        click(&root, "button.cq-reply").await;
        wait_for(&root, "form.cq-form-reply textarea").await;
        assert_accessible(&client, &format!("{theme}: reply form open")).await;

        type_into(&root, "#cq-new-email", "not-an-email").await;
        submit_main_form(&root).await;
        wait_for_text(&root, "#cq-new-email-error", "valid email").await;
        assert_accessible(&client, &format!("{theme}: field errors shown")).await;
    }
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_320_pixel_phone_shows_the_widget_without_sideways_scrolling() {
    let thread = unique_thread("phone");
    let mut parent = post(
        &thread,
        None,
        "A comment with a rather long unbroken word: Donaudampfschifffahrtsgesellschaftskapitän",
        "Phone Reader",
    );
    // The deepest reply is by a name of 80 letters without a space, and a comment in
    // Hebrew reads right to left.
    let long_name =
        "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswesen";
    assert_eq!(long_name.chars().count(), 80);
    for level in 2..=5 {
        let name = if level == 5 { long_name } else { "Nested" };
        parent = post(
            &thread,
            Some(parent),
            &format!("Nested reply, level {level}"),
            name,
        );
    }
    post(&thread, None, "שלום, זו תגובה בעברית.", "Dana");
    let client = phone_session(320).await;
    let root = open_demo_with(&client, &format!("thread={thread}&theme=light")).await;
    wait_for_text(&root, "li.cq-item", "level 5").await;
    let hebrew = wait_for_text(&root, ".cq-body", "שלום").await;
    assert_eq!(
        hebrew.attr("dir").await.unwrap().as_deref(),
        Some("auto"),
        "a body takes its direction from its own text"
    );
    let direction = client
        .execute(
            "return getComputedStyle(arguments[0]).direction",
            vec![serde_json::to_value(&hebrew).unwrap()],
        )
        .await
        .unwrap();
    assert_eq!(direction, "rtl");
    let overflow = sideways_overflow(&client).await;
    assert!(overflow <= 0, "page scrolls sideways by {overflow}px");
    // Nor is anything cut off at the widget's edge (the host page may clip it): every
    // name ends inside the widget.
    let past_edge = in_widget(
        &client,
        "const edge = root.host.getBoundingClientRect().right;
         return Math.max(...[...root.querySelectorAll('.cq-author')].map(a => a.getBoundingClientRect().right)) - edge;",
    )
    .await;
    assert!(
        past_edge.as_f64().unwrap_or(99.0) <= 0.5,
        "a name runs {past_edge}px past the widget's edge"
    );
    assert_accessible(&client, "320 px phone").await;
    screenshot_widget(&client, "widget-phone-320").await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn the_keyboard_reaches_reply_and_focus_moves_sensibly() {
    let thread = unique_thread("keyboard");
    post(&thread, None, "Answer me by keyboard", "K");
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    let reply = wait_for(&root, "button.cq-reply").await;
    reply.send_keys("\u{E007}").await.unwrap(); // Enter
    wait_for(&root, "form.cq-form-reply textarea").await;
    let focused = in_widget(
        &client,
        "return root.activeElement && root.activeElement.tagName",
    )
    .await;
    assert_eq!(
        focused,
        json!("TEXTAREA"),
        "focus moves into the reply form"
    );
    let cancel = wait_for(&root, "button.cq-reply").await;
    cancel.send_keys("\u{E007}").await.unwrap();
    poll("the reply form to close", || async {
        root.find(Locator::Css("form.cq-form-reply"))
            .await
            .is_err()
            .then_some(())
    })
    .await;
    let focused = in_widget(
        &client,
        "return root.activeElement && root.activeElement.className",
    )
    .await;
    assert!(
        focused.as_str().unwrap_or("").contains("cq-reply"),
        "focus returns to Reply: {focused}"
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn focus_follows_the_reader_through_errors_edits_and_deletes() {
    let client = session().await;
    let thread = unique_thread("focus");
    post(&thread, None, "Someone else's comment", "Other");
    let root = open_demo(&client, Some(&thread)).await;
    // An invalid submit: focus goes to the first field with a problem.
    type_into(&root, "#cq-new-name", "Fokus").await;
    type_into(&root, "#cq-new-email", "fokus@example.org").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "#cq-new-body-error", "Please write a comment").await;
    wait_focus(&client, "TEXTAREA#cq-new-body").await;

    type_into(&root, "#cq-new-body", "Mine to edit").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    let mine = wait_for_text(&root, "li.cq-item", "Mine to edit").await;
    // Edit and Delete stand apart like the other actions (not "EditDelete").
    let gap = client
        .execute(
            "const [e, d] = [arguments[0].querySelector('.cq-edit-button'), arguments[0].querySelector('.cq-delete-button')];
             return d.getBoundingClientRect().left - e.getBoundingClientRect().right;",
            vec![serde_json::to_value(&mine).unwrap()],
        )
        .await
        .unwrap();
    assert!(
        gap.as_f64().unwrap_or(0.0) >= 8.0,
        "Edit and Delete {gap}px apart"
    );
    // Edit: focus in the edit box.
    mine.find(Locator::Css(".cq-edit-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_focus(&client, "TEXTAREA#cq-edit-").await;
    click(&root, ".cq-cancel-edit").await;
    wait_focus(&client, "cq-edit-button").await;
    // Delete: focus in the confirmation, back on Keep, and after deleting on the next
    // sensible element (the other comment), never the page's <body>.
    click(&root, ".cq-delete-button").await;
    wait_focus(&client, "cq-keep").await;
    click(&root, ".cq-keep").await;
    wait_focus(&client, "cq-delete-button").await;
    click(&root, ".cq-delete-button").await;
    click(&root, ".cq-confirm .cq-danger").await;
    wait_for_text(&root, "h2.cq-heading", "1 comment").await;
    wait_focus(&client, "ARTICLE#comment-").await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn focus_moves_to_the_first_comment_a_show_more_button_loaded() {
    let thread = unique_thread("focus-more");
    let mut seeds: Vec<seed::Seed> = (0..21)
        .map(|i| seed::top(format!("Paged {i}")).by("P"))
        .collect();
    seeds.extend((0..12).map(|i| seed::reply(0, format!("Reply {i}")).by("R")));
    let all: Vec<i64> = seed::thread(&Deployment::main(), &thread, &seeds)
        .into_iter()
        .map(|id| id.0)
        .collect();
    let (top, replies) = all.split_at(21);
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    click(&root, ".cq-more a").await;
    wait_focus(&client, &format!("ARTICLE#comment-{}.", top[20])).await;
    click(&root, ".cq-more-replies a").await;
    wait_focus(&client, &format!("ARTICLE#comment-{}.", replies[10])).await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn reply_forms_fit_a_320_pixel_phone_at_every_depth() {
    let thread = unique_thread("narrow");
    let mut parent = None;
    for level in 1..=7 {
        parent = Some(post(
            &thread,
            parent,
            &format!("Level {level}"),
            &format!("L{level}"),
        ));
    }
    let client = phone_session(320).await;
    let root = open_demo_with(&client, &format!("thread={thread}&theme=light")).await;
    wait_for_text(&root, "li.cq-item", "Level 7").await;
    let replies = root
        .find_all(Locator::Css("button.cq-reply"))
        .await
        .unwrap();
    assert_eq!(replies.len(), 7);
    for depth in 0..7 {
        let button = &root
            .find_all(Locator::Css("button.cq-reply"))
            .await
            .unwrap()[depth];
        button.click().await.unwrap();
        wait_for(&root, "form.cq-form-reply input[name=url]").await;
        let layout = in_widget(
            &client,
            "const f = root.querySelector('form.cq-form-reply');
             const boxes = [...f.querySelectorAll('input:not([tabindex=\"-1\"]), textarea, button')]
               .map(e => e.getBoundingClientRect()).filter(r => r.width > 0);
             return { overflow: document.documentElement.scrollWidth - window.innerWidth,
                      right: Math.max(...boxes.map(r => r.right)), width: window.innerWidth,
                      narrowest: Math.min(...Array.from(f.querySelectorAll('input[name=author], input[name=email], input[name=url], textarea'), e => e.getBoundingClientRect().width)) };",
        )
        .await;
        let get = |k: &str| layout[k].as_f64().unwrap();
        assert!(
            get("overflow") <= 0.0,
            "depth {}: sideways scroll {layout}",
            depth + 1
        );
        assert!(
            get("right") <= get("width"),
            "depth {}: cut off {layout}",
            depth + 1
        );
        assert!(
            get("narrowest") >= 180.0,
            "depth {}: cramped {layout}",
            depth + 1
        );
    }
    // Opening one form closed the others, and their buttons say "Reply" again; the open
    // one says "Cancel reply", and a second click closes it and says "Reply" too.
    let labels = in_widget(
        &client,
        "return [...root.querySelectorAll('button.cq-reply')].map(b => b.textContent + '/' + b.getAttribute('aria-expanded'));",
    )
    .await;
    let mut expected = vec![json!("Reply/false"); 6];
    expected.push(json!("Cancel reply/true"));
    assert_eq!(labels, json!(expected));
    root.find_all(Locator::Css("button.cq-reply"))
        .await
        .unwrap()[6]
        .click()
        .await
        .unwrap();
    poll("the reply form closed", || async {
        let labels = in_widget(
            &client,
            "return root.querySelector('form.cq-form-reply') ? null : [...root.querySelectorAll('button.cq-reply')].map(b => b.textContent);",
        )
        .await;
        (labels == json!(vec!["Reply"; 7])).then_some(())
    })
    .await;
    client.close().await.unwrap();
}

/// Whether the focused element inside the widget has this class.
async fn focus_has(client: &Client, class: &str) -> bool {
    in_widget(
        client,
        &format!("const a = root.activeElement; return !!a && a.classList.contains('{class}');"),
    )
    .await
        == json!(true)
}

async fn wait_focus_class(client: &Client, class: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !focus_has(client, class).await {
        assert!(
            Instant::now() < deadline,
            "focus is on {:?}, expected .{class}",
            focused(client).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn press_escape(client: &Client) {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys("\u{E00C}")
        .await
        .unwrap();
}

/// Escape closes whatever is open — reply form, edit form, delete question, report box —
/// with the focus back on the button that opened it, and loses nothing typed. A server's
/// refusal on submit puts the focus on Retry instead of the page's <body>.
#[tokio::test]
async fn escape_closes_every_form_without_losing_text_and_a_server_error_takes_the_focus() {
    let client = session().await;
    let thread = unique_thread("escape");
    post(&thread, None, "Someone to answer", "Other");
    let root = open_demo(&client, Some(&thread)).await;
    type_into(&root, "#cq-new-body", "Mine to keep").await;
    type_into(&root, "#cq-new-name", "Esme").await;
    type_into(&root, "#cq-new-email", "esme@example.org").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_for_text(&root, "li.cq-item", "Mine to keep").await;

    // A reply form: its draft comes back when the form does.
    let other = "li.cq-item:not(:has(.cq-edit-button))";
    click(&root, &format!("{other} .cq-reply")).await;
    type_into(&root, "form.cq-form-reply textarea", "Half a reply").await;
    press_escape(&client).await;
    poll("the reply form closed", || async {
        (count(&root, "form.cq-form-reply").await == 0).then_some(())
    })
    .await;
    wait_focus_class(&client, "cq-reply").await;
    // The button says a reply was started, also on the next visit.
    wait_for_text(&root, &format!("{other} .cq-reply"), "Continue your reply").await;
    client.refresh().await.unwrap();
    let root = colloquy_e2e::browser::widget_root(&client).await;
    wait_for_text(&root, &format!("{other} .cq-reply"), "Continue your reply").await;
    click(&root, &format!("{other} .cq-reply")).await;
    assert_eq!(
        value_of(&root, "form.cq-form-reply textarea").await,
        "Half a reply"
    );
    press_escape(&client).await;
    wait_focus_class(&client, "cq-reply").await;

    // The edit form: Escape keeps the unsaved words (only Cancel forgets them). While it
    // is open, Edit and Delete step aside (the form has Save and Cancel).
    click(&root, ".cq-edit-button").await;
    wait_focus(&client, "TEXTAREA#cq-edit-").await;
    assert_eq!(
        in_widget(
            &client,
            "return [...root.querySelectorAll('.cq-own button')].filter(b => b.checkVisibility()).length;"
        )
        .await,
        json!(0),
        "Edit and Delete hidden while editing"
    );
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(" and more")
        .await
        .unwrap();
    press_escape(&client).await;
    wait_focus_class(&client, "cq-edit-button").await;
    assert_eq!(count(&root, "form.cq-edit").await, 0);
    click(&root, ".cq-edit-button").await;
    assert_eq!(
        value_of(&root, "form.cq-edit textarea").await,
        "Mine to keep and more"
    );
    press_escape(&client).await;
    wait_focus_class(&client, "cq-edit-button").await;

    // The delete question and the report box.
    click(&root, ".cq-delete-button").await;
    wait_focus_class(&client, "cq-keep").await;
    press_escape(&client).await;
    wait_focus_class(&client, "cq-delete-button").await;
    click(&root, &format!("{other} .cq-report")).await;
    wait_focus_class(&client, "cq-report-reason").await;
    press_escape(&client).await;
    wait_focus_class(&client, "cq-report").await;
    assert_eq!(count(&root, ".cq-report-box").await, 0);

    // The server refuses the post (an outage): the focus goes to Retry.
    client
        .execute(
            "const orig = window.fetch;
             window.fetch = function (input, init) {
               const url = typeof input === 'string' ? input : input.url;
               const method = (init && init.method) || (typeof input === 'string' ? 'GET' : input.method);
               if (method === 'POST' && /\\/api\\/v1\\/comments(\\?|$)/.test(url)) {
                 return Promise.resolve(new Response(
                   JSON.stringify({ error: { code: 'unavailable', message: 'down' } }),
                   { status: 503, headers: { 'Content-Type': 'application/json' } }));
               }
               return orig.call(window, input, init);
             };",
            vec![],
        )
        .await
        .unwrap();
    type_into(&root, "#cq-new-body", "Sent into an outage").await;
    click(
        &root,
        "form.cq-form:not(.cq-form-reply) button[type=submit]",
    )
    .await;
    wait_focus_class(&client, "cq-retry").await;
    assert_eq!(value_of(&root, "#cq-new-body").await, "Sent into an outage");
    client.close().await.unwrap();
}
