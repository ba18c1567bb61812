//! Idempotent posting in SQL: a key is claimed before the comment is written, its answer
//! stored after, and a retry with the same key gets that answer instead of a second
//! comment. A claim whose request failed is released, so a corrected retry can post.

use serde::Deserialize;

use crate::sql::{decode_all, Arg, Query, SqlExec, SqlStore};
use crate::store::StoreError;

/// What a key finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use: go ahead, then [`IdempotencyStore::finish`].
    New,
    /// Answered before: this is the answer (JSON).
    Done(String),
    /// Another request with this key is being answered right now.
    InProgress,
}

/// How long a key is remembered.
pub const KEEP_MS: i64 = 24 * 3600 * 1000;
/// A claim with no answer after this long belongs to a request that died (a Worker is
/// stopped long before): the key may be claimed again.
pub const STALE_MS: i64 = 60 * 1000;

#[allow(async_fn_in_trait)]
pub trait IdempotencyStore {
    async fn claim(&self, key_hash: &str, now_ms: i64) -> Result<Claim, StoreError>;
    /// Keep the answer, and the comment it carries (deleting or erasing that comment
    /// removes the answer too).
    async fn finish(
        &self,
        key_hash: &str,
        response: &str,
        comment: crate::api::CommentId,
    ) -> Result<(), StoreError>;
    async fn release(&self, key_hash: &str) -> Result<(), StoreError>;
}

impl<E: SqlExec> IdempotencyStore for SqlStore<E> {
    async fn claim(&self, key_hash: &str, now_ms: i64) -> Result<Claim, StoreError> {
        #[derive(Deserialize)]
        struct Row {
            response: Option<String>,
        }
        let results = self
            .exec()
            .batch(vec![
                Query::new(
                    "DELETE FROM idempotency WHERE created_at < ?1",
                    vec![Arg::from(now_ms - KEEP_MS)],
                ),
                // New, or taking over a claim whose request died without an answer.
                Query::new(
                    "INSERT INTO idempotency (key_hash, response, created_at) VALUES (?1, NULL, ?2) \
                     ON CONFLICT (key_hash) DO UPDATE SET created_at = excluded.created_at \
                       WHERE idempotency.response IS NULL AND idempotency.created_at < ?3 \
                     RETURNING 1 AS n",
                    vec![
                        Arg::from(key_hash),
                        Arg::from(now_ms),
                        Arg::from(now_ms - STALE_MS),
                    ],
                ),
                Query::new(
                    "SELECT response FROM idempotency WHERE key_hash = ?1",
                    vec![Arg::from(key_hash)],
                ),
            ])
            .await?;
        let mut results = results.into_iter().skip(1);
        // The insert returned a row: this request claimed the key.
        if !results.next().unwrap_or_default().is_empty() {
            return Ok(Claim::New);
        }
        let row = results
            .next()
            .map(decode_all::<Row>)
            .transpose()?
            .and_then(|r| r.into_iter().next());
        Ok(match row {
            Some(Row { response: Some(r) }) => Claim::Done(r),
            _ => Claim::InProgress,
        })
    }

    async fn finish(
        &self,
        key_hash: &str,
        response: &str,
        comment: crate::api::CommentId,
    ) -> Result<(), StoreError> {
        self.exec()
            .rows(Query::new(
                "UPDATE idempotency SET response = ?2, comment_id = ?3 WHERE key_hash = ?1",
                vec![Arg::from(key_hash), Arg::from(response), Arg::from(comment)],
            ))
            .await?;
        Ok(())
    }

    async fn release(&self, key_hash: &str) -> Result<(), StoreError> {
        self.exec()
            .rows(Query::new(
                "DELETE FROM idempotency WHERE key_hash = ?1 AND response IS NULL",
                vec![Arg::from(key_hash)],
            ))
            .await?;
        Ok(())
    }
}
