//! Closing and reopening stores: persisted content, layout checks against the
//! manifest, unsupported strategies and the owner lock.

mod common;

use common::*;
use tempfile::TempDir;
use yata_core::{Direction, ShardEntry, ShardLayout, Store, StoreConfig};

/// Opens a store and closes it at once, for calls expected to fail.
fn try_open(config: StoreConfig) -> yata_core::Result<()> {
    Store::open(config).map(drop)
}

/// Fills a store with a small random graph that has self loops and parallel edges.
fn fill(store: &Store, seed: u64) {
    let mut prng = Prng::new(seed);
    let ids: Vec<String> = (0..120).map(|i| format!("node-{:08x}", mix(seed + i) as u32)).collect();
    let mut entities = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let mut input = entity(id, ["function", "class", "module"][i % 3], &format!("Node{i}"), "app");
        input.description = Some(format!("node number {i}"));
        input.file_path = Some(format!("src/file{}.rs", i % 7));
        input.line = Some(i as u32);
        input.metadata = Some(format!(r#"{{"index":{i}}}"#));
        entities.push(input);
    }
    store.add_entities(entities).unwrap();

    let mut rels = Vec::new();
    for i in 0..400 {
        let source = prng.pick(&ids).clone();
        let target = if i % 25 == 0 {
            source.clone()
        } else {
            prng.pick(&ids).clone()
        };
        let mut rel = relationship(&format!("rel-{i:04}"), &source, &target, ["calls", "uses"][i % 2]);
        rel.weight = Some(i as f64 / 8.0);
        rels.push(rel);
    }
    store.add_relationships(rels).unwrap();
}

#[test]
fn reopen_keeps_everything() {
    let dir = TempDir::new().unwrap();
    let before = {
        let store = open(dir.path(), 4);
        fill(&store, 5);
        snapshot(&store)
    };
    assert_eq!(before.entities.len(), 120);
    assert_eq!(before.relationships.len(), 400);

    let store = reopen(dir.path());
    assert_eq!(store.manifest().shards.len(), 4);
    let after = snapshot(&store);
    assert_eq!(after, before);
    assert_eq!(store.entity_ids_by_file("src/file3.rs").unwrap().len(), 17);
    assert_counts_consistent(&store);
    drop(store);

    let store = open(dir.path(), 4);
    assert_eq!(snapshot(&store), before, "reopening with the same count also works");
}

#[test]
fn writes_after_reopen_persist() {
    let dir = TempDir::new().unwrap();
    {
        let store = open(dir.path(), 3);
        store
            .add_entities(vec![entity("a", "t", "A", "ns"), entity("b", "t", "B", "ns")])
            .unwrap();
    }
    {
        let store = reopen(dir.path());
        store
            .add_relationships(vec![relationship("ab", "a", "b", "calls")])
            .unwrap();
        store.delete_entities(&ids(&["b"]), true).unwrap();
        store.add_entities(vec![entity("c", "t", "C", "ns")]).unwrap();
    }
    let store = reopen(dir.path());
    assert_eq!(store.get_entity("b").unwrap(), None);
    assert!(store.get_entity("c").unwrap().is_some());
    assert!(store.get_relationships("a", Direction::Both).unwrap().is_empty());
    let stats = store.stats().unwrap();
    assert_eq!((stats.entity_count, stats.relationship_count), (2, 0));
    assert_counts_consistent(&store);
}

#[test]
fn other_shard_count_rejected() {
    let dir = TempDir::new().unwrap();
    let before = {
        let store = open(dir.path(), 4);
        fill(&store, 9);
        snapshot(&store)
    };

    for count in [1, 3, 5, 8] {
        let err = expect_code(
            try_open(config(dir.path(), ShardLayout::Count(count))),
            "INVALID_CONFIG",
            &format!("reopen with {count} shards"),
        );
        let message = err.to_string();
        assert!(
            message.contains("has 4 shards"),
            "message names the stored count: {message}"
        );
        assert!(
            message.contains(&format!("{count} were requested")),
            "message names the request: {message}"
        );
    }

    let mut other_seed = config(dir.path(), ShardLayout::Stored);
    other_seed.hash_seed = Some(12345);
    expect_code(try_open(other_seed), "INVALID_CONFIG", "reopen with another hash seed");

    let store = reopen(dir.path());
    assert_eq!(
        snapshot(&store),
        before,
        "failed opens released the lock and changed nothing"
    );
}

#[test]
fn invalid_shard_count_rejected() {
    for count in [0, 1025] {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("store");
        expect_code(
            try_open(config(&path, ShardLayout::Count(count))),
            "INVALID_CONFIG",
            &format!("{count} shards"),
        );
    }
}

#[test]
fn range_strategy_unsupported() {
    let dir = TempDir::new().unwrap();
    let fresh = dir.path().join("fresh");
    for strategy in ["range", "graph", "modulo"] {
        let mut request = config(&fresh, ShardLayout::Count(2));
        request.partition_strategy = Some(strategy.into());
        let err = expect_code(try_open(request), "UNSUPPORTED", strategy);
        let message = err.to_string();
        assert!(
            message.contains(&format!("'{strategy}'")),
            "message names the value: {message}"
        );
        assert!(
            message.contains("hash"),
            "message names the supported strategy: {message}"
        );
    }
    assert!(!fresh.exists(), "a rejected strategy creates no store directory");

    let existing = dir.path().join("existing");
    drop(open(&existing, 2));
    let mut request = config(&existing, ShardLayout::Stored);
    request.partition_strategy = Some("range".into());
    expect_code(try_open(request), "UNSUPPORTED", "range on an existing store");

    let mut request = config(&existing, ShardLayout::Stored);
    request.partition_strategy = Some("hash".into());
    Store::open(request).expect("'hash' is supported");
}

#[test]
fn second_open_reports_lock() {
    let dir = TempDir::new().unwrap();
    let first = open(dir.path(), 2);
    first.add_entities(vec![entity("a", "t", "A", "ns")]).unwrap();

    for layout in [ShardLayout::Stored, ShardLayout::Count(2)] {
        let err = expect_code(
            try_open(config(dir.path(), layout)),
            "STORE_LOCKED",
            "second open in the same process",
        );
        let message = err.to_string();
        let pid = std::process::id().to_string();
        assert!(message.contains(&pid), "message names the owner pid {pid}: {message}");
    }
    assert!(first.get_entity("a").unwrap().is_some(), "the first handle still works");
    first.add_entities(vec![entity("b", "t", "B", "ns")]).unwrap();
    drop(first);

    let second = reopen(dir.path());
    assert_eq!(
        second.stats().unwrap().entity_count,
        2,
        "the store opens once the owner closed it"
    );
}

#[test]
fn listed_shards_reopen() {
    let dir = TempDir::new().unwrap();
    let outside = TempDir::new().unwrap();
    let layout = vec![
        ShardEntry {
            id: "left".into(),
            path: "data/left".into(),
        },
        ShardEntry {
            id: "right".into(),
            path: outside.path().join("right").to_string_lossy().into_owned(),
        },
    ];
    let before = {
        let store = Store::open(config(dir.path(), ShardLayout::List(layout.clone()))).unwrap();
        fill(&store, 13);
        let stats = store.stats().unwrap();
        let shard_ids: Vec<&str> = stats.shards.iter().map(|s| s.shard_id.as_str()).collect();
        assert_eq!(shard_ids, vec!["left", "right"]);
        assert!(
            stats.shards.iter().all(|s| s.entity_count > 0),
            "both shards hold entities"
        );
        snapshot(&store)
    };
    assert!(
        outside.path().join("right").is_dir(),
        "an absolute shard path is used as given"
    );

    let store = reopen(dir.path());
    assert_eq!(store.manifest().shards, layout);
    assert_eq!(snapshot(&store), before);
    drop(store);

    let swapped = vec![layout[1].clone(), layout[0].clone()];
    expect_code(
        try_open(config(dir.path(), ShardLayout::List(swapped))),
        "INVALID_CONFIG",
        "reopen with the shard list reordered",
    );

    let other = TempDir::new().unwrap();
    let repeated = vec![layout[0].clone(), layout[0].clone()];
    expect_code(
        try_open(StoreConfig {
            path: other.path().to_path_buf(),
            shards: ShardLayout::List(repeated),
            ..StoreConfig::default()
        }),
        "INVALID_CONFIG",
        "a shard list with a repeated id",
    );
}
