//! Every string the reader sees, in one place, so further languages are one table each.
//! Plural choices go through [`plural`] rather than `n == 1` checks scattered in views.

use colloquy_core::{ErrorCode, Field};

/// English plural categories (CLDR): "one" for exactly 1, "other" otherwise.
fn plural<'a>(n: usize, one: &'a str, other: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        other
    }
}

/// The heading above the thread, e.g. `3 comments on “Article title”`.
pub fn heading(count: usize, title: &str) -> String {
    match (count, title.trim()) {
        (0, "") => "No comments yet".to_owned(),
        (0, t) => format!("No comments yet on “{t}”"),
        (n, "") => format!("{n} {}", plural(n, "comment", "comments")),
        (n, t) => format!("{n} {} on “{t}”", plural(n, "comment", "comments")),
    }
}

pub const LOADING: &str = "Loading comments…";
pub const LOAD_FAILED: &str = "Comments could not be loaded.";
pub const RETRY: &str = "Try again";
pub const EMPTY: &str = "Be the first to comment.";
pub const REPLY: &str = "Reply";
pub const CANCEL_REPLY: &str = "Cancel reply";
pub const LEAVE_A_COMMENT: &str = "Leave a comment";
pub const PRIVACY_NOTE: &str =
    "Your email address will not be published. Required fields are marked";
pub const LABEL_BODY: &str = "Comment";
pub const LABEL_NAME: &str = "Name";
pub const LABEL_EMAIL: &str = "Email";
pub const LABEL_WEBSITE: &str = "Website";
pub const SUBMIT: &str = "Post Comment";
pub const SUBMIT_REPLY: &str = "Post Reply";
pub const SUBMITTING: &str = "Posting…";
pub const POSTED: &str = "Your comment was published.";
pub const EDITED: &str = "(edited)";
pub const EDIT: &str = "Edit";
pub const DELETE: &str = "Delete";
pub const DELETE_CONFIRM: &str = "Delete this comment?";
pub const KEEP: &str = "Keep";
pub const SAVE: &str = "Save";
pub const CANCEL: &str = "Cancel";
pub const DELETED: &str = "[deleted]";
pub const HONEYPOT_LABEL: &str = "Leave this field empty";
pub const NETWORK_ERROR: &str =
    "Could not reach the comment server. Your text is kept; please try again.";

pub fn reply_to(name: &str) -> String {
    format!("Reply to {name}")
}

/// The message shown for an error code, next to `field` when there is one.
pub fn error_message(code: ErrorCode) -> &'static str {
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
        FormTokenInvalid => "The comment could not be sent. Please reload the page and try again.",
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
        InvalidJson | UnsupportedMediaType | NotFound | MethodNotAllowed => {
            "The comment could not be sent. Please reload the page and try again."
        }
        Internal | Unknown => {
            "Something went wrong on our side. Your text is kept; please try again."
        }
        Unavailable => "Comments are temporarily unavailable. Your text is kept; please try again.",
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

    #[test]
    fn heading_uses_singular_plural_and_zero_forms() {
        assert_eq!(heading(0, "Post"), "No comments yet on “Post”");
        assert_eq!(heading(1, "Post"), "1 comment on “Post”");
        assert_eq!(heading(8, "Post"), "8 comments on “Post”");
        assert_eq!(heading(2, "  "), "2 comments");
    }
}
