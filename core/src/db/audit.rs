//! The audit list in SQL: who did what in the console and the Cron Trigger, newest first,
//! a page at a time and by kind.

use serde::Deserialize;

use crate::db::exec::{decode_all, Arg, Query, SqlExec, SqlStore};
use crate::db::store::StoreError;

/// One audit line as stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StoredAudit {
    /// Its place in the list (ignored when adding).
    #[serde(default)]
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: Option<String>,
}

/// The audit list.
#[allow(async_fn_in_trait)]
pub trait AuditStore {
    async fn add_audit(&self, entry: &StoredAudit) -> Result<(), StoreError>;
    /// Newest first, older than `before` (an entry's id), only `actions` when given.
    async fn list_audit(
        &self,
        limit: u32,
        before: Option<i64>,
        actions: &[&str],
    ) -> Result<Vec<StoredAudit>, StoreError>;
}

impl<E: SqlExec> AuditStore for SqlStore<E> {
    async fn add_audit(&self, e: &StoredAudit) -> Result<(), StoreError> {
        self.exec()
            .rows(Query::new(
                "INSERT INTO audit (at, actor, action, target, detail, site_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                vec![
                    e.at.into(),
                    e.actor.as_str().into(),
                    e.action.as_str().into(),
                    e.target.as_str().into(),
                    e.detail.as_deref().into(),
                    self.site(),
                ],
            ))
            .await?;
        Ok(())
    }

    async fn list_audit(
        &self,
        limit: u32,
        before: Option<i64>,
        actions: &[&str],
    ) -> Result<Vec<StoredAudit>, StoreError> {
        let mut args = vec![
            Arg::from(limit),
            Arg::from(before.unwrap_or(i64::MAX)),
            self.site(),
        ];
        let only = if actions.is_empty() {
            String::new()
        } else {
            args.extend(actions.iter().map(|a| Arg::from(*a)));
            // Thread changes are written joined ("unlock+unpin"): each part counts.
            let any: Vec<String> = (4..4 + actions.len())
                .map(|n| format!("instr('+' || action || '+', '+' || ?{n} || '+') > 0"))
                .collect();
            format!(" AND ({})", any.join(" OR "))
        };
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT id, at, actor, action, target, detail FROM audit \
                     WHERE site_id = ?3 AND id < ?2{only} ORDER BY id DESC LIMIT ?1"
                ),
                args,
            ))
            .await?;
        decode_all(rows)
    }
}
