//! The deployment as one request or Cron run sees it: the clock, and the one way to open
//! the configuration, the D1 store and the console's settings on top of the vars.

use colloquy_core::wire::vars::DB_BINDING;
use worker::{Date, Env, Request};

use crate::config::Config;
use crate::d1::{self, D1Store};
use crate::site_settings;

pub fn now_ms() -> i64 {
    i64::try_from(Date::now().as_millis()).unwrap_or(i64::MAX)
}

/// The configuration (vars, secrets, then the console's settings) and the store, counting
/// what D1 does in `usage`. With `req`, the test-only fault switch may take D1 away.
pub async fn open(
    env: &Env,
    req: Option<&Request>,
    usage: &d1::Usage,
) -> worker::Result<(Config, D1Store)> {
    let mut config = Config::from_env(env);
    let down = match req {
        Some(req) => crate::faults::d1_down(env, req).await,
        None => false,
    };
    let store = if down {
        d1::failing_store(env.d1(DB_BINDING)?, usage.clone(), &config.site.id)
    } else {
        d1::store(env.d1(DB_BINDING)?, usage.clone(), &config.site.id)
    };
    site_settings::apply(env, &mut config, &store).await;
    Ok((config, store))
}
