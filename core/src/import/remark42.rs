//! Remark42's backup: a JSON object (version, users, posts) followed by one JSON object
//! per comment (`id`, `pid`, `text` as HTML, `user`, `locator.url`, `time`, `delete`,
//! `title`). Remark42 keeps no email addresses, so none are imported; its admins' comments
//! get the owner badge.

use serde::Deserialize;

use super::{key_of, rfc3339_ms, Body, Comment, Import, ImportError, Options, Thread};
use crate::wire::moderation::CommentStatus;

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    version: Option<i64>,
}

#[derive(Deserialize)]
struct User {
    #[serde(default)]
    name: String,
    #[serde(default)]
    admin: bool,
}

#[derive(Deserialize)]
struct Locator {
    #[serde(default)]
    url: String,
}

#[derive(Deserialize)]
struct Remark {
    id: String,
    #[serde(default)]
    pid: String,
    #[serde(default)]
    text: String,
    user: User,
    locator: Locator,
    time: String,
    #[serde(default)]
    delete: bool,
    #[serde(default)]
    title: String,
}

fn line_of(input: &str, offset: usize) -> usize {
    input.as_bytes()[..offset.min(input.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

pub fn read(input: &str, options: Options) -> Result<Import, ImportError> {
    let mut stream = serde_json::Deserializer::from_str(input).into_iter::<serde_json::Value>();
    let meta: Meta = match stream.next() {
        Some(Ok(v)) => serde_json::from_value(v).map_err(|e| ImportError::Malformed {
            line: 1,
            message: format!("the first line is not Remark42's header: {e}"),
        })?,
        Some(Err(e)) => {
            return Err(ImportError::Malformed {
                line: e.line(),
                message: e.to_string(),
            })
        }
        None => {
            return Err(ImportError::Malformed {
                line: 1,
                message: "the file is empty".into(),
            })
        }
    };
    if meta.version.is_some_and(|v| v > 1) {
        return Err(ImportError::Malformed {
            line: 1,
            message: format!("unknown Remark42 backup version {:?}", meta.version),
        });
    }
    let mut import = Import::default();
    let mut seen_threads = std::collections::HashSet::new();
    loop {
        let at = stream.byte_offset();
        let value = match stream.next() {
            None => break,
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                let broken = super::xml::Broken {
                    line: e.line(),
                    message: e.to_string(),
                };
                import.broken(options, Some(broken))?;
                break;
            }
        };
        let what = format!("the comment on line {}", line_of(input, at + 1));
        let r: Remark = match serde_json::from_value(value) {
            Ok(r) => r,
            Err(e) => {
                import.bad(options, what, e.to_string())?;
                continue;
            }
        };
        let Some(key) = key_of(&r.locator.url) else {
            import.bad(
                options,
                what,
                format!("its address {:?} is not a URL", r.locator.url),
            )?;
            continue;
        };
        let Some(created) = rfc3339_ms(&r.time) else {
            import.bad(
                options,
                what,
                format!("its time {:?} is not a date", r.time),
            )?;
            continue;
        };
        if seen_threads.insert(key.clone()) {
            import.threads.push(Thread {
                key: key.clone(),
                title: Some(r.title.clone()).filter(|t| !t.is_empty()),
                url: Some(r.locator.url.clone()),
            });
        }
        import.comments.push(Comment {
            source_id: format!("remark42:{}", r.id),
            thread_key: key,
            parent: Some(r.pid)
                .filter(|p| !p.is_empty())
                .map(|p| format!("remark42:{p}")),
            author: r.user.name,
            email: String::new(),
            website: None,
            created_at_ms: created,
            body: Body::Html(r.text),
            status: if r.delete {
                CommentStatus::Deleted
            } else {
                CommentStatus::Approved
            },
            is_owner: r.user.admin,
        });
    }
    Ok(import)
}
