//! The words of the emails and of the pages their links open, in one language, as templates
//! with `{link}`, `{name}`, `{title}`, `{n}`, `{site}` and `{text}`. `colloquy-i18n` has them
//! for every language (`Lang::mail`, from `[mail]` in each language file); the Worker hands
//! the service the reader's (an email goes out in the language of the page its comment was
//! written on) or the site's default. [`MailWords::ENGLISH`] is the service's default, and a
//! test in `colloquy-i18n` holds it equal to English's file.

/// One language's email and link-page texts. Plural tables are indexed by CLDR category
/// (zero, one, two, few, many, other), as `category` says for a count.
#[derive(Debug, Clone, Copy)]
pub struct MailWords<'a> {
    /// The language's tag, carried in the links so the pages they open speak it too.
    pub tag: &'a str,
    /// The CLDR plural category (0 zero … 5 other) of a count in this language.
    pub category: fn(usize) -> usize,
    pub confirm_subject: &'a str,
    pub confirm_asked_comment: &'a str,
    pub confirm_asked_site: &'a str,
    pub confirm_open: &'a str,
    pub confirm_ignore: &'a str,
    pub reply_subject: &'a str,
    pub reply_read: &'a str,
    pub reply_stop: &'a str,
    pub digest_subject: [&'a str; 6],
    pub digest_intro: [&'a str; 6],
    pub digest_line: &'a str,
    pub digest_review: &'a str,
    pub page_confirm_title: &'a str,
    pub page_confirm_text: &'a str,
    pub page_confirm_button: &'a str,
    pub page_confirmed_title: &'a str,
    pub page_confirmed_text: &'a str,
    pub page_unsubscribe_title: &'a str,
    pub page_unsubscribe_text: &'a str,
    pub page_unsubscribe_button: &'a str,
    pub page_unsubscribed_title: &'a str,
    pub page_unsubscribed_text: &'a str,
    pub page_invalid_title: &'a str,
    pub page_invalid_text: &'a str,
}

/// English's CLDR rule (`one` for exactly 1), for [`MailWords::ENGLISH`] only: every
/// language's rule comes from CLDR's data in `colloquy-i18n`.
fn english_category(n: usize) -> usize {
    if n == 1 {
        1
    } else {
        5
    }
}

impl MailWords<'static> {
    pub const ENGLISH: MailWords<'static> = MailWords {
        tag: "en",
        category: english_category,
        confirm_subject: "Confirm reply notifications",
        confirm_asked_comment: "You (or someone using your address) asked to be emailed about replies to the comment at\n{link}\n",
        confirm_asked_site: "You (or someone using your address) asked to be emailed about replies to a comment on this site.",
        confirm_open: "To confirm, open this link and press the button:",
        confirm_ignore: "If you did not ask, ignore this email: nothing will be sent to you.",
        reply_subject: "{name} replied to your comment on “{title}”",
        reply_read: "Read it in the thread: {link}",
        reply_stop: "Stop these emails: {link}",
        digest_subject: [
            "{n} comments wait for approval ({site})",
            "{n} comment waits for approval ({site})",
            "{n} comments wait for approval ({site})",
            "{n} comments wait for approval ({site})",
            "{n} comments wait for approval ({site})",
            "{n} comments wait for approval ({site})",
        ],
        digest_intro: [
            "{n} comments wait in the queue of {site}:",
            "{n} comment waits in the queue of {site}:",
            "{n} comments wait in the queue of {site}:",
            "{n} comments wait in the queue of {site}:",
            "{n} comments wait in the queue of {site}:",
            "{n} comments wait in the queue of {site}:",
        ],
        digest_line: "- {name} on “{title}”: {text}",
        digest_review: "Review them: {link}",
        page_confirm_title: "Confirm reply emails",
        page_confirm_text: "Press the button to be emailed when someone replies to your comment.",
        page_confirm_button: "Confirm",
        page_confirmed_title: "Confirmed",
        page_confirmed_text: "You will get an email when someone replies to your comment. Each email has a link to stop them.",
        page_unsubscribe_title: "Stop reply emails",
        page_unsubscribe_text: "Press the button and no more replies to this comment will be emailed to you.",
        page_unsubscribe_button: "Stop these emails",
        page_unsubscribed_title: "Unsubscribed",
        page_unsubscribed_text: "No more replies to this comment will be emailed to you.",
        page_invalid_title: "This link does not work",
        page_invalid_text: "It is not complete, or the subscription it was for is gone.",
    };
}

impl<'a> MailWords<'a> {
    /// `table`'s form for `n`, filled in.
    pub fn plural(&self, table: &[&str; 6], n: usize, values: &[(&str, &str)]) -> String {
        let count = n.to_string();
        let mut all = vec![("n", count.as_str())];
        all.extend_from_slice(values);
        fill(table[(self.category)(n).min(5)], &all)
    }
}

/// `template` with each `{key}` replaced by its value, in one pass: a value is never read
/// as a template itself (a commenter named `{title}` stays `{title}`); an unknown `{…}`
/// stays as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let key = &after[..close];
            values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_in_one_pass() {
        assert_eq!(
            fill(
                "{name} on “{title}”",
                &[("name", "{title}"), ("title", "Post")]
            ),
            "{title} on “Post”"
        );
        assert_eq!(fill("a {x} {y", &[("y", "Y")]), "a {x} {y");
        assert_eq!(fill("{n}{n}", &[("n", "1")]), "11");
        let w = MailWords::ENGLISH;
        assert_eq!(
            w.plural(&w.digest_subject, 1, &[("site", "blog")]),
            "1 comment waits for approval (blog)"
        );
        assert_eq!(
            w.plural(&w.digest_subject, 3, &[("site", "blog")]),
            "3 comments wait for approval (blog)"
        );
    }
}
