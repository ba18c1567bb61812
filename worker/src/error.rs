//! The Worker layer's error enum and its single mapping to an HTTP response.

use colloquy_core::db::store::StoreError;
use colloquy_core::service::error::ServiceError;
use colloquy_core::wire::error::ErrorBody;
use colloquy_core::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// A problem with the request itself (route, method, media type, size, JSON, origin).
    #[error("request rejected: {0:?}")]
    Request(ErrorCode),
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The Workers runtime failed (bindings, body streams). Never the reader's fault.
    #[error("runtime error: {0}")]
    Runtime(#[from] worker::Error),
}

/// What a write to a moving site is told to wait (`Retry-After`).
pub const MOVING_RETRY_SECS: u32 = 15;

impl WorkerError {
    /// The public body for this error. Internal details stay in the log line.
    pub fn body(&self) -> ErrorBody {
        match self {
            WorkerError::Request(code) => ErrorBody::new(*code),
            WorkerError::Service(e) => e.to_body(),
            WorkerError::Runtime(_) => ErrorBody::new(ErrorCode::Internal),
        }
    }

    /// Seconds the client should wait before retrying (rate limits, a site's move).
    pub fn retry_after_secs(&self) -> Option<u32> {
        match self {
            WorkerError::Request(ErrorCode::SiteMoving) => Some(MOVING_RETRY_SECS),
            WorkerError::Service(e) => e.retry_after_secs(),
            _ => None,
        }
    }

    /// Whether the operator should hear about this (a 5xx), as opposed to a reader's mistake.
    pub fn is_internal(&self) -> bool {
        let code = self.body().error.code;
        code.status() >= 500 && code != ErrorCode::SiteMoving
    }
}

impl From<StoreError> for WorkerError {
    fn from(e: StoreError) -> Self {
        WorkerError::Service(ServiceError::Store(e))
    }
}
