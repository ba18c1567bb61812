//! Disqus's XML export: `<thread dsq:id>`s, then `<post dsq:id>`s pointing at their
//! thread and parent. Deleted threads take their posts with them; a deleted post stays
//! as "[deleted]" only when something answers it; spam stays spam (not public).

use std::collections::HashMap;

use super::xml::{self, Element};
use super::{key_of, rfc3339_ms, Body, Comment, Import, ImportError, Options, Skipped, Thread};
use crate::wire::moderation::CommentStatus;

fn yes(el: &Element, name: &str) -> Result<bool, String> {
    match el.text_of(name).as_deref() {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(other) => Err(format!("<{name}> is {other:?}, not true or false")),
    }
}

pub fn read(input: &str, options: Options) -> Result<Import, ImportError> {
    let (root, broken) = xml::parse(input);
    let mut import = Import::default();
    import.broken(options, broken)?;
    if root.name != "disqus" {
        return Err(ImportError::Malformed {
            line: root.line.max(1),
            message: format!("expected a Disqus export (<disqus>), found <{}>", root.name),
        });
    }
    // dsq:id → thread key, for the threads that are there and not deleted.
    let mut threads: HashMap<String, String> = HashMap::new();
    let mut deleted_threads: HashMap<String, String> = HashMap::new();
    for t in root.all("thread") {
        let what = format!("<thread> at line {}", t.line);
        let Some(id) = t.attr("id").map(str::to_owned) else {
            import.bad(options, what, "no dsq:id".into())?;
            continue;
        };
        let link = t.text_of("link").unwrap_or_default();
        let Some(key) = key_of(&link) else {
            // Disqus writes stub threads without a link; nothing can point at them.
            import.skipped.push(Skipped {
                what: format!("thread {id}"),
                why: "no address (<link>)".into(),
            });
            continue;
        };
        match yes(t, "isDeleted") {
            Ok(true) => {
                deleted_threads.insert(id, key);
                continue;
            }
            Ok(false) => {}
            Err(why) => {
                import.bad(options, what, why)?;
                continue;
            }
        }
        threads.insert(id, key.clone());
        import.threads.push(Thread {
            key,
            title: t.text_of("title"),
            url: Some(link.trim().to_owned()),
        });
    }
    for p in root.all("post") {
        let what = format!("<post> at line {}", p.line);
        let Some(id) = p.attr("id") else {
            import.bad(options, what, "no dsq:id".into())?;
            continue;
        };
        let thread_id = p.child("thread").and_then(|t| t.attr("id")).unwrap_or("");
        let Some(key) = threads.get(thread_id) else {
            let why = if deleted_threads.contains_key(thread_id) {
                "its thread was deleted".to_owned()
            } else {
                format!("its thread ({thread_id:?}) is not in the file")
            };
            import.skipped.push(Skipped {
                what: format!("post {id}"),
                why,
            });
            continue;
        };
        let (deleted, spam) = match (yes(p, "isDeleted"), yes(p, "isSpam")) {
            (Ok(d), Ok(s)) => (d, s),
            (Err(why), _) | (_, Err(why)) => {
                import.bad(options, what, why)?;
                continue;
            }
        };
        let date = p.text_of("createdAt").unwrap_or_default();
        let Some(created) = rfc3339_ms(&date) else {
            import.bad(options, what, format!("<createdAt> {date:?} is not a date"))?;
            continue;
        };
        let author = p.child("author");
        let field = |name: &str| author.and_then(|a| a.text_of(name)).unwrap_or_default();
        let status = if deleted {
            CommentStatus::Deleted
        } else if spam {
            CommentStatus::Spam
        } else {
            CommentStatus::Approved
        };
        import.comments.push(Comment {
            source_id: format!("disqus:{id}"),
            thread_key: key.clone(),
            parent: p
                .child("parent")
                .and_then(|x| x.attr("id"))
                .map(|x| format!("disqus:{x}")),
            author: {
                let name = field("name");
                if name.is_empty() {
                    field("username")
                } else {
                    name
                }
            },
            email: field("email"),
            website: None,
            created_at_ms: created,
            body: Body::Html(
                p.child("message")
                    .map(|m| m.text.clone())
                    .unwrap_or_default(),
            ),
            status,
            is_owner: false,
        });
    }
    Ok(import)
}
