//! Relationships whose ends live on different shards: reads in every
//! direction, cascading entity deletes, and relationship deletes, checked
//! against an in-memory model of the graph.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use tempfile::TempDir;
use yata_core::{Direction, Error, Store};

const SHARD_COUNTS: [usize; 2] = [4, 8];
const ENTITIES: usize = 200;
const RELATIONSHIPS: usize = 800;
const REL_TYPES: [&str; 3] = ["calls", "imports", "extends"];

#[derive(Debug, Clone)]
struct Edge {
    source: String,
    target: String,
    rel_type: String,
}

/// The graph as the test expects the store to hold it.
#[derive(Default)]
struct Model {
    entities: BTreeSet<String>,
    edges: BTreeMap<String, Edge>,
}

impl Model {
    /// Returns the sorted ids of the relationships of `id` in `direction`.
    fn expected(&self, id: &str, direction: Direction) -> Vec<String> {
        self.edges
            .iter()
            .filter(|(_, e)| {
                (direction.includes_out() && e.source == id) || (direction.includes_in() && e.target == id)
            })
            .map(|(rel_id, _)| rel_id.clone())
            .collect()
    }

    fn delete_entity(&mut self, id: &str) {
        self.entities.remove(id);
        self.edges.retain(|_, e| e.source != id && e.target != id);
    }
}

/// Builds a random graph with self loops and parallel edges of different types.
fn build_graph(store: &Store, seed: u64) -> Model {
    let mut prng = Prng::new(seed);
    let mut model = Model::default();

    let entity_ids: Vec<String> = (0..ENTITIES)
        .map(|i| format!("e{:016x}", mix(seed ^ i as u64)))
        .collect();
    let inputs = entity_ids
        .iter()
        .enumerate()
        .map(|(i, id)| entity(id, ["function", "class"][i % 2], &format!("Entity{i}"), "ns"))
        .collect();
    store.add_entities(inputs).unwrap();
    model.entities.extend(entity_ids.iter().cloned());

    let mut inputs = Vec::new();
    let mut previous: Option<(String, String)> = None;
    for i in 0..RELATIONSHIPS {
        let source = prng.pick(&entity_ids).clone();
        let (source, target) = match &previous {
            Some(pair) if prng.chance(10) => pair.clone(),
            _ if prng.chance(4) => (source.clone(), source),
            _ => (source, prng.pick(&entity_ids).clone()),
        };
        let rel_type = REL_TYPES[i % REL_TYPES.len()];
        let rel_id = format!("r{:016x}", mix(!seed ^ i as u64));
        inputs.push(relationship(&rel_id, &source, &target, rel_type));
        model.edges.insert(
            rel_id,
            Edge {
                source: source.clone(),
                target: target.clone(),
                rel_type: rel_type.to_string(),
            },
        );
        previous = Some((source, target));
    }
    for chunk in inputs.chunks(200) {
        store.add_relationships(chunk.to_vec()).unwrap();
    }

    let self_loops = model.edges.values().filter(|e| e.source == e.target).count();
    assert!(self_loops > 5, "the graph has self loops ({self_loops})");
    model
}

/// Compares every entity's relationships in every direction with the model.
fn assert_matches_model(store: &Store, model: &Model, context: &str) {
    for id in &model.entities {
        for direction in [Direction::Out, Direction::In, Direction::Both] {
            let stored = store.get_relationships(id, direction).unwrap();
            let stored_ids: Vec<String> = stored.iter().map(|r| r.id.clone()).collect();
            let unique: BTreeSet<&String> = stored_ids.iter().collect();
            assert_eq!(
                unique.len(),
                stored_ids.len(),
                "{context}: {id} {direction:?} repeats a relationship"
            );
            assert_eq!(
                rel_ids(&stored),
                model.expected(id, direction),
                "{context}: {id} {direction:?}"
            );

            for rel in &stored {
                let edge = &model.edges[&rel.id];
                assert_eq!(
                    (&rel.source_id, &rel.target_id, &rel.rel_type),
                    (&edge.source, &edge.target, &edge.rel_type),
                    "{context}: fields of {}",
                    rel.id
                );
            }
        }
    }

    let stats = store.stats().unwrap();
    assert_eq!(
        stats.entity_count as usize,
        model.entities.len(),
        "{context}: entity count"
    );
    assert_eq!(
        stats.relationship_count as usize,
        model.edges.len(),
        "{context}: relationship count"
    );
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    for edge in model.edges.values() {
        *by_type.entry(edge.rel_type.clone()).or_default() += 1;
    }
    assert_eq!(stats.relationships_by_type, by_type, "{context}: relationships by type");
    assert_counts_consistent(store);
}

fn new_graph(shards: usize, seed: u64) -> (TempDir, Store, Model) {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path(), shards);
    let model = build_graph(&store, seed);
    (dir, store, model)
}

#[test]
fn reads_match_model() {
    for shards in SHARD_COUNTS {
        let (_dir, store, model) = new_graph(shards, 11);
        assert_matches_model(&store, &model, &format!("{shards} shards"));

        let cross_shard = model
            .edges
            .values()
            .filter(|e| store.shard_index(&e.source) != store.shard_index(&e.target))
            .count();
        assert!(
            cross_shard > RELATIONSHIPS / 2,
            "{shards} shards: most relationships cross shards"
        );
    }
}

#[test]
fn self_loop_listed_once() {
    for shards in SHARD_COUNTS {
        let dir = TempDir::new().unwrap();
        let store = open(dir.path(), shards);
        store
            .add_entities(vec![entity("x", "t", "X", "ns"), entity("y", "t", "Y", "ns")])
            .unwrap();
        store
            .add_relationships(vec![
                relationship("loop", "x", "x", "recurses"),
                relationship("x-y", "x", "y", "calls"),
            ])
            .unwrap();

        let both = store.get_relationships("x", Direction::Both).unwrap();
        let both_ids: Vec<&str> = both.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(both_ids, vec!["loop", "x-y"], "{shards} shards");
        assert_eq!(
            rel_ids(&store.get_relationships("x", Direction::Out).unwrap()),
            ids(&["loop", "x-y"])
        );
        assert_eq!(
            rel_ids(&store.get_relationships("x", Direction::In).unwrap()),
            ids(&["loop"])
        );
    }
}

#[test]
fn unknown_entity_has_no_relationships() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path(), 4);
    let err = expect_code(
        store.get_relationships("ghost", Direction::Both),
        "ENTITY_NOT_FOUND",
        "relationships of an unknown id",
    );
    assert!(matches!(err, Error::EntityNotFound(ref id) if id == "ghost"));
}

#[test]
fn entity_delete_cascades() {
    for shards in SHARD_COUNTS {
        let (_dir, store, mut model) = new_graph(shards, 23);
        let context = format!("{shards} shards");

        // Delete a self-looping entity, a source of a parallel pair and then every fifth entity.
        let mut victims: Vec<String> = Vec::new();
        victims.extend(
            model
                .edges
                .values()
                .find(|e| e.source == e.target)
                .map(|e| e.source.clone()),
        );
        victims.extend(
            model
                .edges
                .values()
                .find(|e| e.source != e.target)
                .map(|e| e.target.clone()),
        );
        victims.extend(model.entities.iter().step_by(5).cloned());
        victims.sort();
        victims.dedup();

        let neighbours: BTreeSet<String> = model
            .edges
            .values()
            .filter(|e| victims.contains(&e.source) || victims.contains(&e.target))
            .flat_map(|e| [e.source.clone(), e.target.clone()])
            .filter(|id| !victims.contains(id))
            .collect();
        let cascaded: Vec<String> = model
            .edges
            .iter()
            .filter(|(_, e)| victims.contains(&e.source) || victims.contains(&e.target))
            .map(|(id, _)| id.clone())
            .collect();
        assert!(!neighbours.is_empty(), "{context}: the deleted entities have neighbours");
        assert!(!cascaded.is_empty(), "{context}: the deleted entities have relationships");

        let deleted = store.delete_entities(&victims, true).unwrap();
        assert_eq!(deleted, victims.len(), "{context}: deleted count");
        for victim in &victims {
            model.delete_entity(victim);
        }

        for victim in &victims {
            assert_eq!(store.get_entity(victim).unwrap(), None, "{context}: {victim} is gone");
            expect_code(
                store.get_relationships(victim, Direction::Both),
                "ENTITY_NOT_FOUND",
                victim,
            );
        }
        for neighbour in &neighbours {
            for rel in store.get_relationships(neighbour, Direction::Both).unwrap() {
                assert!(
                    !victims.contains(&rel.source_id) && !victims.contains(&rel.target_id),
                    "{context}: {neighbour} still has {} referencing a deleted entity",
                    rel.id
                );
            }
        }
        assert_matches_model(&store, &model, &context);

        for rel_id in cascaded.iter().take(20) {
            expect_code(
                store.delete_relationships(std::slice::from_ref(rel_id), true),
                "RELATIONSHIP_NOT_FOUND",
                "strict delete of a cascaded relationship",
            );
        }

        // Re-adding a deleted id must not revive index entries on other shards.
        let revived: Vec<_> = victims
            .iter()
            .map(|id| entity(id, "function", "Revived", "ns"))
            .collect();
        store.add_entities(revived).unwrap();
        for victim in &victims {
            let rels = store.get_relationships(victim, Direction::Both).unwrap();
            assert!(
                rels.is_empty(),
                "{context}: revived {victim} has {} relationships",
                rels.len()
            );
            model.entities.insert(victim.clone());
        }
        assert_matches_model(&store, &model, &format!("{context}, after re-adding"));
    }
}

#[test]
fn relationship_delete_strict_and_lenient() {
    for shards in SHARD_COUNTS {
        let (_dir, store, mut model) = new_graph(shards, 37);
        let context = format!("{shards} shards");
        let before = snapshot(&store);
        let known: Vec<String> = model.edges.keys().take(3).cloned().collect();

        let err = expect_code(
            store.delete_relationships(&[known[0].clone(), "r-ghost".into()], true),
            "RELATIONSHIP_NOT_FOUND",
            "strict delete with an unknown id",
        );
        assert!(
            matches!(err, Error::RelationshipNotFound(ref id) if id == "r-ghost"),
            "{err:?}"
        );
        assert_eq!(
            snapshot(&store),
            before,
            "{context}: a failed strict delete removes nothing"
        );

        expect_code(
            store.delete_relationships(&[known[0].clone(), "a/b".into()], false),
            "INVALID_INPUT",
            "delete with an invalid id",
        );
        assert_eq!(snapshot(&store), before);

        let request = vec![known[0].clone(), "r-ghost".into(), known[0].clone(), known[1].clone()];
        let deleted = store.delete_relationships(&request, false).unwrap();
        assert_eq!(deleted, 2, "{context}: unknown ids are skipped and repeats count once");
        model.edges.remove(&known[0]);
        model.edges.remove(&known[1]);
        assert_matches_model(&store, &model, &context);

        let deleted = store
            .delete_relationships(std::slice::from_ref(&known[2]), true)
            .unwrap();
        assert_eq!(deleted, 1);
        model.edges.remove(&known[2]);
        assert_matches_model(&store, &model, &context);
    }
}

#[test]
fn outgoing_delete_keeps_incoming() {
    for shards in SHARD_COUNTS {
        let (_dir, store, mut model) = new_graph(shards, 41);
        let context = format!("{shards} shards");
        let sources: Vec<String> = model.entities.iter().step_by(40).cloned().collect();
        let expected: usize = model.edges.values().filter(|e| sources.contains(&e.source)).count();
        assert!(expected > 0);

        let mut request = sources.clone();
        request.push(sources[0].clone());
        request.push("ghost".into());
        let deleted = store.delete_outgoing(&request).unwrap();
        assert_eq!(deleted, expected, "{context}: repeated and unknown sources add nothing");
        model.edges.retain(|_, e| !sources.contains(&e.source));

        for source in &sources {
            assert!(store.get_relationships(source, Direction::Out).unwrap().is_empty());
            assert_eq!(
                rel_ids(&store.get_relationships(source, Direction::In).unwrap()),
                model.expected(source, Direction::In),
                "{context}: incoming relationships of {source} stay"
            );
        }
        assert_matches_model(&store, &model, &context);
    }
}
