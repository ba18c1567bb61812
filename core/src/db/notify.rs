//! The notification outbox and reply subscriptions in SQL (D1; SQLite in the unit
//! tests). Rows are claimed before sending, so the request's own `wait_until` and the
//! Cron Trigger never send one twice at the same time.

use serde::Deserialize;

use crate::db::exec::{decode_all, Query, SqlExec, SqlStore};
use crate::db::store::StoreError;
use crate::domain::notify::{Channel, Delivery};
use crate::wire::api::CommentId;

/// One stored delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub channel: Channel,
    pub target: String,
    pub body: String,
    pub label: String,
    pub attempts: u32,
}

/// Where one webhook delivery stands, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebhookRow {
    pub target: String,
    /// The event (the `X-Colloquy-Event` header's value).
    pub headers: String,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// A confirmed subscriber to replies under one comment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Subscriber {
    pub id: i64,
    pub email: String,
    pub email_hash: String,
}

/// What a subscription link finds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SubscriptionRow {
    pub id: i64,
    pub comment_id: i64,
    pub email: String,
    pub confirmed_at: Option<i64>,
}

#[allow(async_fn_in_trait)]
pub trait OutboxStore {
    /// Store deliveries due now; their ids.
    async fn enqueue(&self, deliveries: &[Delivery], now_ms: i64) -> Result<Vec<i64>, StoreError>;
    /// Unsent deliveries due by `now_ms` (all of `ids` when given, if due), oldest first.
    async fn due(
        &self,
        ids: Option<&[i64]>,
        now_ms: i64,
        limit: u32,
    ) -> Result<Vec<OutboxRow>, StoreError>;
    /// Take a due row for sending: counts the attempt and holds it for `lease_ms`. False
    /// when another sender took it first.
    async fn claim(&self, id: i64, now_ms: i64, lease_ms: i64) -> Result<bool, StoreError>;
    /// Sent: the body (an email's message, a webhook's comment excerpt and names) is not
    /// kept, only that it went where.
    async fn sent(&self, id: i64, now_ms: i64) -> Result<(), StoreError>;
    /// Forget rows sent, or given up, before `before_ms` (the retention period). How many.
    async fn prune(&self, before_ms: i64) -> Result<u32, StoreError>;
    /// The newest webhook deliveries (never emails: those name people), newest first.
    async fn recent_webhooks(&self, limit: u32) -> Result<Vec<WebhookRow>, StoreError>;
    /// Failed: try again at `next_at` (or never, `None`).
    async fn failed(&self, id: i64, next_at: Option<i64>, error: &str) -> Result<(), StoreError>;
    /// Ask for replies under `comment_id` to be emailed; `confirmed` when the address was
    /// confirmed before. The subscription's id (an existing one when asked twice).
    async fn subscribe(
        &self,
        comment_id: CommentId,
        email: &str,
        email_hash: &str,
        confirmed: bool,
        now_ms: i64,
    ) -> Result<(i64, bool), StoreError>;
    /// Whether this address confirmed a subscription before, asked for from the same
    /// browser (`author_key_hash`): typing someone's address proves nothing.
    async fn confirmed_before(
        &self,
        email_hash: &str,
        author_key_hash: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// Unconfirmed subscriptions of this address asked for since `since_ms` (besides
    /// subscription `except`): from the same browser, and in all.
    async fn confirmations_waiting(
        &self,
        email_hash: &str,
        author_key_hash: Option<&str>,
        since_ms: i64,
        except: i64,
    ) -> Result<(u32, u32), StoreError>;
    async fn subscription(&self, id: i64) -> Result<Option<SubscriptionRow>, StoreError>;
    /// Confirm subscription `id` (that one only: what the email named).
    async fn confirm(&self, id: i64, now_ms: i64) -> Result<(), StoreError>;
    async fn unsubscribe(&self, id: i64) -> Result<(), StoreError>;
    /// Confirmed subscribers to replies under `comment_id`.
    async fn subscribers(&self, comment_id: CommentId) -> Result<Vec<Subscriber>, StoreError>;
}

/// An outbox row as stored (the `headers` column holds the event label).
#[derive(Deserialize)]
struct Stored {
    id: i64,
    kind: String,
    target: String,
    body: String,
    headers: String,
    attempts: i64,
}

impl<E: SqlExec> OutboxStore for SqlStore<E> {
    async fn enqueue(&self, deliveries: &[Delivery], now_ms: i64) -> Result<Vec<i64>, StoreError> {
        #[derive(Deserialize)]
        struct Id {
            id: i64,
        }
        if deliveries.is_empty() {
            return Ok(Vec::new());
        }
        let queries = deliveries
            .iter()
            .map(|d| {
                Query::new(
                    "INSERT INTO outbox (kind, target, body, headers, next_at, created_at, comment_id, site_id) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7) RETURNING id",
                    vec![
                        d.channel.as_str().into(),
                        d.target.as_str().into(),
                        d.body.as_str().into(),
                        d.label.as_str().into(),
                        now_ms.into(),
                        d.comment_id.into(),
                        self.site(),
                    ],
                )
            })
            .collect();
        let results = self.exec().batch(queries).await?;
        let mut ids = Vec::new();
        for rows in results {
            ids.extend(decode_all::<Id>(rows)?.into_iter().map(|i| i.id));
        }
        Ok(ids)
    }

    async fn due(
        &self,
        ids: Option<&[i64]>,
        now_ms: i64,
        limit: u32,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let only = match ids {
            Some([]) => return Ok(Vec::new()),
            Some(ids) => format!(
                " AND id IN ({})",
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
            ),
            None => String::new(),
        };
        let rows = self
            .exec()
            .rows(Query::new(
                format!(
                    "SELECT id, kind, target, body, headers, attempts FROM outbox \
                     WHERE site_id = ?3 AND sent_at IS NULL AND next_at <= ?1{only} \
                     ORDER BY id LIMIT ?2"
                ),
                vec![now_ms.into(), i64::from(limit).into(), self.site()],
            ))
            .await?;
        Ok(decode_all::<Stored>(rows)?
            .into_iter()
            .filter_map(|s| {
                Some(OutboxRow {
                    id: s.id,
                    channel: Channel::parse(&s.kind)?,
                    target: s.target,
                    body: s.body,
                    label: s.headers,
                    attempts: u32::try_from(s.attempts).unwrap_or(0),
                })
            })
            .collect())
    }

    async fn claim(&self, id: i64, now_ms: i64, lease_ms: i64) -> Result<bool, StoreError> {
        let rows = self
            .exec()
            .rows(Query::new(
                "UPDATE outbox SET attempts = attempts + 1, next_at = ?3 \
                 WHERE id = ?1 AND site_id = ?4 AND sent_at IS NULL AND next_at <= ?2 RETURNING id",
                vec![
                    id.into(),
                    now_ms.into(),
                    now_ms.saturating_add(lease_ms).into(),
                    self.site(),
                ],
            ))
            .await?;
        Ok(!rows.is_empty())
    }

    async fn sent(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
        self.exec()
            .rows(Query::new(
                "UPDATE outbox SET sent_at = ?2, last_error = NULL, body = '' \
                 WHERE id = ?1 AND site_id = ?3",
                vec![id.into(), now_ms.into(), self.site()],
            ))
            .await?;
        Ok(())
    }

    async fn prune(&self, before_ms: i64) -> Result<u32, StoreError> {
        let rows = self
            .exec()
            .rows(Query::new(
                "DELETE FROM outbox WHERE site_id = ?3 AND ((sent_at IS NOT NULL AND sent_at < ?1) \
                   OR (sent_at IS NULL AND next_at = ?2 AND created_at < ?1)) RETURNING id",
                vec![before_ms.into(), i64::MAX.into(), self.site()],
            ))
            .await?;
        Ok(u32::try_from(rows.len()).unwrap_or(u32::MAX))
    }

    async fn recent_webhooks(&self, limit: u32) -> Result<Vec<WebhookRow>, StoreError> {
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT target, headers, attempts, next_at, last_error, created_at, sent_at \
                 FROM outbox WHERE site_id = ?2 AND kind <> 'email' ORDER BY id DESC LIMIT ?1",
                vec![i64::from(limit).into(), self.site()],
            ))
            .await?;
        decode_all::<WebhookRow>(rows)
    }

    async fn failed(&self, id: i64, next_at: Option<i64>, error: &str) -> Result<(), StoreError> {
        // Given up: never due again, the error kept for the operator.
        let next = next_at.unwrap_or(i64::MAX);
        self.exec()
            .rows(Query::new(
                "UPDATE outbox SET next_at = ?2, last_error = ?3 WHERE id = ?1 AND site_id = ?4",
                vec![id.into(), next.into(), error.into(), self.site()],
            ))
            .await?;
        Ok(())
    }

    async fn subscribe(
        &self,
        comment_id: CommentId,
        email: &str,
        email_hash: &str,
        confirmed: bool,
        now_ms: i64,
    ) -> Result<(i64, bool), StoreError> {
        #[derive(Deserialize)]
        struct Row {
            id: i64,
            confirmed_at: Option<i64>,
        }
        // One subscription per comment and address: `token_hash` is that pair.
        let pair = format!("{}:{email_hash}", comment_id.0);
        let confirmed_at = if confirmed { Some(now_ms) } else { None };
        let results = self
            .exec()
            .batch(vec![
                Query::new(
                    "INSERT INTO subscriptions (comment_id, email, email_hash, token_hash, created_at, \
                       confirmed_at, site_id) \
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 \
                     WHERE EXISTS (SELECT 1 FROM comments WHERE id = ?1 AND site_id = ?7) \
                     ON CONFLICT (token_hash) DO NOTHING",
                    vec![
                        comment_id.0.into(),
                        email.into(),
                        email_hash.into(),
                        pair.as_str().into(),
                        now_ms.into(),
                        confirmed_at.into(),
                        self.site(),
                    ],
                ),
                Query::new(
                    "SELECT id, confirmed_at FROM subscriptions WHERE token_hash = ?1 AND site_id = ?2",
                    vec![pair.as_str().into(), self.site()],
                ),
            ])
            .await?;
        let row = results
            .into_iter()
            .nth(1)
            .map(decode_all::<Row>)
            .transpose()?
            .and_then(|r| r.into_iter().next())
            .ok_or_else(|| StoreError::Backend("subscription not stored".into()))?;
        Ok((row.id, row.confirmed_at.is_some()))
    }

    async fn confirmed_before(
        &self,
        email_hash: &str,
        author_key_hash: Option<&str>,
    ) -> Result<bool, StoreError> {
        let Some(key) = author_key_hash else {
            return Ok(false);
        };
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT 1 AS n FROM subscriptions s JOIN comments c ON c.id = s.comment_id \
                 WHERE s.site_id = ?3 AND s.email_hash = ?1 AND s.confirmed_at IS NOT NULL \
                   AND c.author_key_hash = ?2 LIMIT 1",
                vec![email_hash.into(), key.into(), self.site()],
            ))
            .await?;
        Ok(!rows.is_empty())
    }

    async fn confirmations_waiting(
        &self,
        email_hash: &str,
        author_key_hash: Option<&str>,
        since_ms: i64,
        except: i64,
    ) -> Result<(u32, u32), StoreError> {
        #[derive(Deserialize)]
        struct Counts {
            same: u32,
            all: u32,
        }
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT COALESCE(SUM(c.author_key_hash IS NOT NULL AND c.author_key_hash = ?4), 0) AS same, \
                   COUNT(*) AS \"all\" FROM subscriptions s JOIN comments c ON c.id = s.comment_id \
                 WHERE s.site_id = ?5 AND s.email_hash = ?1 AND s.confirmed_at IS NULL \
                   AND s.created_at >= ?2 AND s.id <> ?3",
                vec![
                    email_hash.into(),
                    since_ms.into(),
                    except.into(),
                    author_key_hash.into(),
                    self.site(),
                ],
            ))
            .await?;
        let counts = decode_all::<Counts>(rows)?
            .into_iter()
            .next()
            .unwrap_or(Counts { same: 0, all: 0 });
        Ok((counts.same, counts.all))
    }

    async fn subscription(&self, id: i64) -> Result<Option<SubscriptionRow>, StoreError> {
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT id, comment_id, email, confirmed_at FROM subscriptions \
                 WHERE id = ?1 AND site_id = ?2",
                vec![id.into(), self.site()],
            ))
            .await?;
        Ok(decode_all::<SubscriptionRow>(rows)?.into_iter().next())
    }

    async fn confirm(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
        self.exec()
            .rows(Query::new(
                "UPDATE subscriptions SET confirmed_at = COALESCE(confirmed_at, ?2) \
                 WHERE id = ?1 AND site_id = ?3",
                vec![id.into(), now_ms.into(), self.site()],
            ))
            .await?;
        Ok(())
    }

    async fn unsubscribe(&self, id: i64) -> Result<(), StoreError> {
        self.exec()
            .rows(Query::new(
                "DELETE FROM subscriptions WHERE id = ?1 AND site_id = ?2",
                vec![id.into(), self.site()],
            ))
            .await?;
        Ok(())
    }

    async fn subscribers(&self, comment_id: CommentId) -> Result<Vec<Subscriber>, StoreError> {
        let rows = self
            .exec()
            .rows(Query::new(
                "SELECT id, email, email_hash FROM subscriptions \
                 WHERE comment_id = ?1 AND site_id = ?2 AND confirmed_at IS NOT NULL",
                vec![comment_id.0.into(), self.site()],
            ))
            .await?;
        decode_all::<Subscriber>(rows)
    }
}
