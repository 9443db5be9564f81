//! Scalable bloom filters for entity existence.
//!
//! A [`ScalableBloomFilter`] checks whether an id may be stored without a
//! read from sled. A `false` is certain, and a `true` is wrong with
//! probability at most the target false-positive rate.
//!
//! It follows Almeida, Baquero, Preguiça and Hutchison, "Scalable Bloom
//! Filters" (Information Processing Letters 101(6), 2007). The filter is a
//! list of stages. Stage `i` is a plain bloom filter sized for capacity
//! `n₀·2ⁱ` and false-positive rate `p₀·0.5ⁱ`, with `p₀ = p·(1 − 0.5)`. Inserts
//! go to the newest stage, and a new stage is added when it is full. A lookup
//! is positive when any stage is positive, so the compound rate is at most
//! `Σ p₀·0.5ⁱ < p₀ / (1 − 0.5) = p` however far the filter grows.
//!
//! Each stage has `m = ⌈−n·ln p / (ln 2)²⌉` bits (rounded up to whole 64-bit
//! words) and `k = round((m/n)·ln 2)` bit positions per item. The positions are
//! `h₁ + i·h₂` (Kirsch–Mitzenmacher double hashing), where `h₁` and `h₂` are
//! xxh64 of the item with two fixed seeds, mapped to `[0, m)` by a
//! multiply-shift range reduction.
//!
//! A miss has to check every stage, so lookups slow down as stages are
//! added. When the item count is known, as when loading a shard, build the
//! filter with [`ScalableBloomFilter::from_items`] to get a single stage.
//!
//! Bloom filters cannot delete: clearing a bit could erase other items. When
//! entities are deleted, the owner rebuilds the filter from the stored ids
//! with [`ScalableBloomFilter::from_items`], or calls
//! [`ScalableBloomFilter::clear`] and inserts them again. Until then deleted
//! ids only raise the false-positive rate, never cause a false negative.

use std::f64::consts::LN_2;
use std::fmt;

use xxhash_rust::xxh64::xxh64;

use crate::error::{Error, Result};

/// False-positive rate used when the caller sets none.
pub const DEFAULT_FP_RATE: f64 = 0.01;
/// Capacity of the first stage when the caller sets none.
pub const DEFAULT_INITIAL_CAPACITY: u64 = 1024;
/// Capacity of each new stage, as a multiple of the previous stage's capacity.
pub const GROWTH_FACTOR: u64 = 2;
/// Each new stage's false-positive rate is the previous one's times this ratio.
pub const TIGHTENING_RATIO: f64 = 0.5;

/// Maximum number of stages. Stage 63 would have capacity for `2⁶³·n₀`
/// items, so a real filter never reaches it. It bounds what
/// [`ScalableBloomFilter::from_bytes`] accepts.
const MAX_STAGES: usize = 64;
/// Maximum number of bit positions per item. A stage at `p = 10⁻¹⁹` needs 63.
const MAX_HASHES: u32 = 64;

const HASH_SEED_1: u64 = 0x7961_7461_626c_6f31;
const HASH_SEED_2: u64 = 0x7961_7461_626c_6f32;

const MAGIC: &[u8; 4] = b"YBLF";
const FORMAT_VERSION: u32 = 1;
const CHECKSUM_SEED: u64 = 0x7961_7461_6368_6b31;
const CORRUPT_LOCATION: &str = "bloom filter";

/// A bloom filter that grows by adding stages, keeping its false-positive
/// rate below the target at any size.
#[derive(Clone, PartialEq)]
pub struct ScalableBloomFilter {
    fp_rate: f64,
    initial_capacity: u64,
    len: u64,
    stages: Vec<Stage>,
}

/// One fixed-size bloom filter inside a [`ScalableBloomFilter`].
#[derive(Clone, PartialEq)]
struct Stage {
    /// Bit array. Its length in bits (`words.len() · 64`) is `m`.
    words: Vec<u64>,
    num_hashes: u32,
    capacity: u64,
    fp_rate: f64,
    len: u64,
}

impl ScalableBloomFilter {
    /// Creates an empty filter whose first stage has capacity for
    /// `initial_capacity` items, with a compound false-positive rate below `fp_rate`.
    ///
    /// Fails with `InvalidInput` when `initial_capacity` is 0, when `fp_rate`
    /// is not strictly between 0 and 1, or when the first stage's bit array
    /// cannot be allocated.
    pub fn new(initial_capacity: u64, fp_rate: f64) -> Result<Self> {
        if initial_capacity == 0 {
            return Err(Error::invalid(
                "initial_capacity",
                "0",
                "must be at least 1",
            ));
        }
        if !(fp_rate > 0.0 && fp_rate < 1.0) {
            return Err(Error::invalid(
                "fp_rate",
                &fp_rate.to_string(),
                "must be greater than 0 and less than 1, for example 0.01",
            ));
        }

        let first_rate = fp_rate * (1.0 - TIGHTENING_RATIO);
        let first = Stage::try_with_capacity(initial_capacity, first_rate).ok_or_else(|| {
            Error::invalid(
                "initial_capacity",
                &initial_capacity.to_string(),
                "the bit array for this many items could not be allocated; use a smaller capacity",
            )
        })?;
        Ok(ScalableBloomFilter {
            fp_rate,
            initial_capacity,
            len: 0,
            stages: vec![first],
        })
    }

    /// Builds a filter holding every item of `items`, sized so that
    /// `expected_items` fit in one stage.
    ///
    /// This is the rebuild path after deletions. More items than expected are
    /// still accepted, in further stages.
    pub fn from_items<I>(expected_items: u64, fp_rate: f64, items: I) -> Result<Self>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut filter = ScalableBloomFilter::new(expected_items.max(1), fp_rate)?;
        for item in items {
            filter.insert(item.as_ref());
        }
        Ok(filter)
    }

    /// Inserts `item`. Returns `false` when the filter already reported it as
    /// present, in which case nothing changes and `len` does not grow.
    ///
    /// Panics when a new stage's bit array cannot be allocated, as `Vec` does
    /// when it cannot grow.
    pub fn insert(&mut self, item: &[u8]) -> bool {
        let (h1, h2) = item_hashes(item);
        if self.contains_hashes(h1, h2) {
            return false;
        }

        let newest = self.stages.last().expect("a filter always has a stage");
        if newest.len >= newest.capacity && self.stages.len() < MAX_STAGES {
            let next = Stage::with_capacity(
                newest.capacity.saturating_mul(GROWTH_FACTOR),
                newest.fp_rate * TIGHTENING_RATIO,
            );
            self.stages.push(next);
        }
        // NOTE: once MAX_STAGES is reached, the last stage takes items past its
        // capacity and the rate rises above the target. That needs about
        // 2⁶³ times the initial capacity in items, more than memory can hold.

        let newest = self.stages.last_mut().expect("a filter always has a stage");
        newest.set(h1, h2);
        newest.len += 1;
        self.len += 1;
        true
    }

    /// Returns `true` when `item` may have been inserted and `false` when it
    /// certainly was not.
    pub fn contains(&self, item: &[u8]) -> bool {
        let (h1, h2) = item_hashes(item);
        self.contains_hashes(h1, h2)
    }

    fn contains_hashes(&self, h1: u64, h2: u64) -> bool {
        // The newest stage is the largest and contains most items, so test it first.
        self.stages.iter().rev().any(|stage| stage.contains(h1, h2))
    }

    /// Removes every item, keeping the target rate and initial capacity.
    pub fn clear(&mut self) {
        self.stages.truncate(1);
        let first = &mut self.stages[0];
        first.words.fill(0);
        first.len = 0;
        self.len = 0;
    }

    /// Number of inserts that returned `true`. Besides repeated items, this
    /// leaves out new items that were false positives when inserted, so it is
    /// below the number of distinct items by about the false-positive rate.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of stages, 1 until the first stage is full.
    pub fn stages(&self) -> usize {
        self.stages.len()
    }

    /// Target compound false-positive rate.
    pub fn fp_rate(&self) -> f64 {
        self.fp_rate
    }

    /// Heap and inline memory of the filter, in bytes. The bit arrays are
    /// almost all of it.
    pub fn bytes(&self) -> usize {
        let bit_arrays: usize = self
            .stages
            .iter()
            .map(|stage| stage.words.capacity() * std::mem::size_of::<u64>())
            .sum();
        std::mem::size_of::<Self>()
            + self.stages.capacity() * std::mem::size_of::<Stage>()
            + bit_arrays
    }

    /// Estimates the current false-positive rate as `1 − Π(1 − pᵢ)`, where
    /// `pᵢ = (1 − e^(−k·nᵢ/m))^k` is the textbook estimate for a stage holding
    /// `nᵢ` items. It is an estimate. The tests measure the real rate.
    pub fn estimated_fp_rate(&self) -> f64 {
        let all_miss: f64 = self
            .stages
            .iter()
            .map(|stage| 1.0 - stage.estimated_fp_rate())
            .product();
        1.0 - all_miss
    }

    /// Serializes the filter. [`ScalableBloomFilter::from_bytes`] reads it back.
    ///
    /// Layout, all integers little-endian: magic `YBLF`, format version
    /// (u32), target rate (f64), initial capacity (u64), len (u64), stage count
    /// (u32), then per stage: capacity (u64), rate (f64), k (u32), len (u64),
    /// word count (u64) and the words (u64 each). An xxh64 checksum (u64) of
    /// all preceding bytes ends the buffer.
    pub fn to_bytes(&self) -> Vec<u8> {
        let words: usize = self.stages.iter().map(|stage| stage.words.len()).sum();
        let mut out = Vec::with_capacity(40 + self.stages.len() * 36 + words * 8);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&self.fp_rate.to_le_bytes());
        out.extend_from_slice(&self.initial_capacity.to_le_bytes());
        out.extend_from_slice(&self.len.to_le_bytes());
        out.extend_from_slice(&(self.stages.len() as u32).to_le_bytes());
        for stage in &self.stages {
            out.extend_from_slice(&stage.capacity.to_le_bytes());
            out.extend_from_slice(&stage.fp_rate.to_le_bytes());
            out.extend_from_slice(&stage.num_hashes.to_le_bytes());
            out.extend_from_slice(&stage.len.to_le_bytes());
            out.extend_from_slice(&(stage.words.len() as u64).to_le_bytes());
            for word in &stage.words {
                out.extend_from_slice(&word.to_le_bytes());
            }
        }
        let checksum = xxh64(&out, CHECKSUM_SEED);
        out.extend_from_slice(&checksum.to_le_bytes());
        out
    }

    /// Reads a filter written by [`ScalableBloomFilter::to_bytes`].
    ///
    /// Fails with `Corrupted` when the buffer is truncated, has the wrong
    /// magic, version or checksum, or contains inconsistent values. Property
    /// tests feed it random bytes to check that it does not panic, and every
    /// bit array it allocates is smaller than the buffer.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() < MAGIC.len() + 4 + 8 {
            return Err(corrupt(format!(
                "{} bytes is shorter than the smallest filter",
                bytes.len()
            )));
        }
        if &bytes[..MAGIC.len()] != MAGIC {
            return Err(corrupt(
                "missing the YBLF magic bytes; this is not a serialized bloom filter",
            ));
        }
        let (body, checksum_bytes) = bytes.split_at(bytes.len() - 8);
        let stored_checksum = u64::from_le_bytes(checksum_bytes.try_into().expect("8 bytes"));
        if xxh64(body, CHECKSUM_SEED) != stored_checksum {
            return Err(corrupt(
                "checksum mismatch; rebuild the filter from the stored ids",
            ));
        }

        let mut reader = ByteReader::new(&body[MAGIC.len()..]);
        let version = reader.u32()?;
        if version != FORMAT_VERSION {
            return Err(corrupt(format!(
                "unsupported format version {version}; this build reads version {FORMAT_VERSION}"
            )));
        }
        let fp_rate = reader.f64()?;
        check_rate("target rate", fp_rate)?;
        let initial_capacity = reader.u64()?;
        if initial_capacity == 0 {
            return Err(corrupt("initial capacity is 0"));
        }
        let len = reader.u64()?;
        let stage_count = reader.u32()? as usize;
        if stage_count == 0 || stage_count > MAX_STAGES {
            return Err(corrupt(format!(
                "stage count {stage_count} is outside 1..={MAX_STAGES}"
            )));
        }

        let mut stages = Vec::with_capacity(stage_count);
        for index in 0..stage_count {
            stages.push(read_stage(&mut reader, index)?);
        }
        if !reader.is_empty() {
            return Err(corrupt(format!(
                "{} unexpected bytes after the last stage",
                reader.remaining()
            )));
        }
        let stage_items: u64 = stages.iter().map(|stage| stage.len).sum();
        if stage_items != len {
            return Err(corrupt(format!(
                "the stages hold {stage_items} items but the header says {len}"
            )));
        }

        Ok(ScalableBloomFilter {
            fp_rate,
            initial_capacity,
            len,
            stages,
        })
    }
}

impl Default for ScalableBloomFilter {
    /// Creates an empty filter with [`DEFAULT_INITIAL_CAPACITY`] and [`DEFAULT_FP_RATE`].
    fn default() -> Self {
        ScalableBloomFilter::new(DEFAULT_INITIAL_CAPACITY, DEFAULT_FP_RATE)
            .expect("the default capacity and rate are valid")
    }
}

impl fmt::Debug for ScalableBloomFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScalableBloomFilter")
            .field("fp_rate", &self.fp_rate)
            .field("initial_capacity", &self.initial_capacity)
            .field("len", &self.len)
            .field("stages", &self.stages.len())
            .field("bytes", &self.bytes())
            .finish()
    }
}

impl Stage {
    fn with_capacity(capacity: u64, fp_rate: f64) -> Stage {
        Stage::try_with_capacity(capacity, fp_rate)
            .unwrap_or_else(|| panic!("cannot allocate a bloom filter stage for {capacity} items"))
    }

    /// Sizes a stage for `capacity` items at `fp_rate`. Returns `None` when
    /// the bit array does not fit in memory.
    fn try_with_capacity(capacity: u64, fp_rate: f64) -> Option<Stage> {
        let ideal_bits = -(capacity as f64) * fp_rate.ln() / (LN_2 * LN_2);
        let word_count = (ideal_bits / 64.0).ceil().max(1.0);
        if word_count > (isize::MAX as f64) / 8.0 {
            return None;
        }
        let word_count = word_count as usize;
        let bit_count = word_count as f64 * 64.0;
        let num_hashes = ((bit_count / capacity as f64) * LN_2)
            .round()
            .clamp(1.0, MAX_HASHES as f64) as u32;

        let mut words = Vec::new();
        words.try_reserve_exact(word_count).ok()?;
        words.resize(word_count, 0);
        Some(Stage {
            words,
            num_hashes,
            capacity,
            fp_rate,
            len: 0,
        })
    }

    fn bit_count(&self) -> u64 {
        self.words.len() as u64 * 64
    }

    fn set(&mut self, h1: u64, h2: u64) {
        let bit_count = self.bit_count();
        for i in 0..self.num_hashes {
            let bit = bit_position(h1, h2, i, bit_count);
            self.words[(bit / 64) as usize] |= 1 << (bit % 64);
        }
    }

    fn contains(&self, h1: u64, h2: u64) -> bool {
        let bit_count = self.bit_count();
        (0..self.num_hashes).all(|i| {
            let bit = bit_position(h1, h2, i, bit_count);
            self.words[(bit / 64) as usize] & (1 << (bit % 64)) != 0
        })
    }

    fn estimated_fp_rate(&self) -> f64 {
        let k = self.num_hashes as f64;
        let fill = 1.0 - (-k * self.len as f64 / self.bit_count() as f64).exp();
        fill.powf(k)
    }
}

fn item_hashes(item: &[u8]) -> (u64, u64) {
    (xxh64(item, HASH_SEED_1), xxh64(item, HASH_SEED_2))
}

/// Maps the `i`-th double hash `h1 + i·h2` to `[0, bit_count)` with Lemire's
/// multiply-shift reduction, which avoids a 64-bit division per position.
fn bit_position(h1: u64, h2: u64, i: u32, bit_count: u64) -> u64 {
    let hash = h1.wrapping_add((i as u64).wrapping_mul(h2));
    ((hash as u128 * bit_count as u128) >> 64) as u64
}

fn read_stage(reader: &mut ByteReader<'_>, index: usize) -> Result<Stage> {
    let capacity = reader.u64()?;
    let fp_rate = reader.f64()?;
    let num_hashes = reader.u32()?;
    let len = reader.u64()?;
    let word_count = reader.u64()?;

    if capacity == 0 {
        return Err(corrupt(format!("stage {index} has capacity 0")));
    }
    check_rate(&format!("stage {index} rate"), fp_rate)?;
    if num_hashes == 0 || num_hashes > MAX_HASHES {
        return Err(corrupt(format!(
            "stage {index} uses {num_hashes} hash positions, outside 1..={MAX_HASHES}"
        )));
    }
    // Only the last allowed stage may pass its capacity (see `insert`).
    if len > capacity && index + 1 < MAX_STAGES {
        return Err(corrupt(format!(
            "stage {index} holds {len} items, more than its capacity {capacity} allows"
        )));
    }
    if word_count == 0 {
        return Err(corrupt(format!("stage {index} has an empty bit array")));
    }
    // Checking the size against the buffer first keeps a corrupt count from
    // triggering a huge allocation.
    let word_bytes = word_count
        .checked_mul(8)
        .filter(|bytes| *bytes <= reader.remaining() as u64)
        .ok_or_else(|| {
            corrupt(format!(
                "stage {index} declares {word_count} words but only {} bytes remain",
                reader.remaining()
            ))
        })?;

    let raw = reader.take(word_bytes as usize)?;
    let words = raw
        .chunks_exact(8)
        .map(|chunk| u64::from_le_bytes(chunk.try_into().expect("8-byte chunk")))
        .collect();
    Ok(Stage {
        words,
        num_hashes,
        capacity,
        fp_rate,
        len,
    })
}

fn check_rate(what: &str, rate: f64) -> Result<()> {
    if rate > 0.0 && rate < 1.0 {
        Ok(())
    } else {
        Err(corrupt(format!("{what} {rate} is outside (0, 1)")))
    }
}

fn corrupt(reason: impl Into<String>) -> Error {
    Error::corrupted(CORRUPT_LOCATION, reason)
}

/// A bounds-checked little-endian reader over a byte slice.
struct ByteReader<'a> {
    bytes: &'a [u8],
}

impl<'a> ByteReader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        ByteReader { bytes }
    }

    fn remaining(&self) -> usize {
        self.bytes.len()
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8]> {
        if count > self.bytes.len() {
            return Err(corrupt(format!(
                "truncated: needed {count} more bytes, found {}",
                self.bytes.len()
            )));
        }
        let (head, tail) = self.bytes.split_at(count);
        self.bytes = tail;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(prefix: &str, i: u64) -> Vec<u8> {
        format!("{prefix}-{i}").into_bytes()
    }

    /// Inserts `count` keys into a filter that starts at 256 items, then
    /// returns it with the share of 1M never-inserted keys it reports present.
    fn measured_fp_rate(count: u64) -> (ScalableBloomFilter, f64) {
        let mut filter = ScalableBloomFilter::new(256, DEFAULT_FP_RATE).unwrap();
        for i in 0..count {
            filter.insert(&key("entity", i));
        }
        let probes = 1_000_000u64;
        let false_positives = (0..probes)
            .filter(|&i| filter.contains(&key("absent", i)))
            .count();
        (filter, false_positives as f64 / probes as f64)
    }

    fn check_fp_rate_at(count: u64) {
        let (filter, measured) = measured_fp_rate(count);
        println!(
            "bloom: {count} items, {} stages, {} bytes, measured fp rate {:.5}, estimated {:.5}",
            filter.stages(),
            filter.bytes(),
            measured,
            filter.estimated_fp_rate()
        );
        assert!(
            filter.stages() > 1,
            "the filter never grew past its first stage"
        );
        assert!(
            measured < 0.01,
            "measured fp rate {measured} is not below 1%"
        );
        assert!(
            filter.estimated_fp_rate() < 0.01,
            "estimated fp rate {} is not below 1%",
            filter.estimated_fp_rate()
        );
        for i in (0..count).step_by(97) {
            assert!(
                filter.contains(&key("entity", i)),
                "false negative for entity-{i}"
            );
        }
    }

    #[test]
    fn fp_rate_below_target_at_10k() {
        check_fp_rate_at(10_000);
    }

    #[test]
    fn fp_rate_below_target_at_100k() {
        check_fp_rate_at(100_000);
    }

    #[test]
    fn fp_rate_below_target_at_1m() {
        check_fp_rate_at(1_000_000);
    }

    #[test]
    fn stages_grow_by_the_growth_factor() {
        let mut filter = ScalableBloomFilter::new(100, 0.01).unwrap();
        for i in 0..100 {
            filter.insert(&key("entity", i));
        }
        assert_eq!(filter.stages(), 1);

        filter.insert(&key("entity", 100));
        assert_eq!(filter.stages(), 2);
        assert_eq!(filter.stages[1].capacity, 200);
        assert_eq!(
            filter.stages[1].fp_rate,
            filter.stages[0].fp_rate * TIGHTENING_RATIO
        );
        assert_eq!(filter.stages[0].fp_rate, 0.005);
    }

    #[test]
    fn stage_sizing_matches_formula() {
        let stage = Stage::with_capacity(1000, 0.01);
        // m = 1000 · ln(100) / ln²2 = 9585.06, rounded up to 150 words.
        assert_eq!(stage.bit_count(), 9600);
        // k = 9.6 · ln 2 = 6.65, rounded to 7.
        assert_eq!(stage.num_hashes, 7);
    }

    /// Checks that `len` is `distinct` minus at most 2% of false positives.
    fn assert_len_near(filter: &ScalableBloomFilter, distinct: u64) {
        let len = filter.len();
        assert!(
            len <= distinct,
            "len {len} exceeds {distinct} distinct items"
        );
        assert!(
            len >= distinct * 98 / 100,
            "len {len} is far below {distinct} distinct items"
        );
    }

    #[test]
    fn duplicate_insert_is_not_counted() {
        let mut filter = ScalableBloomFilter::default();
        assert!(filter.insert(b"e1"));
        assert!(!filter.insert(b"e1"));
        assert_eq!(filter.len(), 1);
    }

    #[test]
    fn clear_empties_the_filter() {
        let mut filter = ScalableBloomFilter::new(16, 0.01).unwrap();
        for i in 0..1000 {
            filter.insert(&key("entity", i));
        }
        assert!(filter.stages() > 1);

        filter.clear();
        assert_eq!(filter.len(), 0);
        assert!(filter.is_empty());
        assert_eq!(filter.stages(), 1);
        let present = (0..1000)
            .filter(|&i| filter.contains(&key("entity", i)))
            .count();
        assert_eq!(present, 0);
        assert_eq!(filter, ScalableBloomFilter::new(16, 0.01).unwrap());
    }

    #[test]
    fn from_items_uses_one_stage() {
        let ids: Vec<String> = (0..5000).map(|i| format!("entity-{i}")).collect();
        let filter = ScalableBloomFilter::from_items(ids.len() as u64, 0.01, &ids).unwrap();
        assert_eq!(filter.stages(), 1);
        assert_len_near(&filter, 5000);
        assert!(ids.iter().all(|id| filter.contains(id.as_bytes())));
    }

    #[test]
    fn invalid_parameters_rejected() {
        for (capacity, rate) in [(0, 0.01), (10, 0.0), (10, 1.0), (10, -0.5), (10, f64::NAN)] {
            let err = ScalableBloomFilter::new(capacity, rate).unwrap_err();
            assert_eq!(
                err.code(),
                "INVALID_INPUT",
                "capacity {capacity}, rate {rate}"
            );
        }
    }

    #[test]
    fn oversized_capacity_rejected() {
        let err = ScalableBloomFilter::new(u64::MAX, 0.01).unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT");
    }

    #[test]
    fn serialization_round_trip() {
        let mut filter = ScalableBloomFilter::new(64, 0.01).unwrap();
        for i in 0..10_000 {
            filter.insert(&key("entity", i));
        }
        let bytes = filter.to_bytes();
        let restored = ScalableBloomFilter::from_bytes(&bytes).unwrap();

        assert_eq!(restored, filter);
        assert_eq!(restored.len(), filter.len());
        assert_len_near(&restored, 10_000);
        assert_eq!(restored.stages(), filter.stages());
        assert!((0..10_000).all(|i| restored.contains(&key("entity", i))));
        for i in 0..10_000 {
            let probe = key("absent", i);
            assert_eq!(restored.contains(&probe), filter.contains(&probe));
        }
    }

    #[test]
    fn empty_filter_round_trip() {
        let filter = ScalableBloomFilter::default();
        let restored = ScalableBloomFilter::from_bytes(&filter.to_bytes()).unwrap();
        assert_eq!(restored, filter);
    }

    fn small_filter_bytes() -> Vec<u8> {
        let mut filter = ScalableBloomFilter::new(4, 0.01).unwrap();
        for i in 0..20 {
            filter.insert(&key("entity", i));
        }
        filter.to_bytes()
    }

    #[test]
    fn every_flipped_byte_rejected() {
        let bytes = small_filter_bytes();
        for position in 0..bytes.len() {
            let mut corrupted = bytes.clone();
            corrupted[position] ^= 0x5a;
            let err = ScalableBloomFilter::from_bytes(&corrupted).unwrap_err();
            assert_eq!(err.code(), "INDEX_CORRUPTED", "flip at byte {position}");
        }
    }

    #[test]
    fn every_truncation_rejected() {
        let bytes = small_filter_bytes();
        for length in 0..bytes.len() {
            let err = ScalableBloomFilter::from_bytes(&bytes[..length]).unwrap_err();
            assert_eq!(err.code(), "INDEX_CORRUPTED", "truncated to {length} bytes");
        }
    }

    /// Rewrites the checksum so that only the field checks can catch `bytes`.
    fn with_valid_checksum(mut bytes: Vec<u8>) -> Vec<u8> {
        let body_len = bytes.len() - 8;
        let checksum = xxh64(&bytes[..body_len], CHECKSUM_SEED);
        bytes[body_len..].copy_from_slice(&checksum.to_le_bytes());
        bytes
    }

    #[test]
    fn inconsistent_fields_rejected() {
        let bytes = small_filter_bytes();
        // Offsets: magic 0, version 4, rate 8, initial capacity 16, len 24,
        // stage count 32, first stage 36 (capacity 36, rate 44, k 52, len 56,
        // word count 64).
        let cases: [(&str, usize, Vec<u8>); 7] = [
            ("version", 4, 2u32.to_le_bytes().to_vec()),
            ("target rate", 8, 1.5f64.to_le_bytes().to_vec()),
            ("initial capacity", 16, 0u64.to_le_bytes().to_vec()),
            ("len", 24, 999u64.to_le_bytes().to_vec()),
            ("stage count", 32, 0u32.to_le_bytes().to_vec()),
            ("hash count", 52, 0u32.to_le_bytes().to_vec()),
            ("word count", 64, u64::MAX.to_le_bytes().to_vec()),
        ];
        for (field, offset, value) in cases {
            let mut corrupted = bytes.clone();
            corrupted[offset..offset + value.len()].copy_from_slice(&value);
            let corrupted = with_valid_checksum(corrupted);
            let err = ScalableBloomFilter::from_bytes(&corrupted).unwrap_err();
            assert_eq!(err.code(), "INDEX_CORRUPTED", "bad {field}");
        }
    }

    #[test]
    fn trailing_bytes_rejected() {
        let mut bytes = small_filter_bytes();
        let body_len = bytes.len() - 8;
        bytes.truncate(body_len);
        bytes.extend_from_slice(&[0; 8]);
        bytes.extend_from_slice(&[0; 8]);
        let err = ScalableBloomFilter::from_bytes(&with_valid_checksum(bytes)).unwrap_err();
        assert_eq!(err.code(), "INDEX_CORRUPTED");
    }

    proptest! {
        #[test]
        fn no_false_negatives(
            items in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..24), 0..3000),
            initial_capacity in 1u64..64,
            fp_rate in 0.0001f64..0.5,
        ) {
            let mut filter = ScalableBloomFilter::new(initial_capacity, fp_rate).unwrap();
            for item in &items {
                filter.insert(item);
            }
            for item in &items {
                prop_assert!(filter.contains(item));
            }
            let restored = ScalableBloomFilter::from_bytes(&filter.to_bytes()).unwrap();
            for item in &items {
                prop_assert!(restored.contains(item));
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = ScalableBloomFilter::from_bytes(&bytes);
        }

        #[test]
        fn arbitrary_body_with_valid_checksum_never_panics(
            body in prop::collection::vec(any::<u8>(), 0..256),
        ) {
            let mut bytes = MAGIC.to_vec();
            bytes.extend_from_slice(&body);
            bytes.extend_from_slice(&[0; 8]);
            let _ = ScalableBloomFilter::from_bytes(&with_valid_checksum(bytes));
        }
    }
}
