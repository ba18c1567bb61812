//! Limits and checks for everything a reader can send. Pure: `NewComment` in, either a
//! cleaned [`ValidComment`] or every field problem at once (so a form can mark all of them).

use crate::wire::api::CommentId;
use crate::wire::api::NewComment;
use crate::wire::error::{ErrorCode, Field, FieldError};
use crate::wire::limits;

/// A [`NewComment`] that passed every check, trimmed, with empty optionals as `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidComment {
    pub thread: String,
    pub thread_title: Option<String>,
    pub thread_url: Option<String>,
    pub parent_id: Option<CommentId>,
    pub body: String,
    pub name: String,
    pub email: String,
    pub website: Option<String>,
    pub owner_key: Option<String>,
    pub author_key: Option<String>,
    pub notify_replies: bool,
}

/// Validate and normalize a new comment. Returns all field errors, in form order.
pub fn new_comment(input: &NewComment) -> Result<ValidComment, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fail = |field, code| errors.push(FieldError { field, code });

    let thread = input.thread.trim();
    if let Err(code) = thread_key(thread) {
        fail(Field::Thread, code);
    }
    // A title goes into feeds, emails and chat messages: one line, read left to right as
    // typed (direction overrides go, as in names).
    let title = input.thread_title.as_deref().map(clean_name);
    let thread_title = non_empty(title.as_deref());
    if thread_title.is_some_and(|t| too_long(t, limits::THREAD_TITLE)) {
        fail(Field::ThreadTitle, ErrorCode::TitleTooLong);
    } else if thread_title.is_some_and(|t| t.chars().any(breaks_a_line)) {
        fail(Field::ThreadTitle, ErrorCode::TitleInvalid);
    }
    let thread_url = non_empty(input.thread_url.as_deref());
    if let Some(u) = thread_url {
        if too_long(u, limits::THREAD_URL) || !is_http_url(u) {
            fail(Field::ThreadUrl, ErrorCode::UrlInvalid);
        }
    }
    let body = input.body.trim();
    if let Err(code) = body_text(body) {
        fail(Field::Body, code);
    }
    let name = clean_name(&input.name);
    if !has_visible(&name) || has_control(&name) {
        fail(Field::Name, ErrorCode::NameRequired);
    } else if too_long(&name, limits::NAME) {
        fail(Field::Name, ErrorCode::NameTooLong);
    }
    let email = input.email.trim();
    if email.is_empty() {
        fail(Field::Email, ErrorCode::EmailRequired);
    } else if too_long(email, limits::EMAIL) {
        fail(Field::Email, ErrorCode::EmailTooLong);
    } else if !is_email(email) {
        fail(Field::Email, ErrorCode::EmailInvalid);
    }
    let website = non_empty(input.website.as_deref());
    if let Some(w) = website {
        if too_long(w, limits::WEBSITE) {
            fail(Field::Website, ErrorCode::WebsiteTooLong);
        } else if let Err(code) = website_url(w) {
            fail(Field::Website, code);
        }
    }
    if input.parent_id.is_some_and(|p| p.0 <= 0) {
        fail(Field::ParentId, ErrorCode::ParentNotFound);
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidComment {
        thread: thread.to_owned(),
        thread_title: thread_title.map(str::to_owned),
        thread_url: thread_url.map(str::to_owned),
        parent_id: input.parent_id,
        body: body.to_owned(),
        name,
        email: email.to_owned(),
        website: website.map(str::to_owned),
        owner_key: non_empty(input.owner_key.as_deref()).map(str::to_owned),
        // A browser key is random and short; anything else is ignored, not an error.
        author_key: non_empty(input.author_key.as_deref())
            .filter(|k| k.len() <= 128)
            .map(str::to_owned),
        notify_replies: input.notify_replies,
    })
}

/// A comment body: required, at most [`limits::BODY`] characters. Callers trim the ends
/// only; inner whitespace is Markdown's business.
pub fn body_text(body: &str) -> Result<(), ErrorCode> {
    if !has_visible(body) {
        Err(ErrorCode::BodyRequired)
    } else if too_long(body, limits::BODY) {
        Err(ErrorCode::BodyTooLong)
    } else {
        Ok(())
    }
}

/// A thread key is any non-empty printable text up to [`limits::THREAD_KEY`] characters:
/// usually a URL path such as `/blog/post/`, but site owners may pick their own ids.
pub fn thread_key(key: &str) -> Result<(), ErrorCode> {
    if key.is_empty() {
        Err(ErrorCode::ThreadRequired)
    } else if too_long(key, limits::THREAD_KEY) {
        Err(ErrorCode::ThreadTooLong)
    } else if has_control(key) {
        Err(ErrorCode::ThreadInvalid)
    } else {
        Ok(())
    }
}

/// Characters that change text direction. In a name they would reverse the text around
/// it (and in the page, what follows), so names lose them; the widget also isolates names.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that render as nothing: zero-width spaces and joiners, word joiners,
/// invisible operators, variation selectors, fillers, tags, the byte-order mark.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || is_bidi_control(c)
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}'
            | '\u{206A}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
            | '\u{FFA0}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Whether any character of `s` shows on screen.
pub fn has_visible(s: &str) -> bool {
    s.chars().any(|c| !is_invisible(c))
}

/// A name as stored: without direction controls, trimmed.
pub fn clean_name(name: &str) -> String {
    name.chars()
        .filter(|c| !is_bidi_control(*c))
        .collect::<String>()
        .trim()
        .to_owned()
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// A control character, or a line or paragraph separator: anything that can start a new
/// line (in an email header, say).
pub fn breaks_a_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// A BCP 47-shaped language tag (`es`, `pt-BR`, `zh-Hant-TW`): letters and digits in
/// subtags of 1–8, a letter first, at most 35 characters. Which language it finds is the
/// widget's business (`colloquy-i18n` negotiates); this keeps anything else out of
/// settings and cache keys.
pub fn is_language_tag(s: &str) -> bool {
    s.len() <= 35
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.split(['-', '_']).all(|part| {
            (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// A deliberately simple address check: one `@`, a non-empty local part, a dotted domain,
/// no whitespace or control characters. Full RFC 5322 parsing rejects nothing useful here;
/// the address is never sent mail by this check anyway.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A reader's website: an absolute `http:`/`https:` URL with a host and no whitespace.
/// Says which problem it has, so the form can tell the reader what to fix.
fn website_url(s: &str) -> Result<(), ErrorCode> {
    let lower = s.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(ErrorCode::WebsiteInvalid);
    }
    if s.chars().any(char::is_whitespace) || !is_http_url(s) {
        return Err(ErrorCode::WebsiteMalformed);
    }
    Ok(())
}

/// Only absolute `http:`/`https:` URLs with a host: no `javascript:`, `data:` or relative links.
pub fn is_http_url(s: &str) -> bool {
    match url::Url::parse(s) {
        Ok(u) => {
            matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_comment() -> NewComment {
        NewComment {
            thread: "/blog/post/".into(),
            body: "Hello".into(),
            name: "Ana".into(),
            email: "ana@example.org".into(),
            ..Default::default()
        }
    }

    fn codes(input: &NewComment) -> Vec<(Field, ErrorCode)> {
        new_comment(input)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn a_complete_comment_is_trimmed_and_accepted() {
        let mut c = ok_comment();
        c.name = "  Ana  ".into();
        c.website = Some("  ".into());
        let v = new_comment(&c).unwrap();
        assert_eq!(v.name, "Ana");
        assert_eq!(v.website, None);
    }

    #[test]
    fn an_empty_form_reports_every_required_field() {
        assert_eq!(
            codes(&NewComment::default()),
            vec![
                (Field::Thread, ErrorCode::ThreadRequired),
                (Field::Body, ErrorCode::BodyRequired),
                (Field::Name, ErrorCode::NameRequired),
                (Field::Email, ErrorCode::EmailRequired),
            ]
        );
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        let mut c = ok_comment();
        c.name = "Ž".repeat(limits::NAME);
        assert!(new_comment(&c).is_ok());
        c.name.push('Ž');
        assert_eq!(codes(&c), vec![(Field::Name, ErrorCode::NameTooLong)]);
        let mut c = ok_comment();
        c.body = "x".repeat(limits::BODY + 1);
        assert_eq!(codes(&c), vec![(Field::Body, ErrorCode::BodyTooLong)]);
    }

    /// The request limit is generous for the longest comment the fields allow, written
    /// in 4-byte characters: no valid comment is ever refused for its size in bytes.
    #[test]
    fn the_largest_valid_comment_fits_in_a_request() {
        let wide = |n: usize| "𝒜".repeat(n);
        let url = format!(
            "https://blog.example.org/{}",
            "a".repeat(limits::THREAD_URL - 25)
        );
        let c = NewComment {
            thread: format!("/{}", wide(limits::THREAD_KEY - 1)),
            thread_title: Some(wide(limits::THREAD_TITLE)),
            thread_url: Some(url.clone()),
            body: wide(limits::BODY),
            name: wide(limits::NAME),
            email: format!("{}@example.org", "a".repeat(limits::EMAIL - 12)),
            website: Some(format!(
                "https://e.org/{}",
                "a".repeat(limits::WEBSITE - 14)
            )),
            form_token: "t".repeat(200),
            ..ok_comment()
        };
        assert_eq!(
            new_comment(&c).map(|_| ()),
            Ok(()),
            "every field at its longest"
        );
        let bytes = serde_json::to_string(&c).unwrap().len();
        assert!(bytes <= limits::REQUEST_BYTES, "{bytes} bytes");
        // One more character anywhere is refused for that field, not for the request.
        let too_long_url = NewComment {
            thread_url: Some(format!("{url}a")),
            ..c
        };
        assert_eq!(
            codes(&too_long_url),
            vec![(Field::ThreadUrl, ErrorCode::UrlInvalid)]
        );
    }

    #[test]
    fn invisible_text_counts_as_empty() {
        for invisible in [
            "\u{200B} \u{200B}",
            "\u{200B}\u{7}\u{200B}",
            "\u{200B}\u{202E}",
            "\u{FEFF}\u{2060}\u{E0041}",
        ] {
            assert!(!has_visible(invisible), "{invisible:?}");
        }
        assert!(has_visible("\u{200B}a"));
    }

    #[test]
    fn only_web_addresses_with_a_host_are_links() {
        for good in ["https://example.org/", "http://example.org:8080/a?b#c"] {
            assert!(is_http_url(good), "{good}");
        }
        for bad in [
            "ftp://example.org/",
            "javascript:alert(1)",
            "data:text/html,x",
            "https://",
            "/relative",
            "mailto:ana@example.org",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }

    #[test]
    fn bad_emails_are_rejected() {
        for bad in [
            "ana",
            "ana@",
            "@example.org",
            "ana@example",
            "a b@example.org",
            "a@@b.org",
            "a@b..org",
            "a@.b.org",
        ] {
            let mut c = ok_comment();
            c.email = bad.into();
            assert_eq!(
                codes(&c),
                vec![(Field::Email, ErrorCode::EmailInvalid)],
                "{bad}"
            );
        }
    }

    #[test]
    fn websites_must_be_http_urls() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "example.org",
            "ftp://example.org",
            "//example.org",
        ] {
            let mut c = ok_comment();
            c.website = Some(bad.into());
            assert_eq!(
                codes(&c),
                vec![(Field::Website, ErrorCode::WebsiteInvalid)],
                "{bad}"
            );
        }
        let mut c = ok_comment();
        c.website = Some("https://ana.example.org/about".into());
        assert!(new_comment(&c).is_ok());
    }

    #[test]
    fn incomplete_websites_say_what_is_wrong() {
        for bad in [
            "http://",
            "https://exa mple.com/x",
            "https://example.com/x y",
            "https://",
        ] {
            let mut c = ok_comment();
            c.website = Some(bad.into());
            assert_eq!(
                codes(&c),
                vec![(Field::Website, ErrorCode::WebsiteMalformed)],
                "{bad}"
            );
        }
    }

    #[test]
    fn names_need_a_visible_character_and_lose_direction_controls() {
        for invisible in [
            "\u{202E}",
            "\u{200B}",
            " \u{200B}\u{2060} ",
            "\u{FEFF}",
            "\u{3164}",
        ] {
            let mut c = ok_comment();
            c.name = invisible.into();
            assert_eq!(
                codes(&c),
                vec![(Field::Name, ErrorCode::NameRequired)],
                "{invisible:?}"
            );
        }
        let mut c = ok_comment();
        c.name = "\u{202E}Ana\u{202C} \u{2067}Novak\u{2069}".into();
        assert_eq!(new_comment(&c).unwrap().name, "Ana Novak");
        c.body = "\u{200B}\u{200B}".into();
        assert_eq!(codes(&c), vec![(Field::Body, ErrorCode::BodyRequired)]);
    }

    #[test]
    fn thread_keys_reject_control_characters_and_excess_length() {
        assert_eq!(thread_key("/a/\n"), Err(ErrorCode::ThreadInvalid));
        assert_eq!(
            thread_key(&"a".repeat(limits::THREAD_KEY + 1)),
            Err(ErrorCode::ThreadTooLong)
        );
        assert_eq!(thread_key("/blog/post/"), Ok(()));
    }

    #[test]
    fn non_positive_parent_ids_cannot_exist() {
        let mut c = ok_comment();
        c.parent_id = Some(CommentId(0));
        assert_eq!(
            codes(&c),
            vec![(Field::ParentId, ErrorCode::ParentNotFound)]
        );
    }
}
