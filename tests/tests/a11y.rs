//! axe-core (npm) run inside Chromium on the widget in the states readers meet, and the
//! screenshots the README shows (written to `COLLOQUY_SCREENSHOTS`).

use colloquy_e2e::browser::{
    assert_accessible, click, in_widget, open_demo_with, phone_session, screenshot_widget, session,
    submit_main_form, type_into, wait_for, wait_for_text,
};
use colloquy_e2e::fixtures::seed;
use colloquy_e2e::unique_thread;

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
    let mut parent = seed(
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
        parent = seed(
            &thread,
            Some(parent),
            &format!("Nested reply, level {level}"),
            name,
        );
    }
    seed(&thread, None, "שלום, זו תגובה בעברית.", "Dana");
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
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_i64().unwrap_or(99) <= 0,
        "page scrolls sideways by {overflow}px"
    );
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
