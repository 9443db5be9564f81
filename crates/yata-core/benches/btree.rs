//! The project's B+Tree against `std::collections::BTreeMap` on 1M u64
//! keys: bulk load, random get, insert, remove, and 1000-entry range scans.
//!
//! Run with `cargo bench -p yata-core --bench btree`. Each operation group
//! measures both maps, so criterion reports them side by side.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use yata_core::index::btree::{BPlusTree, BTreeConfig};

const ENTRIES: u64 = 1_000_000;
/// Operations per measured batch in the get, insert and remove groups.
const BATCH: usize = 1000;
const SCAN_LENGTH: usize = 1000;

/// SplitMix64, so the bench needs no random-number crate and every run
/// draws the same keys.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Stored keys are the even numbers below `2 * ENTRIES`, so odd numbers are
/// free for inserts.
fn stored_entries() -> impl Iterator<Item = (u64, u64)> {
    (0..ENTRIES).map(|index| (index * 2, index))
}

/// Bulk-loads the stored entries at full fill with the default config.
fn bplus_tree() -> BPlusTree<u64, u64> {
    bplus_tree_with_fanout(BTreeConfig::DEFAULT_FANOUT)
}

fn bplus_tree_with_fanout(fanout: usize) -> BPlusTree<u64, u64> {
    let config = BTreeConfig {
        fanout,
        ..BTreeConfig::default()
    };
    let mut tree = BPlusTree::new(config).expect("the bench configs are valid");
    tree.bulk_load(stored_entries(), 1.0)
        .expect("keys are sorted");
    tree
}

fn std_map() -> BTreeMap<u64, u64> {
    stored_entries().collect()
}

fn random_stored_keys(seed: u64, count: usize) -> Vec<u64> {
    let mut random = SplitMix64(seed);
    (0..count).map(|_| (random.next() % ENTRIES) * 2).collect()
}

fn random_free_keys(seed: u64, count: usize) -> Vec<u64> {
    let mut random = SplitMix64(seed);
    (0..count)
        .map(|_| (random.next() % ENTRIES) * 2 + 1)
        .collect()
}

fn bulk_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("bulk_load_1m");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ENTRIES));
    group.bench_function("bplus_tree", |b| b.iter(|| black_box(bplus_tree())));
    group.bench_function("std_btreemap", |b| b.iter(|| black_box(std_map())));
    group.finish();
}

/// Also measures fanout 32 beside the default 128, to separate the cost of
/// binary search in large nodes from the rest of the design.
fn get(c: &mut Criterion) {
    let tree = bplus_tree();
    let narrow_tree = bplus_tree_with_fanout(32);
    let map = std_map();
    let keys = random_stored_keys(1, BATCH);
    let mut group = c.benchmark_group("get_random");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("bplus_tree", |b| {
        b.iter(|| {
            keys.iter()
                .map(|key| tree.get(key).copied().unwrap_or(0))
                .sum::<u64>()
        })
    });
    group.bench_function("bplus_tree_fanout_32", |b| {
        b.iter(|| {
            keys.iter()
                .map(|key| narrow_tree.get(key).copied().unwrap_or(0))
                .sum::<u64>()
        })
    });
    group.bench_function("std_btreemap", |b| {
        b.iter(|| {
            keys.iter()
                .map(|key| map.get(key).copied().unwrap_or(0))
                .sum::<u64>()
        })
    });
    group.finish();
}

/// Times `BATCH` inserts of absent keys per iteration, then removes them
/// untimed so the map stays at `ENTRIES`.
fn insert(c: &mut Criterion) {
    let mut tree = bplus_tree();
    let mut map = std_map();
    let mut group = c.benchmark_group("insert_random");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("bplus_tree", |b| {
        let mut seed = 0;
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                seed += 1;
                let keys = random_free_keys(seed, BATCH);
                let start = Instant::now();
                for &key in &keys {
                    black_box(tree.insert(key, key));
                }
                total += start.elapsed();
                for key in &keys {
                    tree.remove(key);
                }
            }
            total
        })
    });
    group.bench_function("std_btreemap", |b| {
        let mut seed = 0;
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                seed += 1;
                let keys = random_free_keys(seed, BATCH);
                let start = Instant::now();
                for &key in &keys {
                    black_box(map.insert(key, key));
                }
                total += start.elapsed();
                for key in &keys {
                    map.remove(key);
                }
            }
            total
        })
    });
    group.finish();
}

/// Times `BATCH` removals of present keys per iteration, then puts them back
/// untimed. Repeated draws in a batch find the key already gone.
fn remove(c: &mut Criterion) {
    let mut tree = bplus_tree();
    let mut map = std_map();
    let mut group = c.benchmark_group("remove_random");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("bplus_tree", |b| {
        let mut seed = 1 << 32;
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                seed += 1;
                let keys = random_stored_keys(seed, BATCH);
                let start = Instant::now();
                for key in &keys {
                    black_box(tree.remove(key));
                }
                total += start.elapsed();
                for &key in &keys {
                    tree.insert(key, key / 2);
                }
            }
            total
        })
    });
    group.bench_function("std_btreemap", |b| {
        let mut seed = 1 << 32;
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                seed += 1;
                let keys = random_stored_keys(seed, BATCH);
                let start = Instant::now();
                for key in &keys {
                    black_box(map.remove(key));
                }
                total += start.elapsed();
                for &key in &keys {
                    map.insert(key, key / 2);
                }
            }
            total
        })
    });
    group.finish();
}

/// Scans 1000 entries from a random stored key. The reverse scan walks
/// `start..start + 2000` backwards, the same 1000 even keys. A start among
/// the last 1000 keys scans fewer entries, for both maps alike.
fn range_scan(c: &mut Criterion) {
    let tree = bplus_tree();
    let map = std_map();
    let starts = random_stored_keys(2, 64);
    let mut group = c.benchmark_group("range_scan_1000");
    group.throughput(Throughput::Elements(SCAN_LENGTH as u64));
    for direction in ["forward", "reverse"] {
        let reverse = direction == "reverse";
        group.bench_with_input(
            BenchmarkId::new("bplus_tree", direction),
            &reverse,
            |b, &reverse| {
                let mut next = starts.iter().cycle();
                b.iter(|| {
                    let start = *next.next().unwrap();
                    if reverse {
                        let end = start + 2 * SCAN_LENGTH as u64;
                        tree.range(start..end)
                            .rev()
                            .map(|(_, value)| *value)
                            .sum::<u64>()
                    } else {
                        tree.range(start..)
                            .take(SCAN_LENGTH)
                            .map(|(_, value)| *value)
                            .sum::<u64>()
                    }
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("std_btreemap", direction),
            &reverse,
            |b, &reverse| {
                let mut next = starts.iter().cycle();
                b.iter(|| {
                    let start = *next.next().unwrap();
                    if reverse {
                        let end = start + 2 * SCAN_LENGTH as u64;
                        map.range(start..end)
                            .rev()
                            .map(|(_, value)| *value)
                            .sum::<u64>()
                    } else {
                        map.range(start..)
                            .take(SCAN_LENGTH)
                            .map(|(_, value)| *value)
                            .sum::<u64>()
                    }
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bulk_load, get, insert, remove, range_scan);
criterion_main!(benches);
