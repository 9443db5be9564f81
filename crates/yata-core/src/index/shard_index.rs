//! The in-memory indexes of one shard: compact ids, attribute B+Trees and
//! the bloom filter of entity ids.

use std::sync::atomic::{AtomicU64, Ordering};

use super::attributes::AttributeIndexes;
use super::bloom::{ScalableBloomFilter, DEFAULT_FP_RATE};
use super::btree::BTreeConfig;
use super::ids::IdDictionary;
use crate::error::Result;
use crate::model::Entity;

pub struct ShardIndex {
    pub dictionary: IdDictionary,
    pub attributes: AttributeIndexes,
    bloom: ScalableBloomFilter,
    /// The shard's write generation these indexes reflect.
    pub generation: u64,
    absent_lookups: AtomicU64,
    false_positives: AtomicU64,
}

/// Bloom filter figures reported by `getIndexStats`.
#[derive(Debug, Clone, Copy)]
pub struct BloomStats {
    pub bytes: usize,
    pub items: u64,
    pub stages: usize,
    /// False-positive rate the filter's sizing predicts.
    pub estimated_fp_rate: f64,
    /// Share of lookups of absent ids that the filter let through, counted
    /// since the store was opened; 0 before any such lookup.
    pub measured_fp_rate: f64,
    pub absent_lookups: u64,
}

impl ShardIndex {
    /// Builds the indexes of a shard from its entities, in id order.
    pub fn build(config: BTreeConfig, entities: &[Entity], generation: u64) -> Result<Self> {
        let mut dictionary = IdDictionary::new();
        let locals: Vec<u32> = entities.iter().map(|e| dictionary.intern(&e.id)).collect();
        let attributes = AttributeIndexes::build(config, locals.iter().copied().zip(entities.iter()));
        let bloom = ScalableBloomFilter::from_items(
            (entities.len() as u64).max(1024),
            DEFAULT_FP_RATE,
            entities.iter().map(|e| e.id.as_bytes()),
        )?;
        Ok(ShardIndex::from_parts(dictionary, attributes, bloom, generation))
    }

    /// Reassembles a shard's indexes from parts kept in a snapshot.
    pub fn from_parts(dictionary: IdDictionary, attributes: AttributeIndexes, bloom: ScalableBloomFilter, generation: u64) -> Self {
        ShardIndex {
            dictionary,
            attributes,
            bloom,
            generation,
            absent_lookups: AtomicU64::new(0),
            false_positives: AtomicU64::new(0),
        }
    }

    pub fn bloom(&self) -> &ScalableBloomFilter {
        &self.bloom
    }

    /// Indexes `new`, replacing `old` (the same entity before the write) if given.
    pub fn put_entity(&mut self, old: Option<&Entity>, new: &Entity) -> u32 {
        let local = self.dictionary.intern(&new.id);
        if let Some(old) = old {
            self.attributes.remove(local, old);
        }
        self.attributes.insert(local, new);
        self.bloom.insert(new.id.as_bytes());
        local
    }

    /// Removes a deleted entity. The bloom filter keeps its id, because bloom
    /// filters cannot delete; that only costs a disk read on a later lookup.
    pub fn delete_entity(&mut self, entity: &Entity) {
        if let Some(local) = self.dictionary.remove(&entity.id) {
            self.attributes.remove(local, entity);
        }
    }

    /// Returns false only when `id` is certainly not stored on this shard.
    pub fn may_contain(&self, id: &str) -> bool {
        self.bloom.contains(id.as_bytes())
    }

    /// Records the outcome of a lookup that found no entity, for the measured rate.
    pub fn record_absent(&self, bloom_passed: bool) {
        self.absent_lookups.fetch_add(1, Ordering::Relaxed);
        if bloom_passed {
            self.false_positives.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn bloom_stats(&self) -> BloomStats {
        let absent = self.absent_lookups.load(Ordering::Relaxed);
        let false_positives = self.false_positives.load(Ordering::Relaxed);
        BloomStats {
            bytes: self.bloom.bytes(),
            items: self.bloom.len(),
            stages: self.bloom.stages(),
            estimated_fp_rate: self.bloom.estimated_fp_rate(),
            measured_fp_rate: if absent == 0 { 0.0 } else { false_positives as f64 / absent as f64 },
            absent_lookups: absent,
        }
    }
}
