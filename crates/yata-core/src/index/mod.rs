//! Secondary indexes kept beside each shard's records.
//!
//! - `btree`: the B+Tree behind the attribute indexes.
//! - `bloom`: scalable bloom filters for entity existence.
//! - `text`: the code-aware tokenizer and the tantivy full-text index.
//! - `snapshot`: the in-memory indexes saved on close and read back on open.

pub mod bloom;
pub mod attributes;
pub mod btree;
pub mod catalog;
pub mod graph;
pub mod ids;
pub mod shard_index;
pub mod snapshot;
pub mod types;
pub mod text;
