//! The owner's and the readers' judgements in SQL: decisions on any number of comments (in
//! statements D1's bound allows), reports, blocks.

use crate::db::exec::{decode_all, placeholders, Arg, Query, Row, SqlExec, SqlStore};
use crate::db::rows::{approved, CountRow};

use serde::Deserialize;

use crate::db::store::{ModeratedComment, Report, Reported, SetBlock, StoreError};
use crate::wire::api::CommentId;
use crate::wire::moderation::CommentStatus;
use crate::wire::moderation::Decision;
use crate::wire::moderation::HeldFor;

impl<E: SqlExec> SqlStore<E> {
    pub(crate) async fn set_block_sql(&self, req: SetBlock<'_>) -> Result<(), StoreError> {
        let query = if req.on {
            Query::new(
                "INSERT INTO site_blocks (kind, hash, label, created_at, email_hash, site_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (site_id, kind, hash) DO UPDATE SET label = excluded.label, \
                   email_hash = excluded.email_hash",
                vec![
                    req.kind.as_str().into(),
                    req.hash.into(),
                    req.label.into(),
                    req.now_ms.into(),
                    req.email_hash.into(),
                    self.site(),
                ],
            )
        } else {
            Query::new(
                "DELETE FROM site_blocks WHERE kind = ?1 AND hash = ?2 AND site_id = ?3",
                vec![req.kind.as_str().into(), req.hash.into(), self.site()],
            )
        };
        self.exec().rows(query).await?;
        Ok(())
    }

    pub(crate) async fn moderate_sql(
        &self,
        ids: &[CommentId],
        decision: Decision,
        now_ms: i64,
    ) -> Result<Vec<ModeratedComment>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec![Arg::from(now_ms)];
        args.extend(ids.iter().map(|id| Arg::from(*id)));
        // The site comes last: every statement below names it, so ids of another site's
        // comments change nothing and are not reported as changed.
        let site = format!("?{}", ids.len() + 2);
        args.push(self.site());
        let list = format!(
            "SELECT id FROM comments WHERE id IN ({}) AND site_id = {site}",
            placeholders(2, ids.len())
        );
        let deleted = CommentStatus::Deleted.as_str();
        let in_queue_or_public = format!("id IN ({list}) AND status <> '{deleted}' AND ?1 = ?1");
        let change = match decision {
            Decision::Approve => format!(
                "UPDATE comments SET status = '{}', held_for = NULL, reports = 0, \
                   notified_at = COALESCE(notified_at, ?1), \
                   reports_reviewed = CASE WHEN reports > 0 OR held_for = '{}' THEN 1 \
                     ELSE reports_reviewed END \
                 WHERE {in_queue_or_public} AND (status <> '{}' OR reports > 0)",
                CommentStatus::Approved.as_str(),
                HeldFor::Reported.as_str(),
                CommentStatus::Approved.as_str(),
            ),
            Decision::Spam => format!(
                "UPDATE comments SET status = '{}', held_for = NULL \
                 WHERE {in_queue_or_public} AND status <> '{}'",
                CommentStatus::Spam.as_str(),
                CommentStatus::Spam.as_str()
            ),
            Decision::Hold => format!(
                "UPDATE comments SET status = '{}', held_for = NULL \
                 WHERE {in_queue_or_public} AND status <> '{}'",
                CommentStatus::Pending.as_str(),
                CommentStatus::Pending.as_str()
            ),
            // Out of sight as a placeholder, words kept for a restore.
            Decision::Trash => format!(
                "UPDATE comments SET trashed_from = status, trashed_at = ?1, \
                   status = '{deleted}', held_for = NULL \
                 WHERE id IN ({list}) AND status <> '{deleted}'"
            ),
            Decision::Restore => format!(
                "UPDATE comments SET status = trashed_from, trashed_from = NULL, \
                   trashed_at = NULL \
                 WHERE id IN ({list}) AND trashed_from IS NOT NULL AND ?1 = ?1"
            ),
            // What the author wrote goes; the row stays so replies keep their parent.
            Decision::Delete => format!(
                "UPDATE comments SET status = '{deleted}', held_for = NULL, body_markdown = '', \
                   body_html = '', author_name = '', author_email = '', author_url = NULL, \
                   updated_at = ?1, trashed_from = NULL, trashed_at = NULL \
                 WHERE id IN ({list}) AND trashed_from IS NOT NULL"
            ),
        };
        // What each was before, read in the same transaction as the change.
        let mut queries = vec![
            Query::new(
                format!(
                    "SELECT c.id AS id, t.key AS key, c.status AS status, \
                       c.notified_at IS NULL AS never_published FROM comments c \
                     JOIN threads t ON t.id = c.thread_id WHERE c.id IN ({list}) AND ?1 = ?1"
                ),
                args.clone(),
            ),
            Query::new(format!("{change} RETURNING id"), args.clone()),
        ];
        // A kept idempotent answer repeats the words: a retry must not show them again.
        // Notifications about it not sent yet stay unsent (a trashed comment announces
        // nothing); deleted for good, none of them keeps its words.
        if matches!(decision, Decision::Delete | Decision::Trash) {
            queries.push(Query::new(
                format!("DELETE FROM idempotency WHERE comment_id IN ({list}) AND ?1 = ?1"),
                args.clone(),
            ));
        }
        // Out of sight again (Unapprove, an Undo, the Trash): what was queued about it and
        // not sent yet stays unsent; deleted for good, none of it is kept.
        if matches!(
            decision,
            Decision::Delete | Decision::Trash | Decision::Hold
        ) {
            let unsent = if decision == Decision::Delete {
                ""
            } else {
                " AND sent_at IS NULL"
            };
            queries.push(Query::new(
                format!("DELETE FROM outbox WHERE comment_id IN ({list}) AND ?1 = ?1{unsent}"),
                args.clone(),
            ));
        }
        if decision == Decision::Approve {
            queries.push(Query::new(
                format!(
                    "DELETE FROM reports WHERE comment_id IN ({list}) AND ?1 = ?1 \
                       AND comment_id IN (SELECT id FROM comments WHERE status = '{}')",
                    CommentStatus::Approved.as_str()
                ),
                args,
            ));
        }
        #[derive(Deserialize)]
        struct Before {
            id: i64,
            key: String,
            status: String,
            never_published: i64,
        }
        #[derive(Deserialize)]
        struct Id {
            id: i64,
        }
        let mut results = self.exec().batch(queries).await?.into_iter();
        let before = decode_all::<Before>(results.next().unwrap_or_default())?;
        let changed: std::collections::HashSet<i64> =
            decode_all::<Id>(results.next().unwrap_or_default())?
                .into_iter()
                .map(|r| r.id)
                .collect();
        let mut out: Vec<ModeratedComment> = before
            .into_iter()
            .filter(|b| changed.contains(&b.id))
            .map(|b| ModeratedComment {
                id: CommentId(b.id),
                thread: b.key,
                was: CommentStatus::parse(&b.status).unwrap_or(CommentStatus::Deleted),
                first_publication: decision == Decision::Approve && b.never_published != 0,
            })
            .collect();
        out.sort_by_key(|c| c.id);
        Ok(out)
    }

    pub(crate) async fn report_sql(&self, req: Report<'_>) -> Result<Reported, StoreError> {
        let results = self
            .exec()
            .batch(vec![
                Query::new(
                    "INSERT INTO reports (comment_id, reporter_hash, reason, created_at) \
                     SELECT ?1, ?2, ?3, ?4 \
                     WHERE EXISTS (SELECT 1 FROM comments WHERE id = ?1 AND site_id = ?5) \
                     ON CONFLICT (comment_id, reporter_hash) DO NOTHING RETURNING 1 AS n",
                    vec![
                        req.id.into(),
                        req.reporter_hash.into(),
                        req.reason.into(),
                        req.now_ms.into(),
                        self.site(),
                    ],
                ),
                Query::new(
                    "UPDATE comments SET reports = (SELECT COUNT(*) FROM reports WHERE comment_id = ?1) \
                     WHERE id = ?1 AND site_id = ?2 RETURNING reports AS n",
                    vec![req.id.into(), self.site()],
                ),
                Query::new(
                    format!(
                        "UPDATE comments SET status = '{}', held_for = '{}' \
                         WHERE id = ?1 AND site_id = ?3 AND status = {} AND reports >= ?2 \
                           AND is_owner = 0 AND reports_reviewed = 0 RETURNING 1 AS n",
                        CommentStatus::Pending.as_str(),
                        HeldFor::Reported.as_str(),
                        approved()
                    ),
                    vec![req.id.into(), req.threshold.max(1).into(), self.site()],
                ),
            ])
            .await?;
        let [inserted, count, hidden]: [Vec<Row>; 3] = results
            .try_into()
            .map_err(|_| StoreError::Backend("report batch returned the wrong count".into()))?;
        Ok(Reported {
            reports: decode_all::<CountRow>(count)?
                .into_iter()
                .next()
                .map_or(0, |r| r.n),
            hidden: !hidden.is_empty(),
            counted: !inserted.is_empty(),
        })
    }
}
