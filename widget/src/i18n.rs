//! Every string the reader sees, one table per language (English, Slovenian, German).
//! Plurals follow CLDR's categories for each language ([`Lang::plural`]): English and German
//! have one/other, Slovenian has one/two/few/other. Templates use `{n}`, `{title}`, `{name}`.

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
            Lang::En => &EN,
            Lang::Sl => &SL,
            Lang::De => &DE,
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
    /// `{n}` hidden replies, by plural category.
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
    pub errors: fn(ErrorCode) -> &'static str,
}

impl Strings {
    /// The heading above the thread, e.g. `3 comments on “Article title”`.
    pub fn heading(&self, count: usize, title: &str) -> String {
        let title = title.trim();
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

    pub fn error(&self, code: ErrorCode) -> &'static str {
        (self.errors)(code)
    }
}

/// Which form input a field error belongs to (thread fields have no input).
pub fn has_input(field: Field) -> bool {
    matches!(
        field,
        Field::Body | Field::Name | Field::Email | Field::Website
    )
}

pub static EN: Strings = Strings {
    lang: Lang::En,
    heading: [
        "{n} comment on “{title}”",
        "{n} comments on “{title}”",
        "{n} comments on “{title}”",
        "{n} comments on “{title}”",
    ],
    heading_zero: "No comments yet on “{title}”",
    heading_untitled: [
        "{n} comment",
        "{n} comments",
        "{n} comments",
        "{n} comments",
    ],
    heading_zero_untitled: "No comments yet",
    loading: "Loading comments…",
    load_failed: "Comments could not be loaded.",
    retry: "Try again",
    empty: "Be the first to comment.",
    reply: "Reply",
    cancel_reply: "Cancel reply",
    leave_a_comment: "Leave a comment",
    privacy_note: "Your email address will not be published. Required fields are marked",
    label_body: "Comment",
    label_name: "Name",
    label_email: "Email",
    label_website: "Website",
    submit: "Post Comment",
    submit_reply: "Post Reply",
    submitting: "Posting…",
    posted: "Your comment was published.",
    reply_to: "Reply to {name}",
    edited: "(edited)",
    edit: "Edit",
    delete: "Delete",
    delete_confirm: "Delete this comment?",
    keep: "Keep",
    save: "Save",
    cancel: "Cancel",
    deleted: "[deleted]",
    honeypot_label: "Leave this field empty",
    network_error: "Could not reach the comment server. Your text is kept; please try again.",
    in_reply_to: "in reply to {name}",
    show_replies: [
        "Show {n} more reply",
        "Show {n} more replies",
        "Show {n} more replies",
        "Show {n} more replies",
    ],
    hide_replies: "Hide replies",
    show_more_comments: "Show more comments",
    sort_label: "Sort by",
    sort_oldest: "Oldest",
    sort_newest: "Newest",
    sort_liked: "Most liked",
    like: "Like",
    likes: ["{n} like", "{n} likes", "{n} likes", "{n} likes"],
    write_tab: "Write",
    preview_tab: "Preview",
    preview_empty: "Nothing to preview yet.",
    markdown_help: "Markdown: *italic*, **bold**, [link](https://…), `code`, > quote, - list",
    forget_me: "Forget my details",
    awaiting_moderation: "Awaiting moderation",
    owner_badge: "Author",
    errors: errors_en,
};

fn errors_en(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        ValidationFailed => "Please check the highlighted fields.",
        BodyRequired => "Please write a comment.",
        BodyTooLong => "Your comment is too long (at most 10,000 characters).",
        NameRequired => "Please enter your name.",
        NameTooLong => "Your name is too long (at most 80 characters).",
        EmailRequired => "Please enter your email address. It will not be published.",
        EmailInvalid => "Please enter a valid email address, like name@example.org.",
        EmailTooLong => "This email address is too long.",
        WebsiteInvalid => "The website must start with http:// or https://.",
        WebsiteTooLong => "This website address is too long.",
        ParentNotFound => "The comment you are replying to is no longer available.",
        TooFast => "That was quick! Please wait a moment and post again.",
        FormExpired => "This page has been open a long time. Please post again.",
        SpamSuspected => "Your comment looked like spam and was not posted.",
        CaptchaRequired => "Please complete the challenge before posting.",
        CaptchaFailed => "The challenge could not be verified. Please try again.",
        RateLimited => {
            "You are posting very often. Please wait a minute and try again; your text is kept."
        }
        EditTokenInvalid => "You can only change your own comments.",
        EditWindowClosed => "The time for changing this comment has passed.",
        CommentNotFound => "That comment no longer exists.",
        ThreadRequired | ThreadTooLong | ThreadInvalid | TitleTooLong | UrlInvalid => {
            "This page is not set up correctly for comments."
        }
        OriginNotAllowed => "This site is not allowed to post comments.",
        PayloadTooLarge => "Your comment is too long.",
        FormTokenInvalid | CursorInvalid | ReaderInvalid | InvalidJson | UnsupportedMediaType
        | NotFound | MethodNotAllowed => {
            "The comment could not be sent. Please reload the page and try again."
        }
        Internal | Unknown => {
            "Something went wrong on our side. Your text is kept; please try again."
        }
        Unavailable => "Comments are temporarily unavailable. Your text is kept; please try again.",
    }
}

pub static SL: Strings = Strings {
    lang: Lang::Sl,
    heading: [
        "{n} komentar k „{title}“",
        "{n} komentarja k „{title}“",
        "{n} komentarji k „{title}“",
        "{n} komentarjev k „{title}“",
    ],
    heading_zero: "Še ni komentarjev k „{title}“",
    heading_untitled: [
        "{n} komentar",
        "{n} komentarja",
        "{n} komentarji",
        "{n} komentarjev",
    ],
    heading_zero_untitled: "Še ni komentarjev",
    loading: "Nalaganje komentarjev …",
    load_failed: "Komentarjev ni bilo mogoče naložiti.",
    retry: "Poskusi znova",
    empty: "Bodite prvi, ki komentira.",
    reply: "Odgovori",
    cancel_reply: "Prekliči odgovor",
    leave_a_comment: "Napišite komentar",
    privacy_note: "Vaš e-naslov ne bo objavljen. Obvezna polja so označena z",
    label_body: "Komentar",
    label_name: "Ime",
    label_email: "E-naslov",
    label_website: "Spletna stran",
    submit: "Objavi komentar",
    submit_reply: "Objavi odgovor",
    submitting: "Objavljanje …",
    posted: "Vaš komentar je objavljen.",
    reply_to: "Odgovor osebi {name}",
    edited: "(urejeno)",
    edit: "Uredi",
    delete: "Izbriši",
    delete_confirm: "Izbrišem ta komentar?",
    keep: "Obdrži",
    save: "Shrani",
    cancel: "Prekliči",
    deleted: "[izbrisano]",
    honeypot_label: "To polje pustite prazno",
    network_error:
        "Strežnika za komentarje ni bilo mogoče doseči. Besedilo je shranjeno; poskusite znova.",
    in_reply_to: "v odgovor osebi {name}",
    show_replies: [
        "Pokaži še {n} odgovor",
        "Pokaži še {n} odgovora",
        "Pokaži še {n} odgovore",
        "Pokaži še {n} odgovorov",
    ],
    hide_replies: "Skrij odgovore",
    show_more_comments: "Pokaži več komentarjev",
    sort_label: "Razvrsti",
    sort_oldest: "Najstarejši",
    sort_newest: "Najnovejši",
    sort_liked: "Najbolj všečni",
    like: "Všeč mi je",
    likes: ["{n} všeček", "{n} všečka", "{n} všečki", "{n} všečkov"],
    write_tab: "Pisanje",
    preview_tab: "Predogled",
    preview_empty: "Ničesar še ni za predogled.",
    markdown_help:
        "Markdown: *ležeče*, **krepko**, [povezava](https://…), `koda`, > citat, - seznam",
    forget_me: "Pozabi moje podatke",
    awaiting_moderation: "Čaka na odobritev",
    owner_badge: "Avtor",
    errors: errors_sl,
};

fn errors_sl(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        ValidationFailed => "Preverite označena polja.",
        BodyRequired => "Napišite komentar.",
        BodyTooLong => "Komentar je predolg (največ 10.000 znakov).",
        NameRequired => "Vpišite svoje ime.",
        NameTooLong => "Ime je predolgo (največ 80 znakov).",
        EmailRequired => "Vpišite e-naslov. Ne bo objavljen.",
        EmailInvalid => "Vpišite veljaven e-naslov, na primer ime@primer.si.",
        EmailTooLong => "E-naslov je predolg.",
        WebsiteInvalid => "Spletna stran se mora začeti s http:// ali https://.",
        WebsiteTooLong => "Naslov spletne strani je predolg.",
        ParentNotFound => "Komentar, na katerega odgovarjate, ni več na voljo.",
        TooFast => "To je bilo hitro! Počakajte trenutek in objavite znova.",
        FormExpired => "Stran je odprta že dolgo. Objavite znova.",
        SpamSuspected => "Komentar je bil prepoznan kot neželen in ni bil objavljen.",
        CaptchaRequired => "Pred objavo rešite preizkus.",
        CaptchaFailed => "Preizkusa ni bilo mogoče preveriti. Poskusite znova.",
        RateLimited => {
            "Objavljate zelo pogosto. Počakajte minuto in poskusite znova; besedilo je shranjeno."
        }
        EditTokenInvalid => "Spreminjate lahko samo svoje komentarje.",
        EditWindowClosed => "Čas za spreminjanje tega komentarja je potekel.",
        CommentNotFound => "Ta komentar ne obstaja več.",
        ThreadRequired | ThreadTooLong | ThreadInvalid | TitleTooLong | UrlInvalid => {
            "Ta stran ni pravilno nastavljena za komentarje."
        }
        OriginNotAllowed => "Ta spletna stran ne sme objavljati komentarjev.",
        PayloadTooLarge => "Komentar je predolg.",
        FormTokenInvalid | CursorInvalid | ReaderInvalid | InvalidJson | UnsupportedMediaType
        | NotFound | MethodNotAllowed => {
            "Komentarja ni bilo mogoče poslati. Osvežite stran in poskusite znova."
        }
        Internal | Unknown => {
            "Pri nas je šlo nekaj narobe. Besedilo je shranjeno; poskusite znova."
        }
        Unavailable => "Komentarji trenutno niso na voljo. Besedilo je shranjeno; poskusite znova.",
    }
}

pub static DE: Strings = Strings {
    lang: Lang::De,
    heading: [
        "{n} Kommentar zu „{title}“",
        "{n} Kommentare zu „{title}“",
        "{n} Kommentare zu „{title}“",
        "{n} Kommentare zu „{title}“",
    ],
    heading_zero: "Noch keine Kommentare zu „{title}“",
    heading_untitled: ["{n} Kommentar", "{n} Kommentare", "{n} Kommentare", "{n} Kommentare"],
    heading_zero_untitled: "Noch keine Kommentare",
    loading: "Kommentare werden geladen …",
    load_failed: "Die Kommentare konnten nicht geladen werden.",
    retry: "Erneut versuchen",
    empty: "Schreiben Sie den ersten Kommentar.",
    reply: "Antworten",
    cancel_reply: "Antwort abbrechen",
    leave_a_comment: "Schreiben Sie einen Kommentar",
    privacy_note: "Ihre E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind markiert mit",
    label_body: "Kommentar",
    label_name: "Name",
    label_email: "E-Mail",
    label_website: "Website",
    submit: "Kommentar abschicken",
    submit_reply: "Antwort abschicken",
    submitting: "Wird gesendet …",
    posted: "Ihr Kommentar wurde veröffentlicht.",
    reply_to: "Antwort an {name}",
    edited: "(bearbeitet)",
    edit: "Bearbeiten",
    delete: "Löschen",
    delete_confirm: "Diesen Kommentar löschen?",
    keep: "Behalten",
    save: "Speichern",
    cancel: "Abbrechen",
    deleted: "[gelöscht]",
    honeypot_label: "Dieses Feld leer lassen",
    network_error: "Der Kommentar-Server ist nicht erreichbar. Ihr Text bleibt erhalten; bitte erneut versuchen.",
    in_reply_to: "als Antwort an {name}",
    show_replies: [
        "{n} weitere Antwort anzeigen",
        "{n} weitere Antworten anzeigen",
        "{n} weitere Antworten anzeigen",
        "{n} weitere Antworten anzeigen",
    ],
    hide_replies: "Antworten ausblenden",
    show_more_comments: "Weitere Kommentare anzeigen",
    sort_label: "Sortieren",
    sort_oldest: "Älteste",
    sort_newest: "Neueste",
    sort_liked: "Beliebteste",
    like: "Gefällt mir",
    likes: ["{n} Like", "{n} Likes", "{n} Likes", "{n} Likes"],
    write_tab: "Schreiben",
    preview_tab: "Vorschau",
    preview_empty: "Noch nichts für die Vorschau.",
    markdown_help: "Markdown: *kursiv*, **fett**, [Link](https://…), `Code`, > Zitat, - Liste",
    forget_me: "Meine Angaben vergessen",
    awaiting_moderation: "Wartet auf Freigabe",
    owner_badge: "Autor",
    errors: errors_de,
};

fn errors_de(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        ValidationFailed => "Bitte prüfen Sie die markierten Felder.",
        BodyRequired => "Bitte schreiben Sie einen Kommentar.",
        BodyTooLong => "Ihr Kommentar ist zu lang (höchstens 10.000 Zeichen).",
        NameRequired => "Bitte geben Sie Ihren Namen ein.",
        NameTooLong => "Ihr Name ist zu lang (höchstens 80 Zeichen).",
        EmailRequired => "Bitte geben Sie Ihre E-Mail-Adresse ein. Sie wird nicht veröffentlicht.",
        EmailInvalid => "Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@beispiel.de.",
        EmailTooLong => "Diese E-Mail-Adresse ist zu lang.",
        WebsiteInvalid => "Die Website muss mit http:// oder https:// beginnen.",
        WebsiteTooLong => "Diese Website-Adresse ist zu lang.",
        ParentNotFound => "Der Kommentar, auf den Sie antworten, ist nicht mehr verfügbar.",
        TooFast => "Das ging schnell! Bitte warten Sie einen Moment und senden Sie erneut.",
        FormExpired => "Diese Seite ist schon lange geöffnet. Bitte senden Sie erneut.",
        SpamSuspected => "Ihr Kommentar wurde als Spam erkannt und nicht veröffentlicht.",
        CaptchaRequired => "Bitte lösen Sie vor dem Absenden die Aufgabe.",
        CaptchaFailed => "Die Aufgabe konnte nicht bestätigt werden. Bitte erneut versuchen.",
        RateLimited => {
            "Sie kommentieren sehr häufig. Bitte warten Sie eine Minute; Ihr Text bleibt erhalten."
        }
        EditTokenInvalid => "Sie können nur Ihre eigenen Kommentare ändern.",
        EditWindowClosed => "Die Zeit zum Ändern dieses Kommentars ist abgelaufen.",
        CommentNotFound => "Dieser Kommentar existiert nicht mehr.",
        ThreadRequired | ThreadTooLong | ThreadInvalid | TitleTooLong | UrlInvalid => {
            "Diese Seite ist für Kommentare nicht richtig eingerichtet."
        }
        OriginNotAllowed => "Diese Website darf keine Kommentare senden.",
        PayloadTooLarge => "Ihr Kommentar ist zu lang.",
        FormTokenInvalid | CursorInvalid | ReaderInvalid | InvalidJson | UnsupportedMediaType
        | NotFound | MethodNotAllowed => {
            "Der Kommentar konnte nicht gesendet werden. Bitte laden Sie die Seite neu."
        }
        Internal | Unknown => {
            "Bei uns ist etwas schiefgelaufen. Ihr Text bleibt erhalten; bitte erneut versuchen."
        }
        Unavailable => "Kommentare sind vorübergehend nicht verfügbar. Ihr Text bleibt erhalten.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_headings_use_singular_plural_and_zero_forms() {
        assert_eq!(EN.heading(0, "Post"), "No comments yet on “Post”");
        assert_eq!(EN.heading(1, "Post"), "1 comment on “Post”");
        assert_eq!(EN.heading(8, "Post"), "8 comments on “Post”");
        assert_eq!(EN.heading(2, "  "), "2 comments");
        assert_eq!(EN.heading(0, ""), "No comments yet");
    }

    #[test]
    fn slovenian_has_four_plural_forms_by_the_last_two_digits() {
        let forms: Vec<String> = [1, 2, 3, 4, 5, 11, 101, 102, 103, 111]
            .iter()
            .map(|n| SL.heading(*n, "T"))
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
        assert_eq!(SL.plural(&SL.show_replies, 2), "Pokaži še 2 odgovora");
    }

    #[test]
    fn german_headings_and_language_choice() {
        assert_eq!(DE.heading(1, "T"), "1 Kommentar zu „T“");
        assert_eq!(DE.heading(3, "T"), "3 Kommentare zu „T“");
        assert_eq!(Lang::pick("sl-SI"), Lang::Sl);
        assert_eq!(Lang::pick("de_AT"), Lang::De);
        assert_eq!(Lang::pick("DE"), Lang::De);
        assert_eq!(Lang::pick("fr"), Lang::En);
        assert_eq!(Lang::pick(""), Lang::En);
    }

    #[test]
    fn every_language_has_a_message_for_every_error_code() {
        use ErrorCode::*;
        for s in [&EN, &SL, &DE] {
            for code in ErrorCode::ALL.into_iter().chain([Unknown]) {
                assert!(!s.error(code).is_empty(), "{:?} {code:?}", s.lang);
            }
        }
        // Translations are real: the tables differ.
        assert_ne!(EN.error(BodyRequired), SL.error(BodyRequired));
        assert_ne!(EN.error(BodyRequired), DE.error(BodyRequired));
    }
}
