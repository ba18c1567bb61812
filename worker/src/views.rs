//! Server-rendered views: the widget's first paint (`/embed`), its next pages and
//! subtrees (`/embed/more`, `/embed/replies/{id}`), and a whole document for readers
//! without JavaScript (`/view`). The HTML comes from `colloquy-markup`, the one definition.

use colloquy_core::service::Service;
use colloquy_core::wire::api::{CommentId, EmbedState, PublicComment, Sort};
use colloquy_core::wire::defaults;
use colloquy_core::wire::endpoint::{EmbedQuery, Endpoint};
use colloquy_core::ErrorCode;
use colloquy_i18n::Lang;
use colloquy_markup::{Page, View};
use worker::{Headers, Response};

use crate::cache;
use crate::config::Config;
use crate::context::Ctx;
use crate::d1::D1Store;
use crate::error::WorkerError;
use crate::turnstile::Turnstile;

type Result<T> = std::result::Result<T, WorkerError>;

fn parse(query: &str) -> Result<EmbedQuery> {
    EmbedQuery::parse(query).ok_or(WorkerError::Request(ErrorCode::CursorInvalid))
}

fn max_depth(q: &EmbedQuery) -> usize {
    match q.depth {
        0 => defaults::MAX_DEPTH,
        d => d.clamp(1, defaults::MAX_DEPTH_LIMIT),
    }
}

fn theme(q: &EmbedQuery) -> &'static str {
    match q.theme.as_str() {
        "dark" => "dark",
        "auto" => "auto",
        _ => defaults::THEME,
    }
}

/// Plain links to the document view (the thread's next page, a whole subtree).
struct Links {
    base: String,
    query: EmbedQuery,
}

impl Links {
    fn page(&self, cursor: &str) -> String {
        let mut q = self.query.clone();
        q.thread.cursor = Some(cursor.to_owned());
        q.root = None;
        q.url(&self.base, Endpoint::View)
    }

    /// The first page of the thread in `sort` (the plain page's order links, and its way
    /// back from a later page).
    fn first(&self, sort: colloquy_core::wire::api::Sort) -> String {
        let mut q = self.query.clone();
        q.thread.cursor = None;
        q.thread.sort = sort;
        q.root = None;
        q.url(&self.base, Endpoint::View)
    }

    fn replies(&self, id: CommentId) -> String {
        let mut q = self.query.clone();
        q.thread.cursor = None;
        q.root = Some(id);
        q.url(&self.base, Endpoint::View)
    }
}

/// Serve a view through the edge cache: a matching `If-None-Match` gets 304, a cached copy
/// is returned as is, and only a miss renders (and runs D1).
pub async fn cached<F, Fut>(
    ctx: &Ctx<'_>,
    thread: &str,
    content_type: &str,
    render: F,
) -> Result<Response>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<String>>,
{
    // One address may serve several sites (the page's origin picks one): the site is
    // part of the key, always — and only as the Worker chose it (a `cq-site` in the
    // request's own query is dropped, so no request can file a page under another site).
    let url = {
        let mut url = ctx.url.clone();
        // `lang` as the language it finds (`pt-BR`, `pt_br` and `PT` are one page, and
        // junk is none): one copy per language, not per spelling.
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "cq-site")
            .filter_map(|(k, v)| match &*k {
                "lang" => Lang::negotiate(&v).map(|l| (k.into_owned(), l.tag().to_owned())),
                _ => Some((k.into_owned(), v.into_owned())),
            })
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("cq-site", &ctx.config.site.id);
        url.to_string()
    };
    let stored = cache::version(ctx.env, &ctx.config.site.id, thread.trim()).await;
    // The last write to this thread: render from a replica that has it.
    if let Some(bookmark) = &stored.bookmark {
        ctx.usage.start_after(bookmark);
    }
    let thread_version = stored.stamp;
    // A page also depends on the console's settings, and — when threads close by age —
    // on the hour (the form disappears within the hour a thread closes).
    let clock = if ctx.config.site.auto_close_days > 0 {
        format!(".h{}", crate::env::now_ms() / 3_600_000)
    } else {
        String::new()
    };
    // And on the time, in windows of `PAGE_FRESH_SECS`: a like (no bump) or a bump KV
    // failed to store shows within one window, in a revalidating browser as at the edge.
    let window = crate::env::now_ms() / (i64::from(ctx.config.page_fresh_secs) * 1000);
    let version = format!(
        "{thread_version}.{}{clock}.w{window}",
        ctx.config.settings_stamp
    );
    let etag = cache::etag(&version, &url);
    if cache::not_modified(ctx.if_none_match.as_deref(), &etag) {
        let headers = Headers::new();
        cache::revalidate_headers(&headers, &etag)?;
        headers.set("Server-Timing", "cache;desc=\"not modified\"")?;
        return Ok(Response::empty()?.with_status(304).with_headers(headers));
    }
    let fresh_headers = || -> Result<Headers> {
        let headers = Headers::new();
        headers.set("Content-Type", content_type)?;
        headers.set("X-Content-Type-Options", "nosniff")?;
        cache::revalidate_headers(&headers, &etag)?;
        Ok(headers)
    };
    if let Some(mut hit) = cache::lookup(&url, &version).await {
        // A cached response's headers are immutable: its body goes out in a new one.
        let headers = fresh_headers()?;
        headers.set("Server-Timing", "cache;desc=\"hit\"")?;
        return Ok(Response::from_bytes(hit.bytes().await?)?.with_headers(headers));
    }
    let body = render().await?;
    let mut response = Response::ok(body)?.with_headers(fresh_headers()?);
    cache::store(&url, &version, ctx.config.page_fresh_secs, &mut response).await;
    Ok(response)
}

fn view<'a>(
    t: &'a colloquy_i18n::Strings<'static>,
    config: &'a Config,
    depth: usize,
    page_href: &'a dyn Fn(&str) -> String,
    replies_href: &'a dyn Fn(CommentId) -> String,
    locked: bool,
) -> View<'a> {
    View {
        t,
        max_depth: depth,
        gravatar_url: config.site.gravatar_url.as_deref(),
        page_href,
        replies_href,
        locked,
        feed_href: "",
        static_page: false,
    }
}

/// `GET /embed`: the whole widget, with the JSON it takes over from.
pub async fn embed(ctx: &Ctx<'_>) -> Result<Response> {
    let service = &ctx.service;
    let q = parse(&ctx.query)?;
    cached(
        ctx,
        &q.thread.thread,
        "text/html; charset=utf-8",
        || async {
            let page = service
                .thread(
                    &q.thread.thread,
                    q.thread.sort,
                    q.thread.cursor.as_deref(),
                    crate::env::now_ms(),
                )
                .await?;
            let lang = crate::language::of_page(ctx.service.site(), &q.lang);
            let title = if q.title.trim().is_empty() {
                page.title.clone().unwrap_or_default()
            } else {
                q.title.clone()
            };
            let depth = max_depth(&q);
            let state = EmbedState {
                thread: page.thread.clone(),
                title: title.clone(),
                sort: page.sort,
                next_cursor: page.next_cursor.clone(),
                total: page.total,
                max_depth: depth,
                lang: lang.tag().to_owned(),
                settings: page.settings.clone(),
            };
            let state = serde_json::to_string(&state)
                .map_err(|e| worker::Error::RustError(e.to_string()))?;
            let links = Links {
                base: ctx.base.clone(),
                query: q.clone(),
            };
            let (page_href, replies_href) = (|c: &str| links.page(c), |id| links.replies(id));
            let feed = colloquy_core::wire::endpoint::feed_url(&ctx.base, &page.thread);
            let view = View {
                feed_href: &feed,
                ..view(
                    lang.strings(),
                    ctx.config,
                    depth,
                    &page_href,
                    &replies_href,
                    page.locked,
                )
            };
            Ok(colloquy_markup::thread(
                &view,
                &Page {
                    thread: &page.thread,
                    title: &title,
                    total: page.total,
                    sort: page.sort,
                    comments: &page.comments,
                    next_cursor: page.next_cursor.as_deref(),
                },
                theme(&q),
                &state,
            ))
        },
    )
    .await
}

/// `GET /embed/more`: the next page's comments and its own "Show more".
pub async fn more(ctx: &Ctx<'_>) -> Result<Response> {
    let service = &ctx.service;
    let q = parse(&ctx.query)?;
    cached(
        ctx,
        &q.thread.thread,
        "text/html; charset=utf-8",
        || async {
            let page = service
                .thread(
                    &q.thread.thread,
                    q.thread.sort,
                    q.thread.cursor.as_deref(),
                    crate::env::now_ms(),
                )
                .await?;
            let links = Links {
                base: ctx.base.clone(),
                query: q.clone(),
            };
            let (page_href, replies_href) = (|c: &str| links.page(c), |id| links.replies(id));
            let lang = crate::language::of_page(ctx.service.site(), &q.lang);
            let view = view(
                lang.strings(),
                ctx.config,
                max_depth(&q),
                &page_href,
                &replies_href,
                page.locked,
            );
            Ok(colloquy_markup::page_fragment(
                &view,
                &page.comments,
                page.next_cursor.as_deref(),
            ))
        },
    )
    .await
}

/// The top-level comment `root` of this site and every reply under it.
/// A top-level comment with every reply under it, its thread, and whether that is locked.
struct Subtree {
    root: PublicComment,
    thread: String,
    locked: bool,
    replies: Vec<PublicComment>,
}

async fn subtree(service: &Service<'_, D1Store, Turnstile>, root: CommentId) -> Result<Subtree> {
    let context = service.context(root).await?;
    if context.comment.parent_id.is_some() {
        return Err(WorkerError::Request(ErrorCode::CommentNotFound));
    }
    let replies = service.replies(root).await?;
    Ok(Subtree {
        root: context.comment,
        thread: context.thread,
        locked: context.locked,
        replies: replies.comments,
    })
}

/// `GET /embed/replies/{id}`: every reply under a top-level comment.
pub async fn replies(ctx: &Ctx<'_>, root: CommentId) -> Result<Response> {
    let service = &ctx.service;
    let q = parse(&ctx.query)?;
    cached(
        ctx,
        &q.thread.thread,
        "text/html; charset=utf-8",
        || async {
            let tree = subtree(service, root).await?;
            if tree.thread != q.thread.thread.trim() {
                // The version that keys the cache is the asked thread's: never another's.
                return Err(WorkerError::Request(ErrorCode::CommentNotFound));
            }
            let links = Links {
                base: ctx.base.clone(),
                query: q.clone(),
            };
            let (page_href, replies_href) = (|c: &str| links.page(c), |id| links.replies(id));
            let lang = crate::language::of_page(ctx.service.site(), &q.lang);
            let view = view(
                lang.strings(),
                ctx.config,
                max_depth(&q),
                &page_href,
                &replies_href,
                tree.locked,
            );
            Ok(colloquy_markup::subtree_fragment(
                &view,
                &tree.root,
                &tree.replies,
            ))
        },
    )
    .await
}

/// `GET /feed[?thread=…]`: Atom, cached and revalidated like the thread's pages (the
/// site's feed under the site-wide version every write renews).
pub async fn feed(ctx: &Ctx<'_>) -> Result<Response> {
    let service = &ctx.service;
    let thread = colloquy_core::wire::endpoint::query_value(&ctx.query, "thread")
        .filter(|t| !t.trim().is_empty());
    let self_url = ctx.url.to_string();
    let version_key = thread
        .clone()
        .unwrap_or_else(|| crate::cache::SITE_WIDE.to_owned());
    cached(
        ctx,
        &version_key,
        "application/atom+xml; charset=utf-8",
        || async {
            Ok(service
                .feed(thread.as_deref(), &self_url, crate::env::now_ms())
                .await?)
        },
    )
    .await
}

/// `GET /view`: a whole document (a page of the thread, or one subtree).
pub async fn document(ctx: &Ctx<'_>) -> Result<Response> {
    let service = &ctx.service;
    let q = parse(&ctx.query)?;
    cached(
        ctx,
        &q.thread.thread,
        "text/html; charset=utf-8",
        || async {
            let page = service
                .thread(
                    &q.thread.thread,
                    q.thread.sort,
                    q.thread.cursor.as_deref(),
                    crate::env::now_ms(),
                )
                .await?;
            let (comments, next) = match q.root {
                Some(root) => {
                    let tree = subtree(service, root).await?;
                    if tree.thread != q.thread.thread.trim() {
                        // Another thread's comment is never shown (nor cached) as this one's.
                        return Err(WorkerError::Request(ErrorCode::CommentNotFound));
                    }
                    let mut all = vec![tree.root];
                    all.extend(tree.replies);
                    (all, None)
                }
                None => (page.comments.clone(), page.next_cursor.clone()),
            };
            let lang = crate::language::of_page(ctx.service.site(), &q.lang);
            let title = if q.title.trim().is_empty() {
                page.title.clone().unwrap_or_default()
            } else {
                q.title.clone()
            };
            let links = Links {
                base: ctx.base.clone(),
                query: q.clone(),
            };
            let (page_href, replies_href) = (|c: &str| links.page(c), |id| links.replies(id));
            let view = View {
                static_page: true,
                ..view(
                    lang.strings(),
                    ctx.config,
                    max_depth(&q),
                    &page_href,
                    &replies_href,
                    page.locked,
                )
            };
            // A link back only to the site's own pages: this page is on the comment
            // server's domain, and must not lend it to a link anywhere else.
            let back = url::Url::parse(&q.page)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .filter(|u| ctx.config.origin_allowed(&u.origin().ascii_serialization()))
                .map(|_| q.page.as_str());
            Ok(colloquy_markup::document(
                &view,
                &Page {
                    thread: &page.thread,
                    title: &title,
                    total: page.total,
                    sort: page.sort,
                    comments: &comments,
                    next_cursor: next.as_deref(),
                },
                &format!("{}/style.css", ctx.origin),
                back,
                &colloquy_markup::PlainNav {
                    // A subtree page has no order of its own to choose.
                    sorts: if q.root.is_none() {
                        [Sort::Oldest, Sort::Newest, Sort::Liked]
                            .into_iter()
                            .map(|s| (s, links.first(s)))
                            .collect()
                    } else {
                        Vec::new()
                    },
                    first: (q.thread.cursor.is_some() || q.root.is_some())
                        .then(|| links.first(page.sort)),
                },
            ))
        },
    )
    .await
}

/// A comment just posted, as HTML, when the request asked (`?lang=…&depth=…[&flat=1]`):
/// the widget inserts it as sent, so it never builds a comment's markup itself.
pub fn rendered_comment(
    query: &str,
    config: &Config,
    comment: &PublicComment,
    parent_name: Option<&str>,
) -> Option<String> {
    let values = |name| colloquy_core::wire::endpoint::query_values(query, name);
    let lang = values("lang").into_iter().next()?;
    let depth: usize = values("depth").first()?.parse().ok()?;
    let flat = values("flat").first().is_some_and(|f| f == "1");
    let max = values("max_depth")
        .first()
        .and_then(|d| d.parse().ok())
        .unwrap_or(defaults::MAX_DEPTH)
        .clamp(1, defaults::MAX_DEPTH_LIMIT);
    let none = |_: &str| String::new();
    let none_id = |_: CommentId| String::new();
    let view = view(
        crate::language::of_page(&config.site, &lang).strings(),
        config,
        max,
        &none,
        &none_id,
        false,
    );
    Some(colloquy_markup::single(
        &view,
        comment,
        depth.clamp(1, max),
        flat,
        parent_name,
    ))
}
