//! The owner's console API (`/api/v1/admin/…`): a session cookie from logging in with the
//! console key, checked on every other call; writes only from the Worker's own origin
//! (routes.rs) and only as JSON. Every change is written to the audit list, and every
//! change readers would see renews the affected threads' cached pages.

use colloquy_core::service::error::ServiceError;
use colloquy_core::service::{HumanCheck, Service};
use colloquy_core::wire::console::audit::AuditAction;
use colloquy_core::wire::console::query::{AuditQuery, ListQuery, PersonQuery, SiteExportQuery};
use colloquy_core::wire::console::{
    moderate_max, Badge, BlockChange, ByEmail, Done, Login, Moderate, OwnerEdit, OwnerReply, Purge,
    Settings, ThreadChange, WebhookTest,
};
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::{domain::words, CommentId, ErrorCode};
use worker::{Env, Request, Response};

use crate::cache;
use crate::config::Config;
use crate::context::Ctx;
use crate::d1::D1Store;
use crate::env::now_ms;
use crate::error::WorkerError;
use crate::http::{client_ip, json, read_json};
use crate::notify::queued;
use crate::session_cookie::{info, random_hex, session_secs, session_token, set_cookie};
use crate::site_settings;

type Result<T> = std::result::Result<T, WorkerError>;

/// The ids an action named, for the audit: the first 20 of a big selection.
fn id_list(ids: &[CommentId]) -> String {
    let mut list = ids
        .iter()
        .take(20)
        .map(|i| format!("#{}", i.0))
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > 20 {
        list.push_str(&format!(" and {} more", ids.len() - 20));
    }
    list
}

pub async fn handle(
    op: AdminOp,
    mut req: Request,
    ctx: &Ctx<'_>,
) -> std::result::Result<Response, WorkerError> {
    let (env, config, service, outgoing) = (ctx.env, ctx.config, &ctx.service, ctx.outgoing);
    let query = ctx.query.as_str();
    let now = now_ms();
    let base = ctx.base.clone();
    if op == AdminOp::Login {
        let input: Login = read_json(&mut req).await?;
        let token = random_hex(32)?;
        let secs = session_secs(env);
        let ip = client_ip(&req)?;
        // Failed logins are in the audit list (the service writes them, a line per network
        // and window rather than per guess).
        let expires = service
            .login(
                &input.key,
                config.owner_key.as_deref(),
                &token,
                &ip,
                now,
                secs,
            )
            .await?;
        service
            .audit(
                &service.session_name(&token),
                AuditAction::Login.as_str(),
                "console",
                None,
                now,
            )
            .await?;
        let operator = service
            .session_of(&token, config.owner_key.as_deref(), now)
            .await?
            .1;
        let mut response = json(200, &info(service, config, expires, operator))?;
        set_cookie(
            &mut response,
            &format!("{}.{token}", config.site.id),
            i64::from(secs),
        )?;
        return Ok(response);
    }
    let token = session_token(&req);
    let (expires, operator) = service
        .session_of(&token, config.owner_key.as_deref(), now)
        .await?;
    if matches!(
        op,
        AdminOp::Sites
            | AdminOp::CreateSite
            | AdminOp::SiteKey
            | AdminOp::SwitchSite
            | AdminOp::MoveSite
    ) {
        if !operator {
            return Err(WorkerError::Service(ServiceError::OperatorOnly));
        }
        return crate::console_sites::handle(op, req, ctx, &service.session_name(&token)).await;
    }
    let actor = service.session_name(&token);
    let site = &config.site.id;
    let bump = |threads: Vec<String>| async move {
        cache::bump_many(env, site, &threads, now, ctx.usage.kept_bookmark()).await;
    };
    match op {
        AdminOp::Login => unreachable!("handled above"),
        AdminOp::Logout => {
            service.logout(&token).await?;
            service
                .audit(&actor, AuditAction::Logout.as_str(), "console", None, now)
                .await?;
            let mut response = json(200, &Done { changed: 1 })?;
            set_cookie(&mut response, "", 0)?;
            Ok(response)
        }
        AdminOp::LogoutEverywhere => {
            service.logout_everywhere().await?;
            service
                .audit(
                    &actor,
                    AuditAction::LogoutEverywhere.as_str(),
                    "console",
                    None,
                    now,
                )
                .await?;
            let mut response = json(200, &Done { changed: 1 })?;
            set_cookie(&mut response, "", 0)?;
            Ok(response)
        }
        AdminOp::Session => json(200, &info(service, config, expires, operator)),
        AdminOp::Sites
        | AdminOp::CreateSite
        | AdminOp::SiteKey
        | AdminOp::SwitchSite
        | AdminOp::MoveSite => {
            unreachable!("handled above")
        }
        AdminOp::Comments | AdminOp::CommentIds => {
            let q = ListQuery::parse(query);
            if op == AdminOp::CommentIds {
                return json(200, &service.matching_ids(q.tab, q.search()).await?);
            }
            json(
                200,
                &service.owner_comments(q.tab, q.search(), q.before).await?,
            )
        }
        AdminOp::Counts => json(200, &service.tab_counts().await?),
        AdminOp::Moderate => {
            let input: Moderate = read_json(&mut req).await?;
            // A cost bound per request: the console sends bigger selections in parts.
            if input.ids.len() > moderate_max(input.decision) {
                return Err(WorkerError::Request(ErrorCode::PayloadTooLarge));
            }
            let done = service.moderate(&input.ids, input.decision, now).await?;
            // Approving a waiting comment publishes it: that is when it notifies.
            for id in &done.published {
                queued(
                    outgoing,
                    service
                        .speaking(crate::language::of_site(service.site()).mail())
                        .notify_comment(*id, false, &base, now)
                        .await,
                );
            }
            service
                .audit(
                    &actor,
                    AuditAction::from(input.decision).as_str(),
                    &words::count_s(done.changed as usize, "comment"),
                    Some(id_list(&input.ids)),
                    now,
                )
                .await?;
            bump(done.threads).await;
            json(
                200,
                &Done {
                    changed: done.changed,
                },
            )
        }
        AdminOp::Threads => json(200, &service.owner_threads(now).await?),
        AdminOp::ChangeThread => {
            let input: ThreadChange = read_json(&mut req).await?;
            let thread = service.change_thread(&input).await?;
            let what = [
                input.locked.map(|l| {
                    if l {
                        AuditAction::Lock
                    } else {
                        AuditAction::Unlock
                    }
                }),
                input.pin.map(|_| AuditAction::Pin),
                input.unpin.then_some(AuditAction::Unpin),
                (input.title.is_some() || input.url.is_some()).then_some(AuditAction::Retitle),
            ]
            .into_iter()
            .flatten()
            .map(AuditAction::as_str)
            .collect::<Vec<_>>()
            .join("+");
            service
                .audit(
                    &actor,
                    &what,
                    &thread.key,
                    input.pin.map(|p| format!("#{}", p.0)),
                    now,
                )
                .await?;
            bump(vec![thread.key.clone()]).await;
            json(200, &Done { changed: 1 })
        }
        AdminOp::Blocks => json(200, &service.blocks().await?),
        AdminOp::ChangeBlock => {
            let input: BlockChange = read_json(&mut req).await?;
            let changed = match (input.comment_id, input.unblock) {
                (_, Some(entry)) => {
                    service
                        .block(colloquy_core::db::store::SetBlock {
                            kind: entry.kind,
                            hash: &entry.hash,
                            label: &entry.label,
                            email_hash: None,
                            on: false,
                            now_ms: now,
                        })
                        .await?;
                    service
                        // Named by kind and a piece of the keyed hash: never by the
                        // label the request carries (it could say anything, or a name).
                        .audit(
                            &actor,
                            AuditAction::Unblock.as_str(),
                            &format!(
                                "{} block {}",
                                entry.kind.as_str(),
                                entry.hash.chars().take(8).collect::<String>()
                            ),
                            None,
                            now,
                        )
                        .await?;
                    1
                }
                (Some(id), None) => {
                    let n = service
                        .block_author(id, input.email, input.client, now)
                        .await?;
                    // The comment and the kind of block; never the person's name (the
                    // audit keeps nothing an erasure would have to find).
                    let by = match (input.email, input.client) {
                        (true, true) => "by email and network address",
                        (true, false) => "by email",
                        _ => "by network address",
                    };
                    service
                        .audit(
                            &actor,
                            AuditAction::Block.as_str(),
                            &format!("author of #{}", id.0),
                            Some(by.to_owned()),
                            now,
                        )
                        .await?;
                    n
                }
                (None, None) => return Err(WorkerError::Service(ServiceError::CommentNotFound)),
            };
            json(200, &Done { changed })
        }
        AdminOp::Purge => {
            let input: Purge = read_json(&mut req).await?;
            let done = service.purge_author(input.comment_id, now).await?;
            service
                .audit(
                    &actor,
                    AuditAction::Purge.as_str(),
                    &format!("author of {}", input.comment_id.0),
                    Some(format!(
                        "{} to the Trash",
                        words::count_s(done.changed as usize, "comment")
                    )),
                    now,
                )
                .await?;
            bump(done.threads).await;
            json(
                200,
                &Done {
                    changed: done.changed,
                },
            )
        }
        AdminOp::Reply => {
            let input: OwnerReply = read_json(&mut req).await?;
            let (created, thread) = service
                .owner_reply(input.parent_id, &input.body, &input.name, now)
                .await?;
            service
                .audit(
                    &actor,
                    AuditAction::Reply.as_str(),
                    &format!("#{}", input.parent_id.0),
                    Some(format!("the reply is #{}", created.comment.id.0)),
                    now,
                )
                .await?;
            bump(vec![thread]).await;
            queued(
                outgoing,
                service
                    .speaking(crate::language::of_site(service.site()).mail())
                    .notify_comment(created.comment.id, false, &base, now)
                    .await,
            );
            json(201, &created)
        }
        AdminOp::WebhookTest => {
            let input: WebhookTest = read_json(&mut req).await?;
            let queued_ids = service.webhook_test(&input.url, now).await?;
            // The host only: Slack's and Discord's addresses carry their secret.
            let host = url::Url::parse(input.url.trim())
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default();
            service
                .audit(&actor, AuditAction::WebhookTest.as_str(), &host, None, now)
                .await?;
            queued(outgoing, Ok(queued_ids));
            json(200, &Done { changed: 1 })
        }
        AdminOp::Deliveries => json(200, &service.deliveries().await?),
        AdminOp::Stats => json(200, &service.stats(now).await?),
        AdminOp::EditComment => {
            let input: OwnerEdit = read_json(&mut req).await?;
            let (thread, before, after) = service.owner_edit(input.id, &input.body, now).await?;
            service
                .audit(
                    &actor,
                    AuditAction::Edit.as_str(),
                    &format!("#{}", input.id.0),
                    Some(format!("text of {before} characters → {after}")),
                    now,
                )
                .await?;
            bump(vec![thread]).await;
            json(200, &Done { changed: 1 })
        }
        AdminOp::Settings => json(200, &settings(service, env).await?),
        AdminOp::SaveSettings => {
            let input: Settings = read_json(&mut req).await?;
            let changed = service.save_owner_settings_audited(&input.settings).await?;
            site_settings::refresh(env, service_store(service)).await;
            let what = if changed.is_empty() {
                "nothing changed".to_owned()
            } else {
                changed.join(", ")
            };
            service
                .audit(
                    &actor,
                    AuditAction::Settings.as_str(),
                    "site",
                    Some(what),
                    now,
                )
                .await?;
            json(200, &Done { changed: 1 })
        }
        AdminOp::Badge => {
            let token = random_hex(24)?;
            service.new_badge(&token).await?;
            site_settings::refresh(env, service_store(service)).await;
            service
                .audit(
                    &actor,
                    AuditAction::Badge.as_str(),
                    "site",
                    Some("new badge token".into()),
                    now,
                )
                .await?;
            json(200, &Badge { token })
        }
        AdminOp::Audit => {
            let q = AuditQuery::parse(query);
            json(200, &service.audit_list(q.before, q.kind.as_deref()).await?)
        }
        AdminOp::Export => {
            let email = PersonQuery::parse(query).email;
            let export = service.export(&email, now).await?;
            service
                .audit(
                    &actor,
                    AuditAction::Export.as_str(),
                    &service.person_tag(&email),
                    None,
                    now,
                )
                .await?;
            json(200, &export)
        }
        AdminOp::Import => {
            // A batch of at most 40 comments of at most 100 KB each.
            let batch: colloquy_core::import::plan::Batch =
                crate::http::read_json_up_to(&mut req, colloquy_core::wire::limits::IMPORT_BYTES)
                    .await?;
            let threads: Vec<String> = batch.threads.iter().map(|t| t.key.clone()).collect();
            let n = service.import_batch(batch, now).await?;
            service
                .audit(
                    &actor,
                    AuditAction::Import.as_str(),
                    "site",
                    Some(format!("{} new", words::count_s(n, "comment"))),
                    now,
                )
                .await?;
            bump(threads).await;
            json(200, &Done { changed: n as u32 })
        }
        AdminOp::SiteExport => {
            let after = SiteExportQuery::parse(query).after;
            let page = service.site_export(after).await?;
            // Every page: a download that starts past the first is a download too.
            service
                .audit(
                    &actor,
                    AuditAction::SiteExport.as_str(),
                    "site",
                    Some(format!("threads after {after}")),
                    now,
                )
                .await?;
            json(200, &page)
        }
        AdminOp::Erase => {
            let input: ByEmail = read_json(&mut req).await?;
            let threads = service.erase(&input.email, now).await?;
            service
                .audit(
                    &actor,
                    AuditAction::Erase.as_str(),
                    &service.person_tag(&input.email),
                    Some(format!("{} threads", threads.len())),
                    now,
                )
                .await?;
            bump(threads).await;
            json(200, &Done { changed: 1 })
        }
    }
}

async fn settings<H: HumanCheck>(service: &Service<'_, D1Store, H>, env: &Env) -> Result<Settings> {
    // The defaults are the deployment's own, before the console's settings.
    let deployment = Config::from_env(env);
    Ok(Settings {
        settings: service.owner_settings().await?,
        defaults: colloquy_core::service::settings::settings_defaults(
            &deployment.site,
            // Another site's origins are its own, not the deployment's ALLOWED_ORIGINS.
            &service.site().origins,
        ),
    })
}

fn service_store<'a, H: HumanCheck>(service: &'a Service<'_, D1Store, H>) -> &'a D1Store {
    service.store()
}
