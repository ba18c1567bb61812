//! Moving in: other systems' exports read into one shape ([`Import`]), then prepared the
//! way Colloquy stores comments (the same sanitizer as new comments, emails kept and
//! never published) and written as SQL that can run twice without duplicating anything:
//! every comment carries a stable id from its source (`import_id`).
//!
//! - [`wordpress`] (WXR), [`disqus`] (XML export), [`remark42`] (backup), [`isso`] (rows
//!   the `colloquy` command reads from Isso's SQLite), [`colloquy`] (our own export).
//! - [`prepare`] orders parents first, sanitizes, and counts what is what;
//!   [`sql`] turns that into statements under D1's limits.

// The readers of export files (feature `import`: the `colloquy` command and the console);
// the Worker carries only what stores a prepared batch.
#[cfg(feature = "import-client")]
pub mod colloquy;
#[cfg(feature = "import-client")]
pub mod disqus;
#[cfg(feature = "import-client")]
pub mod isso;
pub mod plan;
#[cfg(feature = "import-client")]
pub mod remark42;
#[cfg(feature = "server")]
pub mod sql;
#[cfg(feature = "import-client")]
pub mod wordpress;
#[cfg(feature = "import-client")]
pub mod xml;

use crate::wire::moderation::CommentStatus;

/// A thread as the source knew it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Thread {
    /// Colloquy's thread key: the article's path (`/2014/test/`), with its query when the
    /// address has one (`/?p=4`).
    pub key: String,
    pub title: Option<String>,
    pub url: Option<String>,
}

/// What a comment's text is in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// HTML (Disqus, Remark42, WordPress): sanitized with the comment allowlist.
    Html(String),
    /// Markdown (Isso): rendered as new comments are.
    Markdown(String),
    /// Colloquy's own export: the source as typed and the HTML shown (cleaned again).
    Both { markdown: String, html: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Stable across runs: `<system>:<the source's id>` (scoped to the post where the
    /// source's ids are).
    pub source_id: String,
    pub thread_key: String,
    pub parent: Option<String>,
    pub author: String,
    pub email: String,
    pub website: Option<String>,
    pub created_at_ms: i64,
    pub body: Body,
    pub status: CommentStatus,
    pub is_owner: bool,
}

/// Something the source had that is not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub what: String,
    pub why: String,
}

/// A whole source file, read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Import {
    pub threads: Vec<Thread>,
    pub comments: Vec<Comment>,
    pub skipped: Vec<Skipped>,
    /// Published comments of password-protected posts, held for the owner instead: the
    /// source showed them only to readers with the password.
    pub protected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read as its format (nothing is imported).
    #[error("line {line}: {message}")]
    Malformed { line: usize, message: String },
    /// Readable, but an item in it is not what the format says (nothing is imported
    /// unless `--keep-going`).
    #[error("{what}: {why}")]
    Invalid { what: String, why: String },
}

/// Import everything that can be, or stop at the first problem.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    pub keep_going: bool,
}

impl Import {
    /// Record a bad item: an error, or (with `keep_going`) a skip.
    #[cfg(feature = "import-client")]
    pub(crate) fn bad(
        &mut self,
        options: Options,
        what: String,
        why: String,
    ) -> Result<(), ImportError> {
        if options.keep_going {
            self.skipped.push(Skipped { what, why });
            Ok(())
        } else {
            Err(ImportError::Invalid { what, why })
        }
    }

    /// A malformed file: an error, or (with `keep_going`) what was read before it and a
    /// skip naming the line.
    #[cfg(feature = "import-client")]
    pub(crate) fn broken(
        &mut self,
        options: Options,
        broken: Option<xml::Broken>,
    ) -> Result<(), ImportError> {
        match broken {
            None => Ok(()),
            Some(b) if options.keep_going => {
                self.skipped.push(Skipped {
                    what: format!("everything from line {}", b.line),
                    why: b.message,
                });
                Ok(())
            }
            Some(b) => Err(ImportError::Malformed {
                line: b.line,
                message: b.message,
            }),
        }
    }
}

/// The thread key of an article address: its path, plus its query if it has one.
pub fn key_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    let mut key = parsed.path().to_owned();
    if key.is_empty() {
        key.push('/');
    }
    if let Some(q) = parsed.query().filter(|q| !q.is_empty()) {
        key.push('?');
        key.push_str(q);
    }
    Some(key)
}

/// Milliseconds since the epoch of an RFC 3339 date (`2013-10-11T06:51:33Z`).
#[cfg(feature = "import-client")]
pub fn rfc3339_ms(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Milliseconds of a `YYYY-MM-DD HH:MM:SS` date taken as UTC (WordPress's `_gmt`).
#[cfg(feature = "import-client")]
pub fn plain_utc_ms(s: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let t = time::PrimitiveDateTime::parse(s.trim(), &format).ok()?;
    i64::try_from(t.assume_utc().unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(all(test, feature = "import"))]
mod tests;
