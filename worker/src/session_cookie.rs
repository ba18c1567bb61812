//! The console's session on the wire: the cookie (`<site>.<token>`, `HttpOnly`, scoped to
//! the console's API path), fresh random tokens, how long a session lasts, and what
//! `GET session` tells the console.

use colloquy_core::service::{HumanCheck, Service};
use colloquy_core::wire::console::SessionInfo;
use colloquy_core::wire::defaults::SESSION_SECS;
use colloquy_core::wire::endpoint::AdminOp;
use worker::{js_sys, wasm_bindgen::JsCast, Env, Request, Response};

use crate::config::Config;
use crate::d1::D1Store;
use crate::error::WorkerError;

type Result<T> = std::result::Result<T, WorkerError>;

/// The console's cookie. Scoped to the console's API path, so no other request (and no
/// host page) ever carries it.
const COOKIE: &str = "colloquy_admin";

pub fn cookie_path() -> String {
    colloquy_core::wire::endpoint::Endpoint::Admin(AdminOp::Session)
        .path()
        .trim_end_matches("session")
        .trim_end_matches('/')
        .to_owned()
}

/// `n` random bytes from the runtime's CSPRNG, as hex.
pub fn random_hex(n: u32) -> Result<String> {
    let bytes = js_sys::Uint8Array::new_with_length(n);
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
        .map_err(|_| worker::Error::RustError("no crypto".into()))?;
    let get: js_sys::Function = js_sys::Reflect::get(&crypto, &"getRandomValues".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| worker::Error::RustError("no getRandomValues".into()))?;
    get.call1(&crypto, &bytes)
        .map_err(|_| worker::Error::RustError("getRandomValues failed".into()))?;
    Ok(bytes.to_vec().iter().map(|b| format!("{b:02x}")).collect())
}

/// The session cookie's value, if the request carries one: `<site>.<token>` (a cookie
/// from before there were several sites is the token alone, of the main site).
pub fn session_cookie(req: &Request) -> Option<String> {
    let header = req.headers().get("Cookie").ok().flatten()?;
    header.split(';').find_map(|part| {
        let (name, value) = part.trim().split_once('=')?;
        (name == COOKIE).then(|| value.to_owned())
    })
}

/// The session's token (the part after the site).
pub fn session_token(req: &Request) -> String {
    let value = session_cookie(req).unwrap_or_default();
    match value.split_once('.') {
        Some((_, token)) => token.to_owned(),
        None => value,
    }
}

/// The site the console's cookie names (see [`crate::sites`]).
pub fn cookie_site(req: &Request) -> Option<String> {
    let value = session_cookie(req)?;
    let (site, _) = value.split_once('.')?;
    colloquy_core::wire::sites::valid_id(site).then(|| site.to_owned())
}

pub fn set_cookie(response: &mut Response, value: &str, max_age_secs: i64) -> Result<()> {
    response.headers_mut().set(
        "Set-Cookie",
        &format!(
            "{COOKIE}={value}; HttpOnly; Secure; SameSite=Strict; Path={}; Max-Age={max_age_secs}",
            cookie_path()
        ),
    )?;
    Ok(())
}

pub fn session_secs(env: &Env) -> u32 {
    env.var(colloquy_core::wire::vars::ADMIN_SESSION_SECS)
        .ok()
        .and_then(|v| v.to_string().trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(SESSION_SECS)
}

pub fn info<H: HumanCheck>(
    service: &Service<'_, D1Store, H>,
    config: &Config,
    expires: i64,
    operator: bool,
) -> SessionInfo {
    SessionInfo {
        site: config.site.id.clone(),
        operator,
        expires_at: colloquy_core::domain::dates::rfc3339(expires),
        webhook_secret: service.webhook_secret(),
    }
}
