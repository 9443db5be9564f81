use std::fs;

use super::*;
use crate::index::ids::node_id;
use crate::model::Entity;

fn entity(id: &str, entity_type: &str, namespace: &str) -> Entity {
    Entity {
        id: id.into(),
        entity_type: entity_type.into(),
        name: format!("{id}Name"),
        namespace: namespace.into(),
        file_path: Some(format!("src/{id}.ts")),
        line: None,
        description: None,
        metadata: "{}".into(),
        created_at: 0,
        updated_at: 0,
    }
}

struct Fixture {
    shard_ids: Vec<String>,
    generations: Vec<u64>,
    /// The snapshot id the shards recorded.
    snapshot_ids: Vec<u64>,
    shards: Vec<ShardIndex>,
    graph: Adjacency,
    rel_types: TypeInterner,
}

/// Two shards with a deleted entity, parallel edges of two types, a self
/// loop and an edge across shards.
fn fixture() -> Fixture {
    let a = [entity("a0", "class", "app"), entity("a1", "method", "app"), entity("a2", "method", "app.sub")];
    let b = [entity("b0", "function", "lib")];
    let mut first = ShardIndex::build(BTreeConfig::default(), &a, 7).unwrap();
    first.delete_entity(&a[2]);
    let second = ShardIndex::build(BTreeConfig::default(), &b, 3).unwrap();

    let mut rel_types = TypeInterner::default();
    let calls = rel_types.intern("calls");
    let contains = rel_types.intern("contains");
    let mut graph = Adjacency::new();
    graph.add_edge(node_id(0, 0), node_id(0, 1), contains);
    graph.add_edge(node_id(0, 0), node_id(0, 1), calls);
    graph.add_edge(node_id(0, 1), node_id(0, 1), calls);
    graph.add_edge(node_id(0, 1), node_id(1, 0), calls);

    Fixture {
        shard_ids: vec!["shard-0".into(), "shard-1".into()],
        generations: vec![7, 3],
        snapshot_ids: vec![41, 41],
        shards: vec![first, second],
        graph,
        rel_types,
    }
}

fn save_fixture(dir: &Path, fixture: &Fixture) {
    let layout = Layout {
        shard_ids: &fixture.shard_ids,
        generations: &fixture.generations,
        snapshot_ids: &fixture.snapshot_ids,
    };
    let shards: Vec<&ShardIndex> = fixture.shards.iter().collect();
    save(dir, &layout, &shards, &fixture.graph, &fixture.rel_types).unwrap();
}

fn load_fixture(dir: &Path, fixture: &Fixture) -> std::result::Result<Loaded, String> {
    let layout = Layout {
        shard_ids: &fixture.shard_ids,
        generations: &fixture.generations,
        snapshot_ids: &fixture.snapshot_ids,
    };
    load(dir, &layout, BTreeConfig::default())
}

fn sorted_out_edges(graph: &Adjacency) -> Vec<(u64, u64, u16)> {
    let mut edges: Vec<(u64, u64, u16)> = graph
        .nodes()
        .flat_map(|node| graph.out_edges(node).iter().map(move |edge| (node, edge.other, edge.rel_type)))
        .collect();
    edges.sort_unstable();
    edges
}

#[test]
fn snapshot_loads_back_equal() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = fixture();
    save_fixture(dir.path(), &fixture);
    let loaded = load_fixture(dir.path(), &fixture).unwrap();

    for (saved, read) in fixture.shards.iter().zip(&loaded.shards) {
        assert_eq!(saved.dictionary.entries().collect::<Vec<_>>(), read.dictionary.entries().collect::<Vec<_>>());
        assert_eq!(saved.dictionary.len(), read.dictionary.len());
        for attribute in Attribute::ALL {
            assert_eq!(
                saved.attributes.entries(attribute).collect::<Vec<_>>(),
                read.attributes.entries(attribute).collect::<Vec<_>>(),
                "{}",
                attribute.label()
            );
        }
        assert!(saved.bloom() == read.bloom());
        assert_eq!(saved.generation, read.generation);
    }
    assert_eq!(loaded.shards[0].dictionary.get("a2"), None, "a deleted entity stays deleted");
    assert_eq!(sorted_out_edges(&fixture.graph), sorted_out_edges(&loaded.graph));
    assert_eq!(loaded.graph.in_edges(node_id(0, 1)).len(), 3);
    assert_eq!(loaded.rel_types.names().collect::<Vec<_>>(), vec!["calls", "contains"]);
}

#[test]
fn snapshot_stale_after_write() {
    let dir = tempfile::tempdir().unwrap();
    let mut fixture = fixture();
    save_fixture(dir.path(), &fixture);
    fixture.generations[1] += 1;
    let reason = load_fixture(dir.path(), &fixture).err().unwrap();
    assert!(reason.contains("before the latest writes"), "{reason}");
}

#[test]
fn snapshot_missing_or_damaged_file_unusable() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = fixture();
    assert!(load_fixture(dir.path(), &fixture).err().unwrap().contains("absent"));

    save_fixture(dir.path(), &fixture);
    let path = dir.path().join("shard-1.snap");
    let mut bytes = fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    fs::write(&path, &bytes).unwrap();
    assert!(load_fixture(dir.path(), &fixture).err().unwrap().contains("checksum"));

    fs::remove_file(&path).unwrap();
    assert!(load_fixture(dir.path(), &fixture).err().unwrap().contains("shard-1.snap is absent"));
}

#[test]
fn snapshot_files_from_two_saves_not_mixed() {
    let dir = tempfile::tempdir().unwrap();
    let mut fixture = fixture();
    save_fixture(dir.path(), &fixture);
    let older = fs::read(dir.path().join("shard-0.snap")).unwrap();
    fixture.snapshot_ids = vec![42, 42];
    save_fixture(dir.path(), &fixture);
    fs::write(dir.path().join("shard-0.snap"), older).unwrap();
    let reason = load_fixture(dir.path(), &fixture).err().unwrap();
    assert!(reason.contains("another snapshot"), "{reason}");
}

#[test]
fn snapshot_from_another_store_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut fixture = fixture();
    save_fixture(dir.path(), &fixture);
    fixture.snapshot_ids = vec![99, 99];
    let reason = load_fixture(dir.path(), &fixture).err().unwrap();
    assert!(reason.contains("another store"), "{reason}");
}
