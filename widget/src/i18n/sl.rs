//! Slovenian (slovenščina).

use super::{Lang, Strings};
use colloquy_core::ErrorCode;

pub static STRINGS: Strings = Strings {
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
    heading_unknown: "Komentarji k „{title}“",
    heading_unknown_untitled: "Komentarji",
    thousands: ".",
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
    show_more_replies: [
        "Pokaži še {n} odgovor",
        "Pokaži še {n} odgovora",
        "Pokaži še {n} odgovore",
        "Pokaži še {n} odgovorov",
    ],
    show_replies: [
        "Pokaži {n} odgovor",
        "Pokaži {n} odgovora",
        "Pokaži {n} odgovore",
        "Pokaži {n} odgovorov",
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
    permalink_missing: "Povezani komentar ni del te razprave.",
    more_failed: "Več komentarjev ni bilo mogoče naložiti.",
    replies_failed: "Odgovorov ni bilo mogoče naložiti.",
    like_failed: "Všečka ni bilo mogoče shraniti.",
    errors: errors_sl,
};

fn errors_sl(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        ValidationFailed => "Preverite označena polja.",
        BodyRequired => "Napišite komentar.",
        BodyTooLong => "Komentar je predolg (največ {max} znakov).",
        NameRequired => "Vpišite svoje ime.",
        NameTooLong => "Ime je predolgo (največ {max} znakov).",
        EmailRequired => "Vpišite e-naslov. Ne bo objavljen.",
        EmailInvalid => "Vpišite veljaven e-naslov, na primer ime@primer.si.",
        EmailTooLong => "E-naslov je predolg (največ {max} znakov).",
        WebsiteInvalid => "Spletna stran se mora začeti s http:// ali https://.",
        WebsiteMalformed => {
            "To ni cel spletni naslov: preverite presledke in domeno, na primer https://primer.si."
        }
        WebsiteTooLong => "Naslov spletne strani je predolg (največ {max} znakov).",
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
        PayloadTooLarge => "Komentar je predolg (največ {max} znakov).",
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
