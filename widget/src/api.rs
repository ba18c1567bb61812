//! The HTTP client: the API's own request/response types from `colloquy-core`, over fetch.

use colloquy_core::api::{
    CommentContext, CreatedComment, DeleteComment, EditComment, ErrorBody, LikeRequest, LikeState,
    NewComment, PreviewRequest, PreviewResponse, PublicComment, RepliesPage, Sort, ThreadPage,
    UpdatedComment,
};
use colloquy_core::model::CommentId;
use gloo_net::http::{Request, RequestBuilder, Response};

impl ClientError {
    /// The server's error code, if the server answered with one.
    pub fn code(&self) -> Option<colloquy_core::ErrorCode> {
        match self {
            ClientError::Api(body) => Some(body.error.code),
            _ => None,
        }
    }

    /// Failures where sending the same thing again later can work.
    pub fn retryable(&self) -> bool {
        use colloquy_core::ErrorCode::*;
        match self {
            ClientError::Network | ClientError::Unexpected(_) => true,
            ClientError::Api(body) => {
                matches!(
                    body.error.code,
                    RateLimited | TooFast | Internal | Unavailable | Unknown | CaptchaFailed
                )
            }
        }
    }

    /// The message to show for this failure.
    pub fn message(&self, t: &crate::i18n::Strings) -> &'static str {
        match self {
            ClientError::Api(body) => t.error(body.error.code),
            ClientError::Network => t.network_error,
            ClientError::Unexpected(_) => t.error(colloquy_core::ErrorCode::Internal),
        }
    }
}

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

fn comments_url(base: &str) -> String {
    format!("{base}api/v1/comments")
}

async fn get<T: serde::de::DeserializeOwned>(url: &str) -> Result<T, ClientError> {
    let response = Request::get(url)
        .send()
        .await
        .map_err(|_| ClientError::Network)?;
    decode(response).await
}

/// One page of a thread in `sort` order; `cursor` from the previous page's `next_cursor`.
pub async fn thread(
    base: &str,
    key: &str,
    sort: Sort,
    cursor: Option<&str>,
) -> Result<ThreadPage, ClientError> {
    let mut url = format!(
        "{}?thread={}&sort={}",
        comments_url(base),
        js_sys::encode_uri_component(key),
        sort.as_str()
    );
    if let Some(c) = cursor {
        url.push_str(&format!("&cursor={}", js_sys::encode_uri_component(c)));
    }
    get(&url).await
}

pub async fn replies(base: &str, root: CommentId) -> Result<RepliesPage, ClientError> {
    get(&format!("{}/replies", comment_url(base, root))).await
}

pub async fn context(base: &str, id: CommentId) -> Result<CommentContext, ClientError> {
    get(&comment_url(base, id)).await
}

pub async fn like(
    base: &str,
    id: CommentId,
    reader: String,
    on: bool,
) -> Result<LikeState, ClientError> {
    let url = format!("{}/like", comment_url(base, id));
    let request = if on {
        Request::post(&url)
    } else {
        Request::delete(&url)
    };
    decode(send_json(request, &LikeRequest { reader }).await?).await
}

pub async fn preview(base: &str, body: String) -> Result<PreviewResponse, ClientError> {
    let request = Request::post(&format!("{base}api/v1/preview"));
    decode(send_json(request, &PreviewRequest { body }).await?).await
}

pub async fn post(base: &str, comment: &NewComment) -> Result<CreatedComment, ClientError> {
    decode(send_json(Request::post(&comments_url(base)), comment).await?).await
}

fn comment_url(base: &str, id: CommentId) -> String {
    format!("{}/{id}", comments_url(base))
}

pub async fn edit(
    base: &str,
    id: CommentId,
    input: &EditComment,
) -> Result<PublicComment, ClientError> {
    let response = send_json(Request::patch(&comment_url(base, id)), input).await?;
    decode::<UpdatedComment>(response).await.map(|c| c.comment)
}

pub async fn delete(base: &str, id: CommentId, input: &DeleteComment) -> Result<(), ClientError> {
    let response = send_json(Request::delete(&comment_url(base, id)), input).await?;
    if response.ok() {
        return Ok(());
    }
    decode::<()>(response).await
}

/// Send a JSON body (every write is `application/json`, the server's CSRF guard).
async fn send_json<T: serde::Serialize>(
    request: RequestBuilder,
    body: &T,
) -> Result<Response, ClientError> {
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
