//! Plain-object shapes crossing the JavaScript boundary, and their conversions.
//!
//! Metadata crosses as JSON text and timestamps as epoch milliseconds; the
//! TypeScript layer turns them into objects and `Date`s.

use napi_derive::napi;
use yata_core as core;

#[napi(object)]
pub struct EntityInput {
    pub id: Option<String>,
    #[napi(js_name = "type")]
    pub entity_type: String,
    pub name: String,
    pub namespace: Option<String>,
    pub file_path: Option<String>,
    pub line: Option<u32>,
    pub description: Option<String>,
    pub metadata: Option<String>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
}

impl From<EntityInput> for core::NewEntity {
    fn from(input: EntityInput) -> Self {
        core::NewEntity {
            id: input.id,
            entity_type: input.entity_type,
            name: input.name,
            namespace: input.namespace.unwrap_or_default(),
            file_path: input.file_path,
            line: input.line,
            description: input.description,
            metadata: input.metadata,
            created_at: input.created_at,
            updated_at: input.updated_at,
        }
    }
}

#[napi(object)]
pub struct EntityRecord {
    pub id: String,
    #[napi(js_name = "type")]
    pub entity_type: String,
    pub name: String,
    pub namespace: String,
    pub file_path: Option<String>,
    pub line: Option<u32>,
    pub description: Option<String>,
    pub metadata: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<core::Entity> for EntityRecord {
    fn from(entity: core::Entity) -> Self {
        EntityRecord {
            id: entity.id,
            entity_type: entity.entity_type,
            name: entity.name,
            namespace: entity.namespace,
            file_path: entity.file_path,
            line: entity.line,
            description: entity.description,
            metadata: entity.metadata,
            created_at: entity.created_at,
            updated_at: entity.updated_at,
        }
    }
}

/// A partial update. `clear` names optional fields to remove
/// (`filePath`, `line`, `description`).
#[napi(object)]
pub struct EntityPatchInput {
    #[napi(js_name = "type")]
    pub entity_type: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub file_path: Option<String>,
    pub line: Option<u32>,
    pub description: Option<String>,
    pub metadata: Option<String>,
    pub updated_at: Option<i64>,
    pub clear: Option<Vec<String>>,
}

impl From<EntityPatchInput> for core::EntityPatch {
    fn from(input: EntityPatchInput) -> Self {
        let clear = input.clear.unwrap_or_default();
        let clears = |field: &str| clear.iter().any(|c| c == field);
        core::EntityPatch {
            entity_type: input.entity_type,
            name: input.name,
            namespace: input.namespace,
            file_path: if clears("filePath") { Some(None) } else { input.file_path.map(Some) },
            line: if clears("line") { Some(None) } else { input.line.map(Some) },
            description: if clears("description") {
                Some(None)
            } else {
                input.description.map(Some)
            },
            metadata: input.metadata,
            updated_at: input.updated_at,
        }
    }
}

#[napi(object)]
pub struct RelationshipInput {
    pub id: Option<String>,
    pub source_id: String,
    pub target_id: String,
    #[napi(js_name = "type")]
    pub rel_type: String,
    pub weight: Option<f64>,
    pub metadata: Option<String>,
    pub created_at: Option<i64>,
}

impl From<RelationshipInput> for core::NewRelationship {
    fn from(input: RelationshipInput) -> Self {
        core::NewRelationship {
            id: input.id,
            source_id: input.source_id,
            target_id: input.target_id,
            rel_type: input.rel_type,
            weight: input.weight,
            metadata: input.metadata,
            created_at: input.created_at,
        }
    }
}

#[napi(object)]
pub struct RelationshipRecord {
    pub id: String,
    pub source_id: String,
    pub target_id: String,
    #[napi(js_name = "type")]
    pub rel_type: String,
    pub weight: f64,
    pub metadata: String,
    pub created_at: i64,
}

impl From<core::Relationship> for RelationshipRecord {
    fn from(rel: core::Relationship) -> Self {
        RelationshipRecord {
            id: rel.id,
            source_id: rel.source_id,
            target_id: rel.target_id,
            rel_type: rel.rel_type,
            weight: rel.weight,
            metadata: rel.metadata,
            created_at: rel.created_at,
        }
    }
}

#[napi(object)]
pub struct ShardPath {
    pub id: String,
    pub path: String,
}

#[napi(object)]
pub struct OpenOptions {
    pub path: String,
    /// A shard count; ignored when `shardList` is given.
    pub shard_count: Option<u32>,
    pub shard_list: Option<Vec<ShardPath>>,
    pub partition_strategy: Option<String>,
    /// The seed as a decimal string, because it may exceed 2^53.
    pub hash_seed: Option<String>,
    pub virtual_nodes: Option<u32>,
    pub cache_bytes_per_shard: Option<i64>,
}

#[napi(object)]
pub struct UpsertResult {
    pub id: String,
    pub created: bool,
}

#[napi(object)]
pub struct PutResult {
    pub created: u32,
    pub updated: u32,
}

#[napi(object)]
pub struct TypeCount {
    pub name: String,
    pub count: i64,
}

#[napi(object)]
pub struct ShardStatsRecord {
    pub shard_id: String,
    pub entity_count: i64,
    pub relationship_count: i64,
    pub size_bytes: i64,
}

#[napi(object)]
pub struct StatsRecord {
    pub entity_count: i64,
    pub relationship_count: i64,
    pub entities_by_type: Vec<TypeCount>,
    pub relationships_by_type: Vec<TypeCount>,
    pub shards: Vec<ShardStatsRecord>,
}

impl From<core::Stats> for StatsRecord {
    fn from(stats: core::Stats) -> Self {
        let counts = |map: std::collections::BTreeMap<String, u64>| {
            map.into_iter()
                .map(|(name, count)| TypeCount {
                    name,
                    count: count as i64,
                })
                .collect()
        };
        StatsRecord {
            entity_count: stats.entity_count as i64,
            relationship_count: stats.relationship_count as i64,
            entities_by_type: counts(stats.entities_by_type),
            relationships_by_type: counts(stats.relationships_by_type),
            shards: stats
                .shards
                .into_iter()
                .map(|s| ShardStatsRecord {
                    shard_id: s.shard_id,
                    entity_count: s.entity_count as i64,
                    relationship_count: s.relationship_count as i64,
                    size_bytes: s.size_bytes as i64,
                })
                .collect(),
        }
    }
}

#[napi(object)]
pub struct QueryInput {
    pub types: Option<Vec<String>>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub name_pattern: Option<String>,
    pub file_path: Option<String>,
    pub text: Option<String>,
    pub limit: u32,
    pub offset: u32,
    /// `name`, `id`, `type`, `namespace`, `filePath`, `createdAt`, `updatedAt` or `relevance`.
    pub sort_by: Option<String>,
    /// `asc` or `desc`.
    pub sort_order: Option<String>,
    pub include_relationships: bool,
    pub relationship_types: Option<Vec<String>>,
    pub timeout_ms: Option<u32>,
}

pub fn entity_query(input: QueryInput) -> Result<core::EntityQuery, core::Error> {
    let sort_by = match &input.sort_by {
        Some(value) => core::SortBy::parse(value)?,
        None => core::SortBy::Name,
    };
    let sort_order = match input.sort_order.as_deref() {
        None | Some("asc") => core::SortOrder::Asc,
        Some("desc") => core::SortOrder::Desc,
        Some(other) => {
            return Err(core::Error::InvalidInput {
                field: "sortOrder".into(),
                value: other.into(),
                reason: "must be 'asc' or 'desc'".into(),
            })
        }
    };
    Ok(core::EntityQuery {
        types: input.types.unwrap_or_default(),
        namespace: input.namespace,
        name: input.name,
        name_pattern: input.name_pattern,
        file_path: input.file_path,
        text: input.text,
        limit: input.limit as usize,
        offset: input.offset as usize,
        sort_by,
        sort_order,
        include_relationships: input.include_relationships,
        relationship_types: input.relationship_types,
        timeout: input.timeout_ms.map(|ms| std::time::Duration::from_millis(u64::from(ms))),
    })
}

#[napi(object)]
pub struct QueryRecord {
    pub entities: Vec<EntityRecord>,
    pub relationships: Vec<RelationshipRecord>,
    pub total_count: u32,
    pub has_more: bool,
}

#[napi(object)]
pub struct TraversalInput {
    /// `out`, `in` or `both`.
    pub direction: String,
    pub relationship_types: Option<Vec<String>>,
    pub entity_types: Option<Vec<String>>,
    pub timeout_ms: Option<u32>,
}

#[napi(object)]
pub struct SearchInput {
    pub text: String,
    pub limit: u32,
    /// Edit distance 1 or 2 for typo-tolerant matching.
    pub fuzzy: Option<u8>,
    /// Match the last word as a prefix.
    pub prefix: Option<bool>,
    pub timeout_ms: Option<u32>,
}

#[napi(object)]
pub struct SearchHitRecord {
    pub entity: EntityRecord,
    pub score: f64,
}

#[napi(object)]
pub struct SubgraphRecord {
    pub root_id: String,
    pub entities: Vec<EntityRecord>,
    pub relationships: Vec<RelationshipRecord>,
}

#[napi(object)]
pub struct PatternNodeInput {
    pub variable: String,
    #[napi(js_name = "type")]
    pub entity_type: Option<String>,
    pub name_pattern: Option<String>,
}

#[napi(object)]
pub struct PatternEdgeInput {
    pub source_var: String,
    pub target_var: String,
    #[napi(js_name = "type")]
    pub rel_type: Option<String>,
}

#[napi(object)]
pub struct Binding {
    pub variable: String,
    pub id: String,
}

#[napi(object)]
pub struct CursorBatch {
    pub entities: Vec<EntityRecord>,
    pub done: bool,
    pub total: u32,
}

#[napi(object)]
pub struct NeighborRecord {
    pub entity: EntityRecord,
    pub relationship: RelationshipRecord,
    pub depth: u32,
}

#[napi(object)]
pub struct PathRecord {
    pub entities: Vec<EntityRecord>,
    pub relationships: Vec<RelationshipRecord>,
    pub length: u32,
}

pub fn direction(value: &str) -> Result<core::Direction, core::Error> {
    match value {
        "out" | "forward" => Ok(core::Direction::Out),
        "in" | "backward" => Ok(core::Direction::In),
        "both" => Ok(core::Direction::Both),
        other => Err(core::Error::InvalidInput {
            field: "direction".into(),
            value: other.into(),
            reason: "must be 'out', 'in' or 'both'".into(),
        }),
    }
}

pub fn traversal(input: TraversalInput) -> Result<core::TraversalOptions, core::Error> {
    Ok(core::TraversalOptions {
        direction: direction(&input.direction)?,
        relationship_types: input.relationship_types,
        entity_types: input.entity_types,
        timeout: input.timeout_ms.map(|ms| std::time::Duration::from_millis(u64::from(ms))),
    })
}

pub fn path_record(path: core::GraphPath) -> PathRecord {
    PathRecord {
        length: path.length() as u32,
        entities: path.entities.into_iter().map(Into::into).collect(),
        relationships: path.relationships.into_iter().map(Into::into).collect(),
    }
}
