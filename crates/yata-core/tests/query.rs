//! Attribute and text queries: glob patterns, word matching, paging and
//! the relationships returned with a page.

mod common;

use common::*;
use tempfile::TempDir;
use yata_core::{EntityQuery, NewEntity, QueryOutput, Store};

fn described(id: &str, entity_type: &str, name: &str, namespace: &str, description: &str) -> NewEntity {
    let mut input = entity(id, entity_type, name, namespace);
    input.description = Some(description.to_string());
    input
}

/// Ten entities over 4 shards, with English and Japanese descriptions.
fn sample_store() -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path(), 4);
    let mut service = described("svc", "class", "UserService", "auth", "Handles user login and logout");
    service.file_path = Some("src/auth/UserService.ts".into());
    store
        .add_entities(vec![
            service,
            described("repo", "class", "USERREPO", "auth", "Stores users"),
            described("mapper", "function", "userMapper", "auth", "maps user rows"),
            described("order", "class", "OrderService", "shop", "注文を処理するサービス"),
            described(
                "login-jp",
                "function",
                "loginHandler",
                "auth",
                "ユーザー認証を行う サービス",
            ),
            described("pay-jp", "function", "payHandler", "shop", "決済サービス"),
            described("cache", "module", "cache", "infra", "in-memory cache for user sessions"),
            entity("bare", "module", "Bare", "infra"),
            entity("u1", "function", "u", "misc"),
            entity("user2", "function", "user", "misc"),
        ])
        .unwrap();
    (dir, store)
}

fn run(store: &Store, query: EntityQuery) -> QueryOutput {
    store.query(&query).unwrap()
}

fn page_ids(output: &QueryOutput) -> Vec<&str> {
    output.entities.iter().map(|e| e.id.as_str()).collect()
}

fn with_pattern(pattern: &str) -> EntityQuery {
    EntityQuery {
        name_pattern: Some(pattern.into()),
        limit: 100,
        ..EntityQuery::default()
    }
}

fn with_text(text: &str) -> EntityQuery {
    EntityQuery {
        text: Some(text.into()),
        limit: 100,
        ..EntityQuery::default()
    }
}

#[test]
fn glob_ignores_ascii_case() {
    let (_dir, store) = sample_store();
    // Results are sorted by name ignoring ASCII case, then by id: "user" < "usermapper" < "userrepo" < "userservice".
    let cases: [(&str, &[&str]); 9] = [
        ("user*", &["user2", "mapper", "repo", "svc"]),
        ("USER*", &["user2", "mapper", "repo", "svc"]),
        ("*service", &["order", "svc"]),
        ("*SERVICE", &["order", "svc"]),
        ("?ser*", &["user2", "mapper", "repo", "svc"]),
        ("*r?po", &["repo"]),
        ("user", &["user2"]),
        ("u", &["u1"]),
        ("*handler", &["login-jp", "pay-jp"]),
    ];
    for (pattern, expected) in cases {
        let output = run(&store, with_pattern(pattern));
        assert_eq!(page_ids(&output), expected.to_vec(), "pattern {pattern:?}");
        assert_eq!(output.total_count, expected.len(), "pattern {pattern:?}");
    }
    assert_eq!(run(&store, with_pattern("*")).total_count, 10);
    assert_eq!(run(&store, with_pattern("userx*")).total_count, 0);
}

#[test]
fn text_requires_every_word() {
    let (_dir, store) = sample_store();
    let cases: [(&str, &[&str]); 9] = [
        // USERREPO is one token and "users" another word, so neither matches "user".
        ("user", &["cache", "user2", "mapper", "svc"]),
        ("USER login", &["svc"]),
        ("user sessions", &["cache"]),
        ("user payment", &[]),
        ("src/auth", &["svc"]),
        ("infra", &["bare", "cache"]),
        ("認証 サービス", &["login-jp"]),
        ("サービス", &["login-jp", "order", "pay-jp"]),
        ("認証 決済", &[]),
    ];
    for (text, expected) in cases {
        let output = run(&store, with_text(text));
        assert_eq!(page_ids(&output), expected.to_vec(), "text {text:?}");
        assert_eq!(output.total_count, expected.len(), "text {text:?}");
    }
}

#[test]
fn text_matches_words_not_substrings() {
    let (_dir, store) = sample_store();
    let cases: [(&str, &[&str]); 6] = [
        ("use", &[]),
        ("users", &["repo"]),
        ("userrepo", &["repo"]),
        ("service", &["order", "svc"]),
        ("mapper", &["mapper"]),
        ("ユーザー", &["login-jp"]),
    ];
    for (text, expected) in cases {
        let output = run(&store, with_text(text));
        assert_eq!(page_ids(&output), expected.to_vec(), "text {text:?}");
    }
}

#[test]
fn text_splits_on_ideographic_space() {
    let (_dir, store) = sample_store();
    let output = run(&store, with_text("認証\u{3000}サービス"));
    assert_eq!(page_ids(&output), vec!["login-jp"]);
}

#[test]
fn filters_combine() {
    let (_dir, store) = sample_store();
    let output = run(
        &store,
        EntityQuery {
            types: ids(&["class"]),
            namespace: Some("auth".into()),
            name_pattern: Some("user*".into()),
            limit: 100,
            ..EntityQuery::default()
        },
    );
    assert_eq!(page_ids(&output), vec!["repo", "svc"]);

    let output = run(
        &store,
        EntityQuery {
            name: Some("user".into()),
            limit: 100,
            ..EntityQuery::default()
        },
    );
    assert_eq!(page_ids(&output), vec!["user2"], "an exact name is case-sensitive");

    let output = run(
        &store,
        EntityQuery {
            types: ids(&["function", "module"]),
            text: Some("user".into()),
            limit: 100,
            ..EntityQuery::default()
        },
    );
    assert_eq!(page_ids(&output), vec!["cache", "user2", "mapper"]);
}

#[test]
fn limit_zero_counts_only() {
    let (_dir, store) = sample_store();
    let output = run(
        &store,
        EntityQuery {
            limit: 0,
            ..EntityQuery::default()
        },
    );
    assert!(output.entities.is_empty());
    assert_eq!(output.total_count, 10);
    assert!(output.has_more, "matches remain after an empty page");

    let output = run(
        &store,
        EntityQuery {
            text: Some("nothing-matches".into()),
            limit: 0,
            ..EntityQuery::default()
        },
    );
    assert_eq!(output.total_count, 0);
    assert!(!output.has_more);
}

#[test]
fn offset_past_end_is_empty() {
    let (_dir, store) = sample_store();
    for offset in [10, 11, 1_000_000, usize::MAX] {
        let output = run(
            &store,
            EntityQuery {
                offset,
                limit: 5,
                ..EntityQuery::default()
            },
        );
        assert!(output.entities.is_empty(), "offset {offset}");
        assert_eq!(output.total_count, 10, "offset {offset}");
        assert!(!output.has_more, "offset {offset}");
    }
}

#[test]
fn pages_cover_all_once() {
    let (_dir, store) = sample_store();
    let everything = run(
        &store,
        EntityQuery {
            limit: 100,
            ..EntityQuery::default()
        },
    );
    let names: Vec<String> = everything
        .entities
        .iter()
        .map(|e| e.name.to_ascii_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entities are sorted by name, ignoring ASCII case");

    let mut paged = Vec::new();
    for offset in (0..10).step_by(3) {
        let output = run(
            &store,
            EntityQuery {
                offset,
                limit: 3,
                ..EntityQuery::default()
            },
        );
        assert_eq!(output.total_count, 10);
        assert_eq!(output.has_more, offset + 3 < 10, "offset {offset}");
        paged.extend(output.entities.into_iter().map(|e| e.id));
    }
    let all: Vec<String> = everything.entities.into_iter().map(|e| e.id).collect();
    assert_eq!(paged, all);
}

#[test]
fn page_includes_relationships() {
    let (_dir, store) = sample_store();
    store
        .add_relationships(vec![
            relationship("svc-repo", "svc", "repo", "calls"),
            relationship("svc-mapper", "svc", "mapper", "imports"),
            relationship("order-svc", "order", "svc", "calls"),
            relationship("cache-bare", "cache", "bare", "calls"),
            relationship("svc-svc", "svc", "svc", "recurses"),
        ])
        .unwrap();

    let query = EntityQuery {
        name: Some("UserService".into()),
        limit: 10,
        include_relationships: true,
        ..EntityQuery::default()
    };
    let output = run(&store, query.clone());
    assert_eq!(page_ids(&output), vec!["svc"]);
    assert_eq!(
        rel_ids(&output.relationships),
        ids(&["order-svc", "svc-mapper", "svc-repo", "svc-svc"]),
        "each relationship touching the page, once"
    );
    assert_eq!(output.relationships.len(), 4);

    let filtered = run(
        &store,
        EntityQuery {
            relationship_types: Some(ids(&["calls"])),
            ..query.clone()
        },
    );
    assert_eq!(rel_ids(&filtered.relationships), ids(&["order-svc", "svc-repo"]));

    let without = run(
        &store,
        EntityQuery {
            include_relationships: false,
            ..query
        },
    );
    assert!(without.relationships.is_empty());
}
