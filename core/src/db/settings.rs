//! The site's settings (JSON in `sites`) and its badge token hash.

use serde::Deserialize;

use crate::db::exec::{decode_all, Query, SqlExec, SqlStore};
use crate::db::store::StoreError;

/// The site's settings and badge.
#[allow(async_fn_in_trait)]
pub trait SettingsStore {
    /// The console's settings (JSON) and the badge token's hash.
    async fn load_settings(&self) -> Result<(Option<String>, Option<String>), StoreError>;
    async fn save_settings(&self, json: &str) -> Result<(), StoreError>;
    async fn save_badge(&self, hash: &str) -> Result<(), StoreError>;
}

impl<E: SqlExec> SettingsStore for SqlStore<E> {
    async fn load_settings(&self) -> Result<(Option<String>, Option<String>), StoreError> {
        #[derive(Deserialize)]
        struct Row {
            settings: Option<String>,
            badge_hash: Option<String>,
        }
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT settings, badge_hash FROM sites WHERE id = ?1",
                vec![self.site()],
            ))
            .await?;
        Ok(decode_all::<Row>(rows)?
            .into_iter()
            .next()
            .map_or((None, None), |r| (r.settings, r.badge_hash)))
    }

    async fn save_settings(&self, json: &str) -> Result<(), StoreError> {
        // The site row may not exist for a SITE_ID other than the migration's default.
        self.exec()
            .rows(Query::new(
                "INSERT INTO sites (id, name, created_at, settings) VALUES (?1, ?1, 0, ?2) \
                 ON CONFLICT (id) DO UPDATE SET settings = excluded.settings",
                vec![self.site(), json.into()],
            ))
            .await?;
        Ok(())
    }

    async fn save_badge(&self, hash: &str) -> Result<(), StoreError> {
        self.exec()
            .rows(Query::new(
                "INSERT INTO sites (id, name, created_at, badge_hash) VALUES (?1, ?1, 0, ?2) \
                 ON CONFLICT (id) DO UPDATE SET badge_hash = excluded.badge_hash",
                vec![self.site(), hash.into()],
            ))
            .await?;
        Ok(())
    }
}
