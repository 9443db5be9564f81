use std::collections::BTreeMap;
use std::sync::RwLock;

use super::{Entry, KvBackend, WriteBatch};
use crate::error::Result;

/// A shard kept in a `BTreeMap`, lost when dropped. For tests and for
/// checking that the engine depends only on the [`KvBackend`] contract.
#[derive(Default)]
pub struct MemoryBackend {
    map: RwLock<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl MemoryBackend {
    pub fn new() -> Self {
        Self::default()
    }
}

impl KvBackend for MemoryBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.map.read().expect("memory backend lock").get(key).cloned())
    }

    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Entry>> + 'a> {
        let map = self.map.read().expect("memory backend lock");
        let entries: Vec<Entry> = map
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Box::new(entries.into_iter().map(Ok))
    }

    fn apply(&self, batch: WriteBatch) -> Result<()> {
        let mut map = self.map.write().expect("memory backend lock");
        for (key, value) in batch.operations {
            match value {
                Some(value) => map.insert(key, value),
                None => map.remove(&key),
            };
        }
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }

    fn size_on_disk(&self) -> Result<u64> {
        Ok(0)
    }
}
