//! A small blocking HTTP client for the API tests: every status is returned, never raised,
//! because half the assertions are about error statuses.

use serde_json::Value;

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", self.status, self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The stable error code of an error response.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {}", self.text))
            .to_owned()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn finish(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = result.unwrap_or_else(|e| panic!("request failed: {e}"));
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(10 * 1024 * 1024)
        .read_to_string()
        .unwrap_or_default();
    Reply {
        status,
        headers,
        text,
    }
}

/// `GET {api}{path}` with optional extra headers.
pub fn get(path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = agent().get(format!("{}{path}", crate::api()));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    finish(req.call())
}

/// Any method with a raw body and explicit headers: for malformed and hostile requests.
pub fn send(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    send_to(&crate::api(), method, path, headers, body)
}

/// [`send`] to another deployment (the Turnstile-enabled one).
pub fn send_to(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let url = format!("{base}{path}");
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let request = builder.body(body.to_vec()).expect("valid request");
    finish(agent().run(request))
}

/// A form token old enough to be accepted (the server wants a few seconds between showing
/// a form and receiving it). Fetched once per test binary; the wait is paid once.
pub fn form_token() -> String {
    static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TOKEN
        .get_or_init(|| {
            let page = list("/e2e/form-token/");
            assert_eq!(page.status, 200, "{}", page.text);
            let min = page.json()["settings"]["min_submit_secs"]
                .as_u64()
                .expect("min_submit_secs");
            std::thread::sleep(std::time::Duration::from_millis(min * 1000 + 300));
            page.json()["form_token"]
                .as_str()
                .expect("form_token")
                .to_owned()
        })
        .clone()
}

/// A made-up client address (documentation range 198.18/15), unique per call, so tests
/// do not share a rate-limit bucket. `wrangler dev` passes `CF-Connecting-IP` through;
/// Cloudflare's edge always overwrites it.
pub fn fresh_client_ip() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n =
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + std::process::id() % 50_000 * 10;
    format!(
        "198.{}.{}.{}",
        18 + (n >> 16) % 2,
        (n >> 8) & 0xff,
        n & 0xff
    )
}

/// `POST /api/v1/comments` as the demo page would send it, from client `ip`. A missing
/// `form_token` is filled in with a valid one.
pub fn post_comment_as(body: &Value, ip: &str) -> Reply {
    let mut body = body.clone();
    if body.get("form_token").is_none() {
        body["form_token"] = Value::String(form_token());
    }
    let origin = crate::demo();
    send(
        "POST",
        "/api/v1/comments",
        &[
            ("Origin", &origin),
            ("Content-Type", "application/json"),
            ("CF-Connecting-IP", ip),
        ],
        body.to_string().as_bytes(),
    )
}

/// `POST /api/v1/comments` from a client of its own.
pub fn post_comment(body: &Value) -> Reply {
    post_comment_as(body, &fresh_client_ip())
}

/// `PATCH`/`DELETE /api/v1/comments/{id}` with a JSON body, from the demo's origin.
pub fn change_comment(method: &str, id: i64, body: &Value) -> Reply {
    let origin = crate::demo();
    send(
        method,
        &format!("/api/v1/comments/{id}"),
        &[("Origin", &origin), ("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
}

/// `GET /api/v1/comments?thread=…` with the key percent-encoded.
pub fn list(thread: &str) -> Reply {
    let encoded: String = thread
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    get(&format!("/api/v1/comments?thread={encoded}"), &[])
}
