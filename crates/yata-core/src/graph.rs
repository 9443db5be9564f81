//! Graph operations on the store, served by the in-memory graph index and
//! turned back into entities and relationships.
//!
//! The graph index is one global adjacency over compact node ids, so a
//! traversal that crosses shards sees exactly the edges a single-shard store
//! would, and returns the same answer. Records are read from the owning
//! shards only for the nodes and edges a result contains.

use std::collections::HashSet;
use std::time::Duration;

use rayon::prelude::*;

use crate::coordinator::Deadline;
use crate::error::{Error, Result};
use crate::index::attributes::{name_key, Attribute};
use crate::index::graph::{self as algo, EdgeDir, GraphView, IncidentEdge, PathStep};
use crate::index::ids::{node_id, NodeId};
use crate::model::{Direction, Entity, Relationship};
use crate::query::glob_matches;
use crate::store::Store;
use crate::validate::check_id;

/// Filters applied while traversing.
#[derive(Debug, Clone)]
pub struct TraversalOptions {
    pub direction: Direction,
    /// Follow only relationships of these types; `None` follows all.
    pub relationship_types: Option<Vec<String>>,
    /// Report only entities of these types; traversal still passes through others.
    pub entity_types: Option<Vec<String>>,
    /// Stop with `QueryTimeout` after this long.
    pub timeout: Option<Duration>,
}

impl Default for TraversalOptions {
    fn default() -> Self {
        TraversalOptions {
            direction: Direction::Both,
            relationship_types: None,
            entity_types: None,
            timeout: None,
        }
    }
}

/// An entity reached by [`Store::neighbors`], with the relationship it was
/// first reached by and its distance in hops.
#[derive(Debug, Clone)]
pub struct Neighbor {
    pub entity: Entity,
    pub relationship: Relationship,
    pub depth: u32,
}

/// A path as entities and the relationships between them, in order.
#[derive(Debug, Clone)]
pub struct GraphPath {
    pub entities: Vec<Entity>,
    pub relationships: Vec<Relationship>,
}

impl GraphPath {
    /// Number of hops.
    pub fn length(&self) -> usize {
        self.relationships.len()
    }
}

/// The entities within some depth of a root and the relationships among them.
#[derive(Debug, Clone)]
pub struct Subgraph {
    pub root_id: String,
    pub entities: Vec<Entity>,
    pub relationships: Vec<Relationship>,
}

/// A pattern variable: its name and optional type and name-glob constraints.
#[derive(Debug, Clone)]
pub struct PatternVariable {
    pub variable: String,
    pub entity_type: Option<String>,
    pub name_pattern: Option<String>,
}

/// A pattern edge between two variables, followed from source to target.
#[derive(Debug, Clone)]
pub struct PatternLink {
    pub source: String,
    pub target: String,
    pub rel_type: Option<String>,
}

/// One pattern match: variable → entity id, in the pattern's variable order.
pub type PatternBindings = Vec<(String, String)>;

fn reverse(direction: Direction) -> Direction {
    match direction {
        Direction::Out => Direction::In,
        Direction::In => Direction::Out,
        Direction::Both => Direction::Both,
    }
}

fn cancelled(deadline: &Deadline) -> impl Fn() -> bool + Sync + '_ {
    move || deadline.expired()
}

fn timed_out(deadline: &Deadline) -> Error {
    deadline.check().err().unwrap_or(Error::QueryTimeout(0))
}

impl Store {
    fn node_or_missing(&self, id: &str) -> Result<NodeId> {
        check_id("id", id)?;
        self.catalog
            .node_of(&self.ring, id)
            .ok_or_else(|| Error::EntityNotFound(id.to_string()))
    }

    fn type_filter(&self, names: Option<&[String]>) -> Option<Vec<u16>> {
        self.catalog.rel_types().resolve(names)
    }

    /// Reads the relationship behind a graph-index edge: the one with the
    /// smallest id among those from `source` to `target` of `rel_type`.
    fn edge_record(&self, source: NodeId, target: NodeId, rel_type: u16) -> Result<Option<Relationship>> {
        let source_id = self.catalog.id_of(source);
        let target_id = self.catalog.id_of(target);
        let type_name = self.catalog.rel_types().name(rel_type).to_string();
        Ok(self
            .shard_for(&source_id)
            .outgoing(&source_id)?
            .into_iter()
            .find(|rel| rel.target_id == target_id && rel.rel_type == type_name))
    }

    fn step_record(&self, from: NodeId, to: NodeId, rel_type: u16, dir: EdgeDir) -> Result<Option<Relationship>> {
        match dir {
            EdgeDir::Out => self.edge_record(from, to, rel_type),
            EdgeDir::In => self.edge_record(to, from, rel_type),
        }
    }

    /// Reads the relationship behind each reached node's edge. Each source's
    /// outgoing records are read once, so a hub with many reached neighbours
    /// costs one scan, not one scan per neighbour.
    fn edge_records(&self, reached: &[algo::Reached]) -> Result<Vec<Option<Relationship>>> {
        let source_of = |reach: &algo::Reached| match reach.dir {
            EdgeDir::Out => (reach.from, reach.node),
            EdgeDir::In => (reach.node, reach.from),
        };
        let mut sources: Vec<NodeId> = reached.iter().map(|r| source_of(r).0).collect();
        sources.sort_unstable();
        sources.dedup();

        // For each source: (target id, type) → the smallest relationship id's record.
        let by_source: std::collections::HashMap<NodeId, std::collections::HashMap<(String, String), Relationship>> = sources
            .par_iter()
            .map(|&source| {
                let source_id = self.catalog.id_of(source);
                let mut first: std::collections::HashMap<(String, String), Relationship> = std::collections::HashMap::new();
                for rel in self.shard_for(&source_id).outgoing(&source_id)? {
                    first.entry((rel.target_id.clone(), rel.rel_type.clone())).or_insert(rel);
                }
                Ok((source, first))
            })
            .collect::<Result<_>>()?;

        let rel_types = self.catalog.rel_types();
        Ok(reached
            .iter()
            .map(|reach| {
                let (source, target) = source_of(reach);
                let key = (self.catalog.id_of(target), rel_types.name(reach.rel_type).to_string());
                by_source.get(&source).and_then(|records| records.get(&key).cloned())
            })
            .collect())
    }

    /// Picks, among the edges from a node at `depth - 1` to `node`, the one
    /// with the smallest (entity id of the other end, direction, type name).
    ///
    /// The graph index breaks such ties by compact id, which depends on how
    /// entities are spread over shards. Ordering by entity id makes the
    /// result the same for every shard layout.
    fn canonical_via(
        &self,
        graph: &impl GraphView,
        node: NodeId,
        depth: u32,
        depths: &std::collections::HashMap<NodeId, u32>,
        direction: Direction,
        types: Option<&[u16]>,
    ) -> Option<(NodeId, u16, EdgeDir)> {
        let mut edges = Vec::new();
        graph.edges(node, reverse(direction), types, &mut edges);
        let rel_types = self.catalog.rel_types();
        edges
            .into_iter()
            .filter(|edge| depths.get(&edge.other) == Some(&(depth - 1)))
            .map(|edge| (edge.other, edge.rel_type, edge.dir.flip()))
            .min_by(|a, b| {
                let key = |(other, rel_type, dir): &(NodeId, u16, EdgeDir)| {
                    (self.catalog.id_of(*other), *dir, rel_types.name(*rel_type).to_string())
                };
                key(a).cmp(&key(b))
            })
    }

    /// Walks a shortest path of `length` hops from `source` to `target`,
    /// choosing at each step the next entity with the smallest id among those
    /// still `length - k` hops from the target, so the path is the same for
    /// every shard layout.
    #[allow(clippy::too_many_arguments)]
    fn canonical_path(
        &self,
        graph: &(impl GraphView + Sync),
        source: NodeId,
        target: NodeId,
        length: u32,
        direction: Direction,
        types: Option<&[u16]>,
        cancel: algo::CancelCheck<'_>,
    ) -> std::result::Result<Vec<PathStep>, algo::Cancelled> {
        let mut to_target: std::collections::HashMap<NodeId, u32> = algo::k_hop(graph, target, length, reverse(direction), types, cancel)?
            .into_iter()
            .map(|r| (r.node, r.depth))
            .collect();
        to_target.insert(target, 0);

        let rel_types = self.catalog.rel_types();
        let mut steps = vec![PathStep { node: source, via: None }];
        let mut current = source;
        let mut edges = Vec::new();
        for k in 1..=length {
            edges.clear();
            graph.edges(current, direction, types, &mut edges);
            let next = edges
                .iter()
                .filter(|edge| to_target.get(&edge.other) == Some(&(length - k)))
                .min_by(|a, b| {
                    let key = |edge: &&IncidentEdge| {
                        (self.catalog.id_of(edge.other), edge.dir, rel_types.name(edge.rel_type).to_string())
                    };
                    key(a).cmp(&key(b))
                })
                .copied()
                .expect("a node on a shortest path has a next step");
            steps.push(PathStep { node: next.other, via: Some((next.rel_type, next.dir)) });
            current = next.other;
        }
        Ok(steps)
    }

    fn entities_of(&self, nodes: &[NodeId]) -> Result<Vec<Option<Entity>>> {
        let ids: Vec<String> = nodes.iter().map(|n| self.catalog.id_of(*n)).collect();
        self.get_entities(&ids)
    }

    /// Returns the entities within `depth` hops of `id`, excluding `id`, sorted
    /// by depth and then id. Fails with `EntityNotFound` for an unknown id.
    pub fn neighbors(&self, id: &str, depth: u32, options: &TraversalOptions) -> Result<Vec<Neighbor>> {
        let start = self.node_or_missing(id)?;
        let deadline = Deadline::after(options.timeout);
        let types = self.type_filter(options.relationship_types.as_deref());
        let reached = {
            let graph = self.catalog.graph();
            let mut reached = algo::k_hop(&*graph, start, depth, options.direction, types.as_deref(), &cancelled(&deadline))
                .map_err(|_| timed_out(&deadline))?;
            let mut depths: std::collections::HashMap<NodeId, u32> = reached.iter().map(|r| (r.node, r.depth)).collect();
            depths.insert(start, 0);
            for reach in &mut reached {
                if let Some((from, rel_type, dir)) =
                    self.canonical_via(&*graph, reach.node, reach.depth, &depths, options.direction, types.as_deref())
                {
                    reach.from = from;
                    reach.rel_type = rel_type;
                    reach.dir = dir;
                }
            }
            reached
        };

        let nodes: Vec<NodeId> = reached.iter().map(|r| r.node).collect();
        let entities = self.entities_of(&nodes)?;
        let records = self.edge_records(&reached)?;
        let mut out: Vec<Neighbor> = Vec::with_capacity(reached.len());
        for ((reach, entity), relationship) in reached.iter().zip(entities).zip(records) {
            let (Some(entity), Some(relationship)) = (entity, relationship) else { continue };
            let wanted = options
                .entity_types
                .as_ref()
                .is_none_or(|types| types.iter().any(|t| *t == entity.entity_type));
            if wanted {
                out.push(Neighbor { entity, relationship, depth: reach.depth });
            }
        }
        out.sort_by(|a, b| (a.depth, &a.entity.id).cmp(&(b.depth, &b.entity.id)));
        Ok(out)
    }

    /// Returns the entities reachable from `id` in `direction` over
    /// relationships of `types`, within `max_hops`, in (depth, id) order.
    pub fn traverse(&self, id: &str, max_hops: u32, options: &TraversalOptions) -> Result<Vec<Entity>> {
        Ok(self.neighbors(id, max_hops, options)?.into_iter().map(|n| n.entity).collect())
    }

    fn path_from_steps(&self, steps: &[PathStep]) -> Result<Option<GraphPath>> {
        let nodes: Vec<NodeId> = steps.iter().map(|s| s.node).collect();
        let entities = self.entities_of(&nodes)?;
        if entities.iter().any(Option::is_none) {
            return Ok(None);
        }
        let mut relationships = Vec::with_capacity(steps.len().saturating_sub(1));
        for pair in steps.windows(2) {
            let (rel_type, dir) = pair[1].via.expect("every step after the first has an edge");
            match self.step_record(pair[0].node, pair[1].node, rel_type, dir)? {
                Some(rel) => relationships.push(rel),
                None => return Ok(None),
            }
        }
        Ok(Some(GraphPath {
            entities: entities.into_iter().flatten().collect(),
            relationships,
        }))
    }

    /// Finds a shortest path by hops (bidirectional BFS) of at most
    /// `max_depth` hops. Returns `Ok(None)` when none exists, and
    /// `EntityNotFound` when either end is unknown. A path from an entity to
    /// itself has length 0.
    pub fn find_path(&self, from: &str, to: &str, max_depth: u32, options: &TraversalOptions) -> Result<Option<GraphPath>> {
        let source = self.node_or_missing(from)?;
        let target = self.node_or_missing(to)?;
        let deadline = Deadline::after(options.timeout);
        let types = self.type_filter(options.relationship_types.as_deref());
        let steps = {
            let graph = self.catalog.graph();
            let check = cancelled(&deadline);
            let found = algo::shortest_path(&*graph, source, target, max_depth, options.direction, types.as_deref(), &check)
                .map_err(|_| timed_out(&deadline))?;
            match found {
                Some(found) if found.len() > 2 => Some(
                    self.canonical_path(&*graph, source, target, (found.len() - 1) as u32, options.direction, types.as_deref(), &check)
                        .map_err(|_| timed_out(&deadline))?,
                ),
                other => other,
            }
        };
        match steps {
            Some(steps) => self.path_from_steps(&steps),
            None => Ok(None),
        }
    }

    /// Returns up to `limit` cycle-free paths from `from` to `to` of at most
    /// `max_depth` hops, in the order the path iterator produces them.
    pub fn find_all_paths(
        &self,
        from: &str,
        to: &str,
        max_depth: u32,
        limit: usize,
        options: &TraversalOptions,
    ) -> Result<Vec<GraphPath>> {
        let source = self.node_or_missing(from)?;
        let target = self.node_or_missing(to)?;
        let deadline = Deadline::after(options.timeout);
        let types = self.type_filter(options.relationship_types.as_deref());
        let found: Vec<Vec<PathStep>> = {
            let graph = self.catalog.graph();
            let check = cancelled(&deadline);
            let iter = algo::all_paths(&*graph, source, target, max_depth, options.direction, types.as_deref(), &check);
            let mut found = Vec::new();
            for path in iter.take(limit) {
                found.push(path.map_err(|_| timed_out(&deadline))?);
            }
            found
        };
        let mut out = Vec::with_capacity(found.len());
        for steps in found {
            if let Some(path) = self.path_from_steps(&steps)? {
                out.push(path);
            }
        }
        Ok(out)
    }

    /// Returns the entities within `depth` hops of `root` (root included) and
    /// every relationship among them whose type `options` allows.
    pub fn extract_subgraph(&self, root: &str, depth: u32, options: &TraversalOptions) -> Result<Subgraph> {
        let start = self.node_or_missing(root)?;
        let deadline = Deadline::after(options.timeout);
        let types = self.type_filter(options.relationship_types.as_deref());
        let sub = {
            let graph = self.catalog.graph();
            algo::subgraph(&*graph, start, depth, options.direction, types.as_deref(), &cancelled(&deadline))
                .map_err(|_| timed_out(&deadline))?
        };

        let entities = self.entities_of(&sub.nodes)?;
        let mut kept: Vec<Entity> = entities.into_iter().flatten().collect();
        if let Some(entity_types) = &options.entity_types {
            let root_id = root.to_string();
            kept.retain(|e| e.id == root_id || entity_types.iter().any(|t| *t == e.entity_type));
        }
        let kept_ids: HashSet<&str> = kept.iter().map(|e| e.id.as_str()).collect();

        // Read every relationship among the kept entities from their sources.
        let allowed = |t: &str| options.relationship_types.as_ref().is_none_or(|types| types.iter().any(|x| x == t));
        let mut relationships = Vec::new();
        let mut sources: Vec<&str> = sub
            .edges
            .iter()
            .map(|edge| edge.source)
            .collect::<HashSet<_>>()
            .into_iter()
            .map(|node| self.catalog.id_of(node))
            .filter(|id| kept_ids.contains(id.as_str()))
            .map(|id| kept_ids.get(id.as_str()).copied().expect("kept"))
            .collect();
        sources.sort_unstable();
        for source in sources {
            for rel in self.shard_for(source).outgoing(source)? {
                if kept_ids.contains(rel.target_id.as_str()) && allowed(&rel.rel_type) {
                    relationships.push(rel);
                }
            }
        }
        kept.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Subgraph {
            root_id: root.to_string(),
            entities: kept,
            relationships,
        })
    }

    /// Node ids of every entity that passes a pattern variable's constraints,
    /// from the attribute indexes of every shard.
    fn pattern_candidates(&self, variable: &PatternVariable) -> Option<Vec<NodeId>> {
        if variable.entity_type.is_none() && variable.name_pattern.is_none() {
            return None;
        }
        let per_shard: Vec<Vec<NodeId>> = (0..self.shards.len())
            .into_par_iter()
            .map(|shard| {
                let index = self.catalog.shard(shard);
                let by_type: Option<Vec<u32>> = variable
                    .entity_type
                    .as_ref()
                    .map(|t| index.attributes.postings(Attribute::Type, t.as_bytes()).to_vec());
                let by_name: Option<Vec<u32>> = variable.name_pattern.as_ref().map(|pattern| {
                    let glob: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
                    let prefix: String = pattern.chars().take_while(|c| *c != '*' && *c != '?').collect();
                    let mut locals = Vec::new();
                    index.attributes.for_each_with_prefix(Attribute::Name, &name_key(&prefix), |key, postings| {
                        let key: Vec<char> = String::from_utf8_lossy(key).chars().collect();
                        if glob_matches(&glob, &key) {
                            locals.extend_from_slice(postings);
                        }
                    });
                    locals.sort_unstable();
                    locals
                });
                let locals: Vec<u32> = match (by_type, by_name) {
                    (Some(a), Some(b)) => a.into_iter().filter(|l| b.binary_search(l).is_ok()).collect(),
                    (Some(a), None) => a,
                    (None, Some(b)) => b,
                    (None, None) => Vec::new(),
                };
                locals
                    .into_iter()
                    .filter(|l| index.dictionary.is_live(*l))
                    .map(|l| node_id(shard, l))
                    .collect()
            })
            .collect();
        Some(per_shard.into_iter().flatten().collect())
    }

    fn all_nodes(&self) -> Vec<NodeId> {
        (0..self.shards.len())
            .flat_map(|shard| {
                let index = self.catalog.shard(shard);
                (0..index.dictionary.capacity() as u32)
                    .filter(|l| index.dictionary.is_live(*l))
                    .map(|l| node_id(shard, l))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Returns every match of a pattern (or the first `limit`): bindings of
    /// variables to distinct entities such that each pattern edge is a stored
    /// relationship from its source variable to its target variable.
    pub fn match_pattern(
        &self,
        variables: &[PatternVariable],
        links: &[PatternLink],
        limit: Option<usize>,
        timeout: Option<Duration>,
    ) -> Result<Vec<PatternBindings>> {
        let position = |name: &str, role: &str| {
            variables.iter().position(|v| v.variable == name).ok_or_else(|| {
                Error::invalid(role, name, "names no variable of the pattern; declare it in nodes")
            })
        };
        let mut seen = HashSet::new();
        for variable in variables {
            if !seen.insert(variable.variable.as_str()) {
                return Err(Error::invalid("nodes[].variable", &variable.variable, "appears twice; give each node its own variable"));
            }
        }
        let rel_types = self.catalog.rel_types();
        let mut edges = Vec::with_capacity(links.len());
        for link in links {
            let rel_type = match &link.rel_type {
                // A type never stored cannot match anything.
                Some(name) => match rel_types.get(name) {
                    Some(number) => Some(number),
                    None => return Ok(Vec::new()),
                },
                None => None,
            };
            edges.push(algo::PatternEdge {
                source: position(&link.source, "edges[].sourceVar")?,
                target: position(&link.target, "edges[].targetVar")?,
                rel_type,
            });
        }
        drop(rel_types);

        let mut candidates: Vec<Option<Vec<NodeId>>> = variables.iter().map(|v| self.pattern_candidates(v)).collect();
        let build = |candidates: &[Option<Vec<NodeId>>]| {
            let nodes = candidates
                .iter()
                .map(|c| match c {
                    Some(list) => algo::PatternNode::among(list.clone()),
                    None => algo::PatternNode::any(),
                })
                .collect();
            algo::Pattern::new(nodes, edges.clone())
        };
        let pattern = match build(&candidates) {
            Ok(pattern) => pattern,
            Err(_) if !variables.is_empty() => {
                // A part of the pattern without constraints starts from every entity.
                let all = self.all_nodes();
                for candidate in candidates.iter_mut().filter(|c| c.is_none()) {
                    *candidate = Some(all.clone());
                }
                build(&candidates).map_err(|err| Error::invalid("pattern", "", err.0))?
            }
            Err(err) => return Err(Error::invalid("pattern", "", err.0)),
        };

        let deadline = Deadline::after(timeout);
        let matches = {
            let graph = self.catalog.graph();
            algo::match_pattern(&*graph, &pattern, limit, &cancelled(&deadline)).map_err(|_| timed_out(&deadline))?
        };
        Ok(matches
            .into_iter()
            .map(|nodes| {
                variables
                    .iter()
                    .zip(nodes)
                    .map(|(v, node)| (v.variable.clone(), self.catalog.id_of(node)))
                    .collect()
            })
            .collect())
    }

    /// Returns the edges of `id` in the graph index, for diagnostics.
    pub fn graph_edges(&self, id: &str, direction: Direction) -> Result<Vec<IncidentEdge>> {
        let node = self.node_or_missing(id)?;
        let mut out = Vec::new();
        self.catalog.graph().edges(node, direction, None, &mut out);
        Ok(out)
    }
}
