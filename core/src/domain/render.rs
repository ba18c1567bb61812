//! Markdown → sanitized HTML, done once on the server when a comment is written.
//!
//! pulldown-cmark renders, then ammonia cleans the result against an explicit allowlist.
//! Raw HTML typed by the reader is escaped by the renderer *and* would be stripped by the
//! sanitizer, so either layer alone keeps script out.

use std::collections::HashSet;

/// Tags a comment may contain. No images (tracking pixels), no headings (comments are not
/// documents), no tables, no `style`.
pub(crate) const TAGS: &[&str] = &[
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

/// Quotes and lists nest at most this deep; deeper markers become text of the deepest
/// level. Deep nesting is never needed in a comment, and the sanitizer's cost grows with
/// the square of it (10,000 `>` took 1.8 s before this cap).
pub const MAX_NESTING: usize = 8;

// The most HTML one comment may render to is `limits::BODY_HTML_BYTES`. Ordinary
// formatting stays far below it (about 4.5× the text at worst); more means formatting
// built to be heavy.

/// The body would render to more HTML than [`crate::wire::limits::BODY_HTML_BYTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the comment renders to too much HTML")]
pub struct TooComplex;

/// Render a comment body written in CommonMark to HTML that is safe to insert as-is.
pub fn comment_html(markdown: &str) -> Result<String, TooComplex> {
    use pulldown_cmark::{html, Event, Options, Parser};

    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut nesting = Nesting::default();
    // Readers type raw HTML by accident ("<3", "a <b> c") more often than on purpose:
    // show it as text instead of letting it vanish in the sanitizer.
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        // A single newline inside a paragraph is a line break to comment writers.
        Event::SoftBreak => Some(Event::HardBreak),
        other => nesting.keep(other),
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    if unsafe_html.len() > crate::wire::limits::BODY_HTML_BYTES * 2 {
        return Err(TooComplex);
    }
    let clean = sanitize(&unsafe_html);
    if clean.len() > crate::wire::limits::BODY_HTML_BYTES {
        return Err(TooComplex);
    }
    Ok(clean)
}

/// What readers will see of a body: its text as rendered (entities decoded, emphasis
/// markers gone, raw HTML shown as typed, no image text) and the web links it makes. Spam
/// rules look at this, not at the Markdown: `cas**i**no` and `cas&#105;no` both read as
/// "casino".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visible {
    /// The text, blocks and line breaks as single spaces.
    pub text: String,
    /// `http(s)` links (and `www.` ones) as links, plus addresses written out as text.
    pub links: u32,
    /// Where the links go (spam rules read these too: a link's address is part of what a
    /// reader follows).
    pub destinations: Vec<String>,
}

/// [`Visible`] for a Markdown body, parsed exactly as [`comment_html`] parses it.
pub fn visible(markdown: &str) -> Visible {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut text = String::with_capacity(markdown.len());
    let mut links = 0u32;
    let mut destinations = Vec::new();
    // Text inside a link is its label (the address is counted once, as the link); text
    // inside an image is never shown (the sanitizer drops images).
    let mut in_link = 0usize;
    let mut in_image = 0usize;
    let mut outside_links = String::new();
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t)
                if in_image == 0 =>
            {
                text.push_str(&t);
                if in_link == 0 {
                    outside_links.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak | Event::Rule => {
                text.push(' ');
                outside_links.push(' ');
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                in_link += 1;
                if is_web_address(&dest_url) {
                    links = links.saturating_add(1);
                }
                destinations.push(dest_url.into_string());
            }
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            // Emphasis inside a word leaves one word (`cas**i**no`).
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
            | Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough) => {}
            // A block starts or ends: words on either side are not one word.
            Event::End(_) | Event::Start(_) => {
                text.push(' ');
                outside_links.push(' ');
            }
            _ => {}
        }
    }
    links = links.saturating_add(addresses_in(&outside_links));
    Visible {
        text,
        links,
        destinations,
    }
}

/// Whether a link goes to a web page, as a browser reads its address: `https:evil.example`
/// and `HTTPS:/evil.example` are web addresses too, and `//evil.example` is one on the
/// host page's scheme.
fn is_web_address(url: &str) -> bool {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    lower.starts_with("www.")
        || lower.starts_with("//")
        || url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// Web addresses written out in text (`https://…`, `www.…`; full-width letters count,
/// as readers read them the same).
pub fn addresses_in(text: &str) -> u32 {
    use unicode_normalization::UnicodeNormalization;
    let lower: String = text.nfkc().collect::<String>().to_lowercase();
    let count = |needle: &str| lower.matches(needle).count();
    // `www.` inside an http(s) address is the same link.
    let www_alone = lower
        .match_indices("www.")
        .filter(|(i, _)| !lower[..*i].ends_with("://"))
        .count();
    u32::try_from(count("http://") + count("https://") + www_alone).unwrap_or(u32::MAX)
}

/// Tracks open quotes, lists and items, dropping the tags of those nested deeper than
/// [`MAX_NESTING`] (their content stays, one level up).
#[derive(Default)]
struct Nesting {
    /// For every open container: whether its tags were kept.
    open: Vec<bool>,
}

impl Nesting {
    fn kept_depth(&self) -> usize {
        self.open.iter().filter(|k| **k).count()
    }

    fn keep<'a>(&mut self, event: pulldown_cmark::Event<'a>) -> Option<pulldown_cmark::Event<'a>> {
        use pulldown_cmark::{Event, Tag, TagEnd};
        match &event {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => {
                let keep = self.kept_depth() < MAX_NESTING;
                self.open.push(keep);
                keep.then_some(event)
            }
            // An item is kept exactly when its list is; a dropped one still starts on a
            // line of its own (its words would run into the item before it).
            Event::Start(Tag::Item) => {
                let keep = self.open.last().copied().unwrap_or(true);
                self.open.push(keep);
                Some(if keep { event } else { Event::HardBreak })
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item) => {
                self.open.pop().unwrap_or(true).then_some(event)
            }
            _ => Some(event),
        }
    }
}

/// Clean HTML from elsewhere (imported comments) with the same allowlist as new comments.
/// Input past twice [`crate::wire::limits::BODY_HTML_BYTES`] is cut first: the sanitizer's cost must stay bounded.
/// WordPress and Disqus write bold and italics as `<b>` and `<i>`: they come out as the
/// `<strong>` and `<em>` new comments use, instead of losing their emphasis.
pub fn sanitize_html(html: &str) -> String {
    let mut end = html.len().min(crate::wire::limits::BODY_HTML_BYTES * 2);
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    let clean = sanitize_with(&html[..end], &["b", "i"]);
    // The sanitizer's output is serialized markup: an allowed `b` or `i` (which may carry
    // no attribute) is written exactly so, and text that looks like a tag is escaped.
    clean
        .replace("<b>", "<strong>")
        .replace("</b>", "</strong>")
        .replace("<i>", "<em>")
        .replace("</i>", "</em>")
}

fn sanitize(html: &str) -> String {
    sanitize_with(html, &[])
}

/// [`TAGS`] and `extra` tags kept, everything else removed.
fn sanitize_with(html: &str, extra: &[&'static str]) -> String {
    let tags: HashSet<&str> = TAGS.iter().chain(extra).copied().collect();
    let schemes: HashSet<&str> = ["http", "https", "mailto"].into_iter().collect();
    // Attributes exactly as listed: ammonia's defaults (`title`, `lang` everywhere,
    // `hreflang`, `cite`, …) are replaced, not extended — fuzzing found a Markdown link
    // title passing through as `title`.
    let attributes: std::collections::HashMap<&str, HashSet<&str>> = [
        ("a", ["href"].into_iter().collect()),
        ("ol", ["start"].into_iter().collect()),
    ]
    .into_iter()
    .collect();
    ammonia::Builder::empty()
        .tags(tags)
        .generic_attributes(HashSet::new())
        .tag_attributes(attributes)
        .url_schemes(schemes)
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("nofollow ugc noopener noreferrer"))
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The renaming is done on the sanitizer's serialized output: text or attribute values
    /// that look like `<b>` must be escaped there, or the replace would open a tag.
    #[test]
    fn tag_lookalikes_in_text_and_attributes_stay_inert_after_renaming() {
        let html = sanitize_html(
            "<a href=\"https://x.example/<b><img src=x onerror=alert(1)>\">l</a> <i>&lt;/i&gt;</i>",
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("href=\"https://x.example/<"), "{html}");
        assert!(html.ends_with("<em>&lt;/i&gt;</em>"), "{html}");
    }

    #[test]
    fn imported_bold_and_italics_keep_their_emphasis() {
        assert_eq!(
            sanitize_html("<p><b>bold</b>, <i class=\"x\">italic</i>, &lt;b&gt;text&lt;/b&gt;</p>"),
            "<p><strong>bold</strong>, <em>italic</em>, &lt;b&gt;text&lt;/b&gt;</p>"
        );
        assert_eq!(
            sanitize_html("<B onclick=\"x()\">loud</B>"),
            "<strong>loud</strong>"
        );
    }

    /// Found by fuzzing (core/proptest-regressions/fuzz.txt): a link title came through.
    #[test]
    fn only_allowlisted_attributes_survive_even_link_titles() {
        let html = comment_html("[x](<img src=x onerror=alert(1)>\" onclick=\")").unwrap();
        assert!(!html.contains("title="), "{html}");
        let titled = comment_html("[x](https://example.org \"a title\")").unwrap();
        assert_eq!(
            titled,
            "<p><a href=\"https://example.org\" rel=\"nofollow ugc noopener noreferrer\">x</a></p>\n"
        );
        let imported = sanitize_html(
            "<p lang=\"en\" title=\"t\"><a hreflang=\"en\" href=\"https://e.org\">a</a></p>",
        );
        assert_eq!(
            imported,
            "<p><a href=\"https://e.org\" rel=\"nofollow ugc noopener noreferrer\">a</a></p>"
        );
    }

    /// What spam rules read: words split where a reader sees them split (line breaks,
    /// blocks, rules), joined where emphasis sits inside a word, image text never.
    #[test]
    fn visible_text_is_what_a_reader_sees() {
        let words = |md: &str| {
            visible(md)
                .text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(words("one\ntwo"), "one two");
        assert_eq!(words("one  \ntwo"), "one two");
        assert_eq!(words("one\n\ntwo"), "one two");
        assert_eq!(words("# title\nbody"), "title body");
        assert_eq!(words("one\n\n---\n\ntwo"), "one two");
        assert_eq!(words("cas**i**no ~~x~~y *a*b"), "casino xy ab");
        assert_eq!(
            words("see ![casino](https://x.example/a.png) here"),
            "see here"
        );
        assert_eq!(words("![a ![b](c) d](e) after"), "after");
    }

    #[test]
    fn paragraphs_emphasis_and_line_breaks_render() {
        assert_eq!(
            comment_html("Hello *world*\nsecond line\n\nnext").unwrap(),
            "<p>Hello <em>world</em><br>\nsecond line</p>\n<p>next</p>\n"
        );
    }

    #[test]
    fn quotes_and_apostrophes_stay_plain_text() {
        assert_eq!(
            comment_html("say \"hi\", it's fine").unwrap(),
            "<p>say \"hi\", it's fine</p>\n"
        );
    }

    #[test]
    fn links_get_rel_nofollow_ugc_noopener_noreferrer() {
        let html = comment_html("[site](https://example.org)").unwrap();
        assert_eq!(
            html,
            "<p><a href=\"https://example.org\" rel=\"nofollow ugc noopener noreferrer\">site</a></p>\n"
        );
    }

    #[test]
    fn deep_nesting_is_capped_and_stays_cheap() {
        // Time is not asserted (timing tests flake); the work is: depth and size are.
        let quotes = ">".repeat(10_000);
        let html = comment_html(&quotes).unwrap();
        assert_eq!(html.matches("<blockquote>").count(), MAX_NESTING);
        assert_eq!(html.matches("</blockquote>").count(), MAX_NESTING);
        assert!(html.len() < 2_000, "{} bytes", html.len());
        let mixed = format!("{}deep", "> - ".repeat(30));
        let html = comment_html(&mixed).unwrap();
        assert!(html.contains("deep"), "deep text is kept");
        let containers = html.matches("<blockquote>").count() + html.matches("<ul>").count();
        assert!(containers <= MAX_NESTING, "{html}");
        assert_eq!(html.matches("<li>").count(), html.matches("</li>").count());
        // An item is kept exactly when its list is: no loose items past the cap.
        let nested: String = (0..MAX_NESTING + 3)
            .map(|i| format!("{}- level {i}\n", "  ".repeat(i)))
            .collect();
        let lists = comment_html(&nested).unwrap();
        // A list and its item are two containers.
        assert_eq!(lists.matches("<ul>").count(), MAX_NESTING / 2, "{lists}");
        assert_eq!(lists.matches("<li>").count(), MAX_NESTING / 2, "{lists}");
        assert!(lists.contains("level 9<br>\nlevel 10</li>"), "{lists}");
    }

    #[test]
    fn imported_html_is_cut_at_twice_the_limit_on_a_character_boundary() {
        let long = "a".repeat(crate::wire::limits::BODY_HTML_BYTES * 2 + 10);
        assert_eq!(
            sanitize_html(&long).len(),
            crate::wire::limits::BODY_HTML_BYTES * 2
        );
        // Two-byte characters from an odd offset: the limit falls inside one.
        let odd = format!("a{}", "é".repeat(crate::wire::limits::BODY_HTML_BYTES));
        assert_eq!(
            sanitize_html(&odd),
            format!("a{}", "é".repeat(crate::wire::limits::BODY_HTML_BYTES - 1))
        );
    }

    #[test]
    fn a_link_is_counted_once_whatever_its_label_says() {
        let v = visible("[example.com](https://example.com) and www.other.example");
        assert_eq!(v.links, 2, "{v:?}");
        assert_eq!(v.destinations, ["https://example.com"]);
        assert_eq!(visible("[https://a.example](https://a.example)").links, 1);
    }

    #[test]
    fn formatting_built_to_be_heavy_is_refused() {
        let links = "[a](https://example.org/) ".repeat(2_000);
        assert_eq!(comment_html(&links), Err(TooComplex));
        let ordinary = "A *normal* comment with a [link](https://example.org). ".repeat(150);
        assert!(comment_html(&ordinary).is_ok());
        // The limit is on the HTML readers get, to the byte: `<p>` + text + `</p>\n`.
        let at_limit = "a".repeat(crate::wire::limits::BODY_HTML_BYTES - 8);
        assert_eq!(
            comment_html(&at_limit).map(|h| h.len()),
            Ok(crate::wire::limits::BODY_HTML_BYTES)
        );
        assert_eq!(comment_html(&format!("{at_limit}a")), Err(TooComplex));
        // Markup the sanitizer drops counts only against the looser guard before it.
        let images = "![](x)".repeat(6_000);
        assert_eq!(comment_html(&images).as_deref(), Ok("<p></p>\n"));
    }

    #[test]
    fn raw_html_is_shown_as_text_not_markup() {
        let html = comment_html("<script>alert(1)</script> and <b>bold</b>").unwrap();
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
            let html = comment_html(md).unwrap();
            assert!(!html.contains("href"), "{md} -> {html}");
        }
    }

    #[test]
    fn code_blocks_keep_their_text_escaped() {
        let html = comment_html("```\n<a onclick=x>\n```").unwrap();
        assert_eq!(html, "<pre><code>&lt;a onclick=x&gt;\n</code></pre>\n");
    }
}
