//! Keeping hot threads at the edge. A thread's HTML and JSON pages are cached under a key
//! that includes the thread's *version*, kept in KV and bumped by every write that changes
//! what readers see: a changed thread is simply a new key, so nothing has to be found and
//! purged, and a reader reloading after posting gets a page with their comment (KV shows a
//! write at once in the location it was made). On a hit no D1 query runs at all; with an
//! `If-None-Match` that still matches, not even the body is sent.

use colloquy_core::domain::replica::Version;
use worker::{console_error, Cache, Env, Headers, Response};

use colloquy_core::wire::vars::KV_BINDING;

/// The thread's version key in KV (hashed when the thread's key is too long for KV).
fn version_key(site: &str, thread: &str) -> String {
    colloquy_core::domain::kv_keys::thread_version(site, thread)
}

/// The current version of a thread's public pages ("0" before any write, or without KV),
/// with the bookmark of the write that made it (read from a replica that holds it).
pub async fn version(env: &Env, site: &str, thread: &str) -> Version {
    let Ok(kv) = env.kv(KV_BINDING) else {
        return Version::parse("");
    };
    match kv.get(&version_key(site, thread)).text().await {
        Ok(v) => Version::parse(v.as_deref().unwrap_or_default()),
        Err(e) => {
            console_error!("colloquy: KV read failed: {e}");
            Version::parse("")
        }
    }
}

/// A write changed what readers of `thread` see: give its pages a new version. The
/// version is the write's time, so two writes in one millisecond agree. If KV cannot
/// store it (it takes one write per second per key), pages still change within one
/// `PAGE_FRESH_SECS` window, which every page version names. `bookmark` is D1's after
/// the write: readers of the new version read from a replica that has it.
pub async fn bump(env: &Env, site: &str, thread: &str, now_ms: i64, bookmark: Option<String>) {
    bump_one(env, site, thread, now_ms, &bookmark).await;
    // The site-wide feed changes with every thread.
    bump_one(env, site, SITE_WIDE, now_ms, &bookmark).await;
}

/// Many threads changed in one request (a bulk action, the Trash emptying): each thread's
/// version once, and the site-wide one once — not once per thread (KV takes one write a
/// second per key, and a request has a budget of operations).
pub async fn bump_many(
    env: &Env,
    site: &str,
    threads: &[String],
    now_ms: i64,
    bookmark: Option<String>,
) {
    for thread in threads {
        bump_one(env, site, thread, now_ms, &bookmark).await;
    }
    if !threads.is_empty() {
        bump_one(env, site, SITE_WIDE, now_ms, &bookmark).await;
    }
}

/// The version key of what spans the whole site (its feed).
pub const SITE_WIDE: &str = "*";

async fn bump_one(env: &Env, site: &str, thread: &str, now_ms: i64, bookmark: &Option<String>) {
    let Ok(kv) = env.kv(KV_BINDING) else {
        return;
    };
    let version = Version {
        stamp: now_ms.to_string(),
        bookmark: bookmark.clone(),
    };
    let put = kv.put(&version_key(site, thread), version.to_kv());
    if let Err(e) = match put {
        Ok(put) => put.execute().await,
        Err(e) => Err(e),
    } {
        console_error!("colloquy: KV version bump failed: {e}");
    }
}

/// The entity tag of a view: the thread's version, what was asked for, and this build.
pub fn etag(version: &str, request_key: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (request_key, BUILD).hash(&mut h);
    format!("\"{version}-{:x}\"", h.finish())
}

/// Changes with every build of the Worker, so a deploy never serves an old page.
const BUILD: &str = env!("CARGO_PKG_VERSION");

/// Whether the request's `If-None-Match` names `etag`.
pub fn not_modified(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
}

/// The edge cache's key for a view: its URL with the version added.
fn cache_key(url: &str, version: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}v={version}")
}

/// A cached copy of the view at `url` for `version`, if this location has one.
pub async fn lookup(url: &str, version: &str) -> Option<Response> {
    Cache::default()
        .get(cache_key(url, version), false)
        .await
        .ok()
        .flatten()
}

/// Keep a copy of `response` at this location for `secs` (its version's window: the key
/// names the window, so a longer life would be wasted).
pub async fn store(url: &str, version: &str, secs: u32, response: &mut Response) {
    let Ok(mut copy) = response.cloned() else {
        return;
    };
    let _ = copy
        .headers_mut()
        .set("Cache-Control", &format!("public, max-age={secs}"));
    if let Err(e) = Cache::default().put(cache_key(url, version), copy).await {
        console_error!("colloquy: edge cache put failed: {e}");
    }
}

/// Browsers may keep a view but must ask again (cheaply, with `If-None-Match`).
pub fn revalidate_headers(headers: &Headers, etag: &str) -> worker::Result<()> {
    headers.set("ETag", etag)?;
    headers.set("Cache-Control", "public, max-age=0, must-revalidate")
}
