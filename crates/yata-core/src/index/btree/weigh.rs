//! Byte estimates of keys and values, for the leaf page budget and
//! [`BTreeStats::bytes`](super::BTreeStats::bytes).

use std::mem::size_of;

/// Heap memory owned by a value.
///
/// The provided method returns 0, which is right for plain data, so
/// `impl Weigh for MyId {}` is enough for such a type. Collections count
/// their buffer capacity plus the heap bytes of their elements.
///
/// Leaves store the sum of their entries' estimates, so a stored value's
/// estimate may change only through [`ValueMut`](super::ValueMut) or
/// `insert`, not through interior mutability.
pub trait Weigh {
    /// Estimated bytes this value owns on the heap, excluding its own
    /// `size_of`.
    fn heap_bytes(&self) -> usize {
        0
    }
}

macro_rules! impl_weigh_for_plain_data {
    ($($ty:ty),* $(,)?) => {
        $(impl Weigh for $ty {})*
    };
}

impl_weigh_for_plain_data!(
    (),
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
);

// For plain-data elements `heap_bytes` is the constant 0 after inlining,
// so the loops below fold away and weighing a `Vec<u32>` is O(1).

impl<T: Weigh> Weigh for Vec<T> {
    fn heap_bytes(&self) -> usize {
        let elements: usize = self.iter().map(Weigh::heap_bytes).sum();
        self.capacity() * size_of::<T>() + elements
    }
}

impl<T: Weigh> Weigh for Box<[T]> {
    fn heap_bytes(&self) -> usize {
        let elements: usize = self.iter().map(Weigh::heap_bytes).sum();
        self.len() * size_of::<T>() + elements
    }
}

impl<T: Weigh, const N: usize> Weigh for [T; N] {
    fn heap_bytes(&self) -> usize {
        self.iter().map(Weigh::heap_bytes).sum()
    }
}

impl Weigh for String {
    fn heap_bytes(&self) -> usize {
        self.capacity()
    }
}

impl Weigh for Box<str> {
    fn heap_bytes(&self) -> usize {
        self.len()
    }
}

impl<T: Weigh> Weigh for Option<T> {
    fn heap_bytes(&self) -> usize {
        self.as_ref().map_or(0, Weigh::heap_bytes)
    }
}

impl<A: Weigh, B: Weigh> Weigh for (A, B) {
    fn heap_bytes(&self) -> usize {
        self.0.heap_bytes() + self.1.heap_bytes()
    }
}

impl<A: Weigh, B: Weigh, C: Weigh> Weigh for (A, B, C) {
    fn heap_bytes(&self) -> usize {
        self.0.heap_bytes() + self.1.heap_bytes() + self.2.heap_bytes()
    }
}

/// Functions that estimate the bytes of a key and of a value, each
/// including its inline `size_of`.
///
/// `Weigher::default()` exists for types that implement [`Weigh`]. For other
/// types, pass functions to [`BPlusTree::with_weigher`](super::BPlusTree::with_weigher).
pub struct Weigher<K, V> {
    pub key_bytes: fn(&K) -> usize,
    pub value_bytes: fn(&V) -> usize,
}

impl<K: Weigh, V: Weigh> Default for Weigher<K, V> {
    fn default() -> Self {
        Weigher {
            key_bytes: |key| size_of::<K>() + key.heap_bytes(),
            value_bytes: |value| size_of::<V>() + value.heap_bytes(),
        }
    }
}

// Derives would require `K: Clone` and `V: Clone`, but the fields are
// plain function pointers either way.
impl<K, V> Clone for Weigher<K, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, V> Copy for Weigher<K, V> {}

impl<K, V> std::fmt::Debug for Weigher<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Weigher").finish_non_exhaustive()
    }
}
