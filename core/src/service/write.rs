//! The write side: posting (every check in cost order), editing and deleting one's own
//! comment, likes and preview.

use super::error::ServiceError;
use super::{Changed, HumanCheck, Service};
use crate::db::store::{
    CommentStore, InsertComment, SetLike, ThreadMeta, UpdateBody, UpsertThread, WhoQuery,
};
use crate::domain::client::ClientKeys;
use crate::domain::dates::rfc3339;
use crate::domain::model::CommentRecord;
use crate::domain::model::ThreadRecord;
use crate::domain::render;
use crate::domain::rules::Written;
use crate::domain::token::{constant_time_eq, normal_email, FormScope, Purpose, TokenError};
use crate::domain::validate::{self, ValidComment};
use crate::wire::api::{
    CommentId, CreatedComment, DeleteComment, EditComment, LikeRequest, LikeState, NewComment,
    PreviewResponse, PublicComment,
};
use crate::wire::error::{ErrorCode, Field};
use crate::wire::moderation::CommentStatus;
use crate::wire::moderation::HeldFor;

/// Render a body, reporting formatting built to be heavy as the body's problem.
fn render_body(body: &str) -> Result<String, ServiceError> {
    render::comment_html(body)
        .map_err(|_| ServiceError::field(Field::Body, ErrorCode::BodyTooComplex))
}

impl<S: CommentStore, H: HumanCheck> Service<'_, S, H> {
    /// Post a new comment or reply from the client at `client_ip`. The checks run cheapest
    /// first, so a bot costs as little as possible:
    ///
    /// 1. honeypot, field validation, form token (bound to this thread and client), a
    ///    human-check token present (no I/O);
    /// 2. the client's rate limit (one store write);
    /// 3. the human check (a network call, only for clients within their limit);
    /// 4. the parent (a store read), the form token's single use (a store write), then the
    ///    write itself.
    pub async fn post(
        &self,
        input: &NewComment,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<CreatedComment, ServiceError> {
        self.writable()?;
        let client = ClientKeys::from_ip(client_ip);
        let (valid, token_id) = self.precheck(input, &client, now_ms)?;
        let human_token = input
            .turnstile_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if self.check.required() && human_token.is_none() {
            return Err(ServiceError::CheckRequired);
        }
        self.count_against("comment", &self.site.comment_limits, &client, now_ms)
            .await?;
        if let (true, Some(token)) = (self.check.required(), human_token) {
            match self.check.verify(token, client_ip).await {
                Ok(true) => {}
                Ok(false) => return Err(ServiceError::CheckFailed),
                Err(e) => return Err(ServiceError::CheckUnavailable(e)),
            }
        }
        self.create(&valid, &client, &token_id, now_ms).await
    }

    /// Without a usable secret, tokens could be forged: nothing is written.
    pub(super) fn writable(&self) -> Result<(), ServiceError> {
        if self.keys.usable() {
            Ok(())
        } else {
            Err(ServiceError::NoSecret)
        }
    }

    /// The form token's scope for this reader and thread.
    pub(super) fn form_scope<'a>(
        &'a self,
        thread: &'a str,
        client: &'a ClientKeys,
    ) -> FormScope<'a> {
        FormScope {
            site: &self.site.id,
            thread,
            client: &client.client,
        }
    }

    /// A fresh form token for `client` in `thread`.
    pub(super) fn form_token_for(&self, thread: &str, client: &ClientKeys, now_ms: i64) -> String {
        self.keys
            .form_token(&self.form_scope(thread, client), now_ms)
    }

    /// The checks that need no storage or network: honeypot, field validation, form
    /// token. Fields come before the timer so a reader who sends too early learns what to
    /// fix at once, instead of after waiting out the timer. Returns the token's id.
    fn precheck(
        &self,
        input: &NewComment,
        client: &ClientKeys,
        now_ms: i64,
    ) -> Result<(ValidComment, String), ServiceError> {
        if input
            .honeypot
            .as_deref()
            .is_some_and(|h| !h.trim().is_empty())
        {
            return Err(ServiceError::Spam);
        }
        let mut valid = validate::new_comment(input).map_err(ServiceError::Invalid)?;
        // The thread links to its page (feeds, emails, webhooks, the console): only a page
        // on one of the site's origins, whatever a first commenter claims.
        if let Some(url) = &valid.thread_url {
            valid.thread_url =
                Some(self.site.page_url(url).ok_or_else(|| {
                    ServiceError::field(Field::ThreadUrl, ErrorCode::UrlNotAllowed)
                })?);
        }
        let token_id = self
            .keys
            .verify_form_token(
                &input.form_token,
                &self.form_scope(&valid.thread, client),
                now_ms,
                self.site.min_submit_ms,
                self.site.form_max_age_ms,
            )
            .map_err(ServiceError::Form)?;
        Ok((valid, token_id))
    }

    /// Check the parent, use up the form token, render and store a comment that passed
    /// every other check.
    async fn create(
        &self,
        valid: &ValidComment,
        client: &ClientKeys,
        token_id: &str,
        now_ms: i64,
    ) -> Result<CreatedComment, ServiceError> {
        let is_owner = self.is_owner_key(valid.owner_key.as_deref());
        let mut root_id = None;
        let thread: ThreadRecord = match valid.parent_id {
            // A reply: its parent must be a visible comment of this very thread, so the
            // thread already exists and its title is not rewritten by a reply.
            Some(parent_id) => {
                let parent = self.store.find_comment(parent_id).await?;
                let thread = self.store.find_thread(&valid.thread).await?;
                match (parent, thread) {
                    (Some(p), Some(t))
                        if p.thread_id == t.id && p.status == CommentStatus::Approved =>
                    {
                        root_id = Some(p.root_id.unwrap_or(p.id));
                        t
                    }
                    _ => return Err(ServiceError::ParentNotFound),
                }
            }
            // A new thread takes the page's title and address (a title the muted words
            // would hold excepted); only published comments change them later.
            None => {
                self.store
                    .upsert_thread(UpsertThread {
                        key: &valid.thread,
                        title: self.acceptable_title(valid.thread_title.as_deref()),
                        url: valid.thread_url.as_deref(),
                        now_ms,
                    })
                    .await?
            }
        };
        // Closed by the owner, or by age; the owner may still write.
        if !is_owner && (thread.locked || self.site.auto_closed(thread.created_at_ms, now_ms)) {
            return Err(ServiceError::ThreadLocked);
        }
        let thread_id = thread.id;

        let body_html = render_body(&valid.body)?;
        let token_expires = now_ms + self.site.form_max_age_ms;
        if !self
            .store
            .use_form_token(token_id, token_expires, now_ms)
            .await?
        {
            return Err(ServiceError::Form(TokenError::Used));
        }
        let client_hash = self.keys.client_hash(&client.client);
        let email_hash = self.keys.hash(Purpose::Email, &normal_email(&valid.email));
        let author_key_hash = valid
            .author_key
            .as_deref()
            .map(|k| self.keys.hash(Purpose::AuthorKey, k));
        let held_for = self
            .hold_reason(
                valid,
                is_owner,
                &email_hash,
                author_key_hash.as_deref(),
                &client_hash,
            )
            .await?;
        let record = self
            .store
            .insert_comment(InsertComment {
                thread_id,
                parent_id: valid.parent_id,
                status: if held_for.is_some() {
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
                client_hash: &client_hash,
                root_id,
                is_owner,
                email_hash: Some(&email_hash),
                author_key_hash: author_key_hash.as_deref(),
                held_for,
            })
            .await?;
        // A published comment brings its page's current title and address (a page renamed
        // or moved since the first comment), unless the owner set them — and not a title
        // the site's muted words would hold (it reaches feeds, emails and webhooks).
        let title = self.acceptable_title(valid.thread_title.as_deref());
        let meta_changed = title.is_some() && title != thread.title.as_deref()
            || valid.thread_url.is_some() && valid.thread_url != thread.url;
        if record.status == CommentStatus::Approved && !thread.meta_by_owner && meta_changed {
            self.store
                .set_thread_meta(ThreadMeta {
                    key: &thread.key,
                    title,
                    url: valid.thread_url.as_deref(),
                    by_owner: false,
                })
                .await?;
        }
        let expires = now_ms + i64::from(self.site.edit_window_secs) * 1000;
        Ok(CreatedComment {
            comment: self.public(&record),
            edit_token: self.keys.edit_token(record.id, expires),
            edit_expires_at: rfc3339(expires),
            form_token: self.form_token_for(&valid.thread, client, now_ms),
            html: None,
            pending_token: (record.status == CommentStatus::Pending)
                .then(|| self.keys.hash(Purpose::Pending, &record.id.to_string())),
            reply_emails: None,
        })
    }

    /// A title a reader's page may give a thread: not one the muted words would hold.
    fn acceptable_title<'t>(&self, title: Option<&'t str>) -> Option<&'t str> {
        title.filter(|t| {
            let as_written = Written {
                name: t,
                body: t,
                website: None,
            };
            self.site.rules.muted_word(&as_written, t).is_none()
        })
    }

    /// Whether `key` is the badge token the owner's console issued.
    fn is_owner_key(&self, key: Option<&str>) -> bool {
        match (key, self.site.badge_hash.as_deref()) {
            (Some(given), Some(expected)) if !expected.is_empty() => {
                let given = self.keys.hash(Purpose::Badge, given);
                constant_time_eq(given.as_bytes(), expected.as_bytes())
            }
            _ => false,
        }
    }

    /// Why a new comment must wait for the owner (the owner's own never does).
    async fn hold_reason(
        &self,
        valid: &ValidComment,
        is_owner: bool,
        email_hash: &str,
        author_key_hash: Option<&str>,
        client_hash: &str,
    ) -> Result<Option<HeldFor>, ServiceError> {
        if is_owner {
            return Ok(None);
        }
        let standing = self
            .store
            .standing(WhoQuery {
                email_hash,
                author_key_hash,
                client_hash,
            })
            .await?;
        Ok(self.site.rules.hold(
            &Written {
                name: &valid.name,
                body: &valid.body,
                website: valid.website.as_deref(),
            },
            standing,
        ))
    }

    /// The author's comment, if the token proves authorship and the window is open —
    /// the window as configured now, counted from when the comment was written, not only
    /// the token's own expiry.
    async fn own_comment(
        &self,
        id: CommentId,
        token: &str,
        now_ms: i64,
    ) -> Result<(CommentRecord, String), ServiceError> {
        self.own_comment_as(id, token, now_ms, false).await
    }

    /// [`Self::own_comment`]; `trashed_too`: a comment the owner moved to the Trash counts
    /// as the author's (to delete it for good, never to edit it).
    async fn own_comment_as(
        &self,
        id: CommentId,
        token: &str,
        now_ms: i64,
        trashed_too: bool,
    ) -> Result<(CommentRecord, String), ServiceError> {
        // The token is checked before the lookup, so forged tokens learn nothing about ids.
        self.keys
            .verify_edit_token(token, id, now_ms)
            .map_err(ServiceError::EditToken)?;
        let (comment, thread) = match self.store.find_comment_in_thread(id).await? {
            // Authors may also withdraw or fix a comment still awaiting moderation.
            Some((c, t))
                if matches!(c.status, CommentStatus::Approved | CommentStatus::Pending)
                    || (trashed_too && c.trashed_from.is_some()) =>
            {
                (c, t.key)
            }
            _ => return Err(ServiceError::CommentNotFound),
        };
        let window_end = comment.created_at_ms + i64::from(self.site.edit_window_secs) * 1000;
        if now_ms > window_end {
            return Err(ServiceError::EditToken(TokenError::Expired));
        }
        Ok((comment, thread))
    }

    /// Replace the text of the reader's own comment. On a moderated site an approved
    /// comment goes back to the queue: approval was for the words it had.
    pub async fn edit(
        &self,
        id: CommentId,
        input: &EditComment,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<Changed<PublicComment>, ServiceError> {
        self.writable()?;
        let body = input.body.trim();
        let client = ClientKeys::from_ip(client_ip);
        self.count_against("edit", &self.site.edit_limits, &client, now_ms)
            .await?;
        let (comment, thread) = self.own_comment(id, &input.edit_token, now_ms).await?;
        validate::body_text(body).map_err(|code| ServiceError::field(Field::Body, code))?;
        let body_html = render_body(body)?;
        // An edit is held for the same rules a new comment is (its author already passed
        // the trust and block checks when it was published).
        let held_for = if comment.is_owner || comment.status != CommentStatus::Approved {
            None
        } else {
            let trusted = crate::domain::rules::Standing {
                trusted_comments: u32::MAX,
                ..Default::default()
            };
            self.site.rules.hold(
                &Written {
                    name: &comment.author_name,
                    body,
                    website: comment.author_url.as_deref(),
                },
                trusted,
            )
        };
        let record = self
            .store
            .update_body(UpdateBody {
                id,
                body_markdown: body,
                body_html: &body_html,
                now_ms,
                status: held_for.map(|_| CommentStatus::Pending),
                held_for,
            })
            .await?
            // Deleted meanwhile: the delete wins.
            .ok_or(ServiceError::CommentNotFound)?;
        Ok(Changed {
            value: self.public(&record),
            thread,
        })
    }

    /// Delete the reader's own comment. Replies stay; the comment shows as "[deleted]".
    pub async fn delete(
        &self,
        id: CommentId,
        input: &DeleteComment,
        now_ms: i64,
    ) -> Result<Changed<()>, ServiceError> {
        self.writable()?;
        // Authors can take their words back even from the owner's Trash.
        let (_, thread) = self
            .own_comment_as(id, &input.edit_token, now_ms, true)
            .await?;
        self.store.delete_comment(id, now_ms).await?;
        Ok(Changed { value: (), thread })
    }

    /// Like (or un-like) a published comment once per reader.
    pub async fn like(
        &self,
        id: CommentId,
        input: &LikeRequest,
        liked: bool,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<Changed<LikeState>, ServiceError> {
        self.writable()?;
        let reader = input.reader.trim();
        let well_formed = (16..=64).contains(&reader.len())
            && reader
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !well_formed {
            return Err(ServiceError::Reader);
        }
        let client = ClientKeys::from_ip(client_ip);
        self.count_against("like", &self.site.like_limits, &client, now_ms)
            .await?;
        let thread = match self.store.find_comment_in_thread(id).await? {
            Some((c, t)) if c.status == CommentStatus::Approved => t.key,
            _ => return Err(ServiceError::CommentNotFound),
        };
        let (likes, liked) = self
            .store
            .set_like(SetLike {
                id,
                reader_hash: &self.keys.reader_hash(reader),
                client_hash: &self.keys.client_hash(&client.client),
                liked,
                now_ms,
            })
            .await?;
        Ok(Changed {
            value: LikeState { likes, liked },
            thread,
        })
    }

    /// Render a body exactly as publishing it would, storing nothing. Rendering costs
    /// CPU, so previews count against their own per-client limit.
    pub async fn preview(
        &self,
        body: &str,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<PreviewResponse, ServiceError> {
        self.writable()?;
        let body = body.trim();
        validate::body_text(body).map_err(|code| ServiceError::field(Field::Body, code))?;
        let client = ClientKeys::from_ip(client_ip);
        self.count_against("preview", &self.site.preview_limits, &client, now_ms)
            .await?;
        Ok(PreviewResponse {
            html: render_body(body)?,
        })
    }
}

/// Idempotent posting: the claim around [`Service::post`] (the Worker stores the final
/// answer, which carries the rendered HTML).
impl<S: CommentStore + crate::db::idempotency::IdempotencyStore, H: HumanCheck> Service<'_, S, H> {
    /// Claim `key` for this client. The key's keyed hash (to finish or release it) and
    /// what the claim found.
    pub async fn claim_post(
        &self,
        key: &str,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<(String, crate::db::idempotency::Claim), ServiceError> {
        let key = key.trim();
        let valid = (16..=128).contains(&key.len())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(ServiceError::IdempotencyKey);
        }
        self.writable()?;
        let client = ClientKeys::from_ip(client_ip);
        let hash = self
            .keys
            // The site too: a key replayed on another site of the deployment is new there.
            .hash(
                Purpose::Idempotency,
                &format!("{}|{}|{key}", self.site.id, client.client),
            );
        let claim = self.store.claim(&hash, now_ms).await?;
        Ok((hash, claim))
    }

    pub async fn finish_post(
        &self,
        hash: &str,
        response: &str,
        comment: CommentId,
    ) -> Result<(), ServiceError> {
        Ok(self.store.finish(hash, response, comment).await?)
    }

    pub async fn release_post(&self, hash: &str) -> Result<(), ServiceError> {
        Ok(self.store.release(hash).await?)
    }
}
