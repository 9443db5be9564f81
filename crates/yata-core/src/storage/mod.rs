//! The ordered key-value interface that a shard is stored in.
//!
//! The engine needs little from a backend: point reads, ordered prefix scans,
//! atomic batches and an explicit durability point. [`SledBackend`] is the
//! production backend; [`MemoryBackend`] exists so the conformance suite in
//! `conformance.rs` proves the contract is not shaped around sled alone.

mod memory;
mod sled_backend;

#[cfg(test)]
mod conformance;

pub use memory::MemoryBackend;
pub use sled_backend::SledBackend;

use crate::error::Result;

/// A key and its value, as returned by scans.
pub type Entry = (Vec<u8>, Vec<u8>);

/// One shard's ordered key-value store.
///
/// Contract, checked by the conformance suite:
/// - keys compare as byte strings, and scans return ascending key order;
/// - [`KvBackend::apply`] applies all operations of a batch or none, in batch
///   order, so a later operation on the same key wins;
/// - data applied before [`KvBackend::flush`] returns survives a crash.
pub trait KvBackend: Send + Sync {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;

    fn contains(&self, key: &[u8]) -> Result<bool> {
        Ok(self.get(key)?.is_some())
    }

    /// Returns every entry whose key starts with `prefix`, in key order.
    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Entry>> + 'a>;

    /// Applies a batch atomically.
    fn apply(&self, batch: WriteBatch) -> Result<()>;

    /// Makes everything applied so far durable.
    fn flush(&self) -> Result<()>;

    /// Returns the bytes this store occupies on disk (0 for memory backends).
    fn size_on_disk(&self) -> Result<u64>;
}

/// An ordered list of puts and deletes, applied atomically by [`KvBackend::apply`].
#[derive(Debug, Default, Clone)]
pub struct WriteBatch {
    pub(crate) operations: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

impl WriteBatch {
    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.operations.push((key, Some(value)));
    }

    pub fn delete(&mut self, key: Vec<u8>) {
        self.operations.push((key, None));
    }

    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    pub fn len(&self) -> usize {
        self.operations.len()
    }
}
