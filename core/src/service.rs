//! The business layer: what listing a thread, posting, editing and deleting a comment
//! mean, over any [`CommentStore`]. The Worker only parses HTTP, calls these, and serializes
//! the result; network checks (Turnstile) happen in the Worker between [`Service::precheck`]
//! and [`Service::create`].

use crate::api::{
    CreatedComment, DeleteComment, EditComment, ErrorBody, ErrorCode, FieldError, NewComment,
    PublicComment, ThreadPage, WidgetSettings,
};
use crate::model::{CommentId, CommentRecord, CommentStatus};
use crate::ratelimit::RateLimit;
use crate::render;
use crate::store::{
    CommentStore, HitRateLimit, InsertComment, ListComments, StoreError, UpdateBody, UpsertThread,
};
use crate::thread::prune_deleted;
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
}

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
        record.to_public(rfc3339, self.keys.avatar_hash(&record.author_email))
    }

    /// A thread's visible comments, oldest first, plus a fresh form token. An unknown key
    /// is an empty thread, not an error: every page starts with no comments.
    pub async fn thread(&self, key: &str, now_ms: i64) -> Result<ThreadPage, ServiceError> {
        let key = key.trim();
        validate::thread_key(key).map_err(|code| {
            ServiceError::Invalid(vec![FieldError {
                field: Field::Thread,
                code,
            }])
        })?;
        let found = self.store.find_thread(&self.site.id, key).await?;
        let (title, comments) = match found {
            None => (None, Vec::new()),
            Some(thread) => {
                let records = self
                    .store
                    .list_comments(ListComments {
                        thread_id: thread.id,
                        statuses: &[CommentStatus::Approved, CommentStatus::Deleted],
                    })
                    .await?;
                (
                    thread.title,
                    prune_deleted(records.iter().map(|r| self.public(r)).collect()),
                )
            }
        };
        let visible = comments.iter().filter(|c| !c.deleted).count();
        Ok(ThreadPage {
            thread: key.to_owned(),
            title,
            total: u32::try_from(visible).unwrap_or(u32::MAX),
            comments,
            form_token: self.keys.form_token(&self.site.id, now_ms),
            settings: WidgetSettings {
                edit_window_secs: self.site.edit_window_secs,
                min_submit_secs: u32::try_from((self.site.min_submit_ms + 999).div_euclid(1000))
                    .unwrap_or(0),
                turnstile_site_key: self.site.turnstile_site_key.clone(),
                turnstile_script_url: self.site.turnstile_script_url.clone(),
            },
        })
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
        self.count_against_limits(client_hash, now_ms).await?;
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
                status: CommentStatus::Approved,
                author_name: &valid.name,
                author_email: &valid.email,
                author_url: valid.website.as_deref(),
                body_markdown: &valid.body,
                body_html: &body_html,
                created_at_ms: now_ms,
                client_hash,
            })
            .await?;
        let expires = now_ms + i64::from(self.site.edit_window_secs) * 1000;
        Ok(CreatedComment {
            comment: self.public(&record),
            edit_token: self.keys.edit_token(record.id, expires),
            edit_expires_at: rfc3339(expires),
        })
    }

    async fn count_against_limits(
        &self,
        client_hash: &str,
        now_ms: i64,
    ) -> Result<(), ServiceError> {
        for limit in &self.site.comment_limits {
            let (start, end) = limit.window(now_ms);
            let key = format!(
                "comment:{}:{}:{}",
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
            Some(c) if c.status == CommentStatus::Approved => Ok(c),
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
        async fn list_comments(
            &self,
            req: ListComments<'_>,
        ) -> Result<Vec<CommentRecord>, StoreError> {
            Ok(self
                .comments
                .borrow()
                .iter()
                .filter(|c| c.thread_id == req.thread_id && req.statuses.contains(&c.status))
                .cloned()
                .collect())
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
            pollster::block_on(self.svc().thread(thread, T0)).unwrap()
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
        assert_eq!(page.comments, vec![top, reply]);
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
