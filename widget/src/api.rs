//! The HTTP client: the API's own request/response types and URL space from
//! `colloquy-core`, over fetch.

use colloquy_core::wire::api::{
    CommentId, CreatedComment, DeleteComment, EditComment, EmbedState, FormToken, NewComment,
    PreviewRequest, PreviewResponse, PublicComment, UpdatedComment,
};
use colloquy_core::wire::endpoint::{Endpoint, Method};
use colloquy_core::wire::error::ErrorBody;
use colloquy_core::ErrorCode;
use gloo_net::http::{Request, RequestBuilder, Response};

/// The widget layer's errors, each shown to the reader as one localized message.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    /// The server answered with a structured error.
    #[error("{}", .0.error.message)]
    Api(ErrorBody),
    /// No answer at all: offline, DNS, CORS refusal, server down.
    #[error("network error")]
    Network,
    /// An answer we could not read (a proxy's HTML error page, say).
    #[error("unexpected response ({0})")]
    Unexpected(u16),
}

impl ClientError {
    /// The server's error code, if the server answered with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Api(body) => Some(body.error.code),
            _ => None,
        }
    }

    /// Failures where sending the same thing again later can work.
    pub fn retryable(&self) -> bool {
        match self {
            ClientError::Network | ClientError::Unexpected(_) => true,
            ClientError::Api(body) => body.error.code.retryable(),
        }
    }

    /// The message to show for this failure.
    pub fn message(&self, t: &colloquy_i18n::Strings) -> String {
        match self {
            ClientError::Api(body) => t.error(body.error.code),
            ClientError::Network => t.network_error.to_owned(),
            ClientError::Unexpected(_) => t.error(ErrorCode::Internal),
        }
    }
}

async fn get<T: serde::de::DeserializeOwned>(url: &str) -> Result<T, ClientError> {
    let response = Request::get(url)
        .send()
        .await
        .map_err(|_| ClientError::Network)?;
    decode(response).await
}

/// A form token for this reader in `thread`.
pub async fn form_token(base: &str, thread: &str) -> Result<FormToken, ClientError> {
    get(&colloquy_core::wire::endpoint::form_token_url(base, thread)).await
}

pub async fn preview(base: &str, body: String) -> Result<PreviewResponse, ClientError> {
    decode(
        send_json(
            &Endpoint::Preview.url(base),
            Method::Post,
            &PreviewRequest { body },
        )
        .await?,
    )
    .await
}

/// Post a comment, asking for its HTML as it will be shown: in the thread's language, at
/// `depth`, beside its parent when `flat`.
pub async fn post(
    base: &str,
    comment: &NewComment,
    state: &EmbedState,
    (depth, flat): (usize, bool),
    idempotency_key: Option<&str>,
) -> Result<CreatedComment, ClientError> {
    let query = url_query(&[
        ("lang", state.lang.clone()),
        ("depth", depth.to_string()),
        ("max_depth", state.max_depth.to_string()),
        ("flat", if flat { "1" } else { "0" }.to_owned()),
    ]);
    let url = format!("{}?{query}", Endpoint::PostComment.url(base));
    let mut request = Request::post(&url);
    // The same key on a retry: the server answers with the first comment, never a second.
    if let Some(key) = idempotency_key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request
        .json(comment)
        .map_err(|_| ClientError::Unexpected(0))?
        .send()
        .await
        .map_err(|_| ClientError::Network)?;
    decode(response).await
}

fn url_query(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", js_sys::encode_uri_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub async fn edit(
    base: &str,
    id: CommentId,
    input: &EditComment,
) -> Result<PublicComment, ClientError> {
    let endpoint = Endpoint::EditComment(id);
    let response = send_json(&endpoint.url(base), endpoint.method(), input).await?;
    decode::<UpdatedComment>(response).await.map(|c| c.comment)
}

pub async fn delete(base: &str, id: CommentId, input: &DeleteComment) -> Result<(), ClientError> {
    let endpoint = Endpoint::DeleteComment(id);
    let response = send_json(&endpoint.url(base), endpoint.method(), input).await?;
    if response.ok() {
        return Ok(());
    }
    decode::<()>(response).await
}

/// Send a JSON body (every write is `application/json`, the server's CSRF guard).
async fn send_json<T: serde::Serialize>(
    url: &str,
    method: Method,
    body: &T,
) -> Result<Response, ClientError> {
    let url = url.to_owned();
    let request: RequestBuilder = match method {
        Method::Get => Request::get(&url),
        Method::Post => Request::post(&url),
        Method::Patch => Request::patch(&url),
        Method::Delete => Request::delete(&url),
    };
    request
        .json(body)
        .map_err(|_| ClientError::Unexpected(0))?
        .send()
        .await
        .map_err(|_| ClientError::Network)
}

async fn decode<T: serde::de::DeserializeOwned>(response: Response) -> Result<T, ClientError> {
    let status = response.status();
    if response.ok() {
        return response
            .json()
            .await
            .map_err(|_| ClientError::Unexpected(status));
    }
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(ClientError::Api(body)),
        Err(_) => Err(ClientError::Unexpected(status)),
    }
}
