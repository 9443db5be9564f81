//! Graph traversal across shards: k-hop neighbours and shortest paths.
//!
//! Both run breadth-first, one level at a time. Each level's frontier is
//! grouped by shard and the groups are expanded in parallel; results are then
//! merged in frontier order and relationship-id order, so the answer does not
//! depend on how many shards the store has or how they are laid out.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::{Direction, Entity, Relationship};
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
}

impl Default for TraversalOptions {
    fn default() -> Self {
        TraversalOptions {
            direction: Direction::Both,
            relationship_types: None,
            entity_types: None,
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

/// One traversed edge: from a frontier entity, over a relationship, to another entity.
struct Step {
    from: String,
    relationship: Relationship,
    to: String,
}

impl Store {
    /// Returns the relationships of `id` that `options` allows, each with the
    /// entity at its other end: outgoing first, then incoming, in id order.
    fn edges_of(&self, id: &str, options: &TraversalOptions) -> Result<Vec<(Relationship, String)>> {
        let allowed = |rel_type: &str| {
            options
                .relationship_types
                .as_ref()
                .is_none_or(|types| types.iter().any(|t| t == rel_type))
        };
        let mut edges = Vec::new();
        if options.direction.includes_out() {
            for rel in self.shard_for(id).outgoing(id)? {
                if allowed(&rel.rel_type) {
                    let other = rel.target_id.clone();
                    edges.push((rel, other));
                }
            }
        }
        if options.direction.includes_in() {
            for entry in self.shard_for(id).incoming(id)? {
                if !allowed(&entry.rel_type) {
                    continue;
                }
                // A self loop was already taken as an outgoing edge.
                if entry.source_id == id && options.direction.includes_out() {
                    continue;
                }
                let source = self.shard_for(&entry.source_id);
                if let Some(rel) = source.get_outgoing(&entry.source_id, &entry.rel_id)? {
                    edges.push((rel, entry.source_id));
                }
            }
        }
        Ok(edges)
    }

    /// Expands a sorted frontier one hop, shard groups in parallel.
    fn expand(&self, frontier: &[String], options: &TraversalOptions) -> Result<Vec<Step>> {
        let groups = self.group_by_shard(frontier.iter().cloned().enumerate().map(|(i, id)| (id, i)));
        let expanded: Vec<Vec<(usize, Vec<Step>)>> = groups
            .par_iter()
            .map(|group| {
                group
                    .iter()
                    .map(|(id, position)| {
                        let steps = self
                            .edges_of(id, options)?
                            .into_iter()
                            .map(|(relationship, to)| Step {
                                from: id.clone(),
                                relationship,
                                to,
                            })
                            .collect();
                        Ok((*position, steps))
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;

        let mut by_position: Vec<(usize, Vec<Step>)> = expanded.into_iter().flatten().collect();
        by_position.sort_by_key(|(position, _)| *position);
        Ok(by_position.into_iter().flat_map(|(_, steps)| steps).collect())
    }

    fn require_existing(&self, id: &str) -> Result<()> {
        check_id("id", id)?;
        if self.shard_for(id).has_entity(id)? {
            Ok(())
        } else {
            Err(Error::EntityNotFound(id.to_string()))
        }
    }

    /// Returns the entities within `depth` hops of `id`, excluding `id`, sorted
    /// by depth and then id. Fails with `EntityNotFound` for an unknown id.
    pub fn neighbors(&self, id: &str, depth: u32, options: &TraversalOptions) -> Result<Vec<Neighbor>> {
        self.require_existing(id)?;
        let mut visited: HashSet<String> = HashSet::from([id.to_string()]);
        let mut frontier = vec![id.to_string()];
        let mut reached: Vec<(String, Relationship, u32)> = Vec::new();

        for level in 1..=depth {
            if frontier.is_empty() {
                break;
            }
            let mut next = Vec::new();
            for step in self.expand(&frontier, options)? {
                if visited.insert(step.to.clone()) {
                    next.push(step.to.clone());
                    reached.push((step.to, step.relationship, level));
                }
            }
            next.sort();
            frontier = next;
        }

        reached.sort_by(|a, b| (a.2, &a.0).cmp(&(b.2, &b.0)));
        let ids: Vec<String> = reached.iter().map(|(id, _, _)| id.clone()).collect();
        let entities = self.get_entities(&ids)?;
        let mut out = Vec::with_capacity(reached.len());
        for ((_, relationship, depth), entity) in reached.into_iter().zip(entities) {
            // An entity deleted between the scan and the fetch is skipped.
            let Some(entity) = entity else { continue };
            let wanted = options
                .entity_types
                .as_ref()
                .is_none_or(|types| types.iter().any(|t| *t == entity.entity_type));
            if wanted {
                out.push(Neighbor {
                    entity,
                    relationship,
                    depth,
                });
            }
        }
        Ok(out)
    }

    /// Finds a shortest path by hops from `from` to `to` of at most `max_depth`
    /// hops. Returns `Ok(None)` when no such path exists, and `EntityNotFound`
    /// when either end is unknown. A path from an entity to itself has length 0.
    pub fn find_path(
        &self,
        from: &str,
        to: &str,
        max_depth: u32,
        options: &TraversalOptions,
    ) -> Result<Option<GraphPath>> {
        self.require_existing(from)?;
        self.require_existing(to)?;
        if from == to {
            let entity = self.get_entities(&[from.to_string()])?.remove(0);
            return Ok(entity.map(|entity| GraphPath {
                entities: vec![entity],
                relationships: Vec::new(),
            }));
        }

        // parent[id] = (previous entity, relationship used to reach id)
        let mut parent: HashMap<String, (String, Relationship)> = HashMap::new();
        let mut visited: HashSet<String> = HashSet::from([from.to_string()]);
        let mut frontier = vec![from.to_string()];
        let mut found = false;

        'levels: for _ in 0..max_depth {
            if frontier.is_empty() {
                break;
            }
            let mut next = Vec::new();
            for step in self.expand(&frontier, options)? {
                if visited.insert(step.to.clone()) {
                    next.push(step.to.clone());
                    let reached_target = step.to == to;
                    parent.insert(step.to, (step.from, step.relationship));
                    if reached_target {
                        found = true;
                        break 'levels;
                    }
                }
            }
            next.sort();
            frontier = next;
        }
        if !found {
            return Ok(None);
        }

        let mut ids = vec![to.to_string()];
        let mut relationships = Vec::new();
        let mut current = to.to_string();
        while let Some((previous, relationship)) = parent.get(&current) {
            relationships.push(relationship.clone());
            ids.push(previous.clone());
            current = previous.clone();
        }
        ids.reverse();
        relationships.reverse();

        let entities = self.get_entities(&ids)?;
        if entities.iter().any(Option::is_none) {
            return Ok(None);
        }
        Ok(Some(GraphPath {
            entities: entities.into_iter().flatten().collect(),
            relationships,
        }))
    }
}
