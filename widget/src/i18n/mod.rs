//! Every string the reader sees, one file per language ([`en`], [`sl`], [`de`]), each a
//! [`Strings`] table, so a missing string does not compile. Templates use `{n}`, `{title}`,
//! `{name}` and `{max}` (a limit from `colloquy_core::validate::limits`, never retyped).
//!
//! Plurals follow CLDR's categories ([`Lang::plural`]): English and German have one/other,
//! Slovenian one/two/few/other. The rules stay in Rust rather than asking the browser's
//! `Intl.PluralRules` (as `count.js` does): they are a few bytes of code, where the
//! `Intl` binding would be more, and they are unit-tested natively.

mod de;
mod en;
mod sl;

use colloquy_core::validate::limits;
use colloquy_core::{ErrorCode, Field};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Sl,
    De,
}

/// CLDR plural categories, used as indexes into `[&str; 4]` tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    One = 0,
    Two = 1,
    Few = 2,
    Other = 3,
}

impl Lang {
    /// From `data-colloquy-lang` or the page's `<html lang>` (e.g. `sl-SI`, `de_AT`);
    /// anything else is English.
    pub fn pick(tag: &str) -> Lang {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "sl" => Lang::Sl,
            "de" => Lang::De,
            _ => Lang::En,
        }
    }

    /// The BCP 47 tag for `Intl` date formatting.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sl => "sl",
            Lang::De => "de",
        }
    }

    pub fn plural(self, n: usize) -> Plural {
        match self {
            Lang::En | Lang::De => {
                if n == 1 {
                    Plural::One
                } else {
                    Plural::Other
                }
            }
            Lang::Sl => match n % 100 {
                1 => Plural::One,
                2 => Plural::Two,
                3 | 4 => Plural::Few,
                _ => Plural::Other,
            },
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::En => &en::STRINGS,
            Lang::Sl => &sl::STRINGS,
            Lang::De => &de::STRINGS,
        }
    }
}

/// One language's strings. Plural tables are indexed by [`Plural`].
pub struct Strings {
    pub lang: Lang,
    /// Heading with a title, by plural category; `{n}` and `{title}`.
    pub heading: [&'static str; 4],
    pub heading_zero: &'static str,
    /// The same when the page has no title.
    pub heading_untitled: [&'static str; 4],
    pub heading_zero_untitled: &'static str,
    /// While the count is not known yet (loading, or loading failed); `{title}`.
    pub heading_unknown: &'static str,
    pub heading_unknown_untitled: &'static str,
    /// Thousands separator for numbers in messages ("10,000").
    pub thousands: &'static str,
    pub loading: &'static str,
    pub load_failed: &'static str,
    pub retry: &'static str,
    pub empty: &'static str,
    pub reply: &'static str,
    pub cancel_reply: &'static str,
    pub leave_a_comment: &'static str,
    /// Followed by a red asterisk.
    pub privacy_note: &'static str,
    pub label_body: &'static str,
    pub label_name: &'static str,
    pub label_email: &'static str,
    pub label_website: &'static str,
    pub submit: &'static str,
    pub submit_reply: &'static str,
    pub submitting: &'static str,
    pub posted: &'static str,
    pub reply_to: &'static str,
    pub edited: &'static str,
    pub edit: &'static str,
    pub delete: &'static str,
    pub delete_confirm: &'static str,
    pub keep: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub deleted: &'static str,
    pub honeypot_label: &'static str,
    pub network_error: &'static str,
    pub in_reply_to: &'static str,
    /// `{n}` replies not loaded yet, by plural category ("Show 2 more replies").
    pub show_more_replies: [&'static str; 4],
    /// `{n}` replies collapsed by the reader ("Show 2 replies").
    pub show_replies: [&'static str; 4],
    pub hide_replies: &'static str,
    pub show_more_comments: &'static str,
    pub sort_label: &'static str,
    pub sort_oldest: &'static str,
    pub sort_newest: &'static str,
    pub sort_liked: &'static str,
    pub like: &'static str,
    /// Accessible label of the like button: `{n}` likes, by plural category.
    pub likes: [&'static str; 4],
    pub write_tab: &'static str,
    pub preview_tab: &'static str,
    pub preview_empty: &'static str,
    pub markdown_help: &'static str,
    pub forget_me: &'static str,
    pub awaiting_moderation: &'static str,
    pub owner_badge: &'static str,
    /// A `#comment-…` link to a comment that is not in this thread (or does not exist).
    pub permalink_missing: &'static str,
    pub more_failed: &'static str,
    pub replies_failed: &'static str,
    pub like_failed: &'static str,
    /// Each error code's message; `{max}` is filled with the field's limit.
    pub errors: fn(ErrorCode) -> &'static str,
}

impl Strings {
    /// The heading above the thread, e.g. `3 comments on “Article title”`.
    /// `None` while the count is not known, so nothing is said about it.
    pub fn heading(&self, count: Option<usize>, title: &str) -> String {
        let title = title.trim();
        let Some(count) = count else {
            let template = if title.is_empty() {
                self.heading_unknown_untitled
            } else {
                self.heading_unknown
            };
            return template.replace("{title}", title);
        };
        let category = self.lang.plural(count) as usize;
        let template = match (count, title.is_empty()) {
            (0, false) => self.heading_zero,
            (0, true) => self.heading_zero_untitled,
            (_, false) => self.heading[category],
            (_, true) => self.heading_untitled[category],
        };
        template
            .replace("{n}", &count.to_string())
            .replace("{title}", title)
    }

    pub fn plural(&self, table: &[&'static str; 4], n: usize) -> String {
        table[self.lang.plural(n) as usize].replace("{n}", &n.to_string())
    }

    /// The message for `code`, with the limit it is about filled in.
    pub fn error(&self, code: ErrorCode) -> String {
        let text = (self.errors)(code);
        match limit_of(code) {
            Some(max) => text.replace("{max}", &self.number(max)),
            None => text.to_owned(),
        }
    }

    /// `10000` → "10,000" (en) / "10.000" (sl, de).
    pub fn number(&self, n: usize) -> String {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(self.thousands);
            }
            out.push(d);
        }
        out
    }
}

/// The limit an error code is about, quoted in its message as `{max}`.
fn limit_of(code: ErrorCode) -> Option<usize> {
    match code {
        ErrorCode::BodyTooLong | ErrorCode::PayloadTooLarge => Some(limits::BODY),
        ErrorCode::NameTooLong => Some(limits::NAME),
        ErrorCode::EmailTooLong => Some(limits::EMAIL),
        ErrorCode::WebsiteTooLong => Some(limits::WEBSITE),
        _ => None,
    }
}

/// Which form input a field error belongs to (thread fields have no input).
pub fn has_input(field: Field) -> bool {
    matches!(
        field,
        Field::Body | Field::Name | Field::Email | Field::Website
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &Strings = &en::STRINGS;
    const SL: &Strings = &sl::STRINGS;
    const DE: &Strings = &de::STRINGS;

    #[test]
    fn english_headings_use_singular_plural_and_zero_forms() {
        assert_eq!(EN.heading(Some(0), "Post"), "No comments yet on “Post”");
        assert_eq!(EN.heading(Some(1), "Post"), "1 comment on “Post”");
        assert_eq!(EN.heading(Some(8), "Post"), "8 comments on “Post”");
        assert_eq!(EN.heading(Some(2), "  "), "2 comments");
        assert_eq!(EN.heading(Some(0), ""), "No comments yet");
    }

    #[test]
    fn an_unknown_count_is_not_claimed_to_be_zero() {
        assert_eq!(EN.heading(None, "Post"), "Comments on “Post”");
        assert_eq!(EN.heading(None, ""), "Comments");
        assert_eq!(DE.heading(None, "T"), "Kommentare zu „T“");
    }

    #[test]
    fn slovenian_has_four_plural_forms_by_the_last_two_digits() {
        let forms: Vec<String> = [1, 2, 3, 4, 5, 11, 101, 102, 103, 111]
            .iter()
            .map(|n| SL.heading(Some(*n), "T"))
            .collect();
        assert_eq!(
            forms,
            [
                "1 komentar k „T“",
                "2 komentarja k „T“",
                "3 komentarji k „T“",
                "4 komentarji k „T“",
                "5 komentarjev k „T“",
                "11 komentarjev k „T“",
                "101 komentar k „T“",
                "102 komentarja k „T“",
                "103 komentarji k „T“",
                "111 komentarjev k „T“",
            ]
        );
        assert_eq!(SL.plural(&SL.show_more_replies, 2), "Pokaži še 2 odgovora");
        assert_eq!(EN.plural(&EN.show_replies, 2), "Show 2 replies");
    }

    #[test]
    fn german_headings_and_language_choice() {
        assert_eq!(DE.heading(Some(1), "T"), "1 Kommentar zu „T“");
        assert_eq!(DE.heading(Some(3), "T"), "3 Kommentare zu „T“");
        assert_eq!(Lang::pick("sl-SI"), Lang::Sl);
        assert_eq!(Lang::pick("de_AT"), Lang::De);
        assert_eq!(Lang::pick("DE"), Lang::De);
        assert_eq!(Lang::pick("fr"), Lang::En);
        assert_eq!(Lang::pick(""), Lang::En);
    }

    #[test]
    fn every_language_has_a_message_for_every_error_code() {
        use ErrorCode::*;
        for s in [EN, SL, DE] {
            for &code in ErrorCode::ALL.iter().chain([&Unknown]) {
                assert!(!s.error(code).is_empty(), "{:?} {code:?}", s.lang);
            }
        }
        // Translations are real: the tables differ.
        assert_ne!(EN.error(BodyRequired), SL.error(BodyRequired));
        assert_ne!(EN.error(BodyRequired), DE.error(BodyRequired));
    }

    #[test]
    fn limits_in_messages_come_from_core_in_each_languages_number_format() {
        assert_eq!(
            EN.error(ErrorCode::BodyTooLong),
            format!(
                "Your comment is too long (at most {} characters).",
                EN.number(limits::BODY)
            )
        );
        assert_eq!(EN.number(10_000), "10,000");
        assert_eq!(DE.number(1_234_567), "1.234.567");
        assert_eq!(SL.number(80), "80");
        for s in [EN, SL, DE] {
            for code in [
                ErrorCode::BodyTooLong,
                ErrorCode::NameTooLong,
                ErrorCode::EmailTooLong,
                ErrorCode::WebsiteTooLong,
            ] {
                let max = limit_of(code).unwrap();
                assert!((s.errors)(code).contains("{max}"), "{:?} {code:?}", s.lang);
                assert!(
                    s.error(code).contains(&s.number(max)),
                    "{:?} {code:?}",
                    s.lang
                );
            }
        }
    }
}
