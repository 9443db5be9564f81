//! The per-shard full-text index: one tantivy index in its own directory.
//!
//! Each entity is one document with these fields:
//!
//! - `id`: the entity id, untokenized and stored, so results and deletes use it.
//! - `name`, `namespace`, `description`, `file_path`: the entity's fields.
//! - `metadata`: every string value in the metadata JSON, one field value each.
//!
//! The text fields use [`CodeTokenizer`] and index positions for phrase
//! queries. Scores are tantivy's BM25, with name matches weighted by
//! [`NAME_BOOST`].
//!
//! Writes are buffered until [`FullTextIndex::commit`], which makes them
//! durable and visible to searches. Changes not committed when the index is
//! dropped are lost, so the owner should record which shard generation the
//! index reflects ([`FullTextIndex::commit_with_generation`]) and re-index
//! from the shard when [`FullTextIndex::committed_generation`] is behind.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::collector::TopDocs;
use tantivy::directory::error::{OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::directory::MmapDirectory;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};

use super::query::{build_query, TextQuery, WeightedField};
use super::tokenizer::{CodeTokenizer, CODE_TOKENIZER_NAME};
use crate::error::{Error, Result};
use crate::model::Entity;

/// Weight of a match in an entity's name, relative to 1.0 for the other fields.
pub const NAME_BOOST: f32 = 3.0;

/// Indexing buffer of one index's writer when the caller sets none. tantivy
/// requires at least 15 MB per indexing thread, and each index uses one thread.
pub const DEFAULT_WRITER_MEMORY_BYTES: usize = 32 << 20;

/// Owner of one directory's tantivy index, its writer and its reader.
///
/// All methods take `&self`. Writes are serialized by an internal lock, and
/// searches run concurrently with them on the last committed state.
pub struct FullTextIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    fields: Fields,
    committed_generation: AtomicU64,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    name: Field,
    namespace: Field,
    description: Field,
    file_path: Field,
    metadata: Field,
}

impl Fields {
    fn weighted(&self) -> [WeightedField; 5] {
        let weighted = |field, boost| WeightedField { field, boost };
        [
            weighted(self.name, NAME_BOOST),
            weighted(self.namespace, 1.0),
            weighted(self.description, 1.0),
            weighted(self.file_path, 1.0),
            weighted(self.metadata, 1.0),
        ]
    }
}

fn build_schema() -> (Schema, Fields) {
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(CODE_TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let mut builder = Schema::builder();
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        name: builder.add_text_field("name", text.clone()),
        namespace: builder.add_text_field("namespace", text.clone()),
        description: builder.add_text_field("description", text.clone()),
        file_path: builder.add_text_field("file_path", text.clone()),
        metadata: builder.add_text_field("metadata", text),
    };
    (builder.build(), fields)
}

impl FullTextIndex {
    /// Opens the index in `dir`, creating the directory and an empty index
    /// when there is none, with a writer buffer of [`DEFAULT_WRITER_MEMORY_BYTES`].
    ///
    /// Fails with `Io` when the directory cannot be created or read, or when
    /// another `FullTextIndex` (in this or another process) has it open, and
    /// with `Corrupted` when the directory contains an unreadable index or
    /// one with a different schema.
    pub fn open(dir: &Path) -> Result<Self> {
        FullTextIndex::open_with_memory_budget(dir, DEFAULT_WRITER_MEMORY_BYTES)
    }

    /// Opens the index in `dir` like [`FullTextIndex::open`], with a writer
    /// buffer of `writer_memory_bytes`. A larger buffer writes fewer, larger
    /// segments during bulk indexing.
    pub fn open_with_memory_budget(dir: &Path, writer_memory_bytes: usize) -> Result<Self> {
        fs::create_dir_all(dir).map_err(|err| Error::io(dir, err))?;
        let to_error = |err| map_tantivy_error(dir, err);

        let directory = MmapDirectory::open(dir).map_err(|err| to_error(err.into()))?;
        let (schema, fields) = build_schema();
        let index = Index::open_or_create(directory, schema).map_err(to_error)?;
        index
            .tokenizers()
            .register(CODE_TOKENIZER_NAME, CodeTokenizer::default());

        let committed_generation = read_generation(dir, &index)?;
        let writer = index
            .writer_with_num_threads(1, writer_memory_bytes)
            .map_err(to_error)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(to_error)?;

        Ok(FullTextIndex {
            dir: dir.to_path_buf(),
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            committed_generation: AtomicU64::new(committed_generation),
        })
    }

    /// Directory of the index.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Adds `entities`, replacing any document with the same id. When the
    /// slice contains one id twice, the later entity wins. Visible after the next commit.
    pub fn upsert(&self, entities: &[Entity]) -> Result<()> {
        let writer = self.lock_writer();
        for entity in entities {
            writer.delete_term(Term::from_field_text(self.fields.id, &entity.id));
            writer
                .add_document(self.document(entity))
                .map_err(|err| self.error(err))?;
        }
        Ok(())
    }

    /// Removes the documents of `ids`. Unknown ids are ignored. Visible after the next commit.
    pub fn delete(&self, ids: &[String]) -> Result<()> {
        let writer = self.lock_writer();
        for id in ids {
            writer.delete_term(Term::from_field_text(self.fields.id, id));
        }
        Ok(())
    }

    /// Removes every document, for a rebuild. Visible after the next commit.
    pub fn clear(&self) -> Result<()> {
        let writer = self.lock_writer();
        writer
            .delete_all_documents()
            .map_err(|err| self.error(err))?;
        Ok(())
    }

    /// Commits pending changes, keeping the committed generation.
    pub fn commit(&self) -> Result<()> {
        self.commit_with_generation(self.committed_generation())
    }

    /// Commits pending changes and records `generation` in the commit, so a
    /// reopened index reports it through [`FullTextIndex::committed_generation`].
    ///
    /// When this returns, the changes are on disk (tantivy syncs the segment
    /// files and `meta.json`) and visible to [`FullTextIndex::search`].
    pub fn commit_with_generation(&self, generation: u64) -> Result<()> {
        let mut writer = self.lock_writer();
        let mut prepared = writer.prepare_commit().map_err(|err| self.error(err))?;
        prepared.set_payload(&generation.to_string());
        prepared.commit().map_err(|err| self.error(err))?;
        self.committed_generation
            .store(generation, Ordering::SeqCst);
        drop(writer);

        self.reader.reload().map_err(|err| self.error(err))
    }

    /// Generation recorded by the last commit, or 0 when no commit recorded one.
    pub fn committed_generation(&self) -> u64 {
        self.committed_generation.load(Ordering::SeqCst)
    }

    /// Number of committed documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Total size of the files in the index directory, in bytes.
    pub fn bytes_on_disk(&self) -> Result<u64> {
        let entries = fs::read_dir(&self.dir).map_err(|err| Error::io(&self.dir, err))?;
        let mut total = 0;
        for entry in entries {
            let entry = entry.map_err(|err| Error::io(&self.dir, err))?;
            let metadata = entry
                .metadata()
                .map_err(|err| Error::io(entry.path(), err))?;
            if metadata.is_file() {
                total += metadata.len();
            }
        }
        Ok(total)
    }

    /// Runs `query` on the committed documents and returns up to `query.limit`
    /// entity ids with their scores, best first.
    ///
    /// The query semantics are described in the `query` module: every word is
    /// required in some field, quoted text is a phrase, and `fuzzy` and
    /// `prefix` loosen word matching. A query without tokens returns nothing.
    pub fn search(&self, query: &TextQuery) -> Result<Vec<(String, f32)>> {
        query.validate()?;
        if query.limit == 0 {
            return Ok(Vec::new());
        }
        let Some(tantivy_query) = build_query(query, &self.fields.weighted()) else {
            return Ok(Vec::new());
        };

        let searcher = self.reader.searcher();
        // TopDocs allocates for its limit, so a huge limit is cut to the number of documents.
        let limit = query.limit.min(searcher.num_docs() as usize).max(1);
        let hits = searcher
            .search(&tantivy_query, &TopDocs::with_limit(limit).order_by_score())
            .map_err(|err| self.error(err))?;

        let mut results = Vec::with_capacity(hits.len());
        for (score, address) in hits {
            let document: TantivyDocument = searcher.doc(address).map_err(|err| self.error(err))?;
            let id = document
                .get_first(self.fields.id)
                .and_then(|value| value.as_str())
                .ok_or_else(|| {
                    Error::corrupted(
                        self.location(),
                        format!("document {address:?} has no stored id; rebuild the index"),
                    )
                })?;
            results.push((id.to_string(), score));
        }
        Ok(results)
    }

    fn document(&self, entity: &Entity) -> TantivyDocument {
        let mut document = TantivyDocument::default();
        document.add_text(self.fields.id, &entity.id);
        document.add_text(self.fields.name, &entity.name);
        if !entity.namespace.is_empty() {
            document.add_text(self.fields.namespace, &entity.namespace);
        }
        if let Some(description) = &entity.description {
            document.add_text(self.fields.description, description);
        }
        if let Some(file_path) = &entity.file_path {
            document.add_text(self.fields.file_path, file_path);
        }
        for value in metadata_strings(&entity.metadata) {
            document.add_text(self.fields.metadata, value);
        }
        document
    }

    pub(super) fn lock_writer(&self) -> MutexGuard<'_, IndexWriter<TantivyDocument>> {
        // A panic while holding the lock cannot leave the writer half-updated
        // in a way tantivy does not already handle, so a poisoned lock is reused.
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn location(&self) -> String {
        index_location(&self.dir)
    }

    fn error(&self, err: TantivyError) -> Error {
        map_tantivy_error(&self.dir, err)
    }
}

impl std::fmt::Debug for FullTextIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FullTextIndex")
            .field("dir", &self.dir)
            .field("committed_generation", &self.committed_generation())
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

/// Returns the string values of the metadata JSON, at any depth. Metadata
/// that is not valid JSON is indexed as one plain text value.
fn metadata_strings(metadata: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(metadata) else {
        return vec![metadata.to_string()];
    };
    let mut strings = Vec::new();
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            serde_json::Value::String(text) => strings.push(text),
            serde_json::Value::Array(items) => pending.extend(items.into_iter().rev()),
            serde_json::Value::Object(map) => pending.extend(map.into_iter().map(|(_, v)| v).rev()),
            _ => {}
        }
    }
    strings
}

fn read_generation(dir: &Path, index: &Index) -> Result<u64> {
    let metas = index
        .load_metas()
        .map_err(|err| map_tantivy_error(dir, err))?;
    match metas.payload.as_deref() {
        None => Ok(0),
        Some(payload) => payload.parse().map_err(|_| {
            Error::corrupted(
                index_location(dir),
                format!("commit payload '{payload}' is not a generation number"),
            )
        }),
    }
}

fn index_location(dir: &Path) -> String {
    format!("full-text index {}", dir.display())
}

fn io_error(shared: Arc<io::Error>) -> io::Error {
    Arc::try_unwrap(shared)
        .unwrap_or_else(|shared| io::Error::new(shared.kind(), shared.to_string()))
}

/// Maps a tantivy error on the index in `dir` to the engine's error: I/O
/// failures and a held writer lock to `Io`, unreadable or mismatched index
/// data to `Corrupted`, and internal failures to `ShardUnavailable`.
fn map_tantivy_error(dir: &Path, err: TantivyError) -> Error {
    let corrupted = |reason: String| Error::corrupted(index_location(dir), reason);
    match err {
        TantivyError::IoError(source) => Error::io(dir, io_error(source)),
        TantivyError::OpenDirectoryError(OpenDirectoryError::IoError {
            io_error: source,
            directory_path,
        }) => Error::io(directory_path, io_error(source)),
        TantivyError::OpenDirectoryError(other) => {
            Error::io(dir, io::Error::new(io::ErrorKind::NotFound, other.to_string()))
        }
        TantivyError::OpenReadError(OpenReadError::IoError {
            io_error: source,
            filepath,
        }) => Error::io(dir.join(filepath), io_error(source)),
        TantivyError::OpenWriteError(OpenWriteError::IoError {
            io_error: source,
            filepath,
        }) => Error::io(dir.join(filepath), io_error(source)),
        TantivyError::LockFailure(..) => Error::io(
            dir,
            io::Error::new(
                io::ErrorKind::WouldBlock,
                "another writer holds the full-text index lock (.tantivy-writer.lock); \
                 close the other handle or process first",
            ),
        ),
        TantivyError::SchemaError(reason) => corrupted(format!(
            "{reason}; the index was written with another schema, so delete the directory and re-index"
        )),
        err @ (TantivyError::DataCorruption(_)
        | TantivyError::OpenReadError(_)
        | TantivyError::OpenWriteError(_)
        | TantivyError::IncompatibleIndex(_)
        | TantivyError::DeserializeError(_)
        | TantivyError::FieldNotFound(_)
        | TantivyError::IndexAlreadyExists) => corrupted(format!(
            "{err}; delete the directory and re-index from the shard"
        )),
        TantivyError::InvalidArgument(reason) => {
            Error::InvalidConfig(format!("{}: {reason}", index_location(dir)))
        }
        other => Error::ShardUnavailable {
            shard_id: String::new(),
            reason: format!("{}: {other}", index_location(dir)),
        },
    }
}
