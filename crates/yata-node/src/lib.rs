//! Node.js binding of yata-core.
//!
//! Each method converts its arguments, runs the engine call on the blocking
//! thread pool (never on the JavaScript thread) and converts the result.
//! A batch is one call and one crossing of the boundary.

mod convert;
mod error;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use napi::bindgen_prelude::spawn_blocking;
use napi_derive::napi;
use yata_core as core;

use convert::*;
use error::to_napi;

/// An open store. Closed stores reject every call with `STORE_CLOSED`;
/// calls already running when `close` is called finish first.
#[napi]
pub struct NativeStore {
    inner: Arc<RwLock<Option<Arc<core::Store>>>>,
}

impl NativeStore {
    fn store(&self) -> napi::Result<Arc<core::Store>> {
        let guard = self.inner.read().map_err(|_| to_napi(core::Error::StoreClosed))?;
        guard.clone().ok_or_else(|| to_napi(core::Error::StoreClosed))
    }

    /// Runs `work` on the blocking pool against the open store.
    async fn run<T, F>(&self, work: F) -> napi::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&core::Store) -> core::Result<T> + Send + 'static,
    {
        let store = self.store()?;
        spawn_blocking(move || work(&store))
            .await
            .map_err(|err| napi::Error::from_reason(format!("engine task failed: {err}")))?
            .map_err(to_napi)
    }
}

fn config_from(options: OpenOptions) -> core::Result<core::StoreConfig> {
    let shards = match (options.shard_list, options.shard_count) {
        (Some(list), _) => core::ShardLayout::List(
            list.into_iter()
                .map(|s| core::ShardEntry { id: s.id, path: s.path })
                .collect(),
        ),
        (None, Some(count)) => core::ShardLayout::Count(count as usize),
        (None, None) => core::ShardLayout::Stored,
    };
    let hash_seed = match options.hash_seed {
        Some(text) => Some(text.parse::<u64>().map_err(|_| core::Error::InvalidInput {
            field: "hashSeed".into(),
            value: text.clone(),
            reason: "must be an unsigned 64-bit integer in decimal".into(),
        })?),
        None => None,
    };
    Ok(core::StoreConfig {
        path: PathBuf::from(options.path),
        shards,
        partition_strategy: options.partition_strategy,
        hash_seed,
        virtual_nodes: options.virtual_nodes,
        cache_bytes_per_shard: options.cache_bytes_per_shard.map(|b| b.max(0) as u64),
    })
}

#[napi]
impl NativeStore {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        NativeStore {
            inner: Arc::new(RwLock::new(None)),
        }
    }

    /// Opens (or creates) the store; fails if this handle is already open.
    #[napi]
    pub async fn open(&self, options: OpenOptions) -> napi::Result<()> {
        if self.store().is_ok() {
            return Err(to_napi(core::Error::InvalidConfig("this handle is already open".into())));
        }
        let store = spawn_blocking(move || config_from(options).and_then(core::Store::open))
            .await
            .map_err(|err| napi::Error::from_reason(format!("engine task failed: {err}")))?
            .map_err(to_napi)?;
        let mut guard = self.inner.write().map_err(|_| to_napi(core::Error::StoreClosed))?;
        *guard = Some(Arc::new(store));
        Ok(())
    }

    /// Flushes and releases the store. Closing a closed store does nothing.
    #[napi]
    pub async fn close(&self) -> napi::Result<()> {
        let taken = {
            let mut guard = self.inner.write().map_err(|_| to_napi(core::Error::StoreClosed))?;
            guard.take()
        };
        if let Some(store) = taken {
            spawn_blocking(move || {
                let result = store.flush();
                drop(store);
                result
            })
            .await
            .map_err(|err| napi::Error::from_reason(format!("engine task failed: {err}")))?
            .map_err(to_napi)?;
        }
        Ok(())
    }

    #[napi(getter)]
    pub fn is_open(&self) -> bool {
        self.store().is_ok()
    }

    /// The manifest as JSON text, with the hash seed as a decimal string
    /// because it may exceed JavaScript's exact integer range.
    #[napi]
    pub fn manifest(&self) -> napi::Result<String> {
        let store = self.store()?;
        let mut value = serde_json::to_value(store.manifest()).expect("manifest serializes");
        value["hashSeed"] = store.manifest().hash_seed.to_string().into();
        Ok(value.to_string())
    }

    /// Returns the id of the shard that stores entity `id`.
    #[napi]
    pub fn shard_of(&self, id: String) -> napi::Result<String> {
        let store = self.store()?;
        Ok(store.manifest().shards[store.shard_index(&id)].id.clone())
    }

    #[napi]
    pub async fn add_entities(&self, inputs: Vec<EntityInput>) -> napi::Result<Vec<String>> {
        let inputs: Vec<core::NewEntity> = inputs.into_iter().map(Into::into).collect();
        self.run(move |store| store.add_entities(inputs)).await
    }

    #[napi]
    pub async fn put_entities(&self, inputs: Vec<EntityInput>) -> napi::Result<PutResult> {
        let inputs: Vec<core::NewEntity> = inputs.into_iter().map(Into::into).collect();
        let (created, updated) = self.run(move |store| store.put_entities(inputs)).await?;
        Ok(PutResult {
            created: created as u32,
            updated: updated as u32,
        })
    }

    #[napi]
    pub async fn get_entities(&self, ids: Vec<String>) -> napi::Result<Vec<Option<EntityRecord>>> {
        let found = self.run(move |store| store.get_entities(&ids)).await?;
        Ok(found.into_iter().map(|e| e.map(Into::into)).collect())
    }

    #[napi]
    pub async fn update_entity(&self, id: String, patch: EntityPatchInput) -> napi::Result<EntityRecord> {
        let patch: core::EntityPatch = patch.into();
        let updated = self.run(move |store| store.update_entity(&id, patch)).await?;
        Ok(updated.into())
    }

    #[napi]
    pub async fn delete_entities(&self, ids: Vec<String>, strict: bool) -> napi::Result<u32> {
        let count = self.run(move |store| store.delete_entities(&ids, strict)).await?;
        Ok(count as u32)
    }

    #[napi]
    pub async fn delete_entities_by_file(&self, file_path: String) -> napi::Result<u32> {
        let count = self.run(move |store| store.delete_entities_by_file(&file_path)).await?;
        Ok(count as u32)
    }

    #[napi]
    pub async fn entity_ids_by_file(&self, file_path: String) -> napi::Result<Vec<String>> {
        self.run(move |store| store.entity_ids_by_file(&file_path)).await
    }

    /// `matchBy` is `name-namespace` or `name`.
    #[napi]
    pub async fn upsert_entities(&self, inputs: Vec<EntityInput>, match_by: String) -> napi::Result<Vec<UpsertResult>> {
        let match_by = match match_by.as_str() {
            "name-namespace" => core::MatchBy::NameNamespace,
            "name" => core::MatchBy::Name,
            other => {
                return Err(to_napi(core::Error::InvalidInput {
                    field: "matchBy".into(),
                    value: other.into(),
                    reason: "must be 'name-namespace' or 'name'".into(),
                }))
            }
        };
        let inputs: Vec<core::NewEntity> = inputs.into_iter().map(Into::into).collect();
        let outcomes = self.run(move |store| store.upsert_entities(inputs, match_by)).await?;
        Ok(outcomes
            .into_iter()
            .map(|o| UpsertResult {
                id: o.id,
                created: o.created,
            })
            .collect())
    }

    #[napi]
    pub async fn add_relationships(&self, inputs: Vec<RelationshipInput>) -> napi::Result<Vec<String>> {
        let inputs: Vec<core::NewRelationship> = inputs.into_iter().map(Into::into).collect();
        self.run(move |store| store.add_relationships(inputs)).await
    }

    /// `direction` is `in`, `out` or `both`.
    #[napi]
    pub async fn get_relationships(&self, id: String, direction: String) -> napi::Result<Vec<RelationshipRecord>> {
        let rels = self
            .run(move |store| store.get_relationships(&id, convert::direction(&direction)?))
            .await?;
        Ok(rels.into_iter().map(Into::into).collect())
    }

    #[napi]
    pub async fn delete_relationships(&self, ids: Vec<String>, strict: bool) -> napi::Result<u32> {
        let count = self.run(move |store| store.delete_relationships(&ids, strict)).await?;
        Ok(count as u32)
    }

    #[napi]
    pub async fn delete_outgoing(&self, source_ids: Vec<String>) -> napi::Result<u32> {
        let count = self.run(move |store| store.delete_outgoing(&source_ids)).await?;
        Ok(count as u32)
    }

    #[napi]
    pub async fn stats(&self) -> napi::Result<StatsRecord> {
        Ok(self.run(|store| store.stats()).await?.into())
    }

    #[napi]
    pub async fn query(&self, input: QueryInput) -> napi::Result<QueryRecord> {
        let query: core::EntityQuery = input.into();
        let output = self.run(move |store| store.query(&query)).await?;
        Ok(QueryRecord {
            entities: output.entities.into_iter().map(Into::into).collect(),
            relationships: output.relationships.into_iter().map(Into::into).collect(),
            total_count: output.total_count as u32,
            has_more: output.has_more,
        })
    }

    #[napi]
    pub async fn neighbors(&self, id: String, depth: u32, options: TraversalInput) -> napi::Result<Vec<NeighborRecord>> {
        let found = self
            .run(move |store| {
                let options = convert::traversal(options)?;
                store.neighbors(&id, depth, &options)
            })
            .await?;
        Ok(found
            .into_iter()
            .map(|n| NeighborRecord {
                entity: n.entity.into(),
                relationship: n.relationship.into(),
                depth: n.depth,
            })
            .collect())
    }

    #[napi]
    pub async fn find_path(
        &self,
        from: String,
        to: String,
        max_depth: u32,
        options: TraversalInput,
    ) -> napi::Result<Option<PathRecord>> {
        let path = self
            .run(move |store| {
                let options = convert::traversal(options)?;
                store.find_path(&from, &to, max_depth, &options)
            })
            .await?;
        Ok(path.map(|p| PathRecord {
            length: p.length() as u32,
            entities: p.entities.into_iter().map(Into::into).collect(),
            relationships: p.relationships.into_iter().map(Into::into).collect(),
        }))
    }
}
