//! Shape and memory figures of a tree.

use std::mem::size_of;

use super::node::{Node, NodeId};
use super::BPlusTree;

/// Figures returned by [`BPlusTree::stats`].
#[derive(Debug, Clone, PartialEq)]
pub struct BTreeStats {
    /// Levels including the leaves, 1 while the root is a leaf.
    pub height: usize,
    /// Nodes in use, leaves included.
    pub pages: usize,
    pub leaf_pages: usize,
    /// Released arena slots waiting for reuse, which `compact` drops.
    pub free_pages: usize,
    pub entries: usize,
    /// Average leaf entries divided by fanout, from 0.0 to 1.0. Leaves of
    /// large entries reach their page budget at a lower figure.
    pub fill_factor: f64,
    /// Estimated memory: the tree and arena structs, every node's vector
    /// capacity, and the heap bytes of keys and values as reported by the
    /// weigher (its estimate minus the inline `size_of`).
    pub bytes: usize,
}

impl<K: Ord + Clone, V> BPlusTree<K, V> {
    /// Computes the figures by visiting every node and weighing every key
    /// and value. O(n).
    pub fn stats(&self) -> BTreeStats {
        let weigher = self.budget.weigher;
        let key_heap = |key: &K| (weigher.key_bytes)(key).saturating_sub(size_of::<K>());
        let value_heap = |value: &V| (weigher.value_bytes)(value).saturating_sub(size_of::<V>());

        let mut leaf_pages = 0;
        let mut bytes = size_of::<Self>()
            + self.arena.nodes.capacity() * size_of::<Node<K, V>>()
            + self.arena.free.capacity() * size_of::<NodeId>()
            + self.path.capacity() * size_of::<(NodeId, usize)>();
        for node in &self.arena.nodes {
            match node {
                Node::Leaf(leaf) => {
                    leaf_pages += 1;
                    bytes += leaf.keys.capacity() * size_of::<K>()
                        + leaf.values.capacity() * size_of::<V>()
                        + leaf.keys.iter().map(key_heap).sum::<usize>()
                        + leaf.values.iter().map(value_heap).sum::<usize>();
                }
                Node::Internal(internal) => {
                    bytes += internal.keys.capacity() * size_of::<K>()
                        + internal.children.capacity() * size_of::<NodeId>()
                        + internal.keys.iter().map(key_heap).sum::<usize>();
                }
                Node::Free => {}
            }
        }

        BTreeStats {
            height: self.height,
            pages: self.arena.live(),
            leaf_pages,
            free_pages: self.arena.free.len(),
            entries: self.len,
            fill_factor: self.len as f64 / (leaf_pages * self.budget.fanout) as f64,
            bytes,
        }
    }
}
