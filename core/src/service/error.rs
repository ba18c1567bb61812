//! The business layer's one error enum and its single mapping to error codes.

use crate::db::store::StoreError;
use crate::domain::token::TokenError;
use crate::wire::error::{ErrorBody, ErrorCode, Field, FieldError};

/// Everything that can go wrong in the business layer, each mapped to one [`ErrorCode`].
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("parent comment not found in this thread")]
    ParentNotFound,
    #[error("form token refused: {0}")]
    Form(TokenError),
    #[error("honeypot field was filled in")]
    Spam,
    #[error("no human check was solved")]
    CheckRequired,
    #[error("the human check was not accepted")]
    CheckFailed,
    #[error("the human check could not be asked: {0}")]
    CheckUnavailable(String),
    #[error("rate limited for {retry_after_secs}s")]
    RateLimited { retry_after_secs: u32 },
    #[error("edit token refused: {0}")]
    EditToken(TokenError),
    #[error("comment not found")]
    CommentNotFound,
    #[error("paging cursor is invalid")]
    Cursor,
    #[error("reader id is invalid")]
    Reader,
    #[error("the thread is closed to new comments")]
    ThreadLocked,
    #[error("a report needs a known reason")]
    ReportInvalid,
    #[error("no console session")]
    Unauthorized,
    #[error("wrong console key")]
    LoginFailed,
    #[error("invalid settings: {0:?}")]
    Settings(Vec<crate::wire::settings::SettingProblem>),
    #[error("unknown or used link")]
    LinkInvalid,
    #[error("bad Idempotency-Key")]
    IdempotencyKey,
    #[error("invalid import batch: {0}")]
    ImportInvalid(String),
    #[error("the same Idempotency-Key is being answered")]
    InProgress,
    #[error("no such thread")]
    NotFound,
    #[error("no such site")]
    SiteNotFound,
    #[error("invalid site: {0}")]
    SiteInvalid(String),
    /// A site's move cannot start (see `db::shards::moving::MoveRefused`).
    #[error("the move cannot start: {0}")]
    MoveRefused(String),
    #[error("the site exists already")]
    SiteExists,
    #[error("the origin {0} belongs to another site")]
    OriginTaken(String),
    #[error("only the operator may do this")]
    OperatorOnly,
    #[error("COLLOQUY_SECRET is missing or weak: writes are refused")]
    NoSecret,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    /// One field's problem.
    pub fn field(field: Field, code: ErrorCode) -> Self {
        ServiceError::Invalid(vec![FieldError { field, code }])
    }

    /// The single mapping from business errors to error codes.
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::Invalid(_) => ErrorCode::ValidationFailed,
            ServiceError::ParentNotFound => ErrorCode::ParentNotFound,
            ServiceError::Form(TokenError::TooFast) => ErrorCode::TooFast,
            // A token that is old, was issued to the reader's previous address, or was used
            // already: the widget fetches a fresh one and sends again.
            ServiceError::Form(
                TokenError::Expired | TokenError::WrongClient | TokenError::Used,
            ) => ErrorCode::FormExpired,
            ServiceError::Form(_) => ErrorCode::FormTokenInvalid,
            ServiceError::Spam => ErrorCode::SpamSuspected,
            ServiceError::CheckRequired => ErrorCode::CaptchaRequired,
            ServiceError::CheckFailed => ErrorCode::CaptchaFailed,
            ServiceError::CheckUnavailable(_) => ErrorCode::Unavailable,
            ServiceError::RateLimited { .. } => ErrorCode::RateLimited,
            ServiceError::EditToken(TokenError::Expired) => ErrorCode::EditWindowClosed,
            ServiceError::EditToken(_) => ErrorCode::EditTokenInvalid,
            ServiceError::CommentNotFound => ErrorCode::CommentNotFound,
            ServiceError::Cursor => ErrorCode::CursorInvalid,
            ServiceError::Reader => ErrorCode::ReaderInvalid,
            ServiceError::ThreadLocked => ErrorCode::ThreadLocked,
            ServiceError::ReportInvalid => ErrorCode::ReportInvalid,
            ServiceError::Unauthorized => ErrorCode::Unauthorized,
            ServiceError::LoginFailed => ErrorCode::LoginFailed,
            ServiceError::Settings(_) => ErrorCode::SettingsInvalid,
            ServiceError::LinkInvalid => ErrorCode::LinkInvalid,
            ServiceError::IdempotencyKey => ErrorCode::IdempotencyKeyInvalid,
            ServiceError::ImportInvalid(_) => ErrorCode::ImportInvalid,
            ServiceError::InProgress => ErrorCode::InProgress,
            ServiceError::NotFound => ErrorCode::NotFound,
            ServiceError::SiteNotFound => ErrorCode::SiteNotFound,
            ServiceError::SiteInvalid(_) | ServiceError::MoveRefused(_) => ErrorCode::SiteInvalid,
            ServiceError::SiteExists => ErrorCode::SiteExists,
            ServiceError::OriginTaken(_) => ErrorCode::OriginTaken,
            ServiceError::OperatorOnly => ErrorCode::OperatorOnly,
            ServiceError::Store(StoreError::Sealed) => ErrorCode::SiteMoving,
            ServiceError::NoSecret | ServiceError::Store(_) => ErrorCode::Unavailable,
        }
    }

    /// The public error body: the code, its message, and field details where they help.
    pub fn to_body(&self) -> ErrorBody {
        let fields = match self {
            ServiceError::Invalid(fields) => fields.clone(),
            ServiceError::ParentNotFound => vec![FieldError {
                field: Field::ParentId,
                code: ErrorCode::ParentNotFound,
            }],
            _ => Vec::new(),
        };
        let mut body = ErrorBody::with_fields(self.code(), fields);
        // What is wrong with the settings, in words the owner can act on.
        if let ServiceError::Settings(problems) = self {
            body.error.message = match problems.as_slice() {
                [one] => format!("Not saved: {}", one.message),
                many => format!(
                    "Not saved: {} need a fix (marked below).",
                    crate::domain::words::count_s(many.len(), "setting")
                ),
            };
            body.error.settings = problems.clone();
        }
        // What is wrong with a new site, said precisely for the operator.
        match self {
            ServiceError::SiteInvalid(why) => {
                body.error.message = format!("Not created: {why}.");
            }
            ServiceError::MoveRefused(why) => {
                body.error.message = format!("Not moved: {why}.");
            }
            ServiceError::OriginTaken(origin) => {
                body.error.message = format!("Not created: {origin} belongs to another site.");
            }
            _ => {}
        }
        // A limit says how long it lasts (the console shows this message; a reader's
        // widget words it itself from the code and `Retry-After`).
        if let ServiceError::RateLimited { retry_after_secs } = self {
            body.error.message = format!(
                "Too many tries in a short time. Please try again in {}.",
                crate::domain::words::wait(*retry_after_secs)
            );
        }
        body
    }

    /// Seconds for a `Retry-After` header, when the client should simply wait.
    pub fn retry_after_secs(&self) -> Option<u32> {
        match self {
            ServiceError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            // The database is out of reach: soon again (D1 outages are short).
            // A site moving away from its database: about as long as a move's hold.
            ServiceError::Store(StoreError::Sealed) => Some(15),
            ServiceError::Store(_) => Some(5),
            ServiceError::InProgress => Some(1),
            _ => None,
        }
    }
}

#[cfg(test)]
mod wait_tests {
    use super::*;

    #[test]
    fn a_limit_says_how_long_it_lasts() {
        let body = ServiceError::RateLimited {
            retry_after_secs: 619,
        }
        .to_body();
        assert_eq!(body.error.code, ErrorCode::RateLimited);
        assert_eq!(
            body.error.message,
            "Too many tries in a short time. Please try again in 11 minutes."
        );
    }
}
