//! What the site owner (through the console) and readers' reports do to a thread: lock,
//! pin, moderate, block, report. Who may call the owner's methods is the console's
//! business (sessions); these only check that the request makes sense.

use super::{HumanCheck, Service, ServiceError};
use crate::api::{CommentId, ReportReason, ReportRequest, ReportState};
use crate::client::ClientKeys;
use crate::model::{CommentStatus, ThreadRecord};
use crate::store::{BlockKind, CommentStore, Decision, Report, SetBlock, ThreadFlags};
use crate::token::Purpose;

impl<S: CommentStore, H: HumanCheck> Service<'_, S, H> {
    /// A reader reports a published comment. Counted once per client address (fresh
    /// browser ids from one address add nothing); at the site's threshold the comment is
    /// held for review. Returns the thread whose pages changed, if any.
    pub async fn report(
        &self,
        id: CommentId,
        input: &ReportRequest,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<(ReportState, Option<String>), ServiceError> {
        self.writable()?;
        let reason = ReportReason::parse(input.reason.trim()).ok_or(ServiceError::ReportInvalid)?;
        let client = ClientKeys::from_ip(client_ip);
        self.count_against("report", &self.site.like_limits, &client, now_ms)
            .await?;
        let (comment, thread) = self
            .store
            .find_comment_in_thread(id)
            .await?
            .filter(|(c, t)| c.status == CommentStatus::Approved && t.site_id == self.site.id)
            .ok_or(ServiceError::CommentNotFound)?;
        let reported = self
            .store
            .report(Report {
                id: comment.id,
                reporter_hash: &self.keys.hash(Purpose::Reporter, &client.client),
                reason: reason.as_str(),
                now_ms,
                threshold: self.site.report_threshold,
            })
            .await?;
        Ok((
            ReportState { reported: true },
            reported.hidden.then_some(thread.key),
        ))
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
                site_id: &self.site.id,
                key: key.trim(),
                locked,
                pinned,
            })
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Approve, mark as spam or delete comments; returns the threads whose pages changed.
    pub async fn moderate(
        &self,
        ids: &[CommentId],
        decision: Decision,
        now_ms: i64,
    ) -> Result<Vec<String>, ServiceError> {
        let mut threads: Vec<String> = self
            .store
            .moderate(ids, decision, now_ms)
            .await?
            .into_iter()
            .map(|(_, key)| key)
            .collect();
        threads.sort();
        threads.dedup();
        Ok(threads)
    }

    /// Block (or unblock) a commenter by the keyed hash the store keeps of their email
    /// or address.
    pub async fn block(
        &self,
        kind: BlockKind,
        hash: &str,
        label: &str,
        on: bool,
        now_ms: i64,
    ) -> Result<(), ServiceError> {
        self.store
            .set_block(SetBlock {
                kind,
                hash,
                label,
                on,
                now_ms,
            })
            .await?;
        Ok(())
    }
}
