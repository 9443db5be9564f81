//! Property tests: random operation sequences against
//! `std::collections::BTreeMap`, with `check_invariants` after every step.
//! Small fanouts and pages force frequent splits, borrows and merges.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::ops::Bound;

use proptest::collection::vec;
use proptest::prelude::*;

use super::{BPlusTree, BTreeConfig, Weigh};

#[derive(Debug, Clone)]
enum Op<K, V> {
    Insert(K, V),
    Remove(K),
    Get(K),
    Range(Bound<K>, Bound<K>),
    Compact,
}

fn bound<K: Debug + Clone>(
    key: impl Strategy<Value = K> + Clone,
) -> impl Strategy<Value = Bound<K>> {
    prop_oneof![
        Just(Bound::Unbounded),
        key.clone().prop_map(Bound::Included),
        key.prop_map(Bound::Excluded),
    ]
}

fn ops<K, V>(
    key: impl Strategy<Value = K> + Clone,
    value: impl Strategy<Value = V>,
) -> impl Strategy<Value = Vec<Op<K, V>>>
where
    K: Debug + Clone,
    V: Debug + Clone,
{
    let op = prop_oneof![
        6 => (key.clone(), value).prop_map(|(key, value)| Op::Insert(key, value)),
        4 => key.clone().prop_map(Op::Remove),
        2 => key.clone().prop_map(Op::Get),
        2 => (bound(key.clone()), bound(key)).prop_map(|(start, end)| Op::Range(start, end)),
        1 => Just(Op::Compact),
    ];
    vec(op, 1..300)
}

fn within<K: Ord>(key: &K, start: &Bound<K>, end: &Bound<K>) -> bool {
    let after_start = match start {
        Bound::Included(bound) => key >= bound,
        Bound::Excluded(bound) => key > bound,
        Bound::Unbounded => true,
    };
    let before_end = match end {
        Bound::Included(bound) => key <= bound,
        Bound::Excluded(bound) => key < bound,
        Bound::Unbounded => true,
    };
    after_start && before_end
}

/// Applies `ops` to `tree` and to a `BTreeMap`, comparing every result.
fn run_against_model<K, V>(
    mut tree: BPlusTree<K, V>,
    ops: Vec<Op<K, V>>,
) -> Result<(), TestCaseError>
where
    K: Ord + Clone + Debug,
    V: Clone + PartialEq + Debug,
{
    let mut model = BTreeMap::new();
    for (step, op) in ops.into_iter().enumerate() {
        match op {
            Op::Insert(key, value) => {
                prop_assert_eq!(
                    tree.insert(key.clone(), value.clone()),
                    model.insert(key, value),
                    "step {}",
                    step
                );
            }
            Op::Remove(key) => {
                prop_assert_eq!(tree.remove(&key), model.remove(&key), "step {}", step);
            }
            Op::Get(key) => {
                prop_assert_eq!(tree.get(&key), model.get(&key), "step {}", step);
            }
            Op::Range(start, end) => {
                let expected: Vec<(&K, &V)> = model
                    .iter()
                    .filter(|(key, _)| within(*key, &start, &end))
                    .collect();
                let forward: Vec<(&K, &V)> = tree.range((start.clone(), end.clone())).collect();
                prop_assert_eq!(&forward, &expected, "forward range, step {}", step);
                let mut reverse: Vec<(&K, &V)> = tree.range((start, end)).rev().collect();
                reverse.reverse();
                prop_assert_eq!(&reverse, &expected, "reverse range, step {}", step);
            }
            Op::Compact => tree.compact(),
        }
        tree.check_invariants();
        prop_assert_eq!(tree.len(), model.len(), "len, step {}", step);
    }
    prop_assert!(tree.iter().eq(model.iter()), "final contents differ");
    prop_assert!(
        tree.iter().rev().eq(model.iter().rev()),
        "final reverse contents differ"
    );
    prop_assert_eq!(tree.first_key_value(), model.first_key_value());
    prop_assert_eq!(tree.last_key_value(), model.last_key_value());
    Ok(())
}

fn tree<K: Ord + Clone + Weigh, V: Weigh>(page_size: usize, fanout: usize) -> BPlusTree<K, V> {
    BPlusTree::new(BTreeConfig { page_size, fanout }).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Fixed-size entries: the fanout alone limits nodes.
    #[test]
    fn u64_keys_match_btreemap(fanout in 4usize..16, ops in ops(0u64..200, any::<u64>())) {
        run_against_model(tree::<u64, u64>(4096, fanout), ops)?;
    }

    /// Byte-string keys and posting-list values of mixed lengths on small
    /// pages: the page budget limits most leaves, and some entries exceed
    /// the quarter-page cap.
    #[test]
    fn byte_keys_match_btreemap(
        fanout in 4usize..16,
        page_size in 256usize..1024,
        ops in ops(
            vec(0u8..4, 0..120),
            vec(any::<u32>(), 0..80),
        ),
    ) {
        run_against_model(tree::<Vec<u8>, Vec<u32>>(page_size, fanout), ops)?;
    }

    /// Bulk load at any accepted fill factor, then random updates.
    #[test]
    fn bulk_load_then_ops_match_btreemap(
        fanout in 4usize..16,
        fill_factor in 0.5f64..=1.0,
        keys in proptest::collection::btree_set(0u64..400, 0..300),
        ops in ops(0u64..400, any::<u64>()),
    ) {
        let mut loaded = tree::<u64, u64>(4096, fanout);
        loaded.bulk_load(keys.iter().map(|&key| (key, key)), fill_factor).unwrap();
        loaded.check_invariants();
        prop_assert!(loaded.iter().map(|(key, _)| *key).eq(keys.iter().copied()));

        // Replay the loaded keys as inserts in the model, then the ops.
        let mut all_ops: Vec<Op<u64, u64>> = keys.iter().map(|&key| Op::Get(key)).collect();
        all_ops.extend(ops);
        let mut model: BTreeMap<u64, u64> = keys.iter().map(|&key| (key, key)).collect();
        for (step, op) in all_ops.into_iter().enumerate() {
            match op {
                Op::Insert(key, value) => prop_assert_eq!(loaded.insert(key, value), model.insert(key, value), "step {}", step),
                Op::Remove(key) => prop_assert_eq!(loaded.remove(&key), model.remove(&key), "step {}", step),
                Op::Get(key) => prop_assert_eq!(loaded.get(&key), model.get(&key), "step {}", step),
                Op::Range(start, end) => {
                    let expected: Vec<_> = model.iter().filter(|(key, _)| within(*key, &start, &end)).collect();
                    let reversed: Vec<_> = loaded.range((start, end)).rev().collect();
                    prop_assert!(reversed.into_iter().rev().eq(expected), "range, step {}", step);
                }
                Op::Compact => loaded.compact(),
            }
            loaded.check_invariants();
        }
        prop_assert!(loaded.iter().eq(model.iter()));
    }

    /// Posting lists that grow and shrink through `get_mut`.
    #[test]
    fn get_mut_resizes_match_btreemap(
        fanout in 4usize..16,
        page_size in 256usize..1024,
        edits in vec((0u8..40, 0usize..60), 1..200),
    ) {
        let mut tree = tree::<Vec<u8>, Vec<u32>>(page_size, fanout);
        let mut model: BTreeMap<Vec<u8>, Vec<u32>> = BTreeMap::new();
        for key in 0..40u8 {
            tree.insert(vec![key; 8], Vec::new());
            model.insert(vec![key; 8], Vec::new());
        }
        for (step, (key, length)) in edits.into_iter().enumerate() {
            let key = vec![key; 8];
            let mut ids = tree.get_mut(&key).unwrap();
            ids.resize(length, step as u32);
            ids.shrink_to_fit();
            drop(ids);
            let expected = model.get_mut(&key).unwrap();
            expected.resize(length, step as u32);
            tree.check_invariants();
        }
        prop_assert!(tree.iter().eq(model.iter()));
    }
}
