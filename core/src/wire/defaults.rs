//! Every default, defined once. The Worker falls back to these when a `[vars]` entry is
//! unset, the widget and the embed loader when a `data-colloquy-*` attribute is missing.

/// Deepest visual nesting of replies (`data-colloquy-max-depth`).
pub const MAX_DEPTH: usize = 5;
/// The most a page may ask for: deeper nesting is unreadable on any screen.
pub const MAX_DEPTH_LIMIT: usize = 32;
/// `data-colloquy-theme`.
pub const THEME: &str = "light";
/// `data-colloquy-lang` when the page says nothing.
pub const LANG: &str = "en";
/// How long an author may edit or delete their comment (`EDIT_WINDOW_SECS`).
pub const EDIT_WINDOW_SECS: u32 = 15 * 60;
/// Least time between showing the form and accepting it (`MIN_SUBMIT_SECS`).
pub const MIN_SUBMIT_SECS: u32 = 3;
/// Longest a shown form stays valid: hours, not days (the widget renews an old one).
pub const FORM_MAX_AGE_SECS: u32 = 6 * 3600;
/// Top-level comments per page (`PAGE_SIZE`), and the most a site may configure.
pub const PAGE_SIZE: u32 = 20;
pub const PAGE_SIZE_LIMIT: u32 = 100;
/// Replies sent with each top-level comment of a page (`REPLY_PREVIEW`).
pub const REPLY_PREVIEW: u32 = 10;
/// Comment creation per client: a burst limit and an hourly limit (`RATE_LIMITS`).
pub const COMMENT_LIMITS: &str = "5/60,30/3600";
/// Likes per client (`LIKE_RATE_LIMITS`).
pub const LIKE_LIMITS: &str = "60/60,600/3600";
/// Previews per client (`PREVIEW_RATE_LIMITS`): rendering costs the Worker CPU.
pub const PREVIEW_LIMITS: &str = "30/60,300/3600";
/// Edits per client (`EDIT_RATE_LIMITS`).
pub const EDIT_LIMITS: &str = "10/60,60/3600";
/// The site a deployment serves (`SITE_ID`).
pub const SITE_ID: &str = "default";

/// Console sessions last this long (`ADMIN_SESSION_SECS`).
pub const SESSION_SECS: u32 = 12 * 3600;
/// The first retry of a failed notification (`NOTIFY_RETRY_SECS`); later ones wait
/// `limits::RETRY_FACTORS` times this.
pub const NOTIFY_RETRY_SECS: u32 = 60;
/// How long a page version holds before likes and lost bumps show (`PAGE_FRESH_SECS`).
pub const PAGE_FRESH_SECS: u32 = 60;
