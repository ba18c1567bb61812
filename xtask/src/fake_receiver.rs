//! A local stand-in for the outside services notifications go to, for the tests: webhook
//! receivers and the HTTP mail API. It records every request and lets the tests read
//! them back; `/fail-once/…` answers 500 to each delivery's first try, to watch a retry.
//!
//! - `POST /hook/<name>`, `POST /fail-once/<name>`: a webhook receiver;
//! - `POST /mail`: the mail API (answers `{"id": …}` like Resend);
//! - `GET /received/<prefix>`: every recorded request whose path starts with `/<prefix>`,
//!   as JSON `[{path, headers: {lower-case name: value}, body}]`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tiny_http::{Header, Response, Server};

use crate::Result;

/// Serve the receiver on a free port (chosen by binding it: no race with anything else
/// taking it meanwhile); its base URL.
pub fn start() -> Result<String> {
    let server = Server::http("127.0.0.1:0").map_err(|e| format!("fake receiver: {e}"))?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or("fake receiver: no port")?;
    let log: Arc<Mutex<Vec<Value>>> = Arc::default();
    let failed_once: Arc<Mutex<HashSet<String>>> = Arc::default();
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let path = request.url().to_owned();
            let (status, answer) = if let Some(prefix) = path.strip_prefix("/received") {
                let seen: Vec<Value> = log
                    .lock()
                    .map(|l| {
                        l.iter()
                            .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with(prefix)))
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                (200, Value::Array(seen).to_string())
            } else {
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let headers: serde_json::Map<String, Value> = request
                    .headers()
                    .iter()
                    .map(|h| {
                        (
                            h.field.as_str().as_str().to_ascii_lowercase(),
                            json!(h.value.as_str()),
                        )
                    })
                    .collect();
                if let Ok(mut l) = log.lock() {
                    l.push(json!({ "path": path, "headers": headers, "body": body }));
                }
                // Each delivery fails on its first try (whoever else posts meanwhile).
                let delivery = headers
                    .get("x-colloquy-delivery")
                    .and_then(Value::as_str)
                    .unwrap_or(&body)
                    .to_owned();
                let first = path.starts_with("/fail-once/")
                    && failed_once
                        .lock()
                        .map(|mut f| f.insert(format!("{path} {delivery}")))
                        .unwrap_or(false);
                if first {
                    (500, r#"{"error":"try again"}"#.to_owned())
                } else if path == "/mail" {
                    (200, r#"{"id":"fake-mail"}"#.to_owned())
                } else {
                    (200, "{}".to_owned())
                }
            };
            let response = Response::from_string(answer)
                .with_status_code(status)
                .with_header(
                    Header::from_bytes("Content-Type", "application/json").expect("valid header"),
                );
            let _ = request.respond(response);
        }
    });
    Ok(format!("http://127.0.0.1:{port}"))
}
