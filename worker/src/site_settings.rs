//! The console's settings on top of the deployment's vars. D1 holds them (the `sites`
//! row); KV keeps a copy every request reads, so a view still costs one D1 round trip (and
//! a cache hit none). Saving writes both.

use colloquy_core::db::settings::SettingsStore;
use colloquy_core::wire::settings::SiteSettings;
use serde::{Deserialize, Serialize};
use worker::{console_error, Env};

use crate::config::Config;
use crate::d1::D1Store;
use colloquy_core::wire::vars::KV_BINDING;

/// How long KV's copy of the settings lives before D1 is read again.
const COPY_SECS: u64 = 300;

fn key(site: &str) -> String {
    format!("settings:{site}")
}

/// What KV keeps: the settings and the badge token's hash.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Cached {
    settings: Option<SiteSettings>,
    badge_hash: Option<String>,
}

async fn from_kv(env: &Env, site: &str) -> Option<Cached> {
    let kv = env.kv(KV_BINDING).ok()?;
    match kv.get(&key(site)).text().await {
        Ok(Some(text)) => serde_json::from_str(&text).ok(),
        Ok(None) => None,
        Err(e) => {
            console_error!("colloquy: KV read of settings failed: {e}");
            None
        }
    }
}

async fn to_kv(env: &Env, site: &str, cached: &Cached) {
    let Ok(kv) = env.kv(KV_BINDING) else { return };
    let Ok(text) = serde_json::to_string(cached) else {
        return;
    };
    // The copy lives five minutes: if a refresh after saving fails (KV takes one write
    // per second per key), the next request after that reads D1 again.
    let put = kv.put(&key(site), text);
    if let Err(e) = match put {
        Ok(put) => put.expiration_ttl(COPY_SECS).execute().await,
        Err(e) => Err(e),
    } {
        console_error!("colloquy: KV write of settings failed: {e}");
    }
}

async fn from_d1(store: &D1Store) -> Cached {
    match store.load_settings().await {
        Ok((json, badge_hash)) => Cached {
            settings: json.and_then(|j| serde_json::from_str(&j).ok()),
            badge_hash,
        },
        Err(e) => {
            console_error!("colloquy: reading the site's settings failed: {e}");
            Cached::default()
        }
    }
}

/// Apply the console's settings to `config` (KV first, D1 when KV has none).
pub async fn apply(env: &Env, config: &mut Config, store: &D1Store) {
    let site = config.site.id.clone();
    let cached = match from_kv(env, &site).await {
        Some(c) => c,
        None => {
            let c = from_d1(store).await;
            to_kv(env, &site, &c).await;
            c
        }
    };
    if let Some(s) = &cached.settings {
        config.site.apply(s);
        // Pages rendered under other settings (depth, page size, closing) are stale.
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        serde_json::to_string(s).unwrap_or_default().hash(&mut h);
        config.settings_stamp = format!("{:x}", h.finish());
    }
    config.site.badge_hash = cached.badge_hash;
}

/// After the console saved settings or a badge: refresh the copy every request reads.
pub async fn refresh(env: &Env, store: &D1Store) {
    let c = from_d1(store).await;
    to_kv(env, store.site_id(), &c).await;
}
