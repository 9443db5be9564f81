//! Entity and relationship storage through the `Store` API: writes, reads,
//! patches, timestamps, generated ids, input checks and upserts.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::*;
use serde_json::json;
use tempfile::TempDir;
use yata_core::validate::MAX_DESCRIPTION_BYTES;
use yata_core::{Direction, Entity, EntityPatch, Error, MatchBy, NewEntity, NewRelationship, Store};

const SHARDS: usize = 3;

fn new_store() -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path(), SHARDS);
    (dir, store)
}

fn now_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

fn metadata_value(entity: &Entity) -> serde_json::Value {
    serde_json::from_str(&entity.metadata).expect("stored metadata is JSON")
}

/// Checks the canonical UUID text form: 8-4-4-4-12 lowercase hex digits, version 4.
fn assert_uuid_v4(id: &str) {
    assert_eq!(id.len(), 36, "{id} has the length of a UUID");
    for (i, c) in id.chars().enumerate() {
        if [8, 13, 18, 23].contains(&i) {
            assert_eq!(c, '-', "{id}: hyphen at {i}");
        } else {
            assert!(
                c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
                "{id}: {c:?} at {i} is not lowercase hex"
            );
        }
    }
    assert_eq!(&id[14..15], "4", "{id} is a version 4 UUID");
    assert!("89ab".contains(&id[19..20]), "{id} has the RFC 4122 variant");
}

/// Creates a store with entities `a`, `b`, `c` and relationships a→b, b→c.
fn seeded_store() -> (TempDir, Store) {
    let (dir, store) = new_store();
    store
        .add_entities(vec![
            entity("a", "function", "Alpha", "ns"),
            entity("b", "function", "Beta", "ns"),
            entity("c", "class", "Gamma", "ns"),
        ])
        .unwrap();
    store
        .add_relationships(vec![
            relationship("r-ab", "a", "b", "calls"),
            relationship("r-bc", "b", "c", "calls"),
        ])
        .unwrap();
    (dir, store)
}

#[test]
fn add_then_get_round_trips() {
    let (_dir, store) = new_store();
    let input = NewEntity {
        id: Some("sym:auth:Login".into()),
        entity_type: "function".into(),
        name: "login".into(),
        namespace: "auth".into(),
        file_path: Some("src/auth/login.ts".into()),
        line: Some(42),
        description: Some("ログイン処理\nchecks the password".into()),
        metadata: Some(r#"{"exported":true,"params":["user","password"]}"#.into()),
        created_at: Some(1_700_000_000_000),
        updated_at: Some(1_700_000_000_500),
    };
    let added = store.add_entities(vec![input]).unwrap();
    assert_eq!(added, vec!["sym:auth:Login".to_string()]);

    let stored = store.get_entity("sym:auth:Login").unwrap().expect("entity is stored");
    let expected = Entity {
        id: "sym:auth:Login".into(),
        entity_type: "function".into(),
        name: "login".into(),
        namespace: "auth".into(),
        file_path: Some("src/auth/login.ts".into()),
        line: Some(42),
        description: Some("ログイン処理\nchecks the password".into()),
        metadata: r#"{"exported":true,"params":["user","password"]}"#.into(),
        created_at: 1_700_000_000_000,
        updated_at: 1_700_000_000_500,
    };
    assert_eq!(stored, expected);

    assert_eq!(store.get_entity("sym:auth:Missing").unwrap(), None);
    let many = store
        .get_entities(&ids(&["nope", "sym:auth:Login", "nope", "sym:auth:Login"]))
        .unwrap();
    assert_eq!(many, vec![None, Some(expected.clone()), None, Some(expected)]);
    assert_eq!(
        store.entity_ids_by_file("src/auth/login.ts").unwrap(),
        ids(&["sym:auth:Login"])
    );
}

#[test]
fn entity_without_optionals_gets_defaults() {
    let (_dir, store) = new_store();
    store
        .add_entities(vec![entity("plain", "module", "Plain", "")])
        .unwrap();
    let stored = store.get_entity("plain").unwrap().unwrap();
    assert_eq!(stored.file_path, None);
    assert_eq!(stored.line, None);
    assert_eq!(stored.description, None);
    assert_eq!(stored.metadata, "{}");
    assert_eq!(stored.namespace, "");
}

#[test]
fn timestamps_kept_when_given() {
    let (_dir, store) = new_store();
    let mut both = entity("both", "t", "Both", "ns");
    both.created_at = Some(1_000);
    both.updated_at = Some(2_000);
    let mut created_only = entity("created-only", "t", "CreatedOnly", "ns");
    created_only.created_at = Some(1_500);
    let neither = entity("neither", "t", "Neither", "ns");

    let before = now_millis();
    store.add_entities(vec![both, created_only, neither]).unwrap();
    let after = now_millis();

    let both = store.get_entity("both").unwrap().unwrap();
    assert_eq!((both.created_at, both.updated_at), (1_000, 2_000));

    let created_only = store.get_entity("created-only").unwrap().unwrap();
    assert_eq!(created_only.created_at, 1_500);
    assert_eq!(
        created_only.updated_at, 1_500,
        "updated_at defaults to the given created_at"
    );

    let neither = store.get_entity("neither").unwrap().unwrap();
    assert!(
        (before..=after).contains(&neither.created_at),
        "created_at {} lies in the write window {before}..={after}",
        neither.created_at
    );
    assert_eq!(neither.updated_at, neither.created_at);

    store.add_entities(vec![entity("target", "t", "Target", "ns")]).unwrap();
    let mut rel = relationship("r-time", "both", "target", "uses");
    rel.created_at = Some(3_000);
    store.add_relationships(vec![rel]).unwrap();
    let stored = store.get_relationships("both", Direction::Out).unwrap();
    assert_eq!(stored[0].created_at, 3_000);
}

#[test]
fn missing_ids_become_uuids() {
    let (_dir, store) = new_store();
    let mut first = entity("unused", "t", "First", "ns");
    first.id = None;
    let mut second = entity("unused", "t", "Second", "ns");
    second.id = None;
    let generated = store.add_entities(vec![first, second]).unwrap();

    assert_eq!(generated.len(), 2);
    assert_ne!(generated[0], generated[1]);
    for id in &generated {
        assert_uuid_v4(id);
    }
    assert_eq!(store.get_entity(&generated[0]).unwrap().unwrap().name, "First");
    assert_eq!(store.get_entity(&generated[1]).unwrap().unwrap().name, "Second");

    let rel = NewRelationship {
        source_id: generated[0].clone(),
        target_id: generated[1].clone(),
        rel_type: "calls".into(),
        ..NewRelationship::default()
    };
    let rel_ids = store.add_relationships(vec![rel]).unwrap();
    assert_uuid_v4(&rel_ids[0]);
    let stored = store.get_relationships(&generated[0], Direction::Out).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, rel_ids[0]);
    assert_eq!(stored[0].weight, 1.0, "weight defaults to 1.0");
    assert_eq!(stored[0].metadata, "{}");
}

#[test]
fn put_creates_and_replaces() {
    let (_dir, store) = seeded_store();
    let before = store.get_entity("a").unwrap().unwrap();

    let mut replacement = entity("a", "method", "AlphaRenamed", "ns2");
    replacement.file_path = Some("src/alpha.rs".into());
    let (created, updated) = store
        .put_entities(vec![replacement, entity("d", "class", "Delta", "ns")])
        .unwrap();
    assert_eq!((created, updated), (1, 1));

    let after = store.get_entity("a").unwrap().unwrap();
    assert_eq!(after.name, "AlphaRenamed");
    assert_eq!(after.entity_type, "method");
    assert_eq!(after.namespace, "ns2");
    assert_eq!(
        after.created_at, before.created_at,
        "replacement keeps the creation time"
    );
    assert!(after.updated_at >= before.updated_at);
    assert_eq!(store.get_entity("d").unwrap().unwrap().name, "Delta");
    assert_eq!(store.entity_ids_by_file("src/alpha.rs").unwrap(), ids(&["a"]));

    let out = store.get_relationships("a", Direction::Out).unwrap();
    assert_eq!(rel_ids(&out), ids(&["r-ab"]), "replacement keeps relationships");

    let mut dated = entity("a", "method", "AlphaRenamed", "ns2");
    dated.created_at = Some(5);
    store.put_entities(vec![dated]).unwrap();
    let dated = store.get_entity("a").unwrap().unwrap();
    assert_eq!(dated.created_at, 5, "a given created_at replaces the stored one");
    assert_eq!(dated.file_path, None, "put replaces the whole entity");
    assert!(store.entity_ids_by_file("src/alpha.rs").unwrap().is_empty());

    let stats = store.stats().unwrap();
    assert_eq!(stats.entity_count, 4);
    assert_eq!(stats.entities_by_type.get("method"), Some(&1));
    assert_eq!(stats.entities_by_type.get("function"), Some(&1));
    assert_eq!(stats.entities_by_type.get("class"), Some(&2));
    assert_counts_consistent(&store);
}

#[test]
fn put_rejects_repeated_id() {
    let (_dir, store) = seeded_store();
    let before = snapshot(&store);
    let err = expect_code(
        store.put_entities(vec![entity("z", "t", "Z1", "ns"), entity("z", "t", "Z2", "ns")]),
        "INVALID_INPUT",
        "put with a repeated id",
    );
    assert!(err.to_string().contains("'z'"), "message names the id: {err}");
    assert_eq!(snapshot(&store), before);
}

#[test]
fn patch_sets_and_clears_optionals() {
    let (_dir, store) = new_store();
    let mut input = entity("e", "function", "Original", "ns");
    input.file_path = Some("src/a.rs".into());
    input.line = Some(7);
    input.description = Some("first version".into());
    input.metadata = Some(r#"{"a":1}"#.into());
    input.created_at = Some(100);
    store.add_entities(vec![input]).unwrap();

    let patched = store
        .update_entity(
            "e",
            EntityPatch {
                file_path: Some(Some("src/b.rs".into())),
                line: Some(Some(9)),
                description: Some(Some("second version".into())),
                updated_at: Some(500),
                ..EntityPatch::default()
            },
        )
        .unwrap();
    assert_eq!(patched.file_path.as_deref(), Some("src/b.rs"));
    assert_eq!(patched.line, Some(9));
    assert_eq!(patched.description.as_deref(), Some("second version"));
    assert_eq!(patched.name, "Original", "fields absent from the patch stay");
    assert_eq!(patched.metadata, r#"{"a":1}"#);
    assert_eq!((patched.created_at, patched.updated_at), (100, 500));
    assert_eq!(store.get_entity("e").unwrap().unwrap(), patched);
    assert!(store.entity_ids_by_file("src/a.rs").unwrap().is_empty());
    assert_eq!(store.entity_ids_by_file("src/b.rs").unwrap(), ids(&["e"]));

    let cleared = store
        .update_entity(
            "e",
            EntityPatch {
                file_path: Some(None),
                line: Some(None),
                description: Some(None),
                ..EntityPatch::default()
            },
        )
        .unwrap();
    assert_eq!(cleared.file_path, None);
    assert_eq!(cleared.line, None);
    assert_eq!(cleared.description, None);
    assert_eq!(cleared.created_at, 100);
    assert!(cleared.updated_at > 500, "updated_at defaults to the time of the write");
    assert_eq!(store.get_entity("e").unwrap().unwrap(), cleared);
    assert!(store.entity_ids_by_file("src/b.rs").unwrap().is_empty());

    let renamed = store
        .update_entity(
            "e",
            EntityPatch {
                entity_type: Some("class".into()),
                name: Some("Renamed".into()),
                namespace: Some("other".into()),
                metadata: Some(r#"{"b":2}"#.into()),
                ..EntityPatch::default()
            },
        )
        .unwrap();
    assert_eq!(renamed.metadata, r#"{"b":2}"#, "a patch replaces metadata whole");
    assert_eq!(store.get_entity("e").unwrap().unwrap(), renamed);
    let stats = store.stats().unwrap();
    assert_eq!(stats.entities_by_type.get("class"), Some(&1));
    assert_eq!(stats.entities_by_type.get("function"), None);
    assert_counts_consistent(&store);
}

#[test]
fn patch_keeps_relationships() {
    let (_dir, store) = seeded_store();
    store
        .update_entity(
            "b",
            EntityPatch {
                name: Some("BetaRenamed".into()),
                ..EntityPatch::default()
            },
        )
        .unwrap();
    assert_eq!(
        rel_ids(&store.get_relationships("b", Direction::Both).unwrap()),
        ids(&["r-ab", "r-bc"])
    );
}

#[test]
fn patch_of_unknown_entity_fails() {
    let (_dir, store) = seeded_store();
    let before = snapshot(&store);
    let err = expect_code(
        store.update_entity("ghost", EntityPatch::default()),
        "ENTITY_NOT_FOUND",
        "update of an unknown id",
    );
    assert!(matches!(err, Error::EntityNotFound(ref id) if id == "ghost"), "{err:?}");
    assert_eq!(snapshot(&store), before);
}

#[test]
fn invalid_patch_changes_nothing() {
    let (_dir, store) = seeded_store();
    let before = snapshot(&store);
    let cases: Vec<(&str, EntityPatch)> = vec![
        (
            "empty name",
            EntityPatch {
                name: Some(String::new()),
                ..EntityPatch::default()
            },
        ),
        (
            "blank type",
            EntityPatch {
                entity_type: Some("   ".into()),
                ..EntityPatch::default()
            },
        ),
        (
            "array metadata",
            EntityPatch {
                metadata: Some("[]".into()),
                ..EntityPatch::default()
            },
        ),
        (
            "1 MiB description",
            EntityPatch {
                description: Some(Some("d".repeat(1 << 20))),
                ..EntityPatch::default()
            },
        ),
    ];
    for (label, patch) in cases {
        expect_code(store.update_entity("a", patch), "INVALID_INPUT", label);
        assert_eq!(snapshot(&store), before, "{label} left the store unchanged");
    }
}

#[test]
fn delete_strict_and_lenient() {
    let (_dir, store) = seeded_store();
    let before = snapshot(&store);

    let err = expect_code(
        store.delete_entities(&ids(&["a", "ghost"]), true),
        "ENTITY_NOT_FOUND",
        "strict delete with an unknown id",
    );
    assert!(matches!(err, Error::EntityNotFound(ref id) if id == "ghost"), "{err:?}");
    assert_eq!(snapshot(&store), before, "a failed strict delete removes nothing");

    expect_code(
        store.delete_entities(&ids(&["a", "a/b"]), false),
        "INVALID_INPUT",
        "delete of an invalid id",
    );
    assert_eq!(snapshot(&store), before);

    let deleted = store.delete_entities(&ids(&["a", "ghost", "a"]), false).unwrap();
    assert_eq!(deleted, 1, "unknown ids are skipped and repeats count once");
    assert_eq!(store.get_entity("a").unwrap(), None);
    assert!(store.get_entity("b").unwrap().is_some());
    assert_counts_consistent(&store);
    assert_eq!(store.stats().unwrap().entity_count, 2);
}

#[test]
fn existing_id_rejected_without_writes() {
    let (_dir, store) = seeded_store();
    let before = snapshot(&store);

    let err = expect_code(
        store.add_entities(vec![
            entity("fresh", "t", "Fresh", "ns"),
            entity("b", "t", "Clash", "ns"),
        ]),
        "ALREADY_EXISTS",
        "add with a stored id",
    );
    assert!(
        matches!(err, Error::AlreadyExists { ref id, .. } if id == "b"),
        "{err:?}"
    );
    assert_eq!(
        store.get_entity("fresh").unwrap(),
        None,
        "the valid entity of the batch was not written"
    );
    assert_eq!(store.get_entity("b").unwrap().unwrap().name, "Beta");
    assert_eq!(snapshot(&store), before);

    let err = expect_code(
        store.add_entities(vec![
            entity("twin", "t", "Twin1", "ns"),
            entity("other", "t", "Other", "ns"),
            entity("twin", "t", "Twin2", "ns"),
        ]),
        "INVALID_INPUT",
        "add with an id repeated in the batch",
    );
    assert!(err.to_string().contains("twin"), "message names the id: {err}");
    assert_eq!(store.get_entity("twin").unwrap(), None);
    assert_eq!(store.get_entity("other").unwrap(), None);
    assert_eq!(snapshot(&store), before);
}

#[test]
fn existing_relationship_id_rejected() {
    let (_dir, store) = seeded_store();
    let before = snapshot(&store);

    expect_code(
        store.add_relationships(vec![
            relationship("r-new", "a", "c", "uses"),
            relationship("r-ab", "c", "a", "uses"),
        ]),
        "ALREADY_EXISTS",
        "add with a stored relationship id",
    );
    assert_eq!(snapshot(&store), before);

    expect_code(
        store.add_relationships(vec![
            relationship("r-dup", "a", "c", "uses"),
            relationship("r-dup", "c", "a", "uses"),
        ]),
        "INVALID_INPUT",
        "add with a relationship id repeated in the batch",
    );
    assert_eq!(snapshot(&store), before);
}

/// Entity inputs that every write call must reject with INVALID_INPUT.
fn invalid_entities() -> Vec<(&'static str, NewEntity)> {
    let valid = || entity("valid-id", "function", "Valid", "ns");
    let with = |change: &dyn Fn(&mut NewEntity)| {
        let mut input = valid();
        change(&mut input);
        input
    };
    vec![
        ("empty name", with(&|e| e.name = String::new())),
        ("blank name", with(&|e| e.name = "  \t".into())),
        ("empty type", with(&|e| e.entity_type = String::new())),
        ("blank type", with(&|e| e.entity_type = "   ".into())),
        ("array metadata", with(&|e| e.metadata = Some("[]".into()))),
        ("number metadata", with(&|e| e.metadata = Some("1".into()))),
        ("string metadata", with(&|e| e.metadata = Some("\"x\"".into()))),
        ("null metadata", with(&|e| e.metadata = Some("null".into()))),
        ("invalid JSON metadata", with(&|e| e.metadata = Some("{\"a\":".into()))),
        ("id __proto__", with(&|e| e.id = Some("__proto__".into()))),
        ("id with slash", with(&|e| e.id = Some("a/b".into()))),
        ("id with space", with(&|e| e.id = Some("a b".into()))),
        ("empty id", with(&|e| e.id = Some(String::new()))),
        (
            "1 MiB description",
            with(&|e| e.description = Some("x".repeat(1 << 20))),
        ),
        (
            "description one byte over",
            with(&|e| e.description = Some("x".repeat(MAX_DESCRIPTION_BYTES + 1))),
        ),
        ("control character in name", with(&|e| e.name = "a\u{0}b".into())),
    ]
}

#[test]
fn invalid_entities_change_nothing() {
    let (_dir, store) = seeded_store();
    let before = snapshot(&store);
    for (label, bad) in invalid_entities() {
        let good = entity("good", "function", "Good", "ns");

        expect_code(
            store.add_entities(vec![good.clone(), bad.clone()]),
            "INVALID_INPUT",
            label,
        );
        assert_eq!(snapshot(&store), before, "add: {label} left the store unchanged");

        expect_code(
            store.put_entities(vec![good.clone(), bad.clone()]),
            "INVALID_INPUT",
            label,
        );
        assert_eq!(snapshot(&store), before, "put: {label} left the store unchanged");

        expect_code(
            store.upsert_entities(vec![good, bad], MatchBy::NameNamespace),
            "INVALID_INPUT",
            label,
        );
        assert_eq!(snapshot(&store), before, "upsert: {label} left the store unchanged");
    }
}

#[test]
fn description_limit_is_inclusive() {
    let (_dir, store) = new_store();
    let mut input = entity("long", "doc", "Long", "ns");
    input.description = Some("x".repeat(MAX_DESCRIPTION_BYTES));
    store.add_entities(vec![input]).unwrap();
    let stored = store.get_entity("long").unwrap().unwrap();
    assert_eq!(stored.description.map(|d| d.len()), Some(MAX_DESCRIPTION_BYTES));
}

#[test]
fn invalid_relationships_change_nothing() {
    let (_dir, store) = seeded_store();
    let before = snapshot(&store);
    let good = || relationship("r-good", "a", "c", "uses");

    let mut nan_weight = relationship("r-bad", "a", "c", "uses");
    nan_weight.weight = Some(f64::NAN);
    let mut array_metadata = relationship("r-bad", "a", "c", "uses");
    array_metadata.metadata = Some("[]".into());
    let cases: Vec<(&str, NewRelationship, &str)> = vec![
        (
            "missing source",
            relationship("r-bad", "ghost", "a", "uses"),
            "ENTITY_NOT_FOUND",
        ),
        (
            "missing target",
            relationship("r-bad", "a", "ghost", "uses"),
            "ENTITY_NOT_FOUND",
        ),
        ("blank type", relationship("r-bad", "a", "c", "  "), "INVALID_INPUT"),
        (
            "source id with slash",
            relationship("r-bad", "a/b", "c", "uses"),
            "INVALID_INPUT",
        ),
        (
            "id __proto__",
            relationship("__proto__", "a", "c", "uses"),
            "INVALID_INPUT",
        ),
        ("NaN weight", nan_weight, "INVALID_INPUT"),
        ("array metadata", array_metadata, "INVALID_INPUT"),
    ];
    for (label, bad, code) in cases {
        let err = expect_code(store.add_relationships(vec![good(), bad]), code, label);
        if code == "ENTITY_NOT_FOUND" {
            assert!(
                matches!(err, Error::EntityNotFound(ref id) if id == "ghost"),
                "{label}: {err:?}"
            );
        }
        assert_eq!(snapshot(&store), before, "{label} left the store unchanged");
    }
}

#[test]
fn upsert_matches_name_and_namespace() {
    let (_dir, store) = new_store();
    let mut foo = entity("foo-1", "function", "Foo", "ns1");
    foo.metadata = Some(r#"{"a":1,"keep":true}"#.into());
    foo.description = Some("original".into());
    foo.file_path = Some("src/foo.rs".into());
    foo.created_at = Some(100);
    store
        .add_entities(vec![foo, entity("foo-2", "function", "Foo", "ns2")])
        .unwrap();
    store
        .add_relationships(vec![
            relationship("r-out", "foo-1", "foo-2", "calls"),
            relationship("r-in", "foo-2", "foo-1", "calls"),
        ])
        .unwrap();

    let mut update = entity("ignored-id", "class", "Foo", "ns1");
    update.id = None;
    update.metadata = Some(r#"{"a":2,"b":3}"#.into());
    let mut other_name = entity("x", "class", "Bar", "ns1");
    other_name.id = None;
    let mut other_namespace = entity("x", "class", "Foo", "ns3");
    other_namespace.id = None;

    let outcomes = store
        .upsert_entities(vec![update, other_name, other_namespace], MatchBy::NameNamespace)
        .unwrap();
    assert_eq!(outcomes.len(), 3);
    assert_eq!((outcomes[0].id.as_str(), outcomes[0].created), ("foo-1", false));
    assert!(outcomes[1].created, "Bar in ns1 is new");
    assert!(outcomes[2].created, "Foo in ns3 is new");
    assert_uuid_v4(&outcomes[1].id);
    assert_ne!(outcomes[1].id, outcomes[2].id);

    let merged = store.get_entity("foo-1").unwrap().unwrap();
    assert_eq!(merged.entity_type, "class", "given fields replace stored ones");
    assert_eq!(
        metadata_value(&merged),
        json!({"a": 2, "b": 3, "keep": true}),
        "metadata keys merge"
    );
    assert_eq!(
        merged.description.as_deref(),
        Some("original"),
        "absent description is kept"
    );
    assert_eq!(
        merged.file_path.as_deref(),
        Some("src/foo.rs"),
        "absent file path is kept"
    );
    assert_eq!(merged.created_at, 100);
    assert_eq!(
        store.get_entity("foo-2").unwrap().unwrap().namespace,
        "ns2",
        "other namespace untouched"
    );

    assert_eq!(
        rel_ids(&store.get_relationships("foo-1", Direction::Both).unwrap()),
        ids(&["r-in", "r-out"]),
        "an update keeps relationships"
    );
    assert_eq!(store.stats().unwrap().entity_count, 4);
    assert_counts_consistent(&store);
}

#[test]
fn upsert_matches_name_anywhere() {
    let (_dir, store) = new_store();
    store
        .add_entities(vec![
            entity("b-foo", "function", "Foo", "ns2"),
            entity("a-foo", "function", "Foo", "ns1"),
        ])
        .unwrap();
    store
        .add_relationships(vec![relationship("r", "a-foo", "b-foo", "calls")])
        .unwrap();

    let outcomes = store
        .upsert_entities(vec![entity("new-id", "function", "Foo", "ns9")], MatchBy::Name)
        .unwrap();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(
        (outcomes[0].id.as_str(), outcomes[0].created),
        ("a-foo", false),
        "smallest id wins"
    );

    assert_eq!(store.get_entity("a-foo").unwrap().unwrap().namespace, "ns9");
    assert_eq!(store.get_entity("b-foo").unwrap().unwrap().namespace, "ns2");
    assert_eq!(store.get_entity("new-id").unwrap(), None);
    assert_eq!(
        rel_ids(&store.get_relationships("a-foo", Direction::Out).unwrap()),
        ids(&["r"])
    );

    let outcomes = store
        .upsert_entities(vec![entity("qux", "function", "Qux", "ns1")], MatchBy::Name)
        .unwrap();
    assert_eq!((outcomes[0].id.as_str(), outcomes[0].created), ("qux", true));
    assert_eq!(store.stats().unwrap().entity_count, 3);
    assert_counts_consistent(&store);
}

#[test]
fn upsert_follows_renames() {
    let (_dir, store) = new_store();
    store
        .add_entities(vec![entity("e", "function", "OldName", "ns")])
        .unwrap();
    store
        .update_entity(
            "e",
            EntityPatch {
                name: Some("NewName".into()),
                ..EntityPatch::default()
            },
        )
        .unwrap();

    let outcomes = store
        .upsert_entities(vec![entity("e2", "function", "OldName", "ns")], MatchBy::NameNamespace)
        .unwrap();
    assert_eq!(
        (outcomes[0].id.as_str(), outcomes[0].created),
        ("e2", true),
        "the old name no longer matches"
    );

    let outcomes = store
        .upsert_entities(vec![entity("e3", "function", "NewName", "ns")], MatchBy::NameNamespace)
        .unwrap();
    assert_eq!(
        (outcomes[0].id.as_str(), outcomes[0].created),
        ("e", false),
        "the new name matches"
    );
    assert_counts_consistent(&store);
}

#[test]
fn upsert_collapses_batch_matches() {
    let (_dir, store) = new_store();
    let mut first = entity("first", "function", "Baz", "ns");
    first.metadata = Some(r#"{"x":1}"#.into());
    let mut second = entity("second", "function", "Baz", "ns");
    second.metadata = Some(r#"{"y":2}"#.into());

    let outcomes = store
        .upsert_entities(vec![first, second], MatchBy::NameNamespace)
        .unwrap();
    assert_eq!((outcomes[0].id.as_str(), outcomes[0].created), ("first", true));
    assert_eq!((outcomes[1].id.as_str(), outcomes[1].created), ("first", false));

    let stored = store.get_entity("first").unwrap().unwrap();
    assert_eq!(metadata_value(&stored), json!({"x": 1, "y": 2}));
    assert_eq!(store.get_entity("second").unwrap(), None);
    assert_eq!(store.stats().unwrap().entity_count, 1);
    assert_counts_consistent(&store);
}

#[test]
fn upsert_rejects_repeated_id() {
    let (_dir, store) = seeded_store();
    let before = snapshot(&store);

    // Two different names, so neither input matches the other, but both name id "dup".
    let result = store.upsert_entities(
        vec![
            entity("dup", "function", "One", "ns"),
            entity("dup", "function", "Two", "ns"),
        ],
        MatchBy::NameNamespace,
    );
    expect_code(result, "INVALID_INPUT", "upsert with an id repeated in the batch");
    assert_eq!(snapshot(&store), before);

    // A new input that reuses the id of another input's match.
    let result = store.upsert_entities(
        vec![
            entity("x", "function", "Alpha", "ns"),
            entity("a", "function", "Other", "ns"),
        ],
        MatchBy::NameNamespace,
    );
    expect_code(result, "INVALID_INPUT", "upsert whose new entity reuses a matched id");
    assert_eq!(snapshot(&store), before);
}
