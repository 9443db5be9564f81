//! A full structural check for tests, with the invariants numbered as in the
//! module documentation.

use super::node::{Node, NodeId};
use super::BPlusTree;

impl<K: Ord + Clone, V> BPlusTree<K, V> {
    /// Panics with a description of the first broken invariant. O(n).
    pub(super) fn check_invariants(&self) {
        let mut leaves = Vec::new();
        let mut visited = 0;
        let entries = self.check_node(self.root, None, None, 1, &mut leaves, &mut visited);
        assert_eq!(
            entries, self.len,
            "len() disagrees with the entries in the leaves"
        );

        assert_eq!(
            visited,
            self.arena.live(),
            "nodes reachable from the root differ from slots in use (a leak or a lost node)"
        );
        let free_slots = self
            .arena
            .nodes
            .iter()
            .filter(|node| matches!(node, Node::Free))
            .count();
        assert_eq!(
            free_slots,
            self.arena.free.len(),
            "free slots differ from the free list"
        );
        for &id in &self.arena.free {
            assert!(
                matches!(self.arena.node(id), Node::Free),
                "free-listed node {id} is in use"
            );
        }

        // 5: the `next` chain from the leftmost leaf is the in-order leaf
        // sequence, and `prev` is its reverse.
        let first = leaves[0];
        assert_eq!(
            self.arena.leaf(first).prev,
            None,
            "5: leftmost leaf {first} has a prev link"
        );
        let mut forward = vec![first];
        while let Some(next) = self.arena.leaf(*forward.last().unwrap()).next {
            assert!(
                forward.len() < leaves.len(),
                "5: next links run past the last leaf"
            );
            forward.push(next);
        }
        assert_eq!(
            forward, leaves,
            "5: next links differ from the in-order leaves"
        );
        let last = *leaves.last().unwrap();
        let mut backward = vec![last];
        while let Some(prev) = self.arena.leaf(*backward.last().unwrap()).prev {
            assert!(
                backward.len() < leaves.len(),
                "5: prev links run past the first leaf"
            );
            backward.push(prev);
        }
        backward.reverse();
        assert_eq!(
            backward, leaves,
            "5: prev links differ from the in-order leaves"
        );
    }

    /// Checks the subtree of `id`, whose keys must lie in `[lower, upper)`,
    /// appends its leaves in order, and returns its entry count.
    fn check_node(
        &self,
        id: NodeId,
        lower: Option<&K>,
        upper: Option<&K>,
        depth: usize,
        leaves: &mut Vec<NodeId>,
        visited: &mut usize,
    ) -> usize {
        *visited += 1;
        let is_root = id == self.root;
        let within = |key: &K| {
            lower.is_none_or(|lower| lower <= key) && upper.is_none_or(|upper| key < upper)
        };
        match self.arena.node(id) {
            Node::Free => panic!("node {id} is reachable but free"),
            Node::Leaf(leaf) => {
                assert_eq!(
                    depth, self.height,
                    "3: leaf {id} is at depth {depth}, height is {}",
                    self.height
                );
                assert_eq!(
                    leaf.keys.len(),
                    leaf.values.len(),
                    "leaf {id} has unequal key and value counts"
                );
                assert!(
                    leaf.keys.is_sorted_by(|a, b| a < b),
                    "1: leaf {id} keys are not strictly ascending"
                );
                assert!(
                    leaf.keys.iter().all(within),
                    "2: leaf {id} has a key outside its separators"
                );

                let load: u64 = self
                    .budget
                    .charges(leaf.keys.iter().zip(&leaf.values))
                    .iter()
                    .sum();
                assert_eq!(
                    leaf.load, load,
                    "leaf {id} stored load differs from its entries' charges"
                );
                assert!(
                    !self.budget.leaf_overfull(load),
                    "4: leaf {id} load {load} is over capacity"
                );
                assert!(
                    leaf.len() <= self.budget.fanout,
                    "4: leaf {id} has more than fanout entries"
                );
                if !is_root {
                    assert!(
                        !self.budget.leaf_underfull(load),
                        "4: non-root leaf {id} load {load} is below the minimum {}",
                        self.budget.min_load
                    );
                }
                leaves.push(id);
                leaf.len()
            }
            Node::Internal(node) => {
                assert!(
                    depth < self.height,
                    "3: internal node {id} at depth {depth} is at leaf level"
                );
                assert_eq!(
                    node.children.len(),
                    node.keys.len() + 1,
                    "2: internal node {id} child count"
                );
                assert!(
                    node.keys.is_sorted_by(|a, b| a < b),
                    "1: internal node {id} keys are not strictly ascending"
                );
                // Each child's subtree is non-empty, so a separator lies
                // strictly inside the node's interval.
                assert!(
                    node.keys
                        .iter()
                        .all(|key| lower.is_none_or(|lower| lower < key)
                            && upper.is_none_or(|upper| key < upper)),
                    "2: internal node {id} has a separator outside its interval"
                );
                let children = node.children.len();
                assert!(
                    !self.budget.internal_overfull(children),
                    "4: internal node {id} has {children} children"
                );
                if is_root {
                    assert!(
                        children >= 2,
                        "4: root internal node {id} has {children} child"
                    );
                } else {
                    assert!(
                        !self.budget.internal_underfull(children),
                        "4: internal node {id} has {children} children, minimum {}",
                        self.budget.min_children
                    );
                }

                let mut entries = 0;
                for (position, &child) in node.children.iter().enumerate() {
                    let child_lower = if position == 0 {
                        lower
                    } else {
                        Some(&node.keys[position - 1])
                    };
                    let child_upper = node.keys.get(position).or(upper);
                    entries += self.check_node(
                        child,
                        child_lower,
                        child_upper,
                        depth + 1,
                        leaves,
                        visited,
                    );
                }
                entries
            }
        }
    }

    /// Keys of each leaf, left to right.
    pub(super) fn leaf_keys(&self) -> Vec<Vec<K>> {
        let mut leaves = Vec::new();
        let mut next = Some(self.arena.leftmost_leaf(self.root));
        while let Some(id) = next {
            let leaf = self.arena.leaf(id);
            leaves.push(leaf.keys.clone());
            next = leaf.next;
        }
        leaves
    }

    /// Child counts of the internal nodes, one list per level from the root
    /// down. Empty while the root is a leaf.
    pub(super) fn internal_shape(&self) -> Vec<Vec<usize>> {
        let mut shape = Vec::new();
        let mut level = vec![self.root];
        while let Node::Internal(_) = self.arena.node(level[0]) {
            shape.push(
                level
                    .iter()
                    .map(|&id| self.arena.internal(id).children.len())
                    .collect(),
            );
            level = level
                .iter()
                .flat_map(|&id| self.arena.internal(id).children.clone())
                .collect();
        }
        shape
    }
}
