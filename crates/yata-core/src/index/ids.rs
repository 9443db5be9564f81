//! Compact ids: each shard numbers its entities with dense local `u32`s so
//! the in-memory indexes hold 4-byte ids in place of id strings.
//!
//! A local id is never reused while the dictionary lives, so posting lists
//! and adjacency lists may keep a deleted entity's local id until the owner
//! compacts them. Readers check [`IdDictionary::is_live`]. A node id joins the
//! shard index (high 16 bits) and the local id (low 32 bits).

use std::collections::HashMap;

/// A shard-qualified compact id.
pub type NodeId = u64;

pub fn node_id(shard: usize, local: u32) -> NodeId {
    ((shard as u64) << 32) | u64::from(local)
}

pub fn split_node_id(node: NodeId) -> (usize, u32) {
    ((node >> 32) as usize, node as u32)
}

/// Maps one shard's entity ids to dense local ids and back.
#[derive(Debug, Default)]
pub struct IdDictionary {
    ids: Vec<Box<str>>,
    live: Vec<bool>,
    lookup: HashMap<Box<str>, u32>,
    live_count: usize,
}

impl IdDictionary {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a dictionary from its ids in local-id order and their live
    /// flags. Returns `None` when the lists differ in length or an id repeats.
    pub fn from_parts(ids: Vec<Box<str>>, live: Vec<bool>) -> Option<Self> {
        if ids.len() != live.len() || u32::try_from(ids.len()).is_err() {
            return None;
        }
        let mut lookup = HashMap::with_capacity(ids.len());
        for (local, id) in ids.iter().enumerate() {
            if lookup.insert(id.clone(), local as u32).is_some() {
                return None;
            }
        }
        let live_count = live.iter().filter(|live| **live).count();
        Some(IdDictionary { ids, live, lookup, live_count })
    }

    /// Lists every assigned id with its live flag, in local-id order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, bool)> + '_ {
        self.ids.iter().zip(&self.live).map(|(id, live)| (&**id, *live))
    }

    /// Returns the local id of `id`, assigning the next one if it has none.
    pub fn intern(&mut self, id: &str) -> u32 {
        if let Some(&local) = self.lookup.get(id) {
            if !self.live[local as usize] {
                self.live[local as usize] = true;
                self.live_count += 1;
            }
            return local;
        }
        let local = u32::try_from(self.ids.len()).expect("a shard stores fewer than 2^32 entities");
        let boxed: Box<str> = id.into();
        self.ids.push(boxed.clone());
        self.live.push(true);
        self.lookup.insert(boxed, local);
        self.live_count += 1;
        local
    }

    /// Marks `id` deleted and returns its local id. The number stays assigned
    /// to `id`, so re-adding the entity gets the same local id back.
    pub fn remove(&mut self, id: &str) -> Option<u32> {
        let local = *self.lookup.get(id)?;
        if self.live[local as usize] {
            self.live[local as usize] = false;
            self.live_count -= 1;
        }
        Some(local)
    }

    /// Returns the local id of a live entity.
    pub fn get(&self, id: &str) -> Option<u32> {
        self.lookup.get(id).copied().filter(|local| self.live[*local as usize])
    }

    pub fn id_of(&self, local: u32) -> &str {
        &self.ids[local as usize]
    }

    pub fn is_live(&self, local: u32) -> bool {
        self.live.get(local as usize).copied().unwrap_or(false)
    }

    /// Number of local ids ever assigned, live or not.
    pub fn capacity(&self) -> usize {
        self.ids.len()
    }

    /// Number of live entities.
    pub fn len(&self) -> usize {
        self.live_count
    }

    pub fn is_empty(&self) -> bool {
        self.live_count == 0
    }

    /// Estimated heap bytes: each id string once in `ids` and once as a map key.
    pub fn memory_bytes(&self) -> usize {
        let strings: usize = self.ids.iter().map(|id| id.len()).sum();
        let per_entry = std::mem::size_of::<Box<str>>() * 2 + 4 + 1 + 8;
        strings * 2 + self.ids.len() * per_entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_ids_keep_their_number() {
        let mut dictionary = IdDictionary::new();
        let a = dictionary.intern("a");
        let b = dictionary.intern("b");
        assert_eq!((a, b), (0, 1));
        assert_eq!(dictionary.remove("a"), Some(0));
        assert_eq!(dictionary.get("a"), None);
        assert!(!dictionary.is_live(0));
        assert_eq!(dictionary.len(), 1);
        assert_eq!(dictionary.intern("a"), 0);
        assert!(dictionary.is_live(0));
        assert_eq!(dictionary.id_of(1), "b");
    }

    #[test]
    fn dictionary_parts_round_trip() {
        let mut dictionary = IdDictionary::new();
        dictionary.intern("a");
        dictionary.intern("b");
        dictionary.remove("a");
        let (ids, live): (Vec<Box<str>>, Vec<bool>) = dictionary.entries().map(|(id, live)| (id.into(), live)).unzip();
        let rebuilt = IdDictionary::from_parts(ids, live).unwrap();
        assert_eq!(rebuilt.get("a"), None);
        assert_eq!(rebuilt.get("b"), Some(1));
        assert_eq!(rebuilt.len(), 1);
        assert!(IdDictionary::from_parts(vec!["x".into(), "x".into()], vec![true, true]).is_none());
    }

    #[test]
    fn node_ids_round_trip() {
        assert_eq!(split_node_id(node_id(7, 42)), (7, 42));
        assert_eq!(split_node_id(node_id(0, u32::MAX)), (0, u32::MAX));
    }
}
