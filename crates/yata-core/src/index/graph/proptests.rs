//! Property tests: every algorithm against a naive reference on random graphs
//! with self loops and parallel edges, and one adjacency against three shards.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::tests::ShardedGraph;
use super::*;
use crate::model::Direction;

/// A graph as a plain edge list, with its node ids.
#[derive(Debug, Clone)]
struct TestGraph {
    nodes: Vec<u64>,
    edges: Vec<(u64, u64, u16)>,
}

impl TestGraph {
    fn adjacency(&self) -> Adjacency {
        let mut graph = Adjacency::new();
        for &(src, dst, rel_type) in &self.edges {
            graph.add_edge(src, dst, rel_type);
        }
        graph
    }

    fn sharded(&self) -> ShardedGraph {
        let mut graph = ShardedGraph::new(3);
        for &(src, dst, rel_type) in &self.edges {
            graph.add_edge(src, dst, rel_type);
        }
        graph
    }

    /// Returns `(other, dir, rel_type)` for every edge of `node` that the filters allow.
    fn neighbors(
        &self,
        node: u64,
        direction: Direction,
        types: Option<&[u16]>,
    ) -> Vec<(u64, EdgeDir, u16)> {
        let mut found = Vec::new();
        for &(src, dst, rel_type) in &self.edges {
            if types.is_some_and(|types| !types.contains(&rel_type)) {
                continue;
            }
            if direction.includes_out() && src == node {
                found.push((dst, EdgeDir::Out, rel_type));
            }
            if direction.includes_in() && dst == node {
                found.push((src, EdgeDir::In, rel_type));
            }
        }
        found
    }

    /// Level-by-level BFS that gives each node the smallest `(from, dir, rel_type)` edge from the previous level.
    fn bfs(
        &self,
        start: u64,
        depth: u32,
        direction: Direction,
        types: Option<&[u16]>,
    ) -> Vec<Reached> {
        let mut seen = BTreeSet::from([start]);
        let mut level = vec![start];
        let mut result = Vec::new();
        for d in 1..=depth {
            let mut best: BTreeMap<u64, (u64, EdgeDir, u16)> = BTreeMap::new();
            for &from in &level {
                for (other, dir, rel_type) in self.neighbors(from, direction, types) {
                    if seen.contains(&other) {
                        continue;
                    }
                    let key = (from, dir, rel_type);
                    let entry = best.entry(other).or_insert(key);
                    *entry = (*entry).min(key);
                }
            }
            level = best.keys().copied().collect();
            for (node, (from, dir, rel_type)) in best {
                seen.insert(node);
                result.push(Reached {
                    node,
                    depth: d,
                    from,
                    rel_type,
                    dir,
                });
            }
        }
        result
    }

    /// The path a plain forward BFS returns: follow each node's first edge back from `to`.
    fn bfs_path(
        &self,
        from: u64,
        to: u64,
        max_depth: u32,
        direction: Direction,
        types: Option<&[u16]>,
    ) -> Option<Vec<PathStep>> {
        if from == to {
            return Some(vec![PathStep {
                node: from,
                via: None,
            }]);
        }
        let reached: BTreeMap<u64, Reached> = self
            .bfs(from, max_depth, direction, types)
            .into_iter()
            .map(|r| (r.node, r))
            .collect();
        reached.get(&to)?;
        let mut steps = Vec::new();
        let mut node = to;
        while node != from {
            let r = reached[&node];
            steps.push(PathStep {
                node,
                via: Some((r.rel_type, r.dir)),
            });
            node = r.from;
        }
        steps.push(PathStep {
            node: from,
            via: None,
        });
        steps.reverse();
        Some(steps)
    }

    fn simple_paths(
        &self,
        from: u64,
        to: u64,
        max_depth: u32,
        direction: Direction,
        types: Option<&[u16]>,
    ) -> BTreeSet<Vec<StepKey>> {
        let mut found = BTreeSet::new();
        if from == to {
            found.insert(vec![(from, None)]);
            return found;
        }
        let mut path = vec![(from, None)];
        self.extend_paths(&mut path, to, max_depth, direction, types, &mut found);
        found
    }

    fn extend_paths(
        &self,
        path: &mut Vec<StepKey>,
        to: u64,
        max_depth: u32,
        direction: Direction,
        types: Option<&[u16]>,
        found: &mut BTreeSet<Vec<StepKey>>,
    ) {
        if path.len() as u32 > max_depth {
            return;
        }
        let last = path.last().unwrap().0;
        for (other, dir, rel_type) in self.neighbors(last, direction, types) {
            if path.iter().any(|&(node, _)| node == other) {
                continue;
            }
            path.push((other, Some((rel_type, dir))));
            if other == to {
                found.insert(path.clone());
            } else {
                self.extend_paths(path, to, max_depth, direction, types, found);
            }
            path.pop();
        }
    }

    fn has_edge(&self, src: u64, dst: u64, rel_type: Option<u16>) -> bool {
        self.edges
            .iter()
            .any(|&(s, d, t)| s == src && d == dst && rel_type.is_none_or(|wanted| t == wanted))
    }
}

/// A path step as an ordered tuple.
type StepKey = (u64, Option<(u16, EdgeDir)>);

fn keys(path: &[PathStep]) -> Vec<StepKey> {
    path.iter().map(|step| (step.node, step.via)).collect()
}

fn test_graph(max_nodes: usize, max_edges: usize) -> impl Strategy<Value = TestGraph> {
    (1..=max_nodes, any::<bool>()).prop_flat_map(move |(node_count, spread)| {
        // Spread ids put nodes in several 2^48 blocks, so the single adjacency
        // stores them in its hash map and the shards' homes change.
        let nodes: Vec<u64> = (0..node_count as u64)
            .map(|i| if spread { ((i % 5) << 48) | (i * 7) } else { i })
            .collect();
        prop::collection::vec((0..node_count, 0..node_count, 0u16..4), 0..=max_edges).prop_map(
            move |raw| TestGraph {
                nodes: nodes.clone(),
                edges: raw
                    .into_iter()
                    .map(|(s, d, t)| (nodes[s], nodes[d], t))
                    .collect(),
            },
        )
    })
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::Out),
        Just(Direction::In),
        Just(Direction::Both)
    ]
}

fn types() -> impl Strategy<Value = Option<Vec<u16>>> {
    prop::option::of(prop::collection::vec(0u16..4, 0..=3))
}

/// Generates a test graph with a node index pair, a depth, a direction and a type filter.
fn traversal_case(
    max_depth: u32,
) -> impl Strategy<Value = (TestGraph, usize, usize, u32, Direction, Option<Vec<u16>>)> {
    (
        test_graph(60, 200),
        any::<usize>(),
        any::<usize>(),
        0..=max_depth,
        direction(),
        types(),
    )
}

fn assert_valid_path(
    graph: &TestGraph,
    path: &[PathStep],
    max_depth: u32,
    direction: Direction,
    types: Option<&[u16]>,
) {
    assert!(
        path.len() as u32 <= max_depth + 1,
        "path longer than max_depth: {path:?}"
    );
    assert_eq!(path[0].via, None);
    let distinct: BTreeSet<u64> = path.iter().map(|s| s.node).collect();
    assert_eq!(distinct.len(), path.len(), "path repeats a node: {path:?}");
    for pair in path.windows(2) {
        let (rel_type, dir) = pair[1].via.expect("every step after the first has an edge");
        assert!(types.is_none_or(|types| types.contains(&rel_type)));
        let exists = match dir {
            EdgeDir::Out => {
                direction.includes_out()
                    && graph.has_edge(pair[0].node, pair[1].node, Some(rel_type))
            }
            EdgeDir::In => {
                direction.includes_in()
                    && graph.has_edge(pair[1].node, pair[0].node, Some(rel_type))
            }
        };
        assert!(exists, "step {pair:?} is not an allowed edge");
    }
}

proptest! {
    #[test]
    fn k_hop_matches_reference((graph, start, _, depth, direction, types) in traversal_case(5)) {
        let start = graph.nodes[start % graph.nodes.len()];
        let types = types.as_deref();
        let found = k_hop(&graph.adjacency(), start, depth, direction, types, &never_cancel).unwrap();
        prop_assert_eq!(found, graph.bfs(start, depth, direction, types));
    }

    #[test]
    fn shortest_path_matches_forward_bfs((graph, from, to, max_depth, direction, types) in traversal_case(8)) {
        let from = graph.nodes[from % graph.nodes.len()];
        let to = graph.nodes[to % graph.nodes.len()];
        let types = types.as_deref();
        let found = shortest_path(&graph.adjacency(), from, to, max_depth, direction, types, &never_cancel).unwrap();
        let expected = graph.bfs_path(from, to, max_depth, direction, types);

        let distance = if from == to {
            Some(0)
        } else {
            graph.bfs(from, max_depth, direction, types).iter().find(|r| r.node == to).map(|r| r.depth)
        };
        prop_assert_eq!(found.as_ref().map(|path| path.len() as u32 - 1), distance);
        if let Some(path) = &found {
            assert_valid_path(&graph, path, max_depth, direction, types);
        }
        prop_assert_eq!(found, expected);
    }

    #[test]
    fn all_paths_matches_enumeration((graph, from, to, max_depth, direction, types) in traversal_case(4)) {
        let from = graph.nodes[from % graph.nodes.len()];
        let to = graph.nodes[to % graph.nodes.len()];
        let types = types.as_deref();
        let adjacency = graph.adjacency();
        let found: Vec<Vec<PathStep>> = all_paths(&adjacency, from, to, max_depth, direction, types, &never_cancel)
            .collect::<Result<_, _>>()
            .unwrap();
        for path in &found {
            assert_valid_path(&graph, path, max_depth, direction, types);
        }
        let found_keys: Vec<Vec<StepKey>> = found.iter().map(|path| keys(path)).collect();
        let found_set: BTreeSet<Vec<StepKey>> = found_keys.iter().cloned().collect();
        prop_assert_eq!(found_set.len(), found_keys.len(), "duplicate paths");
        prop_assert_eq!(&found_set, &graph.simple_paths(from, to, max_depth, direction, types));

        // Documented order: lexicographic by (dir, node, rel_type) per step.
        let search_order = |path: &Vec<StepKey>| -> Vec<(EdgeDir, u64, u16)> {
            path.iter().skip(1).map(|&(node, via)| (via.unwrap().1, node, via.unwrap().0)).collect()
        };
        let mut sorted = found_keys.clone();
        sorted.sort_by_key(search_order);
        prop_assert_eq!(found_keys, sorted);
    }

    #[test]
    fn subgraph_matches_reference((graph, root, _, depth, direction, types) in traversal_case(4)) {
        let root = graph.nodes[root % graph.nodes.len()];
        let types = types.as_deref();
        let found = subgraph(&graph.adjacency(), root, depth, direction, types, &never_cancel).unwrap();

        let mut nodes: Vec<u64> = graph.bfs(root, depth, direction, types).iter().map(|r| r.node).collect();
        nodes.push(root);
        nodes.sort_unstable();
        let mut edges: Vec<SubgraphEdge> = graph
            .edges
            .iter()
            .filter(|&&(s, d, t)| {
                nodes.contains(&s) && nodes.contains(&d) && types.is_none_or(|types| types.contains(&t))
            })
            .map(|&(source, target, rel_type)| SubgraphEdge { source, target, rel_type })
            .collect();
        edges.sort_unstable();
        prop_assert_eq!(found, Subgraph { nodes, edges });
    }

    #[test]
    fn match_pattern_matches_brute_force(
        graph in test_graph(8, 20),
        var_count in 1..=3usize,
        raw_edges in prop::collection::vec((0..3usize, 0..3usize, prop::option::of(0u16..4)), 0..=3),
        raw_vars in prop::collection::vec((any::<bool>(), prop::collection::vec(0..8usize, 0..=6), 0..3u8), 3),
        limit in 0..6usize,
    ) {
        let pattern_edges: Vec<PatternEdge> = raw_edges
            .iter()
            .map(|&(s, t, rel_type)| PatternEdge { source: s % var_count, target: t % var_count, rel_type })
            .collect();
        let candidate_sets: Vec<Option<Vec<u64>>> = raw_vars[..var_count]
            .iter()
            .enumerate()
            .map(|(var, (has_set, picks, _))| {
                (var == 0 || *has_set).then(|| picks.iter().map(|&i| graph.nodes[i % graph.nodes.len()]).collect())
            })
            .collect();
        let filter_kinds: Vec<u8> = raw_vars[..var_count].iter().map(|v| v.2).collect();
        let passes = |kind: u8, node: u64| match kind {
            0 => true,
            1 => node.is_multiple_of(2),
            _ => node % 3 != 1,
        };
        let pattern_nodes: Vec<PatternNode<'_>> = (0..var_count)
            .map(|var| {
                let kind = filter_kinds[var];
                PatternNode {
                    candidates: candidate_sets[var].clone(),
                    filter: (kind != 0).then(|| Box::new(move |node| passes(kind, node)) as Box<dyn Fn(u64) -> bool>),
                }
            })
            .collect();
        let pattern = Pattern::new(pattern_nodes, pattern_edges.clone());
        prop_assume!(pattern.is_ok());
        let pattern = pattern.unwrap();
        let order = pattern.binding_order();

        let mut expected = Vec::new();
        let node_count = graph.nodes.len();
        for code in 0..node_count.pow(var_count as u32) {
            let binding: Vec<u64> = (0..var_count)
                .map(|var| graph.nodes[code / node_count.pow(var as u32) % node_count])
                .collect();
            let distinct: BTreeSet<u64> = binding.iter().copied().collect();
            let fits = distinct.len() == var_count
                && (0..var_count).all(|var| {
                    candidate_sets[var].as_ref().is_none_or(|set| set.contains(&binding[var]))
                        && passes(filter_kinds[var], binding[var])
                })
                && pattern_edges.iter().all(|e| graph.has_edge(binding[e.source], binding[e.target], e.rel_type));
            if fits {
                expected.push(binding);
            }
        }
        expected.sort_by_key(|binding| order.iter().map(|&var| binding[var]).collect::<Vec<_>>());

        let adjacency = graph.adjacency();
        let found = match_pattern(&adjacency, &pattern, None, &never_cancel).unwrap();
        prop_assert_eq!(&found, &expected);
        let limited = match_pattern(&adjacency, &pattern, Some(limit), &never_cancel).unwrap();
        prop_assert_eq!(&limited[..], &expected[..limit.min(expected.len())]);
    }

    #[test]
    fn sharding_preserves_results(
        (graph, a, b, depth, direction, types) in traversal_case(4),
        pattern_types in (prop::option::of(0u16..4), prop::option::of(0u16..4)),
    ) {
        let single = graph.adjacency();
        let sharded = graph.sharded();
        prop_assert_eq!(sharded.edge_count(), single.edge_count());
        let a = graph.nodes[a % graph.nodes.len()];
        let b = graph.nodes[b % graph.nodes.len()];
        let types = types.as_deref();

        prop_assert_eq!(
            k_hop(&single, a, depth, direction, types, &never_cancel),
            k_hop(&sharded, a, depth, direction, types, &never_cancel)
        );
        prop_assert_eq!(
            shortest_path(&single, a, b, depth + 2, direction, types, &never_cancel),
            shortest_path(&sharded, a, b, depth + 2, direction, types, &never_cancel)
        );
        let single_paths: Vec<_> = all_paths(&single, a, b, depth, direction, types, &never_cancel).collect();
        let sharded_paths: Vec<_> = all_paths(&sharded, a, b, depth, direction, types, &never_cancel).collect();
        prop_assert_eq!(single_paths, sharded_paths);
        prop_assert_eq!(
            subgraph(&single, a, depth, direction, types, &never_cancel),
            subgraph(&sharded, a, depth, direction, types, &never_cancel)
        );

        let chain = || {
            Pattern::new(
                vec![PatternNode::among(graph.nodes.clone()), PatternNode::any(), PatternNode::any()],
                vec![
                    PatternEdge { source: 0, target: 1, rel_type: pattern_types.0 },
                    PatternEdge { source: 2, target: 1, rel_type: pattern_types.1 },
                ],
            )
            .unwrap()
        };
        prop_assert_eq!(
            match_pattern(&single, &chain(), None, &never_cancel),
            match_pattern(&sharded, &chain(), None, &never_cancel)
        );
    }

    #[test]
    fn adjacency_matches_multiset_model(
        spread in any::<bool>(),
        ops in prop::collection::vec((0..10u8, 0..20u64, 0..20u64, 0u16..3), 0..300),
    ) {
        let id = |i: u64| if spread { ((i % 3) << 32) | (i * 1000) } else { i };
        let mut model: Vec<(u64, u64, u16)> = Vec::new();
        let mut single = Adjacency::new();
        let mut sharded = ShardedGraph::new(3);
        for (kind, a, b, rel_type) in ops {
            let (a, b) = (id(a), id(b));
            match kind {
                // Mostly adds, so the graph grows; a few of each removal.
                0..=5 => {
                    model.push((a, b, rel_type));
                    single.add_edge(a, b, rel_type);
                    sharded.add_edge(a, b, rel_type);
                }
                6..=8 => {
                    let position = model.iter().position(|&e| e == (a, b, rel_type));
                    if let Some(position) = position {
                        model.swap_remove(position);
                    }
                    prop_assert_eq!(single.remove_edge(a, b, rel_type), position.is_some());
                    prop_assert_eq!(sharded.remove_edge(a, b, rel_type), position.is_some());
                }
                _ => {
                    model.retain(|&(s, d, _)| s != a && d != a);
                    prop_assert!(single.remove_node(a).is_empty());
                    sharded.remove_node(a);
                }
            }
        }

        let touched: BTreeSet<u64> = model.iter().flat_map(|&(s, d, _)| [s, d]).collect();
        prop_assert_eq!(single.edge_count(), model.len());
        prop_assert_eq!(single.in_edge_count(), model.len());
        prop_assert_eq!(sharded.edge_count(), model.len());
        prop_assert_eq!(single.node_count(), touched.len());
        prop_assert_eq!(single.nodes().collect::<BTreeSet<u64>>(), touched.clone());
        for node in (0..20).map(id) {
            let mut out_expected: Vec<(u64, u16)> = model.iter().filter(|e| e.0 == node).map(|e| (e.1, e.2)).collect();
            let mut in_expected: Vec<(u64, u16)> = model.iter().filter(|e| e.1 == node).map(|e| (e.0, e.2)).collect();
            out_expected.sort_unstable();
            in_expected.sort_unstable();
            let mut out_found: Vec<(u64, u16)> = single.out_edges(node).iter().map(|e| (e.other, e.rel_type)).collect();
            let mut in_found: Vec<(u64, u16)> = single.in_edges(node).iter().map(|e| (e.other, e.rel_type)).collect();
            out_found.sort_unstable();
            in_found.sort_unstable();
            prop_assert_eq!(&out_found, &out_expected);
            prop_assert_eq!(&in_found, &in_expected);

            let mut sharded_edges = Vec::new();
            sharded.edges(node, Direction::Both, None, &mut sharded_edges);
            let mut single_edges = Vec::new();
            single.edges(node, Direction::Both, None, &mut single_edges);
            let sort_key = |e: &IncidentEdge| (e.dir, e.other, e.rel_type);
            sharded_edges.sort_by_key(sort_key);
            single_edges.sort_by_key(sort_key);
            prop_assert_eq!(sharded_edges, single_edges);
        }
    }
}
