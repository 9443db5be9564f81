//! Index snapshots: the in-memory indexes, written to disk when a store
//! closes, so that the next open reads them back instead of rebuilding them
//! from every record.
//!
//! Files, under `<store>/snapshot/`:
//! - `shard-<n>.snap` per shard: the id dictionary, every attribute index's
//!   keys and posting lists, and the bloom filter;
//! - `graph.snap`: the relationship type names and every outgoing edge.
//!
//! Each file starts with a header (magic, format version, file kind, the
//! snapshot id that every file of one snapshot shares, and each shard's id
//! and write generation) and ends with an xxh64 checksum of all the bytes
//! before it.
//!
//! A snapshot is used whole or not at all. Every file must be present, pass
//! its checksum, carry the snapshot id that every shard recorded when the
//! snapshot was saved (so a snapshot copied from another store is refused)
//! and list exactly the store's shards at their current generations. A write raises the generation of
//! each shard it touches in the same sled batch as its records. So any
//! write after the snapshot was saved makes it stale, even one that a crash
//! cut short, and the store then rebuilds from its records. Files
//! are written under temporary names, synced and renamed, and the graph
//! file goes last. So a crash while saving leaves files with different
//! snapshot ids, which is stale too.
//!
//! Cost: saving writes about 30 bytes per entity and 18 per relationship;
//! loading reads them back and bulk-loads each B+Tree in O(n).

mod codec;

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use xxhash_rust::xxh64::xxh64;

use self::codec::{Reader, Writer};
use super::attributes::{Attribute, AttributeIndexes};
use super::bloom::ScalableBloomFilter;
use super::btree::BTreeConfig;
use super::graph::Adjacency;
use super::ids::{split_node_id, IdDictionary};
use super::shard_index::ShardIndex;
use super::types::TypeInterner;
use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"YSNAP\0\0\0";
const FORMAT_VERSION: u32 = 1;
const CHECKSUM_SEED: u64 = 0x7973_6e61_7073_6b31;
const SHARD_FILE: u8 = 1;
const GRAPH_FILE: u8 = 2;
const GRAPH_FILE_NAME: &str = "graph.snap";
/// Bytes of one edge in the graph file: target node (u64) and type (u16).
const EDGE_BYTES: usize = 10;

/// The shards a snapshot describes, in manifest order, with the write
/// generation each had when the snapshot was taken.
pub struct Layout<'a> {
    pub shard_ids: &'a [String],
    pub generations: &'a [u64],
    /// The snapshot id each shard recorded when the snapshot was saved.
    /// Loading requires every file to carry it, so a snapshot copied from
    /// another store, whose shards recorded another id, is refused.
    pub snapshot_ids: &'a [u64],
}

/// Returns a fresh random snapshot id.
pub fn new_snapshot_id() -> u64 {
    uuid::Uuid::new_v4().as_u64_pair().0
}

/// Indexes read back from a snapshot.
pub struct Loaded {
    pub shards: Vec<ShardIndex>,
    pub graph: Adjacency,
    pub rel_types: TypeInterner,
}

fn shard_file_name(position: usize) -> String {
    format!("shard-{position}.snap")
}

/// Writes a snapshot of `shards` (in manifest order), `graph` and
/// `rel_types` into `dir`, replacing the one there. Every file carries
/// `layout.snapshot_ids[0]`, which the caller then records in the shards.
pub fn save(dir: &Path, layout: &Layout<'_>, shards: &[&ShardIndex], graph: &Adjacency, rel_types: &TypeInterner) -> Result<()> {
    fs::create_dir_all(dir).map_err(|err| Error::io(dir, err))?;
    let snapshot_id = layout.snapshot_ids[0];

    shards.par_iter().enumerate().try_for_each(|(position, shard)| {
        let mut writer = Writer::with_capacity(64 + shard.dictionary.capacity() * 40);
        write_header(&mut writer, SHARD_FILE, snapshot_id, position, layout);
        write_shard(&mut writer, shard);
        write_file(dir, &shard_file_name(position), writer)
    })?;

    let mut writer = Writer::with_capacity(64 + graph.edge_count() * (EDGE_BYTES + 2));
    write_header(&mut writer, GRAPH_FILE, snapshot_id, 0, layout);
    write_graph(&mut writer, graph, rel_types);
    write_file(dir, GRAPH_FILE_NAME, writer)?;
    sync_dir(dir)
}

/// Reads the snapshot in `dir` when it matches `layout`. The error explains
/// why it cannot be used: absent, stale or damaged.
pub fn load(dir: &Path, layout: &Layout<'_>, config: BTreeConfig) -> std::result::Result<Loaded, String> {
    let graph_bytes = read_file(dir, GRAPH_FILE_NAME)?;
    let mut graph_reader = Reader::new(&graph_bytes, GRAPH_FILE_NAME);
    let snapshot_id = read_header(&mut graph_reader, GRAPH_FILE, 0, layout)?;
    if layout.snapshot_ids.iter().any(|recorded| *recorded != snapshot_id) {
        return Err("the snapshot was saved by another store, or the shards recorded a later save".into());
    }

    let shards = (0..layout.shard_ids.len())
        .into_par_iter()
        .map(|position| {
            let name = shard_file_name(position);
            let bytes = read_file(dir, &name)?;
            let mut reader = Reader::new(&bytes, &name);
            if read_header(&mut reader, SHARD_FILE, position, layout)? != snapshot_id {
                return Err(format!("{name} belongs to another snapshot than {GRAPH_FILE_NAME}"));
            }
            read_shard(&mut reader, config, layout.generations[position]).map_err(|err| err.to_string())
        })
        .collect::<std::result::Result<Vec<_>, String>>()?;

    let capacities: Vec<usize> = shards.iter().map(|shard| shard.dictionary.capacity()).collect();
    let (graph, rel_types) = read_graph(&mut graph_reader, &capacities).map_err(|err| err.to_string())?;
    Ok(Loaded { shards, graph, rel_types })
}

// ---- files -------------------------------------------------------------------

/// Appends the checksum, then writes `name` in `dir` through a synced temporary file.
fn write_file(dir: &Path, name: &str, writer: Writer) -> Result<()> {
    let mut bytes = writer.into_inner();
    let checksum = xxh64(&bytes, CHECKSUM_SEED);
    bytes.extend_from_slice(&checksum.to_le_bytes());

    let temporary = dir.join(format!("{name}.tmp"));
    let written = File::create(&temporary).and_then(|mut file| {
        file.write_all(&bytes)?;
        file.sync_all()
    });
    if let Err(err) = written {
        // A partial file would only take space, because no open reads it.
        let _ = fs::remove_file(&temporary);
        return Err(Error::io(&temporary, err));
    }
    let target = dir.join(name);
    fs::rename(&temporary, &target).map_err(|err| Error::io(&target, err))
}

/// Makes the renames durable. Directories cannot be opened for syncing on
/// Windows, where a rename is durable once it returns.
fn sync_dir(dir: &Path) -> Result<()> {
    if cfg!(unix) {
        File::open(dir).and_then(|handle| handle.sync_all()).map_err(|err| Error::io(dir, err))?;
    }
    Ok(())
}

/// Reads `name` and strips its checksum after checking it.
fn read_file(dir: &Path, name: &str) -> std::result::Result<Vec<u8>, String> {
    let path = dir.join(name);
    let mut bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(format!("{name} is absent")),
        Err(err) => return Err(format!("{name} cannot be read: {err}")),
    };
    if bytes.len() < MAGIC.len() + 8 {
        return Err(format!("{name} is truncated"));
    }
    let body_len = bytes.len() - 8;
    let stored = u64::from_le_bytes(bytes[body_len..].try_into().expect("8 bytes"));
    if xxh64(&bytes[..body_len], CHECKSUM_SEED) != stored {
        return Err(format!("{name} fails its checksum"));
    }
    bytes.truncate(body_len);
    Ok(bytes)
}

fn write_header(writer: &mut Writer, kind: u8, snapshot_id: u64, position: usize, layout: &Layout<'_>) {
    for byte in MAGIC {
        writer.u8(*byte);
    }
    writer.u32(FORMAT_VERSION);
    writer.u8(kind);
    writer.u64(snapshot_id);
    writer.len(position);
    writer.len(layout.shard_ids.len());
    for (id, generation) in layout.shard_ids.iter().zip(layout.generations) {
        writer.bytes(id.as_bytes());
        writer.u64(*generation);
    }
}

/// Checks a header against the file's expected kind and position and the
/// store's layout, and returns the snapshot id.
fn read_header(reader: &mut Reader<'_>, kind: u8, position: usize, layout: &Layout<'_>) -> std::result::Result<u64, String> {
    let header = (|| -> Result<(bool, u32, u8, u64, usize, Vec<(String, u64)>)> {
        let mut magic = [0u8; 8];
        for byte in &mut magic {
            *byte = reader.u8()?;
        }
        let version = reader.u32()?;
        let kind = reader.u8()?;
        let snapshot_id = reader.u64()?;
        let position = reader.u32()? as usize;
        let count = reader.len(12)?;
        let mut shards = Vec::with_capacity(count);
        for _ in 0..count {
            let id = reader.str()?.to_string();
            shards.push((id, reader.u64()?));
        }
        Ok((&magic == MAGIC, version, kind, snapshot_id, position, shards))
    })()
    .map_err(|err| err.to_string())?;

    let (magic_ok, version, file_kind, snapshot_id, file_position, shards) = header;
    if !magic_ok {
        return Err("a snapshot file lacks the YSNAP magic bytes".into());
    }
    if version != FORMAT_VERSION {
        return Err(format!("snapshot format {version} is not the format {FORMAT_VERSION} this build reads"));
    }
    if file_kind != kind || file_position != position {
        return Err("a snapshot file holds another part of the snapshot than its name says".into());
    }
    let current: Vec<(String, u64)> = layout
        .shard_ids
        .iter()
        .cloned()
        .zip(layout.generations.iter().copied())
        .collect();
    if shards != current {
        return Err("the snapshot was taken before the latest writes".into());
    }
    Ok(snapshot_id)
}

// ---- shard file --------------------------------------------------------------

fn write_shard(writer: &mut Writer, shard: &ShardIndex) {
    writer.len(shard.dictionary.capacity());
    for (id, _) in shard.dictionary.entries() {
        writer.bytes(id.as_bytes());
    }
    for (_, live) in shard.dictionary.entries() {
        writer.u8(u8::from(live));
    }

    for attribute in Attribute::ALL {
        writer.len(shard.attributes.key_count(attribute));
        for (key, postings) in shard.attributes.entries(attribute) {
            writer.bytes(key);
            writer.u32s(postings);
        }
    }

    writer.bytes(&shard.bloom().to_bytes());
}

fn read_shard(reader: &mut Reader<'_>, config: BTreeConfig, generation: u64) -> Result<ShardIndex> {
    let count = reader.len(5)?;
    let mut ids: Vec<Box<str>> = Vec::with_capacity(count);
    for _ in 0..count {
        ids.push(reader.str()?.into());
    }
    let mut live = Vec::with_capacity(count);
    for _ in 0..count {
        live.push(reader.u8()? != 0);
    }
    let dictionary = IdDictionary::from_parts(ids, live)
        .ok_or_else(|| Error::corrupted("index snapshot", "an entity id appears twice in a shard's dictionary"))?;

    let mut entries = Vec::with_capacity(Attribute::ALL.len());
    for _ in Attribute::ALL {
        let keys = reader.len(8)?;
        let mut tree = Vec::with_capacity(keys);
        for _ in 0..keys {
            let key: Box<[u8]> = reader.bytes()?.into();
            let postings = reader.u32s()?;
            if postings.iter().any(|local| *local as usize >= count) {
                return Err(Error::corrupted("index snapshot", "a posting list names a local id the dictionary lacks"));
            }
            tree.push((key, postings));
        }
        entries.push(tree);
    }
    let attributes = AttributeIndexes::from_entries(config, entries)
        .map_err(|err| Error::corrupted("index snapshot", format!("an attribute index is out of order: {err}")))?;

    let bloom = ScalableBloomFilter::from_bytes(reader.bytes()?)?;
    if !reader.is_done() {
        return Err(Error::corrupted("index snapshot", "bytes follow the bloom filter"));
    }
    Ok(ShardIndex::from_parts(dictionary, attributes, bloom, generation))
}

// ---- graph file --------------------------------------------------------------

fn write_graph(writer: &mut Writer, graph: &Adjacency, rel_types: &TypeInterner) {
    writer.len(rel_types.len());
    for name in rel_types.names() {
        writer.bytes(name.as_bytes());
    }

    let sources: Vec<u64> = graph.nodes().filter(|node| !graph.out_edges(*node).is_empty()).collect();
    writer.u64(sources.len() as u64);
    for source in sources {
        let edges = graph.out_edges(source);
        writer.u64(source);
        writer.len(edges.len());
        for edge in edges {
            writer.u64(edge.other);
            writer.u16(edge.rel_type);
        }
    }
}

/// Reads the graph file's body. `capacities` contains each shard's number
/// of local ids, so that every edge is checked to join assigned ids.
fn read_graph(reader: &mut Reader<'_>, capacities: &[usize]) -> Result<(Adjacency, TypeInterner)> {
    let type_count = reader.len(4)?;
    let mut rel_types = TypeInterner::default();
    for number in 0..type_count {
        if usize::from(rel_types.intern(reader.str()?)) != number {
            return Err(Error::corrupted("index snapshot", "a relationship type name appears twice"));
        }
    }

    let assigned = |node: u64| {
        let (shard, local) = split_node_id(node);
        capacities.get(shard).is_some_and(|capacity| (local as usize) < *capacity)
    };
    let mut graph = Adjacency::new();
    let sources = reader.u64()?;
    for _ in 0..sources {
        let source = reader.u64()?;
        let edges = reader.len(EDGE_BYTES)?;
        if !assigned(source) {
            return Err(Error::corrupted("index snapshot", format!("edge source {source:#x} is not an assigned node")));
        }
        for _ in 0..edges {
            let target = reader.u64()?;
            let rel_type = reader.u16()?;
            if !assigned(target) || usize::from(rel_type) >= type_count {
                return Err(Error::corrupted("index snapshot", format!("an edge from {source:#x} names an unknown node or type")));
            }
            graph.add_edge(source, target, rel_type);
        }
    }
    if !reader.is_done() {
        return Err(Error::corrupted("index snapshot", "bytes follow the last edge"));
    }
    graph.shrink_to_fit();
    Ok((graph, rel_types))
}

#[cfg(test)]
mod tests;
