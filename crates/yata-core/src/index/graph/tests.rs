//! Hand-checked cases for the adjacency and the traversals, and the sharded
//! test view shared with the property tests.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::traverse::{k_hop_with, Expansion};
use super::*;
use crate::model::Direction::{self, Both, In, Out};

const A: u16 = 1;
const B: u16 = 2;

/// A graph split over several adjacencies, as a sharded store would hold it:
/// each node's lists live in the adjacency of its home shard.
///
/// It reports a node's edges in the reverse of the adjacency's order, so
/// comparing it with a single adjacency also checks that the algorithms do
/// not depend on the order a view lists edges in.
pub(super) struct ShardedGraph {
    shards: Vec<Adjacency>,
}

impl ShardedGraph {
    pub(super) fn new(shard_count: usize) -> Self {
        ShardedGraph {
            shards: (0..shard_count as u32)
                .map(Adjacency::with_dense_block)
                .collect(),
        }
    }

    fn home(&self, node: u64) -> usize {
        ((node ^ (node >> 48)) % self.shards.len() as u64) as usize
    }

    pub(super) fn add_edge(&mut self, src: u64, dst: u64, rel_type: u16) {
        let (src_home, dst_home) = (self.home(src), self.home(dst));
        self.shards[src_home].add_out_edge(src, dst, rel_type);
        self.shards[dst_home].add_in_edge(dst, src, rel_type);
    }

    pub(super) fn remove_edge(&mut self, src: u64, dst: u64, rel_type: u16) -> bool {
        let (src_home, dst_home) = (self.home(src), self.home(dst));
        let found = self.shards[src_home].remove_out_edge(src, dst, rel_type);
        self.shards[dst_home].remove_in_edge(dst, src, rel_type);
        found
    }

    pub(super) fn remove_node(&mut self, node: u64) {
        let home = self.home(node);
        for edge in self.shards[home].remove_node(node) {
            let other_home = self.home(edge.other);
            match edge.dir {
                EdgeDir::Out => {
                    self.shards[other_home].remove_in_edge(edge.other, node, edge.rel_type)
                }
                EdgeDir::In => {
                    self.shards[other_home].remove_out_edge(edge.other, node, edge.rel_type)
                }
            };
        }
    }

    pub(super) fn edge_count(&self) -> usize {
        self.shards.iter().map(Adjacency::edge_count).sum()
    }
}

impl GraphView for ShardedGraph {
    fn edges(
        &self,
        node: u64,
        direction: Direction,
        types: Option<&[u16]>,
        out: &mut Vec<IncidentEdge>,
    ) {
        let start = out.len();
        self.shards[self.home(node)].edges(node, direction, types, out);
        out[start..].reverse();
    }

    fn has_edge(&self, source: u64, target: u64, rel_type: Option<u16>) -> bool {
        self.shards[self.home(source)].has_edge(source, target, rel_type)
    }
}

/// Returns the edges of the graph most tests use:
///
/// ```text
/// 1 -A-> 2, 1 -B-> 2, 2 -A-> 3, 3 -A-> 1   (a cycle, with parallel edges 1 -> 2)
/// 3 -B-> 4, 4 -A-> 4, 5 -A-> 4             (a self loop on 4)
/// 10 -A-> 11, 10 -A-> 12, 11 -B-> 13, 12 -A-> 13, 11 -A-> 14
/// ```
///
/// Node 7 has no edges.
fn sample_edges() -> Vec<(u64, u64, u16)> {
    vec![
        (1, 2, A),
        (1, 2, B),
        (2, 3, A),
        (3, 1, A),
        (3, 4, B),
        (4, 4, A),
        (5, 4, A),
        (10, 11, A),
        (10, 12, A),
        (11, 13, B),
        (12, 13, A),
        (11, 14, A),
    ]
}

fn sample() -> Adjacency {
    let mut graph = Adjacency::new();
    for (src, dst, rel_type) in sample_edges() {
        graph.add_edge(src, dst, rel_type);
    }
    graph
}

fn sorted(edges: &[Edge]) -> Vec<(u64, u16)> {
    let mut pairs: Vec<(u64, u16)> = edges
        .iter()
        .map(|edge| (edge.other, edge.rel_type))
        .collect();
    pairs.sort_unstable();
    pairs
}

fn reached(node: u64, depth: u32, from: u64, rel_type: u16, dir: EdgeDir) -> Reached {
    Reached {
        node,
        depth,
        from,
        rel_type,
        dir,
    }
}

fn start(node: u64) -> PathStep {
    PathStep { node, via: None }
}

fn step(node: u64, rel_type: u16, dir: EdgeDir) -> PathStep {
    PathStep {
        node,
        via: Some((rel_type, dir)),
    }
}

fn edge(source: u64, target: u64, rel_type: u16) -> SubgraphEdge {
    SubgraphEdge {
        source,
        target,
        rel_type,
    }
}

fn paths(
    graph: &Adjacency,
    from: u64,
    to: u64,
    max_depth: u32,
    direction: Direction,
    types: Option<&[u16]>,
) -> Vec<Vec<PathStep>> {
    all_paths(graph, from, to, max_depth, direction, types, &never_cancel)
        .collect::<Result<_, _>>()
        .expect("never cancelled")
}

// ---- adjacency ----

#[test]
fn edge_is_ten_bytes() {
    assert_eq!(std::mem::size_of::<Edge>(), 10);
}

#[test]
fn adjacency_lists_both_directions() {
    let graph = sample();
    assert_eq!(sorted(graph.out_edges(1)), vec![(2, A), (2, B)]);
    assert_eq!(sorted(graph.in_edges(2)), vec![(1, A), (1, B)]);
    assert_eq!(sorted(graph.out_edges(4)), vec![(4, A)]);
    assert_eq!(sorted(graph.in_edges(4)), vec![(3, B), (4, A), (5, A)]);
    assert!(graph.out_edges(7).is_empty());
    assert_eq!(graph.edge_count(), 12);
    assert_eq!(graph.in_edge_count(), 12);
    assert_eq!(graph.node_count(), 10);
}

#[test]
fn adjacency_removes_one_parallel_edge() {
    let mut graph = Adjacency::new();
    graph.add_edge(1, 2, A);
    graph.add_edge(1, 2, A);
    graph.add_edge(1, 2, B);
    graph.add_edge(3, 1, A);

    assert!(graph.remove_edge(1, 2, A));
    assert_eq!(sorted(graph.out_edges(1)), vec![(2, A), (2, B)]);
    assert_eq!(sorted(graph.in_edges(2)), vec![(1, A), (1, B)]);
    assert_eq!(sorted(graph.in_edges(1)), vec![(3, A)]);
    assert_eq!(graph.edge_count(), 3);

    assert!(
        !graph.remove_edge(2, 1, A),
        "the reverse edge does not exist"
    );
    assert!(graph.remove_edge(1, 2, A));
    assert!(!graph.remove_edge(1, 2, A));
    assert!(graph.remove_edge(1, 2, B));
    assert_eq!(graph.node_count(), 2, "node 2 lost its last edge");
    assert_eq!(graph.edge_count(), 1);
}

#[test]
fn adjacency_removes_node_everywhere() {
    let mut graph = sample();
    let elsewhere = graph.remove_node(4);
    assert!(
        elsewhere.is_empty(),
        "a whole-graph adjacency holds every half"
    );
    assert!(graph.out_edges(4).is_empty());
    assert!(graph.in_edges(4).is_empty());
    assert_eq!(sorted(graph.out_edges(3)), vec![(1, A)]);
    assert!(graph.out_edges(5).is_empty());
    assert_eq!(graph.edge_count(), 9);
    assert_eq!(graph.in_edge_count(), 9);
    assert_eq!(graph.node_count(), 8, "nodes 4 and 5 are gone");
    assert!(graph.remove_node(4).is_empty());
}

#[test]
fn adjacency_remove_node_reports_remote_halves() {
    let mut shard = Adjacency::new();
    shard.add_out_edge(1, 100, A);
    shard.add_in_edge(1, 200, B);
    shard.add_out_edge(1, 2, A);
    shard.add_in_edge(2, 1, A);
    let mut elsewhere = shard.remove_node(1);
    elsewhere.sort_by_key(|edge| edge.other);
    assert_eq!(
        elsewhere,
        vec![
            IncidentEdge {
                other: 100,
                rel_type: A,
                dir: EdgeDir::Out
            },
            IncidentEdge {
                other: 200,
                rel_type: B,
                dir: EdgeDir::In
            },
        ]
    );
    assert!(shard.in_edges(2).is_empty());
    assert_eq!(shard.node_count(), 0);
}

#[test]
fn adjacency_sparse_ids_move_to_dense() {
    let mut graph = Adjacency::new();
    let far = 5000;
    let other_block = (7 << 32) | 3;
    graph.add_edge(far, 1, A);
    graph.add_edge(other_block, far, B);
    for node in 0..6000 {
        graph.add_edge(node, node + 1, A);
    }
    assert_eq!(sorted(graph.out_edges(far)), vec![(1, A), (far + 1, A)]);
    assert_eq!(
        sorted(graph.in_edges(far)),
        vec![(far - 1, A), (other_block, B)]
    );
    assert_eq!(sorted(graph.out_edges(other_block)), vec![(far, B)]);
    assert_eq!(graph.node_count(), 6002);
    assert_eq!(graph.nodes().count(), 6002);

    assert!(graph.remove_edge(other_block, far, B));
    assert!(graph.out_edges(other_block).is_empty());
    assert_eq!(graph.node_count(), 6001);
}

#[test]
fn adjacency_dense_block_holds_shard_ids() {
    let block = 3u32 << 16;
    let id = |local: u64| (u64::from(block) << 32) | local;
    let mut graph = Adjacency::with_dense_block(block);
    for local in 0..100 {
        graph.add_edge(id(local), id(local + 1), A);
    }
    graph.add_edge(id(5), 42, B);
    assert_eq!(sorted(graph.out_edges(id(5))), vec![(42, B), (id(6), A)]);
    assert_eq!(sorted(graph.in_edges(42)), vec![(id(5), B)]);
    let mut nodes: Vec<u64> = graph.nodes().collect();
    nodes.sort_unstable();
    let mut expected: Vec<u64> = (0..=100).map(id).collect();
    expected.insert(0, 42);
    assert_eq!(nodes, expected);
}

#[test]
fn adjacency_memory_estimate_after_shrink() {
    let mut graph = Adjacency::new();
    let node_count = 10_000u64;
    for node in 0..node_count {
        for k in 1..=4 {
            graph.add_edge(node, (node * 7 + k * 13) % node_count, (k % 3) as u16);
        }
    }
    graph.shrink_to_fit();
    let edges = graph.edge_count();
    let bound = 20 * edges + 32 * graph.node_count() + 4096;
    assert!(
        graph.memory_bytes() <= bound,
        "{} bytes for {edges} edges, expected at most {bound}",
        graph.memory_bytes()
    );
    assert!(graph.memory_bytes() >= 20 * edges);
}

// ---- k_hop ----

#[test]
fn k_hop_out_follows_cycle_once() {
    let graph = sample();
    let found = k_hop(&graph, 1, 10, Out, None, &never_cancel).unwrap();
    assert_eq!(
        found,
        vec![
            reached(2, 1, 1, A, EdgeDir::Out),
            reached(3, 2, 2, A, EdgeDir::Out),
            reached(4, 3, 3, B, EdgeDir::Out),
        ]
    );
}

#[test]
fn k_hop_stops_at_depth() {
    let graph = sample();
    let found = k_hop(&graph, 1, 2, Out, None, &never_cancel).unwrap();
    assert_eq!(found.iter().map(|r| r.node).collect::<Vec<_>>(), vec![2, 3]);
    assert!(k_hop(&graph, 1, 0, Out, None, &never_cancel)
        .unwrap()
        .is_empty());
}

#[test]
fn k_hop_incoming() {
    let graph = sample();
    let found = k_hop(&graph, 4, 2, In, None, &never_cancel).unwrap();
    assert_eq!(
        found,
        vec![
            reached(3, 1, 4, B, EdgeDir::In),
            reached(5, 1, 4, A, EdgeDir::In),
            reached(2, 2, 3, A, EdgeDir::In),
        ]
    );
}

#[test]
fn k_hop_both_prefers_out_edges() {
    let graph = sample();
    let found = k_hop(&graph, 3, 2, Both, None, &never_cancel).unwrap();
    assert_eq!(
        found,
        vec![
            reached(1, 1, 3, A, EdgeDir::Out),
            reached(2, 1, 3, A, EdgeDir::In),
            reached(4, 1, 3, B, EdgeDir::Out),
            reached(5, 2, 4, A, EdgeDir::In),
        ]
    );
    // Node 1 is reached over two parallel in-edges: the smaller type wins.
    let from_two = k_hop(&graph, 2, 1, Both, None, &never_cancel).unwrap();
    assert_eq!(
        from_two,
        vec![
            reached(1, 1, 2, A, EdgeDir::In),
            reached(3, 1, 2, A, EdgeDir::Out)
        ]
    );
}

#[test]
fn k_hop_smallest_from_wins() {
    let graph = sample();
    let found = k_hop(&graph, 10, 2, Out, None, &never_cancel).unwrap();
    // 13 is reached from 11 (type B) and from 12 (type A): the smaller from wins over the smaller type.
    assert_eq!(
        found,
        vec![
            reached(11, 1, 10, A, EdgeDir::Out),
            reached(12, 1, 10, A, EdgeDir::Out),
            reached(13, 2, 11, B, EdgeDir::Out),
            reached(14, 2, 11, A, EdgeDir::Out),
        ]
    );
}

#[test]
fn k_hop_type_filter() {
    let graph = sample();
    let found = k_hop(&graph, 1, 3, Out, Some(&[B]), &never_cancel).unwrap();
    assert_eq!(found, vec![reached(2, 1, 1, B, EdgeDir::Out)]);
    assert!(k_hop(&graph, 1, 3, Out, Some(&[]), &never_cancel)
        .unwrap()
        .is_empty());
}

#[test]
fn k_hop_unknown_and_isolated_start() {
    let graph = sample();
    assert!(k_hop(&graph, 7, 3, Both, None, &never_cancel)
        .unwrap()
        .is_empty());
    assert!(k_hop(&graph, 999, 3, Both, None, &never_cancel)
        .unwrap()
        .is_empty());
}

/// Builds a deterministic graph large enough for frontiers above the parallel threshold.
fn generated_graph(node_count: u64, edge_count: usize) -> Adjacency {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut graph = Adjacency::new();
    for _ in 0..edge_count {
        let src = next() % node_count;
        let dst = (next() % node_count) * (next() % 4) / 3 % node_count;
        graph.add_edge(src, dst, (next() % 5) as u16);
    }
    graph
}

#[test]
fn k_hop_parallel_equals_sequential() {
    let graph = generated_graph(5000, 20_000);
    let expansion = |parallel_frontier| Expansion {
        direction: Both,
        types: Some(&[0, 1, 3]),
        cancel: &never_cancel,
        parallel_frontier,
    };
    for start in [0, 17, 4999] {
        let parallel = k_hop_with(&graph, start, 4, &expansion(0)).unwrap();
        let sequential = k_hop_with(&graph, start, 4, &expansion(usize::MAX)).unwrap();
        assert!(
            parallel.len() > 1000,
            "the test should reach large frontiers"
        );
        assert_eq!(parallel, sequential, "start {start}");
    }
}

// ---- shortest_path ----

#[test]
fn shortest_path_out() {
    let graph = sample();
    let path = shortest_path(&graph, 1, 4, 10, Out, None, &never_cancel).unwrap();
    assert_eq!(
        path,
        Some(vec![
            start(1),
            step(2, A, EdgeDir::Out),
            step(3, A, EdgeDir::Out),
            step(4, B, EdgeDir::Out)
        ])
    );
}

#[test]
fn shortest_path_respects_max_depth() {
    let graph = sample();
    assert_eq!(
        shortest_path(&graph, 1, 4, 2, Out, None, &never_cancel).unwrap(),
        None
    );
    assert!(shortest_path(&graph, 1, 4, 3, Out, None, &never_cancel)
        .unwrap()
        .is_some());
}

#[test]
fn shortest_path_unreachable() {
    let graph = sample();
    assert_eq!(
        shortest_path(&graph, 4, 1, 10, Out, None, &never_cancel).unwrap(),
        None
    );
    assert_eq!(
        shortest_path(&graph, 1, 7, 10, Both, None, &never_cancel).unwrap(),
        None
    );
    assert_eq!(
        shortest_path(&graph, 1, 10, 10, Both, None, &never_cancel).unwrap(),
        None
    );
}

#[test]
fn shortest_path_incoming() {
    let graph = sample();
    let path = shortest_path(&graph, 4, 1, 10, In, None, &never_cancel).unwrap();
    assert_eq!(
        path,
        Some(vec![
            start(4),
            step(3, B, EdgeDir::In),
            step(2, A, EdgeDir::In),
            step(1, A, EdgeDir::In)
        ])
    );
}

#[test]
fn shortest_path_both_directions() {
    let graph = sample();
    let path = shortest_path(&graph, 5, 1, 10, Both, None, &never_cancel).unwrap();
    assert_eq!(
        path,
        Some(vec![
            start(5),
            step(4, A, EdgeDir::Out),
            step(3, B, EdgeDir::In),
            step(1, A, EdgeDir::Out)
        ])
    );
}

#[test]
fn shortest_path_to_itself() {
    let graph = sample();
    for max_depth in [0, 5] {
        let path = shortest_path(&graph, 1, 1, max_depth, Out, None, &never_cancel).unwrap();
        assert_eq!(path, Some(vec![start(1)]), "max_depth {max_depth}");
    }
    let isolated = shortest_path(&graph, 7, 7, 0, Out, None, &never_cancel).unwrap();
    assert_eq!(isolated, Some(vec![start(7)]));
}

#[test]
fn shortest_path_ties_follow_forward_bfs() {
    let graph = sample();
    // 10 -> 11 -> 13 and 10 -> 12 -> 13 both have two hops; forward BFS reaches 13 from 11 first.
    let path = shortest_path(&graph, 10, 13, 5, Out, None, &never_cancel).unwrap();
    assert_eq!(
        path,
        Some(vec![
            start(10),
            step(11, A, EdgeDir::Out),
            step(13, B, EdgeDir::Out)
        ])
    );
    let typed = shortest_path(&graph, 10, 13, 5, Out, Some(&[A]), &never_cancel).unwrap();
    assert_eq!(
        typed,
        Some(vec![
            start(10),
            step(12, A, EdgeDir::Out),
            step(13, A, EdgeDir::Out)
        ])
    );
}

#[test]
fn shortest_path_on_ladder() {
    // Two rails 0..=9 and 100..=109 with rungs between them: many shortest
    // paths of equal length, and both searches grow several levels.
    let mut graph = Adjacency::new();
    for i in 0..9 {
        graph.add_edge(i, i + 1, A);
        graph.add_edge(100 + i, 100 + i + 1, A);
    }
    for i in 0..10 {
        graph.add_edge(i, 100 + i, B);
    }
    let path = shortest_path(&graph, 0, 109, 20, Out, None, &never_cancel)
        .unwrap()
        .unwrap();
    let nodes: Vec<u64> = path.iter().map(|s| s.node).collect();
    // Forward BFS reaches 100+k first from k, the smaller node, so the path stays on the lower rail.
    assert_eq!(nodes, vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 109]);
    assert_eq!(path[10].via, Some((B, EdgeDir::Out)));
}

// ---- all_paths ----

#[test]
fn all_paths_over_parallel_edges() {
    let graph = sample();
    assert_eq!(
        paths(&graph, 1, 3, 5, Out, None),
        vec![
            vec![start(1), step(2, A, EdgeDir::Out), step(3, A, EdgeDir::Out)],
            vec![start(1), step(2, B, EdgeDir::Out), step(3, A, EdgeDir::Out)],
        ]
    );
    assert_eq!(
        paths(&graph, 1, 3, 5, Out, Some(&[A])),
        vec![vec![
            start(1),
            step(2, A, EdgeDir::Out),
            step(3, A, EdgeDir::Out)
        ]]
    );
}

#[test]
fn all_paths_both_directions_order() {
    let graph = sample();
    assert_eq!(
        paths(&graph, 2, 1, 3, Both, None),
        vec![
            vec![start(2), step(3, A, EdgeDir::Out), step(1, A, EdgeDir::Out)],
            vec![start(2), step(1, A, EdgeDir::In)],
            vec![start(2), step(1, B, EdgeDir::In)],
        ]
    );
}

#[test]
fn all_paths_depth_limit_and_unreachable() {
    let graph = sample();
    assert!(paths(&graph, 1, 4, 2, Out, None).is_empty());
    assert_eq!(paths(&graph, 1, 4, 3, Out, None).len(), 2);
    assert!(paths(&graph, 4, 1, 10, Out, None).is_empty());
    assert!(paths(&graph, 1, 3, 0, Out, None).is_empty());
}

#[test]
fn all_paths_to_itself() {
    let graph = sample();
    // The cycle 1 -> 2 -> 3 -> 1 repeats node 1, so only the zero-length path counts.
    assert_eq!(paths(&graph, 1, 1, 5, Out, None), vec![vec![start(1)]]);
    assert_eq!(paths(&graph, 4, 4, 5, Both, None), vec![vec![start(4)]]);
}

#[test]
fn all_paths_stops_early() {
    let mut graph = Adjacency::new();
    for a in 0..12u64 {
        for b in 0..12u64 {
            if a != b {
                graph.add_edge(a, b, A);
            }
        }
    }
    let first: Vec<_> = all_paths(&graph, 0, 11, 8, Out, None, &never_cancel)
        .take(3)
        .collect();
    let nodes: Vec<Vec<u64>> = first
        .into_iter()
        .map(|path| path.unwrap().iter().map(|s| s.node).collect())
        .collect();
    assert_eq!(
        nodes,
        vec![
            vec![0, 1, 2, 3, 4, 5, 6, 7, 11],
            vec![0, 1, 2, 3, 4, 5, 6, 8, 11],
            vec![0, 1, 2, 3, 4, 5, 6, 9, 11],
        ]
    );
}

// ---- subgraph ----

#[test]
fn subgraph_keeps_edges_among_nodes() {
    let graph = sample();
    let one_hop = subgraph(&graph, 3, 1, Out, None, &never_cancel).unwrap();
    assert_eq!(one_hop.nodes, vec![1, 3, 4]);
    assert_eq!(
        one_hop.edges,
        vec![edge(3, 1, A), edge(3, 4, B), edge(4, 4, A)]
    );

    let parallel = subgraph(&graph, 1, 1, Out, None, &never_cancel).unwrap();
    assert_eq!(parallel.nodes, vec![1, 2]);
    assert_eq!(parallel.edges, vec![edge(1, 2, A), edge(1, 2, B)]);
}

#[test]
fn subgraph_includes_edges_against_direction() {
    let graph = sample();
    // Following Out from 1 for two hops reaches 2 and 3; the edge 3 -> 1 points back at the root.
    let found = subgraph(&graph, 1, 2, Out, None, &never_cancel).unwrap();
    assert_eq!(found.nodes, vec![1, 2, 3]);
    assert_eq!(
        found.edges,
        vec![edge(1, 2, A), edge(1, 2, B), edge(2, 3, A), edge(3, 1, A)]
    );
}

#[test]
fn subgraph_type_filter_and_isolated_root() {
    let graph = sample();
    let typed = subgraph(&graph, 3, 1, Out, Some(&[B]), &never_cancel).unwrap();
    assert_eq!(typed.nodes, vec![3, 4]);
    assert_eq!(typed.edges, vec![edge(3, 4, B)]);

    let isolated = subgraph(&graph, 7, 3, Both, None, &never_cancel).unwrap();
    assert_eq!(isolated.nodes, vec![7]);
    assert!(isolated.edges.is_empty());
}

// ---- match_pattern ----

fn pattern_edge(source: usize, target: usize, rel_type: Option<u16>) -> PatternEdge {
    PatternEdge {
        source,
        target,
        rel_type,
    }
}

fn matches(graph: &Adjacency, pattern: &Pattern<'_>, limit: Option<usize>) -> Vec<Vec<u64>> {
    match_pattern(graph, pattern, limit, &never_cancel).unwrap()
}

#[test]
fn match_pattern_finds_every_triangle_rotation() {
    let graph = sample();
    let pattern = Pattern::new(
        vec![
            PatternNode::among((1..=14).collect()),
            PatternNode::any(),
            PatternNode::any(),
        ],
        vec![
            pattern_edge(0, 1, Some(A)),
            pattern_edge(1, 2, Some(A)),
            pattern_edge(2, 0, Some(A)),
        ],
    )
    .unwrap();
    assert_eq!(pattern.binding_order(), vec![0, 1, 2]);
    assert_eq!(
        matches(&graph, &pattern, None),
        vec![vec![1, 2, 3], vec![2, 3, 1], vec![3, 1, 2]]
    );
}

#[test]
fn match_pattern_every_match_per_candidate() {
    let graph = sample();
    let pattern = Pattern::new(
        vec![PatternNode::among(vec![3, 1]), PatternNode::any()],
        vec![pattern_edge(0, 1, None)],
    )
    .unwrap();
    // Parallel edges 1 -> 2 give one match; 3 has two out-neighbours.
    assert_eq!(
        matches(&graph, &pattern, None),
        vec![vec![1, 2], vec![3, 1], vec![3, 4]]
    );
    assert_eq!(
        matches(&graph, &pattern, Some(2)),
        vec![vec![1, 2], vec![3, 1]]
    );
    assert!(matches(&graph, &pattern, Some(0)).is_empty());
}

#[test]
fn match_pattern_target_side_and_filter() {
    let graph = sample();
    // Who points at 4 or 13? The candidates come from the target's incoming edges.
    let pattern = Pattern::new(
        vec![
            PatternNode::any().with_filter(|node| node % 2 == 1),
            PatternNode::among(vec![4, 13]),
        ],
        vec![pattern_edge(0, 1, None)],
    )
    .unwrap();
    assert_eq!(pattern.binding_order(), vec![1, 0]);
    assert_eq!(
        matches(&graph, &pattern, None),
        vec![vec![3, 4], vec![5, 4], vec![11, 13]]
    );
}

#[test]
fn match_pattern_distinct_variables() {
    let graph = sample();
    let two_vars = Pattern::new(
        vec![PatternNode::among(vec![4]), PatternNode::any()],
        vec![pattern_edge(0, 1, Some(A))],
    )
    .unwrap();
    assert!(
        matches(&graph, &two_vars, None).is_empty(),
        "4 -A-> 4 cannot bind two variables"
    );

    let self_loop = Pattern::new(
        vec![PatternNode::among((0..20).collect())],
        vec![pattern_edge(0, 0, None)],
    )
    .unwrap();
    assert_eq!(matches(&graph, &self_loop, None), vec![vec![4]]);
}

#[test]
fn match_pattern_checks_extra_edges() {
    let graph = sample();
    // a -> b, b -> c and a -> c: the sample has no such transitive triangle.
    let pattern = Pattern::new(
        vec![
            PatternNode::among((0..20).collect()),
            PatternNode::any(),
            PatternNode::any(),
        ],
        vec![
            pattern_edge(0, 1, None),
            pattern_edge(1, 2, None),
            pattern_edge(0, 2, None),
        ],
    )
    .unwrap();
    assert!(matches(&graph, &pattern, None).is_empty());

    let chain = Pattern::new(
        vec![
            PatternNode::among(vec![10]),
            PatternNode::any(),
            PatternNode::any(),
        ],
        vec![pattern_edge(0, 1, Some(A)), pattern_edge(1, 2, None)],
    )
    .unwrap();
    assert_eq!(
        matches(&graph, &chain, None),
        vec![vec![10, 11, 13], vec![10, 11, 14], vec![10, 12, 13]]
    );
}

#[test]
fn match_pattern_disconnected_parts() {
    let graph = sample();
    let pattern = Pattern::new(
        vec![
            PatternNode::among(vec![1, 2]),
            PatternNode::among(vec![5, 1]),
        ],
        vec![],
    )
    .unwrap();
    assert_eq!(pattern.binding_order(), vec![0, 1]);
    assert_eq!(
        matches(&graph, &pattern, None),
        vec![vec![1, 5], vec![2, 1], vec![2, 5]]
    );
}

#[test]
fn pattern_rejects_invalid_input() {
    assert!(Pattern::new(vec![], vec![]).is_err());
    let out_of_range = Pattern::new(
        vec![PatternNode::among(vec![1])],
        vec![pattern_edge(0, 1, None)],
    );
    assert_eq!(
        out_of_range.err(),
        Some(InvalidPattern(
            "edge 0 refers to variable 1, but the pattern has 1 variables".to_string()
        ))
    );
    let unanchored = Pattern::new(
        vec![
            PatternNode::among(vec![1]),
            PatternNode::any(),
            PatternNode::any(),
        ],
        vec![pattern_edge(1, 2, None)],
    );
    let message = unanchored
        .err()
        .expect("variables 1 and 2 have no candidate set")
        .to_string();
    assert!(message.contains("variable 1"), "{message}");
}

// ---- cancellation ----

#[test]
fn cancelled_algorithms_return_error() {
    let graph = sample();
    let cancel = || true;
    assert_eq!(k_hop(&graph, 1, 2, Out, None, &cancel), Err(Cancelled));
    assert_eq!(
        shortest_path(&graph, 1, 4, 5, Out, None, &cancel),
        Err(Cancelled)
    );
    assert_eq!(subgraph(&graph, 1, 2, Out, None, &cancel), Err(Cancelled));
    let mut iterator = all_paths(&graph, 1, 3, 5, Out, None, &cancel);
    assert_eq!(iterator.next(), Some(Err(Cancelled)));
    assert_eq!(iterator.next(), None);
    let pattern = Pattern::new(
        vec![PatternNode::among(vec![1]), PatternNode::any()],
        vec![pattern_edge(0, 1, None)],
    )
    .unwrap();
    assert_eq!(
        match_pattern(&graph, &pattern, None, &cancel),
        Err(Cancelled)
    );
}

#[test]
fn all_paths_cancel_mid_search() {
    let mut graph = Adjacency::new();
    for a in 0..10u64 {
        for b in 0..10u64 {
            if a != b {
                graph.add_edge(a, b, A);
            }
        }
    }
    let calls = AtomicUsize::new(0);
    let cancel = || calls.fetch_add(1, Ordering::Relaxed) >= 3;
    let results: Vec<_> = all_paths(&graph, 0, 9, 8, Out, None, &cancel).collect();
    assert!(results.len() > 1, "some paths come before the cancellation");
    assert_eq!(results.last(), Some(&Err(Cancelled)));
    assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
}
