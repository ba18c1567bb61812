//! The business layer: what listing a thread and posting a comment mean, over any
//! [`CommentStore`]. The Worker only parses HTTP, calls these, and serializes the result.

use crate::api::{ErrorBody, ErrorCode, FieldError, NewComment, PublicComment, ThreadPage};
use crate::model::{CommentRecord, CommentStatus};
use crate::render;
use crate::store::{CommentStore, InsertComment, ListComments, StoreError, UpsertThread};
use crate::validate;

/// Everything that can go wrong in the business layer, each mapped to one [`ErrorCode`].
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("parent comment not found in this thread")]
    ParentNotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    /// The single mapping from business errors to the API's error body.
    pub fn to_body(&self) -> ErrorBody {
        match self {
            ServiceError::Invalid(fields) => {
                ErrorBody::with_fields(ErrorCode::ValidationFailed, fields.clone())
            }
            ServiceError::ParentNotFound => ErrorBody::with_fields(
                ErrorCode::ParentNotFound,
                vec![FieldError {
                    field: crate::Field::ParentId,
                    code: ErrorCode::ParentNotFound,
                }],
            ),
            ServiceError::Store(_) => ErrorBody::new(ErrorCode::Unavailable),
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

fn public(record: &CommentRecord) -> PublicComment {
    record.to_public(rfc3339(record.created_at_ms))
}

/// One site's comment service over a store.
pub struct Service<'s, S> {
    store: &'s S,
    site_id: &'s str,
}

impl<'s, S: CommentStore> Service<'s, S> {
    pub fn new(store: &'s S, site_id: &'s str) -> Self {
        Service { store, site_id }
    }

    /// A thread's published comments, oldest first. An unknown key is an empty thread,
    /// not an error: every page starts with no comments.
    pub async fn thread(&self, key: &str) -> Result<ThreadPage, ServiceError> {
        let key = key.trim();
        validate::thread_key(key).map_err(|code| {
            ServiceError::Invalid(vec![FieldError {
                field: crate::Field::Thread,
                code,
            }])
        })?;
        let Some(thread) = self.store.find_thread(self.site_id, key).await? else {
            return Ok(ThreadPage {
                thread: key.to_owned(),
                title: None,
                total: 0,
                comments: Vec::new(),
            });
        };
        let records = self
            .store
            .list_comments(ListComments {
                thread_id: thread.id,
                status: CommentStatus::Approved,
            })
            .await?;
        let comments: Vec<PublicComment> = records.iter().map(public).collect();
        Ok(ThreadPage {
            thread: thread.key,
            title: thread.title,
            total: u32::try_from(comments.len()).unwrap_or(u32::MAX),
            comments,
        })
    }

    /// Validate, render and store a new comment or reply; returns it as published.
    pub async fn create(
        &self,
        input: &NewComment,
        now_ms: i64,
    ) -> Result<PublicComment, ServiceError> {
        let valid = validate::new_comment(input).map_err(ServiceError::Invalid)?;

        let thread_id = match valid.parent_id {
            // A reply: its parent must be a visible comment of this very thread, so the
            // thread already exists and its title is not rewritten by a reply.
            Some(parent_id) => {
                let parent = self.store.find_comment(parent_id).await?;
                let thread = self.store.find_thread(self.site_id, &valid.thread).await?;
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
                        site_id: self.site_id,
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
            })
            .await?;
        Ok(public(&record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CommentId, ThreadRecord};
    use crate::Field;
    use std::cell::RefCell;

    /// An in-memory store: a fake for testing the business rules, not the SQL.
    #[derive(Default)]
    struct MemStore {
        threads: RefCell<Vec<ThreadRecord>>,
        comments: RefCell<Vec<CommentRecord>>,
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
        async fn list_comments(&self, req: ListComments) -> Result<Vec<CommentRecord>, StoreError> {
            Ok(self
                .comments
                .borrow()
                .iter()
                .filter(|c| c.thread_id == req.thread_id && c.status == req.status)
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
            };
            comments.push(c.clone());
            Ok(c)
        }
    }

    fn new(thread: &str, parent: Option<CommentId>, body: &str) -> NewComment {
        NewComment {
            thread: thread.into(),
            thread_title: Some("Title".into()),
            parent_id: parent,
            body: body.into(),
            name: "Ana".into(),
            email: "ana@example.org".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_new_key_is_an_empty_thread() {
        let store = MemStore::default();
        let page = pollster::block_on(Service::new(&store, "default").thread("/x/")).unwrap();
        assert_eq!((page.total, page.comments.len(), page.title), (0, 0, None));
    }

    #[test]
    fn first_comment_creates_the_thread_and_replies_attach_to_it() {
        let store = MemStore::default();
        let svc = Service::new(&store, "default");
        let top =
            pollster::block_on(svc.create(&new("/x/", None, "*hi*"), 1_700_000_000_000)).unwrap();
        assert_eq!(top.body_html, "<p><em>hi</em></p>\n");
        assert_eq!(top.created_at, "2023-11-14T22:13:20Z");
        let reply =
            pollster::block_on(svc.create(&new("/x/", Some(top.id), "re"), 1_700_000_000_500))
                .unwrap();
        assert_eq!(reply.parent_id, Some(top.id));
        let page = pollster::block_on(svc.thread("/x/")).unwrap();
        assert_eq!(page.total, 2);
        assert_eq!(page.title.as_deref(), Some("Title"));
        assert_eq!(page.comments, vec![top, reply]);
    }

    #[test]
    fn replies_to_comments_of_another_thread_are_rejected() {
        let store = MemStore::default();
        let svc = Service::new(&store, "default");
        let other = pollster::block_on(svc.create(&new("/a/", None, "x"), 1)).unwrap();
        pollster::block_on(svc.create(&new("/b/", None, "x"), 2)).unwrap();
        let err = pollster::block_on(svc.create(&new("/b/", Some(other.id), "x"), 3)).unwrap_err();
        assert!(matches!(err, ServiceError::ParentNotFound));
        assert_eq!(err.to_body().error.code, ErrorCode::ParentNotFound);
    }

    #[test]
    fn replies_to_hidden_or_missing_comments_are_rejected() {
        let store = MemStore::default();
        let svc = Service::new(&store, "default");
        let top = pollster::block_on(svc.create(&new("/a/", None, "x"), 1)).unwrap();
        store.comments.borrow_mut()[0].status = CommentStatus::Deleted;
        let err = pollster::block_on(svc.create(&new("/a/", Some(top.id), "x"), 2)).unwrap_err();
        assert!(matches!(err, ServiceError::ParentNotFound));
        let err =
            pollster::block_on(svc.create(&new("/a/", Some(CommentId(42)), "x"), 2)).unwrap_err();
        assert!(matches!(err, ServiceError::ParentNotFound));
    }

    #[test]
    fn invalid_input_lists_fields_and_stores_nothing() {
        let store = MemStore::default();
        let svc = Service::new(&store, "default");
        let mut bad = new("/a/", None, "");
        bad.email = "nope".into();
        let err = pollster::block_on(svc.create(&bad, 1)).unwrap_err();
        let body = err.to_body();
        assert_eq!(body.error.code, ErrorCode::ValidationFailed);
        let fields: Vec<Field> = body.error.fields.iter().map(|f| f.field).collect();
        assert_eq!(fields, vec![Field::Body, Field::Email]);
        assert!(store.threads.borrow().is_empty() && store.comments.borrow().is_empty());
    }

    #[test]
    fn public_comments_never_carry_the_email() {
        let store = MemStore::default();
        let svc = Service::new(&store, "default");
        let c = pollster::block_on(svc.create(&new("/a/", None, "x"), 1)).unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert!(!json.contains("ana@example.org"), "{json}");
    }

    #[test]
    fn timestamps_are_utc_rfc3339_with_milliseconds() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
