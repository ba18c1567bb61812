//! The one definition of a thread's HTML. The Worker renders every comment the reader
//! sees — the first page, "Show more", the rest of a subtree, a comment just posted — and
//! the browser only inserts what it was sent: no second template to keep in step, the
//! same markup with JavaScript off, and comments readable before any wasm has arrived.
//!
//! Text goes through maud's escaping; the only HTML inserted as HTML is each comment's
//! `body_html`, which core rendered and sanitized with an allowlist when it was written.

mod avatar;
mod link_page;

use std::collections::HashMap;

use colloquy_core::domain::thread::children_index_capped;
use colloquy_core::wire::api::{CommentId, PublicComment, Sort};
use colloquy_core::wire::dom::{class, Action, COMMENT_ANCHOR, SORT_FIELD};
use colloquy_i18n::Strings;
use maud::{html, Markup, PreEscaped};

pub use avatar::identicon;
pub use link_page::link_page;

/// How to render: the reader's language and the page's choices.
pub struct View<'a> {
    pub t: &'a Strings<'a>,
    /// Deepest visual nesting; deeper replies stay on the last level, "in reply to …".
    pub max_depth: usize,
    /// Gravatar's image base, when the site owner turned Gravatar on.
    pub gravatar_url: Option<&'a str>,
    /// Where a plain link to more of the thread goes (its cursor): used with JavaScript
    /// off and before the widget takes over.
    pub page_href: &'a dyn Fn(&str) -> String,
    /// Where a plain link to a whole subtree goes.
    pub replies_href: &'a dyn Fn(CommentId) -> String,
    /// The thread takes no new comments: no Reply buttons, no form.
    pub locked: bool,
    /// The thread's Atom feed (empty: no link).
    pub feed_href: &'a str,
    /// A page for readers without JavaScript (`/view`): only what works without it — no
    /// Reply, Report or Hide buttons, likes as a count.
    pub static_page: bool,
}

/// One page of a thread, as the server read it.
pub struct Page<'a> {
    pub thread: &'a str,
    /// The heading's title (the page's, else the stored one).
    pub title: &'a str,
    /// Published comments in the whole thread.
    pub total: u32,
    pub sort: Sort,
    /// Top-level comments in order, then replies oldest first (the API's flat page).
    pub comments: &'a [PublicComment],
    pub next_cursor: Option<&'a str>,
}

/// The whole widget: heading, sort, the comments, "Show more", and the box to leave a
/// comment. `state` is the JSON the widget takes over from (embedded, never executed).
pub fn thread(view: &View, page: &Page, theme: &str, state: &str) -> String {
    let t = view.t;
    let has_comments = !page.comments.is_empty();
    let markup = html! {
        section.cq data-theme=(theme) lang=(t.lang.tag()) dir=(t.lang.dir()) aria-labelledby="cq-heading" {
            div.cq-toolbar {
                h2 #cq-heading .(class::HEADING) tabindex="-1" {
                    (t.heading(Some(page.total as usize), page.title))
                }
                @if has_comments {
                    label.cq-sort {
                        (t.sort_label) " "
                        select name=(SORT_FIELD) {
                            @for (value, label) in [(Sort::Oldest, t.sort_oldest), (Sort::Newest, t.sort_newest), (Sort::Liked, t.sort_liked)] {
                                option value=(value.as_str()) selected[value == page.sort] { (label) }
                            }
                        }
                    }
                }
            }
            p.cq-status.(class::NOTICE) role="status" {}
            @if !has_comments {
                p.cq-status.(class::EMPTY) { (t.empty) }
            }
            ol.(class::LIST) { (list(view, page.comments)) }
            (more(view, page.next_cursor))
            @if view.locked {
                p.cq-status.cq-closed { (t.comments_closed) }
            } @else {
                // Laid out like the form that replaces it (title, note, the row of tabs,
                // the labelled box of the same size), so the box does not move or grow
                // when the writing half arrives.
                div.(class::COMPOSE) {
                    h3.cq-form-title { (t.leave_a_comment) }
                    p.cq-note { (t.privacy_note) " " span.cq-required { "*" } }
                    div.cq-tabs.cq-tabs-space aria-hidden="true" {
                        span.cq-tab { (t.write_tab) } span.cq-tab { (t.preview_tab) }
                    }
                    p.cq-field {
                        label for="cq-compose-box" {
                            (t.label_body)
                            span.cq-required aria-hidden="true" { " *" }
                        }
                        textarea #cq-compose-box .(class::COMPOSE_BOX) name="comment" rows="6" dir="auto"
                            placeholder=(t.compose_placeholder) {}
                    }
                    p.(class::NEEDS_SCRIPT) hidden { (t.needs_script) }
                }
            }
            @if !view.feed_href.is_empty() {
                p.cq-feed {
                    a href=(view.feed_href) type="application/atom+xml" rel="alternate" { (t.feed_link) }
                }
            }
            script.(class::STATE) type="application/json" { (PreEscaped(script_safe(state))) }
        }
    };
    markup.into_string()
}

/// "Show more comments": a real link (to the plain page with that cursor), which the
/// widget turns into an in-place load.
fn more(view: &View, cursor: Option<&str>) -> Markup {
    html! {
        @if let Some(cursor) = cursor {
            p.(class::MORE) {
                a.cq-button.cq-secondary href=((view.page_href)(cursor)) data-cursor=(cursor) {
                    (view.t.show_more_comments)
                }
            }
        }
    }
}

/// Top-level comments with the replies that came with them, as list items (the first
/// page, or one more page to append).
pub fn list(view: &View, comments: &[PublicComment]) -> Markup {
    let tree = Tree::new(comments, view.max_depth);
    html! {
        @for id in tree.children(None) {
            (tree.item(view, id, 1, None))
        }
    }
}

/// The next page's items and its "Show more" (replacing the old one), for the widget.
pub fn page_fragment(view: &View, comments: &[PublicComment], next_cursor: Option<&str>) -> String {
    html! {
        ol.(class::LIST) { (list(view, comments)) }
        (more(view, next_cursor))
    }
    .into_string()
}

/// Every reply under top-level comment `root` (already shown at depth 1), as the content
/// of its replies list.
pub fn subtree_fragment(view: &View, root: &PublicComment, replies: &[PublicComment]) -> String {
    let mut all = Vec::with_capacity(replies.len() + 1);
    all.push(PublicComment {
        parent_id: None,
        ..root.clone()
    });
    all.extend(replies.iter().cloned());
    let tree = Tree::new(&all, view.max_depth);
    html! {
        ol.(class::REPLIES) {
            @for id in tree.children(Some(root.id)) {
                (tree.item(view, id, 2, Some(root.id)))
            }
        }
    }
    .into_string()
}

/// One comment on its own (just posted or edited), at `depth`; `flat` when it is shown
/// below the depth cap beside its parent, not under it — then "in reply to" names
/// `parent_name` (the parent is not in this one-comment tree).
pub fn single(
    view: &View,
    comment: &PublicComment,
    depth: usize,
    flat: bool,
    parent_name: Option<&str>,
) -> String {
    let parent = match (flat, comment.parent_id, parent_name) {
        (true, Some(id), Some(name)) => {
            let mut p = comment.clone();
            p.id = id;
            p.parent_id = None;
            p.root_id = None;
            p.author = name.to_owned();
            Some(p)
        }
        _ => None,
    };
    let both: Vec<PublicComment> = parent.into_iter().chain([comment.clone()]).collect();
    let tree = Tree::new(&both, view.max_depth);
    let visual_parent = if flat { None } else { comment.parent_id };
    tree.item(view, comment.id, depth, visual_parent)
        .into_string()
}

/// The plain page's own ways around: each order as a link (the current one marked), and
/// back to the first page from a later one.
#[derive(Default)]
pub struct PlainNav {
    pub sorts: Vec<(Sort, String)>,
    pub first: Option<String>,
}

/// A whole HTML document for readers without JavaScript and for crawlers: the thread's
/// comments, plain links to the next page, and where the discussion lives.
pub fn document(
    view: &View,
    page: &Page,
    stylesheet: &str,
    back_to: Option<&str>,
    nav: &PlainNav,
) -> String {
    let t = view.t;
    let label = |s: Sort| match s {
        Sort::Oldest => t.sort_oldest,
        Sort::Newest => t.sort_newest,
        Sort::Liked => t.sort_liked,
    };
    html! {
        (maud::DOCTYPE)
        html lang=(t.lang.tag()) dir=(t.lang.dir()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t.heading(Some(page.total as usize), page.title)) }
                link rel="stylesheet" href=(stylesheet);
            }
            body {
                section.cq data-theme="auto" lang=(t.lang.tag()) {
                    h1.(class::HEADING) { (t.heading(Some(page.total as usize), page.title)) }
                    @if let Some(back) = back_to {
                        p { a href=(back) { (page.title) } }
                    }
                    @if !nav.sorts.is_empty() {
                        nav.cq-sorts aria-label=(t.sort_label) {
                            (t.sort_label) " "
                            @for (i, (sort, href)) in nav.sorts.iter().enumerate() {
                                @if i > 0 { " · " }
                                a href=(href) aria-current=[(*sort == page.sort).then_some("page")] {
                                    (label(*sort))
                                }
                            }
                        }
                    }
                    ol.(class::LIST) { (list(view, page.comments)) }
                    (more(view, page.next_cursor))
                    @if let Some(first) = &nav.first {
                        p.cq-first-page { a href=(first) { (t.first_page) } }
                    }
                    p.(class::NEEDS_SCRIPT) { (t.needs_script) }
                }
            }
        }
    }
    .into_string()
}

/// JSON inside `<script>` must not be able to close it: `<` is written as `\u003c`.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
}

/// A page's comments arranged for display.
struct Tree<'c> {
    by_id: HashMap<CommentId, &'c PublicComment>,
    children: HashMap<Option<CommentId>, Vec<CommentId>>,
}

impl<'c> Tree<'c> {
    fn new(comments: &'c [PublicComment], max_depth: usize) -> Self {
        Tree {
            by_id: comments.iter().map(|c| (c.id, c)).collect(),
            children: children_index_capped(comments, max_depth),
        }
    }

    fn children(&self, parent: Option<CommentId>) -> Vec<CommentId> {
        self.children.get(&parent).cloned().unwrap_or_default()
    }

    /// Replies shown under `id`, placeholders of deleted ones not counted (as the
    /// server's reply totals do not count them).
    fn size(&self, id: CommentId) -> usize {
        self.children(Some(id))
            .iter()
            .map(|c| usize::from(self.by_id.get(c).is_some_and(|c| !c.deleted)) + self.size(*c))
            .sum()
    }

    /// A comment and, recursively, the replies shown under it. `visual_parent` is the
    /// comment it is displayed under: when that is not its parent (nesting was capped),
    /// the header says whom it answers.
    fn item(
        &self,
        view: &View,
        id: CommentId,
        depth: usize,
        visual_parent: Option<CommentId>,
    ) -> Markup {
        let t = view.t;
        let Some(c) = self.by_id.get(&id).copied() else {
            return html! {};
        };
        let shown = self.children(Some(id));
        let flat = c.parent_id.is_some() && c.parent_id != visual_parent;
        let parent_name = c
            .parent_id
            .and_then(|p| self.by_id.get(&p))
            .map(|p| p.author.as_str())
            .unwrap_or("");
        let loaded_in_subtree = if visual_parent.is_none() {
            self.size(id)
        } else {
            0
        };
        let hidden = if visual_parent.is_none() {
            (c.descendants as usize).saturating_sub(loaded_in_subtree)
        } else {
            0
        };
        html! {
            li.(class::ITEM).(class::DELETED)[c.deleted].cq-pinned[c.pinned] data-depth=(depth) data-id=(id) data-flat[flat] {
                article.cq-comment #{(COMMENT_ANCHOR) (id)} tabindex="-1"
                    aria-label=(if c.deleted { t.deleted } else { c.author.as_str() }) {
                    @if c.deleted {
                        p.(class::BODY).cq-placeholder { (t.deleted) }
                    } @else {
                        (meta(view, c, flat.then_some(parent_name)))
                        // Each body reads in its own direction (a Hebrew comment on an
                        // English page is right to left).
                        div.(class::BODY) dir="auto" { (PreEscaped(keyboard_scrollable(&c.body_html))) }
                    }
                    @if view.static_page {
                        @if !c.deleted && !c.pending && c.likes > 0 {
                            footer.cq-actions {
                                span.cq-likes title=(t.plural(&t.likes, c.likes as usize)) {
                                    span aria-hidden="true" { "♡ " }
                                    span.cq-visually-hidden { (t.plural(&t.likes, c.likes as usize)) }
                                    span.(class::COUNT) aria-hidden="true" { (c.likes) }
                                }
                            }
                        }
                    } @else {
                    footer.cq-actions {
                        @if !c.deleted && !c.pending {
                            (like_button(t, c.likes))
                            @if !view.locked {
                                button.cq-link.(class::REPLY) type="button" aria-expanded="false" data-action=(Action::Reply.as_str()) {
                                    (t.reply)
                                }
                            }
                        }
                        @if !shown.is_empty() {
                            button.cq-link.(class::COLLAPSE) type="button" aria-expanded="true" data-action=(Action::Collapse.as_str()) {
                                (t.hide_replies)
                            }
                        }
                        span.(class::OWN) {}
                        @if !c.deleted && !c.pending && !c.owner {
                            button.cq-link.(class::REPORT) type="button" aria-expanded="false" data-action=(Action::Report.as_str()) {
                                (t.report)
                            }
                        }
                    }
                    }
                }
                @if !shown.is_empty() {
                    ol.(class::REPLIES) {
                        @for child in &shown {
                            (self.item(view, *child, depth + 1, Some(id)))
                        }
                    }
                }
                @if hidden > 0 {
                    p.(class::MORE_REPLIES) {
                        a.cq-link href=((view.replies_href)(id)) data-action=(Action::Replies.as_str()) {
                            (t.plural(&t.show_more_replies, hidden))
                        }
                    }
                }
            }
        }
    }
}

/// A comment's header: avatar, author (isolated, so a right-to-left name cannot reorder
/// the text around it), badges, date, "(edited)" (present, hidden until edited, so an edit
/// changes no markup) and "in reply to …" where nesting was capped.
fn meta(view: &View, c: &PublicComment, in_reply_to: Option<&str>) -> Markup {
    let t = view.t;
    let ms = parse_rfc3339_ms(&c.created_at).unwrap_or(0);
    html! {
        header.cq-meta {
            @match (view.gravatar_url, c.gravatar.as_deref()) {
                (Some(base), Some(hash)) => {
                    img.cq-avatar alt="" width="28" height="28" loading="lazy" referrerpolicy="no-referrer"
                        src={(base) "/" (hash) "?s=56&d=identicon"};
                }
                _ => (identicon(&c.avatar)),
            }
            @if let Some(url) = &c.website {
                a.(class::AUTHOR) href=(url) rel="nofollow ugc noopener noreferrer" target="_blank" { bdi { (c.author) } }
            } @else {
                span.(class::AUTHOR) { bdi { (c.author) } }
            }
            @if c.owner {
                span.(class::BADGE) { (t.owner_badge) }
            }
            @if c.pinned {
                span.(class::BADGE).cq-pinned-badge { (t.pinned) }
            }
            a.cq-date href={"#" (COMMENT_ANCHOR) (c.id)} {
                time datetime=(c.created_at) title=(t.date_time(ms)) { (t.date(ms)) }
            }
            span.(class::EDITED) hidden[c.edited_at.is_none()] { (t.edited) }
            @if let (Some(name), Some(parent)) = (in_reply_to, c.parent_id) {
                a.cq-in-reply-to href={"#" (COMMENT_ANCHOR) (parent)} { (isolated(t.in_reply_to, "{name}", name)) }
            }
            @if c.pending {
                span.(class::BADGE).(class::PENDING) { (t.awaiting_moderation) }
            }
        }
    }
}

/// The like button; the widget sets `aria-pressed` from this browser's memory.
/// A code block scrolls sideways when its lines are long: it takes the keyboard's focus so
/// it can be scrolled without a mouse. The sanitizer writes every `pre` exactly so (it
/// may carry no attribute), and text that looks like one is escaped.
fn keyboard_scrollable(body_html: &str) -> std::borrow::Cow<'_, str> {
    if body_html.contains("<pre>") {
        body_html.replace("<pre>", "<pre tabindex=\"0\">").into()
    } else {
        body_html.into()
    }
}

fn like_button(t: &Strings, likes: u32) -> Markup {
    html! {
        button.cq-link.(class::LIKE) type="button" aria-pressed="false" title=(t.plural(&t.likes, likes as usize))
            data-action=(Action::Like.as_str()) {
            span.(class::HEART) aria-hidden="true" { "♡ " }
            span.cq-visually-hidden { (t.like) ": " }
            span.(class::COUNT) { (likes) }
        }
    }
}

/// `2026-11-20T10:04:00.123Z` → milliseconds since the epoch (the API's own format).
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let (date, time) = s.trim_end_matches('Z').split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let mut h = hms.split(':').map(|p| p.parse::<i64>().ok());
    let (hh, mm, ss) = (h.next()??, h.next()??, h.next()??);
    let ms: i64 = format!("{frac:0<3}")[..3].parse().ok()?;
    // Days from civil (the inverse of colloquy_i18n::civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + hh * 3600 + mm * 60 + ss) * 1000) + ms)
}

#[cfg(test)]
mod tests;

/// `template` with `placeholder` replaced by `value` in a `<bdi>`: a name written in the
/// other direction (Arabic in an English sentence, Latin in a Hebrew one) cannot reorder
/// the words around it.
fn isolated(template: &str, placeholder: &str, value: &str) -> Markup {
    let (before, after) = template.split_once(placeholder).unwrap_or((template, ""));
    html! { (before) bdi { (value) } (after) }
}
