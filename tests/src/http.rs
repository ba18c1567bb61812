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

    /// The body as `T`, after checking the status: a test never inspects an error body
    /// it took for an answer.
    pub fn expect<T: serde::de::DeserializeOwned>(&self, status: u16) -> T {
        assert_eq!(self.status, status, "{}", self.text);
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("unexpected body ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header that may come more than once, joined as one list.
    pub fn header_all(&self, name: &str) -> String {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The stable error code of an error response.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {}", self.text))
            .to_owned()
    }

    /// `(status, error code)`, for asserting both at once.
    pub fn error(&self) -> (u16, String) {
        (self.status, self.error_code())
    }
}

/// How long one request may go unanswered. `wrangler dev` under load now and then
/// accepts a request and never answers it (seen before and after the suite became one
/// binary); without a bound the whole suite would wait forever for it.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(60);

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(ANSWER_WITHIN))
        .build()
        .into()
}

/// Any method to `url` with a raw body and explicit headers. The body must be readable:
/// a test that cannot read an answer fails rather than inspecting an empty string.
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    // `wrangler dev` answers a write that met its runtime restarting with this 503 and
    // asks for the request again (it retries reads itself); it is the dev server's
    // answer, never the Worker's (whose errors are JSON), so the request is sent again.
    for _ in 0..3 {
        let reply = request_once(method, url, headers, body);
        if !(reply.status == 503 && reply.text.starts_with("Your worker restarted mid-request")) {
            return reply;
        }
        eprintln!("{method} {url}: wrangler dev restarted mid-request; sending it again");
    }
    request_once(method, url, headers, body)
}

fn request_once(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let request = builder.body(body.to_vec()).expect("valid request");
    let mut answer = agent().run(request.clone());
    // An unanswered request (the dev server's stall, not the Worker's: it never logged
    // it) is sent once more; a second silence fails the test, naming the request.
    if let Err(ureq::Error::Timeout(_)) = answer {
        eprintln!("{method} {url}: no answer in {ANSWER_WITHIN:?}; sending it again");
        answer = agent().run(request);
    }
    let mut response = answer.unwrap_or_else(|e| panic!("{method} {url} failed: {e}"));
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let status = response.status().as_u16();
    let bytes = response
        .body_mut()
        .with_config()
        .limit(10 * 1024 * 1024)
        .read_to_vec()
        .unwrap_or_else(|e| panic!("{method} {url}: unreadable body ({e})"));
    // Binary answers (the wasm) are fine; JSON assertions parse `text` and fail loudly.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Reply {
        status,
        headers,
        text,
    }
}

/// A made-up client address, random per call, so tests (and test binaries running at the
/// same time) never share a rate-limit bucket. IPv4 from 198.18/15 (benchmarking range)
/// or IPv6 from the 2001:db8::/32 documentation prefix, each in its own /64.
/// `wrangler dev` passes `CF-Connecting-IP` through; Cloudflare's edge always overwrites it.
pub fn fresh_client_ip() -> String {
    let n = random_u64();
    format!(
        "2001:db8:{:x}:{:x}::{:x}",
        (n >> 48) & 0xffff,
        (n >> 32) & 0xffff,
        n & 0xffff
    )
}

/// Three addresses of one home connection: three IPv6 /64s of one /56.
pub fn one_home() -> [String; 3] {
    let n = random_u64();
    let base = format!("2001:db8:{:x}:{:x}", (n >> 48) & 0xffff, (n >> 40) & 0xff);
    [0x10, 0x11, 0xfe].map(|low| format!("{base}{low:02x}::1"))
}

/// A fresh IPv4 client address (for the tests about IPv4 keying).
pub fn fresh_client_ipv4() -> String {
    let n = random_u64();
    format!(
        "198.{}.{}.{}",
        18 + (n >> 16) % 2,
        (n >> 8) & 0xff,
        n & 0xff
    )
}

/// 64 random bits from the OS (no `rand` crate needed for test addresses).
pub fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.finish()
}
