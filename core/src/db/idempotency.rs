//! Idempotent posting in SQL: a key is claimed before the comment is written, its answer
//! stored after, and a retry with the same key gets that answer instead of a second
//! comment. A claim whose request failed is released, so a corrected retry can post.

use serde::Deserialize;

use crate::db::exec::{decode_all, Arg, Query, SqlExec, SqlStore};
use crate::db::store::StoreError;

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
        comment: crate::wire::api::CommentId,
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
        comment: crate::wire::api::CommentId,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::contract::Sqlite;
    use crate::db::store::CommentStore;
    use crate::wire::api::CommentId;

    const T0: i64 = 1_800_000_000_000;

    fn block<F: std::future::Future>(f: F) -> F::Output {
        pollster::block_on(f)
    }

    #[test]
    fn a_key_is_claimed_once_answered_again_and_released_after_a_failure() {
        let s = SqlStore::new(Sqlite::migrated(), "default");
        assert_eq!(block(s.claim("k1", T0)).unwrap(), Claim::New);
        assert_eq!(
            block(s.claim("k1", T0 + 1)).unwrap(),
            Claim::InProgress,
            "a second request while the first is answered"
        );
        block(s.finish("k1", "{\"comment\":1}", CommentId(1))).unwrap();
        assert_eq!(
            block(s.claim("k1", T0 + 2)).unwrap(),
            Claim::Done("{\"comment\":1}".into())
        );
        // A failed request gives its key back; an answered one is never given back.
        assert_eq!(block(s.claim("k2", T0)).unwrap(), Claim::New);
        block(s.release("k2")).unwrap();
        assert_eq!(block(s.claim("k2", T0 + 1)).unwrap(), Claim::New);
        block(s.release("k1")).unwrap();
        assert!(matches!(
            block(s.claim("k1", T0 + 3)).unwrap(),
            Claim::Done(_)
        ));
    }

    #[test]
    fn a_claim_whose_request_died_is_taken_over_and_answers_are_forgotten_after_a_day() {
        // In plain durations, not the constants: the promise is a minute and a day.
        const MINUTE: i64 = 60_000;
        const HOUR: i64 = 60 * MINUTE;
        let s = SqlStore::new(Sqlite::migrated(), "default");
        assert_eq!(block(s.claim("k", T0)).unwrap(), Claim::New);
        assert_eq!(
            block(s.claim("k", T0 + MINUTE - 1)).unwrap(),
            Claim::InProgress
        );
        let taken = T0 + MINUTE + 1;
        assert_eq!(
            block(s.claim("k", taken)).unwrap(),
            Claim::New,
            "no answer for a minute: the first request died"
        );
        block(s.finish("k", "answer", CommentId(7))).unwrap();
        assert_eq!(
            block(s.claim("k", taken + 23 * HOUR)).unwrap(),
            Claim::Done("answer".into()),
            "kept for a day"
        );
        assert_eq!(
            block(s.claim("k", taken + 25 * HOUR)).unwrap(),
            Claim::New,
            "forgotten after it"
        );
    }

    #[test]
    fn a_deleted_comment_takes_its_kept_answer_with_it() {
        let s = SqlStore::new(Sqlite::migrated(), "default");
        let t = block(s.upsert_thread(crate::db::store::UpsertThread {
            key: "/i/",
            title: None,
            url: None,
            now_ms: T0,
        }))
        .unwrap();
        let c = block(s.insert_comment(crate::db::store::InsertComment {
            thread_id: t.id,
            parent_id: None,
            status: crate::wire::moderation::CommentStatus::Approved,
            author_name: "Ana",
            author_email: "ana@example.org",
            author_url: None,
            body_markdown: "words",
            body_html: "<p>words</p>",
            created_at_ms: T0,
            client_hash: "c",
            root_id: None,
            is_owner: false,
            email_hash: Some("e"),
            author_key_hash: None,
            held_for: None,
        }))
        .unwrap();
        block(s.claim("k", T0)).unwrap();
        block(s.finish("k", "{\"words\":true}", c.id)).unwrap();
        block(s.delete_comment(c.id, T0 + 1)).unwrap();
        assert_eq!(block(s.claim("k", T0 + 2)).unwrap(), Claim::New);
    }
}
