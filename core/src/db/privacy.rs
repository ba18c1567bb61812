//! A commenter's data by their address: what they wrote, their reply subscriptions, and
//! erasing them from every table.

use serde::Deserialize;

use crate::db::console::{listed, listed_columns, Listed};
use crate::db::exec::{decode_all, Arg, Query, SqlExec, SqlStore};
use crate::db::store::StoreError;
use crate::wire::moderation::CommentStatus;

/// A reply subscription as stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StoredSubscription {
    pub comment_id: i64,
    pub confirmed_at: Option<i64>,
    pub created_at: i64,
}

/// A commenter's data by email.
#[allow(async_fn_in_trait)]
pub trait PrivacyStore {
    /// Every comment with this keyed email hash (any status), oldest first; with `email`,
    /// also those under that address not hashed yet (imported, before the Cron Trigger).
    async fn by_email(
        &self,
        email_hash: &str,
        email: Option<&str>,
    ) -> Result<Vec<Listed>, StoreError>;
    async fn subscriptions_of(
        &self,
        email_hash: &str,
    ) -> Result<Vec<StoredSubscription>, StoreError>;
    /// Erase a commenter: their comments become "[deleted]" placeholders with every
    /// identifying hash gone, their subscriptions and notifications go, blocks of them stay
    /// without their name. Returns the thread keys.
    async fn erase(
        &self,
        email_hash: &str,
        email: &str,
        now_ms: i64,
    ) -> Result<Vec<String>, StoreError>;
}

impl<E: SqlExec> PrivacyStore for SqlStore<E> {
    async fn by_email(
        &self,
        email_hash: &str,
        email: Option<&str>,
    ) -> Result<Vec<Listed>, StoreError> {
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT {} FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE c.site_id = ?3 AND (c.email_hash = ?1 OR (?2 IS NOT NULL \
                       AND c.email_hash IS NULL AND c.author_email <> '' \
                       AND lower(c.author_email) = ?2)) ORDER BY c.id",
                    listed_columns()
                ),
                vec![email_hash.into(), email.into(), self.site()],
            ))
            .await?;
        listed(rows)
    }

    async fn subscriptions_of(
        &self,
        email_hash: &str,
    ) -> Result<Vec<StoredSubscription>, StoreError> {
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT comment_id, confirmed_at, created_at FROM subscriptions \
                 WHERE site_id = ?2 AND email_hash = ?1 ORDER BY id",
                vec![email_hash.into(), self.site()],
            ))
            .await?;
        decode_all(rows)
    }

    async fn erase(
        &self,
        email_hash: &str,
        email: &str,
        now_ms: i64,
    ) -> Result<Vec<String>, StoreError> {
        #[derive(Deserialize)]
        struct Key {
            key: String,
        }
        // Their comments: by keyed hash, or by address where the Cron Trigger has not
        // hashed an imported one yet.
        // Their comments on this site (`?4`) only: erasing on one site touches no other.
        let theirs = "SELECT id FROM comments WHERE site_id = ?4 AND (email_hash = ?1 \
             OR (email_hash IS NULL AND author_email <> '' AND lower(author_email) = ?3))";
        let args = vec![
            Arg::from(email_hash),
            Arg::from(now_ms),
            Arg::from(email),
            self.site(),
        ];
        // Every statement names all four values (D1 wants exactly the values used).
        let q = |sql: String| {
            Query::new(
                format!("{sql} AND ?1 = ?1 AND ?2 = ?2 AND ?3 = ?3 AND ?4 = ?4"),
                args.clone(),
            )
        };
        let results = self
            .exec()
            .batch(vec![
                q(format!(
                    "SELECT DISTINCT t.key AS key FROM comments c JOIN threads t ON t.id = c.thread_id \
                     WHERE c.id IN ({theirs})"
                )),
                // Every notification to them (sent or not) and about their comments or
                // the replies to them (which name them).
                q(format!(
                    "DELETE FROM outbox WHERE site_id = ?4 AND (lower(target) = ?3 \
                       OR comment_id IN ({theirs}) \
                       OR comment_id IN (SELECT id FROM comments WHERE parent_id IN ({theirs})))"
                )),
                // Kept answers to their posts repeat their words.
                q(format!("DELETE FROM idempotency WHERE comment_id IN ({theirs})")),
                q(
                    "DELETE FROM subscriptions WHERE site_id = ?4 \
                     AND (email_hash = ?1 OR lower(email) = ?3)"
                        .into(),
                ),
                // Blocks stay (erasure is no way around a block), without their name: a
                // keyed hash is all that is left of them.
                q("UPDATE site_blocks SET label = 'an erased commenter', email_hash = NULL \
                   WHERE site_id = ?4 AND (email_hash = ?1 OR (kind = 'email' AND hash = ?1))"
                    .into()),
                q(format!(
                    "UPDATE comments SET status = '{}', held_for = NULL, body_markdown = '', \
                       body_html = '', author_name = '', author_email = '', author_url = NULL, \
                       client_hash = NULL, author_key_hash = NULL, email_hash = NULL, \
                       trashed_from = NULL, trashed_at = NULL, \
                       updated_at = ?2 WHERE id IN ({theirs})",
                    CommentStatus::Deleted.as_str()
                )),
            ])
            .await?;
        let keys = results.into_iter().next().unwrap_or_default();
        Ok(decode_all::<Key>(keys)?
            .into_iter()
            .map(|k| k.key)
            .collect())
    }
}
