//! Cloudflare Turnstile as core's [`HumanCheck`], when a site turned it on. The
//! verification URL is configurable so the test suite can run a local fake verifier.

use colloquy_core::service::HumanCheck;
use serde::Deserialize;
use worker::{Fetch, Headers, Method, Request, RequestInit};

/// Turnstile's secret and verification endpoint; `None` when the site does not use it.
pub struct Turnstile(pub Option<TurnstileConfig>);

pub struct TurnstileConfig {
    pub secret: String,
    pub verify_url: String,
    /// Hosts of the allowed origins: a token solved on any other site is refused.
    pub hostnames: Vec<String>,
}

#[derive(Deserialize)]
struct SiteVerify {
    success: bool,
    /// The host of the page where the challenge was solved.
    #[serde(default)]
    hostname: Option<String>,
}

impl HumanCheck for Turnstile {
    fn required(&self) -> bool {
        self.0.is_some()
    }

    async fn verify(&self, token: &str, client_ip: &str) -> Result<bool, String> {
        let Some(config) = &self.0 else {
            return Ok(true);
        };
        ask(config, token, client_ip)
            .await
            .map_err(|e| e.to_string())
    }
}

async fn ask(config: &TurnstileConfig, token: &str, client_ip: &str) -> worker::Result<bool> {
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
    let solved_here = answer
        .hostname
        .as_deref()
        .is_some_and(|h| config.hostnames.iter().any(|allowed| allowed == h));
    Ok(answer.success && solved_here)
}
