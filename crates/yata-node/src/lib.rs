//! Node.js binding of yata-core.
//!
//! Each method converts its arguments, runs the engine call on the blocking
//! thread pool (never on the JavaScript thread) and converts the result.
//! A batch is one call and one crossing of the boundary.

mod convert;
mod error;

use std::path::PathBuf;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

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
    cursors: Mutex<Cursors>,
}

impl NativeStore {
    fn store(&self) -> napi::Result<Arc<core::Store>> {
        let guard = self.inner.read().map_err(|_| to_napi(core::Error::StoreClosed))?;
        guard.clone().ok_or_else(|| to_napi(core::Error::StoreClosed))
    }

    /// Runs `work` against the open store on the async runtime's worker
    /// thread, off the JavaScript thread. `block_in_place` first hands the
    /// worker's other tasks to another thread, so a long query blocks no
    /// other call. It also saves the hop to the blocking pool.
    async fn run<T, F>(&self, work: F) -> napi::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&core::Store) -> core::Result<T> + Send + 'static,
    {
        let store = self.store()?;
        napi::tokio::task::block_in_place(move || work(&store)).map_err(to_napi)
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
            cursors: Mutex::new(Cursors::default()),
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

    /// Waits for calls already running, then flushes, saves the index
    /// snapshot and releases the store, so its lock is free when the promise
    /// resolves. Closing a closed store does nothing.
    #[napi]
    pub async fn close(&self) -> napi::Result<()> {
        let taken = {
            let mut guard = self.inner.write().map_err(|_| to_napi(core::Error::StoreClosed))?;
            guard.take()
        };
        if let Ok(mut cursors) = self.cursors.lock() {
            cursors.open.clear();
        }
        if let Some(store) = taken {
            spawn_blocking(move || {
                // Every running call owns a clone of the Arc, and new calls can
                // no longer get one, so the count only falls.
                while Arc::strong_count(&store) > 1 {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                match Arc::try_unwrap(store) {
                    Ok(store) => store.close(),
                    Err(store) => store.flush(),
                }
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

    /// Returns the manifest as JSON text, with the hash seed as a decimal
    /// string because it may exceed JavaScript's exact integer range.
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
        let output = self.run(move |store| store.query(&convert::entity_query(input)?)).await?;
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
        Ok(path.map(convert::path_record))
    }

    /// Returns up to `limit` cycle-free paths of at most `maxDepth` hops.
    #[napi]
    pub async fn find_all_paths(
        &self,
        from: String,
        to: String,
        max_depth: u32,
        limit: u32,
        options: TraversalInput,
    ) -> napi::Result<Vec<PathRecord>> {
        let paths = self
            .run(move |store| {
                let options = convert::traversal(options)?;
                store.find_all_paths(&from, &to, max_depth, limit as usize, &options)
            })
            .await?;
        Ok(paths.into_iter().map(convert::path_record).collect())
    }

    #[napi]
    pub async fn extract_subgraph(&self, root: String, depth: u32, options: TraversalInput) -> napi::Result<SubgraphRecord> {
        let sub = self
            .run(move |store| {
                let options = convert::traversal(options)?;
                store.extract_subgraph(&root, depth, &options)
            })
            .await?;
        Ok(SubgraphRecord {
            root_id: sub.root_id,
            entities: sub.entities.into_iter().map(Into::into).collect(),
            relationships: sub.relationships.into_iter().map(Into::into).collect(),
        })
    }

    #[napi]
    pub async fn match_pattern(
        &self,
        nodes: Vec<PatternNodeInput>,
        edges: Vec<PatternEdgeInput>,
        limit: Option<u32>,
        timeout_ms: Option<u32>,
    ) -> napi::Result<Vec<Vec<Binding>>> {
        let variables: Vec<core::graph::PatternVariable> = nodes
            .into_iter()
            .map(|n| core::graph::PatternVariable {
                variable: n.variable,
                entity_type: n.entity_type,
                name_pattern: n.name_pattern,
            })
            .collect();
        let links: Vec<core::graph::PatternLink> = edges
            .into_iter()
            .map(|e| core::graph::PatternLink {
                source: e.source_var,
                target: e.target_var,
                rel_type: e.rel_type,
            })
            .collect();
        let timeout = timeout_ms.map(|ms| std::time::Duration::from_millis(u64::from(ms)));
        let matches = self
            .run(move |store| store.match_pattern(&variables, &links, limit.map(|l| l as usize), timeout))
            .await?;
        Ok(matches
            .into_iter()
            .map(|bindings| bindings.into_iter().map(|(variable, id)| Binding { variable, id }).collect())
            .collect())
    }

    #[napi]
    pub async fn search(&self, input: SearchInput) -> napi::Result<Vec<SearchHitRecord>> {
        let hits = self
            .run(move |store| {
                let mut query = core::index::text::TextQuery::new(input.text, input.limit as usize);
                query.fuzzy = input.fuzzy;
                query.prefix = input.prefix.unwrap_or(false);
                let timeout = input.timeout_ms.map(|ms| std::time::Duration::from_millis(u64::from(ms)));
                store.search(&query, timeout)
            })
            .await?;
        Ok(hits
            .into_iter()
            .map(|hit| SearchHitRecord {
                entity: hit.entity.into(),
                score: f64::from(hit.score),
            })
            .collect())
    }

    /// Returns the query plan as JSON text.
    #[napi]
    pub async fn explain(&self, input: QueryInput) -> napi::Result<String> {
        let plan = self.run(move |store| store.explain(&convert::entity_query(input)?)).await?;
        Ok(serde_json::to_string(&plan).expect("plan serializes"))
    }

    /// Returns index figures per shard, as JSON text.
    #[napi]
    pub async fn index_stats(&self) -> napi::Result<String> {
        let stats = self.run(|store| store.index_stats()).await?;
        Ok(stats.to_string())
    }

    /// Opens a cursor over every match of a query; read it with `cursorNext`.
    #[napi]
    pub async fn open_cursor(&self, input: QueryInput) -> napi::Result<u32> {
        let cursor = self.run(move |store| store.open_cursor(&convert::entity_query(input)?)).await?;
        let mut cursors = self.cursors.lock().map_err(|_| to_napi(core::Error::StoreClosed))?;
        let id = cursors.next_id;
        cursors.next_id = cursors.next_id.wrapping_add(1);
        cursors.open.insert(id, Arc::new(Mutex::new(cursor)));
        Ok(id)
    }

    /// Reads up to `count` entities from a cursor. A finished cursor is closed.
    #[napi]
    pub async fn cursor_next(&self, cursor_id: u32, count: u32) -> napi::Result<CursorBatch> {
        let cursor = {
            let cursors = self.cursors.lock().map_err(|_| to_napi(core::Error::StoreClosed))?;
            cursors.open.get(&cursor_id).cloned()
        };
        let Some(cursor) = cursor else {
            return Ok(CursorBatch { entities: Vec::new(), done: true, total: 0 });
        };
        let (entities, done, total) = self
            .run(move |store| {
                let mut cursor = cursor.lock().map_err(|_| core::Error::StoreClosed)?;
                let entities = store.cursor_next(&mut cursor, count as usize)?;
                Ok((entities, cursor.is_done(), cursor.total()))
            })
            .await?;
        if done {
            self.close_cursor(cursor_id)?;
        }
        Ok(CursorBatch {
            entities: entities.into_iter().map(Into::into).collect(),
            done,
            total: total as u32,
        })
    }

    /// Drops a cursor and the ids it holds. Closing an unknown cursor does nothing.
    #[napi]
    pub fn close_cursor(&self, cursor_id: u32) -> napi::Result<()> {
        let mut cursors = self.cursors.lock().map_err(|_| to_napi(core::Error::StoreClosed))?;
        cursors.open.remove(&cursor_id);
        Ok(())
    }
}

/// Open query cursors of one store handle.
#[derive(Default)]
struct Cursors {
    next_id: u32,
    open: HashMap<u32, Arc<Mutex<core::Cursor>>>,
}
