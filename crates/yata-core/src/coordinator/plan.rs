//! Choosing, per shard, where a query's candidates come from.
//!
//! Every filter with an index yields a sorted posting list; the plan reports
//! the smallest one as the driver and the others as intersections. Filters
//! combined in a composite index use it in place of their two single ones:
//! types with a namespace use `namespace+type`, types with an exact name use
//! `type+name`. A query with no indexed filter scans the shard's live ids.

use serde::Serialize;

use super::spec::EntityQuery;
use crate::index::attributes::{composite_key, name_key, Attribute};
use crate::index::shard_index::ShardIndex;
use crate::query::glob_matches;

/// One filter's candidates on one shard.
pub(crate) struct Candidates {
    /// Index name, `full-text`, or `scan`.
    pub source: String,
    /// Keys looked up, for `explain`.
    pub keys: Vec<String>,
    /// Sorted, duplicate-free local ids.
    pub locals: Vec<u32>,
}

/// Collects the sorted union of posting lists.
fn union(lists: Vec<&[u32]>) -> Vec<u32> {
    if lists.len() == 1 {
        return lists[0].to_vec();
    }
    let mut all: Vec<u32> = lists.into_iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    all
}

fn lookup(index: &ShardIndex, attribute: Attribute, keys: Vec<Vec<u8>>) -> Candidates {
    let lists: Vec<&[u32]> = keys.iter().map(|key| index.attributes.postings(attribute, key)).collect();
    Candidates {
        source: attribute.label().to_string(),
        keys: keys.iter().map(|k| String::from_utf8_lossy(k).replace('\0', "/")).collect(),
        locals: union(lists),
    }
}

/// Literal prefix of a glob (lowercased), before its first wildcard.
fn glob_prefix(pattern: &str) -> String {
    pattern
        .chars()
        .take_while(|c| *c != '*' && *c != '?')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Builds the candidate lists of every indexed filter of `query` on one shard.
/// `text_hits` lists the local ids the full-text index matched, when the
/// query has a text filter.
pub(crate) fn candidates(index: &ShardIndex, query: &EntityQuery, text_hits: Option<Vec<u32>>) -> Vec<Candidates> {
    let mut out = Vec::new();
    let types = &query.types;

    match (&query.name, &query.namespace, types.is_empty()) {
        (Some(name), _, false) => {
            let keys = types.iter().map(|t| composite_key(t, &name_key(name))).collect();
            out.push(lookup(index, Attribute::TypeName, keys));
        }
        (None, Some(namespace), false) => {
            let keys = types.iter().map(|t| composite_key(namespace, t.as_bytes())).collect();
            out.push(lookup(index, Attribute::NamespaceType, keys));
        }
        (_, _, false) => {
            let keys = types.iter().map(|t| t.as_bytes().to_vec()).collect();
            out.push(lookup(index, Attribute::Type, keys));
        }
        _ => {}
    }
    if let Some(name) = &query.name {
        if types.is_empty() {
            out.push(lookup(index, Attribute::Name, vec![name_key(name)]));
        }
    }
    if let Some(namespace) = &query.namespace {
        if types.is_empty() || query.name.is_some() {
            out.push(lookup(index, Attribute::Namespace, vec![namespace.as_bytes().to_vec()]));
        }
    }
    if let Some(path) = &query.file_path {
        out.push(lookup(index, Attribute::FilePath, vec![path.as_bytes().to_vec()]));
    }
    if let Some(pattern) = &query.name_pattern {
        let prefix = glob_prefix(pattern);
        let glob: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
        let mut lists = Vec::new();
        index.attributes.for_each_with_prefix(Attribute::Name, prefix.as_bytes(), |key, postings| {
            let key: Vec<char> = String::from_utf8_lossy(key).chars().collect();
            if glob_matches(&glob, &key) {
                lists.push(postings.to_vec());
            }
        });
        let mut locals: Vec<u32> = lists.into_iter().flatten().collect();
        locals.sort_unstable();
        locals.dedup();
        out.push(Candidates {
            source: format!("name (range '{prefix}*')"),
            keys: vec![pattern.clone()],
            locals,
        });
    }
    if let Some(hits) = text_hits {
        out.push(Candidates {
            source: "full-text".into(),
            keys: vec![query.text.clone().unwrap_or_default()],
            locals: hits,
        });
    }
    out.sort_by_key(|c| c.locals.len());
    out
}

/// Intersects candidate lists, driving with the first (smallest) one.
pub(crate) fn intersect(lists: &[Candidates]) -> Option<Vec<u32>> {
    let (driver, others) = lists.split_first()?;
    Some(
        driver
            .locals
            .iter()
            .copied()
            .filter(|local| others.iter().all(|o| o.locals.binary_search(local).is_ok()))
            .collect(),
    )
}

/// The plan `explain` returns.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPlan {
    pub steps: Vec<PlanStep>,
    /// Shards the query reads; shards whose driving index has no candidates are left out.
    pub shards: Vec<String>,
    /// Indexes used on any shard.
    pub indexes: Vec<String>,
    /// Estimated cost in candidate rows examined, plus records read for sorting.
    pub estimated_cost: f64,
    /// Whether the per-shard steps run in parallel (more than one shard to read).
    pub parallel: bool,
    pub sort_by: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanStep {
    pub shard_id: String,
    /// `index-lookup`, `index-range`, `full-text` or `scan`.
    pub operation: String,
    /// The driving index, or `scan`.
    pub index: String,
    pub keys: Vec<String>,
    /// Candidates the driver yields.
    pub estimated_rows: usize,
    /// Other indexed filters, applied by intersecting their posting lists.
    pub intersect: Vec<String>,
    /// Filters checked on the records themselves.
    pub residual: Vec<String>,
}

impl PlanStep {
    pub(crate) fn new(shard_id: &str, lists: &[Candidates], scan_rows: usize, query: &EntityQuery) -> PlanStep {
        let mut residual = Vec::new();
        if query.name.is_some() {
            residual.push("name (exact case)".to_string());
        }
        match lists.split_first() {
            None => PlanStep {
                shard_id: shard_id.to_string(),
                operation: "scan".into(),
                index: "scan".into(),
                keys: Vec::new(),
                estimated_rows: scan_rows,
                intersect: Vec::new(),
                residual,
            },
            Some((driver, others)) => PlanStep {
                shard_id: shard_id.to_string(),
                operation: if driver.source == "full-text" {
                    "full-text".into()
                } else if driver.source.starts_with("name (range") {
                    "index-range".into()
                } else {
                    "index-lookup".into()
                },
                index: driver.source.clone(),
                keys: driver.keys.clone(),
                estimated_rows: driver.locals.len(),
                intersect: others.iter().map(|o| o.source.clone()).collect(),
                residual,
            },
        }
    }
}

pub(crate) fn summarize(steps: Vec<PlanStep>, sort_by: &str) -> QueryPlan {
    let mut indexes: Vec<String> = Vec::new();
    let mut shards = Vec::new();
    let mut cost = 0.0;
    for step in &steps {
        for name in std::iter::once(&step.index).chain(step.intersect.iter()) {
            if !indexes.contains(name) {
                indexes.push(name.clone());
            }
        }
        if step.estimated_rows > 0 {
            shards.push(step.shard_id.clone());
        }
        cost += step.estimated_rows as f64 * (1.0 + step.intersect.len() as f64 * 0.1);
    }
    QueryPlan {
        parallel: shards.len() > 1,
        steps,
        shards,
        indexes,
        estimated_cost: cost,
        sort_by: sort_by.to_string(),
    }
}
