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
use crate::sites::Chosen;

/// Outbox ids a request queued (in its site's outbox), sent once its response is on its
/// way.
#[derive(Default)]
pub struct Outgoing {
    ids: std::cell::RefCell<Vec<i64>>,
    site: std::cell::RefCell<Option<Chosen>>,
}

impl Outgoing {
    /// The site the request is for (its outbox rows are that site's).
    pub fn for_site(&self, site: &Chosen) {
        *self.site.borrow_mut() = Some(site.clone());
    }

    /// What to send, and where it waits.
    pub fn take(&self) -> Option<(Chosen, Vec<i64>)> {
        let ids = self.ids.take();
        let site = self.site.take()?;
        (!ids.is_empty()).then_some((site, ids))
    }
}

/// Remember what a request queued; a failure to queue is logged, never the commenter's.
pub fn queued(
    outgoing: &Outgoing,
    result: Result<Vec<i64>, colloquy_core::service::error::ServiceError>,
) {
    match result {
        Ok(ids) => outgoing.ids.borrow_mut().extend(ids),
        Err(e) => console_error!("colloquy: queueing notifications failed: {e}"),
    }
}

/// How long a claimed row is held before another sender may try it.
const LEASE_MS: i64 = 120_000;
/// Rows one run sends at most (the Cron Trigger picks up the rest).
const BATCH: u32 = 50;

async fn setup(env: &Env, site: &Chosen) -> worker::Result<(Config, D1Store)> {
    crate::env::open(env, None, site, &d1::Usage::default()).await
}

/// Send the rows with these ids, of `site` (queued by the request that just finished).
pub async fn deliver(env: Env, site: Chosen, ids: Vec<i64>) {
    if let Err(e) = run(&env, &site, Some(ids)).await {
        console_error!("colloquy: sending notifications failed: {e}");
    }
}

/// Sites whose housekeeping (digest, pruning, the Trash, hashing imported emails) one
/// run of the Cron Trigger does: with many sites each gets its turn, so a run stays
/// within a Worker invocation's budget of D1 queries (a handful per site).
const HOUSEKEEPING_PER_RUN: usize = 25;
/// Sites with notifications due that one run sends to.
const SENDING_PER_RUN: u32 = 25;

/// The Cron Trigger (every five minutes): every site with notifications due, and a
/// rotating share of the sites for the owner's daily digest, pruning, the Trash and the
/// keyed email hashes of imported comments.
pub async fn scheduled(env: Env) {
    let main = crate::config::main_site(&env);
    // Fresh: a site that started moving must not be written to (its outbox rows
    // marked sent in the database it is leaving would be sent again from the new one).
    crate::sites::forget();
    let directory = match crate::sites::directory(&env).await {
        // An outdated copy may name a database a site has left: wait for the next run.
        Ok((_, true)) => return,
        Ok((d, false)) => d,
        Err(e) => {
            console_error!("colloquy: reading the sites failed: {e}");
            return;
        }
    };
    // A site the directory does not list (yet) waits for the next run.
    let chosen = |id: &str| -> Option<Chosen> {
        let row = directory.iter().find(|r| r.id == id).cloned();
        if id == main {
            Some(Chosen::main("", row))
        } else {
            row.map(|row| Chosen::other(row, false, ""))
                .filter(|site| site.writes_wait().is_none())
        }
    };
    let mut ids: Vec<String> = vec![main.clone()];
    ids.extend(
        directory
            .iter()
            .filter(|r| r.id != main)
            .map(|r| r.id.clone()),
    );
    let turns = ids.len().div_ceil(HOUSEKEEPING_PER_RUN).max(1);
    let turn = (now_ms() / 300_000) as usize % turns;
    for id in ids
        .iter()
        .skip(turn * HOUSEKEEPING_PER_RUN)
        .take(HOUSEKEEPING_PER_RUN)
    {
        let Some(site) = chosen(id) else { continue };
        if let Err(e) = hash_imported(&env, &site).await {
            console_error!("colloquy: hashing imported emails of {id} failed: {e}");
        }
        if let Err(e) = digest_once_a_day(&env, &site).await {
            console_error!("colloquy: the queue digest of {id} failed: {e}");
        }
        if let Err(e) = prune(&env, &site).await {
            console_error!("colloquy: forgetting old notifications of {id} failed: {e}");
        }
    }
    // Each database's sites with notifications due (a site's rows are in one of them).
    let mut due: Vec<String> = Vec::new();
    for shard in d1::shards(&env) {
        let found = match d1::exec_on(&env, &shard) {
            Ok(exec) => colloquy_core::db::sites::Directory::new(exec)
                .with_due_outbox(now_ms(), SENDING_PER_RUN)
                .await
                .unwrap_or_else(|e| {
                    console_error!("colloquy: finding due notifications in {shard} failed: {e}");
                    Vec::new()
                }),
            Err(e) => {
                console_error!("colloquy: no database {shard}: {e}");
                Vec::new()
            }
        };
        for id in found {
            if !due.contains(&id) {
                due.push(id);
            }
        }
    }
    for id in due.into_iter().take(SENDING_PER_RUN as usize) {
        let Some(site) = chosen(&id) else { continue };
        if let Err(e) = run(&env, &site, None).await {
            console_error!("colloquy: sending notifications of {id} failed: {e}");
        }
    }
}

async fn run(env: &Env, site: &Chosen, ids: Option<Vec<i64>>) -> worker::Result<()> {
    let (config, store) = setup(env, site).await?;
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
                    &config
                        .keys
                        .sign_site_webhook(config.site.other_site(), timestamp, &row.body),
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

async fn hash_imported(env: &Env, site: &Chosen) -> worker::Result<()> {
    let (config, store) = setup(env, site).await?;
    let service = Service::new(&store, &config.site, &config.keys);
    service
        .hash_imported_emails()
        .await
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    Ok(())
}

/// Sent notifications are kept only for the site's retention period, and comments in
/// the Trash for the site's Trash period (their pages change when they go for good).
async fn prune(env: &Env, site: &Chosen) -> worker::Result<()> {
    let (config, store) = setup(env, site).await?;
    let service = Service::new(&store, &config.site, &config.keys);
    let now = now_ms();
    let fail =
        |e: colloquy_core::service::error::ServiceError| worker::Error::RustError(e.to_string());
    service.prune_outbox(now).await.map_err(fail)?;
    let emptied = service.empty_old_trash(now).await.map_err(fail)?;
    // (Comments leaving the Trash were "[deleted]" for readers already: no bookmark.)
    crate::cache::bump_many(env, &config.site.id, &emptied.threads, now, None).await;
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
async fn digest_once_a_day(env: &Env, site: &Chosen) -> worker::Result<()> {
    let (config, store) = setup(env, site).await?;
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
    let mail = crate::language::of_site(&config.site).mail();
    let service = Service::new(&store, &config.site, &config.keys);
    let service = service.speaking(mail);
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
