//! The guard returned by `BPlusTree::get_mut`.

use std::fmt;
use std::ops::{Deref, DerefMut};

use super::node::NodeId;
use super::BPlusTree;

/// Mutable access to one stored value that keeps its leaf within the page
/// budget.
///
/// A value's estimated bytes can change through the guard, for example when
/// a posting list grows. Dropping the guard re-weighs the value: if its
/// charge is unchanged this is O(1) plus the weigher's cost. Otherwise the
/// leaf's load is updated and the leaf is split or rebalanced as after an
/// insert or remove, O(h log F + F).
pub struct ValueMut<'a, K: Ord + Clone, V> {
    tree: &'a mut BPlusTree<K, V>,
    leaf: NodeId,
    index: usize,
    /// The entry's charge when the guard was created.
    charge: u64,
}

impl<'a, K: Ord + Clone, V> ValueMut<'a, K, V> {
    pub(super) fn new(
        tree: &'a mut BPlusTree<K, V>,
        leaf: NodeId,
        index: usize,
        charge: u64,
    ) -> Self {
        ValueMut {
            tree,
            leaf,
            index,
            charge,
        }
    }

    /// Returns the key of the entry.
    pub fn key(&self) -> &K {
        &self.tree.arena.leaf(self.leaf).keys[self.index]
    }
}

impl<K: Ord + Clone, V> Deref for ValueMut<'_, K, V> {
    type Target = V;

    fn deref(&self) -> &V {
        &self.tree.arena.leaf(self.leaf).values[self.index]
    }
}

impl<K: Ord + Clone, V> DerefMut for ValueMut<'_, K, V> {
    fn deref_mut(&mut self) -> &mut V {
        &mut self.tree.arena.leaf_mut(self.leaf).values[self.index]
    }
}

impl<K: Ord + Clone, V> Drop for ValueMut<'_, K, V> {
    fn drop(&mut self) {
        let tree = &mut *self.tree;
        let leaf = tree.arena.leaf_mut(self.leaf);
        let charge = tree
            .budget
            .charge(&leaf.keys[self.index], &leaf.values[self.index]);
        if charge == self.charge {
            return;
        }
        leaf.load = leaf.load - self.charge + charge;

        // `settle` needs the root-to-leaf path, which only a fresh descent
        // by key records.
        let key = leaf.keys[self.index].clone();
        let leaf_id = tree.descend(&key);
        debug_assert_eq!(leaf_id, self.leaf);
        tree.settle(leaf_id);
    }
}

impl<K: Ord + Clone, V: fmt::Debug> fmt::Debug for ValueMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
