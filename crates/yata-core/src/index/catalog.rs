//! Every index of a store: per-shard indexes, the full-text indexes and the
//! graph index, built when the store opens and kept in step with each write.
//!
//! Pipeline on open: read the index snapshot saved at the last close, if it
//! matches the shards' write generations (see [`super::snapshot`]).
//! Otherwise scan each shard's entities (shards in parallel) → build its id
//! dictionary, attribute B+Trees and bloom filter → scan each shard's
//! outgoing relationships → fill the graph index. Either way, compare each
//! full-text index's committed generation with its shard's. Writes commit
//! the text index lazily, so after a crash it can be behind, and is then
//! rebuilt.
//!
//! On each write, the store hands the committed [`Change`]s to
//! [`Catalog::apply`] while it still holds its write lock, so a reader never
//! sees an index ahead of or behind the records for longer than that call.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use rayon::prelude::*;

use super::btree::BTreeConfig;
use super::graph::Adjacency;
use super::ids::{node_id, split_node_id, IdDictionary, NodeId};
use super::shard_index::ShardIndex;
use super::snapshot::{self, Layout, Loaded};
use super::text::FullTextIndex;
use super::types::{TypeInterner, MAX_RELATIONSHIP_TYPES};
use crate::error::{Error, Result};
use crate::keys::{self, counter};
use crate::storage::WriteBatch;
use crate::model::{Entity, Relationship};
use crate::partition::HashRing;
use crate::shard::Shard;

/// One committed change, in the order the write made it.
#[derive(Debug, Clone)]
pub enum Change {
    EntityPut { old: Option<Entity>, new: Entity },
    EntityDelete(Entity),
    RelationshipPut(Relationship),
    RelationshipDelete(Relationship),
}

pub struct Catalog {
    shards: Vec<RwLock<ShardIndex>>,
    graph: RwLock<Adjacency>,
    rel_types: RwLock<TypeInterner>,
    text: Vec<FullTextIndex>,
    text_dirty: Vec<AtomicBool>,
    source: IndexSource,
    /// True while the snapshot on disk matches these indexes.
    snapshot_current: AtomicBool,
}

/// Returns true when deleted entities hold more than a quarter of a shard's
/// local ids (and more than a few).
fn mostly_deleted(dictionary: &IdDictionary) -> bool {
    let deleted = dictionary.capacity() - dictionary.len();
    deleted > 1024 && deleted * 4 > dictionary.capacity()
}

/// Opens a shard's full-text index and rebuilds it when its committed
/// generation or document count disagrees with the shard, which happens
/// after a crash because writes commit it lazily. `entities` are the
/// shard's entities when the caller has already read them.
fn open_text(
    shard: &Shard,
    text_root: &Path,
    generation: u64,
    live_entities: usize,
    entities: Option<Vec<Entity>>,
) -> Result<FullTextIndex> {
    let text_dir = text_root.join(&shard.id);
    std::fs::create_dir_all(&text_dir).map_err(|err| Error::io(&text_dir, err))?;
    let text = FullTextIndex::open(&text_dir)?;
    if text.committed_generation() == generation && text.num_docs() as usize == live_entities {
        return Ok(text);
    }
    let entities = match entities {
        Some(entities) => entities,
        None => {
            let mut entities = Vec::new();
            shard.for_each_entity(|entity| {
                entities.push(entity);
                true
            })?;
            entities
        }
    };
    text.clear()?;
    text.upsert(&entities)?;
    text.commit_with_generation(generation)?;
    Ok(text)
}

fn poisoned<T>(result: std::sync::LockResult<T>) -> T {
    // Index updates do not panic halfway through a change in normal
    // operation; if one did, the store is reopened to rebuild.
    result.unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The origin of an open store's indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexSource {
    /// Read back from the snapshot saved when the store last closed.
    Snapshot,
    /// Rebuilt from every record, because no usable snapshot was found. The
    /// reason explains why.
    Records { reason: String },
}

impl Catalog {
    /// Opens the indexes of `shards` (whose generations are `generations`):
    /// from the snapshot in `snapshot_dir` when it matches them, otherwise
    /// rebuilt from the records. Full-text indexes live under
    /// `text_root/<shard id>`.
    pub fn open(
        shards: &[Shard],
        ring: &HashRing,
        generations: &[u64],
        config: BTreeConfig,
        text_root: &Path,
        snapshot_dir: &Path,
    ) -> Result<Catalog> {
        let shard_ids: Vec<String> = shards.iter().map(|shard| shard.id.clone()).collect();
        let snapshot_ids = shards
            .iter()
            .map(|shard| shard.read_counter(counter::SNAPSHOT_ID))
            .collect::<Result<Vec<_>>>()?;
        let layout = Layout { shard_ids: &shard_ids, generations, snapshot_ids: &snapshot_ids };
        match snapshot::load(snapshot_dir, &layout, config) {
            Ok(loaded) => Catalog::from_snapshot(shards, loaded, text_root),
            Err(reason) => Catalog::build(shards, ring, generations, config, text_root, reason),
        }
    }

    fn from_snapshot(shards: &[Shard], loaded: Loaded, text_root: &Path) -> Result<Catalog> {
        let Loaded { shards: indexes, graph, rel_types } = loaded;
        let texts = shards
            .par_iter()
            .zip(indexes.par_iter())
            .map(|(shard, index)| open_text(shard, text_root, index.generation, index.dictionary.len(), None))
            .collect::<Result<Vec<_>>>()?;
        Ok(Catalog {
            text_dirty: texts.iter().map(|_| AtomicBool::new(false)).collect(),
            shards: indexes.into_iter().map(RwLock::new).collect(),
            graph: RwLock::new(graph),
            rel_types: RwLock::new(rel_types),
            text: texts,
            source: IndexSource::Snapshot,
            snapshot_current: AtomicBool::new(true),
        })
    }

    /// Builds every index by scanning the records: each shard's entities
    /// (shards in parallel), then each shard's outgoing relationships.
    fn build(
        shards: &[Shard],
        ring: &HashRing,
        generations: &[u64],
        config: BTreeConfig,
        text_root: &Path,
        reason: String,
    ) -> Result<Catalog> {
        let built = shards
            .par_iter()
            .zip(generations.par_iter())
            .map(|(shard, generation)| {
                let mut entities = Vec::new();
                shard.for_each_entity(|entity| {
                    entities.push(entity);
                    true
                })?;
                let index = ShardIndex::build(config, &entities, *generation)?;
                let text = open_text(shard, text_root, *generation, entities.len(), Some(entities))?;
                Ok((index, text))
            })
            .collect::<Result<Vec<_>>>()?;

        let (indexes, texts): (Vec<ShardIndex>, Vec<FullTextIndex>) = built.into_iter().unzip();
        let catalog = Catalog {
            text_dirty: texts.iter().map(|_| AtomicBool::new(false)).collect(),
            shards: indexes.into_iter().map(RwLock::new).collect(),
            graph: RwLock::new(Adjacency::new()),
            rel_types: RwLock::new(TypeInterner::default()),
            text: texts,
            source: IndexSource::Records { reason },
            snapshot_current: AtomicBool::new(false),
        };

        for shard in shards {
            shard.for_each_outgoing(|rel| catalog.add_edge(ring, &rel))?;
        }
        // Edge lists grew by doubling; dropping the spare capacity saves about
        // a third of the graph index's memory.
        poisoned(catalog.graph.write()).shrink_to_fit();
        Ok(catalog)
    }

    /// Returns the origin of this catalog's indexes.
    pub fn source(&self) -> &IndexSource {
        &self.source
    }

    /// Saves a snapshot of every in-memory index into `dir`, unless the
    /// one there already matches them, then records its id in every shard
    /// so that only this store accepts it. The caller keeps writes out until
    /// it returns.
    ///
    /// Deleted entities keep their local ids until the indexes are rebuilt.
    /// When they make up more than a quarter of a shard's ids, no snapshot
    /// is saved, so the next open rebuilds from the records and drops them.
    pub fn save_snapshot(&self, shards: &[Shard], dir: &Path) -> Result<()> {
        if self.snapshot_current.load(Ordering::SeqCst) {
            return Ok(());
        }
        let guards: Vec<RwLockReadGuard<'_, ShardIndex>> = (0..self.shards.len()).map(|i| self.shard(i)).collect();
        let indexes: Vec<&ShardIndex> = guards.iter().map(|guard| &**guard).collect();
        if indexes.iter().any(|index| mostly_deleted(&index.dictionary)) {
            return Ok(());
        }

        let shard_ids: Vec<String> = shards.iter().map(|shard| shard.id.clone()).collect();
        let generations: Vec<u64> = indexes.iter().map(|index| index.generation).collect();
        let snapshot_id = snapshot::new_snapshot_id();
        let snapshot_ids = vec![snapshot_id; shards.len()];
        let layout = Layout { shard_ids: &shard_ids, generations: &generations, snapshot_ids: &snapshot_ids };
        snapshot::save(dir, &layout, &indexes, &self.graph(), &self.rel_types())?;

        // Recorded after the files are durable: a crash in between leaves
        // the shards naming the previous snapshot, which no longer matches.
        shards.par_iter().try_for_each(|shard| {
            let mut batch = WriteBatch::default();
            batch.put(keys::key(keys::COUNTER, &[counter::SNAPSHOT_ID]), snapshot_id.to_le_bytes().to_vec());
            shard.backend().apply(batch)?;
            shard.backend().flush()
        })?;
        self.snapshot_current.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Rejects a write whose new relationship types would take the store
    /// past the 65,536 types the graph index can number, before anything
    /// is written.
    pub fn check_relationship_types(&self, changes: &[Change]) -> Result<()> {
        let interner = self.rel_types();
        let mut new_types: Vec<&str> = changes
            .iter()
            .filter_map(|change| match change {
                Change::RelationshipPut(rel) if interner.get(&rel.rel_type).is_none() => Some(rel.rel_type.as_str()),
                _ => None,
            })
            .collect();
        new_types.sort_unstable();
        new_types.dedup();
        if interner.len() + new_types.len() > MAX_RELATIONSHIP_TYPES {
            return Err(Error::invalid(
                "relationship type",
                new_types[0],
                format!(
                    "the store already has {} relationship types and holds at most {MAX_RELATIONSHIP_TYPES}; reuse an existing type",
                    interner.len()
                ),
            ));
        }
        Ok(())
    }

    pub fn shard(&self, index: usize) -> RwLockReadGuard<'_, ShardIndex> {
        poisoned(self.shards[index].read())
    }

    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    pub fn graph(&self) -> RwLockReadGuard<'_, Adjacency> {
        poisoned(self.graph.read())
    }

    pub fn rel_types(&self) -> RwLockReadGuard<'_, TypeInterner> {
        poisoned(self.rel_types.read())
    }

    pub fn text(&self, shard: usize) -> &FullTextIndex {
        &self.text[shard]
    }

    /// Returns the compact id of a stored entity.
    pub fn node_of(&self, ring: &HashRing, id: &str) -> Option<NodeId> {
        let shard = ring.shard_of(id);
        self.shard(shard).dictionary.get(id).map(|local| node_id(shard, local))
    }

    /// Returns the entity id of a compact id.
    pub fn id_of(&self, node: NodeId) -> String {
        let (shard, local) = split_node_id(node);
        self.shard(shard).dictionary.id_of(local).to_string()
    }

    fn add_edge(&self, ring: &HashRing, rel: &Relationship) {
        let (Some(source), Some(target)) = (self.node_of(ring, &rel.source_id), self.node_of(ring, &rel.target_id)) else {
            // A relationship index entry left by a crash between shard batches.
            return;
        };
        let rel_type = poisoned(self.rel_types.write()).intern(&rel.rel_type);
        poisoned(self.graph.write()).add_edge(source, target, rel_type);
    }

    fn remove_edge(&self, ring: &HashRing, rel: &Relationship) {
        let (Some(source), Some(target)) = (self.node_of(ring, &rel.source_id), self.node_of(ring, &rel.target_id)) else {
            return;
        };
        let Some(rel_type) = self.rel_types().get(&rel.rel_type) else { return };
        poisoned(self.graph.write()).remove_edge(source, target, rel_type);
    }

    /// Applies committed changes. `generations` lists the new write generation
    /// of every shard the write touched.
    ///
    /// Entities are indexed before the relationships that need their compact
    /// ids, and relationships are removed before the entities they touch.
    pub fn apply(&self, ring: &HashRing, changes: &[Change], generations: &[(usize, u64)]) -> Result<()> {
        self.snapshot_current.store(false, Ordering::SeqCst);
        let mut text_puts: Vec<Vec<Entity>> = vec![Vec::new(); self.shards.len()];
        let mut text_deletes: Vec<Vec<String>> = vec![Vec::new(); self.shards.len()];

        for change in changes {
            if let Change::EntityPut { old, new } = change {
                let shard = ring.shard_of(&new.id);
                poisoned(self.shards[shard].write()).put_entity(old.as_ref(), new);
                text_puts[shard].push(new.clone());
            }
        }
        for change in changes {
            if let Change::RelationshipDelete(rel) = change {
                self.remove_edge(ring, rel);
            }
        }
        for change in changes {
            if let Change::RelationshipPut(rel) = change {
                self.add_edge(ring, rel);
            }
        }
        for change in changes {
            if let Change::EntityDelete(entity) = change {
                let shard = ring.shard_of(&entity.id);
                poisoned(self.shards[shard].write()).delete_entity(entity);
                text_deletes[shard].push(entity.id.clone());
            }
        }

        for &(shard, generation) in generations {
            poisoned(self.shards[shard].write()).generation = generation;
        }
        for (shard, (puts, deletes)) in text_puts.into_iter().zip(text_deletes).enumerate() {
            if !deletes.is_empty() {
                self.text[shard].delete(&deletes)?;
                self.text_dirty[shard].store(true, Ordering::SeqCst);
            }
            if !puts.is_empty() {
                self.text[shard].upsert(&puts)?;
                self.text_dirty[shard].store(true, Ordering::SeqCst);
            }
        }
        Ok(())
    }

    /// Commits the full-text index of `shard` if a write changed it since
    /// the last commit, so a search finds every completed write.
    pub fn commit_text(&self, shard: usize) -> Result<()> {
        if self.text_dirty[shard].swap(false, Ordering::SeqCst) {
            let generation = self.shard(shard).generation;
            if let Err(err) = self.text[shard].commit_with_generation(generation) {
                self.text_dirty[shard].store(true, Ordering::SeqCst);
                return Err(err);
            }
        }
        Ok(())
    }

    pub fn commit_all_text(&self) -> Result<()> {
        (0..self.shards.len()).into_par_iter().try_for_each(|shard| self.commit_text(shard))
    }

    /// Write access to a shard's indexes, for compaction.
    pub fn shard_mut(&self, index: usize) -> RwLockWriteGuard<'_, ShardIndex> {
        poisoned(self.shards[index].write())
    }
}
