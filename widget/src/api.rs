//! The HTTP client: the API's own request/response types and URL space from
//! `colloquy-core`, over fetch.

use colloquy_core::api::{
    CommentContext, CommentId, CreatedComment, DeleteComment, EditComment, ErrorBody, FormToken,
    LikeRequest, LikeState, NewComment, PreviewRequest, PreviewResponse, PublicComment,
    RepliesPage, ThreadPage, UpdatedComment,
};
use colloquy_core::endpoint::{Endpoint, Method, ThreadQuery};
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
    get(&colloquy_core::endpoint::form_token_url(base, thread)).await
}

/// One page of a thread.
pub async fn thread(base: &str, query: &ThreadQuery) -> Result<ThreadPage, ClientError> {
    get(&query.url(base)).await
}

pub async fn replies(base: &str, root: CommentId) -> Result<RepliesPage, ClientError> {
    get(&Endpoint::Replies(root).url(base)).await
}

pub async fn context(base: &str, id: CommentId) -> Result<CommentContext, ClientError> {
    get(&Endpoint::CommentContext(id).url(base)).await
}

pub async fn like(
    base: &str,
    id: CommentId,
    reader: String,
    on: bool,
) -> Result<LikeState, ClientError> {
    let endpoint = if on {
        Endpoint::Like(id)
    } else {
        Endpoint::Unlike(id)
    };
    decode(send_json(base, endpoint, &LikeRequest { reader }).await?).await
}

pub async fn preview(base: &str, body: String) -> Result<PreviewResponse, ClientError> {
    decode(send_json(base, Endpoint::Preview, &PreviewRequest { body }).await?).await
}

pub async fn post(base: &str, comment: &NewComment) -> Result<CreatedComment, ClientError> {
    decode(send_json(base, Endpoint::PostComment, comment).await?).await
}

pub async fn edit(
    base: &str,
    id: CommentId,
    input: &EditComment,
) -> Result<PublicComment, ClientError> {
    let response = send_json(base, Endpoint::EditComment(id), input).await?;
    decode::<UpdatedComment>(response).await.map(|c| c.comment)
}

pub async fn delete(base: &str, id: CommentId, input: &DeleteComment) -> Result<(), ClientError> {
    let response = send_json(base, Endpoint::DeleteComment(id), input).await?;
    if response.ok() {
        return Ok(());
    }
    decode::<()>(response).await
}

/// Send a JSON body (every write is `application/json`, the server's CSRF guard).
async fn send_json<T: serde::Serialize>(
    base: &str,
    endpoint: Endpoint,
    body: &T,
) -> Result<Response, ClientError> {
    let url = endpoint.url(base);
    let request: RequestBuilder = match endpoint.method() {
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
