//! Serves `demo/` on its own port: a different origin from the API, exactly like a real
//! third-party site embedding the widget.
//!
//! HTML files get placeholders filled in: `{{COLLOQUY_ORIGIN}}` (where embed.js lives),
//! `{{THREAD}}` (the thread key; `?thread=…` overrides it so browser tests can each use a
//! thread of their own on the same page), and `{{THEME}}`, `{{LANG}}`, `{{MAX_DEPTH}}`
//! (`?theme=`, `?lang=`, `?depth=`), so one page shows every widget option.

use std::path::PathBuf;
use std::thread::JoinHandle;

use tiny_http::{Header, Response, Server};

use crate::Result;

/// The demo article's own thread, seeded by `demo/seed.sql`.
pub const DEMO_THREAD: &str = "/blog/communities-of-practice/";

pub fn start(port: u16, api_origin: String) -> Result<JoinHandle<()>> {
    let server = Server::http(("127.0.0.1", port))
        .map_err(|e| format!("demo server on port {port}: {e}"))?;
    let dir = crate::root().join("demo");
    Ok(std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let response = respond(&dir, request.url(), &api_origin);
            let _ = request.respond(response);
        }
    }))
}

fn respond(
    dir: &std::path::Path,
    url: &str,
    api_origin: &str,
) -> Response<std::io::Cursor<Vec<u8>>> {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let relative = match path.trim_start_matches('/') {
        "" => "index.html",
        p => p,
    };
    // Only plain file names from demo/ itself: no traversal, no hidden files.
    let safe = relative
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !relative.starts_with('.');
    let file: PathBuf = dir.join(relative);
    let Some(bytes) = safe.then(|| std::fs::read(&file).ok()).flatten() else {
        return Response::from_string("not found").with_status_code(404);
    };
    let mut csp = None;
    let (content_type, body) = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => {
            let thread = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("thread="))
                .filter(|t| is_plain_thread_key(t))
                .unwrap_or(DEMO_THREAD);
            // Test hooks for the widget's options, each limited to its known values.
            let option =
                |name: &str, allowed: &[&'static str], default: &'static str| -> &'static str {
                    query
                        .split('&')
                        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                        .and_then(|v| allowed.iter().copied().find(|a| *a == v))
                        .unwrap_or(default)
                };
            let html = String::from_utf8_lossy(&bytes)
                .replace("{{COLLOQUY_ORIGIN}}", api_origin)
                .replace("{{THREAD}}", thread)
                .replace(
                    "{{THEME}}",
                    option("theme", &["light", "dark", "auto"], "auto"),
                )
                .replace("{{LANG}}", option("lang", &["en", "sl", "de"], "en"))
                .replace(
                    "{{MAX_DEPTH}}",
                    option("depth", &["2", "3", "4", "5", "6"], "5"),
                );
            // The host Content-Security-Policy the README documents (`csp=widget`), or the
            // same without 'wasm-unsafe-eval' (`csp=nowasm`), where only reading works.
            csp = match option("csp", &["widget", "nowasm"], "") {
                "widget" => Some(host_csp(api_origin, true)),
                "nowasm" => Some(host_csp(api_origin, false)),
                _ => None,
            };
            ("text/html; charset=utf-8", html.into_bytes())
        }
        Some("css") => ("text/css; charset=utf-8", bytes),
        Some("svg") => ("image/svg+xml", bytes),
        _ => ("application/octet-stream", bytes),
    };
    let header = Header::from_bytes("Content-Type", content_type).expect("static header is valid");
    let response = Response::from_data(body).with_header(header);
    match csp.and_then(|p| Header::from_bytes("Content-Security-Policy", p).ok()) {
        Some(policy) => response.with_header(policy),
        None => response,
    }
}

/// A strict host policy plus what the widget needs from its comment server (the README's
/// "Content-Security-Policy" section); the demo's own inline script is allowed too.
fn host_csp(api: &str, wasm: bool) -> String {
    let wasm = if wasm { " 'wasm-unsafe-eval'" } else { "" };
    format!(
        "default-src 'self'; script-src 'self' 'unsafe-inline' {api}{wasm}; \
         connect-src 'self' {api}; style-src 'self' {api}; img-src 'self' {api} data:"
    )
}

/// Thread keys accepted from the query string are inserted into HTML unescaped, so only
/// characters that need no escaping are allowed.
fn is_plain_thread_key(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 200
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'))
}
