//! The key layout inside one shard's keyspace.
//!
//! Every key starts with a one-byte tag; the parts after it are joined by a
//! NUL byte, which validated ids and labels never contain, so a prefix scan on
//! `tag + part + NUL` returns exactly the entries of that part.
//!
//! | tag | key                              | value                      | lives on the shard of |
//! |-----|----------------------------------|----------------------------|-----------------------|
//! | `E` | entity id                        | encoded entity             | the entity            |
//! | `O` | source id, relationship id       | encoded relationship       | the source            |
//! | `I` | target id, relationship id       | source id, type            | the target            |
//! | `R` | relationship id                  | source id, target id       | the relationship id   |
//! | `F` | file path, entity id             | empty                      | the entity            |
//! | `N` | name, namespace, entity id       | empty                      | the entity            |
//! | `C` | counter name                     | u64, little endian         | (per shard)           |

pub const ENTITY: u8 = b'E';
pub const OUTGOING: u8 = b'O';
pub const INCOMING: u8 = b'I';
pub const RELATIONSHIP: u8 = b'R';
pub const BY_FILE: u8 = b'F';
pub const BY_NAME: u8 = b'N';
pub const COUNTER: u8 = b'C';

const SEPARATOR: u8 = 0;

/// Builds `tag + parts[0] + NUL + parts[1] + …`.
pub fn key(tag: u8, parts: &[&str]) -> Vec<u8> {
    let len = 1 + parts.iter().map(|p| p.len() + 1).sum::<usize>();
    let mut out = Vec::with_capacity(len);
    out.push(tag);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(SEPARATOR);
        }
        out.extend_from_slice(part.as_bytes());
    }
    out
}

/// Builds the prefix that selects every key whose leading parts are `parts`.
pub fn prefix(tag: u8, parts: &[&str]) -> Vec<u8> {
    let mut out = key(tag, parts);
    out.push(SEPARATOR);
    out
}

/// Splits a key into its parts after the tag.
pub fn parts(key: &[u8]) -> Vec<&str> {
    key[1..]
        .split(|b| *b == SEPARATOR)
        .map(|part| std::str::from_utf8(part).unwrap_or(""))
        .collect()
}

/// Returns the last part of a key, such as the entity id of a `F` entry.
pub fn last_part(key: &[u8]) -> &str {
    let start = key
        .iter()
        .rposition(|b| *b == SEPARATOR)
        .map_or(1, |p| p + 1);
    std::str::from_utf8(&key[start..]).unwrap_or("")
}

/// Counter names, stored under tag `C`.
pub mod counter {
    pub const ENTITIES: &str = "entities";
    pub const RELATIONSHIPS: &str = "relationships";
    /// Number of committed write batches; the indexes record the generation they reflect.
    pub const GENERATION: &str = "generation";
    /// Id of the index snapshot saved from this shard's indexes, so a
    /// snapshot copied from another store never matches.
    pub const SNAPSHOT_ID: &str = "snapshot-id";

    pub fn entity_type(entity_type: &str) -> String {
        format!("entity-type\u{0}{entity_type}")
    }

    pub fn relationship_type(rel_type: &str) -> String {
        format!("relationship-type\u{0}{rel_type}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_selects_only_its_part() {
        let k = key(OUTGOING, &["a", "r1"]);
        assert!(k.starts_with(&prefix(OUTGOING, &["a"])));
        assert!(!key(OUTGOING, &["ab", "r1"]).starts_with(&prefix(OUTGOING, &["a"])));
        assert_eq!(parts(&k), vec!["a", "r1"]);
        assert_eq!(last_part(&k), "r1");
    }
}
