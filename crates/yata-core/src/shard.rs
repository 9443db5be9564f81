//! One shard: a key-value backend read through the key layout in `keys.rs`.

use std::collections::BTreeMap;

use crate::codec;
use crate::error::{Error, Result};
use crate::keys::{self, counter};
use crate::model::{Entity, Relationship};
use crate::storage::KvBackend;

/// An incoming-edge index entry: the relationship id, its source and type.
#[derive(Debug, Clone)]
pub struct IncomingEdge {
    pub rel_id: String,
    pub source_id: String,
    pub rel_type: String,
}

pub struct Shard {
    pub id: String,
    backend: Box<dyn KvBackend>,
}

/// Counts kept per shard, read by `Store::stats`.
#[derive(Debug, Clone, Default)]
pub struct ShardCounts {
    pub entities: u64,
    pub relationships: u64,
    pub entities_by_type: BTreeMap<String, u64>,
    pub relationships_by_type: BTreeMap<String, u64>,
}

impl Shard {
    pub fn new(id: String, backend: Box<dyn KvBackend>) -> Self {
        Shard { id, backend }
    }

    pub fn backend(&self) -> &dyn KvBackend {
        self.backend.as_ref()
    }

    pub fn get_entity(&self, id: &str) -> Result<Option<Entity>> {
        match self.backend.get(&keys::key(keys::ENTITY, &[id]))? {
            Some(bytes) => codec::decode_entity(id, &bytes).map(Some),
            None => Ok(None),
        }
    }

    pub fn has_entity(&self, id: &str) -> Result<bool> {
        self.backend.contains(&keys::key(keys::ENTITY, &[id]))
    }

    /// Calls `visit` for every entity of this shard, in id order, until it returns false.
    pub fn for_each_entity(&self, mut visit: impl FnMut(Entity) -> bool) -> Result<()> {
        for item in self.backend.scan_prefix(&[keys::ENTITY]) {
            let (key, value) = item?;
            let id = std::str::from_utf8(&key[1..])
                .map_err(|_| Error::corrupted(format!("shard {}", self.id), "entity key is not UTF-8"))?;
            if !visit(codec::decode_entity(id, &value)?) {
                break;
            }
        }
        Ok(())
    }

    pub fn get_outgoing(&self, source_id: &str, rel_id: &str) -> Result<Option<Relationship>> {
        match self.backend.get(&keys::key(keys::OUTGOING, &[source_id, rel_id]))? {
            Some(bytes) => codec::decode_relationship(source_id, rel_id, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Returns the relationships whose source is `source_id`, in relationship-id order.
    pub fn outgoing(&self, source_id: &str) -> Result<Vec<Relationship>> {
        let mut out = Vec::new();
        for item in self.backend.scan_prefix(&keys::prefix(keys::OUTGOING, &[source_id])) {
            let (key, value) = item?;
            let rel_id = keys::last_part(&key);
            out.push(codec::decode_relationship(source_id, rel_id, &value)?);
        }
        Ok(out)
    }

    /// Calls `visit` for every relationship stored on this shard (those whose
    /// source lives here), in key order.
    pub fn for_each_outgoing(&self, mut visit: impl FnMut(Relationship)) -> Result<()> {
        for item in self.backend.scan_prefix(&[keys::OUTGOING]) {
            let (key, value) = item?;
            let parts = keys::parts(&key);
            let [source_id, rel_id] = parts.as_slice() else {
                return Err(Error::corrupted(format!("shard {}", self.id), "malformed relationship key"));
            };
            visit(codec::decode_relationship(source_id, rel_id, &value)?);
        }
        Ok(())
    }

    /// Returns the incoming-edge entries of `target_id`, in relationship-id order.
    pub fn incoming(&self, target_id: &str) -> Result<Vec<IncomingEdge>> {
        let mut out = Vec::new();
        for item in self.backend.scan_prefix(&keys::prefix(keys::INCOMING, &[target_id])) {
            let (key, value) = item?;
            let [source_id, rel_type] = codec::decode_strings::<2>(&value, keys::last_part(&key))?;
            out.push(IncomingEdge {
                rel_id: keys::last_part(&key).to_string(),
                source_id,
                rel_type,
            });
        }
        Ok(out)
    }

    /// Returns the source and target of a relationship whose locator lives here.
    pub fn locate_relationship(&self, rel_id: &str) -> Result<Option<(String, String)>> {
        match self.backend.get(&keys::key(keys::RELATIONSHIP, &[rel_id]))? {
            Some(bytes) => {
                let [source, target] = codec::decode_strings::<2>(&bytes, rel_id)?;
                Ok(Some((source, target)))
            }
            None => Ok(None),
        }
    }

    /// Returns the ids of this shard's entities whose file path is `file_path`.
    pub fn ids_by_file(&self, file_path: &str) -> Result<Vec<String>> {
        self.scan_last_parts(&keys::prefix(keys::BY_FILE, &[file_path]))
    }

    /// Returns the ids of this shard's entities named `name`, optionally only in `namespace`.
    pub fn ids_by_name(&self, name: &str, namespace: Option<&str>) -> Result<Vec<String>> {
        let prefix = match namespace {
            Some(namespace) => keys::prefix(keys::BY_NAME, &[name, namespace]),
            None => keys::prefix(keys::BY_NAME, &[name]),
        };
        self.scan_last_parts(&prefix)
    }

    fn scan_last_parts(&self, prefix: &[u8]) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        for item in self.backend.scan_prefix(prefix) {
            let (key, _) = item?;
            ids.push(keys::last_part(&key).to_string());
        }
        Ok(ids)
    }

    pub fn read_counter(&self, name: &str) -> Result<u64> {
        match self.backend.get(&keys::key(keys::COUNTER, &[name]))? {
            Some(bytes) => {
                let raw: [u8; 8] = bytes.as_slice().try_into().map_err(|_| {
                    Error::corrupted(format!("shard {} counter {name:?}", self.id), "not 8 bytes")
                })?;
                Ok(u64::from_le_bytes(raw))
            }
            None => Ok(0),
        }
    }

    pub fn counts(&self) -> Result<ShardCounts> {
        let mut counts = ShardCounts {
            entities: self.read_counter(counter::ENTITIES)?,
            relationships: self.read_counter(counter::RELATIONSHIPS)?,
            ..ShardCounts::default()
        };
        for item in self.backend.scan_prefix(&[keys::COUNTER]) {
            let (key, value) = item?;
            let parts = keys::parts(&key);
            let Ok(raw) = <[u8; 8]>::try_from(value.as_slice()) else {
                continue;
            };
            let count = u64::from_le_bytes(raw);
            if count == 0 {
                continue;
            }
            match parts.as_slice() {
                ["entity-type", name] => {
                    counts.entities_by_type.insert((*name).to_string(), count);
                }
                ["relationship-type", name] => {
                    counts.relationships_by_type.insert((*name).to_string(), count);
                }
                _ => {}
            }
        }
        Ok(counts)
    }
}
