//! Figures about the indexes, for `getIndexStats`.

use serde_json::{json, Value};

use crate::error::Result;
use crate::index::catalog::IndexSource;
use crate::store::Store;

impl Store {
    /// Returns, per shard, the size of every attribute B+Tree, the bloom
    /// filter and the full-text index, plus the graph index's size and the
    /// sum of every in-memory index's estimated bytes, and whether the
    /// indexes were read from the snapshot or rebuilt from the records on open.
    pub fn index_stats(&self) -> Result<Value> {
        let mut shards = Vec::with_capacity(self.shards.len());
        let mut memory = 0usize;
        for (position, shard) in self.shards.iter().enumerate() {
            let index = self.catalog.shard(position);
            let mut attributes = serde_json::Map::new();
            for (attribute, stats) in index.attributes.stats() {
                memory += stats.bytes;
                attributes.insert(
                    attribute.label().to_string(),
                    json!({
                        "keys": stats.entries,
                        "height": stats.height,
                        "pages": stats.pages,
                        "leafPages": stats.leaf_pages,
                        "fillFactor": stats.fill_factor,
                        "bytes": stats.bytes,
                    }),
                );
            }
            let bloom = index.bloom_stats();
            memory += bloom.bytes + index.dictionary.memory_bytes();
            let text = self.catalog.text(position);
            shards.push(json!({
                "shardId": shard.id,
                "entities": index.dictionary.len(),
                "generation": index.generation,
                "idDictionaryBytes": index.dictionary.memory_bytes(),
                "btree": attributes,
                "bloom": {
                    "bytes": bloom.bytes,
                    "items": bloom.items,
                    "stages": bloom.stages,
                    "estimatedFalsePositiveRate": bloom.estimated_fp_rate,
                    "measuredFalsePositiveRate": bloom.measured_fp_rate,
                    "absentLookups": bloom.absent_lookups,
                },
                "fullText": {
                    "documents": text.num_docs(),
                    "bytesOnDisk": text.bytes_on_disk()?,
                },
            }));
        }
        let graph = self.catalog.graph();
        memory += graph.memory_bytes();
        Ok(json!({
            "shards": shards,
            "graph": {
                "nodes": graph.node_count(),
                "edges": graph.edge_count(),
                "bytes": graph.memory_bytes(),
            },
            "memoryBytes": memory,
            "openedFrom": match self.index_source() {
                IndexSource::Snapshot => json!({ "source": "snapshot" }),
                IndexSource::Records { reason } => json!({ "source": "records", "reason": reason }),
            },
        }))
    }
}
