//! Attribute and text filters over every shard, merged into one sorted page.
//!
//! Each shard scans its entities in parallel with the others, counts every
//! match and keeps only the first `offset + limit` in sort order, so memory
//! stays bounded by the page, not by the number of matches.

use std::collections::{BinaryHeap, HashSet};

use rayon::prelude::*;

use crate::error::Result;
use crate::model::{Entity, Relationship};
use crate::store::Store;

/// Filters of a query; every given filter must hold (AND).
#[derive(Debug, Clone, Default)]
pub struct EntityQuery {
    /// Entity types, any of which matches; empty matches every type.
    pub types: Vec<String>,
    /// Exact namespace.
    pub namespace: Option<String>,
    /// Exact name.
    pub name: Option<String>,
    /// Glob over the name: `*` matches any run of characters and `?` one
    /// character; ASCII letters match case-insensitively.
    pub name_pattern: Option<String>,
    /// Words that must all occur, case-insensitively, in the name, namespace,
    /// description or file path.
    pub text: Option<String>,
    pub limit: usize,
    pub offset: usize,
    /// Also return the relationships touching the returned entities.
    pub include_relationships: bool,
    /// With `include_relationships`, return only relationships of these types.
    pub relationship_types: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct QueryOutput {
    /// The page, sorted by name and then id.
    pub entities: Vec<Entity>,
    pub relationships: Vec<Relationship>,
    /// Number of matches before paging.
    pub total_count: usize,
    pub has_more: bool,
}

/// An entity ordered by (name, id) for the per-shard top-k heap.
struct Ranked(Entity);

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.0.name, &self.0.id).cmp(&(&other.0.name, &other.0.id))
    }
}

struct Matcher {
    types: Vec<String>,
    namespace: Option<String>,
    name: Option<String>,
    pattern: Option<Vec<char>>,
    words: Vec<String>,
}

impl Matcher {
    fn new(query: &EntityQuery) -> Self {
        Matcher {
            types: query.types.clone(),
            namespace: query.namespace.clone(),
            name: query.name.clone(),
            pattern: query
                .name_pattern
                .as_ref()
                .map(|p| p.chars().map(|c| c.to_ascii_lowercase()).collect()),
            words: query
                .text
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_lowercase)
                .collect(),
        }
    }

    fn matches(&self, entity: &Entity) -> bool {
        if !self.types.is_empty() && !self.types.iter().any(|t| *t == entity.entity_type) {
            return false;
        }
        if self.namespace.as_ref().is_some_and(|ns| *ns != entity.namespace) {
            return false;
        }
        if self.name.as_ref().is_some_and(|name| *name != entity.name) {
            return false;
        }
        if let Some(pattern) = &self.pattern {
            let name: Vec<char> = entity.name.chars().map(|c| c.to_ascii_lowercase()).collect();
            if !glob_matches(pattern, &name) {
                return false;
            }
        }
        if !self.words.is_empty() {
            let mut haystack = String::with_capacity(128);
            for part in [
                Some(entity.name.as_str()),
                Some(entity.namespace.as_str()),
                entity.description.as_deref(),
                entity.file_path.as_deref(),
            ]
            .into_iter()
            .flatten()
            {
                haystack.push_str(&part.to_lowercase());
                haystack.push('\n');
            }
            if !self.words.iter().all(|word| haystack.contains(word.as_str())) {
                return false;
            }
        }
        true
    }
}

/// Matches `text` against a glob of `*` and `?`, by iterative backtracking.
/// Cost: O(|pattern|·|text|) in the worst case.
pub fn glob_matches(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

impl Store {
    /// Runs a filter query over every shard and returns one page.
    pub fn query(&self, query: &EntityQuery) -> Result<QueryOutput> {
        let matcher = Matcher::new(query);
        let keep = query.offset.saturating_add(query.limit);

        let per_shard = self
            .shards
            .par_iter()
            .map(|shard| {
                let mut heap: BinaryHeap<Ranked> = BinaryHeap::new();
                let mut count = 0usize;
                shard.for_each_entity(|entity| {
                    if matcher.matches(&entity) {
                        count += 1;
                        if keep > 0 {
                            heap.push(Ranked(entity));
                            if heap.len() > keep {
                                heap.pop();
                            }
                        }
                    }
                    true
                })?;
                Ok((count, heap.into_vec()))
            })
            .collect::<Result<Vec<_>>>()?;

        let total_count = per_shard.iter().map(|(count, _)| count).sum();
        let mut merged: Vec<Ranked> = per_shard.into_iter().flat_map(|(_, kept)| kept).collect();
        merged.sort();
        let entities: Vec<Entity> = merged
            .into_iter()
            .skip(query.offset)
            .take(query.limit)
            .map(|ranked| ranked.0)
            .collect();
        let has_more = query.offset + entities.len() < total_count;

        let relationships = if query.include_relationships {
            self.relationships_touching(&entities, query.relationship_types.as_deref())?
        } else {
            Vec::new()
        };
        Ok(QueryOutput {
            entities,
            relationships,
            total_count,
            has_more,
        })
    }

    fn relationships_touching(&self, entities: &[Entity], types: Option<&[String]>) -> Result<Vec<Relationship>> {
        let per_entity = entities
            .par_iter()
            .map(|entity| {
                let mut rels = self.shard_for(&entity.id).outgoing(&entity.id)?;
                rels.extend(self.incoming_relationships(&entity.id)?);
                Ok(rels)
            })
            .collect::<Result<Vec<_>>>()?;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for rel in per_entity.into_iter().flatten() {
            let allowed = types.is_none_or(|types| types.iter().any(|t| *t == rel.rel_type));
            if allowed && seen.insert(rel.id.clone()) {
                out.push(rel);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    fn glob(pattern: &str, text: &str) -> bool {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        glob_matches(&p, &t)
    }

    #[test]
    fn glob_cases() {
        assert!(glob("*", ""));
        assert!(glob("user*", "userservice"));
        assert!(glob("*service", "userservice"));
        assert!(glob("u?er*", "userservice"));
        assert!(glob("*s*r*", "userservice"));
        assert!(!glob("user", "userservice"));
        assert!(!glob("*x*", "userservice"));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("a*b*c", "aXbYd"));
    }
}
