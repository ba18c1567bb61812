//! WordPress's export (WXR): one `<item>` per post with its `<wp:comment>`s.
//! `comment_approved` 1 → published, 0 → the queue, `spam` → spam, `trash` → not public
//! (kept as a placeholder only if something answers it); pingbacks and trackbacks are
//! left out. Dates come from `comment_date_gmt` (UTC), else `comment_date`.

use super::xml::{self, Element};
use super::{key_of, plain_utc_ms, Body, Comment, Import, ImportError, Options, Thread};
use crate::wire::moderation::CommentStatus;

pub fn read(input: &str, options: Options) -> Result<Import, ImportError> {
    let (root, broken) = xml::parse(input);
    let mut import = Import::default();
    import.broken(options, broken)?;
    if root.name != "rss" {
        return Err(ImportError::Malformed {
            line: root.line.max(1),
            message: format!("expected a WordPress export (<rss>), found <{}>", root.name),
        });
    }
    let Some(channel) = root.child("channel") else {
        return Err(ImportError::Malformed {
            line: root.line,
            message: "no <channel> in the export".into(),
        });
    };
    for item in channel.all("item") {
        read_item(item, options, &mut import)?;
    }
    Ok(import)
}

fn read_item(item: &Element, options: Options, import: &mut Import) -> Result<(), ImportError> {
    let link = item.text_of("link").unwrap_or_default();
    let Some(key) = key_of(&link) else {
        let what = format!("<item> at line {}", item.line);
        return import.bad(
            options,
            what,
            format!("its <link> {link:?} is not an address"),
        );
    };
    // A post's comments are numbered per export; the post's id (else its key) scopes them.
    let scope = item.text_of("post_id").unwrap_or_else(|| key.clone());
    let id_of = |n: &str| format!("wordpress:{scope}:{n}");
    // WordPress shows a password-protected post's comments only to readers who typed the
    // password: here they wait for the owner rather than being published to everyone.
    let protected = item
        .text_of("post_password")
        .is_some_and(|p| !p.trim().is_empty());
    import.threads.push(Thread {
        key: key.clone(),
        title: item.text_of("title"),
        url: Some(link.trim().to_owned()),
    });
    for c in item.all("comment") {
        let what = format!("<wp:comment> at line {}", c.line);
        let Some(id) = c.text_of("comment_id") else {
            import.bad(options, what, "no <wp:comment_id>".into())?;
            continue;
        };
        let kind = c.text_of("comment_type").unwrap_or_default();
        if kind == "pingback" || kind == "trackback" {
            import.skipped.push(super::Skipped {
                what: format!("comment {}", id_of(&id)),
                why: format!("a {kind}, not a comment"),
            });
            continue;
        }
        let status = match c.text_of("comment_approved").as_deref() {
            Some("1") | Some("approve") if protected => {
                import.protected += 1;
                CommentStatus::Pending
            }
            Some("1") | Some("approve") => CommentStatus::Approved,
            Some("0") | Some("hold") => CommentStatus::Pending,
            Some("spam") => CommentStatus::Spam,
            Some("trash") | Some("post-trashed") => CommentStatus::Deleted,
            other => {
                import.bad(
                    options,
                    what,
                    format!("unknown <wp:comment_approved> {other:?}"),
                )?;
                continue;
            }
        };
        let date = c
            .text_of("comment_date_gmt")
            .filter(|d| !d.starts_with("0000"))
            .or_else(|| c.text_of("comment_date"));
        let Some(created) = date.as_deref().and_then(plain_utc_ms) else {
            import.bad(options, what, format!("no readable date ({date:?})"))?;
            continue;
        };
        let parent = c
            .text_of("comment_parent")
            .filter(|p| p != "0")
            .map(|p| id_of(&p));
        import.comments.push(Comment {
            source_id: id_of(&id),
            thread_key: key.clone(),
            parent,
            author: c.text_of("comment_author").unwrap_or_default(),
            email: c.text_of("comment_author_email").unwrap_or_default(),
            website: c.text_of("comment_author_url"),
            created_at_ms: created,
            body: Body::Html(
                c.child("comment_content")
                    .map(|b| b.text.clone())
                    .unwrap_or_default(),
            ),
            status,
            is_owner: false,
        });
    }
    Ok(())
}
