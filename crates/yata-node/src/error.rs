//! Maps engine errors to JavaScript errors the TypeScript layer can type.
//!
//! The error's message is `YATA_ERROR` followed by a JSON object with `code`,
//! `message` and the error's fields; `ts/errors.ts` parses it into the
//! matching error class.

use yata_core::Error;

pub const MARKER: &str = "YATA_ERROR";

pub fn to_napi(err: Error) -> napi::Error {
    let mut details = serde_json::json!({
        "code": err.code(),
        "message": err.to_string(),
    });
    let fields = details.as_object_mut().expect("details is an object");
    match &err {
        Error::InvalidInput { field, value, reason } => {
            fields.insert("field".into(), field.clone().into());
            fields.insert("value".into(), value.clone().into());
            fields.insert("reason".into(), reason.clone().into());
        }
        Error::EntityNotFound(id) | Error::RelationshipNotFound(id) => {
            fields.insert("id".into(), id.clone().into());
        }
        Error::AlreadyExists { id, .. } => {
            fields.insert("id".into(), id.clone().into());
        }
        Error::StoreLocked { path, pid } => {
            fields.insert("path".into(), path.display().to_string().into());
            fields.insert("pid".into(), pid.clone().into());
        }
        Error::ShardUnavailable { shard_id, .. } => {
            fields.insert("shardId".into(), shard_id.clone().into());
        }
        Error::ShardNotFound(shard_id) => {
            fields.insert("shardId".into(), shard_id.clone().into());
        }
        Error::Unsupported { setting, value, .. } => {
            fields.insert("setting".into(), setting.clone().into());
            fields.insert("value".into(), value.clone().into());
        }
        Error::Corrupted { location, .. } => {
            fields.insert("location".into(), location.clone().into());
        }
        Error::Io { path, .. } => {
            fields.insert("path".into(), path.display().to_string().into());
        }
        Error::QueryTimeout(ms) => {
            fields.insert("timeoutMs".into(), (*ms).into());
        }
        Error::InvalidConfig(_) | Error::StoreClosed => {}
    }
    napi::Error::from_reason(format!("{MARKER}{details}"))
}
