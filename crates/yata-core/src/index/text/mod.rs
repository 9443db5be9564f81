//! The code-aware tokenizer and the per-shard tantivy full-text index.
//!
//! - `tokenizer`: [`CodeTokenizer`], which splits identifiers into their
//!   parts, normalizes with NFKC and turns CJK text into two-character grams.
//! - `index`: [`FullTextIndex`], one tantivy index per shard over the
//!   entities' names, namespaces, descriptions, file paths and metadata.

mod index;
mod query;
pub mod tokenizer;

#[cfg(test)]
mod tests;

pub use index::{FullTextIndex, DEFAULT_WRITER_MEMORY_BYTES, NAME_BOOST};
pub use query::TextQuery;
pub use tokenizer::{analyze, CodeToken, CodeTokenizer, TokenKind, CODE_TOKENIZER_NAME};
