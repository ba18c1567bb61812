//! The owner's decisions in the in-memory store (as `db::moderation` is for SQL).

use super::{wipe, MemStore};
use crate::db::store::{ModeratedComment, StoreError};
use crate::wire::api::CommentId;
use crate::wire::moderation::{CommentStatus, Decision, HeldFor};

impl MemStore {
    pub(super) fn moderate_now(
        &self,
        ids: &[CommentId],
        decision: Decision,
        now_ms: i64,
    ) -> Result<Vec<ModeratedComment>, StoreError> {
        let ids: Vec<CommentId> = ids.iter().copied().filter(|id| self.owns(*id)).collect();
        let threads = self.threads.borrow();
        let mut out = Vec::new();
        for c in self.comments.borrow_mut().iter_mut() {
            if !ids.contains(&c.id) {
                continue;
            }
            let live = c.status != CommentStatus::Deleted;
            let was = c.status;
            let changed = match decision {
                Decision::Approve
                    if live && (c.status != CommentStatus::Approved || c.reports > 0) =>
                {
                    c.reports_reviewed |= c.reports > 0 || c.held_for == Some(HeldFor::Reported);
                    c.status = CommentStatus::Approved;
                    c.held_for = None;
                    c.reports = 0;
                    self.reports.borrow_mut().retain(|(id, _)| *id != c.id);
                    true
                }
                Decision::Spam if live && c.status != CommentStatus::Spam => {
                    c.status = CommentStatus::Spam;
                    c.held_for = None;
                    true
                }
                Decision::Hold if live && c.status != CommentStatus::Pending => {
                    c.status = CommentStatus::Pending;
                    c.held_for = None;
                    true
                }
                Decision::Trash if live => {
                    c.trashed_from = Some(c.status);
                    c.status = CommentStatus::Deleted;
                    c.held_for = None;
                    true
                }
                Decision::Restore => match c.trashed_from.take() {
                    Some(from) => {
                        c.status = from;
                        true
                    }
                    None => false,
                },
                Decision::Delete if c.trashed_from.is_some() => {
                    wipe(c, now_ms);
                    c.held_for = None;
                    true
                }
                _ => false,
            };
            if !changed {
                continue;
            }
            if let Some(t) = threads.iter().find(|t| t.id == c.thread_id) {
                // Published before: at its insert (approved at once) or an earlier approval.
                let first = decision == Decision::Approve
                    && was == CommentStatus::Pending
                    && !self.published.borrow().contains(&c.id);
                if decision == Decision::Approve {
                    self.published.borrow_mut().push(c.id);
                }
                out.push(ModeratedComment {
                    id: c.id,
                    thread: t.key.clone(),
                    was,
                    first_publication: first,
                });
            }
        }
        out.sort_by_key(|c| c.id);
        Ok(out)
    }
}
