//! Partition routing: which shard owns a key, on rings of 4 and 64 shards
//! with the default 256 virtual nodes each.
//!
//! Run: `cargo bench -p yata-core --bench routing -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use yata_core::partition::{HashRing, DEFAULT_HASH_SEED, DEFAULT_VIRTUAL_NODES};

const KEYS: usize = 10_000;

fn bench_routing(c: &mut Criterion) {
    let keys: Vec<String> = (0..KEYS).map(|i| format!("src/app/module{i}.ts#UserService.method{i}")).collect();
    let mut group = c.benchmark_group("routing");
    group.throughput(Throughput::Elements(KEYS as u64));
    for shards in [4usize, 64] {
        let ids: Vec<String> = (0..shards).map(|i| format!("shard-{i}")).collect();
        let ring = HashRing::new(&ids, DEFAULT_VIRTUAL_NODES, DEFAULT_HASH_SEED);
        group.bench_function(format!("shard_of_10k_keys_{shards}_shards"), |b| {
            b.iter(|| {
                let mut sum = 0usize;
                for key in &keys {
                    sum += ring.shard_of(black_box(key));
                }
                sum
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_routing);
criterion_main!(benches);
