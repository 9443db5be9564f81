//! Helpers shared by the integration tests: opening stores in temporary
//! directories, building inputs, snapshotting a store's whole content and a
//! small deterministic PRNG.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use yata_core::{
    Direction, Entity, EntityQuery, NewEntity, NewRelationship, Relationship, ShardLayout, Store, StoreConfig,
};

/// Page cache per shard for test stores, below the 64 MiB default because these graphs are small.
pub const TEST_CACHE_BYTES: u64 = 8 << 20;

pub fn config(path: &Path, shards: ShardLayout) -> StoreConfig {
    StoreConfig {
        path: path.to_path_buf(),
        shards,
        cache_bytes_per_shard: Some(TEST_CACHE_BYTES),
        ..StoreConfig::default()
    }
}

/// Opens (or creates) the store in `path` with `shards` shards.
pub fn open(path: &Path, shards: usize) -> Store {
    Store::open(config(path, ShardLayout::Count(shards))).expect("store opens")
}

/// Reopens an existing store with its stored layout.
pub fn reopen(path: &Path) -> Store {
    Store::open(config(path, ShardLayout::Stored)).expect("store reopens")
}

pub fn entity(id: &str, entity_type: &str, name: &str, namespace: &str) -> NewEntity {
    NewEntity {
        id: Some(id.to_string()),
        entity_type: entity_type.to_string(),
        name: name.to_string(),
        namespace: namespace.to_string(),
        ..NewEntity::default()
    }
}

pub fn relationship(id: &str, source: &str, target: &str, rel_type: &str) -> NewRelationship {
    NewRelationship {
        id: Some(id.to_string()),
        source_id: source.to_string(),
        target_id: target.to_string(),
        rel_type: rel_type.to_string(),
        ..NewRelationship::default()
    }
}

pub fn ids(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

/// Returns the ids of `relationships`, sorted.
pub fn rel_ids(relationships: &[Relationship]) -> Vec<String> {
    let mut out: Vec<String> = relationships.iter().map(|r| r.id.clone()).collect();
    out.sort();
    out
}

/// Returns every stored entity, sorted by (name, id).
pub fn all_entities(store: &Store) -> Vec<Entity> {
    let output = store
        .query(&EntityQuery {
            limit: usize::MAX / 2,
            ..EntityQuery::default()
        })
        .expect("query of all entities");
    assert_eq!(output.entities.len(), output.total_count, "the page holds every match");
    output.entities
}

/// Every observable fact of a store: its records and its counters.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub entities: Vec<Entity>,
    /// Relationships by id, gathered from the outgoing side of every entity.
    pub relationships: BTreeMap<String, Relationship>,
    /// For every entity, the ids returned by `get_relationships(Direction::Both)`.
    pub both_by_entity: BTreeMap<String, Vec<String>>,
    pub entity_count: u64,
    pub relationship_count: u64,
    pub entities_by_type: BTreeMap<String, u64>,
    pub relationships_by_type: BTreeMap<String, u64>,
    /// (shard id, entity count, relationship count) per shard.
    pub shard_counts: Vec<(String, u64, u64)>,
}

pub fn snapshot(store: &Store) -> Snapshot {
    let entities = all_entities(store);
    let mut relationships = BTreeMap::new();
    let mut both_by_entity = BTreeMap::new();
    for entity in &entities {
        for rel in store.get_relationships(&entity.id, Direction::Out).unwrap() {
            relationships.insert(rel.id.clone(), rel);
        }
        let both = store.get_relationships(&entity.id, Direction::Both).unwrap();
        both_by_entity.insert(entity.id.clone(), rel_ids(&both));
    }
    let stats = store.stats().unwrap();
    Snapshot {
        entities,
        relationships,
        both_by_entity,
        entity_count: stats.entity_count,
        relationship_count: stats.relationship_count,
        entities_by_type: stats.entities_by_type,
        relationships_by_type: stats.relationships_by_type,
        shard_counts: stats
            .shards
            .iter()
            .map(|s| (s.shard_id.clone(), s.entity_count, s.relationship_count))
            .collect(),
    }
}

/// Checks that the counters agree with the records: totals, per type and per shard.
pub fn assert_counts_consistent(store: &Store) {
    let shot = snapshot(store);
    assert_eq!(shot.entity_count as usize, shot.entities.len(), "entity counter");
    assert_eq!(
        shot.relationship_count as usize,
        shot.relationships.len(),
        "relationship counter"
    );

    let mut entity_types: BTreeMap<String, u64> = BTreeMap::new();
    for entity in &shot.entities {
        *entity_types.entry(entity.entity_type.clone()).or_default() += 1;
    }
    assert_eq!(shot.entities_by_type, entity_types, "entities by type");

    let mut rel_types: BTreeMap<String, u64> = BTreeMap::new();
    for rel in shot.relationships.values() {
        *rel_types.entry(rel.rel_type.clone()).or_default() += 1;
    }
    assert_eq!(shot.relationships_by_type, rel_types, "relationships by type");

    let shard_entities: u64 = shot.shard_counts.iter().map(|s| s.1).sum();
    let shard_relationships: u64 = shot.shard_counts.iter().map(|s| s.2).sum();
    assert_eq!(shard_entities, shot.entity_count, "per-shard entity counts add up");
    assert_eq!(
        shard_relationships, shot.relationship_count,
        "per-shard relationship counts add up"
    );
}

/// SplitMix64: a small, deterministic generator, so every run builds the same graphs.
pub struct Prng(u64);

impl Prng {
    pub fn new(seed: u64) -> Self {
        Prng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Returns a value in `0..bound`. Panics when `bound` is 0.
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }

    /// Returns true with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Applies the SplitMix64 finalizer, a bijection on u64. Tests use it to
/// derive unique ids whose sort order is unrelated to creation order.
pub fn mix(value: u64) -> u64 {
    let mut z = value;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Unwraps the error of `result` and checks its code. `what` names the call in the failure message.
pub fn expect_code<T: std::fmt::Debug>(result: yata_core::Result<T>, code: &str, what: &str) -> yata_core::Error {
    let err = match result {
        Ok(value) => panic!("{what}: expected error {code}, got Ok({value:?})"),
        Err(err) => err,
    };
    assert_eq!(err.code(), code, "{what}: wrong error code, message: {err}");
    err
}
