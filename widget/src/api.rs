//! The HTTP client: the API's own request/response types from `colloquy-core`, over fetch.

use colloquy_core::api::{
    CreatedComment, DeleteComment, EditComment, ErrorBody, NewComment, PublicComment, ThreadPage,
    UpdatedComment,
};
use colloquy_core::model::CommentId;
use gloo_net::http::{Request, Response};

impl ClientError {
    /// The server's error code, if the server answered with one.
    pub fn code(&self) -> Option<colloquy_core::ErrorCode> {
        match self {
            ClientError::Api(body) => Some(body.error.code),
            _ => None,
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

pub async fn thread(base: &str, key: &str) -> Result<ThreadPage, ClientError> {
    let url = format!(
        "{}?thread={}",
        comments_url(base),
        js_sys::encode_uri_component(key)
    );
    let response = Request::get(&url)
        .send()
        .await
        .map_err(|_| ClientError::Network)?;
    decode(response).await
}

pub async fn post(base: &str, comment: &NewComment) -> Result<CreatedComment, ClientError> {
    let response = Request::post(&comments_url(base))
        .json(comment)
        .map_err(|_| ClientError::Unexpected(0))?
        .send()
        .await
        .map_err(|_| ClientError::Network)?;
    decode::<CreatedComment>(response).await
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

fn comment_url(base: &str, id: CommentId) -> String {
    format!("{}/{id}", comments_url(base))
}

pub async fn edit(
    base: &str,
    id: CommentId,
    input: &EditComment,
) -> Result<PublicComment, ClientError> {
    let response = Request::patch(&comment_url(base, id))
        .json(input)
        .map_err(|_| ClientError::Unexpected(0))?
        .send()
        .await
        .map_err(|_| ClientError::Network)?;
    decode::<UpdatedComment>(response).await.map(|c| c.comment)
}

pub async fn delete(base: &str, id: CommentId, input: &DeleteComment) -> Result<(), ClientError> {
    let response = Request::delete(&comment_url(base, id))
        .json(input)
        .map_err(|_| ClientError::Unexpected(0))?
        .send()
        .await
        .map_err(|_| ClientError::Network)?;
    if response.ok() {
        return Ok(());
    }
    decode::<()>(response).await
}
