//! Fuzzing on stable (proptest): everything in core that parses outside input must
//! never panic, and the sanitizer's output must always be allowlisted HTML — checked with
//! a real HTML parser (html5ever, through scraper), not with string matching. Each run is
//! bounded (`FUZZ_CASES` cases per target, 512 by default); cases that ever failed are
//! kept in `proptest-regressions/` and replayed first.

use proptest::prelude::*;

use crate::api::{NewComment, Sort};
use crate::endpoint::{EmbedQuery, Endpoint, Method, ThreadQuery};

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
                crate::render::TAGS.contains(&name),
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
        if let Ok(html) = crate::render::comment_html(&body) {
            assert_allowlisted(&html)?;
        }
    }

    #[test]
    fn sanitized_imported_html_is_always_allowlisted(html in hostile_text()) {
        assert_allowlisted(&crate::render::sanitize_html(&html))?;
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
            let _ = crate::thread::CursorPos::decode(&query, sort);
        }
        let _ = crate::import::key_of(&query);
    }

    #[test]
    fn request_bodies_never_panic(json in "\\PC{0,200}", name in "\\PC{0,60}", body in hostile_text()) {
        if let Ok(input) = serde_json::from_str::<NewComment>(&json) {
            let _ = crate::validate::new_comment(&input);
        }
        let input = NewComment {
            thread: "/t/".into(),
            name,
            body,
            email: "a@example.org".into(),
            ..NewComment::default()
        };
        let _ = crate::validate::new_comment(&input);
    }

    #[test]
    fn importers_never_panic_and_report_errors(text in "\\PC{0,300}", xmlish in hostile_text()) {
        let options = crate::import::Options { keep_going: true };
        for input in [text.as_str(), xmlish.as_str()] {
            let _ = crate::import::wordpress::read(input, options).map(crate::import::prepare);
            let _ = crate::import::disqus::read(input, options).map(crate::import::prepare);
            let _ = crate::import::remark42::read(input, options).map(crate::import::prepare);
            let _ = crate::import::colloquy::read(input, options).map(crate::import::prepare);
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
        let plan = crate::import::prepare(
            crate::import::wordpress::read(&xml, crate::import::Options::default()).map_err(|e| TestCaseError::fail(e.to_string()))?,
        );
        prop_assert_eq!(plan.comments.len(), comments.len());
        for c in &plan.comments {
            assert_allowlisted(&c.body_html)?;
        }
    }
}
