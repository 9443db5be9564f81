//! Occupancy rules: when a node is overfull (must split) or underfull (must
//! borrow or merge).
//!
//! Internal nodes count children: at most `fanout`, and at least
//! `ceil(fanout / 2)` unless the node is the root, which needs two.
//!
//! Leaves count *load*. An entry is charged
//! `max(page_size / fanout, min(entry_bytes, page_size / 4))` bytes, and a
//! leaf's load is the sum of its charges. A leaf may carry at most
//! `page_size` of load, which enforces both limits at once:
//!
//! - Every entry costs at least one slot of `page_size / fanout` bytes, so a
//!   leaf never contains more than `fanout` entries.
//! - The estimated bytes of a leaf's entries stay within `page_size`, except
//!   that an entry counts at most a quarter page. An on-disk B+Tree would
//!   keep such an entry's excess on an overflow page. Without the cap, an
//!   entry larger than a page (a long posting list) could not share a leaf
//!   and would leave its neighbors underfull with nothing to merge with.
//!
//! With `max_charge` the largest possible charge, a non-root leaf needs at
//! least `(page_size - max_charge) / 2` of load. That bound is what makes
//! every repair succeed:
//!
//! - An overfull leaf carries more than `page_size` and at most
//!   `page_size + max_charge` (one insert or one value change past a legal
//!   leaf), and a split whose halves differ by at most `max_charge` leaves
//!   each half between the minimum and `page_size`.
//! - An underfull leaf and its sibling either fit in one leaf together, or
//!   carry more than `page_size`, and then the same even split gives both a
//!   legal load.
//!
//! For fixed-size entries that fit in one slot this is a minimum of
//! `3/8 * fanout` entries per leaf, below the classic half: the price of
//! handling entries of any size with one rule.
//!
//! Loads are stored multiplied by `fanout`, so a slot is exactly
//! `page_size` units and no division rounds.

use super::config::BTreeConfig;
use super::weigh::Weigher;

/// The occupancy limits of one tree, derived from its config and weigher.
pub(super) struct Budget<K, V> {
    pub(super) fanout: usize,
    pub(super) min_children: usize,
    pub(super) weigher: Weigher<K, V>,
    /// One slot, `page_size / fanout` bytes, in load units.
    slot: u64,
    /// The quarter-page cap on an entry's charged bytes.
    max_entry_bytes: u64,
    fanout_units: u64,
    /// Maximum leaf load: `page_size` bytes.
    pub(super) capacity: u64,
    /// Minimum load of a non-root leaf.
    pub(super) min_load: u64,
}

impl<K, V> Budget<K, V> {
    /// Derives the limits from a config that passed `validate`.
    pub(super) fn new(config: BTreeConfig, weigher: Weigher<K, V>) -> Self {
        let page_size = config.page_size as u64;
        let fanout_units = config.fanout as u64;
        let max_entry_bytes = page_size / 4;
        let slot = page_size;
        let capacity = page_size * fanout_units;
        let max_charge = slot.max(max_entry_bytes * fanout_units);
        Budget {
            fanout: config.fanout,
            min_children: config.fanout.div_ceil(2),
            weigher,
            slot,
            max_entry_bytes,
            fanout_units,
            capacity,
            min_load: (capacity - max_charge) / 2,
        }
    }

    /// Estimated bytes of one entry, inline sizes included.
    pub(super) fn entry_bytes(&self, key: &K, value: &V) -> usize {
        (self.weigher.key_bytes)(key) + (self.weigher.value_bytes)(value)
    }

    /// Computes the load one entry adds to its leaf.
    pub(super) fn charge(&self, key: &K, value: &V) -> u64 {
        let bytes = (self.entry_bytes(key, value) as u64).min(self.max_entry_bytes);
        self.slot.max(bytes * self.fanout_units)
    }

    /// Computes the charges of a run of entries, in order.
    pub(super) fn charges<'a>(&self, entries: impl Iterator<Item = (&'a K, &'a V)>) -> Vec<u64>
    where
        K: 'a,
        V: 'a,
    {
        entries
            .map(|(key, value)| self.charge(key, value))
            .collect()
    }

    pub(super) fn leaf_overfull(&self, load: u64) -> bool {
        load > self.capacity
    }

    pub(super) fn leaf_underfull(&self, load: u64) -> bool {
        load < self.min_load
    }

    pub(super) fn internal_overfull(&self, children: usize) -> bool {
        children > self.fanout
    }

    pub(super) fn internal_underfull(&self, children: usize) -> bool {
        children < self.min_children
    }
}

/// Picks where to cut a run of entries into two non-empty parts with loads
/// as close as possible, and returns the left part's length and load.
/// Returns `None` for fewer than two entries.
///
/// The two loads differ by at most the largest charge in the run, which the
/// repair argument in the module documentation relies on. Costs O(len).
pub(super) fn balanced_split(charges: &[u64]) -> Option<(usize, u64)> {
    if charges.len() < 2 {
        return None;
    }
    let total: u64 = charges.iter().sum();
    let mut best = (1, charges[0]);
    let mut left = charges[0];
    for (cut, charge) in charges.iter().enumerate().take(charges.len() - 1).skip(1) {
        left += charge;
        if left.abs_diff(total - left) < best.1.abs_diff(total - best.1) {
            best = (cut + 1, left);
        }
    }
    Some(best)
}
