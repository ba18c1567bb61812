//! Readers in every language: the seed thread rendered by the Worker in each of the widget's
//! languages, its counts in each language's CLDR plural form, a page's language found from
//! its tag (`pt-BR`, `zh-TW`) or the site's default, and a right-to-left thread in Chromium
//! (mirrored, names isolated, axe-clean at 320 px and desktop width; screenshots for the
//! README in Arabic and Japanese).

use colloquy_core::wire::api::Sort;
use colloquy_core::wire::defaults;
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::endpoint::{EmbedQuery, Endpoint, ThreadQuery};
use colloquy_e2e::browser::{
    assert_accessible, in_widget, open_demo_with, phone_session, screenshot_widget, session,
    sideways_overflow, type_into, wait_for, wait_for_text,
};
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::sites::TestSite;
use colloquy_e2e::{http, seed, unique_thread};
use colloquy_i18n::{Lang, Strings};
use serde_json::json;

/// The counts the issue names: every plural category of every language meets one of them.
const COUNTS: [usize; 9] = [0, 1, 2, 3, 5, 11, 21, 101, 1000];

/// The server-rendered thread as a page in `lang` asks for it.
fn embed(d: &Deployment, thread: &str, lang: &str, title: &str) -> String {
    embed_reply(d, thread, lang, title).text
}

fn embed_reply(d: &Deployment, thread: &str, lang: &str, title: &str) -> http::Reply {
    let q = EmbedQuery {
        thread: ThreadQuery {
            thread: thread.into(),
            sort: Sort::Oldest,
            cursor: None,
        },
        lang: lang.into(),
        title: title.into(),
        ..Default::default()
    };
    let reply = http::request("GET", &q.url(&d.api, Endpoint::Embed), &[], b"");
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply
}

/// As maud writes text into HTML.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A thread of `n` comments, filled through the owner's import (40 a request, through
/// the Worker: nothing writes beside it into the database it serves).
fn thread_of(d: &Deployment, n: usize) -> String {
    let thread = unique_thread(&format!("lang-{n}"));
    let seeds: Vec<_> = (0..n)
        .map(|i| seed::top(format!("Comment {i}")).by(&format!("Reader {i}")))
        .collect();
    seed::thread(d, &thread, &seeds);
    thread
}

/// A thread whose one comment has `n` replies more than a page shows with it ("Show n more
/// replies").
fn hidden_replies(d: &Deployment, n: usize) -> String {
    let thread = unique_thread(&format!("lang-replies-{n}"));
    let shown = defaults::REPLY_PREVIEW as usize;
    let seeds: Vec<_> = std::iter::once(seed::top("The first comment"))
        .chain((0..n + shown).map(|i| seed::reply(0, format!("Reply {i}"))))
        .collect();
    seed::thread(d, &thread, &seeds);
    thread
}

#[test]
fn every_language_renders_the_thread_with_each_counts_cldr_form() {
    let d = Deployment::main();
    // For each count, a thread of that many comments (the heading; none at all for 0: the
    // heading's own words), and one whose comment has that many replies not shown yet.
    let threads: Vec<(usize, String, Option<String>)> = COUNTS
        .into_iter()
        .map(|n| {
            let heading = if n == 0 {
                unique_thread("lang-0")
            } else {
                thread_of(&d, n)
            };
            (n, heading, (n > 0).then(|| hidden_replies(&d, n)))
        })
        .collect();
    let mut wrong = Vec::new();
    for lang in Lang::ALL {
        let t: &Strings = lang.strings();
        for (n, heading, replies) in &threads {
            let html = embed(&d, heading, lang.tag(), "Title");
            if !html.contains(&format!(r#"lang="{}" dir="{}""#, lang.tag(), lang.dir())) {
                wrong.push(format!("{}: the section's lang and dir", lang.tag()));
            }
            let mut expect = |html: &str, what: &str, text: String| {
                if !html.contains(&escaped(&text)) {
                    wrong.push(format!(
                        "{}: {what}: {text:?} is not in the page",
                        lang.tag()
                    ));
                }
            };
            expect(
                &html,
                &format!("heading of {n}"),
                t.heading(Some(*n), "Title"),
            );
            if *n > 0 {
                // Every comment here has no like yet.
                expect(&html, "0 likes", t.plural(&t.likes, 0));
            }
            if let Some(replies) = replies {
                let html = embed(&d, replies, lang.tag(), "Title");
                expect(
                    &html,
                    &format!("{n} more replies"),
                    t.plural(&t.show_more_replies, *n),
                );
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn a_pages_tag_finds_the_nearest_language_else_the_sites_default() {
    let d = Deployment::main();
    let thread = thread_of(&d, 2);
    let said = |lang: &str| {
        let html = embed(&d, &thread, lang, "T");
        let at = html.find(" lang=\"").expect("a lang attribute") + 7;
        html[at..at + html[at..].find('"').unwrap()].to_owned()
    };
    for (asked, got) in [
        ("pt-BR", "pt"),
        ("zh-TW", "zh-Hant"),
        ("zh-Hant-HK", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("nn", "nb"),
        ("ar-EG", "ar"),
        ("sw", "en"),
        ("", "en"),
        ("<script>", "en"),
    ] {
        assert_eq!(said(asked), got, "{asked}");
    }
    assert!(embed(&d, &thread, "pt-BR", "T").contains("2 comentários"));
    // Another spelling of the same language is the same page at the edge, and junk is no
    // language at all (the page of no `lang`): one copy per language, not per spelling.
    let timing = |lang: &str| {
        let reply = embed_reply(&d, &thread, lang, "T");
        reply.header("server-timing").unwrap_or_default().to_owned()
    };
    for (first, again) in [
        ("pt-BR", "PT_br"),
        ("", "x-junk-1"),
        ("x-junk-2", "x-junk-3"),
    ] {
        timing(first);
        assert!(
            timing(again).contains("cache;desc=\"hit\""),
            "{again} after {first}"
        );
    }

    // A site whose owner chose Spanish: pages naming no language it has read Spanish;
    // a page's own language still comes first.
    let site = TestSite::new(&d, "lang");
    let console = site.console(&d);
    let save = |language: &str| {
        let current = console.get(AdminOp::Settings, "").json();
        console.post(
            AdminOp::SaveSettings,
            &json!({ "settings": { "language": language }, "defaults": current["defaults"] }),
        )
    };
    assert_eq!(
        save("es\"><b>").error(),
        (422, "settings_invalid".into()),
        "not a language tag"
    );
    assert_eq!(save("es").status, 200);
    let theirs = site
        .deployment
        .create_id(comment(&thread).body("Hola").name("Ana"));
    assert!(theirs.0 > 0);
    for (asked, got) in [("", "es"), ("sw", "es"), ("pt-BR", "pt"), ("en", "en")] {
        let html = embed(&site.deployment, &thread, asked, "T");
        assert!(
            html.contains(&format!(" lang=\"{got}\"")),
            "{asked} on a Spanish site: {html}"
        );
    }
    // The main site kept its own default (English).
    assert_eq!(said(""), "en");
}

#[tokio::test]
async fn a_right_to_left_thread_mirrors_at_320_px_and_desktop_width() {
    let thread = unique_thread("rtl");
    let d = Deployment::main();
    let first = d.create_id(
        comment(&thread)
            .body("مرحبًا، هذا تعليق بالعربية.")
            .name("سارة"),
    );
    let reply = d.create_id(
        comment(&thread)
            .body("A reply in English, inside an Arabic thread.")
            .name("John Smith")
            .reply_to(first),
    );
    d.create_id(
        comment(&thread)
            .body("ردّ على الرد")
            .name("Ali 2")
            .reply_to(reply),
    );
    for (lang, width) in [("ar", None), ("ar", Some(320)), ("ja", None)] {
        let client = match width {
            Some(w) => phone_session(w).await,
            None => session().await,
        };
        let root =
            // Two levels: the third comment stands beside its parent, "in reply to" it.
            open_demo_with(&client, &format!("thread={thread}&theme=light&lang={lang}&depth=2"))
                .await;
        wait_for_text(&root, ".cq-body", "Arabic thread").await;
        let t = Lang::pick(lang).strings();
        wait_for_text(&root, "button.cq-reply", t.reply).await;
        let section = wait_for(&root, "section.cq").await;
        assert_eq!(
            section.attr("dir").await.unwrap().as_deref(),
            Some(Lang::pick(lang).dir())
        );
        // Replies indent from the reading side: in Arabic their list starts inside its
        // parent's right edge, its rule on the right; in Japanese from the left.
        let geometry = in_widget(
            &client,
            "const list = root.querySelector('.cq-replies');
             const parent = list.closest('li').getBoundingClientRect();
             const box = list.getBoundingClientRect();
             const style = getComputedStyle(list);
             return [parent.right - box.right, box.left - parent.left,
                     parseFloat(style.borderRightWidth), parseFloat(style.borderLeftWidth),
                     getComputedStyle(list).direction];",
        )
        .await;
        let g = geometry.as_array().unwrap();
        let (right_inset, left_inset) = (g[0].as_f64().unwrap(), g[1].as_f64().unwrap());
        let (right_rule, left_rule) = (g[2].as_f64().unwrap(), g[3].as_f64().unwrap());
        if lang == "ar" {
            assert_eq!(g[4], "rtl");
            assert!(right_inset > 0.0 && left_inset < 0.5, "{geometry}");
            assert!(right_rule > 0.0 && left_rule == 0.0, "{geometry}");
        } else {
            assert!(left_inset > 0.0 && right_inset < 0.5, "{geometry}");
            assert!(left_rule > 0.0 && right_rule == 0.0, "{geometry}");
        }
        // A Latin name stays whole inside Arabic text: isolated in its own element.
        let isolated = in_widget(
            &client,
            "return [...root.querySelectorAll('.cq-author bdi')].map(b => b.textContent);",
        )
        .await;
        assert!(isolated.to_string().contains("John Smith"), "{isolated}");
        let answered = in_widget(
            &client,
            "return [...root.querySelectorAll('.cq-in-reply-to bdi')].map(b => b.textContent);",
        )
        .await;
        assert!(answered.to_string().contains("John Smith"), "{answered}");
        // The reply form opens on the reading side too, labelled in the language, the name
        // in its title isolated.
        colloquy_e2e::browser::click(&root, "button.cq-reply").await;
        wait_for_text(&root, "form.cq-form-reply", t.submit_reply).await;
        let title = in_widget(
            &client,
            "return root.querySelector('.cq-form-reply .cq-form-title').textContent;",
        )
        .await;
        assert!(
            title
                .as_str()
                .unwrap_or("")
                .contains("\u{2068}سارة\u{2069}"),
            "{title}"
        );
        // Nothing sideways at 320 px, with the form (and its hidden field) open.
        let overflow = sideways_overflow(&client).await;
        assert!(overflow <= 0, "{lang}: sideways by {overflow}px");
        let situation = format!("{lang} at {} px", width.unwrap_or(1280));
        assert_accessible(&client, &situation).await;
        // The README's pictures, at desktop width (an element screenshot under phone
        // emulation timed out in Chromium here).
        if width.is_none() {
            screenshot_widget(&client, &format!("widget-{lang}")).await;
        }
        // What the reader types runs its own way: the comment and the name by their first
        // letters, addresses always left to right.
        let directions = in_widget(
            &client,
            "const f = root.querySelector('form.cq-form-reply');
             return ['textarea', 'input[name=author]', 'input[name=email]', 'input[name=url]']
               .map(s => f.querySelector(s).getAttribute('dir'));",
        )
        .await;
        assert_eq!(directions, json!(["auto", "auto", "ltr", "ltr"]));
        if lang == "ar" && width.is_none() {
            // Posted, the reply's form goes and its comment's button says Reply again (it
            // said "Continue your reply": the draft was still stored when it was relabelled).
            type_into(&root, "form.cq-form-reply textarea", "I agree مع الكاتب.").await;
            type_into(&root, "form.cq-form-reply input[name=author]", "Mona").await;
            type_into(
                &root,
                "form.cq-form-reply input[name=email]",
                "mona@example.org",
            )
            .await;
            colloquy_e2e::browser::click(&root, "form.cq-form-reply button[type=submit]").await;
            wait_for_text(&root, ".cq-body", "I agree").await;
            colloquy_e2e::browser::poll("the Reply button says Reply again", || async {
                let text = root
                    .find(fantoccini::Locator::Css("button.cq-reply"))
                    .await
                    .ok()?
                    .text()
                    .await
                    .ok()?;
                (text == t.reply).then_some(())
            })
            .await;
        }
        client.close().await.unwrap();
    }
}

#[tokio::test]
async fn the_pages_own_language_picks_the_widgets_and_the_reading_half_speaks_it() {
    let thread = unique_thread("page-lang");
    let d = Deployment::main();
    d.create_id(comment(&thread).body("Olá").name("Ana"));
    let client = session().await;
    // No data-colloquy-lang: the page's <html lang="pt-BR"> decides.
    let root = open_demo_with(&client, &format!("thread={thread}&lang=&page_lang=pt-BR")).await;
    let pt = Lang::Pt.strings();
    wait_for_text(&root, "button.cq-reply", pt.reply).await;
    // The reading half took over with Portuguese words: a like says so in its label.
    colloquy_e2e::browser::click(&root, "button.cq-like").await;
    let label = pt.plural(&pt.likes, 1);
    colloquy_e2e::browser::poll("the like's label in Portuguese", || async {
        let title = root
            .find(fantoccini::Locator::Css("button.cq-like"))
            .await
            .ok()?
            .attr("title")
            .await
            .ok()??;
        (title == label).then_some(())
    })
    .await;
    client.close().await.unwrap();
}
