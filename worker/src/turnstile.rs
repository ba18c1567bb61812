//! Cloudflare Turnstile verification, when a site turned it on. The verification URL is
//! configurable so the test suite can run a local fake verifier (no network in tests).

use serde::Deserialize;
use worker::{Fetch, Headers, Method, Request, RequestInit};

use crate::config::Turnstile;

#[derive(Deserialize)]
struct SiteVerify {
    success: bool,
}

/// Ask the verifier whether `token` is a solved challenge. `Err` means the verifier could
/// not be asked (an outage), which is not the reader's fault.
pub async fn verify(config: &Turnstile, token: &str, client_ip: &str) -> worker::Result<bool> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("secret", &config.secret)
        .append_pair("response", token)
        .append_pair("remoteip", client_ip)
        .finish();
    let headers = Headers::new();
    headers.set("Content-Type", "application/x-www-form-urlencoded")?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let request = Request::new_with_init(&config.verify_url, &init)?;
    let mut response = Fetch::Request(request).send().await?;
    let answer: SiteVerify = response.json().await?;
    Ok(answer.success)
}
