//! Sending what core planned into the outbox: webhooks (signed), emails through the
//! configured HTTP mail API. Runs after the response (`ctx.wait_until`) for what a
//! request just queued, and from the Cron Trigger for everything due (retries with
//! backoff, the daily digest). A failure here never reaches the commenter: it is
//! recorded on the row and tried again later.

use colloquy_core::db::notify::{OutboxRow, OutboxStore};
use colloquy_core::domain::notify::{retry_delay_ms, Channel};
use colloquy_core::domain::words;
use colloquy_core::service::Service;
use colloquy_core::wire::settings::WebhookFormat;
use worker::{console_error, Env, Fetch, Headers, Method, Request, RequestInit};

use crate::config::Config;
use crate::d1::{self, D1Store};
use crate::env::now_ms;

/// Outbox ids a request queued, sent once its response is on its way.
pub type Outgoing = std::cell::RefCell<Vec<i64>>;

/// Remember what a request queued; a failure to queue is logged, never the commenter's.
pub fn queued(
    outgoing: &Outgoing,
    result: Result<Vec<i64>, colloquy_core::service::error::ServiceError>,
) {
    match result {
        Ok(ids) => outgoing.borrow_mut().extend(ids),
        Err(e) => console_error!("colloquy: queueing notifications failed: {e}"),
    }
}

/// How long a claimed row is held before another sender may try it.
const LEASE_MS: i64 = 120_000;
/// Rows one run sends at most (the Cron Trigger picks up the rest).
const BATCH: u32 = 50;

async fn setup(env: &Env) -> worker::Result<(Config, D1Store)> {
    crate::env::open(env, None, &d1::Usage::default()).await
}

/// Send the rows with these ids (queued by the request that just finished).
pub async fn deliver(env: Env, ids: Vec<i64>) {
    if let Err(e) = run(&env, Some(ids)).await {
        console_error!("colloquy: sending notifications failed: {e}");
    }
}

/// The Cron Trigger: everything due, the owner's digest once a day, and the keyed email
/// hashes of imported comments.
pub async fn scheduled(env: Env) {
    if let Err(e) = hash_imported(&env).await {
        console_error!("colloquy: hashing imported emails failed: {e}");
    }
    if let Err(e) = digest_once_a_day(&env).await {
        console_error!("colloquy: the queue digest failed: {e}");
    }
    if let Err(e) = prune(&env).await {
        console_error!("colloquy: forgetting old notifications failed: {e}");
    }
    if let Err(e) = run(&env, None).await {
        console_error!("colloquy: sending notifications failed: {e}");
    }
}

async fn run(env: &Env, ids: Option<Vec<i64>>) -> worker::Result<()> {
    let (config, store) = setup(env).await?;
    let now = now_ms();
    let rows = store
        .due(ids.as_deref(), now, BATCH)
        .await
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    for row in rows {
        let taken = store.claim(row.id, now, LEASE_MS).await;
        if !matches!(taken, Ok(true)) {
            continue;
        }
        let outcome = send(&config, &row).await;
        let recorded = match outcome {
            Ok(()) => store.sent(row.id, now_ms()).await,
            Err(error) => {
                let next = retry_delay_ms(row.attempts + 1, config.retry_base_ms)
                    .map(|delay| now_ms() + delay);
                console_error!(
                    "colloquy: {} delivery {} failed (attempt {}): {error}",
                    row.channel.as_str(),
                    row.id,
                    row.attempts + 1
                );
                store.failed(row.id, next, &error).await
            }
        };
        if let Err(e) = recorded {
            console_error!("colloquy: recording delivery {} failed: {e}", row.id);
        }
    }
    Ok(())
}

/// One attempt; `Err` says what went wrong (kept on the row).
async fn send(config: &Config, row: &OutboxRow) -> Result<(), String> {
    let headers = Headers::new();
    let set = |name: &str, value: &str| headers.set(name, value).map_err(|e| e.to_string());
    set("Content-Type", "application/json")?;
    let url = match row.channel {
        Channel::Webhook(format) => {
            set("User-Agent", "Colloquy-Webhook/1")?;
            if format == WebhookFormat::Json {
                let timestamp = now_ms() / 1000;
                set("X-Colloquy-Event", &row.label)?;
                set("X-Colloquy-Delivery", &row.id.to_string())?;
                set("X-Colloquy-Timestamp", &timestamp.to_string())?;
                set(
                    "X-Colloquy-Signature",
                    &config.keys.sign_webhook(timestamp, &row.body),
                )?;
            }
            row.target.clone()
        }
        Channel::Email => {
            let Some(mail) = &config.mail else {
                return Err("no mail API configured (MAIL_API_URL, MAIL_FROM)".into());
            };
            if let Some(key) = &mail.key {
                set("Authorization", &format!("Bearer {key}"))?;
            }
            mail.url.clone()
        }
    };
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(row.body.as_str().into()));
    let request = Request::new_with_init(&url, &init).map_err(|e| e.to_string())?;
    let response = Fetch::Request(request)
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    match response.status_code() {
        200..=299 => Ok(()),
        status => Err(format!("HTTP {status}")),
    }
}

async fn hash_imported(env: &Env) -> worker::Result<()> {
    let (config, store) = setup(env).await?;
    let service = Service::new(&store, &config.site, &config.keys);
    service
        .hash_imported_emails()
        .await
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    Ok(())
}

/// Sent notifications are kept only for the site's retention period, and comments in
/// the Trash for the site's Trash period (their pages change when they go for good).
async fn prune(env: &Env) -> worker::Result<()> {
    let (config, store) = setup(env).await?;
    let service = Service::new(&store, &config.site, &config.keys);
    let now = now_ms();
    let fail =
        |e: colloquy_core::service::error::ServiceError| worker::Error::RustError(e.to_string());
    service.prune_outbox(now).await.map_err(fail)?;
    let emptied = service.empty_old_trash(now).await.map_err(fail)?;
    crate::cache::bump_many(env, &config.site.id, &emptied.threads, now).await;
    if emptied.changed > 0 {
        service
            .audit(
                "the Trash",
                colloquy_core::wire::console::audit::AuditAction::Delete.as_str(),
                &words::count_s(emptied.changed as usize, "comment"),
                Some(format!("in the Trash over {} days", config.site.trash_days)),
                now,
            )
            .await
            .map_err(fail)?;
    }
    Ok(())
}

/// The digest goes at most once a UTC day (remembered in KV).
async fn digest_once_a_day(env: &Env) -> worker::Result<()> {
    let (config, store) = setup(env).await?;
    if config.site.digest_email.is_none() || config.mail.is_none() {
        return Ok(());
    }
    let now = now_ms();
    let day = colloquy_core::domain::dates::rfc3339(now)[..10].to_owned();
    let kv = env.kv(colloquy_core::wire::vars::KV_BINDING)?;
    let key = format!("digest:{}", config.site.id);
    if kv.get(&key).text().await?.as_deref() == Some(day.as_str()) {
        return Ok(());
    }
    let service = Service::new(&store, &config.site, &config.keys);
    let console = config
        .public_url
        .as_deref()
        .map(|u| format!("{u}/admin/#pending"));
    let queued = service
        .digest(console.as_deref(), now)
        .await
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    if !queued.is_empty() {
        kv.put(&key, day)?.execute().await?;
    }
    Ok(())
}
