//! Enumeration of every simple path between two nodes, lazily.

use super::ids::NodeSet;
use super::{CancelCheck, Cancelled, EdgeDir, GraphView, IncidentEdge, PathStep};
use crate::model::Direction;

/// Steps between two calls of the cancel check.
const STEPS_PER_CANCEL_CHECK: u32 = 1024;

/// Returns an iterator over every simple path (no node repeated) from `from`
/// to `to` of at most `max_depth` hops, following edges in `direction` whose
/// type is in `types` (`None` allows all).
///
/// The paths are found by a depth-first search that keeps its stack in the
/// iterator, so each `next` does only the work up to the following path and
/// the caller can stop at any time. They come in lexicographic order of their
/// step keys `(dir, node, rel_type)` from the first edge on, with `Out` before
/// `In`. Parallel edges with the same type and direction give one path. When
/// `from == to` the only path is the zero-length one.
///
/// The cancel check is called on the first step and then once per 1024 steps.
/// When it returns `true`, the iterator yields `Err(Cancelled)` and then ends.
pub fn all_paths<'a, G>(
    graph: &'a G,
    from: u64,
    to: u64,
    max_depth: u32,
    direction: Direction,
    types: Option<&'a [u16]>,
    cancel: CancelCheck<'a>,
) -> AllPaths<'a, G>
where
    G: GraphView + ?Sized,
{
    let mut paths = AllPaths {
        graph,
        to,
        max_depth,
        direction,
        types,
        cancel,
        path: vec![PathStep {
            node: from,
            via: None,
        }],
        on_path: NodeSet::default(),
        stack: Vec::new(),
        scratch: Vec::new(),
        // Check on the first step too, so an already expired deadline stops at once.
        steps_until_check: 1,
        trivial_pending: from == to,
        done: false,
    };
    paths.on_path.insert(from);
    if from != to && max_depth > 0 {
        paths.push_frame(from);
    }
    paths
}

/// The iterator returned by [`all_paths`].
pub struct AllPaths<'a, G: ?Sized> {
    graph: &'a G,
    to: u64,
    max_depth: u32,
    direction: Direction,
    types: Option<&'a [u16]>,
    cancel: CancelCheck<'a>,
    /// The current path, from `from` to the node of the top frame.
    path: Vec<PathStep>,
    on_path: NodeSet,
    /// One frame per node of `path` that may still be extended.
    stack: Vec<Frame>,
    scratch: Vec<IncidentEdge>,
    steps_until_check: u32,
    /// The zero-length path of `from == to` has not been yielded yet.
    trivial_pending: bool,
    done: bool,
}

/// The edges still to try from the last node of the path, in search order.
struct Frame {
    edges: Vec<IncidentEdge>,
    next: usize,
}

fn search_key(edge: &IncidentEdge) -> (EdgeDir, u64, u16) {
    (edge.dir, edge.other, edge.rel_type)
}

impl<G: GraphView + ?Sized> AllPaths<'_, G> {
    /// Pushes the frame of `node`, the new last node of the path.
    fn push_frame(&mut self, node: u64) {
        self.scratch.clear();
        self.graph
            .edges(node, self.direction, self.types, &mut self.scratch);
        let hops = self.path.len() as u32 - 1;
        let mut edges: Vec<IncidentEdge> = if hops + 1 == self.max_depth {
            // The next hop is the last one allowed, so only `to` can end a path.
            self.scratch
                .iter()
                .copied()
                .filter(|edge| edge.other == self.to)
                .collect()
        } else {
            self.scratch.clone()
        };
        edges.sort_unstable_by_key(search_key);
        edges.dedup();
        self.stack.push(Frame { edges, next: 0 });
    }
}

impl<G: GraphView + ?Sized> Iterator for AllPaths<'_, G> {
    type Item = Result<Vec<PathStep>, Cancelled>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.trivial_pending {
            self.trivial_pending = false;
            self.done = true;
            return Some(Ok(self.path.clone()));
        }
        while !self.done {
            self.steps_until_check -= 1;
            if self.steps_until_check == 0 {
                self.steps_until_check = STEPS_PER_CANCEL_CHECK;
                if (self.cancel)() {
                    self.done = true;
                    return Some(Err(Cancelled));
                }
            }

            let Some(frame) = self.stack.last_mut() else {
                self.done = true;
                break;
            };
            let Some(&edge) = frame.edges.get(frame.next) else {
                // Every edge of the last node was tried: backtrack.
                self.stack.pop();
                if let Some(step) = self.path.pop() {
                    self.on_path.remove(&step.node);
                }
                continue;
            };
            frame.next += 1;
            if self.on_path.contains(&edge.other) {
                continue;
            }

            let step = PathStep {
                node: edge.other,
                via: Some((edge.rel_type, edge.dir)),
            };
            if edge.other == self.to {
                let mut found = self.path.clone();
                found.push(step);
                return Some(Ok(found));
            }
            // The path has path.len() - 1 hops; taking the edge makes path.len().
            if (self.path.len() as u32) < self.max_depth {
                self.path.push(step);
                self.on_path.insert(edge.other);
                self.push_frame(edge.other);
            }
        }
        None
    }
}
