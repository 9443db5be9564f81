//! Building a tree bottom-up from sorted entries, for `bulk_load` and
//! `compact`.

use std::mem;

use super::budget::Budget;
use super::config::BTreeError;
use super::node::{Arena, Internal, Leaf, Node, NodeId};
use super::update::{balance_leaves, LeafPair};
use super::BPlusTree;

impl<K: Ord + Clone, V> BPlusTree<K, V> {
    /// Replaces the contents with `items`, which must be sorted by key
    /// without duplicates. O(n): fills leaves left to right, then builds each
    /// level above from the one below.
    ///
    /// `fill_factor` is the fraction of a leaf's page budget and of an
    /// internal node's fanout to fill, from 0.5 to 1.0. Values below 1.0
    /// leave room for inserts before leaves split. The last node of a level
    /// is rebalanced with the one before it, so it may end fuller or emptier,
    /// but within the occupancy rules.
    ///
    /// # Errors
    ///
    /// [`BTreeError::InvalidFillFactor`] for a fill factor outside
    /// `0.5..=1.0`, [`BTreeError::UnsortedInput`] and
    /// [`BTreeError::DuplicateKey`] for input out of order. On error the tree
    /// is unchanged, and the items read so far are dropped.
    pub fn bulk_load<I>(&mut self, items: I, fill_factor: f64) -> Result<(), BTreeError>
    where
        I: IntoIterator<Item = (K, V)>,
    {
        // `contains` is false for NaN as well.
        if !(0.5..=1.0).contains(&fill_factor) {
            return Err(BTreeError::InvalidFillFactor(fill_factor));
        }
        let mut builder = Builder::new(&self.budget, fill_factor);
        for (position, (key, value)) in items.into_iter().enumerate() {
            builder.push(position, key, value)?;
        }
        let built = builder.finish();
        self.install(built);
        Ok(())
    }

    /// Rebuilds the tree from its own entries with full leaves and internal
    /// nodes, in a new arena without free slots. O(n). Entries are moved,
    /// not cloned.
    pub fn compact(&mut self) {
        let mut old = mem::replace(&mut self.arena, Arena::new());
        let mut builder = Builder::new(&self.budget, 1.0);
        let mut next = Some(old.leftmost_leaf(self.root));
        let mut position = 0;
        while let Some(id) = next {
            let Node::Leaf(leaf) = old.take(id) else {
                panic!("B+Tree node {id} is not a leaf");
            };
            next = leaf.next;
            for (key, value) in leaf.keys.into_iter().zip(leaf.values) {
                builder
                    .push(position, key, value)
                    .expect("leaf links visit the entries in key order");
                position += 1;
            }
        }
        let built = builder.finish();
        self.install(built);
    }

    fn install(&mut self, built: Built<K, V>) {
        self.arena = built.arena;
        self.root = built.root;
        self.height = built.height;
        self.len = built.len;
        self.path.clear();
    }
}

/// A finished tree, ready to replace the contents of a `BPlusTree`.
struct Built<K, V> {
    arena: Arena<K, V>,
    root: NodeId,
    height: usize,
    len: usize,
}

struct Builder<'b, K, V> {
    budget: &'b Budget<K, V>,
    fill_factor: f64,
    /// Load at which the current leaf is closed. At least half the
    /// capacity, so above `min_load`.
    leaf_target: u64,
    arena: Arena<K, V>,
    /// First key and id of each closed leaf, in key order.
    leaves: Vec<(K, NodeId)>,
    current: Leaf<K, V>,
    len: usize,
}

impl<'b, K: Ord + Clone, V> Builder<'b, K, V> {
    fn new(budget: &'b Budget<K, V>, fill_factor: f64) -> Self {
        Builder {
            budget,
            fill_factor,
            leaf_target: (fill_factor * budget.capacity as f64) as u64,
            arena: Arena::new(),
            leaves: Vec::new(),
            current: Leaf::empty(),
            len: 0,
        }
    }

    /// Appends one entry. `position` is its index in the input, for errors.
    fn push(&mut self, position: usize, key: K, value: V) -> Result<(), BTreeError> {
        // The current leaf is closed only below, so it contains the
        // previous entry whenever there is one.
        if let Some(last) = self.current.keys.last() {
            match key.cmp(last) {
                std::cmp::Ordering::Less => return Err(BTreeError::UnsortedInput { position }),
                std::cmp::Ordering::Equal => return Err(BTreeError::DuplicateKey { position }),
                std::cmp::Ordering::Greater => {}
            }
        }

        // A leaf is closed once it reaches the target, or when this entry
        // would push it past capacity. In the second case its load exceeds
        // `capacity - max_charge`, which is above `min_load` as well.
        let charge = self.budget.charge(&key, &value);
        let current_load = self.current.load;
        if !self.current.keys.is_empty()
            && (current_load >= self.leaf_target || current_load + charge > self.budget.capacity)
        {
            self.close_leaf();
        }
        self.current.keys.push(key);
        self.current.values.push(value);
        self.current.load += charge;
        self.len += 1;
        Ok(())
    }

    fn close_leaf(&mut self) {
        let mut leaf = mem::replace(&mut self.current, Leaf::empty());
        let prev = self.leaves.last().map(|&(_, id)| id);
        leaf.prev = prev;
        let first_key = leaf.keys[0].clone();
        let id = self.arena.alloc(Node::Leaf(leaf));
        if let Some(prev) = prev {
            self.arena.leaf_mut(prev).next = Some(id);
        }
        self.leaves.push((first_key, id));
    }

    fn finish(mut self) -> Built<K, V> {
        if !self.current.keys.is_empty() {
            self.close_leaf();
        }
        if self.leaves.is_empty() {
            let root = self.arena.alloc(Node::Leaf(Leaf::empty()));
            return Built {
                arena: self.arena,
                root,
                height: 1,
                len: 0,
            };
        }

        // The last leaf took whatever entries were left, so it may be
        // underfull. It is repaired as after a removal.
        let last = self.leaves.len() - 1;
        let last_id = self.leaves[last].1;
        if last > 0 && self.budget.leaf_underfull(self.arena.leaf(last_id).load) {
            let before_id = self.leaves[last - 1].1;
            match balance_leaves(&mut self.arena, self.budget, before_id, last_id) {
                LeafPair::Redistributed { separator } => self.leaves[last].0 = separator,
                LeafPair::Merged => {
                    self.leaves.pop();
                    // The merged leaf was allocated last, so its slot is
                    // the arena's tail.
                    self.arena.trim_free_tail();
                }
            }
        }

        let per_node = ((self.fill_factor * self.budget.fanout as f64).ceil() as usize)
            .clamp(self.budget.min_children, self.budget.fanout);
        let mut level = mem::take(&mut self.leaves);
        let mut height = 1;
        while level.len() > 1 {
            level = self.build_level(level, per_node);
            height += 1;
        }
        self.arena.nodes.shrink_to_fit();
        Built {
            arena: self.arena,
            root: level[0].1,
            height,
            len: self.len,
        }
    }

    /// Groups `children` (first key and id of each node of one level) under
    /// new internal nodes, and returns the same pairs for those nodes.
    /// Every separator is the first key of the child after it, which is above
    /// every key of the child before it.
    fn build_level(&mut self, children: Vec<(K, NodeId)>, per_node: usize) -> Vec<(K, NodeId)> {
        let sizes = group_sizes(
            children.len(),
            per_node,
            self.budget.min_children,
            self.budget.fanout,
        );
        let mut children = children.into_iter();
        let mut parents = Vec::with_capacity(sizes.len());
        for size in sizes {
            let (first_key, first_child) =
                children.next().expect("group sizes sum to the child count");
            let mut node = Internal {
                keys: Vec::with_capacity(size - 1),
                children: Vec::with_capacity(size),
            };
            node.children.push(first_child);
            for (key, child) in children.by_ref().take(size - 1) {
                node.keys.push(key);
                node.children.push(child);
            }
            parents.push((first_key, self.arena.alloc(Node::Internal(node))));
        }
        parents
    }
}

/// Splits `count >= 2` children into groups of `per_node`, except the last
/// one or two. A last group below `min` is merged into the one before it
/// when the two fit in `max`. Otherwise the two are split evenly, and since
/// together they exceed `max`, each half has at least `ceil(max / 2) = min`.
/// A lone group is the root, which needs only two children.
fn group_sizes(count: usize, per_node: usize, min: usize, max: usize) -> Vec<usize> {
    let mut sizes = vec![per_node; count / per_node];
    let rest = count % per_node;
    if rest == 0 {
        return sizes;
    }
    if rest >= min || sizes.is_empty() {
        sizes.push(rest);
        return sizes;
    }
    let total = sizes.pop().expect("checked non-empty") + rest;
    if total <= max {
        sizes.push(total);
    } else {
        sizes.push(total.div_ceil(2));
        sizes.push(total / 2);
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::group_sizes;

    #[test]
    fn group_sizes_cover_count_within_limits() {
        for max in 4usize..=20 {
            let min = max.div_ceil(2);
            for per_node in min..=max {
                for count in 2..200 {
                    let sizes = group_sizes(count, per_node, min, max);
                    assert_eq!(
                        sizes.iter().sum::<usize>(),
                        count,
                        "sum, count {count} per {per_node} max {max}"
                    );
                    assert!(sizes.iter().all(|&size| size <= max), "max, {sizes:?}");
                    if sizes.len() > 1 {
                        assert!(
                            sizes.iter().all(|&size| size >= min),
                            "min, {sizes:?} max {max}"
                        );
                    } else {
                        assert!(sizes[0] >= 2, "root size, {sizes:?}");
                    }
                }
            }
        }
    }
}
