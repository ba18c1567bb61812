//! The moderation console (`/admin`, its own wasm) in headless Chromium: logging in and
//! out, the queue's keyboard and bulk actions, replying as the owner, locking a thread,
//! the settings form — each checked against what readers then get — and axe-core on
//! every screen. Screenshots of the queue and the settings go to docs/screenshots.

use colloquy_core::wire::console::query::ListQuery;
use colloquy_core::wire::console::Tab;
use colloquy_core::wire::console::{CommentList, Settings};
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_e2e::browser::{poll, session};
use colloquy_e2e::console::{owner_key, Console};
use colloquy_e2e::deployments::env;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::unique_thread;
use fantoccini::{Client, Locator};
use serde_json::json;

async fn wait_css(client: &Client, css: &str) -> fantoccini::elements::Element {
    poll(&format!("`{css}` in the console"), || async {
        client.find(Locator::Css(css)).await.ok()
    })
    .await
}

/// Wait until `css` has text containing `needle`.
async fn wait_text(client: &Client, css: &str, needle: &str) {
    poll(&format!("`{css}` saying {needle:?}"), || async {
        let el = client.find(Locator::Css(css)).await.ok()?;
        el.text()
            .await
            .ok()
            .filter(|t| t.contains(needle))
            .map(|_| ())
    })
    .await;
}

async fn count(client: &Client, css: &str) -> usize {
    client
        .find_all(Locator::Css(css))
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

async fn wait_count(client: &Client, css: &str, n: usize) {
    poll(&format!("{n} × `{css}`"), || async {
        (count(client, css).await == n).then_some(())
    })
    .await;
}

async fn active(client: &Client, js: &str) -> serde_json::Value {
    client
        .execute(
            &format!("const el = document.activeElement; return {js};"),
            vec![],
        )
        .await
        .unwrap()
}

async fn press(client: &Client, keys: &str) {
    client
        .active_element()
        .await
        .expect("a focused element")
        .send_keys(keys)
        .await
        .expect("keys");
}

async fn click(client: &Client, css: &str) {
    wait_css(client, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Find a button by its text, inside `scope` (a CSS selector).
async fn click_button(client: &Client, scope: &str, text: &str) {
    let xpath = format!(
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' {scope} ')]//button[normalize-space(.)='{text}'] | //{scope}//button[normalize-space(.)='{text}']"
    );
    let button = poll(&format!("button “{text}” in {scope}"), || async {
        client.find(Locator::XPath(&xpath)).await.ok()
    })
    .await;
    button
        .click()
        .await
        .unwrap_or_else(|e| panic!("click “{text}”: {e}"));
}

async fn open_section(client: &Client, slug: &str) {
    click(client, &format!("nav a[href='#{slug}']")).await;
    wait_css(client, &format!("nav a[href='#{slug}'][aria-current=page]")).await;
}

/// Narrow the current list to one thread's comments.
async fn filter(client: &Client, text: &str) {
    let field = wait_css(client, "#console-search").await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
    field.send_keys("\u{E007}").await.unwrap();
}

/// Choose `value` in the select `css`, as a person does (the change event included).
async fn choose(client: &Client, css: &str, value: &str) {
    client
        .execute(
            "const [css, value] = arguments; const s = document.querySelector(css);
             s.value = value; s.dispatchEvent(new Event('change'));",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap();
}

/// axe-core on the whole console page.
async fn assert_console_accessible(client: &Client, situation: &str) {
    let path = colloquy_e2e::env_url(env::AXE);
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    // The console's CSP allows no inline or injected script, so axe goes in through
    // WebDriver's own script evaluation (not a <script> element).
    client
        .execute(&format!("{source}\n;return true;"), vec![])
        .await
        .expect("inject axe-core");
    let violations = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] })
              .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.help}\n    ` +
                  v.nodes.map(n => `${n.target.join(' ')} :: ${n.failureSummary}`).join('\n    '))))
              .catch(e => done(['axe failed: ' + e]));"#,
            vec![],
        )
        .await
        .expect("run axe");
    let list: Vec<String> = serde_json::from_value(violations).unwrap();
    assert!(
        list.is_empty(),
        "accessibility violations ({situation}):\n{}",
        list.join("\n")
    );
}

async fn screenshot(client: &Client, name: &str) {
    let Ok(dir) = std::env::var(env::SCREENSHOTS) else {
        return;
    };
    let png = client.screenshot().await.expect("screenshot");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
}

async fn log_in(client: &Client, d: &Deployment) {
    client.goto(&format!("{}/admin/", d.api)).await.unwrap();
    let key = wait_css(client, "#console-key").await;
    key.send_keys(&owner_key()).await.unwrap();
    key.send_keys("\u{E007}").await.unwrap();
    wait_css(client, "nav a[aria-current=page]").await;
}

/// A comment the default spam rules hold: more links than allowed.
fn linky(n: usize) -> String {
    (0..=n)
        .map(|i| format!("https://example.org/{i} "))
        .collect()
}

#[tokio::test]
async fn login_queue_keys_bulk_and_owner_reply_change_what_readers_see() {
    let d = Deployment::main();
    let thread = unique_thread("console-ui");
    for body in ["First held", "Second held", "Third held"] {
        d.create_id(comment(&thread).body(&format!("{body} {}", linky(3))));
    }
    d.create_id(comment(&thread).body("Already public"));
    assert!(!d.embed(&thread).contains("First held"), "held, not public");

    let client = session().await;
    client.goto(&format!("{}/admin/", d.api)).await.unwrap();
    // The login form has the focus; a wrong key says so and keeps the focus there.
    wait_css(&client, "#console-key").await;
    poll("focus in the key field", || async {
        (active(&client, "el.id").await == json!("console-key")).then_some(())
    })
    .await;
    assert_console_accessible(&client, "login").await;
    press(&client, "not-the-key\u{E007}").await;
    poll("the failure", || async {
        let t = client
            .find(Locator::Css("[role=alert]"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (!t.is_empty()).then_some(t)
    })
    .await;
    assert_eq!(active(&client, "el.id").await, json!("console-key"));
    let cookies = client.get_all_cookies().await.unwrap();
    assert!(
        cookies.is_empty(),
        "no session for a wrong key: {cookies:?}"
    );

    log_in(&client, &d).await;
    // The cookie is out of the page's reach.
    assert_eq!(
        client
            .execute("return document.cookie", vec![])
            .await
            .unwrap(),
        json!("")
    );
    filter(&client, &thread).await;
    wait_count(&client, "li.item", 3).await;
    assert!(
        client
            .source()
            .await
            .unwrap()
            .contains("held: too many links"),
        "the reason is shown"
    );
    assert_console_accessible(&client, "queue").await;
    screenshot(&client, "console-queue").await;

    // Keyboard: focus the first comment, select it and the next, approve both.
    client
        .execute("document.querySelector('li.item').focus()", vec![])
        .await
        .unwrap();
    press(&client, "x").await;
    press(&client, "j").await;
    assert_eq!(active(&client, "el.dataset.index").await, json!("1"));
    press(&client, "x").await;
    wait_text(&client, ".toolbar .count", "2 selected").await;
    press(&client, "a").await;
    wait_text(&client, "[role=status]", "Approved 2 comments.").await;
    wait_count(&client, "li.item", 1).await;
    poll("the focus on the remaining comment", || async {
        (active(&client, "el.className")
            .await
            .as_str()?
            .contains("item"))
        .then_some(())
    })
    .await;
    // Newest first: the two selected were the third and the second.
    let seen = d.embed(&thread);
    assert!(
        seen.contains("Third held") && seen.contains("Second held"),
        "approved are public at once"
    );
    assert!(!seen.contains("First held"));

    // The last one by button: spam. Gone from the queue and still not public.
    click_button(&client, "item", "Spam").await;
    wait_text(&client, "[role=status]", "Marked 1 comment as spam.").await;
    wait_css(&client, ".list-empty").await;
    open_section(&client, "spam").await;
    filter(&client, &thread).await;
    wait_count(&client, "li.item", 1).await;
    assert!(client.source().await.unwrap().contains("First held"));

    // Reply as the owner, from "Everything".
    open_section(&client, "all").await;
    filter(&client, &thread).await;
    // Everything: the three public ones and the spam (marked as such).
    wait_count(&client, "li.item", 4).await;
    let reply_to = client
        .find(Locator::XPath(
            "//li[contains(@class,'item')][.//div[contains(@class,'body')][contains(., 'Already public')]]//button[normalize-space(.)='Reply as owner']",
        ))
        .await
        .expect("Reply as owner on the public comment");
    reply_to.click().await.unwrap();
    poll("focus in the reply box", || async {
        (active(&client, "el.tagName").await == json!("TEXTAREA")).then_some(())
    })
    .await;
    assert_console_accessible(&client, "reply panel").await;
    press(&client, "Thanks for **reading**.").await;
    click_button(&client, "panel", "Publish reply").await;
    wait_text(&client, "[role=status]", "Reply published").await;
    let seen = d.embed(&thread);
    assert!(
        seen.contains("<strong>reading</strong>") && seen.contains(">Author<"),
        "the owner's reply shows with the badge"
    );

    // The whole site as JSON, from the People section.
    open_section(&client, "people").await;
    click_button(&client, "section", "Download everything (JSON)").await;
    wait_text(&client, "[role=status]", "as colloquy-export.json").await;
    // A person's export: an address nobody used makes no (empty) file and says so.
    let rights = wait_css(&client, "#rights-email").await;
    rights.send_keys("nobody-ever@example.org").await.unwrap();
    click_button(&client, "section", "Export as JSON").await;
    wait_text(
        &client,
        "[role=status]",
        "Nothing is stored under nobody-ever@example.org: no file was made.",
    )
    .await;

    // An import from the console: a Disqus export as Disqus sends it (gzipped), unpacked
    // and prepared in the browser.
    let xml =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/import/disqus.xml");
    let disqus = std::env::temp_dir().join(format!(
        "colloquy-disqus-{}.xml.gz",
        colloquy_e2e::http::random_u64()
    ));
    {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&disqus).unwrap(),
            flate2::Compression::default(),
        );
        gz.write_all(&std::fs::read(&xml).unwrap()).unwrap();
        gz.finish().unwrap();
    }
    wait_css(&client, "#import-format").await;
    choose(&client, "#import-format", "disqus").await;
    wait_css(&client, "#import-file")
        .await
        .send_keys(&disqus.to_string_lossy())
        .await
        .unwrap();
    click_button(&client, "section", "Import").await;
    let outcome = poll("the import's outcome", || async {
        for css in ["[role=status]", "[role=alert]"] {
            let text = client
                .find(Locator::Css(css))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            if text.starts_with("Imported:") || !text.is_empty() && css == "[role=alert]" {
                return Some(text);
            }
        }
        None
    })
    .await;
    assert!(
        outcome.starts_with("Imported: 4 new comments. In the file: 1 thread, 4 comments (2 top-level, 2 replies), 0 pending, 1 spam, 1 deleted placeholder,"),
        "{outcome}"
    );
    // The same file again: nothing new, and it says so.
    click_button(&client, "section", "Import").await;
    wait_text(
        &client,
        "[role=status]",
        "Imported: nothing new (every comment was already here).",
    )
    .await;
    std::fs::remove_file(&disqus).ok();
    let imported = d.embed("/2024/communities/");
    assert!(
        imported.contains("Answering a deleted comment"),
        "{imported}"
    );
    assert!(!imported.contains("buy now"), "spam stays out of sight");
    assert!(!imported.contains("alert("), "scripts inert");

    // Log out: back to the form, and the old cookie opens nothing.
    click(&client, "button.logout").await;
    wait_css(&client, "#console-key").await;
    client.refresh().await.unwrap();
    wait_css(&client, "#console-key").await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn threads_lock_and_the_settings_form_saves_without_a_redeploy() {
    // Strict holds every comment already; a settings change there touches no other test
    // (a muted word nobody else uses).
    let d = Deployment::strict();
    let thread = unique_thread("console-lock");
    let main = Deployment::main();
    main.create_id(
        comment(&thread)
            .title("Lockable article")
            .body("Open for now"),
    );
    let client = session().await;
    log_in(&client, &main).await;
    open_section(&client, "threads").await;
    let lock = format!("//tr[.//small[normalize-space(.)='{thread}']]//button");
    let button = poll("the thread's Lock button", || async {
        client.find(Locator::XPath(&lock)).await.ok()
    })
    .await;
    assert_eq!(button.text().await.unwrap(), "Lock");
    button.click().await.unwrap();
    wait_text(&client, "[role=status]", "Locked").await;
    assert!(main.embed(&thread).contains("Comments are closed."));
    assert_console_accessible(&client, "threads").await;
    let unlock = poll("Unlock", || async {
        let b = client.find(Locator::XPath(&lock)).await.ok()?;
        (b.text().await.ok()? == "Unlock").then_some(b)
    })
    .await;
    unlock.click().await.unwrap();
    wait_text(&client, "[role=status]", "Unlocked").await;
    assert!(!main.embed(&thread).contains("Comments are closed."));
    // The list reloads after the status is said: an Edit clicked before it lands would
    // open a form the new rows then replace.
    poll("the reloaded list", || async {
        let b = client.find(Locator::XPath(&lock)).await.ok()?;
        (b.text().await.ok()? == "Lock").then_some(())
    })
    .await;
    // The owner sets the thread's title: the form opens with focus in the title, Escape
    // leaves it unsaved, Save stores it (and readers' pages no longer change it).
    let edit =
        format!("//tr[.//small[normalize-space(.)='{thread}']]//button[normalize-space(.)='Edit']");
    let open_edit = || async {
        poll("the thread's Edit button", || async {
            client.find(Locator::XPath(&edit)).await.ok()
        })
        .await
        .click()
        .await
        .unwrap();
        poll("focus in the title", || async {
            let id = active(&client, "el.id").await;
            id.as_str()
                .is_some_and(|i| i.ends_with("-title"))
                .then_some(())
        })
        .await;
    };
    open_edit().await;
    press(&client, " (draft)").await;
    press(&client, "\u{E00C}").await; // Escape
    wait_count(&client, "form.thread-edit", 0).await;
    open_edit().await;
    press(&client, "\u{E009}a\u{E009}The owner's title").await;
    assert_console_accessible(&client, "thread edit").await;
    press(&client, "\u{E007}").await; // Enter
    wait_text(&client, "[role=status]", "Saved the title").await;
    let threads: colloquy_core::wire::console::ThreadList =
        Console::login(&main).get(AdminOp::Threads, "").expect(200);
    let stored = threads.threads.iter().find(|t| t.key == thread).unwrap();
    assert_eq!(stored.title.as_deref(), Some("The owner's title"));
    main.create_id(comment(&thread).title("A reader's title").body("Later"));
    let threads: colloquy_core::wire::console::ThreadList =
        Console::login(&main).get(AdminOp::Threads, "").expect(200);
    let stored = threads.threads.iter().find(|t| t.key == thread).unwrap();
    assert_eq!(stored.title.as_deref(), Some("The owner's title"));
    client.close().await.unwrap();

    let client = session().await;
    log_in(&client, &d).await;
    open_section(&client, "settings").await;
    let muted = wait_css(&client, "#set-muted-body").await;
    let word = format!("zq{}", &thread[thread.len() - 6..]).replace(['/', '-'], "x");
    muted.send_keys(&word).await.unwrap();
    let page = wait_css(&client, "#set-page").await;
    page.send_keys("not a number").await.unwrap();
    click(&client, "button.primary").await;
    wait_text(
        &client,
        "[role=alert]",
        "is not a whole number: use one from 1 to 100",
    )
    .await;
    // Each problem at its field: marked, said beside it, and the focus on the first.
    let invalid = |id: &'static str| {
        let client = client.clone();
        async move {
            client
                .execute(
                    &format!("return document.getElementById('{id}').getAttribute('aria-invalid')"),
                    vec![],
                )
                .await
                .unwrap()
        }
    };
    assert_eq!(invalid("set-page").await, json!("true"));
    assert_eq!(active(&client, "el.id").await, json!("set-page"));
    wait_text(&client, "#set-page-error", "use one from 1 to 100").await;
    page.send_keys("\u{E009}a\u{E009}0").await.unwrap();
    click(&client, "button.primary").await;
    wait_text(
        &client,
        "#set-page-error",
        "0 is out of range: use a number from 1 to 100.",
    )
    .await;
    // What only the server checks comes back named by field too.
    page.send_keys("\u{E009}a\u{E009}\u{E003}").await.unwrap();
    let origins = wait_css(&client, "#set-origins").await;
    origins.send_keys("blog.example.org").await.unwrap();
    click_button(&client, "webhooks", "Add a webhook").await;
    poll("focus in the new webhook's address", || async {
        (active(&client, "el.id").await == json!("hook-0-url")).then_some(())
    })
    .await;
    press(&client, "ftp://hooks.example.org/x").await;
    click(&client, "button.primary").await;
    wait_text(&client, "[role=alert]", "Not saved: 2 settings need a fix").await;
    assert_eq!(invalid("set-origins").await, json!("true"));
    assert_eq!(invalid("hook-0-url").await, json!("true"));
    assert_eq!(
        invalid("set-page").await,
        json!(null),
        "fixed: no longer marked"
    );
    wait_text(
        &client,
        "#set-origins-error",
        "“blog.example.org” is not an origin",
    )
    .await;
    wait_text(
        &client,
        "#hook-0-error",
        "“ftp://hooks.example.org/x” is not a web address",
    )
    .await;
    poll("focus on the first field to fix", || async {
        (active(&client, "el.id").await == json!("set-origins")).then_some(())
    })
    .await;
    assert_console_accessible(&client, "settings with errors").await;
    origins
        .send_keys("\u{E009}a\u{E009}\u{E003}")
        .await
        .unwrap();
    click_button(&client, "hook", "Remove webhook 1").await;
    poll("focus back on Add a webhook", || async {
        (active(&client, "el.id").await == json!("hook-add")).then_some(())
    })
    .await;
    click_button(&client, "webhooks", "Add a webhook").await;
    wait_css(&client, "#hook-0-url")
        .await
        .send_keys("https://hooks.example.org/colloquy")
        .await
        .unwrap();
    assert_console_accessible(&client, "settings").await;
    client
        .execute(
            "document.activeElement.blur(); window.scrollTo(0, 0)",
            vec![],
        )
        .await
        .unwrap();
    screenshot(&client, "console-settings").await;
    click(&client, "button.primary").await;
    wait_text(&client, "[role=status]", "Settings saved").await;
    let saved: Settings = Console::login(&d).get(AdminOp::Settings, "").expect(200);
    assert!(saved.settings.muted.body.contains(&word), "{saved:?}");
    assert_eq!(
        saved.settings.webhooks[0].url,
        "https://hooks.example.org/colloquy"
    );
    assert_eq!(
        saved.settings.page_size, None,
        "an empty field keeps the default"
    );
    // A reload shows what is stored.
    client.refresh().await.unwrap();
    let muted = wait_css(&client, "#set-muted-body").await;
    assert!(muted
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
        .contains(&word));
    // Clean up for the other tests of this deployment: remove the webhook again.
    click_button(&client, "hook", "Remove webhook 1").await;
    click(&client, "button.primary").await;
    wait_text(&client, "[role=status]", "Settings saved").await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_reader_reports_a_comment_and_the_owner_finds_it_reported() {
    let d = Deployment::main();
    let thread = unique_thread("console-report");
    let id = d.create_id(comment(&thread).body("Something rude"));
    let client = session().await;
    let root = colloquy_e2e::browser::open_demo(&client, Some(&thread)).await;
    colloquy_e2e::browser::click(&root, "button.cq-report").await;
    // The focus moves to the reasons; sending says thanks where the question was.
    let focused = colloquy_e2e::browser::in_widget(
        &client,
        "return root.activeElement && root.activeElement.className",
    )
    .await;
    assert_eq!(focused, json!("cq-report-reason"));
    colloquy_e2e::browser::assert_accessible(&client, "report box").await;
    colloquy_e2e::browser::click(&root, ".cq-report-send").await;
    colloquy_e2e::browser::wait_for_text(&root, ".cq-report-box [role=status]", "Thank you").await;
    let focused = colloquy_e2e::browser::in_widget(
        &client,
        "return root.activeElement && root.activeElement.getAttribute('role')",
    )
    .await;
    assert_eq!(focused, json!("status"));
    client.close().await.unwrap();

    let console = Console::login(&d);
    let reported: CommentList = console
        .get(
            AdminOp::Comments,
            &ListQuery {
                tab: Tab::parse("reported").unwrap(),
                search: thread.clone(),
                before: None,
            }
            .to_query(),
        )
        .expect(200);
    assert_eq!(reported.comments.len(), 1);
    assert_eq!(reported.comments[0].id, id);
    assert_eq!(reported.comments[0].reports, 1);
}

#[tokio::test]
async fn the_console_fits_a_320_px_phone() {
    let d = Deployment::main();
    let thread = unique_thread("console-phone");
    d.create_id(comment(&thread).body(&format!("Phone held {}", linky(3))));
    let client = colloquy_e2e::browser::phone_session(320).await;
    client.goto(&format!("{}/admin/", d.api)).await.unwrap();
    wait_css(&client, "#console-key").await;
    let overflow = |client: &Client| {
        let client = client.clone();
        async move {
            client
                .execute(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
                    vec![],
                )
                .await
                .unwrap()
        }
    };
    assert_eq!(overflow(&client).await, json!(0), "login at 320 px");
    log_in(&client, &d).await;
    filter(&client, &thread).await;
    wait_count(&client, "li.item", 1).await;
    click_button(&client, "item", "Block author…").await;
    assert_eq!(
        overflow(&client).await,
        json!(0),
        "queue with a panel open at 320 px"
    );
    screenshot(&client, "console-320-pending").await;
    for section in [
        "reported", "spam", "all", "trash", "threads", "people", "settings", "audit", "stats",
    ] {
        open_section(&client, section).await;
        // Its data arrived (no "Loading…" left), then laid out.
        poll(&format!("{section} loaded"), || async {
            let text = client
                .execute("return document.body.innerText", vec![])
                .await
                .ok()?;
            (!text.as_str()?.contains("Loading…")).then_some(())
        })
        .await;
        colloquy_e2e::browser::settle(&client).await;
        assert_eq!(overflow(&client).await, json!(0), "{section} at 320 px");
        // Nothing hides past the edge inside a box that scrolls sideways either (the
        // threads' Lock buttons did).
        let cut = client
            .execute(
                "return [...document.querySelectorAll('main button, main a, main input, main select')]
                   .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > innerWidth + 1)
                   .map(e => e.textContent || e.id);",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            cut,
            json!([]),
            "{section}: controls past the right edge at 320 px"
        );
        assert_console_accessible(&client, &format!("{section} at 320 px")).await;
        screenshot(&client, &format!("console-320-{section}")).await;
    }
    client.close().await.unwrap();
}

/// Nothing destroyed by one key, bulk work past a page: 60 comments selected as "all 60
/// matching" go to the Trash together, readers see placeholders at once, Undo brings all
/// back; `d` trashes one, and only the Trash deletes it for good, after asking.
#[tokio::test]
async fn trash_undo_and_select_all_matching() {
    let d = Deployment::main();
    let thread = unique_thread("console-trash");
    let word = thread.trim_matches('/').replace('/', "-");
    let seeds: Vec<_> = (0..60)
        .map(|i| colloquy_e2e::seed::top(format!("Trash {word} number {i}")))
        .collect();
    colloquy_e2e::seed::thread(&d, &thread, &seeds);
    let client = session().await;
    log_in(&client, &d).await;
    // The queue tabs say what waits in them.
    let pending_tab = wait_css(&client, "nav a[href='#pending']").await;
    poll("a count on the Pending tab", || async {
        let t = pending_tab.text().await.ok()?;
        (t.starts_with("Pending (") && t.ends_with(')')).then_some(())
    })
    .await;
    open_section(&client, "all").await;
    filter(&client, &thread).await;
    wait_count(&client, "li.item", 50).await;
    click(&client, ".select-all input").await;
    wait_text(&client, ".toolbar .count", "50 selected").await;
    click_button(&client, "toolbar", "Select all 60 matching").await;
    wait_text(&client, ".toolbar .count", "60 selected").await;
    click_button(&client, "toolbar", "Trash selected").await;
    wait_text(&client, "[role=status]", "Moved 60 comments to the Trash.").await;
    wait_css(&client, ".list-empty").await;
    let seen = d.embed(&thread);
    assert!(
        !seen.contains(&format!("Trash {word} number 7<")),
        "readers see placeholders at once"
    );
    assert_console_accessible(&client, "toast with Undo").await;
    screenshot(&client, "console-undo").await;
    click(&client, "button.undo").await;
    wait_text(
        &client,
        "[role=status]",
        "Undone: 60 comments as they were.",
    )
    .await;
    wait_count(&client, "li.item", 50).await;
    assert!(d
        .embed(&thread)
        .contains(&format!("Trash {word} number 7<")));
    assert_eq!(
        count(&client, "button.undo").await,
        0,
        "one Undo per action"
    );
    poll("the focus on a comment after the undo", || async {
        (active(&client, "el.className")
            .await
            .as_str()?
            .contains("item"))
        .then_some(())
    })
    .await;

    // `d`: to the Trash, one key, and undoable with `u`.
    client
        .execute("document.querySelector('li.item').focus()", vec![])
        .await
        .unwrap();
    press(&client, "d").await;
    wait_text(&client, "[role=status]", "Moved 1 comment to the Trash.").await;
    wait_count(&client, "li.item", 50).await;
    press(&client, "u").await;
    wait_text(&client, "[role=status]", "Undone: 1 comment as they were.").await;
    press(&client, "d").await;
    wait_text(&client, "[role=status]", "Moved 1 comment to the Trash.").await;

    // The Trash: restore or delete for good, after a question.
    open_section(&client, "trash").await;
    assert_eq!(
        count(&client, "button.undo").await,
        0,
        "a message stays with its section"
    );
    filter(&client, &thread).await;
    wait_count(&client, "li.item", 1).await;
    wait_text(&client, "li.item .state", "in the Trash").await;
    click_button(&client, "item", "Delete for good…").await;
    poll("the focus on the safe answer", || async {
        (active(&client, "el.textContent").await == json!("Keep it")).then_some(())
    })
    .await;
    assert_console_accessible(&client, "trash, delete for good?").await;
    screenshot(&client, "console-trash").await;
    click_button(&client, "panel", "Delete for good").await;
    wait_text(&client, "[role=status]", "Deleted 1 comment for good.").await;
    wait_css(&client, ".list-empty").await;
    assert_eq!(
        count(&client, "button.undo").await,
        0,
        "deleted for good: no Undo"
    );
    client.close().await.unwrap();
}

/// The audit list narrows to one kind of action; the statistics view counts what was
/// written; Everything narrows by state — each clean under axe-core.
#[tokio::test]
async fn audit_kinds_statistics_and_everything_by_state() {
    let d = Deployment::main();
    let thread = unique_thread("console-state");
    let spam = d.create_id(comment(&thread).body("Spam by state"));
    d.create_id(comment(&thread).body("Published by state"));
    Console::login(&d)
        .post(
            AdminOp::Moderate,
            &json!({ "ids": [spam], "decision": "spam" }),
        )
        .expect::<serde_json::Value>(200);
    let client = session().await;
    log_in(&client, &d).await;
    poll(
        "the focus on the section's heading after logging in",
        || async { (active(&client, "el.id").await == json!("section-heading")).then_some(()) },
    )
    .await;
    open_section(&client, "all").await;
    filter(&client, &thread).await;
    wait_count(&client, "li.item", 2).await;
    choose(&client, "#console-state", "published").await;
    wait_count(&client, "li.item", 1).await;
    wait_text(&client, "li.item .body", "Published by state").await;

    open_section(&client, "audit").await;
    wait_css(&client, "table.audit").await;
    choose(&client, "#audit-kind", "sessions").await;
    poll("only logins listed", || async {
        let what = client
            .execute(
                "return [...document.querySelectorAll('table.audit td[data-label=What]')].map(t => t.textContent);",
                vec![],
            )
            .await
            .ok()?;
        let what: Vec<String> = serde_json::from_value(what).ok()?;
        (!what.is_empty() && what.iter().all(|w| w.starts_with("log"))).then_some(what)
    })
    .await;
    assert_console_accessible(&client, "audit narrowed").await;

    open_section(&client, "stats").await;
    wait_text(&client, "table.per-day caption", "Comments per day").await;
    let rows = count(&client, "table.per-day tbody tr").await;
    assert_eq!(rows, 30, "every one of 30 days");
    assert_console_accessible(&client, "statistics").await;
    screenshot(&client, "console-stats").await;
    client.close().await.unwrap();
}
