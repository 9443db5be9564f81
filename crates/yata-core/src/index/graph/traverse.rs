//! Breadth-first traversals: k-hop neighbourhoods, shortest paths and subgraphs.
//!
//! All of them expand one BFS level at a time with [`expand_level`]: the
//! frontier is sorted, and a level larger than [`PARALLEL_FRONTIER`] nodes is
//! split into chunks that rayon expands in parallel. The discoveries of a level
//! are then sorted, so the result does not depend on the chunking, on the
//! thread schedule or on the order in which the view lists edges.
//!
//! The first edge that reaches a node, in the order "frontier node ascending,
//! outgoing before incoming, then relationship type ascending", is the one
//! recorded for it. That is the edge with the smallest key
//! `(from, direction, rel_type)` among the edges from the previous level.

use rayon::prelude::*;

use super::ids::{NodeMap, NodeSet};
use super::{CancelCheck, Cancelled, EdgeDir, GraphView, IncidentEdge, PathStep};
use crate::model::Direction;

/// Frontier size above which a level is expanded in parallel.
pub(crate) const PARALLEL_FRONTIER: usize = 512;

/// A node reached by [`k_hop`], with its distance and the edge it was first reached by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reached {
    pub node: u64,
    /// Distance from the start in hops, at least 1.
    pub depth: u32,
    /// The node of the previous level that the edge leaves from.
    pub from: u64,
    pub rel_type: u16,
    /// Direction of the edge as seen from `from`: `Out` when `from` is its source.
    pub dir: EdgeDir,
}

/// The nodes within some depth of a root and the edges among them, from [`subgraph`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subgraph {
    /// Ascending node ids, the root included.
    pub nodes: Vec<u64>,
    /// Ascending by (source, target, type); parallel edges appear once each.
    pub edges: Vec<SubgraphEdge>,
}

/// An edge of a [`Subgraph`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubgraphEdge {
    pub source: u64,
    pub target: u64,
    pub rel_type: u16,
}

/// A node found while expanding a level, with the edge that found it.
///
/// The derived order is by node, then by the edge key `(from, dir, rel_type)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Discovery {
    pub(crate) node: u64,
    pub(crate) from: u64,
    pub(crate) dir: EdgeDir,
    pub(crate) rel_type: u16,
}

/// The settings of one level expansion.
pub(crate) struct Expansion<'a> {
    pub(crate) direction: Direction,
    pub(crate) types: Option<&'a [u16]>,
    pub(crate) cancel: CancelCheck<'a>,
    /// Frontier size above which the level is expanded in parallel.
    pub(crate) parallel_frontier: usize,
}

/// Returns the nodes adjacent to `frontier` that `skip` does not exclude,
/// ascending, each once, with its smallest-key edge from the frontier.
pub(crate) fn expand_level<G, S>(
    graph: &G,
    frontier: &[u64],
    expansion: &Expansion<'_>,
    skip: &S,
) -> Result<Vec<Discovery>, Cancelled>
where
    G: GraphView + Sync + ?Sized,
    S: Fn(u64) -> bool + Sync,
{
    if (expansion.cancel)() {
        return Err(Cancelled);
    }
    let mut found = if frontier.len() > expansion.parallel_frontier {
        let chunk_len = (frontier.len() / (rayon::current_num_threads() * 8)).max(64);
        let parts = frontier
            .par_chunks(chunk_len)
            .map(|chunk| {
                if (expansion.cancel)() {
                    return Err(Cancelled);
                }
                let mut part = Vec::new();
                expand_chunk(graph, chunk, expansion, skip, &mut part);
                Ok(part)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut found = parts.concat();
        found.par_sort_unstable();
        found
    } else {
        let mut found = Vec::new();
        expand_chunk(graph, frontier, expansion, skip, &mut found);
        found.sort_unstable();
        found
    };
    // Sorted by (node, key), so the first entry of each node has the smallest key.
    found.dedup_by_key(|discovery| discovery.node);
    Ok(found)
}

fn expand_chunk<G, S>(
    graph: &G,
    chunk: &[u64],
    expansion: &Expansion<'_>,
    skip: &S,
    out: &mut Vec<Discovery>,
) where
    G: GraphView + ?Sized,
    S: Fn(u64) -> bool,
{
    let mut edges: Vec<IncidentEdge> = Vec::new();
    for &from in chunk {
        edges.clear();
        graph.edges(from, expansion.direction, expansion.types, &mut edges);
        for edge in &edges {
            if !skip(edge.other) {
                out.push(Discovery {
                    node: edge.other,
                    from,
                    dir: edge.dir,
                    rel_type: edge.rel_type,
                });
            }
        }
    }
}

/// Returns the nodes within `depth` hops of `start`, excluding `start`, sorted
/// by (depth, node). Each comes with the edge it was first reached by, as
/// described in the module documentation.
///
/// `types` restricts the relationship types followed (`None` follows all).
/// Levels larger than 512 nodes are expanded in parallel.
pub fn k_hop<G>(
    graph: &G,
    start: u64,
    depth: u32,
    direction: Direction,
    types: Option<&[u16]>,
    cancel: CancelCheck<'_>,
) -> Result<Vec<Reached>, Cancelled>
where
    G: GraphView + Sync + ?Sized,
{
    let expansion = Expansion {
        direction,
        types,
        cancel,
        parallel_frontier: PARALLEL_FRONTIER,
    };
    k_hop_with(graph, start, depth, &expansion)
}

/// [`k_hop`] with explicit expansion settings, so tests can force either the
/// parallel or the sequential expansion.
pub(crate) fn k_hop_with<G>(
    graph: &G,
    start: u64,
    depth: u32,
    expansion: &Expansion<'_>,
) -> Result<Vec<Reached>, Cancelled>
where
    G: GraphView + Sync + ?Sized,
{
    let mut visited = NodeSet::default();
    visited.insert(start);
    let mut frontier = vec![start];
    let mut reached = Vec::new();

    for level in 1..=depth {
        if frontier.is_empty() {
            break;
        }
        let found = expand_level(graph, &frontier, expansion, &|node| visited.contains(&node))?;
        frontier.clear();
        for discovery in found {
            visited.insert(discovery.node);
            frontier.push(discovery.node);
            reached.push(Reached {
                node: discovery.node,
                depth: level,
                from: discovery.from,
                rel_type: discovery.rel_type,
                dir: discovery.dir,
            });
        }
    }
    Ok(reached)
}

/// Returns `root`, the nodes within `depth` hops of it (found as by
/// [`k_hop`]), and every edge whose two endpoints are among them.
///
/// `direction` only steers which nodes are reached. The edges are collected
/// from the nodes' outgoing lists, so an edge among the nodes is included
/// whatever its direction, and only `types` filters it.
pub fn subgraph<G>(
    graph: &G,
    root: u64,
    depth: u32,
    direction: Direction,
    types: Option<&[u16]>,
    cancel: CancelCheck<'_>,
) -> Result<Subgraph, Cancelled>
where
    G: GraphView + Sync + ?Sized,
{
    let reached = k_hop(graph, root, depth, direction, types, cancel)?;
    let mut nodes: Vec<u64> = reached.iter().map(|r| r.node).collect();
    nodes.push(root);
    nodes.sort_unstable();
    let members: NodeSet = nodes.iter().copied().collect();

    let collect_edges = |chunk: &[u64]| -> Result<Vec<SubgraphEdge>, Cancelled> {
        if cancel() {
            return Err(Cancelled);
        }
        let mut found = Vec::new();
        let mut edges = Vec::new();
        for &source in chunk {
            edges.clear();
            graph.edges(source, Direction::Out, types, &mut edges);
            for edge in &edges {
                if members.contains(&edge.other) {
                    found.push(SubgraphEdge {
                        source,
                        target: edge.other,
                        rel_type: edge.rel_type,
                    });
                }
            }
        }
        Ok(found)
    };
    let mut edges = if nodes.len() > PARALLEL_FRONTIER {
        nodes
            .par_chunks(256)
            .map(collect_edges)
            .collect::<Result<Vec<_>, _>>()?
            .concat()
    } else {
        collect_edges(&nodes)?
    };
    edges.par_sort_unstable();
    Ok(Subgraph { nodes, edges })
}

/// Returns `direction` with outgoing and incoming swapped.
fn reversed(direction: Direction) -> Direction {
    match direction {
        Direction::Out => Direction::In,
        Direction::In => Direction::Out,
        Direction::Both => Direction::Both,
    }
}

/// One side of the bidirectional search.
struct Side {
    /// Distance from this side's start of every node it has reached.
    depth: NodeMap<u32>,
    /// The nodes at distance `level`, ascending.
    frontier: Vec<u64>,
    level: u32,
}

impl Side {
    fn new(start: u64) -> Self {
        let mut depth = NodeMap::default();
        depth.insert(start, 0);
        Side {
            depth,
            frontier: vec![start],
            level: 0,
        }
    }
}

/// The edge that first reaches a node in a forward BFS: `(from, dir, rel_type)`.
type Parent = (u64, EdgeDir, u16);

/// Finds a shortest path by hops from `from` to `to` of at most `max_depth`
/// hops, or returns `None` when there is none. A path from a node to itself
/// has length 0 and one step.
///
/// The search is bidirectional: it grows a forward BFS from `from` and a
/// backward BFS from `to` (over edges in the opposite direction), one level at
/// a time, always the side with the smaller frontier, until they meet.
///
/// The path returned is exactly the one a plain forward BFS would return: the
/// one that follows, from `to` back to `from`, the first edge that reached each
/// node (see the module documentation). The forward side records those edges
/// as it goes. Beyond the meeting level, the nodes at forward distance `k` that
/// lie on some shortest path are exactly the successors of such nodes at
/// distance `k - 1` whose backward distance is `length - k`. Re-expanding those
/// layers forward from the meeting nodes therefore gives each node the same
/// first edge a full forward BFS would give it.
pub fn shortest_path<G>(
    graph: &G,
    from: u64,
    to: u64,
    max_depth: u32,
    direction: Direction,
    types: Option<&[u16]>,
    cancel: CancelCheck<'_>,
) -> Result<Option<Vec<PathStep>>, Cancelled>
where
    G: GraphView + Sync + ?Sized,
{
    let forward_expansion = Expansion {
        direction,
        types,
        cancel,
        parallel_frontier: PARALLEL_FRONTIER,
    };
    let backward_expansion = Expansion {
        direction: reversed(direction),
        ..forward_expansion
    };
    if from == to {
        return Ok(Some(vec![PathStep {
            node: from,
            via: None,
        }]));
    }

    let mut forward = Side::new(from);
    let mut backward = Side::new(to);
    let mut parents: NodeMap<Parent> = NodeMap::default();

    // Invariant at the top of the loop: both sides have completed their
    // levels and share no node, so a path is longer than the sum of levels.
    let meeting = loop {
        if forward.level + backward.level >= max_depth {
            return Ok(None);
        }
        let grow_forward = forward.frontier.len() <= backward.frontier.len();
        let (side, other, expansion) = if grow_forward {
            (&mut forward, &backward, &forward_expansion)
        } else {
            (&mut backward, &forward, &backward_expansion)
        };
        let found = expand_level(graph, &side.frontier, expansion, &|node| {
            side.depth.contains_key(&node)
        })?;
        if found.is_empty() {
            return Ok(None);
        }
        side.level += 1;
        side.frontier.clear();
        let mut meeting = Vec::new();
        for discovery in found {
            side.depth.insert(discovery.node, side.level);
            side.frontier.push(discovery.node);
            if grow_forward {
                parents.insert(
                    discovery.node,
                    (discovery.from, discovery.dir, discovery.rel_type),
                );
            }
            if other.depth.contains_key(&discovery.node) {
                meeting.push(discovery.node);
            }
        }
        if !meeting.is_empty() {
            // Every meeting node is at distance `forward.level` from `from`
            // and `backward.level` from `to`: a node met at a smaller distance
            // would contradict the invariant.
            break meeting;
        }
    };

    let length = forward.level + backward.level;
    // Layer k contains the nodes at forward distance k on a shortest path.
    let mut layer = meeting;
    for k in forward.level..length {
        let wanted = length - k - 1;
        // With a view that keeps the contract, no layer node has a parent yet.
        // Skipping those that do keeps the parent links acyclic even without it.
        let skip =
            |node: u64| backward.depth.get(&node) != Some(&wanted) || parents.contains_key(&node);
        let found = expand_level(graph, &layer, &forward_expansion, &skip)?;
        layer.clear();
        for discovery in found {
            parents.insert(
                discovery.node,
                (discovery.from, discovery.dir, discovery.rel_type),
            );
            layer.push(discovery.node);
        }
    }

    let mut steps = Vec::with_capacity(length as usize + 1);
    let mut node = to;
    while node != from {
        // NOTE: a missing parent means the view broke the GraphView contract
        // (an edge reported from one end only); the path cannot be rebuilt.
        let Some(&(previous, dir, rel_type)) = parents.get(&node) else {
            return Ok(None);
        };
        steps.push(PathStep {
            node,
            via: Some((rel_type, dir)),
        });
        node = previous;
    }
    steps.push(PathStep {
        node: from,
        via: None,
    });
    steps.reverse();
    Ok(Some(steps))
}
