//! The audit list: every console action and Cron Trigger run written down (who, what,
//! where, never a commenter's words), read a page at a time and by kind.

use super::error::ServiceError;
use super::{HumanCheck, Service};
use crate::db::audit::{AuditStore, StoredAudit};
use crate::db::store::CommentStore;
use crate::domain::dates::rfc3339;
use crate::wire::console::audit::AuditKind;
use crate::wire::console::{AuditEntry, AuditList};
use crate::wire::limits;

impl<S: CommentStore + AuditStore, H: HumanCheck> Service<'_, S, H> {
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: Option<String>,
        now_ms: i64,
    ) -> Result<(), ServiceError> {
        self.store
            .add_audit(&StoredAudit {
                id: 0,
                at: now_ms,
                actor: actor.to_owned(),
                action: action.to_owned(),
                target: target.to_owned(),
                detail,
            })
            .await?;
        Ok(())
    }

    /// A page of the audit list (200 lines), older than `before`, of one kind
    /// ([`AuditKind`]) when given.
    pub async fn audit_list(
        &self,
        before: Option<i64>,
        kind: Option<&str>,
    ) -> Result<AuditList, ServiceError> {
        let actions: Vec<&str> = kind
            .and_then(AuditKind::parse)
            .map_or(&[][..], AuditKind::actions)
            .iter()
            .map(|a| a.as_str())
            .collect();
        let rows = self
            .store
            .list_audit(limits::AUDIT_PAGE + 1, before, &actions)
            .await?;
        let next_before = (rows.len() > limits::AUDIT_PAGE as usize)
            .then(|| rows[limits::AUDIT_PAGE as usize - 1].id);
        Ok(AuditList {
            next_before,
            entries: rows
                .into_iter()
                .take(limits::AUDIT_PAGE as usize)
                .map(|a| AuditEntry {
                    id: a.id,
                    at: rfc3339(a.at),
                    actor: a.actor,
                    action: a.action,
                    target: a.target,
                    detail: a.detail,
                })
                .collect(),
        })
    }
}
