//! The test-only fault switch: with `FAULT_SWITCH = "on"` (set only by the test suite's
//! fault deployment), `POST /__faults/d1` with `on` or `off` makes every D1 statement fail
//! until switched off, so tests can watch an outage. It works only on a loopback address
//! (`wrangler dev`): a deployed Worker with the variable set ignores it and logs why.

use worker::{console_error, Env, Request, Response};

const KEY: &str = "faults:d1";
pub const PATH: &str = "/__faults/d1";

fn loopback(req: &Request) -> bool {
    req.url()
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .is_some_and(|h| h == "127.0.0.1" || h == "localhost" || h == "[::1]")
}

fn enabled(env: &Env, req: &Request) -> bool {
    let on = env
        .var(colloquy_core::wire::vars::FAULT_SWITCH)
        .map(|v| v.to_string() == "on")
        .unwrap_or(false);
    if on && !loopback(req) {
        console_error!("colloquy: FAULT_SWITCH is set on a deployed Worker; ignored");
        return false;
    }
    on
}

/// Whether D1 should fail for this request.
pub async fn d1_down(env: &Env, req: &Request) -> bool {
    if !enabled(env, req) {
        return false;
    }
    let Ok(kv) = env.kv(colloquy_core::wire::vars::KV_BINDING) else {
        return false;
    };
    matches!(kv.get(KEY).text().await, Ok(Some(v)) if v == "on")
}

/// `POST /__faults/panic`: a panic inside a request (the entry answers JSON 500, and the
/// next request is served normally).
pub const PANIC_PATH: &str = "/__faults/panic";

/// `POST /__faults/d1` (body `on` or `off`) or `/__faults/panic`, when the switch is
/// enabled here.
pub async fn switch(env: &Env, mut req: Request) -> Option<worker::Result<Response>> {
    if !enabled(env, &req) {
        return None;
    }
    if req.path() == PANIC_PATH {
        panic!("a panic asked for by the test-only fault switch");
    }
    if req.path() != PATH {
        return None;
    }
    Some(
        async move {
            let body = req.text().await?;
            let kv = env.kv(colloquy_core::wire::vars::KV_BINDING)?;
            kv.put(KEY, body.trim())?.execute().await?;
            Response::ok(format!("d1 fault {}", body.trim()))
        }
        .await,
    )
}
