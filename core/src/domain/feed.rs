//! Atom feeds (RFC 4287) of the newest published comments, per thread and per site. The
//! content is each comment's sanitized HTML (escaped, `type="html"`); no email or
//! address of anyone appears.

use crate::domain::model::{CommentRecord, ThreadRecord};

/// Comments per feed.
pub const ENTRIES: u32 = 50;

/// Escape text for XML content and attributes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no place for most control characters.
            c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// What the feed is of.
pub struct FeedInfo<'a> {
    pub site: &'a str,
    /// The feed's own address (`rel="self"`).
    pub self_url: &'a str,
    /// The thread, for a thread's feed.
    pub thread: Option<&'a ThreadRecord>,
    /// The thread key asked for (when no comment has created the thread yet).
    pub thread_key: Option<&'a str>,
    /// When the feed is asked for: its `updated` when it has no entries.
    pub now_ms: i64,
}

/// The feed as Atom XML; `entries` newest first, each with its thread.
pub fn atom(info: &FeedInfo<'_>, entries: &[(CommentRecord, ThreadRecord)]) -> String {
    let rfc = crate::domain::dates::rfc3339;
    let updated = entries
        .iter()
        .map(|(c, _)| c.updated_at_ms.unwrap_or(c.created_at_ms))
        .max()
        .unwrap_or(info.now_ms);
    let (title, id) = match (info.thread, info.thread_key) {
        (Some(t), _) => (
            format!("Comments on {}", t.title.as_deref().unwrap_or(&t.key)),
            format!("{}#thread", info.self_url),
        ),
        (None, Some(key)) => (
            format!("Comments on {key}"),
            format!("{}#thread", info.self_url),
        ),
        (None, None) => (
            format!("Comments on {}", info.site),
            info.self_url.to_owned(),
        ),
    };
    let mut xml = String::with_capacity(1024 + entries.len() * 600);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!("<title>{}</title>\n", esc(&title)));
    xml.push_str(&format!("<id>{}</id>\n", esc(&id)));
    xml.push_str(&format!("<updated>{}</updated>\n", rfc(updated)));
    xml.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        esc(info.self_url)
    ));
    if let Some(url) = info.thread.and_then(|t| t.url.as_deref()) {
        xml.push_str(&format!(
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            esc(url)
        ));
    }
    xml.push_str("<generator>Colloquy</generator>\n");
    for (c, t) in entries {
        let on = t.title.as_deref().unwrap_or(&t.key);
        let author = if c.author_name.trim().is_empty() {
            "Anonymous"
        } else {
            c.author_name.as_str()
        };
        xml.push_str("<entry>\n");
        xml.push_str(&format!(
            "<title>{}</title>\n",
            esc(&format!("{author} on {on}"))
        ));
        // Stable and unique without depending on the article's address.
        xml.push_str(&format!(
            "<id>{}#{}{}</id>\n",
            esc(info.self_url.split('?').next().unwrap_or(info.self_url)),
            crate::wire::dom::COMMENT_ANCHOR,
            c.id.0
        ));
        xml.push_str(&format!(
            "<published>{}</published>\n",
            rfc(c.created_at_ms)
        ));
        xml.push_str(&format!(
            "<updated>{}</updated>\n",
            rfc(c.updated_at_ms.unwrap_or(c.created_at_ms))
        ));
        xml.push_str(&format!("<author><name>{}</name></author>\n", esc(author)));
        if let Some(link) = t.permalink(c.id) {
            xml.push_str(&format!(
                "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                esc(&link)
            ));
        }
        xml.push_str(&format!(
            "<content type=\"html\">{}</content>\n",
            esc(&c.body_html)
        ));
        xml.push_str("</entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(esc("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;");
    }
}
