//! The console's HTTP client: core's admin types over same-origin fetch. The session
//! cookie goes along by itself (same origin, `HttpOnly`: this code never sees it).

use colloquy_core::wire::endpoint::{AdminOp, Endpoint};
use colloquy_core::wire::error::ErrorBody;
use colloquy_core::ErrorCode;
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The console layer's errors; each is shown to the owner as one sentence.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConsoleError {
    /// The server answered with a structured error.
    #[error("{}", .0.error.message)]
    Api(ErrorBody),
    #[error("The comment server could not be reached. Check the connection and try again.")]
    Network,
    #[error("The comment server answered unexpectedly (HTTP {0}).")]
    Unexpected(u16),
}

impl ConsoleError {
    /// The session is gone (expired, logged out elsewhere): back to the login form.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ConsoleError::Api(body) if body.error.code == ErrorCode::Unauthorized)
    }
}

fn path(op: AdminOp) -> String {
    Endpoint::Admin(op).path()
}

/// `GET` an admin resource; `query` is appended as is (one of `wire::console::query`'s).
pub async fn get<T: DeserializeOwned>(op: AdminOp, query: &str) -> Result<T, ConsoleError> {
    let url = if query.is_empty() {
        path(op)
    } else {
        format!("{}?{query}", path(op))
    };
    let response = Request::get(&url)
        .send()
        .await
        .map_err(|_| ConsoleError::Network)?;
    decode(response).await
}

/// `POST` JSON to an admin operation.
pub async fn post<B: Serialize, T: DeserializeOwned>(
    op: AdminOp,
    body: &B,
) -> Result<T, ConsoleError> {
    post_with(op, "", body).await
}

/// `POST` JSON to an admin operation with a query (`site=…` of a login).
pub async fn post_with<B: Serialize, T: DeserializeOwned>(
    op: AdminOp,
    query: &str,
    body: &B,
) -> Result<T, ConsoleError> {
    let url = if query.is_empty() {
        path(op)
    } else {
        format!("{}?{query}", path(op))
    };
    let response = Request::post(&url)
        .json(body)
        .map_err(|_| ConsoleError::Network)?
        .send()
        .await
        .map_err(|_| ConsoleError::Network)?;
    decode(response).await
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ConsoleError> {
    let status = response.status();
    if (200..300).contains(&status) {
        return response
            .json()
            .await
            .map_err(|_| ConsoleError::Unexpected(status));
    }
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(ConsoleError::Api(body)),
        Err(_) => Err(ConsoleError::Unexpected(status)),
    }
}

/// A time the server sends (RFC 3339, UTC) in the owner's own time zone and words, as
/// their browser writes dates ("7 Dec 2026, 11:40"). What cannot be read stays as sent.
pub fn local_time(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&rfc3339.into());
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let options = js_sys::Object::new();
    for (key, value) in [("dateStyle", "medium"), ("timeStyle", "short")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    String::from(date.to_locale_string("default", &options))
}
