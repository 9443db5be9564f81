//! Restoring the occupancy rules after a leaf changed: splits, borrows,
//! merges, and growing or shrinking the root.
//!
//! An update descends once, recording the path, changes one leaf, then walks
//! the path back up. Each level reports one `Outcome` to its parent, and the
//! walk stops at the first level that still fits.

use std::borrow::Borrow;
use std::mem;

use super::budget::{balanced_split, Budget};
use super::node::{Arena, Internal, Leaf, Node, NodeId};
use super::BPlusTree;

/// The repair a changed node needs from its parent.
enum Outcome<K> {
    Fits,
    /// The node split. `right` is the new node after it, whose keys are all
    /// `>= separator`.
    Split {
        separator: K,
        right: NodeId,
    },
    /// The node is below its minimum occupancy (ignored for the root).
    Underfull,
}

/// The result of rebalancing two adjacent leaves.
pub(super) enum LeafPair<K> {
    /// Entries moved between the leaves. `separator` is the new first key of
    /// the right leaf.
    Redistributed { separator: K },
    /// The right leaf was moved into the left one and released.
    Merged,
}

impl<K: Ord + Clone, V> BPlusTree<K, V> {
    /// Finds the leaf whose key interval contains `key` and records the
    /// route to it in `self.path`.
    pub(super) fn descend<Q>(&mut self, key: &Q) -> NodeId
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.path.clear();
        let mut id = self.root;
        while let Node::Internal(node) = self.arena.node(id) {
            let position = node.child_index(key);
            self.path.push((id, position));
            id = node.children[position];
        }
        id
    }

    /// Restores the occupancy rules on the path recorded by the last
    /// `descend`, after `leaf` changed.
    pub(super) fn settle(&mut self, leaf: NodeId) {
        let mut path = mem::take(&mut self.path);
        let mut outcome = self.settle_leaf(leaf);
        while let Some((parent, position)) = path.pop() {
            outcome = match outcome {
                Outcome::Fits => break,
                Outcome::Split { separator, right } => {
                    self.insert_child(parent, position, separator, right)
                }
                Outcome::Underfull => self.repair_child(parent, position),
            };
        }

        // A split only reaches here after passing every level, so it is the
        // root that split.
        if let Outcome::Split { separator, right } = outcome {
            self.grow_root(separator, right);
        }
        self.shrink_root();

        path.clear();
        self.path = path;
    }

    fn settle_leaf(&mut self, id: NodeId) -> Outcome<K> {
        let load = self.arena.leaf(id).load;
        if self.budget.leaf_overfull(load) {
            self.split_leaf(id)
        } else if self.budget.leaf_underfull(load) {
            Outcome::Underfull
        } else {
            Outcome::Fits
        }
    }

    /// Splits an overfull leaf into two with loads as even as possible.
    ///
    /// The leaf carries more than `capacity` and at most `capacity +
    /// max_charge`, so both halves end up between `min_load` and `capacity`
    /// (see `budget.rs`).
    fn split_leaf(&mut self, id: NodeId) -> Outcome<K> {
        let leaf = self.arena.leaf_mut(id);
        let charges = self.budget.charges(leaf.keys.iter().zip(&leaf.values));
        let (cut, left_load) =
            balanced_split(&charges).expect("an overfull leaf contains at least two entries");

        let right = Leaf {
            keys: leaf.keys.split_off(cut),
            values: leaf.values.split_off(cut),
            load: leaf.load - left_load,
            prev: Some(id),
            next: leaf.next,
        };
        leaf.load = left_load;
        let separator = right.keys[0].clone();
        let old_next = right.next;

        let right_id = self.arena.alloc(Node::Leaf(right));
        self.arena.leaf_mut(id).next = Some(right_id);
        if let Some(next) = old_next {
            self.arena.leaf_mut(next).prev = Some(right_id);
        }
        Outcome::Split {
            separator,
            right: right_id,
        }
    }

    /// Adds `right`, split off `children[position]`, as the child after it.
    fn insert_child(
        &mut self,
        parent: NodeId,
        position: usize,
        separator: K,
        right: NodeId,
    ) -> Outcome<K> {
        let node = self.arena.internal_mut(parent);
        // `right` covers `[separator, old upper bound of children[position])`,
        // so the separator goes between the two and the intervals stay sorted.
        node.keys.insert(position, separator);
        node.children.insert(position + 1, right);
        if self.budget.internal_overfull(node.children.len()) {
            self.split_internal(parent)
        } else {
            Outcome::Fits
        }
    }

    /// Splits an internal node with `fanout + 1` children into halves of
    /// `ceil((fanout + 1) / 2)` and `floor((fanout + 1) / 2)` children, both
    /// at least `ceil(fanout / 2)`. The middle key moves up to the parent.
    fn split_internal(&mut self, id: NodeId) -> Outcome<K> {
        let node = self.arena.internal_mut(id);
        let left_children = node.children.len().div_ceil(2);
        let right = Internal {
            children: node.children.split_off(left_children),
            keys: node.keys.split_off(left_children),
        };
        let separator = node.keys.pop().expect("a split internal node has keys");
        let right = self.arena.alloc(Node::Internal(right));
        Outcome::Split { separator, right }
    }

    /// Puts a new root above the old root and `right`, one level higher.
    fn grow_root(&mut self, separator: K, right: NodeId) {
        let root = Internal {
            keys: vec![separator],
            children: vec![self.root, right],
        };
        self.root = self.arena.alloc(Node::Internal(root));
        self.height += 1;
    }

    /// Replaces a root internal node that has one child by that child.
    fn shrink_root(&mut self) {
        while let Node::Internal(node) = self.arena.node(self.root) {
            if node.children.len() > 1 {
                break;
            }
            let child = node.children[0];
            self.arena.release(self.root);
            self.root = child;
            self.height -= 1;
        }
    }

    /// Repairs the underfull `children[position]` of `parent` with a sibling,
    /// the left one when there is one, and reports whether `parent` itself
    /// became underfull.
    ///
    /// `parent` has at least two children: a non-root internal node has at
    /// least `ceil(fanout / 2) >= 2`, and the root one is shrunk at one.
    fn repair_child(&mut self, parent: NodeId, position: usize) -> Outcome<K> {
        let node = self.arena.internal(parent);
        let left_position = position.saturating_sub(1);
        let left = node.children[left_position];
        let right = node.children[left_position + 1];

        if let Node::Leaf(_) = self.arena.node(left) {
            match balance_leaves(&mut self.arena, &self.budget, left, right) {
                LeafPair::Redistributed { separator } => {
                    self.arena.internal_mut(parent).keys[left_position] = separator;
                }
                LeafPair::Merged => remove_child(self.arena.internal_mut(parent), left_position),
            }
        } else {
            let underfull_is_left = position == left_position;
            let sibling = if underfull_is_left { right } else { left };
            let sibling_children = self.arena.internal(sibling).children.len();
            if sibling_children > self.budget.min_children {
                self.borrow_child(parent, left_position, left, right, underfull_is_left);
            } else {
                self.merge_internals(parent, left_position, left, right);
            }
        }

        let children = self.arena.internal(parent).children.len();
        if self.budget.internal_underfull(children) {
            Outcome::Underfull
        } else {
            Outcome::Fits
        }
    }

    /// Moves one child across the separator `keys[left_position]` of
    /// `parent`, into the underfull node from its sibling, which has more
    /// than the minimum. The separator moves down and the sibling's edge key
    /// moves up, so every child keeps its key interval.
    fn borrow_child(
        &mut self,
        parent: NodeId,
        left_position: usize,
        left: NodeId,
        right: NodeId,
        into_left: bool,
    ) {
        if into_left {
            let donor = self.arena.internal_mut(right);
            let child = donor.children.remove(0);
            let up = donor.keys.remove(0);
            let down = mem::replace(&mut self.arena.internal_mut(parent).keys[left_position], up);
            let node = self.arena.internal_mut(left);
            node.keys.push(down);
            node.children.push(child);
        } else {
            let donor = self.arena.internal_mut(left);
            let child = donor.children.pop().expect("a donor has children");
            let up = donor.keys.pop().expect("a donor has keys");
            let down = mem::replace(&mut self.arena.internal_mut(parent).keys[left_position], up);
            let node = self.arena.internal_mut(right);
            node.keys.insert(0, down);
            node.children.insert(0, child);
        }
    }

    /// Merges `right` into `left` with the separator between them. One has
    /// `ceil(fanout / 2) - 1` children and the other the minimum, so the
    /// result has at most `fanout`.
    fn merge_internals(
        &mut self,
        parent: NodeId,
        left_position: usize,
        left: NodeId,
        right: NodeId,
    ) {
        let parent_node = self.arena.internal_mut(parent);
        let separator = parent_node.keys.remove(left_position);
        parent_node.children.remove(left_position + 1);
        let Node::Internal(removed) = self.arena.take(right) else {
            panic!("B+Tree node {right} is not an internal node");
        };
        let node = self.arena.internal_mut(left);
        node.keys.push(separator);
        node.keys.extend(removed.keys);
        node.children.extend(removed.children);
    }
}

/// Drops the separator `keys[left_position]` and the child after it, which
/// was merged into `children[left_position]`.
fn remove_child<K>(node: &mut Internal<K>, left_position: usize) {
    node.keys.remove(left_position);
    node.children.remove(left_position + 1);
}

/// Rebalances two adjacent leaves, at least one of them underfull: moves
/// entries between them when both can end at or above `min_load`, else
/// merges `right` into `left` and releases it. The caller updates the parent.
///
/// A merge always fits: the even split leaves the lighter side at least
/// `(total - max_charge) / 2`, so when that is below `min_load` the total is
/// below `capacity`. O(F).
pub(super) fn balance_leaves<K: Clone, V>(
    arena: &mut Arena<K, V>,
    budget: &Budget<K, V>,
    left: NodeId,
    right: NodeId,
) -> LeafPair<K> {
    let (left_leaf, right_leaf) = arena.leaf_pair_mut(left, right);
    let charges = budget.charges(
        left_leaf
            .keys
            .iter()
            .zip(&left_leaf.values)
            .chain(right_leaf.keys.iter().zip(&right_leaf.values)),
    );
    let total = left_leaf.load + right_leaf.load;

    if let Some((cut, left_load)) = balanced_split(&charges) {
        let right_load = total - left_load;
        if !budget.leaf_underfull(left_load) && !budget.leaf_underfull(right_load) {
            let left_len = left_leaf.len();
            if cut < left_len {
                let keys = left_leaf.keys.split_off(cut);
                let values = left_leaf.values.split_off(cut);
                right_leaf.keys.splice(0..0, keys);
                right_leaf.values.splice(0..0, values);
            } else {
                let moved = cut - left_len;
                left_leaf.keys.extend(right_leaf.keys.drain(..moved));
                left_leaf.values.extend(right_leaf.values.drain(..moved));
            }
            left_leaf.load = left_load;
            right_leaf.load = right_load;
            return LeafPair::Redistributed {
                separator: right_leaf.keys[0].clone(),
            };
        }
    }

    let Node::Leaf(mut removed) = arena.take(right) else {
        panic!("B+Tree node {right} is not a leaf");
    };
    let left_leaf = arena.leaf_mut(left);
    left_leaf.keys.append(&mut removed.keys);
    left_leaf.values.append(&mut removed.values);
    left_leaf.load += removed.load;
    left_leaf.next = removed.next;
    if let Some(next) = removed.next {
        arena.leaf_mut(next).prev = Some(left);
    }
    LeafPair::Merged
}
