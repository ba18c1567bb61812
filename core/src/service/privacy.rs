//! A commenter's data on request: everything stored under an address (export) and its
//! erasure from every table.

use super::console::owner_comment;
use super::error::ServiceError;
use super::{HumanCheck, Service};
use crate::db::privacy::PrivacyStore;
use crate::db::store::CommentStore;
use crate::domain::dates::rfc3339;
use crate::domain::token::{normal_email, Purpose};
use crate::domain::validate;
use crate::wire::api::CommentId;
use crate::wire::console::{Export, ExportedSubscription};
use crate::wire::error::{ErrorCode, Field};

impl<S: CommentStore + PrivacyStore, H: HumanCheck> Service<'_, S, H> {
    /// How the audit list names a commenter: a short keyed tag, never their address (so
    /// erasing them leaves nothing of it behind).
    pub fn person_tag(&self, email: &str) -> String {
        let hash = self.keys.hash(Purpose::Email, &normal_email(email));
        format!("person {}", &hash[..hash.len().min(8)])
    }

    fn email_hash(&self, email: &str) -> Result<String, ServiceError> {
        let email = normal_email(email);
        if !validate::is_email(&email) {
            return Err(ServiceError::field(Field::Email, ErrorCode::EmailInvalid));
        }
        Ok(self.keys.hash(Purpose::Email, &email))
    }

    /// Everything stored about the commenter with this email.
    pub async fn export(&self, email: &str, now_ms: i64) -> Result<Export, ServiceError> {
        let hash = self.email_hash(email)?;
        let comments = self
            .store
            .by_email(&hash, Some(&normal_email(email)))
            .await?;
        let subscriptions = self.store.subscriptions_of(&hash).await?;
        Ok(Export {
            email: normal_email(email),
            exported_at: rfc3339(now_ms),
            comments: comments.iter().map(owner_comment).collect(),
            subscriptions: subscriptions
                .into_iter()
                .map(|s| ExportedSubscription {
                    comment_id: CommentId(s.comment_id),
                    confirmed: s.confirmed_at.is_some(),
                    created_at: rfc3339(s.created_at),
                })
                .collect(),
        })
    }

    /// Erase the commenter with this email: placeholders keep replies in place; their
    /// words, name, address hashes and subscriptions go. Returns the threads changed.
    pub async fn erase(&self, email: &str, now_ms: i64) -> Result<Vec<String>, ServiceError> {
        let hash = self.email_hash(email)?;
        Ok(self
            .store
            .erase(&hash, &normal_email(email), now_ms)
            .await?)
    }
}
