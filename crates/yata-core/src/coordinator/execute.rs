//! Running a planned query: per-shard matching and sorting in parallel, then
//! the merge into one page.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::plan::{candidates, intersect, summarize, PlanStep, QueryPlan};
use super::spec::{Deadline, EntityQuery, SortBy, SortOrder};
use crate::error::Result;
use crate::index::attributes::Attribute;
use crate::index::shard_index::ShardIndex;
use crate::index::text::TextQuery;
use crate::model::{Entity, Relationship};
use crate::store::Store;

/// Above this many matches on a shard, name order comes from walking the
/// name index rather than from reading and sorting every matching record.
const NAME_WALK_THRESHOLD: usize = 4096;
/// Matches examined between deadline checks.
const CHECK_EVERY: usize = 4096;

#[derive(Debug, Clone, Default)]
pub struct QueryOutput {
    pub entities: Vec<Entity>,
    pub relationships: Vec<Relationship>,
    /// Number of matches before paging.
    pub total_count: usize,
    pub has_more: bool,
}

#[derive(Debug, Clone)]
pub struct SearchHit {
    pub entity: Entity,
    pub score: f32,
}

/// A sort key; variants never mix within one query.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum SortValue {
    Text(String),
    Number(i64),
    Score(f32),
}

/// One match on its way to the page.
struct Ranked {
    key: SortValue,
    id: String,
    entity: Option<Entity>,
}

fn compare(a: &Ranked, b: &Ranked, order: SortOrder) -> Ordering {
    let by_key = a.key.partial_cmp(&b.key).unwrap_or(Ordering::Equal);
    let ordering = by_key.then_with(|| a.id.cmp(&b.id));
    match order {
        SortOrder::Asc => ordering,
        SortOrder::Desc => ordering.reverse(),
    }
}

fn sort_value(sort_by: SortBy, entity: &Entity) -> SortValue {
    match sort_by {
        SortBy::Name => SortValue::Text(entity.name.to_ascii_lowercase()),
        SortBy::Id => SortValue::Text(String::new()),
        SortBy::Type => SortValue::Text(entity.entity_type.clone()),
        SortBy::Namespace => SortValue::Text(entity.namespace.clone()),
        SortBy::FilePath => SortValue::Text(entity.file_path.clone().unwrap_or_default()),
        SortBy::CreatedAt => SortValue::Number(entity.created_at),
        SortBy::UpdatedAt => SortValue::Number(entity.updated_at),
        SortBy::Relevance => SortValue::Score(0.0),
    }
}

/// One shard's matches, trimmed and sorted, with its plan step.
struct ShardResult {
    count: usize,
    kept: Vec<Ranked>,
    step: PlanStep,
}

impl Store {
    /// Local ids the full-text index matches on `shard`, sorted, with scores.
    fn text_hits(&self, shard: usize, text: &str) -> Result<HashMap<u32, f32>> {
        self.catalog.commit_text(shard)?;
        let hits = self.catalog.text(shard).search(&TextQuery::new(text, usize::MAX))?;
        let index = self.catalog.shard(shard);
        Ok(hits
            .into_iter()
            .filter_map(|(id, score)| index.dictionary.get(&id).map(|local| (local, score)))
            .collect())
    }

    fn all_live(index: &ShardIndex) -> Vec<u32> {
        (0..index.dictionary.capacity() as u32)
            .filter(|local| index.dictionary.is_live(*local))
            .collect()
    }

    /// Finds, sorts and trims one shard's matches.
    fn run_shard(&self, shard: usize, query: &EntityQuery, keep: usize, deadline: &Deadline) -> Result<ShardResult> {
        let scores = match &query.text {
            Some(text) => Some(self.text_hits(shard, text)?),
            None => None,
        };
        deadline.check()?;

        let index = self.catalog.shard(shard);
        let text_locals = scores.as_ref().map(|s| {
            let mut locals: Vec<u32> = s.keys().copied().collect();
            locals.sort_unstable();
            locals
        });
        let lists = candidates(&index, query, text_locals);
        let step = PlanStep::new(&self.shards[shard].id, &lists, index.dictionary.len(), query);
        let mut matches = match intersect(&lists) {
            Some(found) => found,
            None => Self::all_live(&index),
        };
        matches.retain(|local| index.dictionary.is_live(*local));
        deadline.check()?;

        // An exact name filter used the lowercased name index; check the case.
        let mut fetched: HashMap<u32, Entity> = HashMap::new();
        if let Some(name) = &query.name {
            let mut exact = Vec::with_capacity(matches.len());
            for local in matches {
                if let Some(entity) = self.shards[shard].get_entity(index.dictionary.id_of(local))? {
                    if entity.name == *name {
                        exact.push(local);
                        fetched.insert(local, entity);
                    }
                }
            }
            matches = exact;
        }

        let count = matches.len();
        let kept = self.rank_shard(shard, &index, matches, fetched, query, scores.as_ref(), keep, deadline)?;
        Ok(ShardResult { count, kept, step })
    }

    #[allow(clippy::too_many_arguments)]
    fn rank_shard(
        &self,
        shard: usize,
        index: &ShardIndex,
        matches: Vec<u32>,
        mut fetched: HashMap<u32, Entity>,
        query: &EntityQuery,
        scores: Option<&HashMap<u32, f32>>,
        keep: usize,
        deadline: &Deadline,
    ) -> Result<Vec<Ranked>> {
        let id_of = |local: u32| index.dictionary.id_of(local).to_string();
        let mut ranked: Vec<Ranked> = match query.sort_by {
            SortBy::Id => matches
                .iter()
                .map(|&local| Ranked { key: SortValue::Text(String::new()), id: id_of(local), entity: None })
                .collect(),
            SortBy::Relevance => matches
                .iter()
                .map(|&local| Ranked {
                    // Negated so that ascending order puts the best score first.
                    key: SortValue::Score(-scores.and_then(|s| s.get(&local)).copied().unwrap_or(0.0)),
                    id: id_of(local),
                    entity: None,
                })
                .collect(),
            SortBy::Name if matches.len() > NAME_WALK_THRESHOLD && query.sort_order == SortOrder::Asc => {
                return Ok(self.walk_name_index(index, &matches, keep));
            }
            sort_by => {
                let mut out = Vec::with_capacity(matches.len());
                for (i, local) in matches.iter().enumerate() {
                    if i % CHECK_EVERY == 0 {
                        deadline.check()?;
                    }
                    let entity = match fetched.remove(local) {
                        Some(entity) => Some(entity),
                        None => self.shards[shard].get_entity(index.dictionary.id_of(*local))?,
                    };
                    if let Some(entity) = entity {
                        out.push(Ranked { key: sort_value(sort_by, &entity), id: entity.id.clone(), entity: Some(entity) });
                    }
                }
                out
            }
        };
        deadline.check()?;
        let order = if query.sort_by == SortBy::Relevance { SortOrder::Asc } else { query.sort_order };
        if ranked.len() > keep {
            ranked.select_nth_unstable_by(keep, |a, b| compare(a, b, order));
            ranked.truncate(keep);
        }
        ranked.sort_by(|a, b| compare(a, b, order));
        Ok(ranked)
    }

    /// Lists matches in name order by walking the name index, stopping after `keep`.
    fn walk_name_index(&self, index: &ShardIndex, matches: &[u32], keep: usize) -> Vec<Ranked> {
        let wanted: HashSet<u32> = matches.iter().copied().collect();
        let mut out = Vec::new();
        index.attributes.for_each_with_prefix(Attribute::Name, b"", |key, postings| {
            if out.len() >= keep {
                return;
            }
            let name = String::from_utf8_lossy(key).into_owned();
            let mut group: Vec<String> = postings
                .iter()
                .filter(|local| wanted.contains(local))
                .map(|local| index.dictionary.id_of(*local).to_string())
                .collect();
            group.sort();
            for id in group {
                out.push(Ranked { key: SortValue::Text(name.clone()), id, entity: None });
            }
        });
        out.truncate(keep);
        out
    }

    fn run_all(&self, query: &EntityQuery, keep: usize) -> Result<(usize, Vec<Ranked>, Vec<PlanStep>)> {
        let deadline = Deadline::after(query.timeout);
        let results = (0..self.shards.len())
            .into_par_iter()
            .map(|shard| self.run_shard(shard, query, keep, &deadline))
            .collect::<Result<Vec<_>>>()?;

        let total = results.iter().map(|r| r.count).sum();
        let mut steps = Vec::with_capacity(results.len());
        let mut merged = Vec::new();
        for result in results {
            steps.push(result.step);
            merged.extend(result.kept);
        }
        let order = if query.sort_by == SortBy::Relevance { SortOrder::Asc } else { query.sort_order };
        merged.sort_by(|a, b| compare(a, b, order));
        deadline.check()?;
        Ok((total, merged, steps))
    }

    /// Runs a filter query and returns one page.
    pub fn query(&self, query: &EntityQuery) -> Result<QueryOutput> {
        let keep = query.offset.saturating_add(query.limit);
        let (total_count, merged, _) = self.run_all(query, keep)?;
        let page: Vec<Ranked> = merged.into_iter().skip(query.offset).take(query.limit).collect();
        let entities = self.materialize(page)?;
        let has_more = query.offset + entities.len() < total_count;
        let relationships = if query.include_relationships {
            self.relationships_touching(&entities, query.relationship_types.as_deref())?
        } else {
            Vec::new()
        };
        Ok(QueryOutput { entities, relationships, total_count, has_more })
    }

    /// Returns the plan `query` would run, without reading any record.
    pub fn explain(&self, query: &EntityQuery) -> Result<QueryPlan> {
        let steps = (0..self.shards.len())
            .into_par_iter()
            .map(|shard| {
                let text_locals = match &query.text {
                    Some(text) => {
                        let mut locals: Vec<u32> = self.text_hits(shard, text)?.into_keys().collect();
                        locals.sort_unstable();
                        Some(locals)
                    }
                    None => None,
                };
                let index = self.catalog.shard(shard);
                let lists = candidates(&index, query, text_locals);
                Ok(PlanStep::new(&self.shards[shard].id, &lists, index.dictionary.len(), query))
            })
            .collect::<Result<Vec<_>>>()?;
        let sort = format!("{:?}", query.sort_by).to_ascii_lowercase();
        Ok(summarize(steps, &sort))
    }

    /// Opens a cursor over every match of `query`, in sort order.
    pub fn open_cursor(&self, query: &EntityQuery) -> Result<Cursor> {
        let (total, merged, _) = self.run_all(query, usize::MAX)?;
        let ids = merged.into_iter().skip(query.offset).map(|r| r.id).collect();
        Ok(Cursor { ids, position: 0, total })
    }

    /// Reads the next `count` entities of a cursor.
    pub fn cursor_next(&self, cursor: &mut Cursor, count: usize) -> Result<Vec<Entity>> {
        let end = (cursor.position + count).min(cursor.ids.len());
        let ids = &cursor.ids[cursor.position..end];
        cursor.position = end;
        Ok(self.get_entities(ids)?.into_iter().flatten().collect())
    }

    /// Ranks entities by full-text relevance (BM25) across every shard and
    /// returns the best `limit`, highest score first, ties by id.
    pub fn search(&self, query: &TextQuery, timeout: Option<std::time::Duration>) -> Result<Vec<SearchHit>> {
        let deadline = Deadline::after(timeout);
        let per_shard = (0..self.shards.len())
            .into_par_iter()
            .map(|shard| {
                self.catalog.commit_text(shard)?;
                deadline.check()?;
                self.catalog.text(shard).search(query)
            })
            .collect::<Result<Vec<_>>>()?;
        let mut hits: Vec<(String, f32)> = per_shard.into_iter().flatten().collect();
        hits.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(Ordering::Equal).then_with(|| a.0.cmp(&b.0)));
        hits.truncate(query.limit);
        deadline.check()?;
        let ids: Vec<String> = hits.iter().map(|(id, _)| id.clone()).collect();
        let entities = self.get_entities(&ids)?;
        Ok(hits
            .into_iter()
            .zip(entities)
            .filter_map(|((_, score), entity)| entity.map(|entity| SearchHit { entity, score }))
            .collect())
    }

    /// Reads the records of a page that ranking did not already read.
    fn materialize(&self, page: Vec<Ranked>) -> Result<Vec<Entity>> {
        let missing: Vec<String> = page.iter().filter(|r| r.entity.is_none()).map(|r| r.id.clone()).collect();
        let mut read: HashMap<String, Entity> = self
            .get_entities(&missing)?
            .into_iter()
            .flatten()
            .map(|e| (e.id.clone(), e))
            .collect();
        Ok(page
            .into_iter()
            .filter_map(|r| r.entity.or_else(|| read.remove(&r.id)))
            .collect())
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

/// The state of a streamed query: the sorted ids of every match, read in batches.
pub struct Cursor {
    ids: Vec<String>,
    position: usize,
    total: usize,
}

impl Cursor {
    pub fn total(&self) -> usize {
        self.total
    }

    pub fn is_done(&self) -> bool {
        self.position >= self.ids.len()
    }
}
