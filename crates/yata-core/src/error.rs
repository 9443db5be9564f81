//! The engine's error type.
//!
//! Every variant carries the offending value and a hint at the fix, and maps to
//! one stable `code` string that the bindings expose unchanged.

use std::path::PathBuf;

/// Result alias used throughout the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error raised by the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A caller-supplied value breaks a documented rule.
    #[error("invalid {field} '{value}': {reason}")]
    InvalidInput {
        field: String,
        value: String,
        reason: String,
    },

    /// The store configuration is invalid or disagrees with the stored manifest.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),

    /// A feature named in the configuration exists in the design but not in this build.
    #[error("unsupported {setting} '{value}': {hint}")]
    Unsupported {
        setting: String,
        value: String,
        hint: String,
    },

    #[error("entity not found: {0}")]
    EntityNotFound(String),

    #[error("relationship not found: {0}")]
    RelationshipNotFound(String),

    /// An insert names an id that is already stored.
    #[error("{kind} already exists: {id}")]
    AlreadyExists { kind: &'static str, id: String },

    /// Another process (or another open handle) owns the store.
    #[error("store {path} is locked by process {pid}; close that process or open another path")]
    StoreLocked { path: PathBuf, pid: String },

    #[error("store is closed")]
    StoreClosed,

    /// A query ran past its `timeoutMs`; its work was stopped.
    #[error("query timed out after {0} ms")]
    QueryTimeout(u64),

    #[error("shard {shard_id} is unavailable: {reason}")]
    ShardUnavailable { shard_id: String, reason: String },

    #[error("shard not found: {0}")]
    ShardNotFound(String),

    /// A stored record or manifest could not be decoded.
    #[error("corrupted data in {location}: {reason}")]
    Corrupted { location: String, reason: String },

    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Returns the stable code that bindings and the TypeScript error classes use.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "INVALID_INPUT",
            Error::InvalidConfig(_) => "INVALID_CONFIG",
            Error::Unsupported { .. } => "UNSUPPORTED",
            Error::EntityNotFound(_) => "ENTITY_NOT_FOUND",
            Error::RelationshipNotFound(_) => "RELATIONSHIP_NOT_FOUND",
            Error::AlreadyExists { .. } => "ALREADY_EXISTS",
            Error::StoreLocked { .. } => "STORE_LOCKED",
            Error::StoreClosed => "STORE_CLOSED",
            Error::QueryTimeout(_) => "QUERY_TIMEOUT",
            Error::ShardUnavailable { .. } => "SHARD_UNAVAILABLE",
            Error::ShardNotFound(_) => "SHARD_NOT_FOUND",
            Error::Corrupted { .. } => "INDEX_CORRUPTED",
            Error::Io { .. } => "IO_ERROR",
        }
    }

    pub(crate) fn invalid(field: &str, value: &str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.to_string(),
            value: preview(value),
            reason: reason.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn corrupted(location: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Corrupted {
            location: location.into(),
            reason: reason.into(),
        }
    }
}

/// Shortens a value for an error message, so a 1 MB input does not become a 1 MB message.
fn preview(value: &str) -> String {
    const MAX_CHARS: usize = 80;
    if value.chars().count() <= MAX_CHARS {
        return value.to_string();
    }
    let head: String = value.chars().take(MAX_CHARS).collect();
    format!("{head}… ({} bytes)", value.len())
}

impl From<sled::Error> for Error {
    fn from(err: sled::Error) -> Self {
        match err {
            sled::Error::Io(source) => Error::Io {
                path: PathBuf::new(),
                source,
            },
            sled::Error::Corruption { at, .. } => {
                Error::corrupted("sled", format!("corruption at {at:?}"))
            }
            other => Error::ShardUnavailable {
                shard_id: String::new(),
                reason: other.to_string(),
            },
        }
    }
}
