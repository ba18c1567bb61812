//! The command's one error type: each says what failed in a sentence.

use colloquy_core::import::ImportError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Import { path: String, source: ImportError },
    #[error("{path}: not an Isso database ({source})")]
    Isso {
        path: String,
        source: rusqlite::Error,
    },
    #[error("{0}")]
    Wrangler(String),
    #[error("{0}")]
    Http(String),
}
