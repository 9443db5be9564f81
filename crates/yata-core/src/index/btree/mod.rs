//! An in-memory B+Tree with a page budget: the ordered map behind the
//! attribute indexes (attribute value to posting list of entity ids).
//!
//! Entries live only in leaves. Internal nodes hold separator keys cloned
//! from leaves. Leaves are linked both ways, so a range scan descends once and
//! then walks from leaf to leaf in either direction. Nodes live in an arena (a
//! `Vec` plus a free list) and refer to each other by `u32` ids, so the tree
//! needs neither unsafe code nor reference counting.
//!
//! # Invariants
//!
//! Every public method returns with all of these true, and
//! `check_invariants` (tests only) verifies them:
//!
//! 1. Keys in every node are strictly ascending.
//! 2. An internal node has one child more than keys, and every key under
//!    `children[i]` is `>= keys[i - 1]` and `< keys[i]`.
//! 3. Every leaf is at depth `height`.
//! 4. Occupancy: an internal node has at most `fanout` children. A non-root
//!    internal node has at least `ceil(fanout / 2)`, and a root one at least
//!    two. Leaves follow the load rule in `budget.rs`. It caps a leaf at
//!    `fanout` entries and at `page_size` estimated bytes, with each entry
//!    counted at most a quarter page, and sets a minimum for non-root leaves.
//! 5. Following `next` from the leftmost leaf visits every leaf in key order,
//!    and `prev` is its exact reverse.
//!
//! NOTE: internal nodes are limited by `fanout` alone, so long separator keys
//! can make them larger than `page_size`.
//!
//! # Costs
//!
//! For `n` entries and fanout `F`, the height `h` is at most about
//! `log(n) / log(F / 2)`:
//!
//! - `get`, `get_mut`, `contains_key`: O(h log F) comparisons.
//! - `insert`, `remove`: O(h log F) comparisons plus O(F) element moves in
//!   the leaf. A split or merge costs O(F) more per level it reaches, so
//!   the worst case is O(h F). In insert-only workloads, splits are
//!   amortized O(1) per insert.
//! - `range`, `iter`: O(h log F) to position both ends, then O(1) per entry.
//! - `bulk_load`, `compact`: O(n). `stats`: O(n). `len`: O(1).

mod budget;
mod bulk;
mod config;
mod iter;
mod node;
mod stats;
mod update;
mod value_mut;
mod weigh;

#[cfg(test)]
mod invariants;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::borrow::Borrow;
use std::fmt;
use std::mem;
use std::ops::RangeBounds;

use budget::Budget;
use node::{Arena, Leaf, Node, NodeId};

pub use config::{BTreeConfig, BTreeError};
pub use iter::Range;
pub use stats::BTreeStats;
pub use value_mut::ValueMut;
pub use weigh::{Weigh, Weigher};

/// An ordered map from `K` to `V`, stored as a B+Tree in an arena.
///
/// The API follows `std::collections::BTreeMap` where the two overlap.
/// The differences: construction takes a [`BTreeConfig`], `get_mut` returns a
/// [`ValueMut`] guard, and `range` returns an empty iterator where
/// `BTreeMap::range` panics on a start bound past the end bound.
pub struct BPlusTree<K, V> {
    arena: Arena<K, V>,
    root: NodeId,
    /// Levels including the leaves, 1 while the root is a leaf.
    height: usize,
    len: usize,
    config: BTreeConfig,
    budget: Budget<K, V>,
    /// `(internal node, child position)` steps from the root to the leaf
    /// of the current update, kept to reuse its allocation.
    path: Vec<(NodeId, usize)>,
}

impl<K: Ord + Clone, V> BPlusTree<K, V> {
    /// Creates an empty tree that estimates entry bytes with [`Weigh`].
    pub fn new(config: BTreeConfig) -> Result<Self, BTreeError>
    where
        K: Weigh,
        V: Weigh,
    {
        Self::with_weigher(config, Weigher::default())
    }

    /// Creates an empty tree that estimates entry bytes with `weigher`.
    pub fn with_weigher(config: BTreeConfig, weigher: Weigher<K, V>) -> Result<Self, BTreeError> {
        config.validate()?;
        let mut arena = Arena::new();
        let root = arena.alloc(Node::Leaf(Leaf::empty()));
        Ok(BPlusTree {
            arena,
            root,
            height: 1,
            len: 0,
            config,
            budget: Budget::new(config, weigher),
            path: Vec::new(),
        })
    }

    pub fn config(&self) -> BTreeConfig {
        self.config
    }

    /// Number of entries. O(1).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Returns the value stored under `key`. O(h log F).
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let leaf = self.arena.leaf(self.arena.find_leaf(self.root, key));
        let index = leaf.search(key).ok()?;
        Some(&leaf.values[index])
    }

    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.get(key).is_some()
    }

    /// Returns a guard for changing the value stored under `key`. O(h log F).
    ///
    /// Dropping the guard re-weighs the value and, if its charge changed,
    /// splits or rebalances the leaf as an insert or remove would.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<ValueMut<'_, K, V>>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let leaf_id = self.arena.find_leaf(self.root, key);
        let leaf = self.arena.leaf(leaf_id);
        let index = leaf.search(key).ok()?;
        let charge = self.budget.charge(&leaf.keys[index], &leaf.values[index]);
        Some(ValueMut::new(self, leaf_id, index, charge))
    }

    /// Inserts `value` under `key` and returns the value it replaced.
    /// On replacement the stored key is kept and `key` is dropped, as in
    /// `BTreeMap`. O(h log F + F), see the module costs.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let leaf_id = self.descend(&key);
        let charge = self.budget.charge(&key, &value);
        let leaf = self.arena.leaf_mut(leaf_id);
        let replaced = match leaf.search(&key) {
            Ok(index) => {
                let old = mem::replace(&mut leaf.values[index], value);
                let old_charge = self.budget.charge(&leaf.keys[index], &old);
                leaf.load = leaf.load - old_charge + charge;
                Some(old)
            }
            Err(index) => {
                leaf.keys.insert(index, key);
                leaf.values.insert(index, value);
                leaf.load += charge;
                self.len += 1;
                None
            }
        };
        self.settle(leaf_id);
        replaced
    }

    /// Removes the entry under `key` and returns its value.
    /// O(h log F + F), see the module costs.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let leaf_id = self.descend(key);
        let leaf = self.arena.leaf_mut(leaf_id);
        let index = leaf.search(key).ok()?;
        let key = leaf.keys.remove(index);
        let value = leaf.values.remove(index);
        leaf.load -= self.budget.charge(&key, &value);
        self.len -= 1;
        self.settle(leaf_id);
        Some(value)
    }

    /// Returns the entry with the smallest key. O(h).
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        let leaf = self.arena.leaf(self.arena.leftmost_leaf(self.root));
        Some((leaf.keys.first()?, leaf.values.first()?))
    }

    /// Returns the entry with the largest key. O(h).
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        let leaf = self.arena.leaf(self.arena.rightmost_leaf(self.root));
        Some((leaf.keys.last()?, leaf.values.last()?))
    }

    /// Iterates in key order, from either end, over the entries whose keys
    /// lie within `range`. O(h log F) to start, then O(1) per entry.
    ///
    /// A start bound past the end bound, or equal to it with either bound
    /// excluded, yields nothing.
    pub fn range<Q, R>(&self, range: R) -> Range<'_, K, V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
        R: RangeBounds<Q>,
    {
        Range::new(
            &self.arena,
            self.root,
            range.start_bound(),
            range.end_bound(),
        )
    }

    /// Iterates over all entries in key order, from either end.
    pub fn iter(&self) -> Range<'_, K, V> {
        self.range::<K, _>(..)
    }

    /// Removes every entry and releases all nodes. O(n) drops.
    pub fn clear(&mut self) {
        self.arena = Arena::new();
        self.root = self.arena.alloc(Node::Leaf(Leaf::empty()));
        self.height = 1;
        self.len = 0;
    }
}

impl<K: Ord + Clone + Weigh, V: Weigh> Default for BPlusTree<K, V> {
    fn default() -> Self {
        Self::new(BTreeConfig::default()).expect("the default config is valid")
    }
}

impl<'a, K: Ord + Clone, V> IntoIterator for &'a BPlusTree<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Range<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<K: Ord + Clone + fmt::Debug, V: fmt::Debug> fmt::Debug for BPlusTree<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}
