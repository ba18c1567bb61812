//! The operator's console routes: the deployment's sites, a new site, a new console key
//! for a site's owner, and opening another site's console. Only a session opened with the
//! operator's key (`OWNER_KEY`) gets here (console.rs checks); a site owner's session gets
//! `operator_only`.

use colloquy_core::db::sites::Directory;
use colloquy_core::service::sites::SiteAdmin;
use colloquy_core::service::Service;
use colloquy_core::wire::console::audit::AuditAction;
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::sites::{NewSite, SiteKey, SiteRef};
use colloquy_core::wire::vars::DB_BINDING;
use worker::Response;

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
    let directory = Directory::new(d1::exec(env.d1(DB_BINDING)?, d1::Usage::default()));
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
            let made = admin.create(&new, now).await?;
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
        _ => unreachable!("console.rs sends only the sites' operations here"),
    }
}
