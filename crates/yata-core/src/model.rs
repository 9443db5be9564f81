//! The graph's data model: entities, relationships and the inputs that create them.
//!
//! Field names and meanings follow `@nahisaho/yata-local` 2.4.6. Timestamps are
//! milliseconds since the Unix epoch; metadata is kept as JSON object text.

/// A stored entity.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub id: String,
    pub entity_type: String,
    pub name: String,
    pub namespace: String,
    pub file_path: Option<String>,
    pub line: Option<u32>,
    pub description: Option<String>,
    /// JSON object text.
    pub metadata: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A stored, directed relationship from `source_id` to `target_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Relationship {
    pub id: String,
    pub source_id: String,
    pub target_id: String,
    pub rel_type: String,
    pub weight: f64,
    /// JSON object text.
    pub metadata: String,
    pub created_at: i64,
}

/// Input for a new entity. A missing id becomes a random UUID; missing
/// timestamps become the time of the write.
#[derive(Debug, Clone, Default)]
pub struct NewEntity {
    pub id: Option<String>,
    pub entity_type: String,
    pub name: String,
    pub namespace: String,
    pub file_path: Option<String>,
    pub line: Option<u32>,
    pub description: Option<String>,
    /// JSON object text; `None` stores `{}`.
    pub metadata: Option<String>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
}

/// Input for a new relationship. A missing weight is 1.0, as in yata-local.
#[derive(Debug, Clone, Default)]
pub struct NewRelationship {
    pub id: Option<String>,
    pub source_id: String,
    pub target_id: String,
    pub rel_type: String,
    pub weight: Option<f64>,
    pub metadata: Option<String>,
    pub created_at: Option<i64>,
}

/// A partial update of an entity. `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct EntityPatch {
    pub entity_type: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub file_path: Option<Option<String>>,
    pub line: Option<Option<u32>>,
    pub description: Option<Option<String>>,
    pub metadata: Option<String>,
    pub updated_at: Option<i64>,
}

/// Direction of the relationships to follow from an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Relationships whose source is the entity.
    Out,
    /// Relationships whose target is the entity.
    In,
    Both,
}

impl Direction {
    pub fn includes_out(self) -> bool {
        matches!(self, Direction::Out | Direction::Both)
    }

    pub fn includes_in(self) -> bool {
        matches!(self, Direction::In | Direction::Both)
    }
}

/// Rule by which `upsert_entities` finds the entity that an input replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchBy {
    /// Same name and namespace.
    NameNamespace,
    /// Same name in any namespace; the smallest matching id wins.
    Name,
}

/// The outcome of upserting one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpsertOutcome {
    pub id: String,
    pub created: bool,
}

pub(crate) fn now_millis() -> i64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as i64)
        .unwrap_or(0)
}
