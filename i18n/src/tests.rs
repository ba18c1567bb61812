//! Plural forms and dates in each language, every file complete with English's placeholders
//! and CLDR's plural forms, tables surviving their flat form, every error code worded, and
//! a page's language tag finding its language.

use super::*;

use std::collections::{BTreeMap, BTreeSet};

fn en() -> &'static Strings<'static> {
    Lang::En.strings()
}
fn sl() -> &'static Strings<'static> {
    Lang::Sl.strings()
}
fn de() -> &'static Strings<'static> {
    Lang::De.strings()
}

#[test]
fn dates_read_the_same_everywhere_and_in_each_language() {
    // 2026-11-20 10:04 UTC
    let ms = 1_795_169_040_000;
    assert_eq!(civil(ms), (2026, 11, 20, 10, 4));
    assert_eq!(civil(0), (1970, 1, 1, 0, 0));
    assert_eq!(civil(951_782_400_000), (2000, 2, 29, 0, 0));
    assert_eq!(civil(-86_400_000), (1969, 12, 31, 0, 0));
    assert_eq!(en().date(ms), "November 20, 2026");
    assert_eq!(sl().date(ms), "20. november 2026");
    assert_eq!(de().date(ms), "20. November 2026");
    assert_eq!(en().date_time(ms), "November 20, 2026, 10:04 UTC");
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
    assert_eq!(en().heading(Some(0), "Post"), "No comments yet on “Post”");
    assert_eq!(en().heading(Some(1), "Post"), "1 comment on “Post”");
    assert_eq!(en().heading(Some(8), "Post"), "8 comments on “Post”");
    assert_eq!(en().heading(Some(2), "  "), "2 comments");
    assert_eq!(en().heading(Some(0), ""), "No comments yet");
}

#[test]
fn an_unknown_count_is_not_claimed_to_be_zero() {
    assert_eq!(en().heading(None, "Post"), "Comments on “Post”");
    assert_eq!(en().heading(None, ""), "Comments");
    assert_eq!(de().heading(None, "T"), "Kommentare zu „T“");
}

#[test]
fn slovenian_has_four_plural_forms_by_the_last_two_digits() {
    let forms: Vec<String> = [1, 2, 3, 4, 5, 11, 101, 102, 103, 111]
        .iter()
        .map(|n| sl().heading(Some(*n), "T"))
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
    assert_eq!(
        sl().plural(&sl().show_more_replies, 2),
        "Pokaži še 2 odgovora"
    );
    assert_eq!(en().plural(&en().show_replies, 2), "Show 2 replies");
}

#[test]
fn german_headings_and_language_choice() {
    assert_eq!(de().heading(Some(1), "T"), "1 Kommentar zu „T“");
    assert_eq!(de().heading(Some(3), "T"), "3 Kommentare zu „T“");
    assert_eq!(Lang::pick("sl-SI"), Lang::Sl);
    assert_eq!(Lang::pick("de_AT"), Lang::De);
    assert_eq!(Lang::pick("DE"), Lang::De);
    assert_eq!(Lang::pick("tlh"), Lang::En);
    assert_eq!(Lang::pick(""), Lang::En);
}

#[test]
fn every_language_has_a_message_for_every_error_code() {
    use ErrorCode::*;
    for s in Lang::ALL.map(Lang::strings) {
        for &code in ErrorCode::ALL.iter().chain([&Unknown]) {
            assert!(!s.error(code).is_empty(), "{:?} {code:?}", s.lang);
        }
    }
    // Translations are real: no language but English says English's words.
    for lang in Lang::ALL.into_iter().skip(1) {
        let s = lang.strings();
        assert_ne!(en().error(BodyRequired), s.error(BodyRequired), "{lang:?}");
        assert_ne!(en().leave_a_comment, s.leave_a_comment, "{lang:?}");
    }
}

#[test]
fn limits_in_messages_come_from_core_in_each_languages_number_format() {
    assert_eq!(
        en().error(ErrorCode::BodyTooLong),
        format!(
            "Your comment is too long (at most {} characters).",
            en().number(limits::BODY)
        )
    );
    assert_eq!(en().number(10_000), "10,000");
    assert_eq!(de().number(1_234_567), "1.234.567");
    assert_eq!(sl().number(80), "80");
    for s in Lang::ALL.map(Lang::strings) {
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

/// The counts every language is checked at: the issue's, and every whole number to 1,000
/// for the forms' coverage.
const COUNTS: [usize; 9] = [0, 1, 2, 3, 5, 11, 21, 101, 1000];

/// Every whole number to 1,000 by the category CLDR (ICU4X's data) puts it in.
fn cldr_categories(lang: Lang) -> BTreeMap<&'static str, Vec<usize>> {
    let mut used: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for n in 0..=1000usize {
        let name = match lang.plural(n) {
            Plural::Zero => "zero",
            Plural::One => "one",
            Plural::Two => "two",
            Plural::Few => "few",
            Plural::Many => "many",
            Plural::Other => "other",
        };
        used.entry(name).or_default().push(n);
    }
    used
}

#[test]
fn every_language_file_has_every_key_and_no_other() {
    assert!(GAPS.is_empty(), "fix these language files:\n{GAPS:#?}");
    assert!(Lang::ALL.len() >= 34, "{} languages", Lang::ALL.len());
}

#[test]
fn every_plural_table_gives_exactly_the_forms_cldr_uses_for_whole_numbers() {
    // An engine with other CLDR data (an older browser) may name a category the file
    // lacks: the build fills every such slot with the language's `other` form.
    let mut wrong = Vec::new();
    for (tag, table, given) in FORMS {
        let lang = Lang::ALL.into_iter().find(|l| l.tag() == *tag).unwrap();
        let used: BTreeSet<&str> = cldr_categories(lang).into_keys().collect();
        let given: BTreeSet<&str> = given.iter().copied().collect();
        if given != used {
            wrong.push(format!(
                "{tag} {table}: gives {given:?}, CLDR uses {used:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn every_count_reads_in_each_languages_form_for_it() {
    for lang in Lang::ALL {
        let t = lang.strings();
        let used = cldr_categories(lang);
        for n in COUNTS {
            let category = used.iter().find(|(_, ns)| ns.contains(&n)).unwrap().0;
            for table in [
                &t.heading_untitled,
                &t.likes,
                &t.show_replies,
                &t.show_more_replies,
            ] {
                let text = t.plural(table, n);
                // A form for exactly one number may say it in words ("one comment",
                // Arabic's dual "تعليقان"); every other says the count.
                if used[category].len() > 1 {
                    assert!(text.contains(&t.number(n)), "{lang:?} {n}: {text}");
                }
                assert!(!text.contains('{'), "{lang:?} {n}: {text}");
            }
            let heading = t.heading(Some(n), "Title");
            assert!(
                heading.contains("Title") && !heading.contains('{'),
                "{lang:?}: {heading}"
            );
            if n > 0 && used[category].len() > 1 {
                assert!(heading.contains(&t.number(n)), "{lang:?} {n}: {heading}");
            }
        }
    }
}

/// `{n}`, `{title}`, … in a text, in order.
fn placeholders(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text
        .match_indices('{')
        .filter_map(|(at, _)| Some(&text[at..at + text[at..].find('}')? + 1]))
        .collect();
    out.sort_unstable();
    out
}

#[test]
fn every_text_has_englishs_placeholders() {
    let english = en().to_list();
    for lang in Lang::ALL {
        let list = lang.strings().to_list();
        assert_eq!(list.len(), english.len());
        for (theirs, ours) in list.iter().zip(&english).skip(1) {
            let (theirs_ph, mut ours_ph) = (placeholders(theirs), placeholders(ours));
            if theirs_ph != ours_ph {
                // Only a plural form may lack `{n}` (one for a single number may spell it
                // out); the coverage test above checks every other form shows the count.
                let plural_form = [
                    &lang.strings().heading,
                    &lang.strings().heading_untitled,
                    &lang.strings().likes,
                    &lang.strings().show_replies,
                    &lang.strings().show_more_replies,
                ]
                .iter()
                .any(|table| table.contains(theirs));
                assert!(plural_form, "{lang:?}: {theirs:?} against {ours:?}");
                ours_ph.retain(|p| *p != "{n}");
                assert_eq!(theirs_ph, ours_ph, "{lang:?}: {theirs:?} against {ours:?}");
            }
        }
    }
}

#[test]
fn a_pages_tag_finds_its_language_or_the_nearest_one() {
    let pick = |tag: &str| Lang::negotiate(tag).map(Lang::tag);
    assert_eq!(pick("pt-BR"), Some("pt"));
    assert_eq!(pick("pt_PT"), Some("pt"));
    assert_eq!(pick("zh-TW"), Some("zh-Hant"));
    assert_eq!(pick("zh-HK"), Some("zh-Hant"));
    assert_eq!(pick("zh-Hant-TW"), Some("zh-Hant"));
    assert_eq!(pick("zh-CN"), Some("zh-Hans"));
    assert_eq!(pick("zh"), Some("zh-Hans"));
    assert_eq!(pick("ZH-hans"), Some("zh-Hans"));
    assert_eq!(pick("no"), Some("nb"));
    assert_eq!(pick("nn-NO"), Some("nb"));
    assert_eq!(pick("iw"), Some("he"));
    assert_eq!(pick("ar-EG"), Some("ar"));
    assert_eq!(pick(" fa-IR "), Some("fa"));
    assert_eq!(pick("en-GB"), Some("en"));
    assert_eq!(pick("sr-Latn-RS"), Some("sr"));
    assert_eq!(pick("x-klingon"), None);
    assert_eq!(pick("zzz"), None);
    assert_eq!(pick("-"), None);
    assert_eq!(pick(""), None);
    assert_eq!(Lang::pick("zzz"), Lang::En);
    // Right to left: exactly these.
    let rtl: Vec<&str> = Lang::ALL
        .into_iter()
        .filter(|l| l.rtl())
        .map(Lang::tag)
        .collect();
    assert_eq!(rtl, ["ar", "fa", "he", "ur"]);
}

#[test]
fn a_title_in_the_other_direction_is_isolated_in_the_heading() {
    let ar = Lang::Ar.strings();
    let heading = ar.heading(Some(3), "Can communities learn online?");
    assert!(
        heading.contains("\u{2068}Can communities learn online?\u{2069}"),
        "{heading}"
    );
    let he_title = en().heading(Some(2), "שלום?");
    assert!(he_title.contains("\u{2068}שלום?\u{2069}"), "{he_title}");
    // A Latin title in a left-to-right language stays as typed (no invisible marks).
    assert_eq!(en().heading(Some(2), "Post"), "2 comments on “Post”");
    // A title from the page's address cannot close the isolate or reverse what follows.
    let forged = ar.heading(Some(3), "x\u{2069}\u{202E}evil");
    assert!(
        !forged.contains('\u{202E}') && forged.matches('\u{2069}').count() == 1,
        "{forged:?}"
    );
    let ja = Lang::Ja.strings().heading(Some(3), "x\u{202E}");
    assert!(!ja.contains('\u{202E}'), "{ja:?}");
}

#[test]
fn every_language_has_its_emails_and_english_matches_cores_default() {
    use colloquy_core::domain::mail_words::MailWords;
    let (ours, core) = (Lang::En.mail(), MailWords::ENGLISH);
    assert_eq!(mail_texts(ours), mail_texts(&core));
    for lang in Lang::ALL {
        let mail = lang.mail();
        assert_eq!(mail.tag, lang.tag());
        assert_eq!((mail.category)(1), lang.plural(1) as usize);
        if lang != Lang::En {
            assert_ne!(mail.confirm_subject, core.confirm_subject, "{lang:?}");
            assert_ne!(mail.page_invalid_title, core.page_invalid_title, "{lang:?}");
        }
    }
}

/// Every text of a language's emails and link pages, in field order.
fn mail_texts<'a>(m: &MailWords<'a>) -> Vec<&'a str> {
    let mut all = vec![
        m.confirm_subject,
        m.confirm_asked_comment,
        m.confirm_asked_site,
        m.confirm_open,
        m.confirm_ignore,
        m.reply_subject,
        m.reply_read,
        m.reply_stop,
        m.digest_line,
        m.digest_review,
        m.page_confirm_title,
        m.page_confirm_text,
        m.page_confirm_button,
        m.page_confirmed_title,
        m.page_confirmed_text,
        m.page_unsubscribe_title,
        m.page_unsubscribe_text,
        m.page_unsubscribe_button,
        m.page_unsubscribed_title,
        m.page_unsubscribed_text,
        m.page_invalid_title,
        m.page_invalid_text,
    ];
    all.extend(m.digest_subject);
    all.extend(m.digest_intro);
    all
}

#[test]
fn every_email_text_has_englishs_placeholders_and_the_digest_says_its_count() {
    let english = mail_texts(Lang::En.mail());
    for lang in Lang::ALL {
        let mail = lang.mail();
        for (theirs, ours) in mail_texts(mail).iter().zip(&english) {
            let (theirs_ph, mut ours_ph) = (placeholders(theirs), placeholders(ours));
            if theirs_ph != ours_ph {
                ours_ph.retain(|p| *p != "{n}");
                assert_eq!(theirs_ph, ours_ph, "{lang:?}: {theirs:?} against {ours:?}");
            }
        }
        let used = cldr_categories(lang);
        for n in COUNTS {
            let category = used.iter().find(|(_, ns)| ns.contains(&n)).unwrap().0;
            let subject = mail.plural(&mail.digest_subject, n, &[("site", "blog")]);
            if used[category].len() > 1 {
                assert!(subject.contains(&n.to_string()), "{lang:?} {n}: {subject}");
            }
            assert!(
                subject.contains("blog") && !subject.contains('{'),
                "{lang:?}: {subject}"
            );
        }
    }
}
