//! Every string a reader sees, one TOML file per language in `i18n/lang/` (`en.toml` is the
//! reference), compiled by `build.rs` into a [`Strings`] table per language and the [`Lang`]
//! enum: adding a language is adding a file. Templates use `{n}`, `{title}`, `{name}` and
//! `{max}` (a limit from `colloquy_core::wire::limits`, never retyped).
//!
//! The tables are compiled natively (tests, the build) and into the Worker, not into the
//! reader's wasm: the build writes each language as JSON beside the widget, the loader
//! fetches only the reader's language, and the widget reads it with [`Strings::from_list`].
//!
//! Plurals follow CLDR's categories ([`Lang::plural`]; Arabic has six, Slovenian four,
//! Japanese one), taken from CLDR's data rather than written by hand: see `plural.rs`.

pub use colloquy_core::domain::mail_words::MailWords;
use colloquy_core::wire::limits;
use colloquy_core::ErrorCode;

include!(concat!(env!("OUT_DIR"), "/langs.rs"));

mod negotiate;
mod plural;

/// CLDR plural categories, used as indexes into `[&str; 6]` tables. A language file lists
/// the forms its language uses; the others are filled with its `other` form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    Zero = 0,
    One = 1,
    Two = 2,
    Few = 3,
    Many = 4,
    Other = 5,
}

impl Plural {
    /// From CLDR's name for the category (what `Intl.PluralRules` answers).
    pub fn from_name(name: &str) -> Plural {
        match name {
            "zero" => Plural::Zero,
            "one" => Plural::One,
            "two" => Plural::Two,
            "few" => Plural::Few,
            "many" => Plural::Many,
            _ => Plural::Other,
        }
    }
}

impl Lang {
    /// From `data-colloquy-lang` or the page's `<html lang>` (`pt-BR`, `zh_TW`), else
    /// English: [`Lang::negotiate`] with the fallback filled in.
    pub fn pick(tag: &str) -> Lang {
        Lang::negotiate(tag).unwrap_or(Lang::En)
    }

    /// `dir` for HTML.
    pub fn dir(self) -> &'static str {
        if self.rtl() {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The CLDR plural category of `n` in this language.
    pub fn plural(self, n: usize) -> Plural {
        plural::category(self, n)
    }
}

/// Declares a table struct and its flat form: every text in field order, which is what the
/// build writes as a JSON array and the widget reads back. No serde in the widget's path.
macro_rules! texts {
    ($(#[$doc:meta])* pub struct $name:ident<'a> { $($(#[$fdoc:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name<'a> { $($(#[$fdoc])* pub $field: $ty,)* }

        impl<'a> Texts<'a> for $name<'a> {
            fn flatten(&self, out: &mut Vec<&'a str>) {
                $(self.$field.flatten(out);)*
            }
            fn take(items: &mut dyn Iterator<Item = &'a str>) -> Option<Self> {
                Some($name { $($field: Texts::take(items)?,)* })
            }
        }
    };
}

/// A piece of a table that is one or more texts in a row.
pub trait Texts<'a>: Sized {
    fn flatten(&self, out: &mut Vec<&'a str>);
    fn take(items: &mut dyn Iterator<Item = &'a str>) -> Option<Self>;
}

impl<'a> Texts<'a> for &'a str {
    fn flatten(&self, out: &mut Vec<&'a str>) {
        out.push(self);
    }
    fn take(items: &mut dyn Iterator<Item = &'a str>) -> Option<Self> {
        items.next()
    }
}

impl<'a, const N: usize> Texts<'a> for [&'a str; N] {
    fn flatten(&self, out: &mut Vec<&'a str>) {
        out.extend_from_slice(self);
    }
    fn take(items: &mut dyn Iterator<Item = &'a str>) -> Option<Self> {
        let taken: Vec<&'a str> = items.take(N).collect();
        taken.try_into().ok()
    }
}

impl<'a> Texts<'a> for Lang {
    fn flatten(&self, out: &mut Vec<&'a str>) {
        out.push(self.tag());
    }
    fn take(items: &mut dyn Iterator<Item = &'a str>) -> Option<Self> {
        let tag = items.next()?;
        Lang::ALL.into_iter().find(|l| l.tag() == tag)
    }
}

texts! {
/// One language's strings. Plural tables are indexed by [`Plural`].
pub struct Strings<'a> {
    pub lang: Lang,
    /// Heading with a title, by plural category; `{n}` and `{title}`.
    pub heading: [&'a str; 6],
    pub heading_zero: &'a str,
    /// The same when the page has no title.
    pub heading_untitled: [&'a str; 6],
    pub heading_zero_untitled: &'a str,
    /// While the count is not known yet (loading, or loading failed); `{title}`.
    pub heading_unknown: &'a str,
    pub heading_unknown_untitled: &'a str,
    /// Thousands separator for numbers in messages ("10,000").
    pub thousands: &'a str,
    pub loading: &'a str,
    pub load_failed: &'a str,
    pub retry: &'a str,
    pub empty: &'a str,
    pub reply: &'a str,
    pub cancel_reply: &'a str,
    /// After posting with "Email me when someone replies", when the address must confirm.
    pub confirm_reply_emails: &'a str,
    /// On the plain page (no JavaScript), the link from a later page back to the first.
    pub first_page: &'a str,
    /// A Reply button whose reply was started and kept (a draft).
    pub reply_draft: &'a str,
    /// While the writing half loads into a reply or edit form (a slow network).
    pub loading_form: &'a str,
    pub leave_a_comment: &'a str,
    /// Followed by a red asterisk.
    pub privacy_note: &'a str,
    pub label_body: &'a str,
    pub label_name: &'a str,
    pub label_email: &'a str,
    pub label_website: &'a str,
    pub submit: &'a str,
    pub submit_reply: &'a str,
    pub submitting: &'a str,
    pub posted: &'a str,
    pub reply_to: &'a str,
    pub edited: &'a str,
    pub edit: &'a str,
    pub delete: &'a str,
    pub delete_confirm: &'a str,
    pub keep: &'a str,
    pub save: &'a str,
    pub cancel: &'a str,
    pub deleted: &'a str,
    pub honeypot_label: &'a str,
    pub network_error: &'a str,
    pub in_reply_to: &'a str,
    /// `{n}` replies not loaded yet, by plural category ("Show 2 more replies").
    pub show_more_replies: [&'a str; 6],
    /// `{n}` replies collapsed by the reader ("Show 2 replies").
    pub show_replies: [&'a str; 6],
    pub hide_replies: &'a str,
    pub show_more_comments: &'a str,
    pub sort_label: &'a str,
    pub sort_oldest: &'a str,
    pub sort_newest: &'a str,
    pub sort_liked: &'a str,
    pub like: &'a str,
    /// Accessible label of the like button: `{n}` likes, by plural category.
    pub likes: [&'a str; 6],
    pub write_tab: &'a str,
    pub preview_tab: &'a str,
    pub preview_empty: &'a str,
    pub markdown_help: &'a str,
    pub forget_me: &'a str,
    /// The checkbox to keep name, email and website on this device.
    pub remember_me: &'a str,
    pub awaiting_moderation: &'a str,
    pub owner_badge: &'a str,
    /// Marks the comment the owner pinned first.
    pub pinned: &'a str,
    /// Instead of the form on a closed thread.
    pub comments_closed: &'a str,
    /// The link to the thread's Atom feed.
    pub feed_link: &'a str,
    pub report: &'a str,
    /// The question above the reasons.
    pub report_why: &'a str,
    pub report_spam: &'a str,
    pub report_abuse: &'a str,
    pub report_off_topic: &'a str,
    pub report_other: &'a str,
    pub report_send: &'a str,
    /// While a report is on its way (it waits out the form timer first).
    pub report_sending: &'a str,
    pub report_thanks: &'a str,
    pub report_failed: &'a str,
    /// The writer's checkbox: reply emails (a confirmation email comes first).
    pub notify_replies: &'a str,
    /// A `#comment-…` link to a comment that is not in this thread (or does not exist).
    /// A permalink to a comment of another thread.
    pub permalink_missing: &'a str,
    /// A permalink to a comment that is not there (deleted, or never was).
    pub permalink_gone: &'a str,
    pub more_failed: &'a str,
    pub replies_failed: &'a str,
    pub like_failed: &'a str,
    /// Month names, January first, as they stand in a date.
    pub months: [&'a str; 12],
    /// A date: `{day}`, `{month}`, `{year}`.
    pub date: &'a str,
    /// A date with its time (UTC) for the hover title: also `{time}`.
    pub date_time: &'a str,
    /// The prompt in the collapsed "Leave a comment" box.
    pub compose_placeholder: &'a str,
    /// Said when the page cannot run the widget (no JavaScript, or WebAssembly blocked).
    pub needs_script: &'a str,
    /// Each error code's message; `{max}` is filled with the field's limit.
    pub errors: Errors<'a>,
}
}

texts! {
/// The message for each error code, grouped where one message fits several codes.
pub struct Errors<'a> {
    pub validation_failed: &'a str,
    pub body_required: &'a str,
    pub body_too_long: &'a str,
    pub body_too_complex: &'a str,
    pub name_required: &'a str,
    pub name_too_long: &'a str,
    pub email_required: &'a str,
    pub email_invalid: &'a str,
    pub email_too_long: &'a str,
    pub website_invalid: &'a str,
    pub website_malformed: &'a str,
    pub website_too_long: &'a str,
    pub parent_not_found: &'a str,
    pub too_fast: &'a str,
    pub form_expired: &'a str,
    pub spam_suspected: &'a str,
    pub captcha_required: &'a str,
    pub captcha_failed: &'a str,
    pub rate_limited: &'a str,
    pub edit_token_invalid: &'a str,
    pub edit_window_closed: &'a str,
    pub comment_not_found: &'a str,
    pub thread_locked: &'a str,
    /// The page's thread settings are wrong (thread key, title or URL).
    pub page_misconfigured: &'a str,
    pub origin_not_allowed: &'a str,
    pub payload_too_large: &'a str,
    /// The request itself was broken (a stale page, a bad reader id, …): reload.
    pub request_broken: &'a str,
    pub internal: &'a str,
    pub unavailable: &'a str,
    /// The site is moving to another database for a minute or two: writes wait.
    pub site_moving: &'a str,
}
}

impl<'a> Errors<'a> {
    /// The one mapping from error code to message; a new code does not compile until it
    /// has one.
    pub fn get(&self, code: ErrorCode) -> &'a str {
        use ErrorCode::*;
        match code {
            ValidationFailed => self.validation_failed,
            BodyRequired => self.body_required,
            BodyTooLong => self.body_too_long,
            BodyTooComplex => self.body_too_complex,
            NameRequired => self.name_required,
            NameTooLong => self.name_too_long,
            EmailRequired => self.email_required,
            EmailInvalid => self.email_invalid,
            EmailTooLong => self.email_too_long,
            WebsiteInvalid => self.website_invalid,
            WebsiteMalformed => self.website_malformed,
            WebsiteTooLong => self.website_too_long,
            ParentNotFound => self.parent_not_found,
            TooFast => self.too_fast,
            FormExpired => self.form_expired,
            SpamSuspected => self.spam_suspected,
            CaptchaRequired => self.captcha_required,
            CaptchaFailed => self.captcha_failed,
            RateLimited => self.rate_limited,
            EditTokenInvalid => self.edit_token_invalid,
            EditWindowClosed => self.edit_window_closed,
            CommentNotFound => self.comment_not_found,
            ThreadLocked => self.thread_locked,
            ThreadRequired | ThreadTooLong | ThreadInvalid | TitleTooLong | TitleInvalid
            | UrlInvalid | UrlNotAllowed => self.page_misconfigured,
            OriginNotAllowed => self.origin_not_allowed,
            PayloadTooLarge => self.payload_too_large,
            FormTokenInvalid
            | CursorInvalid
            | ReaderInvalid
            | InvalidJson
            | UnsupportedMediaType
            | NotFound
            | MethodNotAllowed
            | ReportInvalid
            | Unauthorized
            | LoginFailed
            | SettingsInvalid
            | LinkInvalid
            | IdempotencyKeyInvalid
            | ImportInvalid
            | SiteInvalid
            | SiteExists
            | OriginTaken
            | OperatorOnly => self.request_broken,
            SiteNotFound => self.page_misconfigured,
            InProgress => self.unavailable,
            SiteMoving => self.site_moving,
            Internal | Unknown => self.internal,
            Unavailable => self.unavailable,
        }
    }
}

impl<'a> Strings<'a> {
    /// Every text in field order: what the build writes (as a JSON array).
    pub fn to_list(&self) -> Vec<&'a str> {
        let mut out = Vec::new();
        self.flatten(&mut out);
        out
    }

    /// The inverse of [`Strings::to_list`]: `None` when the list is short (a table of
    /// another version); extra texts are ignored.
    pub fn from_list(items: impl IntoIterator<Item = &'a str>) -> Option<Strings<'a>> {
        Strings::take(&mut items.into_iter())
    }

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
            return template.replace("{title}", &self.isolated(title));
        };
        let category = self.lang.plural(count) as usize;
        let template = match (count, title.is_empty()) {
            (0, false) => self.heading_zero,
            (0, true) => self.heading_zero_untitled,
            (_, false) => self.heading[category],
            (_, true) => self.heading_untitled[category],
        };
        template
            .replace("{n}", &self.number(count))
            .replace("{title}", &self.isolated(title))
    }

    /// `text` between first-strong isolates (U+2068 … U+2069) when it may run the other way
    /// than the sentence around it: a title in a right-to-left language, or a title with
    /// right-to-left letters in any. Isolated, a Latin title in an Arabic heading keeps its
    /// question mark and quotes where they belong.
    /// Direction controls in `text` (a title from the page's address can hold any) are
    /// dropped first, so none can close the isolate early or reverse what follows.
    pub fn isolated(&self, text: &str) -> String {
        let text = colloquy_core::domain::validate::clean_name(text);
        let rtl_letters = text.chars().any(|c| {
            matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFE}'
                | '\u{10800}'..='\u{10FFF}' | '\u{1E800}'..='\u{1EFFF}')
        });
        if self.lang.rtl() || rtl_letters {
            format!("\u{2068}{text}\u{2069}")
        } else {
            text
        }
    }

    /// `table`'s form for `n` with the count written in (`1,000 likes`).
    pub fn plural(&self, table: &[&str; 6], n: usize) -> String {
        table[self.lang.plural(n) as usize].replace("{n}", &self.number(n))
    }

    /// A date as readers of this language write it, from UTC milliseconds: the same text
    /// on the server and in the browser, so nothing moves when the widget takes over.
    pub fn date(&self, ms: i64) -> String {
        let (year, month, day, _, _) = civil(ms);
        self.date
            .replace("{day}", &day.to_string())
            .replace("{month}", self.months[month as usize - 1])
            .replace("{year}", &year.to_string())
    }

    /// [`Strings::date`] with the time of day, UTC (the hover title).
    pub fn date_time(&self, ms: i64) -> String {
        let (_, _, _, hour, minute) = civil(ms);
        self.date_time
            .replace("{date}", &self.date(ms))
            .replace("{time}", &format!("{hour:02}:{minute:02}"))
    }

    /// The message for `code`, with the limit it is about filled in.
    pub fn error(&self, code: ErrorCode) -> String {
        let text = self.errors.get(code);
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

/// UTC milliseconds → (year, month 1–12, day, hour, minute), by the civil-from-days
/// algorithm (proleptic Gregorian), so no date library is needed anywhere.
pub fn civil(ms: i64) -> (i64, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (of_day / 3600) as u32,
        (of_day % 3600 / 60) as u32,
    )
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

#[cfg(test)]
mod tests;
