//! Benchmarks of the in-memory graph index on a generated graph of 1M nodes
//! and 4M edges: building the adjacency, k-hop expansion and shortest paths.
//!
//! The graph is power-law-ish: sources and targets are drawn by rank with
//! densities falling as `rank^(-1/2)` and `rank^(-2/3)`, so a few nodes have
//! thousands of edges, as popular functions do in a call graph. Ranks are
//! scattered over the ids by a multiplication modulo the node count. The
//! generator is a fixed-seed splitmix64, so every run measures the same graph.
//!
//! Before the criterion runs, the bench prints the heap used by the adjacency
//! (counted by a global allocator wrapper) and the average size of the
//! results, so the timings can be read per node reached.
//!
//! Run: `cargo bench -p yata-core --bench traversal -- --warm-up-time 1 --measurement-time 3`

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use criterion::Criterion;
use yata_core::index::graph::{k_hop, never_cancel, shortest_path, Adjacency};
use yata_core::Direction;

/// Wraps the system allocator to count the bytes currently allocated.
struct CountingAllocator;

static ALLOCATED_BYTES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        ALLOCATED_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATED_BYTES.fetch_add(new_size, Ordering::Relaxed);
        ALLOCATED_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const NODE_COUNT: u64 = 1_000_000;
const EDGE_COUNT: usize = 4_000_000;
const REL_TYPE_COUNT: u64 = 8;
/// Start nodes and node pairs cycled through by the timed loops.
const SAMPLE_COUNT: usize = 64;

/// splitmix64: a small, fast generator with a fixed seed.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Returns a uniform float in [0, 1).
    fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Returns a node id whose rank is `NODE_COUNT * u^exponent`, scattered by `scatter`.
    fn skewed_node(&mut self, exponent: i32, scatter: u64) -> u64 {
        let rank =
            ((NODE_COUNT as f64 * self.next_unit().powi(exponent)) as u64).min(NODE_COUNT - 1);
        rank * scatter % NODE_COUNT
    }
}

fn generate_edges() -> Vec<(u64, u64, u16)> {
    let mut rng = Rng(0x5eed);
    (0..EDGE_COUNT)
        .map(|_| {
            // 999_983 and 999_979 are primes, so both scatters are bijections on the ids.
            let src = rng.skewed_node(2, 999_983);
            let dst = rng.skewed_node(3, 999_979);
            let rel_type = (rng.next_u64() % REL_TYPE_COUNT) as u16;
            (src, dst, rel_type)
        })
        .collect()
}

fn build(edges: &[(u64, u64, u16)]) -> Adjacency {
    let mut graph = Adjacency::new();
    for &(src, dst, rel_type) in edges {
        graph.add_edge(src, dst, rel_type);
    }
    graph
}

fn report_memory(edges: &[(u64, u64, u16)]) -> Adjacency {
    let before = ALLOCATED_BYTES.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut graph = build(edges);
    let build_time = started.elapsed();
    let built = ALLOCATED_BYTES.load(Ordering::Relaxed) - before;
    let estimate = graph.memory_bytes();
    graph.shrink_to_fit();
    let shrunk = ALLOCATED_BYTES.load(Ordering::Relaxed) - before;
    let half_edges = 2.0 * EDGE_COUNT as f64;
    println!(
        "graph: {} nodes with edges, {} edges, built once in {:.2?}",
        graph.node_count(),
        graph.edge_count(),
        build_time
    );
    println!(
        "heap after build: {built} bytes ({:.2} per edge per direction); memory_bytes() estimate {estimate}",
        built as f64 / half_edges
    );
    println!(
        "heap after shrink_to_fit: {shrunk} bytes ({:.2} per edge per direction); memory_bytes() estimate {}",
        shrunk as f64 / half_edges,
        graph.memory_bytes()
    );
    graph
}

fn sample_nodes(seed: u64) -> Vec<u64> {
    let mut rng = Rng(seed);
    (0..SAMPLE_COUNT)
        .map(|_| rng.next_u64() % NODE_COUNT)
        .collect()
}

const HOP_CASES: [(Direction, u32, &str); 6] = [
    (Direction::Out, 1, "out/1"),
    (Direction::Out, 2, "out/2"),
    (Direction::Out, 3, "out/3"),
    (Direction::Both, 1, "both/1"),
    (Direction::Both, 2, "both/2"),
    (Direction::Both, 3, "both/3"),
];

const PATH_CASES: [(Direction, u32, &str); 2] = [
    (Direction::Out, 6, "out/max6"),
    (Direction::Both, 6, "both/max6"),
];

fn report_result_sizes(graph: &Adjacency, starts: &[u64], pairs: &[(u64, u64)]) {
    for (direction, depth, name) in HOP_CASES {
        let total: usize = starts
            .iter()
            .map(|&start| {
                k_hop(graph, start, depth, direction, None, &never_cancel)
                    .unwrap()
                    .len()
            })
            .sum();
        println!(
            "k_hop {name}: {:.0} nodes reached on average",
            total as f64 / starts.len() as f64
        );
    }
    for (direction, max_depth, name) in PATH_CASES {
        let lengths: Vec<usize> = pairs
            .iter()
            .filter_map(|&(from, to)| {
                shortest_path(graph, from, to, max_depth, direction, None, &never_cancel)
                    .unwrap()
                    .map(|path| path.len() - 1)
            })
            .collect();
        let mean = lengths.iter().sum::<usize>() as f64 / lengths.len().max(1) as f64;
        println!(
            "shortest_path {name}: {} of {} pairs connected, mean length {mean:.2}",
            lengths.len(),
            pairs.len()
        );
    }
}

fn bench_build(c: &mut Criterion, edges: &[(u64, u64, u16)]) {
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.bench_function("add_edge/4M", |b| b.iter(|| build(black_box(edges))));
    group.finish();
}

fn bench_k_hop(c: &mut Criterion, graph: &Adjacency, starts: &[u64]) {
    let mut group = c.benchmark_group("k_hop");
    group.sample_size(10);
    for (direction, depth, name) in HOP_CASES {
        let mut next = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                next = (next + 1) % starts.len();
                k_hop(graph, starts[next], depth, direction, None, &never_cancel).unwrap()
            })
        });
    }
    group.finish();
}

fn bench_shortest_path(c: &mut Criterion, graph: &Adjacency, pairs: &[(u64, u64)]) {
    let mut group = c.benchmark_group("shortest_path");
    group.sample_size(10);
    for (direction, max_depth, name) in PATH_CASES {
        let mut next = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                next = (next + 1) % pairs.len();
                let (from, to) = pairs[next];
                shortest_path(graph, from, to, max_depth, direction, None, &never_cancel).unwrap()
            })
        });
    }
    group.finish();
}

fn main() {
    let edges = generate_edges();
    let graph = report_memory(&edges);
    let starts = sample_nodes(1);
    let pairs: Vec<(u64, u64)> = sample_nodes(2).into_iter().zip(sample_nodes(3)).collect();
    report_result_sizes(&graph, &starts, &pairs);

    let mut criterion = Criterion::default().configure_from_args();
    bench_build(&mut criterion, &edges);
    bench_k_hop(&mut criterion, &graph, &starts);
    bench_shortest_path(&mut criterion, &graph, &pairs);
    criterion.final_summary();
}
