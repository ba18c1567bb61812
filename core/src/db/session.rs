//! Console sessions in SQL: only hashes of the cookie's value are stored, with the key they
//! were opened with (a new key ends them all).

use serde::Deserialize;

use crate::db::exec::{decode_all, Query, SqlExec, SqlStore};
use crate::db::store::StoreError;

/// Console sessions.
#[allow(async_fn_in_trait)]
pub trait SessionStore {
    /// A session (hash of its cookie's value) opened with the console key of `key_hash`.
    async fn create_session(
        &self,
        id: &str,
        key_hash: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), StoreError>;
    /// When the session ends, if it exists, has not ended, and was opened with the
    /// console key of `key_hash`.
    async fn session_expiry(
        &self,
        id: &str,
        key_hash: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError>;
    async fn end_session(&self, id: &str) -> Result<(), StoreError>;
    async fn end_all_sessions(&self) -> Result<(), StoreError>;
}

impl<E: SqlExec> SessionStore for SqlStore<E> {
    async fn create_session(
        &self,
        id: &str,
        key_hash: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), StoreError> {
        self.exec()
            .batch(vec![
                Query::new(
                    "DELETE FROM admin_sessions WHERE expires_at < ?1",
                    vec![now_ms.into()],
                ),
                Query::new(
                    "INSERT INTO admin_sessions (id, created_at, expires_at, key_hash, site_id) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    vec![
                        id.into(),
                        now_ms.into(),
                        expires_ms.into(),
                        key_hash.into(),
                        self.site(),
                    ],
                ),
            ])
            .await?;
        Ok(())
    }

    async fn session_expiry(
        &self,
        id: &str,
        key_hash: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        #[derive(Deserialize)]
        struct Expiry {
            expires_at: i64,
        }
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT expires_at FROM admin_sessions \
                 WHERE id = ?1 AND expires_at > ?2 AND key_hash = ?3 AND site_id = ?4",
                vec![id.into(), now_ms.into(), key_hash.into(), self.site()],
            ))
            .await?;
        Ok(decode_all::<Expiry>(rows)?.first().map(|e| e.expires_at))
    }

    async fn end_session(&self, id: &str) -> Result<(), StoreError> {
        self.exec()
            .rows(Query::new(
                "DELETE FROM admin_sessions WHERE id = ?1 AND site_id = ?2",
                vec![id.into(), self.site()],
            ))
            .await?;
        Ok(())
    }

    async fn end_all_sessions(&self) -> Result<(), StoreError> {
        self.exec()
            .rows(Query::new(
                "DELETE FROM admin_sessions WHERE site_id = ?1",
                vec![self.site()],
            ))
            .await?;
        Ok(())
    }
}
