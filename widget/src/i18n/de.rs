//! German (Deutsch).

use super::{Lang, Strings};
use colloquy_core::ErrorCode;

pub static STRINGS: Strings = Strings {
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
    heading_unknown: "Kommentare zu „{title}“",
    heading_unknown_untitled: "Kommentare",
    thousands: ".",
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
    show_more_replies: [
        "{n} weitere Antwort anzeigen",
        "{n} weitere Antworten anzeigen",
        "{n} weitere Antworten anzeigen",
        "{n} weitere Antworten anzeigen",
    ],
    show_replies: [
        "{n} Antwort anzeigen",
        "{n} Antworten anzeigen",
        "{n} Antworten anzeigen",
        "{n} Antworten anzeigen",
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
    permalink_missing: "Der verlinkte Kommentar gehört nicht zu dieser Diskussion.",
    more_failed: "Weitere Kommentare konnten nicht geladen werden.",
    replies_failed: "Die Antworten konnten nicht geladen werden.",
    like_failed: "Ihr Like konnte nicht gespeichert werden.",
    errors: errors_de,
};

fn errors_de(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        ValidationFailed => "Bitte prüfen Sie die markierten Felder.",
        BodyRequired => "Bitte schreiben Sie einen Kommentar.",
        BodyTooLong => "Ihr Kommentar ist zu lang (höchstens {max} Zeichen).",
        NameRequired => "Bitte geben Sie Ihren Namen ein.",
        NameTooLong => "Ihr Name ist zu lang (höchstens {max} Zeichen).",
        EmailRequired => "Bitte geben Sie Ihre E-Mail-Adresse ein. Sie wird nicht veröffentlicht.",
        EmailInvalid => "Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@beispiel.de.",
        EmailTooLong => "Diese E-Mail-Adresse ist zu lang (höchstens {max} Zeichen).",
        WebsiteInvalid => "Die Website muss mit http:// oder https:// beginnen.",
        WebsiteMalformed => {
            "Das ist keine vollständige Webadresse: Bitte Leerzeichen und Domain prüfen, z. B. https://beispiel.de."
        }
        WebsiteTooLong => "Diese Website-Adresse ist zu lang (höchstens {max} Zeichen).",
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
        PayloadTooLarge => "Ihr Kommentar ist zu lang (höchstens {max} Zeichen).",
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
