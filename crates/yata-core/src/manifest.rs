//! The store manifest: the facts that fix where every record lives.
//!
//! It is written once when a store is created, as `manifest.json` in the store
//! directory, by writing a temporary file, syncing it and renaming it over the
//! old one, so a crash leaves either the old or the new manifest.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Version of the on-disk layout this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub format_version: u32,
    pub partition_strategy: String,
    pub hash_seed: u64,
    pub virtual_nodes: u32,
    pub shards: Vec<ShardEntry>,
}

/// One shard: its id and its directory, relative to the store directory
/// unless absolute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardEntry {
    pub id: String,
    pub path: String,
}

impl ShardEntry {
    pub fn resolve(&self, store_dir: &Path) -> PathBuf {
        let path = Path::new(&self.path);
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            store_dir.join(path)
        }
    }
}

impl Manifest {
    /// Reads the manifest of the store in `store_dir`, or `None` for a new store.
    pub fn load(store_dir: &Path) -> Result<Option<Manifest>> {
        let path = store_dir.join(MANIFEST_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(Error::io(&path, err)),
        };
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|err| Error::corrupted(path.display().to_string(), err.to_string()))?;
        if manifest.format_version != FORMAT_VERSION {
            return Err(Error::InvalidConfig(format!(
                "store {} has format version {}, but this build reads version {FORMAT_VERSION}; \
                 open it with a matching yata-scale release",
                store_dir.display(),
                manifest.format_version
            )));
        }
        Ok(Some(manifest))
    }

    /// Writes the manifest atomically.
    pub fn save(&self, store_dir: &Path) -> Result<()> {
        let path = store_dir.join(MANIFEST_FILE);
        let temporary = store_dir.join(format!("{MANIFEST_FILE}.tmp"));
        let text = serde_json::to_string_pretty(self).expect("manifest serializes");

        let mut file = fs::File::create(&temporary).map_err(|err| Error::io(&temporary, err))?;
        file.write_all(text.as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|err| Error::io(&temporary, err))?;
        fs::rename(&temporary, &path).map_err(|err| Error::io(&path, err))?;
        if let Ok(dir) = fs::File::open(store_dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    pub fn shard_ids(&self) -> Vec<String> {
        self.shards.iter().map(|s| s.id.clone()).collect()
    }
}
