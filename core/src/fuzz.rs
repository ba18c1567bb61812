//! Fuzzing on stable (proptest): everything in core that parses outside input must
//! never panic, and the sanitizer's output must always be allowlisted HTML — checked with
//! a real HTML parser (html5ever, through scraper), not with string matching. Each run is
//! bounded (`FUZZ_CASES` cases per target, 512 by default); cases that ever failed are
//! kept in `proptest-regressions/` and replayed first.

use proptest::prelude::*;

use crate::wire::api::{NewComment, Sort};
use crate::wire::endpoint::{EmbedQuery, Endpoint, Method, ThreadQuery};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(512)
}

/// Text with the characters that matter to Markdown and HTML much more often than chance.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            Just("<".to_owned()),
            Just(">".to_owned()),
            Just("<script>".to_owned()),
            Just("javascript:".to_owned()),
            Just("[x](".to_owned()),
            Just(")".to_owned()),
            Just("<a href=\"".to_owned()),
            Just("\" onclick=\"".to_owned()),
            Just("<img src=x onerror=alert(1)>".to_owned()),
            Just("> ".to_owned()),
            Just("- ".to_owned()),
            Just("1. ".to_owned()),
            Just("```".to_owned()),
            Just("`".to_owned()),
            Just("*".to_owned()),
            Just("\n".to_owned()),
            Just("&#x6a;avascript:".to_owned()),
            Just("<style>".to_owned()),
            Just("<svg><![CDATA[".to_owned()),
            Just("\u{202e}".to_owned()),
            Just("\u{0}".to_owned()),
            "\\PC{0,12}",
        ],
        0..40,
    );
    pieces.prop_map(|p| p.concat())
}

/// A value of any JSON type, mostly hostile text.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        4 => hostile_text().prop_map(serde_json::Value::String),
        1 => any::<i64>().prop_map(serde_json::Value::from),
        1 => Just(serde_json::Value::Null),
        1 => any::<bool>().prop_map(serde_json::Value::Bool),
        1 => prop::collection::vec("\\PC{0,6}", 0..3).prop_map(|v| serde_json::json!(v)),
    ]
}

/// A `POST /comments` body as a client might send it: the fields of a new comment with
/// hostile values, now and then one of another JSON type, an unknown field or one left
/// out. Most parse as a [`NewComment`], so the whole posting path runs on them.
fn new_comment_json() -> impl Strategy<Value = String> {
    (
        (
            hostile_text(),
            prop_oneof!["[A-Za-zčšž ]{1,20}", hostile_text()],
            prop_oneof!["[a-z.]{1,8}@[a-z]{1,8}\\.org", "\\PC{0,30}"],
            "/\\PC{0,20}",
        ),
        (
            prop::option::of("\\PC{0,60}"),
            prop::option::of(prop_oneof![
                3 => "https://blog\\.example\\.org/\\PC{0,20}",
                1 => "\\PC{0,30}",
            ]),
            prop::option::of(prop_oneof![3 => Just(1i64), 1 => -2i64..6]),
            prop::option::of(prop_oneof![
                3 => "https://[a-z]{1,8}\\.example/",
                1 => "\\PC{0,40}",
            ]),
        ),
        (json_value(), any::<u8>(), any::<bool>()),
    )
        .prop_map(
            |(
                (body, name, email, thread),
                (title, url, parent, website),
                (other, pick, notify),
            )| {
                let mut v = serde_json::json!({
                    "thread": thread, "body": body, "name": name, "email": email,
                    "form_token": "", "notify_replies": notify,
                });
                if let Some(t) = title {
                    v["thread_title"] = t.into();
                }
                if let Some(u) = url {
                    v["thread_url"] = u.into();
                }
                if let Some(p) = parent {
                    v["parent_id"] = p.into();
                }
                if let Some(w) = website {
                    v["website"] = w.into();
                }
                match pick % 8 {
                    0 => {
                        let field = ["thread", "body", "name", "email"][usize::from(pick / 8) % 4];
                        v[field] = other;
                    }
                    1 => v["unexpected"] = other,
                    2 => {
                        v.as_object_mut().map(|o| o.remove("email"));
                    }
                    _ => {}
                }
                v.to_string()
            },
        )
}

/// Every element of `html` is allowlisted, with allowlisted attributes and safe links.
fn assert_allowlisted(html: &str) -> Result<(), TestCaseError> {
    let doc = scraper::Html::parse_fragment(html);
    for node in doc.tree.nodes() {
        if let Some(el) = node.value().as_element() {
            let name = el.name();
            // The fragment parser's own wrapper elements.
            if name == "html" || name == "body" {
                continue;
            }
            prop_assert!(
                crate::domain::render::TAGS.contains(&name),
                "tag <{}> in {}",
                name,
                html
            );
            for (attr, value) in el.attrs() {
                let ok = match (name, attr) {
                    ("a", "href") => {
                        let v = value.trim_start().to_ascii_lowercase();
                        v.starts_with("http://")
                            || v.starts_with("https://")
                            || v.starts_with("mailto:")
                    }
                    ("a", "rel") => value == "nofollow ugc noopener noreferrer",
                    ("ol", "start") => value.chars().all(|c| c.is_ascii_digit() || c == '-'),
                    _ => false,
                };
                prop_assert!(
                    ok,
                    "attribute {}={:?} on <{}> in {}",
                    attr,
                    value,
                    name,
                    html
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn rendered_markdown_is_always_allowlisted_html(body in hostile_text()) {
        if let Ok(html) = crate::domain::render::comment_html(&body) {
            assert_allowlisted(&html)?;
        }
    }

    #[test]
    fn sanitized_imported_html_is_always_allowlisted(html in hostile_text()) {
        assert_allowlisted(&crate::domain::render::sanitize_html(&html))?;
    }

    #[test]
    fn urls_queries_and_cursors_never_panic(path in "\\PC{0,40}", query in "\\PC{0,80}") {
        for method in [Method::Get, Method::Post, Method::Patch, Method::Delete] {
            let _ = Endpoint::parse(method, &path);
            let _ = Endpoint::parse(method, &format!("/api/v1/{path}"));
        }
        let _ = ThreadQuery::parse(&query);
        let _ = EmbedQuery::parse(&query);
        for sort in [Sort::Oldest, Sort::Newest, Sort::Liked] {
            let _ = crate::domain::thread::CursorPos::decode(&query, sort);
        }
        let _ = crate::import::key_of(&query);
    }

    #[test]
    fn posting_any_body_answers_with_a_comment_or_a_4xx_never_a_panic(json in new_comment_json()) {
        use crate::db::memstore::MemStore;
        use crate::service::Service;
        const T0: i64 = 1_800_000_000_000;
        let store = MemStore::default();
        let mut site = crate::domain::site::SiteConfig::new("default");
        site.min_submit_ms = 0;
        site.origins = vec!["https://blog.example.org".into()];
        site.rules.muted.body = vec!["cas*no".into(), "*pills".into()];
        site.rules.muted.name = vec!["admin".into()];
        let keys = crate::domain::token::Keys::derive("fuzz secret, not for production");
        let svc = Service::new(&store, &site, &keys);
        if let Ok(mut input) = serde_json::from_str::<NewComment>(&json) {
            if let Ok(t) = svc.form_token(&input.thread, "198.51.100.1", T0 - 10) {
                input.form_token = t.form_token;
            }
            if let Err(e) = pollster::block_on(svc.post(&input, "198.51.100.1", T0)) {
                prop_assert!(e.code().status() < 500, "{e:?} for {json}");
            }
        }
    }

    #[test]
    fn request_bodies_never_panic(json in "\\PC{0,200}", name in "\\PC{0,60}", body in hostile_text()) {
        if let Ok(input) = serde_json::from_str::<NewComment>(&json) {
            let _ = crate::domain::validate::new_comment(&input);
        }
        let input = NewComment {
            thread: "/t/".into(),
            name,
            body,
            email: "a@example.org".into(),
            ..NewComment::default()
        };
        let _ = crate::domain::validate::new_comment(&input);
    }

    #[test]
    fn importers_never_panic_and_report_errors(text in "\\PC{0,300}", xmlish in hostile_text()) {
        let options = crate::import::Options { keep_going: true };
        for input in [text.as_str(), xmlish.as_str()] {
            let _ = crate::import::wordpress::read(input, options).map(crate::import::plan::prepare);
            let _ = crate::import::disqus::read(input, options).map(crate::import::plan::prepare);
            let _ = crate::import::remark42::read(input, options).map(crate::import::plan::prepare);
            let _ = crate::import::colloquy::read(input, options).map(crate::import::plan::prepare);
        }
    }

    #[test]
    fn generated_wordpress_exports_import_every_comment(
        comments in prop::collection::vec((hostile_text(), "[a-zA-Zčšž ]{1,20}", 0usize..5), 1..20)
    ) {
        let mut xml = String::from("<rss><channel><item><title>T</title><link>https://e.example/p/</link><wp:post_id>1</wp:post_id>");
        for (i, (body, author, parent)) in comments.iter().enumerate() {
            let parent = if *parent < i { *parent } else { 0 };
            let body = body.replace("]]>", "]]]]><![CDATA[>");
            xml.push_str(&format!(
                "<wp:comment><wp:comment_id>{}</wp:comment_id><wp:comment_author><![CDATA[{author}]]></wp:comment_author>\
                 <wp:comment_date_gmt>2024-01-01 00:00:00</wp:comment_date_gmt><wp:comment_content><![CDATA[{body}]]></wp:comment_content>\
                 <wp:comment_approved>1</wp:comment_approved><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>",
                i + 1
            ));
        }
        xml.push_str("</item></channel></rss>");
        let plan = crate::import::plan::prepare(
            crate::import::wordpress::read(&xml, crate::import::Options::default()).map_err(|e| TestCaseError::fail(e.to_string()))?,
        );
        prop_assert_eq!(plan.comments.len(), comments.len());
        for c in &plan.comments {
            assert_allowlisted(&c.body_html)?;
        }
    }
}

/// The generated bodies reach the whole posting path: most parse, and a good share are
/// stored (a generator whose bodies never parse would make the test above prove nothing).
#[test]
fn generated_bodies_mostly_parse_and_often_post() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = new_comment_json();
    let (mut parsed, mut valid) = (0, 0);
    for _ in 0..300 {
        let json = strategy.new_tree(&mut runner).unwrap().current();
        if let Ok(input) = serde_json::from_str::<NewComment>(&json) {
            parsed += 1;
            if crate::domain::validate::new_comment(&input).is_ok() {
                valid += 1;
            }
        }
    }
    assert!(parsed >= 200, "{parsed} of 300 parsed");
    assert!(valid >= 30, "{valid} of 300 were valid comments");
}
