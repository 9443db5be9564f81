//! yata-core: the storage engine of yata-scale.
//!
//! A store is a directory holding a manifest and one sled database per shard.
//! Entities are placed on shards by a consistent-hash ring over their ids
//! (`partition`); each shard keeps its records under the key layout in
//! `keys`, encoded by `codec`. Relationships are stored with their source,
//! indexed by their target, and located by their id, so both directions of a
//! traversal read only the shards that own the entities involved.
//!
//! This crate knows nothing of JavaScript; `yata-node` binds it to Node.js.

pub mod codec;
pub mod coordinator;
pub mod index;
mod index_stats;
pub mod error;
pub mod graph;
mod keys;
mod lock;
pub mod manifest;
pub mod model;
pub mod partition;
pub mod query;
mod shard;
pub mod storage;
pub mod store;
pub mod validate;

pub use error::{Error, Result};
pub use graph::{GraphPath, Neighbor, TraversalOptions};
pub use manifest::{Manifest, ShardEntry};
pub use model::{Direction, Entity, EntityPatch, MatchBy, NewEntity, NewRelationship, Relationship, UpsertOutcome};
pub use coordinator::{Cursor, EntityQuery, QueryOutput, QueryPlan, SearchHit, SortBy, SortOrder};
pub use store::{ShardLayout, ShardStats, Stats, Store, StoreConfig};
