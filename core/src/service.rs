//! The business layer: what listing a thread, posting, editing and deleting a comment
//! mean, over any [`CommentStore`]. The Worker only parses HTTP, calls these, and serializes
//! the result; network checks (Turnstile) happen in the Worker between [`Service::precheck`]
//! and [`Service::create`].

use std::collections::BTreeMap;

use crate::api::{
    CommentContext, CountsResponse, CreatedComment, DeleteComment, EditComment, ErrorBody,
    ErrorCode, FieldError, LikeRequest, LikeState, NewComment, PreviewResponse, PublicComment,
    RepliesPage, Sort, ThreadPage, WidgetSettings,
};
use crate::model::{CommentId, CommentRecord, CommentStatus};
use crate::ratelimit::RateLimit;
use crate::render;
use crate::store::{
    CommentStore, HitRateLimit, InsertComment, ListReplies, ListTopLevel, StoreError, UpdateBody,
    UpsertThread, VISIBLE,
};
use crate::thread::{prune_deleted, CursorPos};
use crate::token::{Keys, TokenError};
use crate::validate::{self, ValidComment};
use crate::Field;

/// Everything that can go wrong in the business layer, each mapped to one [`ErrorCode`].
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("parent comment not found in this thread")]
    ParentNotFound,
    #[error("form token refused: {0}")]
    Form(TokenError),
    #[error("honeypot field was filled in")]
    Spam,
    #[error("rate limited for {retry_after_secs}s")]
    RateLimited { retry_after_secs: u32 },
    #[error("edit token refused: {0}")]
    EditToken(TokenError),
    #[error("comment not found")]
    CommentNotFound,
    #[error("paging cursor is invalid")]
    Cursor,
    #[error("reader id is invalid")]
    Reader,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    /// The single mapping from business errors to error codes.
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::Invalid(_) => ErrorCode::ValidationFailed,
            ServiceError::ParentNotFound => ErrorCode::ParentNotFound,
            ServiceError::Form(TokenError::TooFast) => ErrorCode::TooFast,
            ServiceError::Form(TokenError::Expired) => ErrorCode::FormExpired,
            ServiceError::Form(_) => ErrorCode::FormTokenInvalid,
            ServiceError::Spam => ErrorCode::SpamSuspected,
            ServiceError::RateLimited { .. } => ErrorCode::RateLimited,
            ServiceError::EditToken(TokenError::Expired) => ErrorCode::EditWindowClosed,
            ServiceError::EditToken(_) => ErrorCode::EditTokenInvalid,
            ServiceError::CommentNotFound => ErrorCode::CommentNotFound,
            ServiceError::Cursor => ErrorCode::CursorInvalid,
            ServiceError::Reader => ErrorCode::ReaderInvalid,
            ServiceError::Store(_) => ErrorCode::Unavailable,
        }
    }

    /// The public error body: the code, its message, and field details where they help.
    pub fn to_body(&self) -> ErrorBody {
        let fields = match self {
            ServiceError::Invalid(fields) => fields.clone(),
            ServiceError::ParentNotFound => vec![FieldError {
                field: Field::ParentId,
                code: ErrorCode::ParentNotFound,
            }],
            _ => Vec::new(),
        };
        ErrorBody::with_fields(self.code(), fields)
    }

    /// Seconds for a `Retry-After` header, when the client should simply wait.
    pub fn retry_after_secs(&self) -> Option<u32> {
        match self {
            ServiceError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

/// Format milliseconds since the epoch as UTC RFC 3339 with millisecond precision.
pub fn rfc3339(ms: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    let nanos = i128::from(ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// One site's settings, as the Worker read them from its configuration.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub id: String,
    /// How long after posting the author may edit or delete (0 turns editing off).
    pub edit_window_secs: u32,
    /// The least time between showing the form and sending it.
    pub min_submit_ms: i64,
    /// The longest a shown form stays valid.
    pub form_max_age_ms: i64,
    /// Limits on comment creation per client.
    pub comment_limits: Vec<RateLimit>,
    pub turnstile_site_key: Option<String>,
    pub turnstile_script_url: Option<String>,
    /// Top-level comments per page.
    pub page_size: u32,
    /// Replies sent with each top-level comment of a page; the rest load on request.
    pub reply_preview: u32,
    /// Limits on likes per client.
    pub like_limits: Vec<RateLimit>,
    /// Hold new comments for moderation instead of publishing them at once.
    pub moderation: bool,
    /// The site owner's key; comments posted with it get the author badge.
    pub owner_key: Option<String>,
    /// Gravatar's image base URL: when set (the owner's opt-in), Gravatar hashes are
    /// published and the widget shows Gravatar images.
    pub gravatar_url: Option<String>,
}

/// Most thread keys one counts request may ask about (D1 binds at most 100 values).
pub const MAX_COUNT_KEYS: usize = 50;

impl SiteConfig {
    /// Defaults for a site that configured nothing.
    pub fn new(id: &str) -> Self {
        SiteConfig {
            id: id.to_owned(),
            edit_window_secs: 15 * 60,
            min_submit_ms: 3_000,
            form_max_age_ms: 7 * 24 * 3600 * 1000,
            comment_limits: crate::ratelimit::parse_limits(
                crate::ratelimit::DEFAULT_COMMENT_LIMITS,
            )
            .expect("default limits parse"),
            turnstile_site_key: None,
            turnstile_script_url: None,
            page_size: 20,
            reply_preview: 10,
            like_limits: crate::ratelimit::parse_limits("60/60,600/3600")
                .expect("like limits parse"),
            moderation: false,
            owner_key: None,
            gravatar_url: None,
        }
    }
}

/// One site's comment service over a store.
pub struct Service<'s, S> {
    store: &'s S,
    site: &'s SiteConfig,
    keys: &'s Keys,
}

impl<'s, S: CommentStore> Service<'s, S> {
    pub fn new(store: &'s S, site: &'s SiteConfig, keys: &'s Keys) -> Self {
        Service { store, site, keys }
    }

    fn public(&self, record: &CommentRecord) -> PublicComment {
        let public = record.to_public(rfc3339, self.keys.avatar_hash(&record.author_email));
        if self.site.gravatar_url.is_some() && !public.deleted {
            PublicComment {
                gravatar: Some(crate::token::gravatar_hash(&record.author_email)),
                ..public
            }
        } else {
            public
        }
    }

    /// One page of a thread: top-level comments in `sort` order after `cursor`, each with
    /// its first replies, plus a fresh form token. An unknown key is an empty thread, not an
    /// error: every page starts with no comments.
    pub async fn thread(
        &self,
        key: &str,
        sort: Sort,
        cursor: Option<&str>,
        now_ms: i64,
    ) -> Result<ThreadPage, ServiceError> {
        let key = key.trim();
        validate::thread_key(key).map_err(|code| {
            ServiceError::Invalid(vec![FieldError {
                field: Field::Thread,
                code,
            }])
        })?;
        let after = match cursor.filter(|c| !c.is_empty()) {
            Some(c) => Some(CursorPos::decode(c, sort).ok_or(ServiceError::Cursor)?),
            None => None,
        };
        let found = self.store.find_thread(&self.site.id, key).await?;
        let (title, comments, next_cursor, total) = match found {
            None => (None, Vec::new(), None, 0),
            Some(thread) => {
                let limit = self.site.page_size.max(1);
                let mut top = self
                    .store
                    .list_top_level(ListTopLevel {
                        thread_id: thread.id,
                        sort,
                        after,
                        limit: limit + 1,
                    })
                    .await?;
                let next_cursor = (top.len() > limit as usize).then(|| {
                    top.truncate(limit as usize);
                    let last = top.last().expect("a full page has a last comment");
                    let key = if sort == Sort::Liked {
                        i64::from(last.likes)
                    } else {
                        last.created_at_ms
                    };
                    CursorPos { key, id: last.id.0 }.encode(sort)
                });
                let comments = self.with_replies(&top).await?;
                let total = self
                    .store
                    .count_visible(&self.site.id, &[key])
                    .await?
                    .get(key)
                    .copied()
                    .unwrap_or(0);
                (thread.title, comments, next_cursor, total)
            }
        };
        Ok(ThreadPage {
            thread: key.to_owned(),
            title,
            total,
            comments,
            sort,
            next_cursor,
            form_token: self.keys.form_token(&self.site.id, now_ms),
            settings: WidgetSettings {
                edit_window_secs: self.site.edit_window_secs,
                min_submit_secs: u32::try_from((self.site.min_submit_ms + 999).div_euclid(1000))
                    .unwrap_or(0),
                turnstile_site_key: self.site.turnstile_site_key.clone(),
                turnstile_script_url: self.site.turnstile_script_url.clone(),
                gravatar_url: self.site.gravatar_url.clone(),
            },
        })
    }

    /// Top-level comments (in their given order) followed by their first replies, with
    /// reply totals filled in and childless "[deleted]" placeholders dropped.
    async fn with_replies(
        &self,
        top: &[CommentRecord],
    ) -> Result<Vec<PublicComment>, ServiceError> {
        let root_ids: Vec<CommentId> = top.iter().map(|c| c.id).collect();
        if root_ids.is_empty() {
            return Ok(Vec::new());
        }
        let replies = self
            .store
            .list_replies(ListReplies {
                root_ids: &root_ids,
                per_root: Some(self.site.reply_preview),
            })
            .await?;
        let counts = self.store.count_replies(&root_ids).await?;
        let mut out: Vec<PublicComment> = top
            .iter()
            .map(|r| PublicComment {
                descendants: counts.get(&r.id).copied().unwrap_or(0),
                ..self.public(r)
            })
            .collect();
        out.extend(replies.iter().map(|r| self.public(r)));
        Ok(prune_deleted(out))
    }

    /// Every visible reply under top-level comment `root_id` ("Show N more replies").
    pub async fn replies(&self, root_id: CommentId) -> Result<RepliesPage, ServiceError> {
        match self.store.find_comment(root_id).await? {
            Some(root) if root.parent_id.is_none() && VISIBLE.contains(&root.status) => {}
            _ => return Err(ServiceError::CommentNotFound),
        }
        let replies = self
            .store
            .list_replies(ListReplies {
                root_ids: &[root_id],
                per_root: None,
            })
            .await?;
        let comments = replies.iter().map(|r| self.public(r)).collect();
        Ok(RepliesPage {
            root_id,
            comments: prune_deleted(comments),
        })
    }

    /// One visible comment and its top-level ancestor, for permalinks.
    pub async fn context(&self, id: CommentId) -> Result<CommentContext, ServiceError> {
        match self.store.find_comment(id).await? {
            Some(c) if c.status == CommentStatus::Approved => Ok(CommentContext {
                root_id: c.root_id.unwrap_or(c.id),
                comment: self.public(&c),
            }),
            _ => Err(ServiceError::CommentNotFound),
        }
    }

    /// Like (or un-like) a published comment once per reader.
    pub async fn like(
        &self,
        id: CommentId,
        input: &LikeRequest,
        liked: bool,
        client_hash: &str,
        now_ms: i64,
    ) -> Result<LikeState, ServiceError> {
        let reader = input.reader.trim();
        let well_formed = (16..=64).contains(&reader.len())
            && reader
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !well_formed {
            return Err(ServiceError::Reader);
        }
        self.count_against("like", &self.site.like_limits, client_hash, now_ms)
            .await?;
        match self.store.find_comment(id).await? {
            Some(c) if c.status == CommentStatus::Approved => {}
            _ => return Err(ServiceError::CommentNotFound),
        }
        let reader_hash = self.keys.client_hash(&format!("reader:{reader}"));
        let likes = self.store.set_like(id, &reader_hash, liked, now_ms).await?;
        Ok(LikeState { likes, liked })
    }

    /// Render a body exactly as publishing it would, storing nothing.
    pub fn preview(&self, body: &str) -> Result<PreviewResponse, ServiceError> {
        let body = body.trim();
        validate::body_text(body).map_err(|code| {
            ServiceError::Invalid(vec![FieldError {
                field: Field::Body,
                code,
            }])
        })?;
        Ok(PreviewResponse {
            html: render::comment_html(body),
        })
    }

    /// Visible comment counts for many threads at once (index pages).
    pub async fn counts(&self, keys: &[String]) -> Result<CountsResponse, ServiceError> {
        let mut valid: Vec<&str> = Vec::new();
        for key in keys.iter().map(|k| k.trim()) {
            validate::thread_key(key).map_err(|code| {
                ServiceError::Invalid(vec![FieldError {
                    field: Field::Thread,
                    code,
                }])
            })?;
            if !valid.contains(&key) {
                valid.push(key);
            }
        }
        if valid.len() > MAX_COUNT_KEYS {
            return Err(ServiceError::Invalid(vec![FieldError {
                field: Field::Thread,
                code: ErrorCode::ThreadTooLong,
            }]));
        }
        let found = if valid.is_empty() {
            Default::default()
        } else {
            self.store.count_visible(&self.site.id, &valid).await?
        };
        let counts: BTreeMap<String, u32> = valid
            .iter()
            .map(|k| ((*k).to_owned(), found.get(*k).copied().unwrap_or(0)))
            .collect();
        Ok(CountsResponse { counts })
    }

    /// The checks that need no storage or network: honeypot, form timing, field validation.
    /// Cheap rejections first, so bots cost as little as possible.
    pub fn precheck(&self, input: &NewComment, now_ms: i64) -> Result<ValidComment, ServiceError> {
        if input
            .honeypot
            .as_deref()
            .is_some_and(|h| !h.trim().is_empty())
        {
            return Err(ServiceError::Spam);
        }
        self.keys
            .verify_form_token(
                &input.form_token,
                &self.site.id,
                now_ms,
                self.site.min_submit_ms,
                self.site.form_max_age_ms,
            )
            .map_err(ServiceError::Form)?;
        validate::new_comment(input).map_err(ServiceError::Invalid)
    }

    /// Rate-limit, check the parent, render and store a prechecked comment.
    pub async fn create(
        &self,
        valid: &ValidComment,
        client_hash: &str,
        now_ms: i64,
    ) -> Result<CreatedComment, ServiceError> {
        let is_owner = self.is_owner_key(valid.owner_key.as_deref());
        self.count_against("comment", &self.site.comment_limits, client_hash, now_ms)
            .await?;
        let mut root_id = None;
        let thread_id = match valid.parent_id {
            // A reply: its parent must be a visible comment of this very thread, so the
            // thread already exists and its title is not rewritten by a reply.
            Some(parent_id) => {
                let parent = self.store.find_comment(parent_id).await?;
                let thread = self.store.find_thread(&self.site.id, &valid.thread).await?;
                match (parent, thread) {
                    (Some(p), Some(t))
                        if p.thread_id == t.id && p.status == CommentStatus::Approved =>
                    {
                        root_id = Some(p.root_id.unwrap_or(p.id));
                        t.id
                    }
                    _ => return Err(ServiceError::ParentNotFound),
                }
            }
            None => {
                self.store
                    .upsert_thread(UpsertThread {
                        site_id: &self.site.id,
                        key: &valid.thread,
                        title: valid.thread_title.as_deref(),
                        url: valid.thread_url.as_deref(),
                        now_ms,
                    })
                    .await?
                    .id
            }
        };

        let body_html = render::comment_html(&valid.body);
        let record = self
            .store
            .insert_comment(InsertComment {
                thread_id,
                parent_id: valid.parent_id,
                // The owner's own comments never wait for the owner's approval.
                status: if self.site.moderation && !is_owner {
                    CommentStatus::Pending
                } else {
                    CommentStatus::Approved
                },
                author_name: &valid.name,
                author_email: &valid.email,
                author_url: valid.website.as_deref(),
                body_markdown: &valid.body,
                body_html: &body_html,
                created_at_ms: now_ms,
                client_hash,
                root_id,
                is_owner,
            })
            .await?;
        let expires = now_ms + i64::from(self.site.edit_window_secs) * 1000;
        Ok(CreatedComment {
            comment: self.public(&record),
            edit_token: self.keys.edit_token(record.id, expires),
            edit_expires_at: rfc3339(expires),
        })
    }

    /// Whether `key` is the site owner's key (compared in constant time).
    fn is_owner_key(&self, key: Option<&str>) -> bool {
        match (key, self.site.owner_key.as_deref()) {
            (Some(given), Some(expected)) if !expected.is_empty() => {
                given.len() == expected.len()
                    && given
                        .bytes()
                        .zip(expected.bytes())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0
            }
            _ => false,
        }
    }

    /// Count one `action` by this client against each limit; the first exceeded one wins.
    async fn count_against(
        &self,
        action: &str,
        limits: &[RateLimit],
        client_hash: &str,
        now_ms: i64,
    ) -> Result<(), ServiceError> {
        for limit in limits {
            let (start, end) = limit.window(now_ms);
            let key = format!(
                "{action}:{}:{}:{}",
                self.site.id, limit.window_secs, client_hash
            );
            let count = self
                .store
                .hit_rate_limit(HitRateLimit {
                    key: &key,
                    window_start_ms: start,
                    expires_at_ms: end,
                })
                .await?;
            if count > limit.max {
                return Err(ServiceError::RateLimited {
                    retry_after_secs: limit.retry_after_secs(now_ms),
                });
            }
        }
        Ok(())
    }

    /// The author's comment, if the token proves authorship and the window is open.
    async fn own_comment(
        &self,
        id: CommentId,
        token: &str,
        now_ms: i64,
    ) -> Result<CommentRecord, ServiceError> {
        // The token is checked before the lookup, so forged tokens learn nothing about ids.
        self.keys
            .verify_edit_token(token, id, now_ms)
            .map_err(ServiceError::EditToken)?;
        match self.store.find_comment(id).await? {
            // Authors may also withdraw or fix a comment still awaiting moderation.
            Some(c) if matches!(c.status, CommentStatus::Approved | CommentStatus::Pending) => {
                Ok(c)
            }
            _ => Err(ServiceError::CommentNotFound),
        }
    }

    /// Replace the text of the reader's own comment.
    pub async fn edit(
        &self,
        id: CommentId,
        input: &EditComment,
        now_ms: i64,
    ) -> Result<PublicComment, ServiceError> {
        self.own_comment(id, &input.edit_token, now_ms).await?;
        let body = input.body.trim();
        validate::body_text(body).map_err(|code| {
            ServiceError::Invalid(vec![FieldError {
                field: Field::Body,
                code,
            }])
        })?;
        let body_html = render::comment_html(body);
        let record = self
            .store
            .update_body(UpdateBody {
                id,
                body_markdown: body,
                body_html: &body_html,
                now_ms,
            })
            .await?;
        Ok(self.public(&record))
    }

    /// Delete the reader's own comment. Replies stay; the comment shows as "[deleted]".
    pub async fn delete(
        &self,
        id: CommentId,
        input: &DeleteComment,
        now_ms: i64,
    ) -> Result<(), ServiceError> {
        self.own_comment(id, &input.edit_token, now_ms).await?;
        self.store.delete_comment(id, now_ms).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ThreadRecord;
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// An in-memory store: a fake for testing the business rules, not the SQL.
    #[derive(Default)]
    struct MemStore {
        threads: RefCell<Vec<ThreadRecord>>,
        comments: RefCell<Vec<CommentRecord>>,
        hits: RefCell<HashMap<(String, i64), u32>>,
        likes: RefCell<std::collections::HashSet<(CommentId, String)>>,
    }

    impl CommentStore for MemStore {
        async fn find_thread(
            &self,
            site_id: &str,
            key: &str,
        ) -> Result<Option<ThreadRecord>, StoreError> {
            Ok(self
                .threads
                .borrow()
                .iter()
                .find(|t| t.site_id == site_id && t.key == key)
                .cloned())
        }
        async fn upsert_thread(&self, req: UpsertThread<'_>) -> Result<ThreadRecord, StoreError> {
            if let Some(t) = self.find_thread(req.site_id, req.key).await? {
                return Ok(t);
            }
            let mut threads = self.threads.borrow_mut();
            let t = ThreadRecord {
                id: threads.len() as i64 + 1,
                site_id: req.site_id.into(),
                key: req.key.into(),
                title: req.title.map(Into::into),
                url: req.url.map(Into::into),
            };
            threads.push(t.clone());
            Ok(t)
        }
        async fn list_top_level(
            &self,
            req: ListTopLevel,
        ) -> Result<Vec<CommentRecord>, StoreError> {
            let mut top: Vec<CommentRecord> = self
                .comments
                .borrow()
                .iter()
                .filter(|c| {
                    c.thread_id == req.thread_id
                        && c.parent_id.is_none()
                        && VISIBLE.contains(&c.status)
                })
                .cloned()
                .collect();
            let key = |c: &CommentRecord| match req.sort {
                Sort::Liked => (-i64::from(c.likes), -c.id.0),
                Sort::Newest => (-c.created_at_ms, -c.id.0),
                Sort::Oldest => (c.created_at_ms, c.id.0),
            };
            top.sort_by_key(key);
            if let Some(after) = req.after {
                let pos = match req.sort {
                    Sort::Liked => (-after.key, -after.id),
                    Sort::Newest => (-after.key, -after.id),
                    Sort::Oldest => (after.key, after.id),
                };
                top.retain(|c| key(c) > pos);
            }
            top.truncate(req.limit as usize);
            Ok(top)
        }
        async fn list_replies(
            &self,
            req: ListReplies<'_>,
        ) -> Result<Vec<CommentRecord>, StoreError> {
            let mut out = Vec::new();
            for root in req.root_ids {
                let subtree = self
                    .comments
                    .borrow()
                    .iter()
                    .filter(|c| c.root_id == Some(*root) && VISIBLE.contains(&c.status))
                    .take(req.per_root.map_or(usize::MAX, |n| n as usize))
                    .cloned()
                    .collect::<Vec<_>>();
                out.extend(subtree);
            }
            Ok(out)
        }
        async fn count_replies(
            &self,
            root_ids: &[CommentId],
        ) -> Result<HashMap<CommentId, u32>, StoreError> {
            let mut counts = HashMap::new();
            for c in self.comments.borrow().iter() {
                if let Some(root) = c.root_id.filter(|r| root_ids.contains(r)) {
                    if c.status == CommentStatus::Approved {
                        *counts.entry(root).or_default() += 1;
                    }
                }
            }
            Ok(counts)
        }
        async fn count_visible(
            &self,
            site_id: &str,
            keys: &[&str],
        ) -> Result<HashMap<String, u32>, StoreError> {
            let mut counts = HashMap::new();
            for t in self
                .threads
                .borrow()
                .iter()
                .filter(|t| t.site_id == site_id && keys.contains(&t.key.as_str()))
            {
                let n = self
                    .comments
                    .borrow()
                    .iter()
                    .filter(|c| c.thread_id == t.id && c.status == CommentStatus::Approved)
                    .count();
                counts.insert(t.key.clone(), n as u32);
            }
            Ok(counts)
        }
        async fn set_like(
            &self,
            id: CommentId,
            reader: &str,
            liked: bool,
            _now: i64,
        ) -> Result<u32, StoreError> {
            let mut likes = self.likes.borrow_mut();
            if liked {
                likes.insert((id, reader.to_owned()));
            } else {
                likes.remove(&(id, reader.to_owned()));
            }
            let n = likes.iter().filter(|(c, _)| *c == id).count() as u32;
            if let Some(c) = self.comments.borrow_mut().iter_mut().find(|c| c.id == id) {
                c.likes = n;
            }
            Ok(n)
        }
        async fn find_comment(&self, id: CommentId) -> Result<Option<CommentRecord>, StoreError> {
            Ok(self.comments.borrow().iter().find(|c| c.id == id).cloned())
        }
        async fn insert_comment(
            &self,
            req: InsertComment<'_>,
        ) -> Result<CommentRecord, StoreError> {
            let mut comments = self.comments.borrow_mut();
            let c = CommentRecord {
                id: CommentId(comments.len() as i64 + 1),
                thread_id: req.thread_id,
                parent_id: req.parent_id,
                status: req.status,
                author_name: req.author_name.into(),
                author_email: req.author_email.into(),
                author_url: req.author_url.map(Into::into),
                body_markdown: req.body_markdown.into(),
                body_html: req.body_html.into(),
                created_at_ms: req.created_at_ms,
                updated_at_ms: None,
                root_id: req.root_id,
                likes: 0,
                is_owner: req.is_owner,
            };
            comments.push(c.clone());
            Ok(c)
        }
        async fn update_body(&self, req: UpdateBody<'_>) -> Result<CommentRecord, StoreError> {
            let mut comments = self.comments.borrow_mut();
            let c = comments
                .iter_mut()
                .find(|c| c.id == req.id)
                .expect("exists");
            c.body_markdown = req.body_markdown.into();
            c.body_html = req.body_html.into();
            c.updated_at_ms = Some(req.now_ms);
            Ok(c.clone())
        }
        async fn delete_comment(&self, id: CommentId, _now_ms: i64) -> Result<(), StoreError> {
            let mut comments = self.comments.borrow_mut();
            let c = comments.iter_mut().find(|c| c.id == id).expect("exists");
            c.status = CommentStatus::Deleted;
            c.author_email.clear();
            Ok(())
        }
        async fn hit_rate_limit(&self, req: HitRateLimit<'_>) -> Result<u32, StoreError> {
            let mut hits = self.hits.borrow_mut();
            let n = hits
                .entry((req.key.into(), req.window_start_ms))
                .or_default();
            *n += 1;
            Ok(*n)
        }
    }

    const T0: i64 = 1_700_000_000_000;

    struct Fixture {
        store: MemStore,
        site: SiteConfig,
        keys: Keys,
    }

    impl Fixture {
        fn new() -> Self {
            Fixture {
                store: MemStore::default(),
                site: SiteConfig::new("default"),
                keys: Keys::derive("unit test secret"),
            }
        }
        fn svc(&self) -> Service<'_, MemStore> {
            Service::new(&self.store, &self.site, &self.keys)
        }
        fn input(&self, thread: &str, parent: Option<CommentId>, body: &str) -> NewComment {
            NewComment {
                thread: thread.into(),
                thread_title: Some("Title".into()),
                parent_id: parent,
                body: body.into(),
                name: "Ana".into(),
                email: "ana@example.org".into(),
                form_token: self.keys.form_token("default", T0 - 10_000),
                ..Default::default()
            }
        }
        /// Post as client `who` at `now`; the form was shown ten seconds before T0.
        fn post_as(
            &self,
            who: &str,
            input: &NewComment,
            now: i64,
        ) -> Result<CreatedComment, ServiceError> {
            let valid = self.svc().precheck(input, now)?;
            pollster::block_on(self.svc().create(&valid, who, now))
        }
        fn post(&self, thread: &str, parent: Option<CommentId>, body: &str) -> CreatedComment {
            self.post_as("client", &self.input(thread, parent, body), T0)
                .expect("posted")
        }
        fn page(&self, thread: &str) -> ThreadPage {
            pollster::block_on(self.svc().thread(thread, Sort::Oldest, None, T0)).unwrap()
        }
    }

    #[test]
    fn a_new_key_is_an_empty_thread_with_a_form_token_and_settings() {
        let f = Fixture::new();
        let page = f.page("/x/");
        assert_eq!((page.total, page.comments.len(), page.title), (0, 0, None));
        assert_eq!(page.settings.edit_window_secs, 15 * 60);
        assert_eq!(
            f.keys
                .verify_form_token(&page.form_token, "default", T0 + 5_000, 3_000, 60_000),
            Ok(())
        );
    }

    #[test]
    fn first_comment_creates_the_thread_and_replies_attach_to_it() {
        let f = Fixture::new();
        let top = f.post("/x/", None, "*hi*").comment;
        assert_eq!(top.body_html, "<p><em>hi</em></p>\n");
        assert_eq!(top.created_at, "2023-11-14T22:13:20Z");
        assert_eq!(top.avatar, f.keys.avatar_hash("ana@example.org"));
        let reply = f.post("/x/", Some(top.id), "re").comment;
        assert_eq!(reply.parent_id, Some(top.id));
        let page = f.page("/x/");
        assert_eq!(page.total, 2);
        assert_eq!(page.title.as_deref(), Some("Title"));
        let top = PublicComment {
            descendants: 1,
            ..top
        };
        assert_eq!(page.comments, vec![top, reply]);
    }

    fn ids(page: &ThreadPage) -> Vec<i64> {
        page.comments.iter().map(|c| c.id.0).collect()
    }

    #[test]
    fn threads_page_by_cursor_with_a_preview_of_replies() {
        let mut f = Fixture::new();
        f.site.page_size = 2;
        f.site.reply_preview = 1;
        let a = f.post("/p/", None, "a").comment.id;
        f.post("/p/", Some(a), "a1");
        f.post("/p/", Some(a), "a2");
        let b = f.post("/p/", None, "b").comment.id;
        let c = f.post("/p/", None, "c").comment.id;
        let first = f.page("/p/");
        assert_eq!(ids(&first), vec![a.0, b.0, 2]);
        assert_eq!(
            first.comments[0].descendants, 2,
            "the total, not the preview"
        );
        assert_eq!(first.total, 5);
        let cursor = first.next_cursor.clone().expect("a second page");
        let second =
            pollster::block_on(f.svc().thread("/p/", Sort::Oldest, Some(&cursor), T0)).unwrap();
        assert_eq!(ids(&second), vec![c.0]);
        assert_eq!(second.next_cursor, None);
        let all = pollster::block_on(f.svc().replies(a)).unwrap();
        assert_eq!(
            all.comments.iter().map(|c| c.id.0).collect::<Vec<_>>(),
            vec![2, 3]
        );
        let bad = pollster::block_on(f.svc().thread("/p/", Sort::Newest, Some(&cursor), T0));
        assert_eq!(bad.unwrap_err().code(), ErrorCode::CursorInvalid);
    }

    #[test]
    fn likes_count_once_per_reader_and_order_the_most_liked_first() {
        let f = Fixture::new();
        let a = f.post("/l/", None, "a").comment.id;
        let b = f.post("/l/", None, "b").comment.id;
        let like = |id, reader: &str, on| {
            pollster::block_on(f.svc().like(
                id,
                &LikeRequest {
                    reader: reader.into(),
                },
                on,
                "client",
                T0,
            ))
        };
        assert_eq!(like(b, "reader-one-0123456789", true).unwrap().likes, 1);
        assert_eq!(
            like(b, "reader-one-0123456789", true).unwrap().likes,
            1,
            "deduplicated"
        );
        assert_eq!(like(b, "reader-two-0123456789", true).unwrap().likes, 2);
        assert_eq!(like(a, "reader-two-0123456789", true).unwrap().likes, 1);
        assert_eq!(like(a, "reader-two-0123456789", false).unwrap().likes, 0);
        assert_eq!(
            like(a, "short", true).unwrap_err().code(),
            ErrorCode::ReaderInvalid
        );
        assert_eq!(
            like(CommentId(99), "reader-two-0123456789", true)
                .unwrap_err()
                .code(),
            ErrorCode::CommentNotFound
        );
        let page = |sort| pollster::block_on(f.svc().thread("/l/", sort, None, T0)).unwrap();
        assert_eq!(ids(&page(Sort::Liked)), vec![b.0, a.0]);
        assert_eq!(ids(&page(Sort::Newest)), vec![b.0, a.0]);
        assert_eq!(ids(&page(Sort::Oldest)), vec![a.0, b.0]);
        assert_eq!(page(Sort::Liked).comments[0].likes, 2);
    }

    #[test]
    fn counts_preview_moderation_and_the_owner_badge() {
        let mut f = Fixture::new();
        f.post("/c1/", None, "x");
        f.post("/c1/", None, "y");
        let counts =
            pollster::block_on(
                f.svc()
                    .counts(&["/c1/".into(), "/none/".into(), "/c1/".into()]),
            )
            .unwrap();
        assert_eq!(
            counts.counts.into_iter().collect::<Vec<_>>(),
            vec![("/c1/".into(), 2), ("/none/".into(), 0)]
        );
        assert_eq!(
            f.svc().preview("**b**").unwrap().html,
            "<p><strong>b</strong></p>\n"
        );
        assert_eq!(
            f.svc().preview(" ").unwrap_err().to_body().error.fields[0].code,
            ErrorCode::BodyRequired
        );

        f.site.owner_key = Some("owner-secret".into());
        let mut owned = f.input("/o/", None, "from the owner");
        owned.owner_key = Some("owner-secret".into());
        assert!(f.post_as("owner", &owned, T0).unwrap().comment.owner);
        owned.owner_key = Some("guess".into());
        assert!(!f.post_as("owner", &owned, T0).unwrap().comment.owner);

        f.site.moderation = true;
        let held = f.post("/m/", None, "held");
        assert!(held.comment.pending);
        assert_eq!(f.page("/m/").total, 0);
        assert!(f.page("/m/").comments.is_empty());
        owned.owner_key = Some("owner-secret".into());
        owned.thread = "/m/".into();
        let by_owner = f.post_as("owner", &owned, T0).unwrap().comment;
        assert!(
            by_owner.owner && !by_owner.pending,
            "the owner is not moderated"
        );
        assert_eq!(f.page("/m/").total, 1);
    }

    #[test]
    fn replies_to_comments_of_another_thread_are_rejected() {
        let f = Fixture::new();
        let other = f.post("/a/", None, "x").comment;
        f.post("/b/", None, "x");
        let err = f
            .post_as("client", &f.input("/b/", Some(other.id), "x"), T0)
            .unwrap_err();
        assert!(matches!(err, ServiceError::ParentNotFound));
        assert_eq!(err.to_body().error.code, ErrorCode::ParentNotFound);
    }

    #[test]
    fn replies_to_deleted_or_missing_comments_are_rejected() {
        let f = Fixture::new();
        let top = f.post("/a/", None, "x").comment;
        f.store.comments.borrow_mut()[0].status = CommentStatus::Deleted;
        for parent in [top.id, CommentId(42)] {
            let err = f
                .post_as("client", &f.input("/a/", Some(parent), "x"), T0)
                .unwrap_err();
            assert!(matches!(err, ServiceError::ParentNotFound));
        }
    }

    #[test]
    fn invalid_input_lists_fields_and_stores_nothing() {
        let f = Fixture::new();
        let mut bad = f.input("/a/", None, "");
        bad.email = "nope".into();
        let body = f.post_as("client", &bad, T0).unwrap_err().to_body();
        assert_eq!(body.error.code, ErrorCode::ValidationFailed);
        let fields: Vec<Field> = body.error.fields.iter().map(|f| f.field).collect();
        assert_eq!(fields, vec![Field::Body, Field::Email]);
        assert!(f.store.threads.borrow().is_empty() && f.store.comments.borrow().is_empty());
    }

    #[test]
    fn bots_are_stopped_by_the_honeypot_and_the_form_timer() {
        let f = Fixture::new();
        let mut honey = f.input("/a/", None, "buy now");
        honey.honeypot = Some("http://spam.example".into());
        assert_eq!(
            f.post_as("bot", &honey, T0).unwrap_err().code(),
            ErrorCode::SpamSuspected
        );
        let mut fast = f.input("/a/", None, "x");
        fast.form_token = f.keys.form_token("default", T0 - 500);
        assert_eq!(
            f.post_as("bot", &fast, T0).unwrap_err().code(),
            ErrorCode::TooFast
        );
        let mut stale = f.input("/a/", None, "x");
        stale.form_token = f.keys.form_token("default", T0 - 8 * 24 * 3600 * 1000);
        assert_eq!(
            f.post_as("bot", &stale, T0).unwrap_err().code(),
            ErrorCode::FormExpired
        );
        let mut missing = f.input("/a/", None, "x");
        missing.form_token.clear();
        assert_eq!(
            f.post_as("bot", &missing, T0).unwrap_err().code(),
            ErrorCode::FormTokenInvalid
        );
        assert!(f.store.comments.borrow().is_empty());
    }

    #[test]
    fn each_client_is_rate_limited_on_its_own() {
        let f = Fixture::new();
        for _ in 0..5 {
            f.post_as("busy", &f.input("/a/", None, "x"), T0).unwrap();
        }
        let err = f
            .post_as("busy", &f.input("/a/", None, "x"), T0)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::RateLimited);
        assert_eq!(err.retry_after_secs(), Some(40));
        assert!(f.post_as("calm", &f.input("/a/", None, "x"), T0).is_ok());
        // The next minute opens a new window.
        assert!(f
            .post_as("busy", &f.input("/a/", None, "x"), T0 + 60_000)
            .is_ok());
    }

    #[test]
    fn authors_edit_their_comment_only_with_its_token_and_within_the_window() {
        let f = Fixture::new();
        let created = f.post("/a/", None, "frist");
        let other = f.post("/a/", None, "other");
        let edit = |token: &str, now| {
            let input = EditComment {
                edit_token: token.into(),
                body: "*first*".into(),
            };
            pollster::block_on(f.svc().edit(created.comment.id, &input, now))
        };
        let edited = edit(&created.edit_token, T0 + 60_000).unwrap();
        assert_eq!(edited.body_html, "<p><em>first</em></p>\n");
        assert!(edited.edited_at.is_some());
        let code = |r: Result<PublicComment, ServiceError>| r.unwrap_err().code();
        assert_eq!(
            code(edit(&created.edit_token, T0 + 16 * 60_000)),
            ErrorCode::EditWindowClosed
        );
        assert_eq!(
            code(edit(&other.edit_token, T0)),
            ErrorCode::EditTokenInvalid
        );
        assert_eq!(
            code(edit("1.99999999999999.00", T0)),
            ErrorCode::EditTokenInvalid
        );
        let empty = EditComment {
            edit_token: created.edit_token.clone(),
            body: " ".into(),
        };
        let err = pollster::block_on(f.svc().edit(created.comment.id, &empty, T0)).unwrap_err();
        assert_eq!(err.to_body().error.fields[0].code, ErrorCode::BodyRequired);
    }

    #[test]
    fn deleting_keeps_replies_under_a_placeholder_and_drops_lone_comments() {
        let f = Fixture::new();
        let top = f.post("/a/", None, "top");
        let reply = f.post("/a/", Some(top.comment.id), "reply");
        let lone = f.post("/a/", None, "lone");
        let delete = |c: &CreatedComment| {
            let input = DeleteComment {
                edit_token: c.edit_token.clone(),
            };
            pollster::block_on(f.svc().delete(c.comment.id, &input, T0))
        };
        delete(&top).unwrap();
        delete(&lone).unwrap();
        assert_eq!(
            delete(&lone).unwrap_err().code(),
            ErrorCode::CommentNotFound
        );
        let page = f.page("/a/");
        assert_eq!(page.total, 1);
        let ids: Vec<(CommentId, bool)> = page.comments.iter().map(|c| (c.id, c.deleted)).collect();
        assert_eq!(ids, vec![(top.comment.id, true), (reply.comment.id, false)]);
        let placeholder = &page.comments[0];
        assert!(
            placeholder.author.is_empty()
                && placeholder.body_html.is_empty()
                && placeholder.avatar.is_empty()
        );
    }

    #[test]
    fn gravatar_hashes_are_published_only_when_the_owner_turns_gravatar_on() {
        let mut f = Fixture::new();
        assert_eq!(f.post("/g/", None, "x").comment.gravatar, None);
        f.site.gravatar_url = Some("https://www.gravatar.com/avatar".into());
        let shown = f
            .post("/g/", None, "y")
            .comment
            .gravatar
            .expect("a gravatar hash");
        assert_eq!(shown, crate::token::gravatar_hash("ana@example.org"));
        assert!(f.page("/g/").comments.iter().all(|c| c.gravatar.is_some()));
    }

    #[test]
    fn public_comments_never_carry_the_email() {
        let f = Fixture::new();
        let c = f.post("/a/", None, "x");
        let json = serde_json::to_string(&c).unwrap();
        assert!(!json.contains("ana@example.org"), "{json}");
    }

    #[test]
    fn timestamps_are_utc_rfc3339_with_milliseconds() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
