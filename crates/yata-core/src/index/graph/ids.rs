//! Hash sets and maps keyed by node id.
//!
//! The std SipHash resists hash-flooding attacks, which ids assigned by this
//! crate do not need, and costs more per key than a few multiplies and shifts.
//! The mix below is the splitmix64 finalizer, so ids that differ only in their
//! upper bits (the same local id on different shards) still spread over the
//! table's buckets.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A set of node ids.
pub(crate) type NodeSet = HashSet<u64, BuildHasherDefault<NodeIdHasher>>;
/// A map keyed by node id.
pub(crate) type NodeMap<V> = HashMap<u64, V, BuildHasherDefault<NodeIdHasher>>;

/// A hasher for `u64` keys.
#[derive(Default, Clone, Copy)]
pub(crate) struct NodeIdHasher(u64);

impl Hasher for NodeIdHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Only reached for keys other than u64, so folding byte by byte is fast enough.
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(26) ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn finish(&self) -> u64 {
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
}
