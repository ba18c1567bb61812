//! Isso's SQLite database, as rows the `colloquy` command reads from its `threads` and
//! `comments` tables. `mode` 1 is published, 2 waits in the queue, 4 is deleted (kept as
//! "[deleted]" when something answers it). Isso stores Markdown.

use super::{Body, Comment, Import, Thread};
use crate::wire::moderation::CommentStatus;

pub struct IssoThread {
    pub id: i64,
    /// Isso's `uri`: the article's path, Colloquy's thread key.
    pub uri: String,
    pub title: Option<String>,
}

pub struct IssoComment {
    pub id: i64,
    pub tid: i64,
    pub parent: Option<i64>,
    /// Seconds since the epoch (a float in Isso).
    pub created: f64,
    pub mode: i64,
    pub text: String,
    pub author: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
}

/// `site_url` (`https://blog.example.org`) gives the threads their addresses.
pub fn read(threads: &[IssoThread], comments: &[IssoComment], site_url: Option<&str>) -> Import {
    let mut import = Import::default();
    let key_of_tid: std::collections::HashMap<i64, &str> =
        threads.iter().map(|t| (t.id, t.uri.as_str())).collect();
    for t in threads {
        import.threads.push(Thread {
            key: t.uri.clone(),
            title: t.title.clone().filter(|s| !s.is_empty()),
            url: site_url.map(|u| format!("{}{}", u.trim_end_matches('/'), t.uri)),
        });
    }
    for c in comments {
        let Some(key) = key_of_tid.get(&c.tid) else {
            import.skipped.push(super::Skipped {
                what: format!("comment isso:{}", c.id),
                why: format!("its thread ({}) is not in the database", c.tid),
            });
            continue;
        };
        let status = match c.mode {
            1 => CommentStatus::Approved,
            2 => CommentStatus::Pending,
            4 => CommentStatus::Deleted,
            other => {
                import.skipped.push(super::Skipped {
                    what: format!("comment isso:{}", c.id),
                    why: format!("unknown mode {other}"),
                });
                continue;
            }
        };
        import.comments.push(Comment {
            source_id: format!("isso:{}", c.id),
            thread_key: (*key).to_owned(),
            parent: c.parent.map(|p| format!("isso:{p}")),
            author: c.author.clone().unwrap_or_default(),
            email: c.email.clone().unwrap_or_default(),
            website: c.website.clone(),
            // Isso's float seconds, to whole milliseconds.
            created_at_ms: (c.created * 1000.0).round() as i64,
            body: Body::Markdown(c.text.clone()),
            status,
            is_owner: false,
        });
    }
    import
}
