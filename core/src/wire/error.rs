//! The one error vocabulary of the API: [`ErrorCode`] with its HTTP status and message,
//! the [`ErrorBody`] every error response carries, and the form [`Field`] a problem
//! belongs to. Every layer's error enum maps onto these once.

use serde::{Deserialize, Serialize};

/// The body of every error response: `{"error": {"code", "message", "fields"?}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// Per-field problems, so a form can show each message next to its input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// The console's settings that cannot be saved, each named by its field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<crate::wire::settings::SettingProblem>,
}

impl ErrorBody {
    /// An error with the code's standard message and no field details.
    pub fn new(code: ErrorCode) -> Self {
        Self::with_fields(code, Vec::new())
    }

    pub fn with_fields(code: ErrorCode, fields: Vec<FieldError>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code,
                message: code.message().to_owned(),
                fields,
                settings: Vec::new(),
            },
        }
    }
}

/// The form field a validation problem belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Thread,
    ThreadTitle,
    ThreadUrl,
    ParentId,
    Body,
    Name,
    Email,
    Website,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub code: ErrorCode,
}

/// Declares [`ErrorCode`] and [`ErrorCode::ALL`] from one list, so a new code can never be
/// missing from `ALL` (and so from every completeness check built on it).
macro_rules! error_codes {
    ($($(#[$doc:meta])* $code:ident,)*) => {
        /// Stable, machine-readable error codes. Clients switch on these, so a code is never
        /// renamed; new ones may be added, which old widgets read as [`ErrorCode::Unknown`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $code,)*
            /// A code this build does not know (sent by a newer server).
            #[serde(other)]
            Unknown,
        }

        impl ErrorCode {
            /// Every code a server sends (all but [`ErrorCode::Unknown`]), generated from the
            /// enum's own list.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$code,)*];
        }
    };
}

error_codes! {
    /// One or more fields failed validation; see `fields`.
    ValidationFailed,
    ThreadRequired,
    ThreadTooLong,
    ThreadInvalid,
    TitleTooLong,
    /// The thread title contains control characters (a line break, say).
    TitleInvalid,
    UrlInvalid,
    /// The thread URL is not on one of the site's allowed origins.
    UrlNotAllowed,
    BodyRequired,
    BodyTooLong,
    /// The body renders to too much HTML (formatting built to be heavy).
    BodyTooComplex,
    NameRequired,
    NameTooLong,
    EmailRequired,
    EmailInvalid,
    EmailTooLong,
    /// The website is not an http(s) address at all.
    WebsiteInvalid,
    /// The website starts like one but is not complete (spaces, no domain).
    WebsiteMalformed,
    WebsiteTooLong,
    ParentNotFound,
    /// The form was sent faster than a person could have filled it in.
    TooFast,
    /// The form token is older than allowed: reload the thread for a new one.
    FormExpired,
    /// The form token is missing or was not issued by this deployment.
    FormTokenInvalid,
    /// The hidden honeypot field was filled in.
    SpamSuspected,
    /// The site requires a Turnstile challenge and none was solved.
    CaptchaRequired,
    /// The Turnstile challenge was not accepted by the verifier.
    CaptchaFailed,
    /// Too many comments from this client; see `Retry-After`.
    RateLimited,
    /// The paging cursor is not one this server issued.
    CursorInvalid,
    /// The like request's reader id is missing or malformed.
    ReaderInvalid,
    /// The edit token is missing, forged, or for another comment.
    EditTokenInvalid,
    /// The edit window for this comment has closed.
    EditWindowClosed,
    CommentNotFound,
    /// The thread is closed to new comments (by the owner, or by age).
    ThreadLocked,
    /// A report without a known reason.
    ReportInvalid,
    /// The console needs a login (no session, or it expired or was ended).
    Unauthorized,
    /// The console key was wrong.
    LoginFailed,
    /// Settings the console sent do not make sense (an origin or webhook URL that is not
    /// an http(s) address, say).
    SettingsInvalid,
    /// A confirmation or unsubscribe link that is unknown or was used up.
    LinkInvalid,
    /// An `Idempotency-Key` that is not 16–128 letters, digits, `-` or `_`.
    IdempotencyKeyInvalid,
    /// The same `Idempotency-Key` is being answered right now: try again in a moment.
    InProgress,
    /// An import batch the console sent is not what an import makes.
    ImportInvalid,
    /// No site of this deployment has that id.
    SiteNotFound,
    /// A new site's id, name or origins are not usable (see the message).
    SiteInvalid,
    /// A site with that id exists already.
    SiteExists,
    /// One of a new site's origins belongs to another site.
    OriginTaken,
    /// Only the deployment's operator (the `OWNER_KEY`) may do this.
    OperatorOnly,
    /// The site is moving to another database: writes wait for a minute at most (see
    /// `Retry-After`); reads go on.
    SiteMoving,
    InvalidJson,
    UnsupportedMediaType,
    PayloadTooLarge,
    OriginNotAllowed,
    NotFound,
    MethodNotAllowed,
    Internal,
    Unavailable,
}

impl ErrorCode {
    /// Whether sending the same request again later can succeed (so the widget offers
    /// Retry and keeps the text), as opposed to a request that must change first.
    pub fn retryable(self) -> bool {
        use ErrorCode::*;
        matches!(
            self,
            RateLimited
                | TooFast
                | CaptchaFailed
                | Internal
                | Unavailable
                | Unknown
                | InProgress
                | SiteMoving
        )
    }

    /// The one mapping from error code to HTTP status.
    pub const fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            ValidationFailed | ThreadRequired | ThreadTooLong | ThreadInvalid | TitleTooLong
            | TitleInvalid | UrlInvalid | UrlNotAllowed | BodyRequired | BodyTooLong
            | BodyTooComplex | NameRequired | NameTooLong | EmailRequired | EmailInvalid
            | EmailTooLong | WebsiteInvalid | WebsiteMalformed | WebsiteTooLong
            | ParentNotFound | TooFast | FormExpired | SpamSuspected | CaptchaRequired => 422,
            FormTokenInvalid | CaptchaFailed | EditTokenInvalid | EditWindowClosed => 403,
            CommentNotFound => 404,
            ThreadLocked => 403,
            ReportInvalid | SettingsInvalid => 422,
            Unauthorized | LoginFailed => 401,
            LinkInvalid => 404,
            IdempotencyKeyInvalid => 400,
            InProgress => 409,
            ImportInvalid => 422,
            SiteNotFound => 404,
            SiteInvalid => 422,
            SiteExists | OriginTaken => 409,
            OperatorOnly => 403,
            RateLimited => 429,
            InvalidJson | CursorInvalid => 400,
            ReaderInvalid => 422,
            OriginNotAllowed => 403,
            NotFound => 404,
            MethodNotAllowed => 405,
            PayloadTooLarge => 413,
            UnsupportedMediaType => 415,
            Internal | Unknown => 500,
            Unavailable | SiteMoving => 503,
        }
    }

    /// An English message for API consumers; the widget shows its own localized text.
    pub fn message(self) -> &'static str {
        use ErrorCode::*;
        match self {
            ValidationFailed => "Some fields are missing or invalid.",
            ThreadRequired => "A thread key is required.",
            ThreadTooLong => "The thread key is too long.",
            ThreadInvalid => "The thread key contains invalid characters.",
            TitleTooLong => "The thread title is too long.",
            TitleInvalid => "The thread title contains control characters.",
            UrlInvalid => "The thread URL must be an http(s) URL.",
            UrlNotAllowed => "The thread URL must be on one of the site's allowed origins.",
            BodyRequired => "Please write a comment.",
            BodyTooLong => "The comment is too long.",
            BodyTooComplex => "The comment has too much formatting.",
            NameRequired => "Please enter your name.",
            NameTooLong => "The name is too long.",
            EmailRequired => "Please enter your email address.",
            EmailInvalid => "The email address is not valid.",
            EmailTooLong => "The email address is too long.",
            WebsiteInvalid => "The website must be an http:// or https:// address.",
            WebsiteMalformed => "The website address is incomplete or contains spaces.",
            WebsiteTooLong => "The website address is too long.",
            ParentNotFound => "The comment you are replying to does not exist in this thread.",
            TooFast => {
                "The form was sent too quickly. Please wait a few seconds and send it again."
            }
            FormExpired => "The form has expired. Reload the comments and send it again.",
            FormTokenInvalid => "The form token is missing or invalid.",
            SpamSuspected => "The comment was rejected as spam.",
            CaptchaRequired => "Please complete the challenge before posting.",
            CaptchaFailed => "The challenge could not be verified. Please try again.",
            RateLimited => "Too many tries in a short time. Please wait and try again.",
            CursorInvalid => "The paging cursor is invalid. Start from the first page.",
            ReaderInvalid => "The reader id is missing or malformed.",
            EditTokenInvalid => "You can only change your own comments.",
            EditWindowClosed => "The time for changing this comment has passed.",
            CommentNotFound => "That comment does not exist.",
            ThreadLocked => "Comments are closed on this page.",
            ReportInvalid => "Please choose a reason for the report.",
            Unauthorized => "Please log in to the console.",
            LoginFailed => "That key is not the console key.",
            SettingsInvalid => "Some settings are not valid.",
            LinkInvalid => "This link is unknown or was already used.",
            IdempotencyKeyInvalid => {
                "The Idempotency-Key must be 16 to 128 letters, digits, - or _."
            }
            InProgress => "This comment is being posted right now; try again in a moment.",
            ImportInvalid => "The import batch is not valid.",
            SiteNotFound => "There is no such site on this comment server.",
            SiteInvalid => {
                "A site needs an id (lowercase letters, digits and -), a name and the origins of its pages."
            }
            SiteExists => "A site with that id exists already.",
            OriginTaken => "One of those origins belongs to another site.",
            OperatorOnly => "Only the operator of this comment server can do this.",
            SiteMoving => "This site is moving to another database; try again in a minute.",
            InvalidJson => "The request body is not valid JSON for this endpoint.",
            UnsupportedMediaType => "Send the request body as application/json.",
            PayloadTooLarge => "The request body is too large.",
            OriginNotAllowed => "This site is not allowed to post comments here.",
            NotFound => "Not found.",
            MethodNotAllowed => "Method not allowed.",
            Internal | Unknown => "Something went wrong on our side. Please try again.",
            Unavailable => "The comment service is temporarily unavailable.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_serialize_as_stable_snake_case() {
        let body = ErrorBody::with_fields(
            ErrorCode::ValidationFailed,
            vec![FieldError {
                field: Field::Email,
                code: ErrorCode::EmailInvalid,
            }],
        );
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(
            json,
            r#"{"error":{"code":"validation_failed","message":"Some fields are missing or invalid.","fields":[{"field":"email","code":"email_invalid"}]}}"#
        );
    }

    #[test]
    fn unknown_codes_from_a_newer_server_still_parse() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"brand_new_code","message":"x"}}"#).unwrap();
        assert_eq!(body.error.code, ErrorCode::Unknown);
        assert!(body.error.fields.is_empty());
    }

    #[test]
    fn every_code_has_a_status_and_a_message_and_round_trips() {
        for &code in ErrorCode::ALL {
            assert!((400..600).contains(&code.status()), "{code:?}");
            assert!(!code.message().is_empty(), "{code:?}");
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
    }

    #[test]
    fn only_the_servers_own_failures_are_5xx_and_every_other_code_is_4xx() {
        for &code in ErrorCode::ALL {
            let internal = matches!(
                code,
                ErrorCode::Internal | ErrorCode::Unavailable | ErrorCode::SiteMoving
            );
            assert_eq!(code.status() >= 500, internal, "{code:?}");
        }
        assert_eq!(ErrorCode::Internal.status(), 500);
        assert_eq!(ErrorCode::Unavailable.status(), 503);
    }

    #[test]
    fn only_codes_a_wait_can_fix_are_retryable() {
        assert!(ErrorCode::RateLimited.retryable());
        assert!(ErrorCode::Unavailable.retryable());
        assert!(!ErrorCode::BodyRequired.retryable());
        assert!(!ErrorCode::EditTokenInvalid.retryable());
        for &code in ErrorCode::ALL {
            if code.status() >= 500 {
                assert!(code.retryable(), "{code:?}");
            }
        }
    }
}
