//! The sharded store: opening, routing and the write path.
//!
//! Writes are serialized by one store-wide mutex and planned before anything
//! is written: every check (validation, existence, duplicates) runs first, so
//! a rejected call leaves the store unchanged. The plan then becomes at most
//! two rounds of atomic batches, one batch per touched shard per round. Each
//! round is applied and flushed in parallel, and the call returns only after
//! every flush completed.
//!
//! A relationship lives in three places: its record (`O`, on the source's
//! shard, with the relationship counters), its incoming entry (`I`, on the
//! target's shard) and its locator (`R`, on the id's shard). The record is
//! the commit point. Adding writes `I` and `R` in the first round and the
//! record in the second; deleting removes the record in the first round and
//! `I` and `R` in the second. So after a crash between rounds, a record always
//! has its `I` and `R`, and an `I` or `R` without a record is a leftover that
//! readers and writers check against the record and treat as absent.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::codec;
use crate::index::btree::BTreeConfig;
use crate::index::catalog::{Catalog, Change, IndexSource};
use crate::error::{Error, Result};
use crate::keys::{self, counter};
use crate::lock::StoreLock;
use crate::manifest::{Manifest, ShardEntry, FORMAT_VERSION};
use crate::model::*;
use crate::partition::{HashRing, DEFAULT_HASH_SEED, DEFAULT_VIRTUAL_NODES};
use crate::shard::Shard;
use crate::storage::{SledBackend, WriteBatch};
use crate::validate::*;

/// Page-cache size of each shard's sled database when the config sets none.
pub const DEFAULT_CACHE_BYTES_PER_SHARD: u64 = 64 << 20;
/// Maximum number of shards in one store.
pub const MAX_SHARDS: usize = 1024;

/// Shard layout requested when opening a store.
#[derive(Debug, Clone, Default)]
pub enum ShardLayout {
    /// Use the stored layout, or one shard for a new store.
    #[default]
    Stored,
    /// `n` shards named `shard-0` … under `shards/` in the store directory.
    Count(usize),
    /// Explicit shard ids and directories.
    List(Vec<ShardEntry>),
}

#[derive(Debug, Clone, Default)]
pub struct StoreConfig {
    pub path: PathBuf,
    pub shards: ShardLayout,
    /// Only `hash` exists in this build.
    pub partition_strategy: Option<String>,
    pub hash_seed: Option<u64>,
    pub virtual_nodes: Option<u32>,
    pub cache_bytes_per_shard: Option<u64>,
}

/// Per-shard figures reported by [`Store::stats`].
#[derive(Debug, Clone)]
pub struct ShardStats {
    pub shard_id: String,
    pub entity_count: u64,
    pub relationship_count: u64,
    pub size_bytes: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub entity_count: u64,
    pub relationship_count: u64,
    pub entities_by_type: BTreeMap<String, u64>,
    pub relationships_by_type: BTreeMap<String, u64>,
    pub shards: Vec<ShardStats>,
}

/// Folder of the full-text indexes, one subfolder per shard.
const TEXT_DIR: &str = "text";
/// Folder of the index snapshot saved on close.
const SNAPSHOT_DIR: &str = "snapshot";

pub struct Store {
    dir: PathBuf,
    manifest: Manifest,
    pub(crate) ring: HashRing,
    pub(crate) shards: Vec<Shard>,
    pub(crate) catalog: Catalog,
    write_lock: Mutex<()>,
    _owner: StoreLock,
}

impl Store {
    /// Opens the store in `config.path`, creating it when the directory has no manifest.
    pub fn open(config: StoreConfig) -> Result<Store> {
        check_strategy(config.partition_strategy.as_deref())?;
        let dir = config.path.clone();
        fs::create_dir_all(&dir).map_err(|err| Error::io(&dir, err))?;
        let owner = StoreLock::acquire(&dir)?;

        let manifest = match Manifest::load(&dir)? {
            Some(stored) => {
                check_layout_matches(&dir, &stored, &config)?;
                stored
            }
            None => {
                let manifest = new_manifest(&config)?;
                manifest.save(&dir)?;
                manifest
            }
        };

        let cache_bytes = config
            .cache_bytes_per_shard
            .unwrap_or(DEFAULT_CACHE_BYTES_PER_SHARD);
        let shards = manifest
            .shards
            .par_iter()
            .map(|entry| {
                let path = entry.resolve(&dir);
                fs::create_dir_all(&path).map_err(|err| Error::io(&path, err))?;
                let backend = SledBackend::open(&path, cache_bytes).map_err(|err| match err {
                    Error::ShardUnavailable { reason, .. } => Error::ShardUnavailable {
                        shard_id: entry.id.clone(),
                        reason,
                    },
                    other => other,
                })?;
                Ok(Shard::new(entry.id.clone(), Box::new(backend)))
            })
            .collect::<Result<Vec<_>>>()?;

        let ring = HashRing::new(&manifest.shard_ids(), manifest.virtual_nodes, manifest.hash_seed);
        let generations = shards
            .iter()
            .map(|shard| shard.read_counter(counter::GENERATION))
            .collect::<Result<Vec<_>>>()?;
        let catalog = Catalog::open(
            &shards,
            &ring,
            &generations,
            BTreeConfig::default(),
            &dir.join(TEXT_DIR),
            &dir.join(SNAPSHOT_DIR),
        )?;
        Ok(Store {
            dir,
            manifest,
            ring,
            shards,
            catalog,
            write_lock: Mutex::new(()),
            _owner: owner,
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Returns the index of the shard that stores records keyed by `id`.
    pub fn shard_index(&self, id: &str) -> usize {
        self.ring.shard_of(id)
    }

    pub(crate) fn shard_for(&self, id: &str) -> &Shard {
        &self.shards[self.ring.shard_of(id)]
    }

    /// Groups `items` by the shard of their key, keeping input order within a group.
    pub(crate) fn group_by_shard<T>(&self, items: impl IntoIterator<Item = (String, T)>) -> Vec<Vec<(String, T)>> {
        let mut groups: Vec<Vec<(String, T)>> = (0..self.shards.len()).map(|_| Vec::new()).collect();
        for (key, item) in items {
            groups[self.ring.shard_of(&key)].push((key, item));
        }
        groups
    }

    /// Makes every shard and every full-text index durable.
    pub fn flush(&self) -> Result<()> {
        self.shards.par_iter().try_for_each(|shard| shard.backend().flush())?;
        self.catalog.commit_all_text()
    }

    /// Flushes, saves the index snapshot that the next open reads back
    /// (unless the one on disk is current), and releases the store's lock.
    ///
    /// Only a failed flush is an error. A snapshot that cannot be saved (a
    /// full disk, a read-only folder) is skipped, and the next open rebuilds
    /// the indexes from the records, as it does after a store is dropped
    /// without `close`. `getIndexStats().openedFrom` then gives the reason.
    pub fn close(self) -> Result<()> {
        self.flush()?;
        let _writes = self.write_lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Ignoring the error loses no data: the records are flushed, and the
        // snapshot only shortens the next open.
        let _ = self.catalog.save_snapshot(&self.shards, &self.dir.join(SNAPSHOT_DIR));
        Ok(())
    }

    /// Returns the origin of the indexes: the snapshot or the records.
    pub fn index_source(&self) -> &IndexSource {
        self.catalog.source()
    }

    // ---- reads -------------------------------------------------------------

    /// Reads an entity. The shard's bloom filter rejects most lookups of
    /// absent ids without reading the disk.
    pub fn get_entity(&self, id: &str) -> Result<Option<Entity>> {
        let shard_index = self.ring.shard_of(id);
        let index = self.catalog.shard(shard_index);
        let maybe = index.may_contain(id);
        let found = if maybe { self.shards[shard_index].get_entity(id)? } else { None };
        if found.is_none() {
            index.record_absent(maybe);
        }
        Ok(found)
    }

    /// Fetches many entities, one shard visit per shard, in parallel.
    /// The result lines up with `ids`; unknown ids give `None`.
    pub fn get_entities(&self, ids: &[String]) -> Result<Vec<Option<Entity>>> {
        let groups = self.group_by_shard(ids.iter().cloned().enumerate().map(|(i, id)| (id, i)));
        let found: Vec<Vec<(usize, Option<Entity>)>> = groups
            .par_iter()
            .enumerate()
            .map(|(shard_index, group)| {
                let shard = &self.shards[shard_index];
                let index = self.catalog.shard(shard_index);
                group
                    .iter()
                    .map(|(id, position)| {
                        let found = if index.may_contain(id) { shard.get_entity(id)? } else { None };
                        Ok((*position, found))
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        let mut out = vec![None; ids.len()];
        for (position, entity) in found.into_iter().flatten() {
            out[position] = entity;
        }
        Ok(out)
    }

    /// Returns the ids among `ids` that are not stored.
    pub(crate) fn missing_entities(&self, ids: &[String]) -> Result<Vec<String>> {
        let groups = self.group_by_shard(ids.iter().cloned().map(|id| (id, ())));
        let missing: Vec<Vec<String>> = groups
            .par_iter()
            .enumerate()
            .map(|(shard_index, group)| {
                let shard = &self.shards[shard_index];
                let mut missing = Vec::new();
                for (id, _) in group {
                    if !shard.has_entity(id)? {
                        missing.push(id.clone());
                    }
                }
                Ok(missing)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(missing.into_iter().flatten().collect())
    }

    fn require_entity(&self, id: &str) -> Result<Entity> {
        check_id("id", id)?;
        self.get_entity(id)?
            .ok_or_else(|| Error::EntityNotFound(id.to_string()))
    }

    /// Returns the ids of entities whose file path is `file_path`, sorted.
    pub fn entity_ids_by_file(&self, file_path: &str) -> Result<Vec<String>> {
        let per_shard = self
            .shards
            .par_iter()
            .map(|shard| shard.ids_by_file(file_path))
            .collect::<Result<Vec<_>>>()?;
        let mut ids: Vec<String> = per_shard.into_iter().flatten().collect();
        ids.sort();
        Ok(ids)
    }

    /// Returns the relationships of entity `id` in `direction`: outgoing first,
    /// then incoming, each in relationship-id order; a self loop appears once.
    pub fn get_relationships(&self, id: &str, direction: Direction) -> Result<Vec<Relationship>> {
        self.require_entity(id)?;
        let mut out = Vec::new();
        if direction.includes_out() {
            out.extend(self.shard_for(id).outgoing(id)?);
        }
        if direction.includes_in() {
            let seen: HashSet<String> = out.iter().map(|r| r.id.clone()).collect();
            for rel in self.incoming_relationships(id)? {
                if !seen.contains(&rel.id) {
                    out.push(rel);
                }
            }
        }
        Ok(out)
    }

    /// Resolves the incoming-edge entries of `target_id` into full
    /// relationships, skipping entries whose record is gone or points elsewhere.
    pub(crate) fn incoming_relationships(&self, target_id: &str) -> Result<Vec<Relationship>> {
        let entries = self.shard_for(target_id).incoming(target_id)?;
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            if let Some(rel) = self.shard_for(&entry.source_id).get_outgoing(&entry.source_id, &entry.rel_id)? {
                if rel.target_id == target_id {
                    out.push(rel);
                }
            }
        }
        Ok(out)
    }

    /// Reads a relationship by id through its locator; a locator whose record
    /// is gone (left by a crash between write rounds) counts as absent.
    pub(crate) fn relationship_record(&self, id: &str) -> Result<Option<Relationship>> {
        match self.shard_for(id).locate_relationship(id)? {
            Some((source, _)) => self.shard_for(&source).get_outgoing(&source, id),
            None => Ok(None),
        }
    }

    /// Sums the per-shard counters, reading every shard in parallel.
    pub fn stats(&self) -> Result<Stats> {
        let per_shard = self
            .shards
            .par_iter()
            .map(|shard| Ok((shard.counts()?, shard.backend().size_on_disk()?)))
            .collect::<Result<Vec<_>>>()?;

        let mut stats = Stats::default();
        for (shard, (counts, size)) in self.shards.iter().zip(per_shard) {
            stats.entity_count += counts.entities;
            stats.relationship_count += counts.relationships;
            for (name, count) in counts.entities_by_type {
                *stats.entities_by_type.entry(name).or_default() += count;
            }
            for (name, count) in counts.relationships_by_type {
                *stats.relationships_by_type.entry(name).or_default() += count;
            }
            stats.shards.push(ShardStats {
                shard_id: shard.id.clone(),
                entity_count: counts.entities,
                relationship_count: counts.relationships,
                size_bytes: size,
            });
        }
        Ok(stats)
    }

    // ---- entity writes -----------------------------------------------------

    /// Inserts new entities and returns their ids. Fails without writing if any
    /// input is invalid or any id is already stored or repeated in the batch.
    pub fn add_entities(&self, inputs: Vec<NewEntity>) -> Result<Vec<String>> {
        let now = now_millis();
        let entities = inputs
            .into_iter()
            .map(|input| build_entity(input, now))
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<String> = entities.iter().map(|e| e.id.clone()).collect();
        check_unique(&ids, "entity")?;

        let _guard = self.lock_writes();
        let missing: HashSet<String> = self.missing_entities(&ids)?.into_iter().collect();
        if let Some(existing) = ids.iter().find(|id| !missing.contains(*id)) {
            return Err(Error::AlreadyExists {
                kind: "entity",
                id: existing.clone(),
            });
        }

        let mut plan = self.plan();
        for entity in &entities {
            plan.write_entity(None, entity);
        }
        self.commit(plan)?;
        Ok(ids)
    }

    /// Inserts or replaces entities by id. A replaced entity keeps its
    /// relationships and, unless the input sets one, its creation time.
    /// Returns (created, updated) counts.
    pub fn put_entities(&self, inputs: Vec<NewEntity>) -> Result<(usize, usize)> {
        let now = now_millis();
        let mut entities = Vec::with_capacity(inputs.len());
        for input in inputs {
            let keeps_created = input.created_at.is_none();
            entities.push((build_entity(input, now)?, keeps_created));
        }
        let ids: Vec<String> = entities.iter().map(|(e, _)| e.id.clone()).collect();
        check_unique(&ids, "entity")?;

        let _guard = self.lock_writes();
        let existing = self.get_entities(&ids)?;
        let mut plan = self.plan();
        let mut created = 0;
        for ((mut entity, keeps_created), old) in entities.into_iter().zip(existing) {
            match &old {
                Some(old) if keeps_created => entity.created_at = old.created_at,
                Some(_) => {}
                None => created += 1,
            }
            plan.write_entity(old.as_ref(), &entity);
        }
        let updated = ids.len() - created;
        self.commit(plan)?;
        Ok((created, updated))
    }

    /// Applies `patch` to entity `id` and returns the result. Relationships are untouched.
    pub fn update_entity(&self, id: &str, patch: EntityPatch) -> Result<Entity> {
        let _guard = self.lock_writes();
        let old = self.require_entity(id)?;
        let updated = apply_patch(&old, patch)?;
        let mut plan = self.plan();
        plan.write_entity(Some(&old), &updated);
        self.commit(plan)?;
        Ok(updated)
    }

    /// Deletes entities and every relationship touching them, on every shard.
    /// With `strict`, an unknown id fails the whole call; otherwise it is skipped.
    /// Returns the number of entities deleted.
    pub fn delete_entities(&self, ids: &[String], strict: bool) -> Result<usize> {
        for id in ids {
            check_id("id", id)?;
        }
        let _guard = self.lock_writes();
        self.delete_entities_locked(ids, strict)
    }

    fn delete_entities_locked(&self, ids: &[String], strict: bool) -> Result<usize> {
        let mut unique: Vec<String> = ids.to_vec();
        unique.sort();
        unique.dedup();
        let found = self.get_entities(&unique)?;
        if strict {
            if let Some((id, _)) = unique.iter().zip(&found).find(|(_, e)| e.is_none()) {
                return Err(Error::EntityNotFound(id.clone()));
            }
        }
        let entities: Vec<Entity> = found.into_iter().flatten().collect();

        let relationships = entities
            .par_iter()
            .map(|entity| {
                let mut rels = self.shard_for(&entity.id).outgoing(&entity.id)?;
                rels.extend(self.incoming_relationships(&entity.id)?);
                Ok(rels)
            })
            .collect::<Result<Vec<_>>>()?;

        let mut plan = self.plan();
        let mut seen = HashSet::new();
        for rel in relationships.into_iter().flatten() {
            if seen.insert(rel.id.clone()) {
                plan.delete_relationship(&rel);
            }
        }
        for entity in &entities {
            plan.delete_entity(entity);
        }
        self.commit(plan)?;
        Ok(entities.len())
    }

    /// Deletes every entity whose file path is `file_path`, with their relationships.
    pub fn delete_entities_by_file(&self, file_path: &str) -> Result<usize> {
        let _guard = self.lock_writes();
        let ids = self.entity_ids_by_file(file_path)?;
        self.delete_entities_locked(&ids, false)
    }

    /// Inserts each input, or updates the stored entity it matches by name
    /// (and namespace, with [`MatchBy::NameNamespace`]). An update replaces the
    /// given fields and merges metadata keys into the stored metadata.
    /// Inputs that match each other within one call collapse into the last one.
    pub fn upsert_entities(&self, inputs: Vec<NewEntity>, match_by: MatchBy) -> Result<Vec<UpsertOutcome>> {
        let now = now_millis();
        let built = inputs
            .into_iter()
            .map(|input| build_entity(input, now))
            .collect::<Result<Vec<_>>>()?;

        let _guard = self.lock_writes();
        let mut plan = self.plan();
        let mut staged: HashMap<(String, Option<String>), Entity> = HashMap::new();
        let mut outcomes = Vec::with_capacity(built.len());

        for entity in built {
            let match_key = (
                entity.name.clone(),
                (match_by == MatchBy::NameNamespace).then(|| entity.namespace.clone()),
            );
            let previous = match staged.get(&match_key) {
                Some(staged_entity) => Some(staged_entity.clone()),
                None => self.find_by_name(&match_key.0, match_key.1.as_deref())?,
            };
            let next = match &previous {
                Some(old) => merge_upsert(old, entity, now)?,
                None => entity,
            };
            outcomes.push(UpsertOutcome {
                id: next.id.clone(),
                created: previous.is_none(),
            });
            staged.insert(match_key, next);
        }

        // Stage each distinct entity once, against its stored state. Two
        // entities with different match keys but one id would both be staged
        // as that id, so the counters and the name index would drift.
        let finals: Vec<Entity> = staged.into_values().collect();
        let final_ids: Vec<String> = finals.iter().map(|e| e.id.clone()).collect();
        check_unique(&final_ids, "entity")?;
        let stored = self.get_entities(&final_ids)?;
        for (entity, old) in finals.iter().zip(stored) {
            plan.write_entity(old.as_ref(), entity);
        }
        self.commit(plan)?;
        Ok(outcomes)
    }

    fn find_by_name(&self, name: &str, namespace: Option<&str>) -> Result<Option<Entity>> {
        let per_shard = self
            .shards
            .par_iter()
            .map(|shard| shard.ids_by_name(name, namespace))
            .collect::<Result<Vec<_>>>()?;
        let best = per_shard.into_iter().flatten().min();
        match best {
            Some(id) => self.get_entity(&id),
            None => Ok(None),
        }
    }

    // ---- relationship writes -----------------------------------------------

    /// Inserts relationships and returns their ids. Both endpoints of each must
    /// be stored; nothing is written if any input fails a check.
    pub fn add_relationships(&self, inputs: Vec<NewRelationship>) -> Result<Vec<String>> {
        let now = now_millis();
        let rels = inputs
            .into_iter()
            .map(|input| build_relationship(input, now))
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<String> = rels.iter().map(|r| r.id.clone()).collect();
        check_unique(&ids, "relationship")?;

        let _guard = self.lock_writes();
        let mut endpoints: Vec<String> = rels
            .iter()
            .flat_map(|r| [r.source_id.clone(), r.target_id.clone()])
            .collect();
        endpoints.sort();
        endpoints.dedup();
        if let Some(missing) = self.missing_entities(&endpoints)?.into_iter().min() {
            return Err(Error::EntityNotFound(missing));
        }
        for rel in &rels {
            if self.relationship_record(&rel.id)?.is_some() {
                return Err(Error::AlreadyExists {
                    kind: "relationship",
                    id: rel.id.clone(),
                });
            }
        }

        let mut plan = self.plan();
        for rel in &rels {
            plan.write_relationship(rel);
        }
        self.commit(plan)?;
        Ok(ids)
    }

    /// Deletes relationships by id. With `strict`, an unknown id fails the
    /// whole call. Returns the number deleted.
    pub fn delete_relationships(&self, ids: &[String], strict: bool) -> Result<usize> {
        for id in ids {
            check_id("id", id)?;
        }
        let _guard = self.lock_writes();
        let mut rels = Vec::new();
        let mut seen = HashSet::new();
        for id in ids {
            if !seen.insert(id.clone()) {
                continue;
            }
            let rel = self.relationship_record(id)?;
            match rel {
                Some(rel) => rels.push(rel),
                None if strict => return Err(Error::RelationshipNotFound(id.clone())),
                None => {}
            }
        }
        let mut plan = self.plan();
        for rel in &rels {
            plan.delete_relationship(rel);
        }
        self.commit(plan)?;
        Ok(rels.len())
    }

    /// Deletes every relationship whose source is one of `source_ids`. Returns the number deleted.
    pub fn delete_outgoing(&self, source_ids: &[String]) -> Result<usize> {
        // A repeated source would stage its relationships twice and count them twice.
        let mut unique: Vec<String> = source_ids.to_vec();
        unique.sort();
        unique.dedup();
        let _guard = self.lock_writes();
        let rels = unique
            .par_iter()
            .map(|id| self.shard_for(id).outgoing(id))
            .collect::<Result<Vec<_>>>()?;
        let mut plan = self.plan();
        let mut count = 0;
        for rel in rels.iter().flatten() {
            plan.delete_relationship(rel);
            count += 1;
        }
        self.commit(plan)?;
        Ok(count)
    }

    // ---- commit ------------------------------------------------------------

    fn lock_writes(&self) -> std::sync::MutexGuard<'_, ()> {
        // A panic while holding the lock leaves no partial plan behind, so the
        // poisoned state carries no broken invariant.
        self.write_lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn plan(&self) -> WritePlan<'_> {
        WritePlan {
            ring: &self.ring,
            rounds: [Round::new(self.shards.len()), Round::new(self.shards.len())],
            changes: Vec::new(),
        }
    }

    /// Applies a plan: each round folds its counter deltas into its shards'
    /// batches, then applies and flushes the touched shards in parallel.
    ///
    /// Each round raises the write generation of every shard it touches, in
    /// the same batch as the records, so an index snapshot can tell that the
    /// records changed even when a crash stops a write between rounds. The
    /// indexes are updated after every batch is durable.
    fn commit(&self, plan: WritePlan<'_>) -> Result<()> {
        let WritePlan { rounds, changes, .. } = plan;
        self.catalog.check_relationship_types(&changes)?;
        let [mut first, mut second] = rounds;
        for round in [&mut first, &mut second] {
            for shard in 0..self.shards.len() {
                if round.touches(shard) {
                    *round.counters[shard].entry(counter::GENERATION.to_string()).or_default() += 1;
                }
            }
        }

        let mut generations = self.apply_round(first)?;
        // A shard touched by both rounds ends at its second-round generation.
        generations.extend(self.apply_round(second)?);
        self.catalog.apply(&self.ring, &changes, &generations)
    }

    /// Applies one round and returns the new generation of each shard whose
    /// batch changed it.
    fn apply_round(&self, round: Round) -> Result<Vec<(usize, u64)>> {
        let work: Vec<(usize, WriteBatch, HashMap<String, i64>)> = round
            .batches
            .into_iter()
            .zip(round.counters)
            .enumerate()
            .filter(|(_, (batch, deltas))| !batch.is_empty() || !deltas.is_empty())
            .map(|(i, (batch, deltas))| (i, batch, deltas))
            .collect();

        let generations = work
            .into_par_iter()
            .map(|(index, mut batch, deltas)| {
                let shard = &self.shards[index];
                let mut generation = None;
                for (name, delta) in deltas {
                    if delta == 0 {
                        continue;
                    }
                    let current = shard.read_counter(&name)? as i64;
                    let next = (current + delta).max(0) as u64;
                    if name == counter::GENERATION {
                        generation = Some(next);
                    }
                    batch.put(keys::key(keys::COUNTER, &[&name]), next.to_le_bytes().to_vec());
                }
                shard.backend().apply(batch)?;
                shard.backend().flush()?;
                Ok(generation.map(|g| (index, g)))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(generations.into_iter().flatten().collect())
    }
}

/// One round of a plan: a batch and counter deltas per shard.
struct Round {
    batches: Vec<WriteBatch>,
    counters: Vec<HashMap<String, i64>>,
}

impl Round {
    fn new(shards: usize) -> Round {
        Round {
            batches: vec![WriteBatch::default(); shards],
            counters: vec![HashMap::new(); shards],
        }
    }

    fn touches(&self, shard: usize) -> bool {
        !self.batches[shard].is_empty() || self.counters[shard].values().any(|d| *d != 0)
    }
}

const FIRST: usize = 0;
const SECOND: usize = 1;

/// Staged writes of one call, in two rounds (see the module documentation),
/// and the changes the indexes must follow once the batches are durable.
struct WritePlan<'a> {
    ring: &'a HashRing,
    rounds: [Round; 2],
    changes: Vec<Change>,
}

impl WritePlan<'_> {
    fn shard(&self, id: &str) -> usize {
        self.ring.shard_of(id)
    }

    fn count(&mut self, round: usize, shard: usize, name: String, delta: i64) {
        *self.rounds[round].counters[shard].entry(name).or_default() += delta;
    }

    /// Stages `new` over `old`, keeping the file and name indexes and the counters in step.
    fn write_entity(&mut self, old: Option<&Entity>, new: &Entity) {
        self.changes.push(Change::EntityPut {
            old: old.cloned(),
            new: new.clone(),
        });
        let shard = self.shard(&new.id);
        let batch = &mut self.rounds[SECOND].batches[shard];
        batch.put(keys::key(keys::ENTITY, &[&new.id]), codec::encode_entity(new));

        if let Some(old) = old {
            if old.file_path != new.file_path {
                if let Some(path) = &old.file_path {
                    batch.delete(keys::key(keys::BY_FILE, &[path, &old.id]));
                }
            }
            if old.name != new.name || old.namespace != new.namespace {
                batch.delete(keys::key(keys::BY_NAME, &[&old.name, &old.namespace, &old.id]));
            }
        }
        if let Some(path) = &new.file_path {
            batch.put(keys::key(keys::BY_FILE, &[path, &new.id]), Vec::new());
        }
        batch.put(keys::key(keys::BY_NAME, &[&new.name, &new.namespace, &new.id]), Vec::new());

        match old {
            None => {
                self.count(SECOND, shard, counter::ENTITIES.to_string(), 1);
                self.count(SECOND, shard, counter::entity_type(&new.entity_type), 1);
            }
            Some(old) if old.entity_type != new.entity_type => {
                self.count(SECOND, shard, counter::entity_type(&old.entity_type), -1);
                self.count(SECOND, shard, counter::entity_type(&new.entity_type), 1);
            }
            Some(_) => {}
        }
    }

    fn delete_entity(&mut self, entity: &Entity) {
        self.changes.push(Change::EntityDelete(entity.clone()));
        let shard = self.shard(&entity.id);
        let batch = &mut self.rounds[SECOND].batches[shard];
        batch.delete(keys::key(keys::ENTITY, &[&entity.id]));
        if let Some(path) = &entity.file_path {
            batch.delete(keys::key(keys::BY_FILE, &[path, &entity.id]));
        }
        batch.delete(keys::key(keys::BY_NAME, &[&entity.name, &entity.namespace, &entity.id]));
        self.count(SECOND, shard, counter::ENTITIES.to_string(), -1);
        self.count(SECOND, shard, counter::entity_type(&entity.entity_type), -1);
    }

    fn write_relationship(&mut self, rel: &Relationship) {
        self.changes.push(Change::RelationshipPut(rel.clone()));

        let target_shard = self.shard(&rel.target_id);
        self.rounds[FIRST].batches[target_shard].put(
            keys::key(keys::INCOMING, &[&rel.target_id, &rel.id]),
            codec::encode_strings(&[&rel.source_id, &rel.rel_type]),
        );
        let locator_shard = self.shard(&rel.id);
        self.rounds[FIRST].batches[locator_shard].put(
            keys::key(keys::RELATIONSHIP, &[&rel.id]),
            codec::encode_strings(&[&rel.source_id, &rel.target_id]),
        );

        let source_shard = self.shard(&rel.source_id);
        self.rounds[SECOND].batches[source_shard].put(
            keys::key(keys::OUTGOING, &[&rel.source_id, &rel.id]),
            codec::encode_relationship(rel),
        );
        self.count(SECOND, source_shard, counter::RELATIONSHIPS.to_string(), 1);
        self.count(SECOND, source_shard, counter::relationship_type(&rel.rel_type), 1);
    }

    fn delete_relationship(&mut self, rel: &Relationship) {
        self.changes.push(Change::RelationshipDelete(rel.clone()));

        let source_shard = self.shard(&rel.source_id);
        self.rounds[FIRST].batches[source_shard].delete(keys::key(keys::OUTGOING, &[&rel.source_id, &rel.id]));
        self.count(FIRST, source_shard, counter::RELATIONSHIPS.to_string(), -1);
        self.count(FIRST, source_shard, counter::relationship_type(&rel.rel_type), -1);

        let target_shard = self.shard(&rel.target_id);
        self.rounds[SECOND].batches[target_shard].delete(keys::key(keys::INCOMING, &[&rel.target_id, &rel.id]));
        let locator_shard = self.shard(&rel.id);
        self.rounds[SECOND].batches[locator_shard].delete(keys::key(keys::RELATIONSHIP, &[&rel.id]));
    }
}

// ---- building and checking records ----------------------------------------

fn check_strategy(strategy: Option<&str>) -> Result<()> {
    match strategy {
        None | Some("hash") => Ok(()),
        Some(other @ ("range" | "graph")) => Err(Error::Unsupported {
            setting: "partitionStrategy".into(),
            value: other.into(),
            hint: "this build supports only 'hash'".into(),
        }),
        Some(other) => Err(Error::Unsupported {
            setting: "partitionStrategy".into(),
            value: other.into(),
            hint: "use 'hash'".into(),
        }),
    }
}

fn new_manifest(config: &StoreConfig) -> Result<Manifest> {
    let shards = match &config.shards {
        ShardLayout::Stored => default_shards(1),
        ShardLayout::Count(count) => {
            if *count == 0 || *count > MAX_SHARDS {
                return Err(Error::InvalidConfig(format!(
                    "shards is {count}; use a count from 1 to {MAX_SHARDS}"
                )));
            }
            default_shards(*count)
        }
        ShardLayout::List(list) => {
            check_shard_list(list)?;
            list.clone()
        }
    };
    let virtual_nodes = config.virtual_nodes.unwrap_or(DEFAULT_VIRTUAL_NODES);
    if virtual_nodes == 0 || virtual_nodes > 65_536 {
        return Err(Error::InvalidConfig(format!(
            "virtualNodes is {virtual_nodes}; use a count from 1 to 65536"
        )));
    }
    Ok(Manifest {
        format_version: FORMAT_VERSION,
        partition_strategy: "hash".into(),
        hash_seed: config.hash_seed.unwrap_or(DEFAULT_HASH_SEED),
        virtual_nodes,
        shards,
    })
}

fn default_shards(count: usize) -> Vec<ShardEntry> {
    (0..count)
        .map(|i| ShardEntry {
            id: format!("shard-{i}"),
            path: format!("shards/shard-{i}"),
        })
        .collect()
}

fn check_shard_list(list: &[ShardEntry]) -> Result<()> {
    if list.is_empty() || list.len() > MAX_SHARDS {
        return Err(Error::InvalidConfig(format!(
            "the shard list has {} entries; give 1 to {MAX_SHARDS}",
            list.len()
        )));
    }
    let mut ids = HashSet::new();
    let mut paths = HashSet::new();
    for entry in list {
        check_id("shards[].id", &entry.id)?;
        if entry.path.trim().is_empty() {
            return Err(Error::InvalidConfig(format!("shard '{}' has an empty path", entry.id)));
        }
        if !ids.insert(entry.id.as_str()) {
            return Err(Error::InvalidConfig(format!("shard id '{}' appears twice", entry.id)));
        }
        if !paths.insert(entry.path.as_str()) {
            return Err(Error::InvalidConfig(format!("shard path '{}' appears twice", entry.path)));
        }
    }
    Ok(())
}

/// Rejects a requested layout that differs from the stored one, because
/// moving records between shards needs a rebalance, which this build lacks.
fn check_layout_matches(dir: &Path, stored: &Manifest, config: &StoreConfig) -> Result<()> {
    let stored_ids = stored.shard_ids();
    let requested: Option<Vec<String>> = match &config.shards {
        ShardLayout::Stored => None,
        ShardLayout::Count(count) => Some(default_shards(*count).into_iter().map(|s| s.id).collect()),
        ShardLayout::List(list) => Some(list.iter().map(|s| s.id.clone()).collect()),
    };
    if let Some(requested) = requested {
        if requested != stored_ids {
            return Err(Error::InvalidConfig(format!(
                "store {} has {} shards ({}), but {} were requested ({}); omit `shards` to open it \
                 with its stored layout",
                dir.display(),
                stored_ids.len(),
                stored_ids.join(", "),
                requested.len(),
                requested.join(", ")
            )));
        }
    }
    if let Some(seed) = config.hash_seed {
        if seed != stored.hash_seed {
            return Err(Error::InvalidConfig(format!(
                "store {} uses hash seed {}, not {seed}; omit `hashSeed` to open it",
                dir.display(),
                stored.hash_seed
            )));
        }
    }
    Ok(())
}

fn check_unique(ids: &[String], kind: &str) -> Result<()> {
    let mut seen = HashSet::with_capacity(ids.len());
    for id in ids {
        if !seen.insert(id.as_str()) {
            return Err(Error::invalid(
                "id",
                id,
                format!("appears twice in one batch; give each {kind} its own id"),
            ));
        }
    }
    Ok(())
}

fn check_entity_fields(entity: &Entity) -> Result<()> {
    check_id("id", &entity.id)?;
    check_label("type", &entity.entity_type, MAX_TYPE_BYTES)?;
    check_label("name", &entity.name, MAX_NAME_BYTES)?;
    check_text("namespace", &entity.namespace, MAX_NAME_BYTES, false)?;
    if let Some(path) = &entity.file_path {
        check_text("filePath", path, MAX_PATH_BYTES, false)?;
    }
    if let Some(description) = &entity.description {
        check_text("description", description, MAX_DESCRIPTION_BYTES, true)?;
    }
    check_metadata(&entity.metadata)
}

fn build_entity(input: NewEntity, now: i64) -> Result<Entity> {
    let entity = Entity {
        id: input.id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        entity_type: input.entity_type,
        name: input.name,
        namespace: input.namespace,
        file_path: input.file_path,
        line: input.line,
        description: input.description,
        metadata: input.metadata.unwrap_or_else(|| "{}".to_string()),
        created_at: input.created_at.unwrap_or(now),
        updated_at: input.updated_at.or(input.created_at).unwrap_or(now),
    };
    check_entity_fields(&entity)?;
    Ok(entity)
}

fn build_relationship(input: NewRelationship, now: i64) -> Result<Relationship> {
    let rel = Relationship {
        id: input.id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        source_id: input.source_id,
        target_id: input.target_id,
        rel_type: input.rel_type,
        weight: input.weight.unwrap_or(1.0),
        metadata: input.metadata.unwrap_or_else(|| "{}".to_string()),
        created_at: input.created_at.unwrap_or(now),
    };
    check_id("id", &rel.id)?;
    check_id("sourceId", &rel.source_id)?;
    check_id("targetId", &rel.target_id)?;
    check_label("type", &rel.rel_type, MAX_TYPE_BYTES)?;
    check_weight(rel.weight)?;
    check_metadata(&rel.metadata)?;
    Ok(rel)
}

fn apply_patch(old: &Entity, patch: EntityPatch) -> Result<Entity> {
    let updated = Entity {
        id: old.id.clone(),
        entity_type: patch.entity_type.unwrap_or_else(|| old.entity_type.clone()),
        name: patch.name.unwrap_or_else(|| old.name.clone()),
        namespace: patch.namespace.unwrap_or_else(|| old.namespace.clone()),
        file_path: patch.file_path.unwrap_or_else(|| old.file_path.clone()),
        line: patch.line.unwrap_or(old.line),
        description: patch.description.unwrap_or_else(|| old.description.clone()),
        metadata: patch.metadata.unwrap_or_else(|| old.metadata.clone()),
        created_at: old.created_at,
        updated_at: patch.updated_at.unwrap_or_else(now_millis),
    };
    check_entity_fields(&updated)?;
    Ok(updated)
}

/// Merges an upsert input into the stored entity: given fields replace, metadata keys merge.
fn merge_upsert(old: &Entity, input: Entity, now: i64) -> Result<Entity> {
    let mut metadata: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&old.metadata).unwrap_or_default();
    let incoming: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&input.metadata).unwrap_or_default();
    metadata.extend(incoming);

    let merged = Entity {
        id: old.id.clone(),
        entity_type: input.entity_type,
        name: input.name,
        namespace: input.namespace,
        file_path: input.file_path.or_else(|| old.file_path.clone()),
        line: input.line.or(old.line),
        description: input.description.or_else(|| old.description.clone()),
        metadata: serde_json::Value::Object(metadata).to_string(),
        created_at: old.created_at,
        updated_at: now,
    };
    check_entity_fields(&merged)?;
    Ok(merged)
}
