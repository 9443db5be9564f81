//! Input rules, checked before any write so that a rejected call changes nothing.
//!
//! Ids and indexed text become parts of storage keys that use a NUL byte as
//! separator, so control characters are rejected there. Ids are also used as
//! JavaScript object keys and file-system-like paths by callers, hence the
//! stricter id alphabet.

use crate::error::{Error, Result};

/// Maximum length of an id, in bytes.
pub const MAX_ID_BYTES: usize = 512;
/// Maximum length of a type string, in bytes.
pub const MAX_TYPE_BYTES: usize = 128;
/// Maximum length of a name or namespace, in bytes.
pub const MAX_NAME_BYTES: usize = 4096;
/// Maximum length of a file path, in bytes.
pub const MAX_PATH_BYTES: usize = 4096;
/// Maximum length of a description, in bytes.
pub const MAX_DESCRIPTION_BYTES: usize = 64 * 1024;
/// Maximum length of the metadata JSON text, in bytes.
pub const MAX_METADATA_BYTES: usize = 256 * 1024;

/// Names that JavaScript treats specially as object keys.
const RESERVED_IDS: [&str; 3] = ["__proto__", "constructor", "prototype"];

/// Checks an id: 1 to 512 bytes, no whitespace, control characters, `/` or `\`,
/// and not a reserved JavaScript property name.
pub fn check_id(field: &str, id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::invalid(field, id, "must not be empty"));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(Error::invalid(
            field,
            id,
            format!("is {} bytes; the maximum is {MAX_ID_BYTES}", id.len()),
        ));
    }
    if let Some(bad) = id
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || *c == '/' || *c == '\\')
    {
        return Err(Error::invalid(
            field,
            id,
            format!(
                "contains {bad:?}; use letters, digits and punctuation other than '/' and '\\', without spaces"
            ),
        ));
    }
    if RESERVED_IDS.contains(&id) {
        return Err(Error::invalid(
            field,
            id,
            "is a reserved JavaScript property name; choose another id",
        ));
    }
    Ok(())
}

/// Checks a required text field such as a name or type: non-empty after
/// trimming, within `max_bytes`, and free of control characters.
pub fn check_label(field: &str, value: &str, max_bytes: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, value, "must not be empty"));
    }
    check_text(field, value, max_bytes, false)
}

/// Checks an optional text field. `multiline` allows tabs and line breaks.
pub fn check_text(field: &str, value: &str, max_bytes: usize, multiline: bool) -> Result<()> {
    if value.len() > max_bytes {
        return Err(Error::invalid(
            field,
            value,
            format!("is {} bytes; the maximum is {max_bytes}", value.len()),
        ));
    }
    let allowed = |c: char| multiline && matches!(c, '\t' | '\n' | '\r');
    if let Some(bad) = value.chars().find(|c| c.is_control() && !allowed(*c)) {
        return Err(Error::invalid(
            field,
            value,
            format!("contains the control character {bad:?}; remove it"),
        ));
    }
    Ok(())
}

/// Checks that `text` is a JSON object within the size limit.
pub fn check_metadata(text: &str) -> Result<()> {
    if text.len() > MAX_METADATA_BYTES {
        return Err(Error::invalid(
            "metadata",
            text,
            format!("is {} bytes of JSON; the maximum is {MAX_METADATA_BYTES}", text.len()),
        ));
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(_) => Err(Error::invalid(
            "metadata",
            text,
            "must be a JSON object such as {\"key\": \"value\"}",
        )),
        Err(err) => Err(Error::invalid("metadata", text, format!("is not valid JSON: {err}"))),
    }
}

/// Checks a relationship weight: a finite number.
pub fn check_weight(weight: f64) -> Result<()> {
    if weight.is_finite() {
        Ok(())
    } else {
        Err(Error::invalid("weight", &weight.to_string(), "must be a finite number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_reject_separators_and_reserved_names() {
        for bad in ["", "a b", "a/b", "a\\b", "a\0b", "__proto__", "constructor", "x\n"] {
            assert!(check_id("id", bad).is_err(), "{bad:?} should be rejected");
        }
        for good in ["e1", "sym:abc:Foo.bar", "日本語", "550e8400-e29b-41d4-a716-446655440000"] {
            assert!(check_id("id", good).is_ok(), "{good:?} should be accepted");
        }
        assert!(check_id("id", &"x".repeat(MAX_ID_BYTES + 1)).is_err());
    }

    #[test]
    fn metadata_must_be_an_object() {
        assert!(check_metadata("{}").is_ok());
        assert!(check_metadata("{\"a\":[1,2]}").is_ok());
        for bad in ["[]", "1", "\"s\"", "null", "{", ""] {
            assert!(check_metadata(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn labels_reject_blank_and_oversized() {
        assert!(check_label("name", "  ", MAX_NAME_BYTES).is_err());
        assert!(check_label("name", &"n".repeat(MAX_NAME_BYTES + 1), MAX_NAME_BYTES).is_err());
        assert!(check_text("description", "line\nnext", 100, true).is_ok());
        assert!(check_text("namespace", "a\nb", 100, false).is_err());
    }
}
