//! Placement of records on shards: stable across reopen, consistent with the
//! per-shard counters, and balanced.

mod common;

use std::collections::BTreeMap;

use common::*;
use tempfile::TempDir;
use yata_core::NewEntity;

fn numbered_entities(count: usize, prefix: &str) -> Vec<NewEntity> {
    (0..count)
        .map(|i| entity(&format!("{prefix}{i}"), "function", &format!("Fn{i}"), "ns"))
        .collect()
}

#[test]
fn placement_survives_reopen() {
    let dir = TempDir::new().unwrap();
    let entity_ids: Vec<String> = (0..2000).map(|i| format!("sym:mod{}:Item{i}", i % 13)).collect();

    let (placement, shard_counts) = {
        let store = open(dir.path(), 4);
        let inputs = entity_ids.iter().map(|id| entity(id, "function", id, "ns")).collect();
        store.add_entities(inputs).unwrap();

        // Relationships are counted on the shard of their source.
        let rels = (0..1000)
            .map(|i| {
                relationship(
                    &format!("r{i}"),
                    &entity_ids[i],
                    &entity_ids[(i * 7 + 3) % 2000],
                    "calls",
                )
            })
            .collect();
        store.add_relationships(rels).unwrap();

        let placement: Vec<usize> = entity_ids.iter().map(|id| store.shard_index(id)).collect();
        let mut expected_entities = [0u64; 4];
        for shard in &placement {
            expected_entities[*shard] += 1;
        }
        let mut expected_relationships = [0u64; 4];
        for source in entity_ids.iter().take(1000) {
            expected_relationships[store.shard_index(source)] += 1;
        }

        let stats = store.stats().unwrap();
        let shard_counts: Vec<(u64, u64)> = stats
            .shards
            .iter()
            .map(|s| (s.entity_count, s.relationship_count))
            .collect();
        for (shard, (entities, relationships)) in shard_counts.iter().enumerate() {
            assert_eq!(
                *entities, expected_entities[shard],
                "shard {shard} holds the entities routed to it"
            );
            assert_eq!(
                *relationships, expected_relationships[shard],
                "shard {shard} counts its sources' relationships"
            );
        }
        assert_counts_consistent(&store);
        (placement, shard_counts)
    };

    let store = reopen(dir.path());
    let replaced: Vec<usize> = entity_ids.iter().map(|id| store.shard_index(id)).collect();
    assert_eq!(replaced, placement, "every id maps to the same shard after reopen");
    let reopened: Vec<(u64, u64)> = store
        .stats()
        .unwrap()
        .shards
        .iter()
        .map(|s| (s.entity_count, s.relationship_count))
        .collect();
    assert_eq!(reopened, shard_counts);
    for id in entity_ids.iter().step_by(50) {
        assert!(
            store.get_entity(id).unwrap().is_some(),
            "{id} is found on its shard after reopen"
        );
    }
}

#[test]
fn placement_ignores_insert_order() {
    let forward_dir = TempDir::new().unwrap();
    let backward_dir = TempDir::new().unwrap();
    let forward = open(forward_dir.path(), 5);
    let backward = open(backward_dir.path(), 5);

    let inputs = numbered_entities(500, "k");
    forward.add_entities(inputs.clone()).unwrap();
    for chunk in inputs.rchunks(50) {
        backward.add_entities(chunk.to_vec()).unwrap();
    }

    let per_shard = |store: &yata_core::Store| -> Vec<u64> {
        store.stats().unwrap().shards.iter().map(|s| s.entity_count).collect()
    };
    assert_eq!(per_shard(&forward), per_shard(&backward));
    for input in &inputs {
        let id = input.id.as_deref().unwrap();
        assert_eq!(forward.shard_index(id), backward.shard_index(id), "{id}");
    }
}

#[test]
fn spread_is_balanced() {
    const ENTITIES: usize = 20_000;
    const SHARDS: usize = 4;
    let dir = TempDir::new().unwrap();
    let store = open(dir.path(), SHARDS);
    let inputs = numbered_entities(ENTITIES, "entity-");
    for chunk in inputs.chunks(5_000) {
        store.add_entities(chunk.to_vec()).unwrap();
    }

    let stats = store.stats().unwrap();
    assert_eq!(stats.entity_count as usize, ENTITIES);
    assert_eq!(stats.shards.len(), SHARDS);
    let total: u64 = stats.shards.iter().map(|s| s.entity_count).sum();
    assert_eq!(total as usize, ENTITIES, "per-shard counts add up to the total");

    let mean = ENTITIES as f64 / SHARDS as f64;
    for shard in &stats.shards {
        let skew = (shard.entity_count as f64 - mean).abs() / mean;
        assert!(
            skew <= 0.15,
            "{} holds {} entities, {:.1}% away from the mean {mean}",
            shard.shard_id,
            shard.entity_count,
            skew * 100.0
        );
        assert!(shard.size_bytes > 0, "{} reports its size on disk", shard.shard_id);
    }

    let mut by_index: BTreeMap<usize, u64> = BTreeMap::new();
    for input in &inputs {
        *by_index
            .entry(store.shard_index(input.id.as_deref().unwrap()))
            .or_default() += 1;
    }
    let counted: Vec<u64> = by_index.values().copied().collect();
    let reported: Vec<u64> = stats.shards.iter().map(|s| s.entity_count).collect();
    assert_eq!(
        counted, reported,
        "shard_index agrees with where the records were written"
    );
}
