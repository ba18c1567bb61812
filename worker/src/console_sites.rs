//! The operator's console routes: the deployment's sites, a new site, a new console key
//! for a site's owner, and opening another site's console. Only a session opened with the
//! operator's key (`OWNER_KEY`) gets here (console.rs checks); a site owner's session gets
//! `operator_only`.

use colloquy_core::db::exec::{Arg, Query, SqlExec};
use colloquy_core::db::shards::{ensure_seeded, moving};
use colloquy_core::db::sites::Directory;
use colloquy_core::service::error::ServiceError;
use colloquy_core::service::sites::SiteAdmin;
use colloquy_core::service::Service;
use colloquy_core::wire::console::audit::AuditAction;
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::sites::{
    shard_index, MoveProgress, MoveSite, NewSite, SiteKey, SiteRef, FIRST_SHARD,
};
use colloquy_core::wire::vars::DB_BINDING;
use colloquy_core::ErrorCode;
use worker::{console_error, Response};

use crate::config;
use crate::context::Ctx;
use crate::d1;
use crate::env::now_ms;
use crate::error::WorkerError;
use crate::http::{client_ip, json, read_json};
use crate::session_cookie::{info, random_hex, session_secs, set_cookie};
use crate::sites;

type Result<T> = std::result::Result<T, WorkerError>;

pub async fn handle(
    op: AdminOp,
    mut req: worker::Request,
    ctx: &Ctx<'_>,
    actor: &str,
) -> Result<Response> {
    let (env, service) = (ctx.env, &ctx.service);
    let now = now_ms();
    let directory = Directory::new(d1::primary_on(env, DB_BINDING)?);
    let main = config::main_site(env);
    // The main site's origins are the deployment's (ALLOWED_ORIGINS), whichever site
    // this session is in; no site may claim those its owner added in its settings, nor
    // the Worker's own.
    let reserved: Vec<String> = if op == AdminOp::CreateSite {
        let (main_config, _) = crate::env::open(
            env,
            None,
            &sites::Chosen::main("", None),
            &d1::Usage::default(),
        )
        .await?;
        std::iter::once(ctx.origin.clone())
            .chain(main_config.site.extra_origins)
            .collect()
    } else {
        Vec::new()
    };
    let admin = SiteAdmin {
        directory: &directory,
        keys: &ctx.config.keys,
        main_site: &main,
        main_origins: &config::main_origins(env),
        reserved: &reserved,
    };
    match op {
        AdminOp::Sites => json(200, &admin.list().await?),
        AdminOp::CreateSite => {
            let new: NewSite = read_json(&mut req).await?;
            let checked = admin.check(&new).await?;
            let shard = emptiest_shard(env, &directory).await?;
            prepare(env, &shard, &checked, now).await?;
            let made = admin.store(&checked, &shard, now).await?;
            sites::forget();
            service
                .audit(
                    actor,
                    AuditAction::SiteCreate.as_str(),
                    &format!("site {}", made.id),
                    Some(made.origins.join(", ")),
                    now,
                )
                .await?;
            json(201, &made)
        }
        AdminOp::SiteKey => {
            let which: SiteRef = read_json(&mut req).await?;
            let key = random_hex(24)?;
            admin.set_owner_key(which.site.trim(), &key).await?;
            sites::forget();
            service
                .audit(
                    actor,
                    AuditAction::SiteKey.as_str(),
                    &format!("site {}", which.site.trim()),
                    None,
                    now,
                )
                .await?;
            json(
                200,
                &SiteKey {
                    site: which.site.trim().to_owned(),
                    key,
                },
            )
        }
        AdminOp::SwitchSite => {
            // The operator opens another site: a session there, with the operator's key
            // (which this session was opened with), written in that site's audit list.
            let which: SiteRef = read_json(&mut req).await?;
            let chosen = sites::by_id(env, which.site.trim(), &main).await?;
            let usage = d1::Usage::default();
            let (config, store) = crate::env::open(env, None, &chosen, &usage).await?;
            let there = Service::new(&store, &config.site, &config.keys);
            let owner_key = ctx.config.owner_key.as_deref().unwrap_or_default();
            let token = random_hex(32)?;
            let secs = session_secs(env);
            let expires = there
                .login(
                    owner_key,
                    ctx.config.owner_key.as_deref(),
                    &token,
                    &client_ip(&req)?,
                    now,
                    secs,
                )
                .await?;
            there
                .audit(
                    &there.session_name(&token),
                    AuditAction::Login.as_str(),
                    "console",
                    Some(format!("from site {}", ctx.config.site.id)),
                    now,
                )
                .await?;
            let mut response = json(200, &info(&there, &config, expires, true))?;
            set_cookie(
                &mut response,
                &format!("{}.{token}", config.site.id),
                i64::from(secs),
            )?;
            Ok(response)
        }
        AdminOp::MoveSite => {
            let which: MoveSite = read_json(&mut req).await?;
            let (progress, audit) = move_site(env, &directory, &which, &main, now).await?;
            // A move that starts, and one that ends, go into the operator's audit list
            // (the steps between do not).
            if audit {
                service
                    .audit(
                        actor,
                        AuditAction::SiteMove.as_str(),
                        &format!("site {}", progress.site),
                        Some(format!(
                            "{} → {}: {}",
                            progress.from, progress.to, progress.phase
                        )),
                        now,
                    )
                    .await?;
            }
            sites::forget();
            json(200, &progress)
        }
        _ => unreachable!("console.rs sends only the sites' operations here"),
    }
}

/// The database a new site goes to: the one with the fewest bytes (then sites).
async fn emptiest_shard(env: &worker::Env, directory: &Directory<d1::D1Exec>) -> Result<String> {
    let shards = d1::shards(env);
    if shards.len() == 1 {
        return Ok(FIRST_SHARD.to_owned());
    }
    let mut sizes = Vec::with_capacity(shards.len());
    for shard in shards {
        match d1::ready_size(env, &shard).await {
            Ok(size) => sizes.push((shard, size)),
            // A database bound but not migrated yet gets no site.
            Err(e) => console_error!("colloquy: {shard} is not ready for sites: {e}"),
        }
    }
    Ok(moving::emptiest(
        &sizes,
        &directory.sites_per_shard().await?,
    ))
}

/// Make `shard` ready for a new site: numbering in its own range, and the site's own
/// row there (its settings live beside its rows). The first database needs neither (the
/// directory's row is the site's).
async fn prepare(env: &worker::Env, shard: &str, site: &NewSite, now: i64) -> Result<()> {
    let Some(index) = shard_index(shard).filter(|k| *k > 0) else {
        return Ok(());
    };
    let exec = d1::primary_on(env, shard)?;
    ensure_seeded(&exec, index).await?;
    exec.rows(Query::new(
        "INSERT OR IGNORE INTO sites (id, name, created_at) VALUES (?1, ?2, ?3)",
        vec![
            Arg::from(site.id.as_str()),
            Arg::from(site.name.as_str()),
            Arg::from(now),
        ],
    ))
    .await?;
    Ok(())
}

/// Start or go on with moving a site (see `colloquy_core::db::shards::moving`): a
/// bounded part per request. With whether it started or ended now (for the audit list).
async fn move_site(
    env: &worker::Env,
    directory: &Directory<d1::D1Exec>,
    which: &MoveSite,
    main: &str,
    now: i64,
) -> Result<(MoveProgress, bool)> {
    let id = which.site.trim();
    let row = directory
        .find(id)
        .await?
        .ok_or(WorkerError::Service(ServiceError::SiteNotFound))?;
    let settle = 2 * sites::fresh_ms(env);
    let state = match row.move_state.as_deref() {
        // A move under way goes on (whatever `to` says now).
        Some(text) => moving::decode(text).ok_or_else(|| {
            WorkerError::Service(ServiceError::SiteInvalid(
                "the site's move cannot be read; ask the operator's logs".into(),
            ))
        })?,
        None => {
            let to = which.to.trim();
            match moving::check(&row.shard, to, &d1::shards(env), row.id == main) {
                Ok(()) => {}
                // Asked again once it is over (a second command, a re-run): done.
                Err(moving::MoveRefused::AlreadyThere(_)) => {
                    let progress = MoveProgress {
                        site: id.to_owned(),
                        from: row.shard.clone(),
                        to: to.to_owned(),
                        phase: "done".into(),
                        wait_ms: 0,
                    };
                    return Ok((progress, false));
                }
                Err(e) => {
                    return Err(WorkerError::Service(ServiceError::MoveRefused(
                        e.to_string(),
                    )))
                }
            }
            // Both databases migrated (the one it leaves is sealed against its writes).
            for shard in [row.shard.as_str(), to] {
                if let Err(e) = d1::ready_size(env, shard).await {
                    return Err(WorkerError::Service(ServiceError::MoveRefused(format!(
                        "{shard} is not ready: apply the migrations to its database \
                         (npx wrangler d1 migrations apply <its name> --remote) ({e})"
                    ))));
                }
            }
            let (from, there) = (d1::primary_on(env, &row.shard)?, d1::primary_on(env, to)?);
            if moving::same_database(&from, &there, &random_hex(8)?).await? {
                return Err(WorkerError::Service(ServiceError::MoveRefused(format!(
                    "{} and {to} are bound to one and the same database: give {to} a \
                     database_id of its own in wrangler.toml",
                    row.shard
                ))));
            }
            if !moving::begin(directory, &from, id, &row.shard, to, now, settle).await? {
                return Err(WorkerError::Request(ErrorCode::SiteMoving));
            }
            let progress = MoveProgress {
                site: id.to_owned(),
                from: row.shard.clone(),
                to: to.to_owned(),
                phase: "held".into(),
                wait_ms: u64::try_from(settle).unwrap_or(0),
            };
            return Ok((progress, true));
        }
    };
    let from = d1::primary_on(env, &state.from)?;
    let to = d1::primary_on(env, &state.to)?;
    let progress = moving::Move {
        directory,
        from: &from,
        to: &to,
        site: id,
        state,
        settle_ms: settle,
    }
    .advance(now, MOVE_STEPS_PER_REQUEST)
    .await?;
    let ended = matches!(progress.phase.as_str(), "done" | "undone");
    Ok((progress, ended))
}

/// Pages of rows one request copies or removes (two D1 round trips each at most, well
/// within a Worker invocation's budget of queries).
const MOVE_STEPS_PER_REQUEST: u32 = 20;
