//! The small pages that links in notification emails open: a question with one button
//! (a scanner following the link presses nothing), then the answer. No script, no
//! outside resources.

use maud::{html, DOCTYPE};

/// A page saying `message`, with a form that POSTs to `action` when given, in the
/// language `lang` (a tag) written in `dir` (`ltr` or `rtl`).
pub fn link_page(
    (lang, dir): (&str, &str),
    title: &str,
    message: &str,
    action: Option<(&str, &str)>,
) -> String {
    html! {
        (DOCTYPE)
        html lang=(lang) dir=(dir) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
            }
            body {
                main {
                    h1 { (title) }
                    p { (message) }
                    @if let Some((url, label)) = action {
                        form method="post" action=(url) {
                            button type="submit" { (label) }
                        }
                    }
                }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_the_form_posts_to_the_link() {
        let page = link_page(
            ("en", "ltr"),
            "Stop <emails>",
            "a & b",
            Some(("/u?id=1&token=ab", "Stop")),
        );
        assert!(page.contains("Stop &lt;emails&gt;") && page.contains("a &amp; b"));
        assert!(page.contains(r#"<form method="post" action="/u?id=1&amp;token=ab">"#));
        let done = link_page(("ar", "rtl"), "Done", "ok", None);
        assert!(!done.contains("<form") && done.contains(r#"<html lang="ar" dir="rtl">"#));
    }
}
