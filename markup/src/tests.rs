use super::*;
use colloquy_i18n::Lang;

fn c(id: i64, parent: Option<i64>, root: Option<i64>, author: &str) -> PublicComment {
    PublicComment {
        id: CommentId(id),
        parent_id: parent.map(CommentId),
        root_id: root.map(CommentId),
        author: author.into(),
        website: None,
        body_html: format!("<p>body {id}</p>\n"),
        created_at: "2026-11-20T10:04:00Z".into(),
        edited_at: None,
        deleted: false,
        avatar: "a1b2c3d4e5f60718293a4b5c6d7e8f90".into(),
        gravatar: None,
        likes: 2,
        descendants: 0,
        owner: false,
        pending: false,
        pinned: false,
    }
}

fn view<'a>(t: &'a Strings<'a>) -> View<'a> {
    View {
        t,
        max_depth: 3,
        gravatar_url: None,
        page_href: &|cursor| format!("/view?cursor={cursor}"),
        replies_href: &|id| format!("/view?root={id}"),
        locked: false,
        feed_href: "/api/v1/feed?thread=%2Ft%2F",
        static_page: false,
    }
}

fn page<'a>(comments: &'a [PublicComment], next: Option<&'a str>) -> Page<'a> {
    Page {
        thread: "/t/",
        title: "Title",
        total: comments.len() as u32,
        sort: Sort::Oldest,
        comments,
        next_cursor: next,
    }
}

#[test]
fn a_thread_renders_nested_replies_capped_at_the_maximum_depth() {
    let t = Lang::En.strings();
    let comments = [
        c(1, None, None, "A"),
        c(2, Some(1), Some(1), "B"),
        c(3, Some(2), Some(1), "C"),
        c(4, Some(3), Some(1), "D"),
    ];
    let html = thread(&view(t), &page(&comments, None), "light", "{}");
    assert!(html.contains("4 comments on “Title”"), "{html}");
    let depths: Vec<&str> = html
        .match_indices("data-depth=\"")
        .map(|(i, _)| &html[i + 12..i + 13])
        .collect();
    assert_eq!(depths, ["1", "2", "3", "3"], "D stays on level 3");
    assert!(
        html.contains("in reply to <bdi>C</bdi>"),
        "the flattened reply says whom it answers"
    );
    assert_eq!(html.matches("in reply to").count(), 1);
    assert!(
        html.contains("November 20, 2026"),
        "dates as readers write them"
    );
    assert!(html.contains("class=\"cq-compose\""));
    assert!(!html.contains("cq-more"), "no more pages");
}

#[test]
fn names_titles_and_state_are_text_never_markup() {
    let t = Lang::En.strings();
    let mut hostile = c(1, None, None, "<img src=x onerror=alert(1)>");
    hostile.website = Some("https://x.example/\"><script>".into());
    let comments = [hostile];
    let mut p = page(&comments, None);
    p.title = "</h2><script>alert(1)</script>";
    let html = thread(
        &view(t),
        &p,
        "light",
        r#"{"title":"</script><script>alert(1)"}"#,
    );
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains("</h2><script>"));
    assert!(!html.contains("\"><script>"));
    assert!(
        !html.contains("</script><script>alert"),
        "the state cannot close its script"
    );
    assert!(html.contains("\\u003c/script>"));
    // Only the sanitized body is inserted as HTML.
    assert!(html.contains("<p>body 1</p>"));
}

#[test]
fn more_links_and_hidden_reply_counts_are_plain_links() {
    let t = Lang::En.strings();
    let mut top = c(1, None, None, "A");
    top.descendants = 12;
    let comments = [
        top,
        c(2, Some(1), Some(1), "B"),
        c(3, Some(1), Some(1), "C"),
    ];
    let html = thread(&view(t), &page(&comments, Some("o1.3")), "light", "{}");
    assert!(html.contains(r#"href="/view?cursor=o1.3""#), "{html}");
    assert!(html.contains("Show 10 more replies"), "12 in all, 2 shown");
    assert!(html.contains(r#"href="/view?root=1""#));
    let more = page_fragment(&view(t), &comments[..1], None);
    assert!(more.starts_with("<ol class=\"cq-list\">"), "{more}");
}

#[test]
fn deleted_comments_keep_their_place_and_an_accessible_name() {
    let t = Lang::En.strings();
    let mut gone = c(1, None, None, "");
    gone.deleted = true;
    gone.body_html.clear();
    let comments = [gone, c(2, Some(1), Some(1), "B")];
    let html = thread(&view(t), &page(&comments, None), "light", "{}");
    assert!(html.contains(r#"aria-label="[deleted]""#), "{html}");
    assert!(html.contains("cq-placeholder"));
    assert_eq!(
        html.matches("data-action=\"like\"").count(),
        1,
        "no like on a placeholder"
    );
}

#[test]
fn a_subtree_renders_below_its_top_level_comment() {
    let t = Lang::En.strings();
    let root = c(1, None, None, "A");
    let replies = [
        c(2, Some(1), Some(1), "B"),
        c(3, Some(2), Some(1), "C"),
        c(4, Some(3), Some(1), "D"),
    ];
    let html = subtree_fragment(&view(t), &root, &replies);
    assert!(html.starts_with("<ol class=\"cq-replies\">"), "{html}");
    assert!(
        !html.contains("comment-1\""),
        "the root itself is already shown"
    );
    let depths: Vec<&str> = html
        .match_indices("data-depth=\"")
        .map(|(i, _)| &html[i + 12..i + 13])
        .collect();
    assert_eq!(depths, ["2", "3", "3"]);
}

#[test]
fn a_comment_just_posted_renders_alone_at_its_depth() {
    let t = Lang::Sl.strings();
    let mut mine = c(7, Some(3), Some(1), "Ana");
    mine.pending = true;
    let html = single(&view(t), &mine, 3, true, Some("Bož <b>"));
    assert!(
        html.contains(r#"data-depth="3""#) && html.contains("data-flat"),
        "{html}"
    );
    assert!(
        html.contains("Bož &lt;b&gt;"),
        "beside its parent, it names whom it answers (as text): {html}"
    );
    assert!(
        !html.contains("data-id=\"3\""),
        "the parent itself is not drawn"
    );
    assert!(html.contains("Čaka na odobritev"), "pending, in Slovenian");
    assert!(html.contains("20. november 2026"));
}

#[test]
fn a_standalone_page_reads_without_javascript() {
    let t = Lang::De.strings();
    let comments = [c(1, None, None, "A")];
    let nav = PlainNav {
        sorts: vec![
            (Sort::Oldest, "/view?sort=oldest".into()),
            (Sort::Newest, "/view?sort=newest".into()),
        ],
        first: Some("/view?sort=oldest".into()),
    };
    let doc = document(
        &view(t),
        &page(&comments, Some("o9.9")),
        "/style.css",
        Some("https://blog.example/post/"),
        &nav,
    );
    assert!(doc.starts_with("<!DOCTYPE html>"));
    // Without JavaScript the order is a link, the current one marked, and a later page
    // leads back to the first.
    assert!(
        doc.contains("href=\"/view?sort=oldest\" aria-current=\"page\""),
        "{doc}"
    );
    assert!(
        !doc.contains("href=\"/view?sort=newest\" aria-current"),
        "{doc}"
    );
    assert!(doc.contains("Zurück zur ersten Seite"), "{doc}");
    assert!(doc.contains("<html lang=\"de\" dir=\"ltr\">"));
    assert!(doc.contains("1 Kommentar zu „Title“"));
    assert!(doc.contains(r#"href="/view?cursor=o9.9""#));
}

#[test]
fn timestamps_parse_back_to_milliseconds() {
    assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(
        parse_rfc3339_ms("2023-11-14T22:13:20.123Z"),
        Some(1_700_000_000_123)
    );
    assert_eq!(
        parse_rfc3339_ms("2000-02-29T00:00:00Z"),
        Some(951_782_400_000)
    );
    assert_eq!(parse_rfc3339_ms("garbage"), None);
}

#[test]
fn locked_threads_offer_no_form_and_pinned_comments_say_so() {
    let t = Lang::En.strings();
    let mut pinned = c(1, None, None, "Pinned author");
    pinned.pinned = true;
    let mut owner = c(2, None, None, "The owner");
    owner.owner = true;
    let comments = [pinned, owner];
    let open = thread(&view(t), &page(&comments, None), "light", "{}");
    assert_eq!(open.matches("data-action=\"reply\"").count(), 2);
    assert_eq!(
        open.matches("data-action=\"report\"").count(),
        1,
        "the owner's own comments are not reported"
    );
    assert!(open.contains("class=\"cq-item cq-pinned\""), "{open}");
    assert!(open.contains("cq-pinned-badge\">Pinned<"));
    let closed_view = View {
        locked: true,
        ..view(t)
    };
    let closed = thread(&closed_view, &page(&comments, None), "light", "{}");
    assert!(!closed.contains("cq-compose"), "no form on a closed thread");
    assert!(!closed.contains("data-action=\"reply\""), "and no Reply");
    assert!(closed.contains("Comments are closed."));
    assert!(closed.contains("data-action=\"like\""), "likes still work");
}

/// Without JavaScript nothing can Like, Reply, Hide or Report: the page for it (`/view`)
/// shows none of those buttons, and likes as a count.
#[test]
fn the_page_without_javascript_shows_only_what_works() {
    let t = Lang::En.strings();
    let mut liked = c(1, None, None, "Liked");
    liked.likes = 3;
    let comments = vec![liked, c(2, Some(1), Some(1), "A reply")];
    let static_view = View {
        static_page: true,
        ..view(t)
    };
    let html = document(
        &static_view,
        &page(&comments, None),
        "/style.css",
        None,
        &PlainNav::default(),
    );
    for action in ["like", "reply", "collapse", "report"] {
        assert!(
            !html.contains(&format!("data-action=\"{action}\"")),
            "{action} shown without JavaScript"
        );
    }
    assert!(!html.contains("<button"), "no button at all: {html}");
    assert!(
        html.contains("3 likes"),
        "the count stays, in words: {html}"
    );
    let live = thread(&view(t), &page(&comments, None), "light", "{}");
    assert!(
        live.contains("data-action=\"reply\""),
        "the widget keeps them"
    );
}

/// A long code block scrolls sideways: it takes the keyboard's focus (axe's
/// scrollable-region-focusable); text that only looks like one stays text.
#[test]
fn code_blocks_can_be_scrolled_from_the_keyboard() {
    let t = Lang::En.strings();
    let mut code = c(1, None, None, "Coder");
    code.body_html = "<pre><code>let x = 1;</code></pre>\n<p>&lt;pre&gt;</p>".into();
    // Bodies are the sanitizer's output: in it a `<pre>` inside an attribute is escaped.
    let from_sanitizer =
        colloquy_core::domain::render::sanitize_html("<a href=\"https://x.example/<pre>\">x</a>");
    assert!(!from_sanitizer.contains("<pre>"), "{from_sanitizer}");
    let html = thread(&view(t), &page(&[code], None), "light", "{}");
    assert!(html.contains("<pre tabindex=\"0\"><code>"), "{html}");
    assert!(html.contains("<p>&lt;pre&gt;</p>"), "{html}");
}

#[test]
fn a_right_to_left_thread_mirrors_and_keeps_names_in_their_own_direction() {
    let t = Lang::Ar.strings();
    let comments = [
        c(1, None, None, "Ana"),
        c(2, Some(1), Some(1), "سارة"),
        c(3, Some(2), Some(1), "John <b>"),
        c(4, Some(3), Some(1), "D"),
    ];
    let html = thread(&view(t), &page(&comments, None), "light", "{}");
    assert!(
        html.contains(r#"lang="ar" dir="rtl""#),
        "the whole thread is right to left: {html}"
    );
    // Every author's name and the name in "in reply to …" are isolated.
    assert!(html.contains("<bdi>John &lt;b&gt;</bdi>"), "{html}");
    assert_eq!(html.matches("<bdi>").count(), 4 + 1, "{html}");
    let en = thread(
        &view(Lang::En.strings()),
        &page(&comments, None),
        "light",
        "{}",
    );
    assert!(en.contains(r#"lang="en" dir="ltr""#));
}
