//! The store's owner lock: one open handle per store directory.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub const LOCK_FILE: &str = "LOCK";

/// An exclusive advisory lock on `LOCK` in the store directory, holding the
/// owner's pid. The operating system releases it when the process exits, so a
/// crashed owner never leaves a stale lock. Opening the same store twice in
/// one process fails too, because each open takes its own file description.
pub struct StoreLock {
    _file: File,
}

impl StoreLock {
    pub fn acquire(store_dir: &Path) -> Result<StoreLock> {
        let path: PathBuf = store_dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|err| Error::io(&path, err))?;

        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let pid = holder.trim();
                return Err(Error::StoreLocked {
                    path: store_dir.to_path_buf(),
                    pid: if pid.is_empty() { "unknown".into() } else { pid.to_string() },
                });
            }
            Err(TryLockError::Error(err)) => return Err(Error::io(&path, err)),
        }

        file.set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(std::process::id().to_string().as_bytes()))
            .and_then(|_| file.sync_all())
            .map_err(|err| Error::io(&path, err))?;
        Ok(StoreLock { _file: file })
    }
}
