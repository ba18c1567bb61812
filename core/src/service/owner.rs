//! What the site owner (through the console) and readers' reports do to a thread: lock,
//! pin, moderate, block, report. Who may call the owner's methods is the console's
//! business (sessions); these only check that the request makes sense.

use super::error::ServiceError;
use super::{HumanCheck, Service};
use crate::db::store::{CommentStore, Report, SetBlock, ThreadFlags};
use crate::domain::client::ClientKeys;
use crate::domain::model::ThreadRecord;
use crate::domain::token::Purpose;
use crate::wire::api::{CommentId, ReportReason, ReportRequest, ReportState};
use crate::wire::moderation::CommentStatus;
use crate::wire::moderation::Decision;

/// What a report did.
#[derive(Debug, Clone, PartialEq)]
pub struct Reporting {
    /// The answer to the reader.
    pub state: ReportState,
    /// The thread whose pages changed (the report hid the comment).
    pub hidden_in: Option<String>,
    /// A new reporter: the owner hears of it (a reporter repeating themselves does not
    /// queue anything).
    pub notify: bool,
    /// The threshold is reached but the comment stays up: the owner wrote it or approved it
    /// after earlier reports.
    pub kept_visible: bool,
}

impl<S: CommentStore, H: HumanCheck> Service<'_, S, H> {
    /// A reader reports a published comment. A report is a form like a comment: it needs
    /// a form token for the comment's thread (a person's speed, used once) and, where the
    /// site turned it on, the human check. Reports weigh once per network — an IPv4
    /// address or an IPv6 /56, one home connection however many /64s it rotates through —
    /// and at the site's threshold the comment is held for review, unless the owner wrote
    /// it or already approved it after reports (then the owner is told instead).
    pub async fn report(
        &self,
        id: CommentId,
        input: &ReportRequest,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<Reporting, ServiceError> {
        self.writable()?;
        let reason = ReportReason::parse(input.reason.trim()).ok_or(ServiceError::ReportInvalid)?;
        let client = ClientKeys::from_ip(client_ip);
        let human_token = input
            .turnstile_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if self.check.required() && human_token.is_none() {
            return Err(ServiceError::CheckRequired);
        }
        self.count_against("report", &self.site.like_limits, &client, now_ms)
            .await?;
        let (comment, thread) = self
            .store
            .find_comment_in_thread(id)
            .await?
            .filter(|(c, t)| c.status == CommentStatus::Approved && t.site_id == self.site.id)
            .ok_or(ServiceError::CommentNotFound)?;
        let token_id = self
            .keys
            .verify_form_token(
                input.form_token.trim(),
                &self.form_scope(&thread.key, &client),
                now_ms,
                self.site.min_submit_ms,
                self.site.form_max_age_ms,
            )
            .map_err(ServiceError::Form)?;
        if let (true, Some(token)) = (self.check.required(), human_token) {
            match self.check.verify(token, client_ip).await {
                Ok(true) => {}
                Ok(false) => return Err(ServiceError::CheckFailed),
                Err(e) => return Err(ServiceError::CheckUnavailable(e)),
            }
        }
        if !self
            .store
            .use_form_token(&token_id, now_ms + self.site.form_max_age_ms, now_ms)
            .await?
        {
            return Err(ServiceError::Form(crate::domain::token::TokenError::Used));
        }
        let network = client.network.as_deref().unwrap_or(&client.client);
        let reported = self
            .store
            .report(Report {
                id: comment.id,
                reporter_hash: &self.keys.hash(Purpose::Reporter, network),
                reason: reason.as_str(),
                now_ms,
                threshold: self.site.report_threshold,
            })
            .await?;
        let threshold = self.site.report_threshold.max(1);
        Ok(Reporting {
            state: ReportState {
                reported: true,
                form_token: self.form_token_for(&thread.key, &client, now_ms),
            },
            hidden_in: reported.hidden.then(|| thread.key.clone()),
            notify: reported.counted,
            kept_visible: reported.counted
                && !reported.hidden
                && reported.reports >= threshold
                && (comment.is_owner || comment.reports_reviewed),
        })
    }

    /// Close a thread to new comments, or open it again.
    pub async fn lock(&self, key: &str, locked: bool) -> Result<ThreadRecord, ServiceError> {
        self.set_flags(key, Some(locked), None).await
    }

    /// Pin one published top-level comment of the thread (or unpin with `None`).
    pub async fn pin(
        &self,
        key: &str,
        comment: Option<CommentId>,
    ) -> Result<ThreadRecord, ServiceError> {
        if let Some(id) = comment {
            let pinnable = self
                .store
                .find_comment_in_thread(id)
                .await?
                .is_some_and(|(c, t)| {
                    t.key == key.trim()
                        && t.site_id == self.site.id
                        && c.parent_id.is_none()
                        && c.status == CommentStatus::Approved
                });
            if !pinnable {
                return Err(ServiceError::CommentNotFound);
            }
        }
        self.set_flags(key, None, Some(comment)).await
    }

    async fn set_flags(
        &self,
        key: &str,
        locked: Option<bool>,
        pinned: Option<Option<CommentId>>,
    ) -> Result<ThreadRecord, ServiceError> {
        self.store
            .set_thread(ThreadFlags {
                key: key.trim(),
                locked,
                pinned,
            })
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// One decision on any number of comments: in batches small enough for D1 (it binds
    /// at most 100 values per statement; each batch is one transaction), so 1,000 ids are
    /// 12 round trips, never one statement that fails as a whole. Returns the threads
    /// whose pages changed and how many comments did.
    pub async fn moderate(
        &self,
        ids: &[CommentId],
        decision: Decision,
        now_ms: i64,
    ) -> Result<Moderated, ServiceError> {
        let mut done = Moderated::default();
        for chunk in ids.chunks(crate::wire::limits::IDS_PER_STATEMENT) {
            let changed = self.store.moderate(chunk, decision, now_ms).await?;
            done.changed += changed.len() as u32;
            for c in changed {
                if c.first_publication && c.was == CommentStatus::Pending {
                    done.published.push(c.id);
                }
                done.threads.push(c.thread);
            }
        }
        done.threads.sort();
        done.threads.dedup();
        Ok(done)
    }

    /// Block (or unblock) a commenter by the keyed hash the store keeps of their email
    /// or address.
    pub async fn block(&self, block: SetBlock<'_>) -> Result<(), ServiceError> {
        self.store.set_block(block).await?;
        Ok(())
    }
}

/// What a decision changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moderated {
    /// The threads whose pages changed (their cached pages go).
    pub threads: Vec<String>,
    /// Comments whose state changed (those already so are not counted).
    pub changed: u32,
    /// Waiting comments this published (an approval): they notify now.
    pub published: Vec<CommentId>,
}
