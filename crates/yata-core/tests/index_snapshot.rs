//! Index snapshots seen from the store. A closed store reopens from its
//! snapshot and returns the same results as before. A store whose records
//! changed after the snapshot, by a write never followed by `close`,
//! rebuilds its indexes from the records instead.

mod common;

use common::*;
use tempfile::TempDir;
use yata_core::index::catalog::IndexSource;
use yata_core::{Direction, EntityQuery, Store, TraversalOptions};

/// Fills a store with 90 entities and 300 relationships (self loops and
/// parallel edges of two types included), then deletes some of each, so
/// local ids have gaps.
fn fill(store: &Store) -> Vec<String> {
    let ids: Vec<String> = (0..90).map(|i| format!("e{i:03}")).collect();
    let entities = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let mut input = entity(id, ["class", "method", "function"][i % 3], &format!("getUser{i}"), ["app", "lib"][i % 2]);
            input.description = Some(format!("handles user number {i}"));
            input.file_path = Some(format!("src/f{}.ts", i % 5));
            input
        })
        .collect();
    store.add_entities(entities).unwrap();

    let mut prng = Prng::new(11);
    let rels = (0..300)
        .map(|i| {
            let source = prng.pick(&ids).clone();
            let target = if i % 30 == 0 { source.clone() } else { prng.pick(&ids).clone() };
            relationship(&format!("r{i:03}"), &source, &target, ["calls", "imports"][i % 2])
        })
        .collect();
    store.add_relationships(rels).unwrap();

    store.delete_entities(&ids[10..20], true).unwrap();
    store.delete_relationships(&["r001".to_string(), "r002".to_string()], false).unwrap();
    ids
}

/// Lists the results of every index-backed read: neighbours at depth 2 and shortest
/// paths from a few starts, an attribute filter, a name pattern and a search.
fn answers(store: &Store, ids: &[String]) -> Vec<String> {
    let options = TraversalOptions { direction: Direction::Both, ..TraversalOptions::default() };
    let mut out = Vec::new();
    for id in ids.iter().step_by(7) {
        match store.neighbors(id, 2, &options) {
            Ok(found) => {
                let mut rows: Vec<String> = found.iter().map(|n| format!("{}@{}", n.entity.id, n.depth)).collect();
                rows.sort();
                out.push(format!("{id}: {}", rows.join(",")));
            }
            Err(err) => out.push(format!("{id}: {err}")),
        }
        let path = store.find_path(id, &ids[45], 6, &options).map(|path| path.map(|p| p.length()));
        out.push(format!("{id}->e045: {path:?}"));
    }
    let query = |query: EntityQuery| {
        let found = store.query(&query).unwrap();
        let page: Vec<String> = found.entities.iter().map(|e| e.id.clone()).collect();
        format!("{} {}", found.total_count, page.join(","))
    };
    out.push(query(EntityQuery { types: vec!["method".into()], namespace: Some("app".into()), limit: 100, ..EntityQuery::default() }));
    out.push(query(EntityQuery { name_pattern: Some("GETUSER1*".into()), limit: 100, ..EntityQuery::default() }));
    out.push(query(EntityQuery { text: Some("user".into()), file_path: Some("src/f2.ts".into()), limit: 100, ..EntityQuery::default() }));
    out.push(format!("missing: {:?}", store.get_entity("e015").unwrap().map(|e| e.id)));
    out
}

#[test]
fn store_reopens_from_snapshot_unchanged() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path(), 3);
    let ids = fill(&store);
    let before = answers(&store, &ids);
    assert!(matches!(store.index_source(), IndexSource::Records { .. }));
    store.close().unwrap();

    let store = reopen(dir.path());
    assert_eq!(store.index_source(), &IndexSource::Snapshot);
    assert_eq!(answers(&store, &ids), before);

    store.add_entities(vec![entity("late", "class", "Late", "app")]).unwrap();
    store.close().unwrap();
    let store = reopen(dir.path());
    assert_eq!(store.index_source(), &IndexSource::Snapshot, "close saves a new snapshot after writes");
    assert!(store.get_entity("late").unwrap().is_some());
}

#[test]
fn store_rebuilds_after_write_without_close() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path(), 3);
    let ids = fill(&store);
    store.close().unwrap();

    let store = reopen(dir.path());
    store.delete_entities(&ids[30..35], true).unwrap();
    let expected = answers(&store, &ids);
    drop(store);

    let store = reopen(dir.path());
    match store.index_source() {
        IndexSource::Records { reason } => assert!(reason.contains("before the latest writes"), "{reason}"),
        IndexSource::Snapshot => panic!("a stale snapshot was used"),
    }
    assert_eq!(answers(&store, &ids), expected);
}

#[test]
fn store_ignores_damaged_snapshot() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path(), 2);
    let ids = fill(&store);
    let expected = answers(&store, &ids);
    store.close().unwrap();

    let graph = dir.path().join("snapshot").join("graph.snap");
    let mut bytes = std::fs::read(&graph).unwrap();
    let last = bytes.len() - 20;
    bytes[last] ^= 1;
    std::fs::write(&graph, bytes).unwrap();

    let store = reopen(dir.path());
    match store.index_source() {
        IndexSource::Records { reason } => assert!(reason.contains("checksum"), "{reason}"),
        IndexSource::Snapshot => panic!("a damaged snapshot was used"),
    }
    assert_eq!(answers(&store, &ids), expected);
}

#[test]
fn store_refuses_snapshot_from_other_store() {
    let dir = TempDir::new().unwrap();
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    let store = open(&first, 3);
    let ids = fill(&store);
    let expected = answers(&store, &ids);
    store.close().unwrap();

    // The same writes give the other store equal generations, so only the
    // snapshot id recorded in the shards distinguishes the two snapshots.
    let other = open(&second, 3);
    fill(&other);
    other.close().unwrap();
    std::fs::remove_dir_all(first.join("snapshot")).unwrap();
    copy_dir(&second.join("snapshot"), &first.join("snapshot"));

    let store = reopen(&first);
    match store.index_source() {
        IndexSource::Records { reason } => assert!(reason.contains("another store"), "{reason}"),
        IndexSource::Snapshot => panic!("another store's snapshot was used"),
    }
    assert_eq!(answers(&store, &ids), expected);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn store_closes_when_snapshot_cannot_be_saved() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path(), 2);
    let ids = fill(&store);
    let expected = answers(&store, &ids);
    // A regular file where the snapshot folder belongs makes the save fail.
    std::fs::write(dir.path().join("snapshot"), b"not a folder").unwrap();
    store.close().unwrap();

    let store = reopen(dir.path());
    assert!(matches!(store.index_source(), IndexSource::Records { .. }));
    assert_eq!(answers(&store, &ids), expected);
}

#[test]
fn store_skips_snapshot_after_heavy_deletes() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path(), 1);
    let ids: Vec<String> = (0..2000).map(|i| format!("n{i:05}")).collect();
    store
        .add_entities(ids.iter().map(|id| entity(id, "function", "f", "app")).collect())
        .unwrap();
    store.delete_entities(&ids[..1500], true).unwrap();
    store.close().unwrap();

    let store = reopen(dir.path());
    assert!(matches!(store.index_source(), IndexSource::Records { .. }), "deleted ids are dropped by a rebuild");
    store.close().unwrap();
    let store = reopen(dir.path());
    assert_eq!(store.index_source(), &IndexSource::Snapshot);
    assert_eq!(store.stats().unwrap().entity_count, 500);
}

#[test]
fn store_rejects_relationship_types_past_limit() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path(), 2);
    store
        .add_entities(vec![entity("a", "class", "A", "app"), entity("b", "class", "B", "app")])
        .unwrap();
    let typed = |range: std::ops::Range<usize>| -> Vec<_> {
        range.map(|i| relationship(&format!("r{i}"), "a", "b", &format!("type{i}"))).collect()
    };

    let err = store.add_relationships(typed(0..65_537)).unwrap_err();
    assert!(matches!(err, yata_core::Error::InvalidInput { .. }), "{err}");
    assert_eq!(store.stats().unwrap().relationship_count, 0, "a rejected write changes nothing");

    store.add_relationships(typed(0..65_536)).unwrap();
    assert!(store.add_relationships(typed(65_536..65_537)).is_err());
    store.add_relationships(vec![relationship("again", "a", "b", "type7")]).unwrap();
    store.close().unwrap();

    let store = reopen(dir.path());
    assert_eq!(store.stats().unwrap().relationship_count, 65_537);
}
