//! Colloquy's own export (`colloquy export`, the console's download): every thread and
//! comment with its state, as JSON. Importing it into an empty database gives back the
//! same threads; importing it twice adds nothing (each comment keeps the id it was first
//! imported under, or gets `colloquy:<site>:<id>`).

use super::{rfc3339_ms, Body, Comment, Import, ImportError, Options, Thread};
use crate::wire::moderation::CommentStatus;

pub use crate::wire::console::{
    ExportComment, ExportFile, ExportThread, EXPORT_VERSION as VERSION,
};

pub fn read(input: &str, options: Options) -> Result<Import, ImportError> {
    let file: ExportFile = serde_json::from_str(input).map_err(|e| ImportError::Malformed {
        line: e.line(),
        message: e.to_string(),
    })?;
    if file.version != VERSION {
        return Err(ImportError::Malformed {
            line: 1,
            message: format!("unknown export version {}", file.version),
        });
    }
    let mut import = Import::default();
    for t in &file.threads {
        import.threads.push(Thread {
            key: t.key.clone(),
            title: t.title.clone(),
            url: t.url.clone(),
        });
        let id_of = |c: &ExportComment| {
            c.import_id
                .clone()
                .unwrap_or_else(|| format!("colloquy:{}:{}", file.site, c.id))
        };
        let by_id: std::collections::HashMap<i64, String> =
            t.comments.iter().map(|c| (c.id, id_of(c))).collect();
        for c in &t.comments {
            let what = format!("comment {} of {}", c.id, t.key);
            let Some(status) = CommentStatus::parse(&c.status) else {
                import.bad(options, what, format!("unknown status {:?}", c.status))?;
                continue;
            };
            let Some(created) = rfc3339_ms(&c.created_at) else {
                import.bad(options, what, format!("{:?} is not a date", c.created_at))?;
                continue;
            };
            import.comments.push(Comment {
                source_id: id_of(c),
                thread_key: t.key.clone(),
                parent: c.parent_id.map(|p| {
                    by_id
                        .get(&p)
                        .cloned()
                        .unwrap_or_else(|| format!("colloquy:{}:{p}", file.site))
                }),
                author: c.author.clone(),
                email: c.email.clone(),
                website: c.website.clone(),
                created_at_ms: created,
                body: Body::Both {
                    markdown: c.body_markdown.clone(),
                    html: c.body_html.clone(),
                },
                status,
                is_owner: c.owner,
            });
        }
    }
    Ok(import)
}
