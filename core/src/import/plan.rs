//! A read [`Import`] made ready to store: parents first, bodies through the same sanitizer
//! as new comments (where the sanitizer is: the command and the Worker), emails kept and
//! never published, names and websites cut as for new comments, and a summary of what is
//! what; then split into batches the console and the command send.

use std::collections::{HashMap, HashSet};

use super::{Body, Import, Skipped, Thread};
use crate::wire::moderation::CommentStatus;

/// A comment ready to store (also what the console and `colloquy import --to` send the
/// Worker, which cleans it again before storing).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Prepared {
    pub import_id: String,
    pub thread_key: String,
    pub parent: Option<String>,
    /// The top-level comment of its sub-thread (`None` for a top-level one).
    pub root: Option<String>,
    pub status: CommentStatus,
    pub author: String,
    pub email: String,
    pub website: Option<String>,
    pub body_markdown: String,
    pub body_html: String,
    pub created_at_ms: i64,
    pub is_owner: bool,
}

/// What an import holds, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub threads: usize,
    pub comments: usize,
    pub replies: usize,
    pub pending: usize,
    pub spam: usize,
    pub deleted: usize,
    /// Of `pending`: comments of password-protected posts (held, not published).
    pub protected: usize,
    pub skipped: Vec<Skipped>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::words::{count, count_s};
        writeln!(
            f,
            "{}, {} ({} top-level, {}), {} pending, {} spam, {}, {} skipped",
            count_s(self.threads, "thread"),
            count_s(self.comments + self.replies, "comment"),
            self.comments,
            count(self.replies, "reply", "replies"),
            self.pending,
            self.spam,
            count_s(self.deleted, "deleted placeholder"),
            self.skipped.len()
        )?;
        if self.protected > 0 {
            writeln!(
                f,
                "  {} comments of password-protected posts wait in the queue instead of being published",
                self.protected
            )?;
        }
        for s in &self.skipped {
            writeln!(f, "  skipped {}: {}", s.what, s.why)?;
        }
        Ok(())
    }
}

/// Everything prepared to store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub threads: Vec<Thread>,
    /// Parents before their replies.
    pub comments: Vec<Prepared>,
    pub summary: Summary,
}

/// Longest name and website kept (longer ones are cut), as for new comments.
const NAME_CHARS: usize = 100;
#[cfg(feature = "server")]
const TITLE_CHARS: usize = crate::wire::limits::THREAD_TITLE;
const WEBSITE_CHARS: usize = crate::wire::limits::WEBSITE;

fn cut(s: &str, max: usize) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Text of sanitized HTML (for search and the console), tags dropped.
fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A body's text and HTML: rendered and cleaned where the sanitizer is (the command, the
/// Worker)…
#[cfg(feature = "server")]
fn render_body(status: CommentStatus, body: &Body) -> Result<(String, String), &'static str> {
    Ok(match (status, body) {
        (CommentStatus::Deleted, _) => (String::new(), String::new()),
        (_, Body::Html(html)) => {
            let clean = crate::domain::render::sanitize_html(&paragraphs(html));
            (text_of(&clean), clean)
        }
        (_, Body::Both { markdown, html }) => {
            (markdown.clone(), crate::domain::render::sanitize_html(html))
        }
        (_, Body::Markdown(md)) => match crate::domain::render::comment_html(md) {
            Ok(html) => (md.clone(), html),
            Err(_) => return Err("its text renders to more HTML than a comment may have"),
        },
    })
}

/// …or left for the Worker to clean (the console in the browser: every batch is cleaned
/// on arrival, Markdown rendered there).
#[cfg(not(feature = "server"))]
fn render_body(status: CommentStatus, body: &Body) -> Result<(String, String), &'static str> {
    Ok(match (status, body) {
        (CommentStatus::Deleted, _) => (String::new(), String::new()),
        (_, Body::Html(html)) => {
            let html = paragraphs(html);
            (text_of(&html), html)
        }
        (_, Body::Both { markdown, html }) => (markdown.clone(), html.clone()),
        (_, Body::Markdown(md)) => (md.clone(), String::new()),
    })
}

/// WordPress keeps line breaks in comment text and adds paragraphs on display.
pub fn paragraphs(text: &str) -> String {
    let text = text.trim().replace("\r\n", "\n");
    if text.contains("<p>") || text.contains("<p ") {
        return text;
    }
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", p.replace('\n', "<br>\n")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prepare `import` for storing: bodies sanitized, deleted comments without replies
/// left out, parents ordered before replies, comments whose thread is unknown skipped.
pub fn prepare(import: Import) -> Plan {
    let mut summary = Summary {
        protected: import.protected,
        skipped: import.skipped,
        ..Summary::default()
    };
    let thread_keys: HashSet<&str> = import.threads.iter().map(|t| t.key.as_str()).collect();
    let ids: HashSet<&str> = import
        .comments
        .iter()
        .map(|c| c.source_id.as_str())
        .collect();
    let parent_of: HashMap<&str, Option<&str>> = import
        .comments
        .iter()
        .map(|c| {
            let parent = c.parent.as_deref().filter(|p| ids.contains(p));
            (c.source_id.as_str(), parent)
        })
        .collect();
    // A deleted comment is kept (as "[deleted]") only when something answers it.
    let answered: HashSet<&str> = parent_of.values().flatten().copied().collect();
    let root_of = |id: &str| -> Option<String> {
        let mut at = id;
        let mut seen = HashSet::new();
        while let Some(Some(p)) = parent_of.get(at) {
            if !seen.insert(at) {
                break;
            }
            at = p;
        }
        (at != id).then(|| at.to_owned())
    };
    let mut prepared: Vec<(usize, Prepared)> = Vec::new();
    let mut seen_ids = HashSet::new();
    for c in &import.comments {
        if !thread_keys.contains(c.thread_key.as_str()) {
            summary.skipped.push(Skipped {
                what: format!("comment {}", c.source_id),
                why: "its thread is not in the file".into(),
            });
            continue;
        }
        if !seen_ids.insert(c.source_id.as_str()) {
            summary.skipped.push(Skipped {
                what: format!("comment {}", c.source_id),
                why: "the same id appears twice in the file".into(),
            });
            continue;
        }
        if c.status == CommentStatus::Deleted && !answered.contains(c.source_id.as_str()) {
            summary.skipped.push(Skipped {
                what: format!("comment {}", c.source_id),
                why: "deleted, and nothing answers it".into(),
            });
            continue;
        }
        let (markdown, html) = match render_body(c.status, &c.body) {
            Ok(both) => both,
            Err(why) => {
                summary.skipped.push(Skipped {
                    what: format!("comment {}", c.source_id),
                    why: why.into(),
                });
                continue;
            }
        };
        if html.len() > crate::wire::limits::BODY_HTML_BYTES
            || markdown.len() > crate::wire::limits::BODY_HTML_BYTES
        {
            summary.skipped.push(Skipped {
                what: format!("comment {}", c.source_id),
                why: "longer than a comment may be".into(),
            });
            continue;
        }
        let parent = parent_of
            .get(c.source_id.as_str())
            .copied()
            .flatten()
            .map(str::to_owned);
        if c.parent.is_some() && parent.is_none() {
            summary.skipped.push(Skipped {
                what: format!("the parent of comment {}", c.source_id),
                why: "not in the file: the comment is imported as top-level".into(),
            });
        }
        let depth = {
            let mut d = 0;
            let mut at = c.source_id.as_str();
            while let Some(Some(p)) = parent_of.get(at) {
                d += 1;
                at = p;
                if d > 10_000 {
                    break;
                }
            }
            d
        };
        let website = c
            .website
            .as_deref()
            .map(str::trim)
            .filter(|w| crate::domain::validate::is_http_url(w))
            .map(|w| cut(w, WEBSITE_CHARS));
        let deleted = c.status == CommentStatus::Deleted;
        prepared.push((
            depth,
            Prepared {
                import_id: c.source_id.clone(),
                thread_key: c.thread_key.clone(),
                root: root_of(&c.source_id),
                parent,
                status: c.status,
                author: if deleted {
                    String::new()
                } else {
                    cut(&c.author, NAME_CHARS)
                },
                email: if deleted {
                    String::new()
                } else {
                    c.email.trim().to_lowercase()
                },
                website: if deleted { None } else { website },
                body_markdown: markdown,
                body_html: html,
                created_at_ms: c.created_at_ms,
                is_owner: c.is_owner,
            },
        ));
    }
    // Parents first: by depth, then by time.
    prepared.sort_by_key(|(depth, p)| (*depth, p.created_at_ms));
    let comments: Vec<Prepared> = prepared.into_iter().map(|(_, p)| p).collect();
    let used: HashSet<&str> = comments.iter().map(|c| c.thread_key.as_str()).collect();
    let mut threads = Vec::new();
    let mut seen = HashSet::new();
    for t in import.threads {
        if used.contains(t.key.as_str()) && seen.insert(t.key.clone()) {
            threads.push(t);
        }
    }
    summary.threads = threads.len();
    for c in &comments {
        match c.status {
            CommentStatus::Pending => summary.pending += 1,
            CommentStatus::Spam => summary.spam += 1,
            CommentStatus::Deleted => summary.deleted += 1,
            CommentStatus::Approved => {}
        }
        if c.parent.is_some() {
            summary.replies += 1;
        } else {
            summary.comments += 1;
        }
    }
    Plan {
        threads,
        comments,
        summary,
    }
}

/// A slice of a [`Plan`] small enough for one Worker request (D1 counts every statement
/// of a request): `POST /api/v1/admin/import`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Batch {
    pub threads: Vec<Thread>,
    pub comments: Vec<Prepared>,
}

/// Comments per [`Batch`].
pub const BATCH: usize = 40;

impl Plan {
    /// The plan in request-sized batches, parents always in an earlier or the same batch
    /// (the plan is ordered parents first), each with the threads its comments need.
    pub fn batches(&self) -> Vec<Batch> {
        self.comments
            .chunks(BATCH)
            .map(|chunk| {
                let keys: HashSet<&str> = chunk.iter().map(|c| c.thread_key.as_str()).collect();
                Batch {
                    threads: self
                        .threads
                        .iter()
                        .filter(|t| keys.contains(t.key.as_str()))
                        .cloned()
                        .collect(),
                    comments: chunk.to_vec(),
                }
            })
            .collect()
    }
}

#[cfg(feature = "server")]
impl Batch {
    /// Clean a batch that came over the network as if it were read here: bodies through
    /// the allowlist again, websites only http(s), names and lengths bounded.
    /// Dates come no later than `now_ms` (a comment from the future would lead "newest"
    /// for ever).
    pub fn cleaned(self, now_ms: i64) -> Result<Batch, String> {
        if self.comments.len() > BATCH || self.threads.len() > BATCH {
            return Err(format!("at most {BATCH} comments and threads per batch"));
        }
        let comments = self
            .comments
            .into_iter()
            .map(|c| {
                if c.import_id.is_empty() || c.import_id.len() > 300 || c.thread_key.len() > 2_000 {
                    return Err(format!("comment {:?}: bad ids", c.import_id));
                }
                let html = if c.body_html.trim().is_empty() && !c.body_markdown.trim().is_empty() {
                    crate::domain::render::comment_html(&c.body_markdown)
                        .map_err(|_| format!("comment {}: renders to too much HTML", c.import_id))?
                } else {
                    crate::domain::render::sanitize_html(&c.body_html)
                };
                if html.len() > crate::wire::limits::BODY_HTML_BYTES {
                    return Err(format!(
                        "comment {}: longer than a comment may be",
                        c.import_id
                    ));
                }
                Ok(Prepared {
                    author: cut(&crate::domain::validate::clean_name(&c.author), NAME_CHARS),
                    created_at_ms: c.created_at_ms.min(now_ms),
                    email: crate::domain::token::normal_email(&c.email)
                        .chars()
                        .take(254)
                        .collect(),
                    website: c
                        .website
                        .filter(|w| crate::domain::validate::is_http_url(w))
                        .map(|w| cut(&w, WEBSITE_CHARS)),
                    body_markdown: c
                        .body_markdown
                        .chars()
                        .take(crate::wire::limits::BODY_HTML_BYTES)
                        .collect(),
                    body_html: html,
                    ..c
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Threads: a key like any thread key, a one-line title, an http(s) address or none
        // (a `javascript:` link would reach feeds, emails and the console).
        let threads = self
            .threads
            .into_iter()
            .map(|t| {
                crate::domain::validate::thread_key(t.key.trim())
                    .map_err(|_| format!("thread {:?}: not a thread key", t.key))?;
                Ok(Thread {
                    key: t.key.trim().to_owned(),
                    title: t
                        .title
                        .map(|title| {
                            let clean = crate::domain::validate::clean_name(&title);
                            cut(&crate::domain::notify::one_line(&clean), TITLE_CHARS)
                        })
                        .filter(|title| !title.is_empty()),
                    url: t.url.map(|u| u.trim().to_owned()).filter(|u| {
                        u.chars().count() <= 2_000 && crate::domain::validate::is_http_url(u)
                    }),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Batch { threads, comments })
    }
}
