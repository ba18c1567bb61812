//! Moving a whole site in and out: import batches (cleaned again here, idempotent by
//! import id), the site export page by page, and hashing imported addresses afterwards.

use super::error::ServiceError;
use super::{HumanCheck, Service};
use crate::db::import::ImportStore;
use crate::db::store::CommentStore;
use crate::domain::dates::rfc3339;
use crate::domain::token::{normal_email, Purpose};
use crate::wire::limits;

impl<S: CommentStore + ImportStore, H: HumanCheck> Service<'_, S, H> {
    /// Store one import batch (the console's upload, `colloquy import --to`): cleaned
    /// again here, then written like the command's SQL files — nothing twice. Returns how
    /// many comments were new.
    pub async fn import_batch(
        &self,
        batch: crate::import::plan::Batch,
        now_ms: i64,
    ) -> Result<usize, ServiceError> {
        self.writable()?;
        let batch = batch.cleaned(now_ms).map_err(ServiceError::ImportInvalid)?;
        let mut keys: Vec<String> = batch.threads.iter().map(|t| t.key.clone()).collect();
        keys.sort();
        keys.dedup();
        // What was new, not what was sent: a file imported again adds (and says) nothing.
        let before = self.store.count_in_threads(&keys).await?;
        let statements = crate::import::sql::batch_statements(&batch, &self.site.id);
        self.store.run_import(statements).await?;
        let after = self.store.count_in_threads(&keys).await?;
        Ok(after.saturating_sub(before) as usize)
    }

    /// One page of the site's export: up to 100 threads after thread id `after`, with
    /// every comment and its state.
    pub async fn site_export(
        &self,
        after: i64,
    ) -> Result<crate::wire::console::SiteExportPage, ServiceError> {
        use crate::wire::console::{ExportComment, ExportThread};
        let page = self
            .store
            .export_page(after, limits::EXPORT_THREADS)
            .await?;
        let next_after = (page.len() == limits::EXPORT_THREADS as usize)
            .then(|| page.last().map(|(t, _)| t.id))
            .flatten();
        let threads = page
            .into_iter()
            .map(|(t, comments)| ExportThread {
                key: t.key,
                title: t.title,
                url: t.url,
                created_at: rfc3339(t.created_at_ms),
                locked: t.locked,
                pinned_id: t.pinned_id.map(|p| p.0),
                comments: comments
                    .into_iter()
                    .map(|c| ExportComment {
                        id: c.id,
                        parent_id: c.parent_id,
                        status: c.status,
                        author: c.author_name,
                        email: c.author_email,
                        website: c.author_url,
                        body_markdown: c.body_markdown,
                        body_html: c.body_html,
                        created_at: rfc3339(c.created_at),
                        owner: c.is_owner != 0,
                        import_id: c.import_id,
                        edited_at: c.updated_at.map(rfc3339),
                        likes: u32::try_from(c.likes).unwrap_or(0),
                    })
                    .collect(),
            })
            .collect();
        Ok(crate::wire::console::SiteExportPage {
            site: self.site.id.clone(),
            threads,
            next_after,
        })
    }

    /// Imported comments arrive without the keyed hash of their email (the importer
    /// does not know the secret): add it, a batch at a time, so blocking, trust, export
    /// and erasure by email find them. How many were hashed.
    pub async fn hash_imported_emails(&self) -> Result<usize, ServiceError> {
        self.writable()?;
        let pending = self.store.unhashed_emails(500).await?;
        let hashes: Vec<(i64, String)> = pending
            .into_iter()
            .map(|(id, email)| (id, self.keys.hash(Purpose::Email, &normal_email(&email))))
            .collect();
        self.store.set_email_hashes(&hashes).await?;
        Ok(hashes.len())
    }
}
