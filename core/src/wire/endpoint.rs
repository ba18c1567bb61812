//! The URL space of the API, written once: the Worker routes with [`Endpoint::parse`], the
//! widget and the tests build URLs with [`Endpoint::path`], so neither side can drift.

use crate::wire::api::{CommentId, Sort};

/// Every API path starts with this, so a breaking change can live beside it as `/api/v2`.
pub const API_PREFIX: &str = "/api/v1";

/// The HTTP methods the API uses. Anything else is answered `405` before routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// `None` for methods the API never answers (and for `OPTIONS`, which is CORS's).
    pub fn parse(s: &str) -> Option<Method> {
        [Method::Get, Method::Post, Method::Patch, Method::Delete]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

/// One operation of the API: a method on a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /health`
    Health,
    /// `GET /comments?thread=…&sort=…&cursor=…` (see [`ThreadQuery`])
    ListThread,
    /// `POST /comments`
    PostComment,
    /// `GET /comments/{id}`: a comment and its top-level ancestor, for permalinks.
    CommentContext(CommentId),
    /// `PATCH /comments/{id}`
    EditComment(CommentId),
    /// `DELETE /comments/{id}`
    DeleteComment(CommentId),
    /// `GET /comments/{id}/replies`
    Replies(CommentId),
    /// `GET /comments/{id}/pending?token=…`: whether a comment its author holds a pending
    /// token for still waits, was published, or is gone (the author's browser keeps a
    /// copy of it only while it waits).
    PendingState(CommentId),
    /// `POST /comments/{id}/like`
    Like(CommentId),
    /// `DELETE /comments/{id}/like`
    Unlike(CommentId),
    /// `POST /preview`
    Preview,
    /// `GET /counts?thread=a&thread=b`
    Counts,
    /// `GET /feed?thread=…` (one thread) or `GET /feed` (the whole site): Atom.
    Feed,
    /// `GET /form-token?thread=…`
    FormToken,
    /// `GET /embed?…` (see [`EmbedQuery`]): the whole widget as server-rendered HTML.
    Embed,
    /// `GET /embed/more?…`: the next page's comments as HTML.
    EmbedMore,
    /// `GET /embed/replies/{id}?…`: every reply under a top-level comment, as HTML.
    EmbedReplies(CommentId),
    /// `GET /view?…`: a whole HTML document of the thread, for readers without
    /// JavaScript, the "Show more" links before the widget takes over, and crawlers.
    View,
    /// `POST /comments/{id}/report`: a reader reports a comment.
    Report(CommentId),
    /// `POST /subscriptions/confirm?token=…` (the link in the confirmation email opens a
    /// page that sends this).
    ConfirmSubscription,
    /// `POST /subscriptions/unsubscribe?token=…` (one click, RFC 8058).
    Unsubscribe,
    /// `GET /subscriptions/confirm?…`: the page the confirmation email links to. It only
    /// shows a button that sends [`Endpoint::ConfirmSubscription`], so a mail scanner
    /// opening the link confirms nothing.
    ConfirmPage,
    /// `GET /subscriptions/unsubscribe?…`: a page with the unsubscribe button.
    UnsubscribePage,
    /// The owner's console, under `/admin/…` (session cookie, same origin only).
    Admin(AdminOp),
}

/// The console's operations, under `/api/v1/admin/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminOp {
    /// `POST login`
    Login,
    /// `POST logout`
    Logout,
    /// `POST logout-everywhere`: every console session ends.
    LogoutEverywhere,
    /// `GET session`
    Session,
    /// `GET comments?tab=…&q=…&before=…`
    Comments,
    /// `GET comment-ids?tab=…&q=…`: every comment of a list ("select all N matching").
    CommentIds,
    /// `GET counts`: what waits in each queue tab.
    Counts,
    /// `POST moderate`
    Moderate,
    /// `GET threads`
    Threads,
    /// `POST threads`: lock/unlock, pin/unpin.
    ChangeThread,
    /// `GET blocks`
    Blocks,
    /// `POST blocks`
    ChangeBlock,
    /// `POST purge`: everything from one commenter.
    Purge,
    /// `POST reply`: answer as the owner.
    Reply,
    /// `POST edit`: correct a comment's text.
    EditComment,
    /// `POST webhook-test`: a test message to a saved webhook.
    WebhookTest,
    /// `GET deliveries`: where the newest webhook deliveries stand.
    Deliveries,
    /// `GET stats`: the last 30 days at a glance.
    Stats,
    /// `GET settings`
    Settings,
    /// `POST settings`
    SaveSettings,
    /// `POST badge`: a new badge token.
    Badge,
    /// `GET audit`
    Audit,
    /// `GET export?email=…`
    Export,
    /// `POST erase`
    Erase,
    /// `GET site-export?after=…`: the whole site, a page of threads at a time.
    SiteExport,
    /// `POST import`: one batch of prepared comments (the console's upload, `colloquy
    /// import --to`).
    Import,
    /// `GET sites`: the deployment's sites (the operator only).
    Sites,
    /// `POST sites`: a new site (the operator only).
    CreateSite,
    /// `POST site-key`: a new console key for a site's owner (the operator only).
    SiteKey,
    /// `POST switch-site`: the operator opens another site's console.
    SwitchSite,
    /// `POST move-site`: move a site to another database, a bounded part per request
    /// (the operator only).
    MoveSite,
}

impl AdminOp {
    pub const ALL: [AdminOp; 31] = [
        AdminOp::Login,
        AdminOp::Logout,
        AdminOp::LogoutEverywhere,
        AdminOp::Session,
        AdminOp::Comments,
        AdminOp::CommentIds,
        AdminOp::Counts,
        AdminOp::Moderate,
        AdminOp::Threads,
        AdminOp::ChangeThread,
        AdminOp::Blocks,
        AdminOp::ChangeBlock,
        AdminOp::Purge,
        AdminOp::Reply,
        AdminOp::EditComment,
        AdminOp::WebhookTest,
        AdminOp::Deliveries,
        AdminOp::Stats,
        AdminOp::Settings,
        AdminOp::SaveSettings,
        AdminOp::Badge,
        AdminOp::Audit,
        AdminOp::Export,
        AdminOp::Erase,
        AdminOp::SiteExport,
        AdminOp::Import,
        AdminOp::Sites,
        AdminOp::CreateSite,
        AdminOp::SiteKey,
        AdminOp::SwitchSite,
        AdminOp::MoveSite,
    ];

    fn name(self) -> &'static str {
        use AdminOp::*;
        match self {
            Login => "login",
            Logout => "logout",
            LogoutEverywhere => "logout-everywhere",
            Session => "session",
            Comments => "comments",
            CommentIds => "comment-ids",
            Counts => "counts",
            Moderate => "moderate",
            Threads | ChangeThread => "threads",
            Blocks | ChangeBlock => "blocks",
            Purge => "purge",
            Reply => "reply",
            EditComment => "edit",
            WebhookTest => "webhook-test",
            Deliveries => "deliveries",
            Stats => "stats",
            Settings | SaveSettings => "settings",
            Badge => "badge",
            Audit => "audit",
            Export => "export",
            Erase => "erase",
            SiteExport => "site-export",
            Import => "import",
            Sites | CreateSite => "sites",
            SiteKey => "site-key",
            SwitchSite => "switch-site",
            MoveSite => "move-site",
        }
    }

    fn method(self) -> Method {
        use AdminOp::*;
        match self {
            Session | Comments | CommentIds | Counts | Threads | Blocks | Settings | Audit
            | Export | SiteExport | Deliveries | Stats | Sites => Method::Get,
            _ => Method::Post,
        }
    }
}

/// Why a path and method name no endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteError {
    /// No resource at this path.
    NotFound,
    /// The resource exists but does not answer this method.
    MethodNotAllowed,
}

/// The resources, without their methods.
enum Resource {
    Health,
    Comments,
    Comment(CommentId),
    Replies(CommentId),
    Pending(CommentId),
    Like(CommentId),
    Preview,
    Counts,
    Feed,
    FormToken,
    Embed,
    EmbedMore,
    EmbedReplies(CommentId),
    View,
    Report(CommentId),
    Subscriptions(&'static str),
    Admin(&'static str),
}

impl Endpoint {
    /// Route a request: `path` is the URL's path (`/api/v1/comments/5`), query excluded.
    pub fn parse(method: Method, path: &str) -> Result<Endpoint, RouteError> {
        use Endpoint as E;
        use Method::*;
        let rest = path
            .strip_prefix(API_PREFIX)
            .and_then(|r| r.strip_prefix('/'))
            .ok_or(RouteError::NotFound)?;
        let segments: Vec<&str> = rest.split('/').collect();
        let id = |s: &str| s.parse::<CommentId>().map_err(|()| RouteError::NotFound);
        let resource = match segments.as_slice() {
            ["health"] => Resource::Health,
            ["comments"] => Resource::Comments,
            ["comments", n] => Resource::Comment(id(n)?),
            ["comments", n, "replies"] => Resource::Replies(id(n)?),
            ["comments", n, "pending"] => Resource::Pending(id(n)?),
            ["comments", n, "like"] => Resource::Like(id(n)?),
            ["preview"] => Resource::Preview,
            ["counts"] => Resource::Counts,
            ["feed"] => Resource::Feed,
            ["form-token"] => Resource::FormToken,
            ["embed"] => Resource::Embed,
            ["embed", "more"] => Resource::EmbedMore,
            ["embed", "replies", n] => Resource::EmbedReplies(id(n)?),
            ["view"] => Resource::View,
            ["comments", n, "report"] => Resource::Report(id(n)?),
            ["subscriptions", "confirm"] => Resource::Subscriptions("confirm"),
            ["subscriptions", "unsubscribe"] => Resource::Subscriptions("unsubscribe"),
            ["admin", name] => Resource::Admin(
                AdminOp::ALL
                    .iter()
                    .map(|op| op.name())
                    .find(|n| n == name)
                    .ok_or(RouteError::NotFound)?,
            ),
            _ => return Err(RouteError::NotFound),
        };
        Ok(match (resource, method) {
            (Resource::Health, Get) => E::Health,
            (Resource::Comments, Get) => E::ListThread,
            (Resource::Comments, Post) => E::PostComment,
            (Resource::Comment(id), Get) => E::CommentContext(id),
            (Resource::Comment(id), Patch) => E::EditComment(id),
            (Resource::Comment(id), Delete) => E::DeleteComment(id),
            (Resource::Replies(id), Get) => E::Replies(id),
            (Resource::Pending(id), Get) => E::PendingState(id),
            (Resource::Like(id), Post) => E::Like(id),
            (Resource::Like(id), Delete) => E::Unlike(id),
            (Resource::Preview, Post) => E::Preview,
            (Resource::Counts, Get) => E::Counts,
            (Resource::Feed, Get) => E::Feed,
            (Resource::FormToken, Get) => E::FormToken,
            (Resource::Embed, Get) => E::Embed,
            (Resource::EmbedMore, Get) => E::EmbedMore,
            (Resource::EmbedReplies(id), Get) => E::EmbedReplies(id),
            (Resource::View, Get) => E::View,
            (Resource::Report(id), Post) => E::Report(id),
            (Resource::Subscriptions("confirm"), Post) => E::ConfirmSubscription,
            (Resource::Subscriptions(_), Post) => E::Unsubscribe,
            (Resource::Subscriptions("confirm"), Get) => E::ConfirmPage,
            (Resource::Subscriptions(_), Get) => E::UnsubscribePage,
            (Resource::Admin(name), m) => E::Admin(
                AdminOp::ALL
                    .into_iter()
                    .find(|op| op.name() == name && op.method() == m)
                    .ok_or(RouteError::MethodNotAllowed)?,
            ),
            _ => return Err(RouteError::MethodNotAllowed),
        })
    }

    pub fn method(self) -> Method {
        use Endpoint as E;
        match self {
            E::Health
            | E::ListThread
            | E::CommentContext(_)
            | E::Replies(_)
            | E::PendingState(_)
            | E::Counts
            | E::Feed
            | E::FormToken
            | E::Embed
            | E::EmbedMore
            | E::EmbedReplies(_)
            | E::ConfirmPage
            | E::UnsubscribePage
            | E::View => Method::Get,
            E::PostComment
            | E::Like(_)
            | E::Preview
            | E::Report(_)
            | E::ConfirmSubscription
            | E::Unsubscribe => Method::Post,
            E::Admin(op) => op.method(),
            E::EditComment(_) => Method::Patch,
            E::DeleteComment(_) | E::Unlike(_) => Method::Delete,
        }
    }

    /// The absolute path, e.g. `/api/v1/comments/5/like`.
    pub fn path(self) -> String {
        use Endpoint as E;
        let tail = match self {
            E::Health => "health".to_owned(),
            E::ListThread | E::PostComment => "comments".to_owned(),
            E::CommentContext(id) | E::EditComment(id) | E::DeleteComment(id) => {
                format!("comments/{id}")
            }
            E::Replies(id) => format!("comments/{id}/replies"),
            E::PendingState(id) => format!("comments/{id}/pending"),
            E::Like(id) | E::Unlike(id) => format!("comments/{id}/like"),
            E::Preview => "preview".to_owned(),
            E::Counts => "counts".to_owned(),
            E::Feed => "feed".to_owned(),
            E::FormToken => "form-token".to_owned(),
            E::Embed => "embed".to_owned(),
            E::EmbedMore => "embed/more".to_owned(),
            E::EmbedReplies(id) => format!("embed/replies/{id}"),
            E::View => "view".to_owned(),
            E::Report(id) => format!("comments/{id}/report"),
            E::ConfirmSubscription | E::ConfirmPage => "subscriptions/confirm".to_owned(),
            E::Unsubscribe | E::UnsubscribePage => "subscriptions/unsubscribe".to_owned(),
            E::Admin(op) => format!("admin/{}", op.name()),
        };
        format!("{API_PREFIX}/{tail}")
    }

    /// The URL under a deployment's base (`https://comments.example.org/`, ending in `/`).
    pub fn url(self, base: &str) -> String {
        format!("{}{}", base.trim_end_matches('/'), self.path())
    }

    /// Writes change state and must pass the write guards (origin, media type, size).
    pub fn is_write(self) -> bool {
        self.method() != Method::Get
    }

    /// Writes authorized by a token in their link (subscription emails), not by where
    /// they come from: mail clients send the one-click unsubscribe with no Origin.
    pub fn is_link_write(self) -> bool {
        matches!(self, Endpoint::ConfirmSubscription | Endpoint::Unsubscribe)
    }

    /// The console's, answered only to its own origin with a session.
    pub fn is_admin(self) -> bool {
        matches!(self, Endpoint::Admin(_))
    }
}

/// The query of [`Endpoint::ListThread`]: which thread, in which order, from where.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThreadQuery {
    pub thread: String,
    pub sort: Sort,
    pub cursor: Option<String>,
}

impl ThreadQuery {
    /// `thread=…&sort=…[&cursor=…]`, percent-encoded.
    pub fn to_query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("thread", &self.thread)
            .append_pair("sort", self.sort.as_str());
        if let Some(c) = &self.cursor {
            q.append_pair("cursor", c);
        }
        q.finish()
    }

    /// The inverse of [`ThreadQuery::to_query`]. A missing sort is the default; an unknown
    /// one is `None` (reported like a bad cursor: the paging parameters are wrong).
    pub fn parse(query: &str) -> Option<ThreadQuery> {
        let mut out = ThreadQuery::default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match &*k {
                "thread" if out.thread.is_empty() => out.thread = v.into_owned(),
                "sort" => out.sort = Sort::parse(&v)?,
                "cursor" if out.cursor.is_none() => {
                    out.cursor = Some(v.into_owned()).filter(|c| !c.is_empty())
                }
                _ => {}
            }
        }
        Some(out)
    }

    /// The full URL under a deployment's base.
    pub fn url(&self, base: &str) -> String {
        format!("{}?{}", Endpoint::ListThread.url(base), self.to_query())
    }
}

/// What a server-rendered view shows and how: the thread and its order (and where to
/// continue), and the page's display choices.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmbedQuery {
    pub thread: ThreadQuery,
    /// `data-colloquy-lang` or the page's `<html lang>`; empty: the default language.
    pub lang: String,
    /// The page's title for the heading; empty: the title stored with the thread.
    pub title: String,
    /// `light`, `dark` or `auto`; empty: the default.
    pub theme: String,
    /// Deepest nesting; 0: the default.
    pub depth: usize,
    /// For [`Endpoint::View`]: show this top-level comment with its whole subtree.
    pub root: Option<CommentId>,
    /// The page the thread belongs to (a link back, on [`Endpoint::View`]).
    pub page: String,
}

impl EmbedQuery {
    pub fn to_query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("thread", &self.thread.thread)
            .append_pair("sort", self.thread.sort.as_str());
        if let Some(c) = &self.thread.cursor {
            q.append_pair("cursor", c);
        }
        for (k, v) in [
            ("lang", &self.lang),
            ("title", &self.title),
            ("theme", &self.theme),
            ("page", &self.page),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        if self.depth > 0 {
            q.append_pair("depth", &self.depth.to_string());
        }
        if let Some(root) = self.root {
            q.append_pair("root", &root.to_string());
        }
        q.finish()
    }

    /// `None` for an unknown sort (like [`ThreadQuery::parse`]); unknown or malformed
    /// display options fall back to their defaults.
    pub fn parse(query: &str) -> Option<EmbedQuery> {
        let mut out = EmbedQuery {
            thread: ThreadQuery::parse(query)?,
            ..Default::default()
        };
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match &*k {
                "lang" => out.lang = v.chars().take(35).collect(),
                "title" => out.title = v.chars().take(crate::wire::limits::THREAD_TITLE).collect(),
                "theme" => out.theme = v.into_owned(),
                "depth" => out.depth = v.parse().unwrap_or(0),
                "root" => out.root = v.parse().ok(),
                "page" => out.page = v.chars().take(crate::wire::limits::THREAD_URL).collect(),
                _ => {}
            }
        }
        Some(out)
    }

    /// The URL of `endpoint` with this query under a deployment's base.
    pub fn url(&self, base: &str, endpoint: Endpoint) -> String {
        format!("{}?{}", endpoint.url(base), self.to_query())
    }
}

/// The URL of [`Endpoint::FormToken`] for a thread.
pub fn form_token_url(base: &str, thread: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("thread", thread)
        .finish();
    format!("{}?{query}", Endpoint::FormToken.url(base))
}

/// The URL of a thread's Atom feed ([`Endpoint::Feed`]).
pub fn feed_url(base: &str, thread: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("thread", thread)
        .finish();
    format!("{}?{query}", Endpoint::Feed.url(base))
}

/// The query of [`Endpoint::Counts`]: every `thread` value, in order.
pub fn counts_query(keys: &[&str]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for k in keys {
        q.append_pair("thread", k);
    }
    q.finish()
}

/// The first value of `name` in a query string (what a single-valued parameter means when
/// it is repeated).
/// `site=<id>` for a console login (empty for the deployment's own site).
pub fn site_query(site: &str) -> String {
    let site = site.trim();
    if site.is_empty() {
        String::new()
    } else {
        let mut out = String::from("site=");
        out.extend(url::form_urlencoded::byte_serialize(site.as_bytes()));
        out
    }
}

pub fn query_value(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Every value of `name` in a query string.
pub fn query_values(query: &str, name: &str) -> Vec<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

#[cfg(test)]
mod tests;
