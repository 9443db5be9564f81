//! Compact binary encoding of stored records.
//!
//! A record starts with a format byte, then its fields in a fixed order.
//! Strings are a LEB128 length followed by UTF-8 bytes; integers are LEB128,
//! signed ones zigzag-encoded first. The record's own id lives in its key and
//! is not repeated in the value.

use crate::error::{Error, Result};
use crate::model::{Entity, Relationship};

const ENTITY_FORMAT: u8 = 1;
const RELATIONSHIP_FORMAT: u8 = 1;

const HAS_FILE_PATH: u8 = 1;
const HAS_LINE: u8 = 1 << 1;
const HAS_DESCRIPTION: u8 = 1 << 2;

/// Appends `value` as unsigned LEB128.
pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_signed(out: &mut Vec<u8>, value: i64) {
    put_varint(out, ((value << 1) ^ (value >> 63)) as u64);
}

fn put_str(out: &mut Vec<u8>, value: &str) {
    put_varint(out, value.len() as u64);
    out.extend_from_slice(value.as_bytes());
}

/// Encodes an entity's fields other than its id.
pub fn encode_entity(entity: &Entity) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        32 + entity.entity_type.len()
            + entity.name.len()
            + entity.namespace.len()
            + entity.metadata.len()
            + entity.file_path.as_ref().map_or(0, String::len)
            + entity.description.as_ref().map_or(0, String::len),
    );
    out.push(ENTITY_FORMAT);

    let mut flags = 0;
    if entity.file_path.is_some() {
        flags |= HAS_FILE_PATH;
    }
    if entity.line.is_some() {
        flags |= HAS_LINE;
    }
    if entity.description.is_some() {
        flags |= HAS_DESCRIPTION;
    }
    out.push(flags);

    put_str(&mut out, &entity.entity_type);
    put_str(&mut out, &entity.name);
    put_str(&mut out, &entity.namespace);
    if let Some(path) = &entity.file_path {
        put_str(&mut out, path);
    }
    if let Some(line) = entity.line {
        put_varint(&mut out, u64::from(line));
    }
    if let Some(description) = &entity.description {
        put_str(&mut out, description);
    }
    put_str(&mut out, &entity.metadata);
    put_signed(&mut out, entity.created_at);
    put_signed(&mut out, entity.updated_at);
    out
}

/// Decodes an entity stored under `id`.
pub fn decode_entity(id: &str, bytes: &[u8]) -> Result<Entity> {
    let mut reader = Reader::new(bytes, "entity", id);
    reader.expect_format(ENTITY_FORMAT)?;
    let flags = reader.byte()?;
    let entity_type = reader.string()?;
    let name = reader.string()?;
    let namespace = reader.string()?;
    let file_path = if flags & HAS_FILE_PATH != 0 {
        Some(reader.string()?)
    } else {
        None
    };
    let line = if flags & HAS_LINE != 0 {
        let raw = reader.varint()?;
        Some(u32::try_from(raw).map_err(|_| reader.fail("line number out of range"))?)
    } else {
        None
    };
    let description = if flags & HAS_DESCRIPTION != 0 {
        Some(reader.string()?)
    } else {
        None
    };
    let metadata = reader.string()?;
    let created_at = reader.signed()?;
    let updated_at = reader.signed()?;
    reader.finish()?;

    Ok(Entity {
        id: id.to_string(),
        entity_type,
        name,
        namespace,
        file_path,
        line,
        description,
        metadata,
        created_at,
        updated_at,
    })
}

/// Encodes a relationship's fields other than its id and source, which its key holds.
pub fn encode_relationship(rel: &Relationship) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(24 + rel.target_id.len() + rel.rel_type.len() + rel.metadata.len());
    out.push(RELATIONSHIP_FORMAT);
    put_str(&mut out, &rel.target_id);
    put_str(&mut out, &rel.rel_type);
    out.extend_from_slice(&rel.weight.to_le_bytes());
    put_str(&mut out, &rel.metadata);
    put_signed(&mut out, rel.created_at);
    out
}

/// Decodes a relationship stored under `(source_id, id)`.
pub fn decode_relationship(source_id: &str, id: &str, bytes: &[u8]) -> Result<Relationship> {
    let mut reader = Reader::new(bytes, "relationship", id);
    reader.expect_format(RELATIONSHIP_FORMAT)?;
    let target_id = reader.string()?;
    let rel_type = reader.string()?;
    let weight = f64::from_le_bytes(reader.array::<8>()?);
    let metadata = reader.string()?;
    let created_at = reader.signed()?;
    reader.finish()?;

    Ok(Relationship {
        id: id.to_string(),
        source_id: source_id.to_string(),
        target_id,
        rel_type,
        weight,
        metadata,
        created_at,
    })
}

/// Encodes a list of strings, used for small index values.
pub fn encode_strings(values: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.iter().map(|v| v.len() + 2).sum());
    for value in values {
        put_str(&mut out, value);
    }
    out
}

/// Decodes exactly `N` strings written by [`encode_strings`].
pub fn decode_strings<const N: usize>(bytes: &[u8], location: &str) -> Result<[String; N]> {
    let mut reader = Reader::new(bytes, "index entry", location);
    let mut values: [String; N] = std::array::from_fn(|_| String::new());
    for value in values.iter_mut() {
        *value = reader.string()?;
    }
    reader.finish()?;
    Ok(values)
}

/// A cursor over an encoded record that reports where decoding failed.
struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
    kind: &'static str,
    id: &'a str,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], kind: &'static str, id: &'a str) -> Self {
        Reader {
            bytes,
            position: 0,
            kind,
            id,
        }
    }

    fn fail(&self, reason: &str) -> Error {
        Error::corrupted(
            format!("{} {}", self.kind, self.id),
            format!("{reason} at byte {}", self.position),
        )
    }

    fn expect_format(&mut self, expected: u8) -> Result<()> {
        let found = self.byte()?;
        if found == expected {
            Ok(())
        } else {
            Err(self.fail(&format!("unknown record format {found}, expected {expected}")))
        }
    }

    fn byte(&mut self) -> Result<u8> {
        let value = *self
            .bytes
            .get(self.position)
            .ok_or_else(|| self.fail("record ends early"))?;
        self.position += 1;
        Ok(value)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let end = self.position + N;
        let slice = self
            .bytes
            .get(self.position..end)
            .ok_or_else(|| self.fail("record ends early"))?;
        self.position = end;
        Ok(slice.try_into().expect("slice has length N"))
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.fail("varint longer than 10 bytes"))
    }

    fn signed(&mut self) -> Result<i64> {
        let raw = self.varint()?;
        Ok(((raw >> 1) as i64) ^ -((raw & 1) as i64))
    }

    fn string(&mut self) -> Result<String> {
        let len = usize::try_from(self.varint()?).map_err(|_| self.fail("length overflow"))?;
        let end = self
            .position
            .checked_add(len)
            .ok_or_else(|| self.fail("length overflow"))?;
        let slice = self
            .bytes
            .get(self.position..end)
            .ok_or_else(|| self.fail("string runs past the record"))?;
        let text = std::str::from_utf8(slice).map_err(|_| self.fail("invalid UTF-8"))?;
        self.position = end;
        Ok(text.to_string())
    }

    fn finish(&self) -> Result<()> {
        if self.position == self.bytes.len() {
            Ok(())
        } else {
            Err(self.fail("trailing bytes"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_entity() -> Entity {
        Entity {
            id: "e1".into(),
            entity_type: "class".into(),
            name: "UserService".into(),
            namespace: "app.services".into(),
            file_path: Some("src/user.ts".into()),
            line: Some(42),
            description: Some("ユーザー認証サービス".into()),
            metadata: "{\"entityKind\":\"Component\"}".into(),
            created_at: 1_700_000_000_123,
            updated_at: -5,
        }
    }

    #[test]
    fn entity_round_trips() {
        let entity = sample_entity();
        let bytes = encode_entity(&entity);
        assert_eq!(decode_entity("e1", &bytes).unwrap(), entity);
    }

    #[test]
    fn entity_without_optional_fields_round_trips() {
        let entity = Entity {
            file_path: None,
            line: None,
            description: None,
            ..sample_entity()
        };
        let bytes = encode_entity(&entity);
        assert_eq!(decode_entity("e1", &bytes).unwrap(), entity);
    }

    #[test]
    fn encoding_is_compact() {
        let entity = sample_entity();
        let payload = entity.entity_type.len()
            + entity.name.len()
            + entity.namespace.len()
            + entity.file_path.as_ref().unwrap().len()
            + entity.description.as_ref().unwrap().len()
            + entity.metadata.len();
        assert!(encode_entity(&entity).len() <= payload + 20);
    }

    #[test]
    fn relationship_round_trips() {
        let rel = Relationship {
            id: "r1".into(),
            source_id: "a".into(),
            target_id: "b".into(),
            rel_type: "calls".into(),
            weight: 0.25,
            metadata: "{}".into(),
            created_at: 17,
        };
        let bytes = encode_relationship(&rel);
        assert_eq!(decode_relationship("a", "r1", &bytes).unwrap(), rel);
    }

    #[test]
    fn truncated_and_foreign_records_are_corruption() {
        let bytes = encode_entity(&sample_entity());
        for cut in 0..bytes.len() {
            let err = decode_entity("e1", &bytes[..cut]).unwrap_err();
            assert_eq!(err.code(), "INDEX_CORRUPTED");
        }
        let mut wrong_format = bytes.clone();
        wrong_format[0] = 99;
        assert!(decode_entity("e1", &wrong_format).is_err());
        let mut trailing = bytes;
        trailing.push(0);
        assert!(decode_entity("e1", &trailing).is_err());
    }

    #[test]
    fn varints_round_trip_at_the_edges() {
        for value in [0i64, 1, -1, 63, -64, 64, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            put_signed(&mut out, value);
            let mut reader = Reader::new(&out, "test", "v");
            assert_eq!(reader.signed().unwrap(), value);
        }
    }
}
