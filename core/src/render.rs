//! Markdown → sanitized HTML, done once on the server when a comment is written.
//!
//! pulldown-cmark renders, then ammonia cleans the result against an explicit allowlist.
//! Raw HTML typed by the reader is escaped by the renderer *and* would be stripped by the
//! sanitizer, so either layer alone keeps script out.

use std::collections::HashSet;

/// Tags a comment may contain. No images (tracking pixels), no headings (comments are not
/// documents), no tables, no `style`.
const TAGS: &[&str] = &[
    "p",
    "br",
    "em",
    "strong",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
];

/// Render a comment body written in CommonMark to HTML that is safe to insert as-is.
pub fn comment_html(markdown: &str) -> String {
    use pulldown_cmark::{html, Event, Options, Parser};

    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    // Readers type raw HTML by accident ("<3", "a <b> c") more often than on purpose:
    // show it as text instead of letting it vanish in the sanitizer.
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        // A single newline inside a paragraph is a line break to comment writers.
        Event::SoftBreak => Event::HardBreak,
        other => other,
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    sanitize(&unsafe_html)
}

fn sanitize(html: &str) -> String {
    let tags: HashSet<&str> = TAGS.iter().copied().collect();
    let schemes: HashSet<&str> = ["http", "https", "mailto"].into_iter().collect();
    ammonia::Builder::empty()
        .tags(tags)
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("ol", ["start"])
        .url_schemes(schemes)
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("nofollow ugc noopener"))
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_emphasis_and_line_breaks_render() {
        assert_eq!(
            comment_html("Hello *world*\nsecond line\n\nnext"),
            "<p>Hello <em>world</em><br>\nsecond line</p>\n<p>next</p>\n"
        );
    }

    #[test]
    fn quotes_and_apostrophes_stay_plain_text() {
        assert_eq!(
            comment_html("say \"hi\", it's fine"),
            "<p>say \"hi\", it's fine</p>\n"
        );
    }

    #[test]
    fn links_get_rel_nofollow_ugc_noopener() {
        let html = comment_html("[site](https://example.org)");
        assert_eq!(
            html,
            "<p><a href=\"https://example.org\" rel=\"nofollow ugc noopener\">site</a></p>\n"
        );
    }

    #[test]
    fn raw_html_is_shown_as_text_not_markup() {
        let html = comment_html("<script>alert(1)</script> and <b>bold</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn dangerous_link_schemes_are_removed() {
        for md in [
            "[x](javascript:alert(1))",
            "[x](data:text/html,hi)",
            "[x](/relative)",
        ] {
            let html = comment_html(md);
            assert!(!html.contains("href"), "{md} -> {html}");
        }
    }

    #[test]
    fn code_blocks_keep_their_text_escaped() {
        let html = comment_html("```\n<a onclick=x>\n```");
        assert_eq!(html, "<pre><code>&lt;a onclick=x&gt;\n</code></pre>\n");
    }
}
