use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{Entry, KvBackend, WriteBatch};
use crate::error::{Error, Result};

/// How long [`SledBackend::open`] waits for sled's file lock of a closing handle.
pub const LOCK_RETRY_LIMIT: Duration = Duration::from_secs(2);

/// A shard stored in its own sled database directory.
pub struct SledBackend {
    db: sled::Db,
    path: PathBuf,
}

impl SledBackend {
    /// Opens or creates the sled database in `path`, with a page cache of
    /// `cache_bytes`.
    ///
    /// sled 0.34 releases its file lock on a background thread after the
    /// database is dropped, so reopening right after a close can briefly find
    /// the lock held. The store's own `LOCK` file is held by the caller at this
    /// point, so a held sled lock can only belong to a handle being released,
    /// and the open is retried for up to [`LOCK_RETRY_LIMIT`].
    pub fn open(path: &Path, cache_bytes: u64) -> Result<Self> {
        let started = Instant::now();
        loop {
            let opened = sled::Config::new()
                .path(path)
                .cache_capacity(cache_bytes)
                .mode(sled::Mode::HighThroughput)
                .open();
            match opened {
                Ok(db) => {
                    return Ok(SledBackend {
                        db,
                        path: path.to_path_buf(),
                    })
                }
                Err(sled::Error::Io(source))
                    if source.kind() == std::io::ErrorKind::WouldBlock
                        && started.elapsed() < LOCK_RETRY_LIMIT =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(sled::Error::Io(source)) => return Err(Error::io(path, source)),
                Err(other) => {
                    return Err(Error::ShardUnavailable {
                        shard_id: path.display().to_string(),
                        reason: other.to_string(),
                    })
                }
            }
        }
    }

    fn map_err(&self, err: sled::Error) -> Error {
        match err {
            sled::Error::Io(source) => Error::io(&self.path, source),
            other => Error::from(other),
        }
    }
}

impl KvBackend for SledBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.db
            .get(key)
            .map(|value| value.map(|v| v.to_vec()))
            .map_err(|err| self.map_err(err))
    }

    fn contains(&self, key: &[u8]) -> Result<bool> {
        self.db.contains_key(key).map_err(|err| self.map_err(err))
    }

    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Entry>> + 'a> {
        Box::new(self.db.scan_prefix(prefix).map(move |item| {
            item.map(|(k, v)| (k.to_vec(), v.to_vec()))
                .map_err(|err| self.map_err(err))
        }))
    }

    fn apply(&self, batch: WriteBatch) -> Result<()> {
        let mut sled_batch = sled::Batch::default();
        for (key, value) in batch.operations {
            match value {
                Some(value) => sled_batch.insert(key, value),
                None => sled_batch.remove(key),
            }
        }
        self.db
            .apply_batch(sled_batch)
            .map_err(|err| self.map_err(err))
    }

    fn flush(&self) -> Result<()> {
        self.db.flush().map(|_| ()).map_err(|err| self.map_err(err))
    }

    fn size_on_disk(&self) -> Result<u64> {
        self.db.size_on_disk().map_err(|err| self.map_err(err))
    }
}
