//! Double-ended iteration over a key range by following leaf links.

use std::borrow::Borrow;
use std::iter::FusedIterator;
use std::ops::Bound;

use super::node::{Arena, Leaf, NodeId};

/// An entry's place: a leaf and an index into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Position {
    leaf: NodeId,
    index: usize,
}

/// An iterator over the entries of a key range, in ascending key order, or
/// descending with `.rev()`. Created by [`BPlusTree::range`](super::BPlusTree::range)
/// and [`BPlusTree::iter`](super::BPlusTree::iter).
///
/// `front` and `back` are the next entries to yield from each end, and
/// `front_leaf` and `back_leaf` the leaves they point into. Each step is
/// O(1): it moves within a leaf or follows one leaf link, and no non-root
/// leaf is empty.
pub struct Range<'a, K, V> {
    arena: &'a Arena<K, V>,
    front: Position,
    front_leaf: &'a Leaf<K, V>,
    back: Position,
    back_leaf: &'a Leaf<K, V>,
    /// Flag set once the two ends have met, after which the positions are
    /// stale.
    finished: bool,
}

impl<'a, K, V> Range<'a, K, V> {
    pub(super) fn new<Q>(
        arena: &'a Arena<K, V>,
        root: NodeId,
        start: Bound<&Q>,
        end: Bound<&Q>,
    ) -> Self
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let Some(front) = first_at_or_after(arena, root, start) else {
            return Self::empty(arena, root);
        };
        let Some(back) = last_at_or_before(arena, root, end) else {
            return Self::empty(arena, root);
        };

        // `front` is the first entry meeting the start bound. When it also
        // meets the end bound, `back` (the last entry meeting the end bound)
        // is at or after it. Otherwise the range is empty.
        let front_leaf = arena.leaf(front.leaf);
        let front_key = front_leaf.keys[front.index].borrow();
        let within_end = match end {
            Bound::Included(limit) => front_key <= limit,
            Bound::Excluded(limit) => front_key < limit,
            Bound::Unbounded => true,
        };
        if !within_end {
            return Self::empty(arena, root);
        }
        Range {
            arena,
            front,
            front_leaf,
            back,
            back_leaf: arena.leaf(back.leaf),
            finished: false,
        }
    }

    fn empty(arena: &'a Arena<K, V>, root: NodeId) -> Self {
        let leaf_id = arena.leftmost_leaf(root);
        let leaf = arena.leaf(leaf_id);
        let nowhere = Position {
            leaf: leaf_id,
            index: 0,
        };
        Range {
            arena,
            front: nowhere,
            front_leaf: leaf,
            back: nowhere,
            back_leaf: leaf,
            finished: true,
        }
    }
}

/// Finds the first entry that meets the start bound.
fn first_at_or_after<K, V, Q>(
    arena: &Arena<K, V>,
    root: NodeId,
    start: Bound<&Q>,
) -> Option<Position>
where
    K: Borrow<Q>,
    Q: Ord + ?Sized,
{
    let (leaf_id, index) = match start {
        Bound::Unbounded => (arena.leftmost_leaf(root), 0),
        Bound::Included(limit) => {
            let leaf_id = arena.find_leaf(root, limit);
            let leaf = arena.leaf(leaf_id);
            (
                leaf_id,
                leaf.keys.partition_point(|key| key.borrow() < limit),
            )
        }
        Bound::Excluded(limit) => {
            let leaf_id = arena.find_leaf(root, limit);
            let leaf = arena.leaf(leaf_id);
            (
                leaf_id,
                leaf.keys.partition_point(|key| key.borrow() <= limit),
            )
        }
    };
    let leaf = arena.leaf(leaf_id);
    if index < leaf.len() {
        return Some(Position {
            leaf: leaf_id,
            index,
        });
    }
    // Every key in the following leaves is at or above this leaf's upper
    // separator, which is above the bound.
    leaf.next.map(|next| Position {
        leaf: next,
        index: 0,
    })
}

/// Finds the last entry that meets the end bound.
fn last_at_or_before<K, V, Q>(arena: &Arena<K, V>, root: NodeId, end: Bound<&Q>) -> Option<Position>
where
    K: Borrow<Q>,
    Q: Ord + ?Sized,
{
    let (leaf_id, count) = match end {
        Bound::Unbounded => {
            let leaf_id = arena.rightmost_leaf(root);
            (leaf_id, arena.leaf(leaf_id).len())
        }
        Bound::Included(limit) => {
            let leaf_id = arena.find_leaf(root, limit);
            let leaf = arena.leaf(leaf_id);
            (
                leaf_id,
                leaf.keys.partition_point(|key| key.borrow() <= limit),
            )
        }
        Bound::Excluded(limit) => {
            let leaf_id = arena.find_leaf(root, limit);
            let leaf = arena.leaf(leaf_id);
            (
                leaf_id,
                leaf.keys.partition_point(|key| key.borrow() < limit),
            )
        }
    };
    if count > 0 {
        return Some(Position {
            leaf: leaf_id,
            index: count - 1,
        });
    }
    // Every key in the preceding leaves is below this leaf's lower
    // separator, which is at or below the bound.
    let prev = arena.leaf(leaf_id).prev?;
    Some(Position {
        leaf: prev,
        index: arena.leaf(prev).len() - 1,
    })
}

impl<'a, K, V> Iterator for Range<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let leaf = self.front_leaf;
        let index = self.front.index;
        if self.front == self.back {
            self.finished = true;
        } else if index + 1 < leaf.len() {
            self.front.index += 1;
        } else {
            let next = leaf.next.expect("the back end lies in a later leaf");
            self.front = Position {
                leaf: next,
                index: 0,
            };
            self.front_leaf = self.arena.leaf(next);
        }
        Some((&leaf.keys[index], &leaf.values[index]))
    }
}

impl<K, V> DoubleEndedIterator for Range<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let leaf = self.back_leaf;
        let index = self.back.index;
        if self.front == self.back {
            self.finished = true;
        } else if index > 0 {
            self.back.index -= 1;
        } else {
            let prev = leaf.prev.expect("the front end lies in an earlier leaf");
            self.back_leaf = self.arena.leaf(prev);
            self.back = Position {
                leaf: prev,
                index: self.back_leaf.len() - 1,
            };
        }
        Some((&leaf.keys[index], &leaf.values[index]))
    }
}

impl<K, V> FusedIterator for Range<'_, K, V> {}

// A derive would require `K: Clone` and `V: Clone`.
impl<K, V> Clone for Range<'_, K, V> {
    fn clone(&self) -> Self {
        Range {
            arena: self.arena,
            front: self.front,
            front_leaf: self.front_leaf,
            back: self.back,
            back_leaf: self.back_leaf,
            finished: self.finished,
        }
    }
}
