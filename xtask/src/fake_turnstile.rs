//! A stand-in for Cloudflare Turnstile (and Gravatar's images) during tests (there is no
//! network here): a
//! `siteverify` endpoint that accepts exactly one token, and a script with Turnstile's
//! `render` API that draws an "I am human" button which yields that token (or whatever the
//! page put in `window.__turnstileToken`, so tests can also fail the check).

use tiny_http::{Header, Response, Server};

use crate::deployments::FAKE_TURNSTILE_SECRET as SECRET;
use crate::Result;

/// The only token the fake verifier accepts as solved on the test pages.
pub const PASSING_TOKEN: &str = "pass-token";
/// A token the fake reports as solved, but on another site's page.
pub const ELSEWHERE_TOKEN: &str = "pass-token-elsewhere";

const SCRIPT: &str = r#"window.turnstile = {
  render: function (el, opts) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "fake-turnstile";
    b.textContent = "I am human (" + opts.sitekey + ")";
    b.onclick = function () { opts.callback(window.__turnstileToken || "pass-token"); };
    el.appendChild(b);
    return "fake-widget";
  },
  reset: function () {}
};"#;

/// Serve the fake on a free port (chosen by binding it) in a background thread; returns
/// its base URL.
pub fn start() -> Result<String> {
    let server = Server::http("127.0.0.1:0").map_err(|e| format!("fake Turnstile: {e}"))?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or("fake Turnstile: no port")?;
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let response = if request.url().starts_with("/avatar/") {
                // Stands in for Gravatar too: a 1×1 transparent GIF.
                const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
                with_type(Response::from_data(GIF.to_vec()), "image/gif")
            } else if request.url().starts_with("/turnstile.js") {
                with_type(Response::from_string(SCRIPT), "text/javascript")
            } else {
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let pairs: Vec<(String, String)> = body
                    .split('&')
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                let has = |k: &str, v: &str| pairs.iter().any(|(pk, pv)| pk == k && pv == v);
                let ok = has("secret", SECRET) && has("response", PASSING_TOKEN);
                // Solved on the test demo pages' host (the Worker checks it), or, for
                // ELSEWHERE_TOKEN, on another site.
                let elsewhere = has("secret", SECRET) && has("response", ELSEWHERE_TOKEN);
                let json = if elsewhere {
                    r#"{"success":true,"hostname":"evil.example"}"#
                } else if ok {
                    r#"{"success":true,"hostname":"127.0.0.1"}"#
                } else {
                    r#"{"success":false,"error-codes":["invalid-input-response"]}"#
                };
                with_type(Response::from_string(json), "application/json")
            };
            let _ = request.respond(response);
        }
    });
    Ok(format!("http://127.0.0.1:{port}"))
}

fn with_type(
    r: Response<std::io::Cursor<Vec<u8>>>,
    content_type: &str,
) -> Response<std::io::Cursor<Vec<u8>>> {
    r.with_header(Header::from_bytes("Content-Type", content_type).expect("valid header"))
        .with_header(Header::from_bytes("Access-Control-Allow-Origin", "*").expect("valid header"))
}
