//! Serves `demo/` on its own port: a different origin from the API, exactly like a real
//! third-party site embedding the widget.
//!
//! HTML files get placeholders filled in: `{{COLLOQUY_ORIGIN}}` (where embed.js lives),
//! `{{THREAD}}` (the thread key; `?thread=…` overrides it so browser tests can each use a
//! thread of their own on the same page), and `{{THEME}}`, `{{LANG}}`, `{{MAX_DEPTH}}`
//! (`?theme=`, `?lang=`, `?depth=`), and `{{SITE_ATTR}}` (`?site=`: data-colloquy-site),
//! so one page shows every widget option.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::thread::JoinHandle;

use crate::Result;

/// The demo article's own thread, seeded by `demo/seed.sql`.
pub const DEMO_THREAD: &str = "/blog/communities-of-practice/";

/// Serve the demo on `port` (0: any free port, taken at once so nothing else can take it
/// between choosing and binding); the server's thread and its port.
pub fn start(port: u16, api_origin: String, extra: String) -> Result<(JoinHandle<()>, u16)> {
    start_in(crate::root().join("demo"), port, api_origin, Some(extra))
}

/// Origins a deployment's page needs besides the comment server (Turnstile's script,
/// Gravatar's images), from its `[vars]` overrides.
pub fn extra_sources(vars: &[(&str, String)]) -> String {
    use colloquy_core::wire::vars::{GRAVATAR_URL, TURNSTILE_SCRIPT_URL};
    vars.iter()
        .filter(|(name, _)| [TURNSTILE_SCRIPT_URL, GRAVATAR_URL].contains(name))
        .map(|(_, url)| url)
        .filter_map(|url| {
            let (scheme, rest) = url.split_once("://")?;
            Some(format!("{scheme}://{}", rest.split('/').next()?))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The same server over another folder of pages (the benchmark's page for Isso).
///
/// Plain `std::net`: each response goes out in one write on a no-delay socket and the
/// connection closes. (A server that writes headers and body apart on a reused connection
/// meets the browser's delayed ACK: 40 ms on every stylesheet, which no real web server
/// has and which would skew every timing the benchmark takes.)
pub fn start_in(
    dir: PathBuf,
    port: u16,
    api_origin: String,
    // Extra origins for the page's CSP; `None`: no CSP (the benchmark's Isso page).
    extra: Option<String>,
) -> Result<(JoinHandle<()>, u16)> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("demo server on port {port}: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("demo server: {e}"))?
        .port();
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (dir, api_origin, extra) = (dir.clone(), api_origin.clone(), extra.clone());
            std::thread::spawn(move || serve(stream, &dir, &api_origin, &extra));
        }
    });
    Ok((handle, port))
}

/// One request on `stream`: its head is read, the answer written at once.
fn serve(mut stream: TcpStream, dir: &std::path::Path, api_origin: &str, extra: &Option<String>) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let target = head
        .lines()
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or("/");
    let reply = respond(dir, target, api_origin, extra);
    let mut out = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.content_type,
        reply.body.len()
    );
    if let Some(csp) = &reply.csp {
        out.push_str(&format!("Content-Security-Policy: {csp}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&reply.body);
    let _ = stream.write_all(&bytes);
    let _ = stream.flush();
}

struct Reply {
    status: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
    csp: Option<String>,
}

fn respond(dir: &std::path::Path, url: &str, api_origin: &str, extra: &Option<String>) -> Reply {
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
        return Reply {
            status: "404 Not Found",
            content_type: "text/plain; charset=utf-8",
            body: b"not found".to_vec(),
            csp: None,
        };
    };
    let mut csp = None;
    let (content_type, body) = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => {
            let thread = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("thread="))
                .filter(|t| is_plain_thread_key(t))
                .unwrap_or(DEMO_THREAD);
            // Test hooks for the widget's options, each limited to its known values: the
            // widget's language (`lang=`, empty: none given) and the page's own
            // (`page_lang=`, also tags the widget meets only through negotiation).
            let languages: Vec<&'static str> = std::iter::once("")
                .chain(colloquy_i18n::Lang::ALL.map(colloquy_i18n::Lang::tag))
                .collect();
            let page_languages: Vec<&'static str> = languages
                .iter()
                .copied()
                .chain(["pt-BR", "zh-TW", "zh-CN", "ar-EG", "ja-JP", "sw"])
                .collect();
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
                .replace("{{LANG}}", option("lang", &languages, "en"))
                .replace("{{PAGE_LANG}}", option("page_lang", &page_languages, "en"))
                .replace(
                    "{{MAX_DEPTH}}",
                    option("depth", &["2", "3", "4", "5", "6"], "5"),
                )
                // `?site=` names a site of a deployment serving several (a plain id only:
                // it goes into the HTML as it is).
                .replace(
                    "{{SITE_ATTR}}",
                    &query
                        .split('&')
                        .find_map(|kv| kv.strip_prefix("site="))
                        .filter(|s| colloquy_core::wire::sites::valid_id(s))
                        .map(|s| format!("data-colloquy-site=\"{s}\"\n          "))
                        .unwrap_or_default(),
                );
            // Always the strict host Content-Security-Policy the README documents (the
            // comment server's origin in it, with any Turnstile or Gravatar origin after
            // a space), or the same without 'wasm-unsafe-eval' (`csp=nowasm`), where only
            // reading works.
            let wasm = option("csp", &["widget", "nowasm"], "widget") != "nowasm";
            csp = extra
                .as_ref()
                .map(|extra| host_csp(format!("{api_origin} {extra}").trim(), wasm));
            ("text/html; charset=utf-8", html.into_bytes())
        }
        Some("css") => ("text/css; charset=utf-8", bytes),
        Some("js") => ("text/javascript; charset=utf-8", bytes),
        Some("svg") => ("image/svg+xml", bytes),
        _ => ("application/octet-stream", bytes),
    };
    Reply {
        status: "200 OK",
        content_type,
        body,
        csp,
    }
}

/// A strict host policy plus what the widget needs from its comment server (the README's
/// "Content-Security-Policy" section). `api` is the comment server's origin, optionally
/// followed by the Turnstile/Gravatar origins the deployment uses.
fn host_csp(api: &str, wasm: bool) -> String {
    let wasm = if wasm { " 'wasm-unsafe-eval'" } else { "" };
    let (server, extra) = api.split_once(' ').unwrap_or((api, ""));
    let frames = if extra.is_empty() { "'none'" } else { extra };
    format!(
        "default-src 'self'; script-src 'self' {api}{wasm}; connect-src 'self' {server}; \
         style-src 'self' {server}; img-src 'self' {api} data:; frame-src {frames}; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
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
