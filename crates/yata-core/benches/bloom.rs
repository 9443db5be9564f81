//! Throughput of the scalable bloom filter at 1M items.
//!
//! Run: `cargo bench -p yata-core --bench bloom -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use yata_core::index::bloom::{ScalableBloomFilter, DEFAULT_FP_RATE};

const ITEMS: u64 = 1_000_000;
/// First-stage capacity, small enough that filling 1M items adds stages.
const INITIAL_CAPACITY: u64 = 1024;

fn keys(prefix: &str, count: u64) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| format!("{prefix}-{i}").into_bytes())
        .collect()
}

fn filled(keys: &[Vec<u8>]) -> ScalableBloomFilter {
    let mut filter = ScalableBloomFilter::new(INITIAL_CAPACITY, DEFAULT_FP_RATE).unwrap();
    for key in keys {
        filter.insert(key);
    }
    filter
}

fn bench_bloom(c: &mut Criterion) {
    let stored = keys("entity", ITEMS);
    let absent = keys("absent", ITEMS);

    let mut group = c.benchmark_group("bloom_1m");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ITEMS));
    group.bench_function("insert_1m_growing", |b| {
        b.iter_batched(
            || ScalableBloomFilter::new(INITIAL_CAPACITY, DEFAULT_FP_RATE).unwrap(),
            |mut filter| {
                for key in &stored {
                    filter.insert(key);
                }
                filter
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("insert_1m_presized", |b| {
        b.iter_batched(
            || ScalableBloomFilter::new(ITEMS, DEFAULT_FP_RATE).unwrap(),
            |mut filter| {
                for key in &stored {
                    filter.insert(key);
                }
                filter
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    // A grown filter checks every stage on a miss. A rebuilt one
    // (`from_items`) has a single stage, so both shapes are measured.
    let grown = filled(&stored);
    let rebuilt = ScalableBloomFilter::from_items(ITEMS, DEFAULT_FP_RATE, &stored).unwrap();

    let mut group = c.benchmark_group("bloom_1m_contains");
    group.throughput(Throughput::Elements(1));
    for (shape, filter) in [("grown", &grown), ("rebuilt", &rebuilt)] {
        println!(
            "{shape} filter: {} items, {} stages, {} bytes",
            filter.len(),
            filter.stages(),
            filter.bytes()
        );
        let mut next = 0usize;
        group.bench_function(format!("{shape}_hit"), |b| {
            b.iter(|| {
                next = (next + 1) % stored.len();
                black_box(filter.contains(&stored[next]))
            })
        });
        group.bench_function(format!("{shape}_miss"), |b| {
            b.iter(|| {
                next = (next + 1) % absent.len();
                black_box(filter.contains(&absent[next]))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_bloom);
criterion_main!(benches);
