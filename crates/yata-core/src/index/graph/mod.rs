//! An in-memory graph index over compact node ids, and the traversals that
//! run on it.
//!
//! Nodes are opaque `u64` ids and relationship types are interned `u16`s.
//! [`Adjacency`] stores each node's outgoing and incoming edges. The
//! algorithms ([`k_hop`], [`shortest_path`], [`all_paths`], [`match_pattern`]
//! and [`subgraph`]) read a graph only through the [`GraphView`] trait, so they
//! run unchanged over one adjacency or over a composite of several shards'
//! adjacencies.
//!
//! Determinism: every algorithm returns the same result for the same graph,
//! whatever the order in which a view lists a node's edges and however the
//! nodes are spread over shards. BFS frontiers are processed in ascending
//! node order, and a node's edges are ordered outgoing before incoming, then
//! by (other node, relationship type). Each function documents the order of
//! its output.
//!
//! Cancellation: every algorithm takes a [`CancelCheck`] and returns
//! [`Cancelled`] soon after the check returns `true`. BFS algorithms call it
//! once per level and once per parallel chunk of a frontier. The path
//! iterator and the pattern matcher call it on their first step and then once
//! per 1024 steps.

mod adjacency;
mod ids;
mod paths;
mod pattern;
mod traverse;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use adjacency::{Adjacency, Edge};
pub use paths::{all_paths, AllPaths};
pub use pattern::{match_pattern, InvalidPattern, Pattern, PatternEdge, PatternNode};
pub use traverse::{k_hop, shortest_path, subgraph, Reached, Subgraph, SubgraphEdge};

use crate::model::Direction;

/// The side of an edge that the node being expanded sits on.
///
/// `Out` sorts before `In`, which gives the "outgoing before incoming" part of
/// the edge order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeDir {
    /// The node is the edge's source.
    Out,
    /// The node is the edge's target.
    In,
}

impl EdgeDir {
    /// Returns the same edge seen from its other end.
    pub fn flip(self) -> EdgeDir {
        match self {
            EdgeDir::Out => EdgeDir::In,
            EdgeDir::In => EdgeDir::Out,
        }
    }
}

/// An edge as seen from one of its endpoints, as reported by [`GraphView::edges`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IncidentEdge {
    /// The endpoint that is not the node being expanded (the node itself for a self loop).
    pub other: u64,
    pub rel_type: u16,
    pub dir: EdgeDir,
}

/// A step of a path: the node reached and the edge used to reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PathStep {
    pub node: u64,
    /// Relationship type and direction of the edge from the previous step's
    /// node to this one. `EdgeDir::Out` means the previous node is the
    /// source. `None` on the first step only.
    pub via: Option<(u16, EdgeDir)>,
}

/// Read access to a graph's edges.
///
/// Implemented by [`Adjacency`], and meant to be implemented by composites that
/// route each node to the shard holding its edge lists.
///
/// Contract: every edge is reported from both ends, as `Out` at its source and
/// as `In` at its target. [`shortest_path`] searches backwards from the target
/// over incoming edges, so a view that breaks this rule can make it miss a path.
pub trait GraphView {
    /// Appends to `out` the edges of `node` in `direction` whose relationship
    /// type is in `types` (`None` allows every type, `Some(&[])` none).
    ///
    /// The order is unspecified. A self loop is reported once as `Out` and
    /// once as `In` when `direction` is `Both`. A node without edges, known or
    /// not, adds nothing.
    fn edges(
        &self,
        node: u64,
        direction: Direction,
        types: Option<&[u16]>,
        out: &mut Vec<IncidentEdge>,
    );

    /// Returns whether an edge from `source` to `target` exists, of type
    /// `rel_type`, or of any type when `rel_type` is `None`.
    fn has_edge(&self, source: u64, target: u64, rel_type: Option<u16>) -> bool {
        let mut edges = Vec::new();
        let types = rel_type.as_ref().map(std::slice::from_ref);
        self.edges(source, Direction::Out, types, &mut edges);
        edges.iter().any(|edge| edge.other == target)
    }
}

impl<G: GraphView + ?Sized> GraphView for &G {
    fn edges(
        &self,
        node: u64,
        direction: Direction,
        types: Option<&[u16]>,
        out: &mut Vec<IncidentEdge>,
    ) {
        (**self).edges(node, direction, types, out)
    }

    fn has_edge(&self, source: u64, target: u64, rel_type: Option<u16>) -> bool {
        (**self).has_edge(source, target, rel_type)
    }
}

/// A cooperative cancellation check: the algorithms stop with [`Cancelled`]
/// soon after it returns `true`. It may be called from several threads.
///
/// A timeout is `&|| Instant::now() >= deadline`, and a flag is
/// `&|| flag.load(Ordering::Relaxed)`. Pass `&never_cancel` to run to the end.
pub type CancelCheck<'a> = &'a (dyn Fn() -> bool + Sync);

/// Returns `false`: the [`CancelCheck`] for a run that is never cancelled.
pub fn never_cancel() -> bool {
    false
}

/// The error returned when a [`CancelCheck`] asked an algorithm to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("graph traversal cancelled by its cancel check")]
pub struct Cancelled;
