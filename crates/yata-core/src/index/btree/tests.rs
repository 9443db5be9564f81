//! Unit tests for the structural operations, each on a small tree whose
//! shape can be worked out by hand.

use std::collections::BTreeMap;
use std::ops::Bound::{self, Excluded, Included, Unbounded};

use super::{BPlusTree, BTreeConfig, BTreeError, Weigh};

/// Fanout 4 with a page large enough that a u64 pair is one slot: leaves
/// hold 2 to 4 entries, and internal nodes 2 to 4 children.
fn small_tree() -> BPlusTree<u64, u64> {
    BPlusTree::new(BTreeConfig {
        page_size: 256,
        fanout: 4,
    })
    .unwrap()
}

fn tree_with(keys: impl IntoIterator<Item = u64>) -> BPlusTree<u64, u64> {
    let mut tree = small_tree();
    for key in keys {
        tree.insert(key, key * 10);
        tree.check_invariants();
    }
    tree
}

fn remove_checked(tree: &mut BPlusTree<u64, u64>, key: u64) {
    assert_eq!(tree.remove(&key), Some(key * 10), "remove {key}");
    tree.check_invariants();
}

fn keys_of<'a>(entries: impl Iterator<Item = (&'a u64, &'a u64)>) -> Vec<u64> {
    entries.map(|(key, _)| *key).collect()
}

#[test]
fn config_rejects_out_of_range_values() {
    let cases = [
        (
            BTreeConfig {
                page_size: 4096,
                fanout: 3,
            },
            "fanout",
            3,
        ),
        (
            BTreeConfig {
                page_size: 4096,
                fanout: (1 << 16) + 1,
            },
            "fanout",
            (1 << 16) + 1,
        ),
        (
            BTreeConfig {
                page_size: 255,
                fanout: 128,
            },
            "page_size",
            255,
        ),
        (
            BTreeConfig {
                page_size: (1 << 24) + 1,
                fanout: 128,
            },
            "page_size",
            (1 << 24) + 1,
        ),
    ];
    for (config, expected_field, expected_value) in cases {
        let error = BPlusTree::<u64, u64>::new(config).expect_err("config must be rejected");
        match &error {
            BTreeError::InvalidConfig { field, value, .. } => {
                assert_eq!(*field, expected_field);
                assert_eq!(*value, expected_value);
            }
            other => panic!("unexpected error {other:?}"),
        }
        assert!(
            error.to_string().contains(&expected_value.to_string()),
            "message {error}"
        );
    }
    assert!(BTreeConfig {
        page_size: 256,
        fanout: 4
    }
    .validate()
    .is_ok());
    assert!(BTreeConfig::default().validate().is_ok());
}

#[test]
fn empty_tree_has_nothing() {
    let mut tree = small_tree();
    assert!(tree.is_empty());
    assert_eq!(tree.get(&1), None);
    assert_eq!(tree.remove(&1), None);
    assert_eq!(tree.first_key_value(), None);
    assert_eq!(tree.last_key_value(), None);
    assert_eq!(tree.iter().next(), None);
    assert_eq!(tree.iter().next_back(), None);
    assert_eq!(tree.range(1..5).count(), 0);
    assert_eq!(tree.stats().height, 1);
    tree.check_invariants();
}

#[test]
fn insert_replaces_and_returns_old_value() {
    let mut tree = small_tree();
    assert_eq!(tree.insert(7, 70), None);
    assert_eq!(tree.insert(7, 71), Some(70));
    assert_eq!(tree.get(&7), Some(&71));
    assert_eq!(tree.len(), 1);
    assert!(tree.contains_key(&7));
    assert!(!tree.contains_key(&8));
}

#[test]
fn leaf_split_grows_root() {
    let mut tree = tree_with(1..=4);
    assert_eq!(tree.leaf_keys(), vec![vec![1, 2, 3, 4]]);
    assert_eq!(tree.stats().height, 1);

    tree.insert(5, 50);
    tree.check_invariants();
    // Five equal charges split 2 | 3: the first of the two even cuts wins.
    assert_eq!(tree.leaf_keys(), vec![vec![1, 2], vec![3, 4, 5]]);
    assert_eq!(tree.stats().height, 2);
    assert_eq!(tree.internal_shape(), vec![vec![2]]);
}

#[test]
fn internal_split_grows_root_again() {
    let mut tree = small_tree();
    let mut heights = Vec::new();
    for key in 0..64 {
        tree.insert(key, key * 10);
        tree.check_invariants();
        let height = tree.stats().height;
        if heights.last() != Some(&height) {
            heights.push(height);
        }
    }
    assert_eq!(heights, vec![1, 2, 3, 4]);
    assert_eq!(keys_of(tree.iter()), (0..64).collect::<Vec<_>>());
}

#[test]
fn underfull_leaf_borrows_from_sibling() {
    let mut tree = tree_with(1..=5);
    remove_checked(&mut tree, 1);
    // [2] is underfull, so [3, 4, 5] lends one entry, leaving 2 | 2.
    assert_eq!(tree.leaf_keys(), vec![vec![2, 3], vec![4, 5]]);
    assert_eq!(tree.get(&4), Some(&40));
}

#[test]
fn underfull_leaf_borrows_from_left_sibling() {
    let mut tree = tree_with(1..=5);
    tree.insert(0, 0);
    tree.check_invariants();
    assert_eq!(tree.leaf_keys(), vec![vec![0, 1, 2], vec![3, 4, 5]]);
    remove_checked(&mut tree, 4);
    remove_checked(&mut tree, 5);
    assert_eq!(tree.leaf_keys(), vec![vec![0, 1], vec![2, 3]]);
}

#[test]
fn underfull_leaf_merges_and_root_shrinks() {
    let mut tree = tree_with(1..=5);
    remove_checked(&mut tree, 1);
    remove_checked(&mut tree, 2);
    // [3] and [4, 5] cannot both reach two entries, so they merge and the
    // root, left with one child, is replaced by the leaf.
    assert_eq!(tree.leaf_keys(), vec![vec![3, 4, 5]]);
    assert_eq!(tree.stats().height, 1);
    assert_eq!(tree.stats().pages, 1);
}

#[test]
fn internal_node_borrows_then_merges() {
    // Full bulk load of 32 keys: 8 leaves of 4, two internal nodes of 4
    // leaves, one root.
    let mut tree = small_tree();
    tree.bulk_load((0..32).map(|key| (key, key * 10)), 1.0)
        .unwrap();
    tree.check_invariants();
    assert_eq!(tree.internal_shape(), vec![vec![2], vec![4, 4]]);

    let mut shapes = vec![tree.internal_shape()];
    for key in 0..32 {
        remove_checked(&mut tree, key);
        let shape = tree.internal_shape();
        if shapes.last() != Some(&shape) {
            shapes.push(shape);
        }
    }
    assert!(tree.is_empty());
    assert_eq!(tree.stats().height, 1);

    // Leaf merges take the left internal node down to one child. It then
    // borrows a leaf from its sibling, going from [2, 4] to [2, 3] under a
    // root of two. Later the two internal nodes merge and the root shrinks.
    let borrowed = shapes.windows(2).any(|pair| {
        matches!(pair, [before, after]
            if before.len() == 2 && after.len() == 2
                && before[1][0] == 2 && after[1][0] == 2
                && before[1][1] == 4 && after[1][1] == 3)
    });
    assert!(borrowed, "no internal borrow in {shapes:?}");
    let merged = shapes
        .windows(2)
        .any(|pair| pair[0].len() == 2 && pair[1].len() == 1);
    assert!(merged, "no internal merge in {shapes:?}");
}

#[test]
fn remove_all_shrinks_to_leaf() {
    let keys: Vec<u64> = (0..200).map(|i| (i * 73) % 200).collect();
    let mut tree = tree_with(keys.iter().copied());
    assert!(tree.stats().height >= 4);
    for (step, key) in keys.iter().rev().enumerate() {
        remove_checked(&mut tree, *key);
        assert_eq!(tree.len(), 199 - step);
    }
    assert_eq!(tree.stats().height, 1);
    assert_eq!(tree.stats().pages, 1);
}

#[test]
fn range_bounds_match_filter_both_directions() {
    // Even keys only, so bounds can name present and absent keys.
    let tree = tree_with((0..60).map(|key| key * 2));
    let model: BTreeMap<u64, u64> = (0..60).map(|key| (key * 2, key * 20)).collect();
    let points = [0, 1, 2, 3, 57, 58, 59, 60, 117, 118, 119, 200];
    let mut bounds = vec![Unbounded];
    for &point in &points {
        bounds.push(Included(point));
        bounds.push(Excluded(point));
    }

    for &start in &bounds {
        for &end in &bounds {
            let expected: Vec<u64> = model
                .keys()
                .copied()
                .filter(|key| within(*key, start, end))
                .collect();
            let forward = keys_of(tree.range((start, end)));
            assert_eq!(forward, expected, "forward {start:?}..{end:?}");
            let mut reverse = keys_of(tree.range((start, end)).rev());
            reverse.reverse();
            assert_eq!(reverse, expected, "reverse {start:?}..{end:?}");
        }
    }
}

fn within(key: u64, start: Bound<u64>, end: Bound<u64>) -> bool {
    let after_start = match start {
        Included(bound) => key >= bound,
        Excluded(bound) => key > bound,
        Unbounded => true,
    };
    let before_end = match end {
        Included(bound) => key <= bound,
        Excluded(bound) => key < bound,
        Unbounded => true,
    };
    after_start && before_end
}

#[test]
fn range_with_start_after_end_is_empty() {
    let tree = tree_with(0..20);
    assert_eq!(tree.range((Included(10), Excluded(5))).count(), 0);
    assert_eq!(tree.range((Excluded(7), Excluded(7))).count(), 0);
    assert_eq!(tree.range((Included(7), Excluded(7))).count(), 0);
    assert_eq!(keys_of(tree.range(7..=7)), vec![7]);
}

#[test]
fn range_ends_meet_without_repeats() {
    let tree = tree_with(0..50);
    let mut range = tree.range(5..45);
    let mut seen = Vec::new();
    while let Some((front, _)) = range.next() {
        seen.push(*front);
        let Some((back, _)) = range.next_back() else {
            break;
        };
        seen.push(*back);
    }
    assert_eq!(range.next(), None);
    assert_eq!(range.next_back(), None);
    seen.sort_unstable();
    assert_eq!(seen, (5..45).collect::<Vec<_>>());
}

#[test]
fn first_last_and_clear() {
    let mut tree = tree_with([5, 3, 9, 1, 7, 11, 2]);
    assert_eq!(tree.first_key_value(), Some((&1, &10)));
    assert_eq!(tree.last_key_value(), Some((&11, &110)));
    tree.clear();
    tree.check_invariants();
    assert!(tree.is_empty());
    assert_eq!(tree.first_key_value(), None);
    assert_eq!(tree.stats().pages, 1);
    tree.insert(4, 40);
    assert_eq!(tree.get(&4), Some(&40));
}

#[test]
fn bulk_load_fills_to_fill_factor() {
    let config = BTreeConfig::default();
    for (fill_factor, expected_leaf_entries) in [(1.0, 128), (0.5, 64), (0.75, 96)] {
        let mut tree: BPlusTree<u64, u64> = BPlusTree::new(config).unwrap();
        tree.bulk_load((0..10_000).map(|key| (key, key)), fill_factor)
            .unwrap();
        tree.check_invariants();
        let leaves = tree.leaf_keys();
        let full = &leaves[..leaves.len() - 2];
        assert!(
            full.iter().all(|leaf| leaf.len() == expected_leaf_entries),
            "fill {fill_factor}: leaf sizes {:?}",
            leaves.iter().map(Vec::len).collect::<Vec<_>>()
        );
        assert_eq!(tree.len(), 10_000);
        assert_eq!(keys_of(tree.iter()), (0..10_000).collect::<Vec<_>>());
    }
}

#[test]
fn bulk_load_then_mutate() {
    let mut tree = small_tree();
    tree.bulk_load((0..500).map(|key| (key * 2, key * 20)), 0.5)
        .unwrap();
    tree.check_invariants();
    let mut model: BTreeMap<u64, u64> = (0..500).map(|key| (key * 2, key * 20)).collect();
    for key in 0..1000 {
        if key % 3 == 0 {
            assert_eq!(tree.remove(&key), model.remove(&key), "remove {key}");
        } else {
            assert_eq!(
                tree.insert(key, key * 10),
                model.insert(key, key * 10),
                "insert {key}"
            );
        }
        tree.check_invariants();
    }
    assert_eq!(
        tree.iter().collect::<Vec<_>>(),
        model.iter().collect::<Vec<_>>()
    );
}

#[test]
fn bulk_load_of_small_inputs() {
    for count in 0..40 {
        let mut tree = small_tree();
        tree.bulk_load((0..count).map(|key| (key, key * 10)), 1.0)
            .unwrap();
        tree.check_invariants();
        assert_eq!(
            keys_of(tree.iter()),
            (0..count).collect::<Vec<_>>(),
            "count {count}"
        );
    }
}

#[test]
fn bulk_load_rejects_bad_input_and_keeps_tree() {
    let mut tree = tree_with([100, 200]);

    let unsorted = tree.bulk_load([(1, 1), (3, 3), (2, 2)], 1.0);
    assert_eq!(unsorted, Err(BTreeError::UnsortedInput { position: 2 }));
    let duplicate = tree.bulk_load([(1, 1), (2, 2), (2, 2)], 1.0);
    assert_eq!(duplicate, Err(BTreeError::DuplicateKey { position: 2 }));
    for fill_factor in [0.49, 1.01, f64::NAN] {
        let result = tree.bulk_load([(1, 1)], fill_factor);
        assert!(
            matches!(result, Err(BTreeError::InvalidFillFactor(_))),
            "fill {fill_factor}: {result:?}"
        );
    }

    assert_eq!(keys_of(tree.iter()), vec![100, 200]);
    tree.check_invariants();
}

#[test]
fn bulk_load_rejects_key_at_full_leaf() {
    // The leaf contains four entries and is full when the smaller key arrives.
    let mut tree = small_tree();
    let items = (0..4).map(|key| (key, key)).chain([(2, 2)]);
    assert_eq!(
        tree.bulk_load(items, 1.0),
        Err(BTreeError::UnsortedInput { position: 4 })
    );
}

#[test]
fn compact_drops_free_slots_and_keeps_entries() {
    let mut tree = tree_with(0..400);
    for key in (0..400).filter(|key| key % 4 != 0) {
        remove_checked(&mut tree, key);
    }
    let before = tree.stats();
    assert!(before.free_pages > 0, "{before:?}");

    tree.compact();
    tree.check_invariants();
    let after = tree.stats();
    assert_eq!(after.free_pages, 0);
    assert!(after.pages < before.pages, "{before:?} -> {after:?}");
    assert!(
        after.fill_factor > before.fill_factor,
        "{before:?} -> {after:?}"
    );
    assert!(after.bytes < before.bytes, "{before:?} -> {after:?}");
    assert_eq!(
        keys_of(tree.iter()),
        (0..400).step_by(4).collect::<Vec<_>>()
    );

    tree.insert(1, 10);
    tree.check_invariants();
}

#[test]
fn compact_of_empty_tree() {
    let mut tree = small_tree();
    tree.compact();
    tree.check_invariants();
    assert_eq!(tree.stats().pages, 1);
}

#[test]
fn stats_count_pages_and_entries() {
    let tree = tree_with(0..5);
    let stats = tree.stats();
    assert_eq!(stats.height, 2);
    assert_eq!(stats.pages, 3);
    assert_eq!(stats.leaf_pages, 2);
    assert_eq!(stats.entries, 5);
    assert!((stats.fill_factor - 5.0 / 8.0).abs() < 1e-9, "{stats:?}");
    assert!(stats.bytes > 5 * 16, "{stats:?}");
}

fn byte_tree(page_size: usize) -> BPlusTree<Vec<u8>, u64> {
    BPlusTree::new(BTreeConfig {
        page_size,
        fanout: 128,
    })
    .unwrap()
}

fn long_key(index: u64, length: usize) -> Vec<u8> {
    let mut key = format!("{index:08}").into_bytes();
    key.resize(length, b'x');
    key
}

#[test]
fn long_keys_split_leaves_by_page_size() {
    // A 200-byte key with a u64 value weighs 24 + 200 + 8 = 232 bytes
    // (Vec header plus bytes plus value), so four fit in a 1024-byte page.
    let mut tree = byte_tree(1024);
    for index in 0..100 {
        let key = long_key(index, 200);
        assert_eq!(key.capacity(), 200);
        tree.insert(key, index);
        tree.check_invariants();
    }
    let leaves = tree.leaf_keys();
    assert!(
        leaves.iter().all(|leaf| leaf.len() <= 4),
        "leaf sizes {:?}",
        leaves.iter().map(Vec::len).collect::<Vec<_>>()
    );
    assert!(leaves.len() >= 25);

    // The same count of 2-byte keys fits in 4 leaves: 34 bytes each, at
    // most 30 per page.
    let mut short = byte_tree(1024);
    for index in 0..100u64 {
        short.insert(vec![(index / 256) as u8, index as u8], index);
    }
    short.check_invariants();
    assert!(short.leaf_keys().iter().all(|leaf| leaf.len() <= 30));
    assert!(short.leaf_keys().len() <= 7, "{}", short.leaf_keys().len());
}

#[test]
fn byte_keys_accept_slice_lookups() {
    let mut tree = byte_tree(4096);
    tree.insert(b"alpha".to_vec(), 1);
    tree.insert(b"beta".to_vec(), 2);
    tree.insert(b"gamma".to_vec(), 3);
    assert_eq!(tree.get(&b"beta"[..]), Some(&2));
    let from_b: Vec<u64> = tree
        .range::<[u8], _>((Included(&b"b"[..]), Unbounded))
        .map(|(_, value)| *value)
        .collect();
    assert_eq!(from_b, vec![2, 3]);
    assert_eq!(tree.remove(&b"alpha"[..]), Some(1));
}

/// Creates a tree shaped like an attribute index: byte-string values
/// mapped to posting lists of entity ids.
fn posting_tree() -> BPlusTree<Vec<u8>, Vec<u32>> {
    BPlusTree::new(BTreeConfig {
        page_size: 512,
        fanout: 16,
    })
    .unwrap()
}

#[test]
fn oversized_values_count_a_quarter_page() {
    let mut tree = posting_tree();
    for index in 0..40u32 {
        let ids: Vec<u32> = (0..10_000).collect();
        tree.insert(long_key(index.into(), 10), ids);
        tree.check_invariants();
    }
    let leaves = tree.leaf_keys();
    assert!(
        leaves.iter().all(|leaf| leaf.len() <= 4),
        "{:?}",
        leaves.iter().map(Vec::len).collect::<Vec<_>>()
    );
    assert_eq!(tree.len(), 40);
}

#[test]
fn get_mut_growth_splits_leaf() {
    let mut tree = posting_tree();
    for index in 0..16u32 {
        tree.insert(long_key(index.into(), 10), Vec::new());
    }
    tree.check_invariants();
    let leaves_before = tree.leaf_keys().len();

    for id in 0..200u32 {
        let key = long_key((id % 16).into(), 10);
        let mut ids = tree.get_mut(&key).expect("key was inserted");
        ids.push(id);
        drop(ids);
        tree.check_invariants();
    }
    assert!(
        tree.leaf_keys().len() > leaves_before,
        "{} leaves",
        tree.leaf_keys().len()
    );
    assert_eq!(tree.get(&long_key(3, 10)).map(Vec::len), Some(13));
}

#[test]
fn get_mut_shrink_merges_leaves() {
    let mut tree = posting_tree();
    for index in 0..16u32 {
        tree.insert(long_key(index.into(), 10), (0..100).collect());
    }
    tree.check_invariants();
    let leaves_before = tree.leaf_keys().len();
    assert!(leaves_before > 1);

    for index in 0..16u32 {
        let mut ids = tree.get_mut(&long_key(index.into(), 10)).unwrap();
        ids.clear();
        ids.shrink_to_fit();
        drop(ids);
        tree.check_invariants();
    }
    assert!(tree.leaf_keys().len() < leaves_before);
}

#[test]
fn weigh_counts_heap_capacity() {
    assert_eq!(7u64.heap_bytes(), 0);
    assert_eq!(Vec::<u32>::with_capacity(10).heap_bytes(), 40);
    assert_eq!(
        vec![vec![1u8; 3]].heap_bytes(),
        std::mem::size_of::<Vec<u8>>() + 3
    );
    assert_eq!(String::from("abc").heap_bytes(), 3);
    assert_eq!((b"ab".to_vec(), 5u32).heap_bytes(), 2);
}
