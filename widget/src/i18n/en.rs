//! English.

use super::{Lang, Strings};
use colloquy_core::ErrorCode;

pub static STRINGS: Strings = Strings {
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
    heading_unknown: "Comments on “{title}”",
    heading_unknown_untitled: "Comments",
    thousands: ",",
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
    show_more_replies: [
        "Show {n} more reply",
        "Show {n} more replies",
        "Show {n} more replies",
        "Show {n} more replies",
    ],
    show_replies: [
        "Show {n} reply",
        "Show {n} replies",
        "Show {n} replies",
        "Show {n} replies",
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
    permalink_missing: "The linked comment is not part of this discussion.",
    more_failed: "More comments could not be loaded.",
    replies_failed: "The replies could not be loaded.",
    like_failed: "Your like could not be saved.",
    errors: errors_en,
};

fn errors_en(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        ValidationFailed => "Please check the highlighted fields.",
        BodyRequired => "Please write a comment.",
        BodyTooLong => "Your comment is too long (at most {max} characters).",
        NameRequired => "Please enter your name.",
        NameTooLong => "Your name is too long (at most {max} characters).",
        EmailRequired => "Please enter your email address. It will not be published.",
        EmailInvalid => "Please enter a valid email address, like name@example.org.",
        EmailTooLong => "This email address is too long (at most {max} characters).",
        WebsiteInvalid => "The website must start with http:// or https://.",
        WebsiteMalformed => {
            "This is not a complete web address: check for spaces and the domain, like https://example.org."
        }
        WebsiteTooLong => "This website address is too long (at most {max} characters).",
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
        PayloadTooLarge => "Your comment is too long (at most {max} characters).",
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
