//! Tests of the full-text index against a real tantivy index in a temporary directory.

use std::collections::HashSet;

use tempfile::TempDir;

use super::{FullTextIndex, TextQuery};
use crate::model::Entity;

fn entity(id: &str, name: &str, description: &str) -> Entity {
    Entity {
        id: id.to_string(),
        entity_type: "function".to_string(),
        name: name.to_string(),
        namespace: "app".to_string(),
        file_path: None,
        line: None,
        description: (!description.is_empty()).then(|| description.to_string()),
        metadata: "{}".to_string(),
        created_at: 0,
        updated_at: 0,
    }
}

/// Opens an index in a fresh temporary directory holding `entities`, committed.
fn index_with(entities: &[Entity]) -> (TempDir, FullTextIndex) {
    let dir = TempDir::new().unwrap();
    let index = FullTextIndex::open(dir.path()).unwrap();
    index.upsert(entities).unwrap();
    index.commit().unwrap();
    (dir, index)
}

fn ids(index: &FullTextIndex, query: &TextQuery) -> Vec<String> {
    index
        .search(query)
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

fn id_set(index: &FullTextIndex, query: &TextQuery) -> HashSet<String> {
    ids(index, query).into_iter().collect()
}

fn set(items: &[&str]) -> HashSet<String> {
    items.iter().map(|item| item.to_string()).collect()
}

fn exact(text: &str) -> TextQuery {
    TextQuery::new(text, 10)
}

#[test]
fn identifier_styles_find_each_other() {
    let (_dir, index) = index_with(&[
        entity("camel", "getUserById", ""),
        entity("snake", "get_user_by_id", ""),
        entity("kebab", "get-user-by-id", ""),
        entity("other", "getUserName", ""),
    ]);
    let all_three = set(&["camel", "snake", "kebab"]);
    for query in [
        "getUserById",
        "get_user_by_id",
        "get-user-by-id",
        "GetUserByID",
        "get user by id",
    ] {
        assert_eq!(id_set(&index, &exact(query)), all_three, "query {query}");
    }
}

#[test]
fn exact_spelling_ranks_first() {
    let (_dir, index) = index_with(&[
        entity("snake", "get_user_by_id", ""),
        entity("camel", "getUserById", ""),
    ]);
    assert_eq!(ids(&index, &exact("getUserById"))[0], "camel");
    assert_eq!(ids(&index, &exact("get_user_by_id"))[0], "snake");
}

#[test]
fn part_finds_compound_name() {
    let (_dir, index) = index_with(&[
        entity("user-service", "UserService", ""),
        entity("repo", "UserRepository", ""),
    ]);
    assert_eq!(ids(&index, &exact("Service")), ["user-service"]);
    assert_eq!(ids(&index, &exact("userservice")), ["user-service"]);
    assert_eq!(
        id_set(&index, &exact("user")),
        set(&["user-service", "repo"])
    );
}

#[test]
fn japanese_bigram_finds_substring() {
    let (_dir, index) = index_with(&[
        entity("auth", "AuthService", "ユーザー認証サービス"),
        entity("log", "LogService", "ログ出力サービス"),
    ]);
    assert_eq!(ids(&index, &exact("認証")), ["auth"]);
    assert_eq!(ids(&index, &exact("ユーザー認証")), ["auth"]);
    assert_eq!(id_set(&index, &exact("サービス")), set(&["auth", "log"]));
    // Bigrams must be adjacent: `認サ` is not in either text.
    assert!(ids(&index, &exact("認サ")).is_empty());
}

#[test]
fn single_kanji_finds_any_occurrence() {
    let (_dir, index) = index_with(&[
        entity("auth", "AuthService", "ユーザー認証"),
        entity("log", "LogService", "ログ出力"),
    ]);
    // `認` starts the bigram `認証`, and `証` is the run's tail token.
    assert_eq!(ids(&index, &exact("認")), ["auth"]);
    assert_eq!(ids(&index, &exact("証")), ["auth"]);
}

#[test]
fn japanese_phrase_query() {
    let (_dir, index) = index_with(&[
        entity("auth", "AuthService", "ユーザー認証 サービス"),
        entity("split", "Other", "ユーザー 認証 サービス"),
        entity("order", "Reverse", "サービス ユーザー認証"),
    ]);
    assert_eq!(ids(&index, &exact("\"ユーザー認証 サービス\"")), ["auth"]);
    assert_eq!(
        id_set(&index, &exact("ユーザー認証 サービス")),
        set(&["auth", "order"])
    );
}

#[test]
fn english_phrase_query() {
    let (_dir, index) = index_with(&[
        entity("a", "A", "loads the user profile from cache"),
        entity("b", "B", "loads the profile of the user"),
    ]);
    assert_eq!(ids(&index, &exact("\"user profile\"")), ["a"]);
    assert_eq!(id_set(&index, &exact("user profile")), set(&["a", "b"]));
    assert_eq!(ids(&index, &exact("\"loads the\" cache")), ["a"]);
}

#[test]
fn full_width_matches_half_width() {
    let (_dir, index) = index_with(&[
        entity("wide", "ＵｓｅｒＳｅｒｖｉｃｅ", ""),
        entity("narrow", "OrderService", ""),
    ]);
    assert_eq!(ids(&index, &exact("userservice")), ["wide"]);
    assert_eq!(ids(&index, &exact("UserService")), ["wide"]);
    assert_eq!(
        id_set(&index, &exact("ｓｅｒｖｉｃｅ")),
        set(&["wide", "narrow"])
    );
}

#[test]
fn composed_and_decomposed_accents_match() {
    let composed = "caf\u{00E9}";
    let decomposed = "cafe\u{0301}";
    let (_dir, index) = index_with(&[
        entity("nfc", "CoffeeShop", &format!("{composed} menu")),
        entity("nfd", "TeaShop", &format!("{decomposed} menu")),
        entity("plain", "Cafeteria", "cafe menu"),
    ]);
    assert_eq!(id_set(&index, &exact(composed)), set(&["nfc", "nfd"]));
    assert_eq!(id_set(&index, &exact(decomposed)), set(&["nfc", "nfd"]));
}

#[test]
fn multi_word_query_requires_every_word() {
    let (_dir, index) = index_with(&[
        entity("both", "UserService", "handles login"),
        entity("first", "UserRepository", "stores rows"),
        entity("second", "AuthController", "handles login"),
    ]);
    assert_eq!(ids(&index, &exact("user login")), ["both"]);
    assert_eq!(id_set(&index, &exact("login")), set(&["both", "second"]));
    assert!(ids(&index, &exact("user missingword")).is_empty());
}

#[test]
fn words_may_match_in_different_fields() {
    let mut with_path = entity("e", "UserService", "");
    with_path.file_path = Some("src/services/user.ts".to_string());
    with_path.metadata = r#"{"owner": "payments-team", "tags": ["billing"]}"#.to_string();
    let (_dir, index) = index_with(&[with_path, entity("f", "UserService", "")]);
    assert_eq!(ids(&index, &exact("user services")), ["e"]);
    assert_eq!(ids(&index, &exact("payments billing")), ["e"]);
    assert_eq!(ids(&index, &exact("app userservice payments")), ["e"]);
}

#[test]
fn fuzzy_distance_one() {
    let (_dir, index) = index_with(&[entity("svc", "UserService", "")]);
    // Transposed letters count as one edit.
    assert!(ids(&index, &exact("sevrice")).is_empty());
    assert_eq!(ids(&index, &exact("sevrice").fuzzy(1)), ["svc"]);
    assert_eq!(ids(&index, &exact("servce").fuzzy(1)), ["svc"]);
}

#[test]
fn fuzzy_distance_two() {
    let (_dir, index) = index_with(&[entity("svc", "UserService", "")]);
    assert_eq!(ids(&index, &exact("sevrice").fuzzy(2)), ["svc"]);
    // Two substitutions need distance 2.
    assert!(ids(&index, &exact("sirvise")).is_empty());
    assert!(ids(&index, &exact("sirvise").fuzzy(1)).is_empty());
    assert_eq!(ids(&index, &exact("sirvise").fuzzy(2)), ["svc"]);
}

#[test]
fn fuzzy_ranks_exact_match_first() {
    let (_dir, index) = index_with(&[
        entity("near", "UserServise", ""),
        entity("exact", "UserService", ""),
    ]);
    assert_eq!(ids(&index, &exact("service").fuzzy(1)), ["exact", "near"]);
}

#[test]
fn fuzzy_distance_out_of_range_rejected() {
    let (_dir, index) = index_with(&[entity("svc", "UserService", "")]);
    let err = index.search(&exact("service").fuzzy(3)).unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
}

#[test]
fn prefix_matches_last_word() {
    let (_dir, index) = index_with(&[
        entity("get", "getUserById", ""),
        entity("list", "listUsers", ""),
        entity("order", "getOrder", ""),
    ]);
    assert!(ids(&index, &exact("getUs")).is_empty());
    assert_eq!(ids(&index, &exact("getUs").prefix()), ["get"]);
    assert_eq!(id_set(&index, &exact("us").prefix()), set(&["get", "list"]));
    // Only the last word is a prefix: `get` must match exactly.
    assert_eq!(ids(&index, &exact("ge ord").prefix()), Vec::<String>::new());
    assert_eq!(ids(&index, &exact("get ord").prefix()), ["order"]);
}

#[test]
fn delete_removes_document() {
    let (_dir, index) = index_with(&[
        entity("a", "UserService", ""),
        entity("b", "UserRepository", ""),
    ]);
    index
        .delete(&["a".to_string(), "missing".to_string()])
        .unwrap();
    // Still visible until the commit.
    assert_eq!(index.num_docs(), 2);
    index.commit().unwrap();

    assert_eq!(index.num_docs(), 1);
    assert!(ids(&index, &exact("service")).is_empty());
    assert_eq!(ids(&index, &exact("user")), ["b"]);
}

#[test]
fn upsert_replaces_document() {
    let (_dir, index) = index_with(&[entity("a", "UserService", "")]);
    index.upsert(&[entity("a", "OrderService", "")]).unwrap();
    index.commit().unwrap();

    assert_eq!(index.num_docs(), 1);
    assert!(ids(&index, &exact("user")).is_empty());
    assert_eq!(ids(&index, &exact("order")), ["a"]);
}

#[test]
fn duplicate_ids_in_one_upsert_keep_last() {
    let (_dir, index) = index_with(&[entity("a", "FirstName", ""), entity("a", "SecondName", "")]);
    assert_eq!(index.num_docs(), 1);
    assert_eq!(ids(&index, &exact("second")), ["a"]);
    assert!(ids(&index, &exact("first")).is_empty());
}

#[test]
fn clear_removes_everything() {
    let (_dir, index) = index_with(&[entity("a", "UserService", ""), entity("b", "Other", "")]);
    index.clear().unwrap();
    index.commit().unwrap();
    assert_eq!(index.num_docs(), 0);
}

#[test]
fn reopen_keeps_documents_and_generation() {
    let dir = TempDir::new().unwrap();
    {
        let index = FullTextIndex::open(dir.path()).unwrap();
        assert_eq!(index.committed_generation(), 0);
        index
            .upsert(&[entity("a", "UserService", "ユーザー認証")])
            .unwrap();
        index.commit_with_generation(41).unwrap();
        index.upsert(&[entity("b", "OrderService", "")]).unwrap();
        index.commit_with_generation(42).unwrap();
        // A plain commit keeps the generation.
        index.commit().unwrap();
        assert_eq!(index.committed_generation(), 42);

        // Never committed, so lost when the index is dropped.
        index.upsert(&[entity("c", "LostService", "")]).unwrap();
    }

    let index = FullTextIndex::open(dir.path()).unwrap();
    assert_eq!(index.committed_generation(), 42);
    assert_eq!(index.num_docs(), 2);
    assert_eq!(ids(&index, &exact("認証")), ["a"]);
    assert_eq!(id_set(&index, &exact("service")), set(&["a", "b"]));
    assert!(index.bytes_on_disk().unwrap() > 0);
}

#[test]
fn name_match_outranks_description_match() {
    let (_dir, index) = index_with(&[
        entity("described", "Helper", "calls the payment gateway"),
        entity("named", "PaymentGateway", "calls an external API"),
    ]);
    let results = index.search(&exact("payment")).unwrap();
    let ranked: Vec<&str> = results.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ranked, ["named", "described"]);
    assert!(results[0].1 > results[1].1, "scores {results:?}");
}

#[test]
fn limit_caps_results() {
    let entities: Vec<Entity> = (0..20)
        .map(|i| entity(&format!("e{i}"), &format!("Service{i}"), ""))
        .collect();
    let (_dir, index) = index_with(&entities);
    assert_eq!(
        index.search(&TextQuery::new("service", 5)).unwrap().len(),
        5
    );
    assert_eq!(
        index.search(&TextQuery::new("service", 0)).unwrap().len(),
        0
    );
    assert_eq!(
        index
            .search(&TextQuery::new("service", usize::MAX))
            .unwrap()
            .len(),
        20
    );
}

#[test]
fn query_without_tokens_returns_nothing() {
    let (_dir, index) = index_with(&[entity("a", "UserService", "")]);
    for text in ["", "   ", "!!! ...", "\"\""] {
        assert!(
            index.search(&exact(text)).unwrap().is_empty(),
            "query {text:?}"
        );
    }
}

#[test]
fn second_open_of_same_directory_rejected() {
    let dir = TempDir::new().unwrap();
    let _first = FullTextIndex::open(dir.path()).unwrap();
    let err = FullTextIndex::open(dir.path()).unwrap_err();
    assert_eq!(err.code(), "IO_ERROR", "{err}");
}

#[test]
fn corrupt_meta_rejected() {
    let dir = TempDir::new().unwrap();
    {
        let index = FullTextIndex::open(dir.path()).unwrap();
        index.upsert(&[entity("a", "UserService", "")]).unwrap();
        index.commit().unwrap();
    }
    std::fs::write(dir.path().join("meta.json"), b"{ not json").unwrap();
    let err = FullTextIndex::open(dir.path()).unwrap_err();
    assert_eq!(err.code(), "INDEX_CORRUPTED", "{err}");
}

#[test]
fn non_numeric_generation_rejected() {
    let dir = TempDir::new().unwrap();
    {
        let index = FullTextIndex::open(dir.path()).unwrap();
        let mut writer = index.lock_writer();
        let mut prepared = writer.prepare_commit().unwrap();
        prepared.set_payload("not-a-number");
        prepared.commit().unwrap();
    }
    let err = FullTextIndex::open(dir.path()).unwrap_err();
    assert_eq!(err.code(), "INDEX_CORRUPTED", "{err}");
}
