//! Per-node edge lists, stored compactly.
//!
//! Layout and cost, on 64-bit targets:
//! - An [`Edge`] is packed into 10 bytes: the other node's `u64` id and the
//!   `u16` relationship type, 2-byte aligned.
//! - Each node has one slot of 32 bytes: a `Vec<Edge>` holding its outgoing
//!   edges followed by its incoming edges, and the length of the outgoing part.
//!   The `Vec` is one heap allocation of `10 × capacity` bytes, or none when
//!   the node has no edges.
//! - Nodes whose upper 32 bits equal the adjacency's dense block (see
//!   [`Adjacency::with_dense_block`]) keep their slot in a `Vec` indexed by
//!   their lower 32 bits. So a shard that numbers its nodes 0, 1, 2, … pays
//!   neither a key nor a hash per node. The dense `Vec` only grows while at
//!   least half of its slots would be used.
//! - Every other node lives in a hash map (std's hashbrown table, at most 7/8
//!   full), at 40 bytes per entry plus one control byte.
//!
//! So each edge costs 10 bytes in its source's list and 10 in its target's,
//! plus unused `Vec` capacity (growth doubles it, so up to half of an
//! allocation is unused until [`Adjacency::shrink_to_fit`]), plus the memory
//! allocator's own overhead per allocation. On the `traversal` bench graph
//! (1M nodes, 4M edges, dense ids) the heap comes to 20.2 bytes per edge per
//! direction after building and 14.0 after `shrink_to_fit`: 10 for the edge
//! and 4 for the node slots, at 8 edge halves per node.
//!
//! A node's edges are unordered. Adding is O(1), and removing finds the edge in
//! O(degree) and closes the gap in O(1) by moving the last edge into it. The
//! traversal algorithms impose their own order.

use std::mem::size_of;

use super::ids::NodeMap;
use super::{EdgeDir, GraphView, IncidentEdge};
use crate::model::Direction;

/// The smallest dense block length that is never considered wasteful.
const MIN_DENSE_SLOTS: usize = 1024;
const LOCAL_ID_MASK: u64 = 0xffff_ffff;

/// One edge in a node's list: the node at the other end and the relationship type.
///
/// The struct is packed to 10 bytes, so fields can be read by value but not borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(C, packed(2))]
pub struct Edge {
    pub other: u64,
    pub rel_type: u16,
}

/// The edge lists of one node: outgoing edges in `edges[..out_len]`, incoming in `edges[out_len..]`.
#[derive(Debug, Default)]
struct NodeEdges {
    edges: Vec<Edge>,
    out_len: u32,
}

impl NodeEdges {
    fn outgoing(&self) -> &[Edge] {
        &self.edges[..self.out_len as usize]
    }

    fn incoming(&self) -> &[Edge] {
        &self.edges[self.out_len as usize..]
    }

    fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    fn push_out(&mut self, edge: Edge) {
        // Append, then swap the new edge with the first incoming edge, so the
        // outgoing part grows by one without shifting the incoming part.
        self.edges.push(edge);
        let last = self.edges.len() - 1;
        self.edges.swap(self.out_len as usize, last);
        self.out_len += 1;
    }

    fn push_in(&mut self, edge: Edge) {
        self.edges.push(edge);
    }

    fn remove_out(&mut self, other: u64, rel_type: u16) -> bool {
        let Some(index) = find(self.outgoing(), other, rel_type) else {
            return false;
        };
        // Move the edge to the end of the outgoing part, then let swap_remove
        // fill that place with the last incoming edge (if any).
        let last_out = self.out_len as usize - 1;
        self.edges.swap(index, last_out);
        self.edges.swap_remove(last_out);
        self.out_len -= 1;
        self.release_if_empty();
        true
    }

    fn remove_in(&mut self, other: u64, rel_type: u16) -> bool {
        let Some(index) = find(self.incoming(), other, rel_type) else {
            return false;
        };
        self.edges.swap_remove(self.out_len as usize + index);
        self.release_if_empty();
        true
    }

    fn release_if_empty(&mut self) {
        if self.edges.is_empty() {
            self.edges = Vec::new();
        }
    }

    fn heap_bytes(&self) -> usize {
        self.edges.capacity() * size_of::<Edge>()
    }
}

fn find(edges: &[Edge], other: u64, rel_type: u16) -> Option<usize> {
    edges
        .iter()
        .position(|edge| edge.other == other && edge.rel_type == rel_type)
}

fn push_incident(edges: &[Edge], dir: EdgeDir, types: Option<&[u16]>, out: &mut Vec<IncidentEdge>) {
    for edge in edges {
        let rel_type = edge.rel_type;
        if types.is_none_or(|types| types.contains(&rel_type)) {
            out.push(IncidentEdge {
                other: edge.other,
                rel_type,
                dir,
            });
        }
    }
}

/// Outgoing and incoming edge lists per node.
///
/// An edge is stored as two halves: one in its source's outgoing list and one
/// in its target's incoming list. [`add_edge`](Self::add_edge) and
/// [`remove_edge`](Self::remove_edge) handle both halves. A sharded graph keeps
/// each node's lists in the adjacency of the node's shard and calls the
/// half-edge methods ([`add_out_edge`](Self::add_out_edge) and the like) on the
/// shard of each endpoint.
///
/// Parallel edges, including several of the same type, are kept as separate
/// entries. A self loop appears once in the node's outgoing list and once in
/// its incoming list.
#[derive(Debug)]
pub struct Adjacency {
    dense_block: u32,
    /// Slots of the nodes `(dense_block << 32) | i`, indexed by `i`.
    dense: Vec<NodeEdges>,
    /// Slots of every other node. Holds no empty slot.
    sparse: NodeMap<NodeEdges>,
    /// Entries of `sparse` whose id is in the dense block (their index was too
    /// far beyond `dense.len()` when they were added).
    sparse_in_block: usize,
    node_count: usize,
    out_edge_count: usize,
    in_edge_count: usize,
}

impl Default for Adjacency {
    fn default() -> Self {
        Adjacency::new()
    }
}

impl Adjacency {
    /// Creates an empty adjacency whose dense block is 0, so ids below 2³² are
    /// stored densely.
    pub fn new() -> Self {
        Adjacency::with_dense_block(0)
    }

    /// Creates an empty adjacency that stores the nodes `(block << 32) | i`
    /// in a `Vec` indexed by `i`. Other ids are accepted too, in a hash map.
    pub fn with_dense_block(block: u32) -> Self {
        Adjacency {
            dense_block: block,
            dense: Vec::new(),
            sparse: NodeMap::default(),
            sparse_in_block: 0,
            node_count: 0,
            out_edge_count: 0,
            in_edge_count: 0,
        }
    }

    /// Adds an edge from `src` to `dst`: both halves, into this adjacency.
    pub fn add_edge(&mut self, src: u64, dst: u64, rel_type: u16) {
        self.add_out_edge(src, dst, rel_type);
        self.add_in_edge(dst, src, rel_type);
    }

    /// Removes one edge from `src` to `dst` of type `rel_type`: one outgoing
    /// half from `src` and one incoming half from `dst`. Returns whether the
    /// outgoing half was found.
    pub fn remove_edge(&mut self, src: u64, dst: u64, rel_type: u16) -> bool {
        let found = self.remove_out_edge(src, dst, rel_type);
        self.remove_in_edge(dst, src, rel_type);
        found
    }

    /// Adds the outgoing half of an edge `src -> dst` to `src`'s list.
    pub fn add_out_edge(&mut self, src: u64, dst: u64, rel_type: u16) {
        let slot = self.slot_or_insert(src);
        let was_empty = slot.is_empty();
        slot.push_out(Edge {
            other: dst,
            rel_type,
        });
        if was_empty {
            self.node_count += 1;
        }
        self.out_edge_count += 1;
    }

    /// Adds the incoming half of an edge `src -> dst` to `dst`'s list.
    pub fn add_in_edge(&mut self, dst: u64, src: u64, rel_type: u16) {
        let slot = self.slot_or_insert(dst);
        let was_empty = slot.is_empty();
        slot.push_in(Edge {
            other: src,
            rel_type,
        });
        if was_empty {
            self.node_count += 1;
        }
        self.in_edge_count += 1;
    }

    /// Removes one outgoing half `src -> dst` of type `rel_type` from `src`'s
    /// list. Returns whether one was found.
    pub fn remove_out_edge(&mut self, src: u64, dst: u64, rel_type: u16) -> bool {
        let Some(slot) = self.slot_mut(src) else {
            return false;
        };
        if !slot.remove_out(dst, rel_type) {
            return false;
        }
        let now_empty = slot.is_empty();
        self.out_edge_count -= 1;
        if now_empty {
            self.drop_slot(src);
        }
        true
    }

    /// Removes one incoming half `src -> dst` of type `rel_type` from `dst`'s
    /// list. Returns whether one was found.
    pub fn remove_in_edge(&mut self, dst: u64, src: u64, rel_type: u16) -> bool {
        let Some(slot) = self.slot_mut(dst) else {
            return false;
        };
        if !slot.remove_in(src, rel_type) {
            return false;
        }
        let now_empty = slot.is_empty();
        self.in_edge_count -= 1;
        if now_empty {
            self.drop_slot(dst);
        }
        true
    }

    /// Removes every edge of `node`: its own lists, and the opposite half of
    /// each edge wherever this adjacency stores it.
    ///
    /// Returns the edges whose opposite half this adjacency does not store,
    /// seen from `node`. A sharded caller removes those halves from the other
    /// endpoints' shards. An adjacency that stores the whole graph returns an
    /// empty list.
    pub fn remove_node(&mut self, node: u64) -> Vec<IncidentEdge> {
        let Some(slot) = self.take_slot(node) else {
            return Vec::new();
        };
        self.out_edge_count -= slot.outgoing().len();
        self.in_edge_count -= slot.incoming().len();

        let mut elsewhere = Vec::new();
        for edge in slot.outgoing() {
            // Both halves of a self loop were in the slot just taken.
            if edge.other != node && !self.remove_in_edge(edge.other, node, edge.rel_type) {
                elsewhere.push(IncidentEdge {
                    other: edge.other,
                    rel_type: edge.rel_type,
                    dir: EdgeDir::Out,
                });
            }
        }
        for edge in slot.incoming() {
            if edge.other != node && !self.remove_out_edge(edge.other, node, edge.rel_type) {
                elsewhere.push(IncidentEdge {
                    other: edge.other,
                    rel_type: edge.rel_type,
                    dir: EdgeDir::In,
                });
            }
        }
        elsewhere
    }

    /// Returns `node`'s outgoing edges, in no particular order.
    pub fn out_edges(&self, node: u64) -> &[Edge] {
        self.slot(node).map_or(&[], NodeEdges::outgoing)
    }

    /// Returns `node`'s incoming edges, in no particular order.
    pub fn in_edges(&self, node: u64) -> &[Edge] {
        self.slot(node).map_or(&[], NodeEdges::incoming)
    }

    /// Returns the number of outgoing halves stored, which is the number of
    /// edges when this adjacency stores the whole graph, and otherwise the
    /// number of edges whose source it stores.
    pub fn edge_count(&self) -> usize {
        self.out_edge_count
    }

    /// Returns the number of incoming halves stored.
    pub fn in_edge_count(&self) -> usize {
        self.in_edge_count
    }

    /// Returns the number of nodes with at least one edge half stored here.
    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// Returns the ids of the nodes with at least one edge half stored here,
    /// in no particular order.
    pub fn nodes(&self) -> impl Iterator<Item = u64> + '_ {
        let block = u64::from(self.dense_block) << 32;
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, slot)| !slot.is_empty())
            .map(move |(index, _)| block | index as u64);
        dense.chain(self.sparse.keys().copied())
    }

    /// Estimates the heap and inline bytes used: slots, edge allocations and
    /// hash table, from their capacities.
    ///
    /// NOTE: the allocator's own overhead is not included. glibc malloc adds an
    /// 8-byte header and rounds to 16 bytes, so roughly 8 to 24 bytes per node
    /// with edges.
    pub fn memory_bytes(&self) -> usize {
        let slot_bytes = size_of::<NodeEdges>();
        let dense = self.dense.capacity() * slot_bytes;
        let sparse_entry = size_of::<(u64, NodeEdges)>() + 1;
        let sparse = self.sparse.capacity() * sparse_entry;
        let edges: usize = self
            .dense
            .iter()
            .chain(self.sparse.values())
            .map(NodeEdges::heap_bytes)
            .sum();
        size_of::<Self>() + dense + sparse + edges
    }

    /// Releases unused capacity of every edge list and of the slot tables.
    pub fn shrink_to_fit(&mut self) {
        for slot in self.dense.iter_mut().chain(self.sparse.values_mut()) {
            slot.edges.shrink_to_fit();
        }
        self.dense.shrink_to_fit();
        self.sparse.shrink_to_fit();
    }

    /// Returns the dense index of `node`, if its upper bits are the dense block.
    fn dense_index(&self, node: u64) -> Option<usize> {
        (node >> 32 == u64::from(self.dense_block)).then_some((node & LOCAL_ID_MASK) as usize)
    }

    fn slot(&self, node: u64) -> Option<&NodeEdges> {
        if let Some(slot) = self
            .dense_index(node)
            .and_then(|index| self.dense.get(index))
        {
            return Some(slot);
        }
        self.sparse.get(&node)
    }

    fn slot_mut(&mut self, node: u64) -> Option<&mut NodeEdges> {
        if let Some(index) = self.dense_index(node) {
            if index < self.dense.len() {
                return Some(&mut self.dense[index]);
            }
        }
        self.sparse.get_mut(&node)
    }

    fn slot_or_insert(&mut self, node: u64) -> &mut NodeEdges {
        if let Some(index) = self.dense_index(node) {
            if index >= self.dense.len()
                && index < self.dense_limit()
                && !self.sparse.contains_key(&node)
            {
                self.grow_dense(index + 1);
            }
            if index < self.dense.len() {
                return &mut self.dense[index];
            }
            if !self.sparse.contains_key(&node) {
                self.sparse_in_block += 1;
            }
        }
        self.sparse.entry(node).or_default()
    }

    /// Returns the length up to which the dense `Vec` may grow: twice the
    /// node count once a new node is added, so at least half the slots are used.
    fn dense_limit(&self) -> usize {
        MIN_DENSE_SLOTS.max(2 * (self.node_count + 1))
    }

    /// Extends the dense `Vec` to `len` slots and moves into it the sparse
    /// entries that the new slots cover.
    fn grow_dense(&mut self, len: usize) {
        let old_len = self.dense.len();
        self.dense.resize_with(len, NodeEdges::default);
        if self.sparse_in_block == 0 {
            return;
        }
        let block = u64::from(self.dense_block);
        let covered: Vec<u64> = self
            .sparse
            .keys()
            .copied()
            .filter(|&id| {
                id >> 32 == block && (old_len..len).contains(&((id & LOCAL_ID_MASK) as usize))
            })
            .collect();
        for id in covered {
            let slot = self
                .sparse
                .remove(&id)
                .expect("id was just listed from the map");
            self.dense[(id & LOCAL_ID_MASK) as usize] = slot;
            self.sparse_in_block -= 1;
        }
    }

    /// Removes `node`'s slot and returns it, if the node has edges.
    fn take_slot(&mut self, node: u64) -> Option<NodeEdges> {
        let slot = match self.slot_mut(node) {
            Some(slot) if !slot.is_empty() => std::mem::take(slot),
            _ => return None,
        };
        self.drop_slot(node);
        Some(slot)
    }

    /// Forgets the now-empty slot of `node`.
    fn drop_slot(&mut self, node: u64) {
        self.node_count -= 1;
        if self.sparse.remove(&node).is_some() && self.dense_index(node).is_some() {
            self.sparse_in_block -= 1;
        }
    }
}

impl GraphView for Adjacency {
    fn edges(
        &self,
        node: u64,
        direction: Direction,
        types: Option<&[u16]>,
        out: &mut Vec<IncidentEdge>,
    ) {
        let Some(slot) = self.slot(node) else {
            return;
        };
        if direction.includes_out() {
            push_incident(slot.outgoing(), EdgeDir::Out, types, out);
        }
        if direction.includes_in() {
            push_incident(slot.incoming(), EdgeDir::In, types, out);
        }
    }

    fn has_edge(&self, source: u64, target: u64, rel_type: Option<u16>) -> bool {
        self.out_edges(source).iter().any(|edge| {
            edge.other == target && rel_type.is_none_or(|wanted| edge.rel_type == wanted)
        })
    }
}
