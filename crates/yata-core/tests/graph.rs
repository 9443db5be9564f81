//! Neighbours and shortest paths on small graphs whose expected results are worked out by hand.

mod common;

use common::*;
use tempfile::TempDir;
use yata_core::{Direction, Error, GraphPath, Neighbor, Store, TraversalOptions};

/// Builds, on 3 shards:
///
/// ```text
/// cycle:     a -> b -> c -> d -> a          (all "calls")
/// self loop: x -> x                         ("recurses"), x -> a ("calls")
/// parallel:  p -> q ("calls"), p -> q ("imports"), q -> s ("imports")
/// isolated:  z
/// ```
fn small_graph() -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path(), 3);
    let names = ["a", "b", "c", "d", "x", "p", "q", "s", "z"];
    let entities = names
        .iter()
        .map(|id| {
            entity(
                id,
                if *id == "q" { "class" } else { "function" },
                &id.to_uppercase(),
                "ns",
            )
        })
        .collect();
    store.add_entities(entities).unwrap();
    store
        .add_relationships(vec![
            relationship("ab", "a", "b", "calls"),
            relationship("bc", "b", "c", "calls"),
            relationship("cd", "c", "d", "calls"),
            relationship("da", "d", "a", "calls"),
            relationship("xx", "x", "x", "recurses"),
            relationship("xa", "x", "a", "calls"),
            relationship("pq-calls", "p", "q", "calls"),
            relationship("pq-imports", "p", "q", "imports"),
            relationship("qs", "q", "s", "imports"),
        ])
        .unwrap();
    (dir, store)
}

fn going(direction: Direction) -> TraversalOptions {
    TraversalOptions {
        direction,
        ..TraversalOptions::default()
    }
}

fn only(direction: Direction, types: &[&str]) -> TraversalOptions {
    TraversalOptions {
        direction,
        relationship_types: Some(ids(types)),
        ..TraversalOptions::default()
    }
}

/// Lists neighbours as (entity id, relationship id, depth).
fn rows(found: Vec<Neighbor>) -> Vec<(String, String, u32)> {
    found
        .into_iter()
        .map(|n| (n.entity.id, n.relationship.id, n.depth))
        .collect()
}

fn row(id: &str, rel: &str, depth: u32) -> (String, String, u32) {
    (id.to_string(), rel.to_string(), depth)
}

fn path_ids(path: &GraphPath) -> (Vec<&str>, Vec<&str>) {
    (
        path.entities.iter().map(|e| e.id.as_str()).collect(),
        path.relationships.iter().map(|r| r.id.as_str()).collect(),
    )
}

#[test]
fn cycle_neighbors_by_direction() {
    let (_dir, store) = small_graph();
    let out = |depth| rows(store.neighbors("a", depth, &going(Direction::Out)).unwrap());
    assert_eq!(out(1), vec![row("b", "ab", 1)]);
    assert_eq!(out(2), vec![row("b", "ab", 1), row("c", "bc", 2)]);
    assert_eq!(out(3), vec![row("b", "ab", 1), row("c", "bc", 2), row("d", "cd", 3)]);
    assert_eq!(out(10), out(3), "the cycle does not bring the start back");

    let incoming = rows(store.neighbors("a", 1, &going(Direction::In)).unwrap());
    assert_eq!(incoming, vec![row("d", "da", 1), row("x", "xa", 1)]);

    let both = rows(store.neighbors("a", 2, &going(Direction::Both)).unwrap());
    assert_eq!(
        both,
        vec![
            row("b", "ab", 1),
            row("d", "da", 1),
            row("x", "xa", 1),
            row("c", "bc", 2)
        ],
        "sorted by depth, then id; c is reached first through b"
    );
}

#[test]
fn depth_zero_returns_nothing() {
    let (_dir, store) = small_graph();
    assert!(store.neighbors("a", 0, &going(Direction::Both)).unwrap().is_empty());
    assert!(store.find_path("a", "b", 0, &going(Direction::Both)).unwrap().is_none());
}

#[test]
fn self_loop_is_no_neighbor() {
    let (_dir, store) = small_graph();
    for direction in [Direction::Out, Direction::In, Direction::Both] {
        let found = rows(store.neighbors("x", 1, &going(direction)).unwrap());
        let expected = if direction == Direction::In {
            vec![]
        } else {
            vec![row("a", "xa", 1)]
        };
        assert_eq!(found, expected, "{direction:?}");
    }
    let found = rows(store.neighbors("x", 3, &only(Direction::Both, &["recurses"])).unwrap());
    assert!(found.is_empty(), "a self loop leads nowhere else");

    let path = store.find_path("x", "x", 3, &going(Direction::Both)).unwrap().unwrap();
    assert_eq!(
        path_ids(&path),
        (vec!["x"], vec![]),
        "a path to itself has no hops, not the loop"
    );
    assert_eq!(path.length(), 0);
}

#[test]
fn parallel_edges_filtered_by_type() {
    let (_dir, store) = small_graph();
    let all = rows(store.neighbors("p", 1, &going(Direction::Out)).unwrap());
    assert_eq!(
        all,
        vec![row("q", "pq-calls", 1)],
        "q appears once, by the smallest relationship id"
    );

    let imports = rows(store.neighbors("p", 2, &only(Direction::Out, &["imports"])).unwrap());
    assert_eq!(imports, vec![row("q", "pq-imports", 1), row("s", "qs", 2)]);

    let calls = rows(store.neighbors("p", 2, &only(Direction::Out, &["calls"])).unwrap());
    assert_eq!(calls, vec![row("q", "pq-calls", 1)], "qs is not a 'calls' relationship");

    assert!(store
        .neighbors("p", 2, &only(Direction::Out, &["extends"]))
        .unwrap()
        .is_empty());

    let path = store
        .find_path("p", "s", 5, &only(Direction::Out, &["imports"]))
        .unwrap()
        .unwrap();
    assert_eq!(path_ids(&path), (vec!["p", "q", "s"], vec!["pq-imports", "qs"]));
    assert!(store
        .find_path("p", "s", 5, &only(Direction::Out, &["calls"]))
        .unwrap()
        .is_none());
}

#[test]
fn entity_type_filter_reports_only() {
    let (_dir, store) = small_graph();
    let options = TraversalOptions {
        direction: Direction::Out,
        relationship_types: None,
        entity_types: Some(ids(&["function"])),
        ..TraversalOptions::default()
    };
    let found = rows(store.neighbors("p", 2, &options).unwrap());
    assert_eq!(
        found,
        vec![row("s", "qs", 2)],
        "q is a class, but the traversal passes through it"
    );
}

#[test]
fn cycle_paths() {
    let (_dir, store) = small_graph();
    let out = going(Direction::Out);

    let path = store.find_path("a", "d", 6, &out).unwrap().unwrap();
    assert_eq!(path_ids(&path), (vec!["a", "b", "c", "d"], vec!["ab", "bc", "cd"]));
    assert_eq!(path.length(), 3);

    let path = store.find_path("a", "d", 6, &going(Direction::Both)).unwrap().unwrap();
    assert_eq!(
        path_ids(&path),
        (vec!["a", "d"], vec!["da"]),
        "Both follows d -> a backwards"
    );

    let path = store.find_path("d", "a", 6, &going(Direction::In)).unwrap().unwrap();
    assert_eq!(path_ids(&path), (vec!["d", "c", "b", "a"], vec!["cd", "bc", "ab"]));

    let path = store.find_path("x", "c", 6, &out).unwrap().unwrap();
    assert_eq!(path_ids(&path), (vec!["x", "a", "b", "c"], vec!["xa", "ab", "bc"]));
    assert!(
        store.find_path("c", "x", 6, &out).unwrap().is_none(),
        "nothing leads into x"
    );
}

#[test]
fn depth_limit_is_exact() {
    let (_dir, store) = small_graph();
    let out = going(Direction::Out);
    assert!(store.find_path("a", "c", 1, &out).unwrap().is_none());
    assert_eq!(store.find_path("a", "c", 2, &out).unwrap().unwrap().length(), 2);
    assert!(store.find_path("a", "d", 2, &out).unwrap().is_none());
    assert_eq!(store.find_path("a", "d", 3, &out).unwrap().unwrap().length(), 3);
}

#[test]
fn unreachable_target_is_none() {
    let (_dir, store) = small_graph();
    for direction in [Direction::Out, Direction::In, Direction::Both] {
        for max_depth in [1, 4, 100] {
            assert!(store
                .find_path("a", "z", max_depth, &going(direction))
                .unwrap()
                .is_none());
            assert!(store
                .find_path("a", "p", max_depth, &going(direction))
                .unwrap()
                .is_none());
        }
        assert!(store.neighbors("z", 5, &going(direction)).unwrap().is_empty());
    }
}

#[test]
fn path_to_itself_is_empty() {
    let (_dir, store) = small_graph();
    for max_depth in [0, 1, 6] {
        let path = store
            .find_path("z", "z", max_depth, &going(Direction::Out))
            .unwrap()
            .unwrap();
        assert_eq!(path_ids(&path), (vec!["z"], vec![]), "max depth {max_depth}");
        assert_eq!(path.entities[0].name, "Z", "the path carries the full entity");
    }
}

#[test]
fn unknown_id_is_an_error() {
    let (_dir, store) = small_graph();
    let options = going(Direction::Both);

    let err = expect_code(
        store.neighbors("ghost", 2, &options),
        "ENTITY_NOT_FOUND",
        "neighbors of an unknown id",
    );
    assert!(matches!(err, Error::EntityNotFound(ref id) if id == "ghost"), "{err:?}");

    let err = expect_code(
        store.find_path("ghost", "a", 3, &options),
        "ENTITY_NOT_FOUND",
        "path from an unknown id",
    );
    assert!(matches!(err, Error::EntityNotFound(ref id) if id == "ghost"), "{err:?}");

    let err = expect_code(
        store.find_path("a", "ghost", 3, &options),
        "ENTITY_NOT_FOUND",
        "path to an unknown id",
    );
    assert!(matches!(err, Error::EntityNotFound(ref id) if id == "ghost"), "{err:?}");

    expect_code(
        store.find_path("ghost", "ghost", 3, &options),
        "ENTITY_NOT_FOUND",
        "path between unknown ids",
    );
    expect_code(
        store.neighbors("a/b", 1, &options),
        "INVALID_INPUT",
        "neighbors of an invalid id",
    );
    expect_code(
        store.find_path("a", "a b", 1, &options),
        "INVALID_INPUT",
        "path to an invalid id",
    );
}

#[test]
fn deleted_entity_leaves_paths() {
    let (_dir, store) = small_graph();
    store.delete_entities(&ids(&["c"]), true).unwrap();
    let out = going(Direction::Out);
    assert!(
        store.find_path("a", "d", 6, &out).unwrap().is_none(),
        "a -> d went through c"
    );
    let path = store.find_path("a", "d", 6, &going(Direction::Both)).unwrap().unwrap();
    assert_eq!(path_ids(&path).1, vec!["da"]);
    let found = rows(store.neighbors("b", 3, &going(Direction::Both)).unwrap());
    assert_eq!(found, vec![row("a", "ab", 1), row("d", "da", 2), row("x", "xa", 2)]);
}
