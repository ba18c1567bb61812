//! The deployment as one request or Cron run sees it: the clock, and the one way to open
//! the configuration, the D1 store and the console's settings on top of the vars.

use worker::{Date, Env, Request};

use crate::config::Config;
use crate::d1::{self, D1Store};
use crate::site_settings;
use crate::sites::Chosen;

pub fn now_ms() -> i64 {
    i64::try_from(Date::now().as_millis()).unwrap_or(i64::MAX)
}

/// The configuration (vars, secrets, then the console's settings) of the site `site`
/// (see [`crate::sites`]) and its store, counting what D1 does in `usage`. With `req`,
/// the test-only fault switch may take D1 away.
pub async fn open(
    env: &Env,
    req: Option<&Request>,
    site: &Chosen,
    usage: &d1::Usage,
) -> worker::Result<(Config, D1Store)> {
    let mut config = Config::from_env(env);
    if let Some(row) = &site.row {
        config.site.key_hash = row.key_hash.clone();
        if !site.main {
            // Another site of the deployment: its own id and origins (ALLOWED_ORIGINS
            // are the main site's); its settings come from its own row below.
            config.site.id = row.id.clone();
            config.site.main = false;
            config.site.origins = row.origins.clone();
        }
    }
    let down = match req {
        Some(req) => crate::faults::d1_down(env, req).await,
        None => false,
    };
    let db = env.d1(site.shard())?;
    usage.set_shard(site.shard());
    let store = if down {
        d1::failing_store(db, usage.clone(), &config.site.id)
    } else {
        d1::store(db, usage.clone(), &config.site.id)
    };
    site_settings::apply(env, &mut config, &store).await;
    // Turnstile's hostnames follow the site's own origins, now that they are known.
    Ok((config.with_turnstile_hosts(), store))
}
