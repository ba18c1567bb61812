//! Plural forms and dates in each language, every table complete and surviving its flat form, and every error code worded.

use super::*;

const EN: &Strings = &en::STRINGS;
const SL: &Strings = &sl::STRINGS;
const DE: &Strings = &de::STRINGS;

#[test]
fn dates_read_the_same_everywhere_and_in_each_language() {
    // 2026-11-20 10:04 UTC
    let ms = 1_795_169_040_000;
    assert_eq!(civil(ms), (2026, 11, 20, 10, 4));
    assert_eq!(civil(0), (1970, 1, 1, 0, 0));
    assert_eq!(civil(951_782_400_000), (2000, 2, 29, 0, 0));
    assert_eq!(civil(-86_400_000), (1969, 12, 31, 0, 0));
    assert_eq!(EN.date(ms), "November 20, 2026");
    assert_eq!(SL.date(ms), "20. november 2026");
    assert_eq!(DE.date(ms), "20. November 2026");
    assert_eq!(EN.date_time(ms), "November 20, 2026, 10:04 UTC");
}

#[test]
fn every_table_survives_its_flat_form() {
    for lang in Lang::ALL {
        let list = lang.strings().to_list();
        let back = Strings::from_list(list.iter().copied()).expect("reads back");
        assert_eq!(back.lang, lang);
        assert_eq!(back.to_list(), list);
        assert!(Strings::from_list(list[..list.len() - 1].iter().copied()).is_none());
        assert_eq!(back.reply, lang.strings().reply);
        assert_eq!(
            back.error(ErrorCode::Internal),
            lang.strings().error(ErrorCode::Internal)
        );
    }
}

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
            assert!(
                s.errors.get(code).contains("{max}"),
                "{:?} {code:?}",
                s.lang
            );
            assert!(
                s.error(code).contains(&s.number(max)),
                "{:?} {code:?}",
                s.lang
            );
        }
    }
}
